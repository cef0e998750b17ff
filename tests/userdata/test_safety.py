"""Damaged files, read-only disks, full disks, locks, backups and restore."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

from reader.errors import LecternError
from reader.paths import AppPaths
from reader.userdata import ReadOnlyStoreError, StoreError, UserStore
from reader.userdata.backups import KEEP_AUTO


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _store_with_notes(app_paths, count=60) -> list[str]:
    store = UserStore(app_paths)
    ids = [store.add_note("art", "_lead", f"note {i} " + "words " * 40).id for i in range(count)]
    store.close()
    return ids


# ---------------------------------------------------------------- damaged database

@pytest.mark.parametrize("offset", [0, 8192], ids=["header", "page-3"])
def test_damaged_database_is_reported_and_never_overwritten(app_paths, offset):
    ids = _store_with_notes(app_paths)
    good = UserStore(app_paths, auto_backup=False)
    backup = good.backup()
    good.close()
    with open(app_paths.database, "r+b") as handle:
        handle.seek(offset)
        handle.write(os.urandom(4096))
    damaged_sha = _sha(app_paths.database)

    store = UserStore(app_paths)
    assert store.read_only and store.damaged
    assert "damaged" in store.messages[0] and str(backup) in store.messages[0]
    with pytest.raises(ReadOnlyStoreError, match="damaged"):
        store.add_note("art", "_lead", "must not be written")
    store.set_position("art", "_lead", 1)
    assert _sha(app_paths.database) == damaged_sha

    store.restore(backup)
    assert not store.read_only
    assert sorted(n.id for n in store.notes()) == sorted(ids)
    store.add_note("art", "_lead", "writable again")
    store.close()
    kept = list(app_paths.data_dir.glob("lectern.sqlite3.set-aside-*"))
    assert [_sha(p) for p in kept if not p.name.endswith(("-wal", "-shm"))] == [damaged_sha]


def test_damaged_database_without_backup_says_so(app_paths):
    app_paths.database.write_bytes(b"this is not a database at all" * 200)
    store = UserStore(app_paths)
    assert store.damaged and "no backup" in store.messages[0]
    assert store.notes() == [] and store.bookmarks() == []  # the reader keeps working
    store.close()
    assert app_paths.database.read_bytes().startswith(b"this is not a database")


# ---------------------------------------------------------------- read-only disk

@pytest.fixture
def read_only_dir(tmp_path):
    """A directory made read-only for real: a read-only mount as root, permissions otherwise.

    Yields (directory, make_read_only); call make_read_only() after preparing files.
    """
    target = tmp_path / "ro"
    target.mkdir()
    if os.geteuid() != 0:
        yield target, lambda: (target.chmod(0o555), [p.chmod(0o444) for p in target.rglob("*") if p.is_file()])
        target.chmod(0o755)
        return
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(target)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs to make a read-only folder (root without mount rights)")
    try:
        yield target, lambda: subprocess.run(["mount", "-o", "remount,ro", str(target)], check=True)
    finally:
        subprocess.run(["umount", str(target)], check=True)


def _paths_in(root: Path) -> AppPaths:
    return AppPaths(root / "data", root / "cache", root / "config", Path("/nonexistent-bundle"))


def test_read_only_data_dir_without_database(read_only_dir):
    root, make_read_only = read_only_dir
    (root / "data").mkdir()
    make_read_only()
    store = UserStore(_paths_in(root))
    assert store.read_only and "read-only" in store.messages[0]
    assert store.notes() == []
    with pytest.raises(ReadOnlyStoreError, match="read-only"):
        store.add_bookmark("art")
    store.close()
    assert not (root / "data" / "lectern.sqlite3").exists()


def test_read_only_data_dir_with_database(read_only_dir):
    root, make_read_only = read_only_dir
    paths = _paths_in(root)
    (root / "data").mkdir()
    store = UserStore(paths)
    note = store.add_note("art", "_lead", "kept")
    store.close()
    make_read_only()
    again = UserStore(paths)
    assert again.read_only and "read-only" in again.messages[0]
    assert [n.id for n in again.notes()] == [note.id]
    with pytest.raises(ReadOnlyStoreError, match="read-only"):
        again.edit_note(note.id, text="changed")
    again.close()


# ---------------------------------------------------------------- full disk, locks

def test_full_disk_is_a_clear_error_and_changes_nothing(store):
    store.add_note("art", "_lead", "before")
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages + 1}")  # what a full disk looks like to SQLite
    with pytest.raises(StoreError, match="full"):
        store.add_note("art", "_lead", "x" * 200_000, tags=["big"])
    assert [n.text for n in store.notes()] == ["before"]
    assert store._conn.execute("SELECT count(*) FROM note_tags").fetchone()[0] == 0


def test_lock_held_too_long_is_a_clear_error(app_paths):
    store = UserStore(app_paths, busy_timeout=0.1)
    other = sqlite3.connect(app_paths.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="locked by another program"):
            store.add_note("art", "_lead", "waits")
    finally:
        other.execute("ROLLBACK")
        other.close()
    store.add_note("art", "_lead", "goes through once the lock is free")
    assert len(store.notes()) == 1
    store.close()


# ---------------------------------------------------------------- backups and restore

def test_daily_backup_once_a_day_keeping_seven(app_paths):
    _store_with_notes(app_paths, count=1)
    app_paths.backups_dir.mkdir(exist_ok=True)
    for day in range(1, 10):
        (app_paths.backups_dir / f"auto-200001{day:02d}.sqlite3").write_bytes(b"old")
    UserStore(app_paths).close()
    UserStore(app_paths).close()
    autos = sorted(p.name for p in app_paths.backups_dir.glob("auto-*.sqlite3"))
    assert len(autos) == KEEP_AUTO
    assert autos[0] == "auto-20000104.sqlite3" and not autos[-1].startswith("auto-2000")
    with sqlite3.connect(app_paths.backups_dir / autos[-1]) as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 1
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_then_restore_returns_to_that_moment(app_paths, library, events):
    store = library.store
    kept = store.add_note("2023-azerbaijani-offensive-in-nagorno-karabakh", "background", "kept")
    mark = store.add_bookmark("2023-azerbaijani-offensive-in-nagorno-karabakh")
    backup = store.backup()
    later = store.add_note("2023-azerbaijani-offensive-in-nagorno-karabakh", "prelude", "added after the backup")
    store.remove_bookmark(mark.id)
    events.clear()
    store.restore(backup)
    assert [n.id for n in store.notes()] == [kept.id]
    assert [b.id for b in store.bookmarks()] == [mark.id]
    change = next(p for e, p in events if e == "notes_changed")
    assert change.deleted == [later.id]
    pre = list(app_paths.backups_dir.glob("pre-restore-*.sqlite3"))
    assert len(pre) == 1
    with sqlite3.connect(pre[0]) as conn:
        assert conn.execute("SELECT count(*) FROM notes").fetchone()[0] == 2


def test_restore_rejects_a_file_that_is_not_a_backup(store, tmp_path):
    note = store.add_note("art", "_lead", "stays")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"junk" * 1000)
    with pytest.raises(LecternError, match="cannot restore"):
        store.restore(junk)
    with pytest.raises(LecternError, match="no such file"):
        store.restore(tmp_path / "missing.sqlite3")
    assert [n.id for n in store.notes()] == [note.id]


def test_restore_over_a_newer_database_sets_it_aside(app_paths):
    store = UserStore(app_paths)
    store.add_note("art", "_lead", "old")
    backup = store.backup()
    store.close()
    with sqlite3.connect(app_paths.database) as conn:
        conn.execute("PRAGMA user_version = 99")
    newer_sha = _sha(app_paths.database)
    newer = UserStore(app_paths)
    assert newer.read_only
    newer.restore(backup)
    assert not newer.read_only and [n.text for n in newer.notes()] == ["old"]
    newer.close()
    (aside,) = [p for p in app_paths.data_dir.glob("lectern.sqlite3.set-aside-*") if not p.name.endswith(("-wal", "-shm"))]
    assert _sha(aside) == newer_sha


def test_threads_sharing_one_store_lose_nothing(store):
    """GUI workers call the same store from several threads."""
    import threading

    def add(tag):
        for i in range(40):
            store.add_note("art", "_lead", f"{tag} {i}", tags=[tag])

    threads = [threading.Thread(target=add, args=(f"t{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    notes = store.notes()
    assert len(notes) == 160 and all(len(n.tags) == 1 for n in notes)


def test_database_locked_at_open_is_shown_read_only_not_empty(app_paths):
    _store_with_notes(app_paths, count=3)
    with sqlite3.connect(app_paths.database) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")  # switching back to WAL at open needs the lock
    other = sqlite3.connect(app_paths.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        store = UserStore(app_paths, busy_timeout=0.1)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.read_only and "locked" in store.messages[0]
    assert len(store.notes()) == 3
    store.close()
