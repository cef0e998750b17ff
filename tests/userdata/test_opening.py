"""Opening the notes database: a full disk, an empty file, files left beside a read-only one (issue 13: 10, 11, 15)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections import namedtuple
from pathlib import Path

import pytest

from reader.paths import AppPaths
from reader.userdata import ReadOnlyStoreError, StoreError, UserStore
from reader.userdata import opening

Usage = namedtuple("Usage", "total used free")
SIDECARS = ("-wal", "-shm", "-journal")


def _notes_in(app_paths, texts) -> list[str]:
    store = UserStore(app_paths)
    ids = [store.add_note("art", "_lead", text).id for text in texts]
    store.close()
    return ids


def _sidecars(database: Path) -> list[str]:
    return [suffix for suffix in SIDECARS if Path(f"{database}{suffix}").exists()]


# ---------------------------------------------------------------- 10: a full disk is not damage

def _fail_connections(monkeypatch, unless) -> None:
    """Make SQLite connections fail with an I/O error, except those ``unless(read_only, immutable)`` allows."""
    real_connect = opening.connect

    def connect(path, *, read_only=False, immutable=False, timeout=10.0):
        if not unless(read_only, immutable):
            raise sqlite3.OperationalError("disk I/O error")
        return real_connect(path, read_only=read_only, immutable=immutable, timeout=timeout)

    monkeypatch.setattr(opening, "connect", connect)


def test_full_disk_at_open_reads_every_note_and_says_disk_full(app_paths, monkeypatch):
    ids = _notes_in(app_paths, ["one", "two", "three"])
    Path(f"{app_paths.database}-wal").write_bytes(b"")  # an empty WAL, as a crashed run leaves: the probe uses mode=ro
    # What a nearly full disk does to SQLite: no room for the WAL index, so only immutable reads work.
    _fail_connections(monkeypatch, unless=lambda read_only, immutable: immutable)
    monkeypatch.setattr("reader.userdata.db.shutil.disk_usage", lambda path: Usage(10**9, 10**9 - 16384, 16384))
    store = UserStore(app_paths)
    assert store.read_only and not store.damaged
    assert "full" in store.problem and "damaged" not in store.problem and "restore" not in store.problem
    assert sorted(n.id for n in store.notes()) == sorted(ids)
    with pytest.raises(ReadOnlyStoreError, match="full"):
        store.add_note("art", "_lead", "no room")
    store.close()


def test_an_io_error_on_a_disk_with_room_is_not_called_damage(app_paths, monkeypatch):
    ids = _notes_in(app_paths, ["one"])
    _fail_connections(monkeypatch, unless=lambda read_only, immutable: read_only or immutable)
    store = UserStore(app_paths)
    assert store.read_only and not store.damaged and "disk I/O error" in store.problem
    assert [n.id for n in store.notes()] == ids
    store.close()


@pytest.fixture
def tiny_disk(tmp_path):
    """A real 1 MB tmpfs (needs root with mount rights; skipped otherwise)."""
    target = tmp_path / "tiny"
    target.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(target)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield target
    finally:
        subprocess.run(["umount", "-l", str(target)], check=True)


def _fill(disk: Path, leave: int) -> None:
    free = shutil.disk_usage(disk).free
    with open(disk / "filler", "wb") as handle:
        handle.write(b"\0" * max(0, free - leave))


def test_a_really_full_disk_shows_every_note_and_says_full(tiny_disk):
    paths = AppPaths(tiny_disk / "data", tiny_disk / "cache", tiny_disk / "config", Path("/nonexistent-bundle"))
    ids = _notes_in(paths, ["one", "two"])
    _fill(tiny_disk, leave=16 * 1024)
    store = UserStore(paths)
    assert sorted(n.id for n in store.notes()) == sorted(ids)
    assert not store.damaged
    if store.read_only:
        assert "full" in store.problem
    with pytest.raises(StoreError, match="full"):
        for i in range(200):  # fills the last pages, then says so
            store.add_note("art", "_lead", f"note {i} " + "x" * 2000)
    store.close()


# ---------------------------------------------------------------- 11: an empty file is damage

def test_an_empty_database_file_is_damage_and_names_the_backup(app_paths):
    _notes_in(app_paths, ["one"])
    backup = UserStore(app_paths).backup()
    app_paths.database.write_bytes(b"")
    store = UserStore(app_paths)
    assert store.read_only and store.damaged
    assert "empty" in store.problem and str(backup) in store.problem
    with pytest.raises(ReadOnlyStoreError):
        store.add_note("art", "_lead", "not into an empty file")
    assert app_paths.database.stat().st_size == 0  # left as it was
    store.restore(backup)
    assert [n.text for n in store.notes()] == ["one"]
    store.close()


def test_a_creation_killed_half_way_leaves_no_database_file(app_paths, monkeypatch):
    def killed(conn, target=None):
        raise KeyboardInterrupt  # stands in for SIGKILL between creating the file and its schema

    monkeypatch.setattr(opening, "migrate", killed)
    with pytest.raises(KeyboardInterrupt):
        UserStore(app_paths)
    monkeypatch.undo()
    assert not app_paths.database.exists()
    store = UserStore(app_paths)  # the next start creates it, leftovers or not
    assert not store.read_only
    store.add_note("art", "_lead", "works")
    store.close()
    assert not list(app_paths.data_dir.glob(".lectern.sqlite3.new*"))


# ---------------------------------------------------------------- 15: nothing left beside a read-only database

def _newer(app_paths) -> None:
    _notes_in(app_paths, ["one"])
    with sqlite3.connect(app_paths.database) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()


def _damaged(app_paths) -> None:
    _notes_in(app_paths, ["one " * 200 for _ in range(40)])
    with open(app_paths.database, "r+b") as handle:
        handle.seek(8192)
        handle.write(b"\xff" * 4096)


@pytest.mark.parametrize("spoil", [_newer, _damaged], ids=["newer", "damaged"])
def test_a_database_opened_read_only_gets_no_wal_or_shm_beside_it(app_paths, spoil):
    spoil(app_paths)
    assert _sidecars(app_paths.database) == []
    before = app_paths.database.read_bytes()
    store = UserStore(app_paths)
    assert store.read_only
    store.notes()
    assert _sidecars(app_paths.database) == []
    store.close()
    assert _sidecars(app_paths.database) == [] and app_paths.database.read_bytes() == before


def test_an_io_error_while_saving_on_a_full_disk_says_full(app_paths, monkeypatch):
    from reader.userdata.db import describe

    error = sqlite3.OperationalError("disk I/O error")  # how SQLite reports some failed writes
    assert "full" not in describe(error, app_paths.database)
    monkeypatch.setattr("reader.userdata.db.shutil.disk_usage", lambda path: Usage(10**9, 10**9 - 4096, 4096))
    assert "is full; nothing was changed" in describe(error, app_paths.database)


def test_a_database_missing_part_of_its_schema_is_damage_not_a_stream_of_errors(app_paths):
    _notes_in(app_paths, ["one"])
    backup = UserStore(app_paths).backup()
    with sqlite3.connect(app_paths.database) as conn:
        conn.execute("DROP TABLE note_tags")
    conn.close()
    store = UserStore(app_paths)
    assert store.damaged and "no table 'note_tags'" in store.problem and str(backup) in store.problem
    assert store.notes() == []  # reads answer (nothing), instead of "no such table" errors
    store.restore(backup)
    assert [n.text for n in store.notes()] == ["one"]
    store.close()


def test_restoring_a_copy_of_a_live_database_leaves_nothing_beside_the_copy(app_paths, tmp_path):
    _notes_in(app_paths, ["one"])  # a WAL-mode database, closed (so its -wal is gone)
    copy = tmp_path / "copied.sqlite3"
    shutil.copyfile(app_paths.database, copy)
    store = UserStore(app_paths)
    store.add_note("art", "_lead", "two")
    store.restore(copy)
    assert [n.text for n in store.notes()] == ["one"]
    store.close()
    assert _sidecars(copy) == []


def test_the_damage_message_is_one_line(app_paths):
    """QA 13: SQLite's multi-line quick_check answer made the warning span two lines."""
    _damaged(app_paths)
    store = UserStore(app_paths)
    assert store.damaged and "\n" not in store.problem
    store.close()
