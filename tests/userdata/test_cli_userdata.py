"""`lectern bookmarks|notes|backup|restore` against --data-dir."""

from __future__ import annotations

import dataclasses
import json

from tests.conftest import SEED_ID
from tests.test_cli import run  # noqa: F401  (the fixture: main() against a temporary --data-dir)


def test_notes_add_list_edit_delete(run):
    code, out, _ = run("notes", "add", SEED_ID, "--section", "background", "--text", "about **this**",
                       "--quote", "Nagorno", "--tag", "a", "--tag", "b")
    assert code == 0
    note_id = out.strip()
    code, out, _ = run("notes", "list", "--json")
    (note,) = json.loads(out)
    assert note["id"] == note_id and note["quote"] == "Nagorno" and note["tags"] == ["a", "b"]
    assert {"article_id", "section_id", "text", "created", "updated", "orphaned"} <= set(note)
    assert run("notes", "edit", note_id[:6], "--text", "changed")[0] == 0
    code, out, _ = run("notes", "list", "--article", SEED_ID)
    assert "changed" in out and "1 note\n" in out
    assert run("notes", "list", "--orphaned")[1].strip() == "0 notes"
    assert run("notes", "delete", note_id[:6])[0] == 0
    assert json.loads(run("notes", "list", "--json")[1]) == []


def test_bad_note_input_is_a_clear_error(run):
    code, _, err = run("notes", "add", SEED_ID, "--section", "nowhere", "--text", "x")
    assert code == 1 and "no section 'nowhere'" in err and "Traceback" not in err
    code, _, err = run("notes", "edit", "ffff", "--text", "x")
    assert code == 1 and "no note" in err


def test_bookmarks_commands(run):
    code, out, _ = run("bookmarks", "add", SEED_ID, "--section", "prelude", "--folder", "war")
    mark_id = out.split()[0]
    assert code == 0 and "Prelude" in out
    assert run("bookmarks", "rename", mark_id[:5], "Start here")[0] == 0
    assert run("bookmarks", "move", mark_id[:5], "reading")[0] == 0
    (mark,) = json.loads(run("bookmarks", "list", "--json")[1])
    assert (mark["name"], mark["folder"], mark["section_id"]) == ("Start here", "reading", "prelude")
    assert run("bookmarks", "remove", mark_id)[0] == 0
    assert run("bookmarks", "list")[1].strip() == "0 bookmarks"


def test_export_import_and_backup_restore(run, tmp_path):
    run("notes", "add", SEED_ID, "--section", "offensive/19-september", "--text", "first")
    exported = tmp_path / "notes.json"
    assert run("notes", "export", "--format", "json", "-o", exported)[0] == 0
    code, out, _ = run("notes", "import", exported)
    assert code == 0 and "0 notes added, 1 already present" in out
    code, out, _ = run("notes", "export", "--format", "markdown")
    assert "### Offensive › 19 September" in out and "first" in out
    code, out, _ = run("backup")
    backup = out.strip()
    assert code == 0 and backup.endswith(".sqlite3")
    run("notes", "add", SEED_ID, "--section", "background", "--text", "second")
    code, out, _ = run("restore", backup)
    assert code == 0 and "(1 note, 0 bookmarks)" in out
    assert [n["text"] for n in json.loads(run("notes", "list", "--json")[1])] == ["first"]
    code, _, err = run("notes", "import", tmp_path / "missing.json")
    assert code == 1 and "cannot read" in err


def test_emptying_the_text_of_a_note_without_a_quote_is_refused(run):
    """QA 9: `notes edit ID --text ""` was accepted on a note with no quote and listed as "> None"."""
    note_id = run("notes", "add", SEED_ID, "--section", "background", "--text", "keep me")[1].strip()
    code, _, err = run("notes", "edit", note_id[:8], "--text", "  ")
    assert code == 1 and "a note needs some text or a quoted passage" in err
    code, out, _ = run("notes", "list")
    assert "keep me" in out and "None" not in out
    quoted = run("notes", "add", SEED_ID, "--section", "background", "--text", "x", "--quote", "Nagorno")[1].strip()
    assert run("notes", "edit", quoted[:8], "--text", "")[0] == 0  # the quote is enough
    assert "> Nagorno" in run("notes", "list")[1]


def test_a_note_with_neither_text_nor_quote_never_lists_as_none(store):
    from reader.cli.userdata_cmds import _note_line

    note = store.add_note("art", "_lead", "text")
    line = _note_line(dataclasses.replace(note, text="", quote=None))
    assert "None" not in line and "(empty note)" in line
