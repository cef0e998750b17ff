"""Bad input to the notes database gets a one-line answer and writes nothing (issue 13, items 7, 12, 16, 19, 20, 22)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest

from reader.errors import LecternError
from reader.userdata import StoreError, UserStore
from tests.conftest import REPO, SEED_ID
from tests.test_cli import run  # noqa: F401  (the fixture: main() against a temporary --data-dir)

GOOD = {"id": "a1", "article_id": "art", "section_id": "_lead", "text": "fine"}


def _lectern_file(notes, **extra) -> str:
    return json.dumps({"format": "lectern-notes", "version": 1, "notes": notes, **extra})


# ---------------------------------------------------------------- 7: unencodable text, deep JSON

@pytest.mark.parametrize("content, where", [
    (_lectern_file([GOOD, dict(GOOD, id="a2", text="\ud800")]), "notes[1].text"),
    (_lectern_file([dict(GOOD, tags=["ok", "\udcff"])]), "notes[0].tags[1]"),
    (_lectern_file([GOOD], bookmarks=[{"id": "b", "article_id": "art", "name": "x\ud800"}]), "bookmarks[0].name"),
    (json.dumps([{"type": "Annotation", "id": "\ud800", "body": "x", "target": "lectern://art"}]), "[0].id"),
])
def test_import_of_text_that_is_not_unicode_is_rejected_whole(store, tmp_path, content, where):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")  # json.dumps escapes the surrogate as \ud800
    with pytest.raises(LecternError, match="not valid Unicode") as caught:
        store.import_notes(path)
    assert where in str(caught.value) and "nothing was imported" in str(caught.value)
    assert store.notes() == [] and store.bookmarks() == []


@pytest.mark.parametrize("depth", [2000, 100_000])
def test_import_of_deeply_nested_json_is_a_clear_error(store, tmp_path, depth):
    path = tmp_path / "deep.json"
    path.write_text("[" * depth + "]" * depth, encoding="utf-8")
    with pytest.raises(LecternError, match="nested too deeply"):
        store.import_notes(path)
    assert store.notes() == []


def test_text_that_is_not_unicode_is_refused_by_every_change(store):
    note = store.add_note("art", "_lead", "kept")
    mark = store.add_bookmark("art", name="mark")
    for change in (lambda: store.add_note("art", "_lead", "bad \udcff"),
                   lambda: store.edit_note(note.id, text="\ud800"),
                   lambda: store.add_note("art", "_lead", "x", tags=["\udcff"]),
                   lambda: store.rename_bookmark(mark.id, "\udcff"),
                   lambda: store.add_bookmark("art", name="\ud800")):
        with pytest.raises(StoreError, match="not valid Unicode"):
            change()
    assert [(n.text, n.tags) for n in store.notes()] == [("kept", ())]
    assert [b.name for b in store.bookmarks()] == ["mark"]


def test_cli_note_with_a_byte_that_is_not_utf8_is_one_line(run):
    # The shell's $'\xff' reaches Python as the surrogate-escaped '\udcff'.
    code, out, err = run("notes", "add", SEED_ID, "--section", "_lead", "--text", "\udcff")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "not valid Unicode" in err and "Traceback" not in err
    assert run("notes", "list")[1].strip() == "0 notes"


# ---------------------------------------------------------------- 16: id prefixes, "version": true

def test_upper_case_imported_ids_can_be_edited_by_prefix(store):
    store.import_notes(_lectern_file([dict(GOOD, id="ABCdef-1"), dict(GOOD, id="abcxyz-2")]))
    assert store.find_id("note", "ABC") == "ABCdef-1"  # exact case first
    assert store.find_id("note", "abcx") == "abcxyz-2"
    assert store.find_id("note", "ABCX") == "abcxyz-2"  # no exact match: case is ignored
    with pytest.raises(LecternError, match="more than one"):
        store.find_id("note", "Ab")  # no exact match, and ignoring case both match
    store.edit_note(store.find_id("note", "ABCd"), text="edited")
    assert store.note("ABCdef-1").text == "edited"


@pytest.mark.parametrize("version", [True, False, 1.0, "1"])
def test_import_version_must_be_a_whole_number_not_a_flag(store, version):
    with pytest.raises(LecternError, match="'version' must be a positive whole number"):
        store.import_notes(json.dumps({"format": "lectern-notes", "version": version, "notes": [GOOD]}))
    assert store.notes() == []


# ---------------------------------------------------------------- 12, 20: restore checks

def _foreign_database(path, version: int, statements) -> None:
    conn = sqlite3.connect(path)
    for statement in statements:
        conn.execute(statement)
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("statements, missing", [
    (["CREATE TABLE notes(id)", "CREATE TABLE bookmarks(id)"], "no table 'note_tags'"),
    (["CREATE TABLE notes(id)", "CREATE TABLE bookmarks(id)", "CREATE TABLE note_tags(note_id, tag, position)",
      "CREATE TABLE reading_positions(article_id, section_id, offset, updated)", "CREATE TABLE state(key, value)"],
     "table 'bookmarks' lacks the columns 'article_id', 'section_id'"),
])
def test_restore_checks_the_whole_schema_before_replacing_anything(app_paths, tmp_path, statements, missing):
    store = UserStore(app_paths)
    note = store.add_note("art", "_lead", "stays")
    wrong = tmp_path / "wrong.sqlite3"
    _foreign_database(wrong, 4, statements)
    with pytest.raises(LecternError, match=missing):
        store.restore(wrong)
    assert [n.id for n in store.notes()] == [note.id]
    store.add_note("art", "_lead", "still writable")
    store.close()
    assert not list(app_paths.backups_dir.glob("pre-restore-*"))


def test_restore_accepts_an_older_schema_with_its_own_tables(app_paths, tmp_path):
    from reader.userdata.migrations import migrate

    old = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(old, isolation_level=None)
    migrate(conn, target=1)
    conn.execute("INSERT INTO notes VALUES ('n1', 'art', '_lead', NULL, 'from v1', 't', 't')")
    conn.close()
    store = UserStore(app_paths)
    store.restore(old)
    assert [n.text for n in store.notes()] == ["from v1"]
    store.close()


def test_restore_of_a_folder_says_it_is_a_folder(run, tmp_path):
    folder = tmp_path / "some-folder"
    folder.mkdir()
    code, _, err = run("restore", folder)
    assert code == 1 and "is a folder" in err and "no such file" not in err


# ---------------------------------------------------------------- 22: "1 note"

def test_markdown_export_counts_in_good_english(store):
    store.add_note("art", "_lead", "one")
    assert "· 1 note\n" in store.export_notes("markdown")
    store.add_note("art", "_lead", "two")
    assert "· 2 notes\n" in store.export_notes("markdown")


# ---------------------------------------------------------------- 19: one line per problem

@pytest.mark.parametrize("spoil", ["damaged", "newer"])
def test_a_change_to_a_read_only_database_is_reported_once(run, tmp_path, spoil):
    assert run("notes", "add", SEED_ID, "--section", "_lead", "--text", "first")[0] == 0
    database = tmp_path / "data" / "lectern.sqlite3"
    if spoil == "damaged":
        database.write_bytes(b"not a database" * 100)
    else:
        with sqlite3.connect(database) as conn:
            conn.execute("PRAGMA user_version = 99")
    code, _, err = run("notes", "add", SEED_ID, "--section", "_lead", "--text", "second")
    assert code == 1 and err.count("\n") == 1 and err.startswith("lectern: error: cannot save")
    code, _, err = run("notes", "list")  # no error: the notice is still shown, as a warning
    assert code == 0 and err.count("\n") == 1 and err.startswith("lectern: warning:")


def test_a_restore_over_a_damaged_database_does_not_warn_about_the_damage_it_repaired(run, tmp_path):
    assert run("notes", "add", SEED_ID, "--section", "_lead", "--text", "first")[0] == 0
    backup = run("backup")[1].strip()
    (tmp_path / "data" / "lectern.sqlite3").write_bytes(b"not a database" * 100)
    code, out, err = run("restore", backup)
    assert code == 0 and "(1 note, 0 bookmarks)" in out
    assert err == ""


# ---------------------------------------------------------------- QA 8: FIFOs and devices, never a hang

HANG_GUARD_S = 120  # a hung command fails the test instead of hanging the suite (not a speed measure)
needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"),
                                reason="FIFOs and /dev/zero are POSIX")


def _limit_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))  # /dev/zero read whole fails, not the machine


def _cli(data_dir, *args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    try:
        return subprocess.run([sys.executable, "-m", "reader", "--data-dir", str(data_dir), *map(str, args)],
                              capture_output=True, text=True, env=env, timeout=HANG_GUARD_S, preexec_fn=_limit_memory)
    except subprocess.TimeoutExpired:
        pytest.fail(f"lectern {' '.join(map(str, args))} hung")


@needs_fifo
@pytest.mark.parametrize("command", ["import", "restore"])
@pytest.mark.parametrize("target", ["fifo", "/dev/zero"])
def test_import_and_restore_of_a_pipe_or_device_is_one_line(tmp_path, command, target):
    if target == "fifo":
        target = tmp_path / "fifo"
        os.mkfifo(target)
    args = ("notes", "import", target) if command == "import" else ("restore", target)
    done = _cli(tmp_path / "data", *args)
    assert done.returncode == 1
    assert "not a regular file" in done.stderr and "no such file" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


@needs_fifo
@pytest.mark.parametrize("name, args", [("library.json", ("list",)), ("lectern.sqlite3", ("notes", "list"))])
def test_a_pipe_in_place_of_a_data_file_is_reported_not_waited_on(tmp_path, name, args):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    os.mkfifo(data_dir / name)
    done = _cli(data_dir, *args)
    assert "not a regular file" in done.stderr and "Traceback" not in done.stderr
    assert (data_dir / name).exists() and not (data_dir / name).is_file()  # left as it was


def test_an_import_bigger_than_the_cap_is_refused(store, tmp_path, monkeypatch):
    from reader.userdata import exchange

    path = tmp_path / "big.json"
    path.write_text(_lectern_file([GOOD]), encoding="utf-8")
    monkeypatch.setattr(exchange, "MAX_IMPORT_BYTES", 16)
    with pytest.raises(LecternError, match="larger than"):
        store.import_notes(path)
    assert store.notes() == []
