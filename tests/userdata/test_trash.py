"""The notes trash, exact put-backs for undo, quote changes and the re-attach proposal (store level)."""

from __future__ import annotations

import json
import sqlite3

import pytest

from reader.errors import LecternError
from reader.userdata import UserStore
from reader.userdata.store import TRASH_DAYS
from tests.conftest import SEED_ID

SECTION = "aftermath/ceasefire-violations"
QUOTE = "continued to shell Stepanakert"


@pytest.fixture
def note(library):
    return library.store.add_note(SEED_ID, SECTION, "## Burial\n\n- one\n- two", quote=QUOTE,
                                  tags=["war", "to check"], color="green")


def test_delete_moves_to_the_trash_and_restore_brings_back_everything(library, note):
    store = library.store
    before = store.note_snapshot(note.id)
    trashed = store.delete_note(note.id)
    assert trashed.id == note.id and trashed.deleted
    assert store.notes() == [] and [n.id for n in store.trash()] == [note.id]
    with pytest.raises(LecternError, match="no note"):
        store.note(note.id)
    restored = store.restore_note(note.id)
    assert restored == note  # id, dates, tags, colour and anchor, all as they were
    assert store.note_snapshot(note.id) == before  # the anchor's fingerprints too
    assert store.trash() == []


def test_trashed_notes_leave_exports_and_edits(library, note):
    store = library.store
    kept = store.add_note(SEED_ID, "background", "kept note")
    store.delete_note(note.id)
    for fmt in ("markdown", "json", "w3c"):
        text = store.export_notes(fmt)
        assert "Burial" not in text and "kept note" in text, fmt
    with pytest.raises(LecternError):
        store.edit_note(note.id, text="edited in the trash")
    with pytest.raises(LecternError):
        store.delete_note(note.id)  # already there
    assert store.find_id("note", note.id[:8]) == note.id  # the CLI can name it to restore it
    assert [n.id for n in store.notes()] == [kept.id]


def test_trashed_notes_leave_note_search(library, note):
    assert any(h.note_id == note.id for h in library.search("burial", notes_only=True).hits)
    library.store.delete_note(note.id)
    assert not any(h.note_id == note.id for h in library.search("burial", notes_only=True).hits)
    library.store.restore_note(note.id)
    assert any(h.note_id == note.id for h in library.search("burial", notes_only=True).hits)


def test_empty_trash_is_the_only_way_out(library, note):
    store = library.store
    other = store.add_note(SEED_ID, "background", "also deleted")
    store.delete_note(note.id)
    store.delete_note(other.id)
    assert store.empty_trash(older_than_days=TRASH_DAYS) == 0  # both deleted just now
    assert store.empty_trash() == 2
    assert store.trash() == [] and store.notes() == []
    with pytest.raises(LecternError, match="in the trash"):
        store.restore_note(note.id)


def test_notes_older_than_the_trash_period_are_emptied_when_the_store_opens(app_paths):
    store = UserStore(app_paths)
    old = store.add_note("art", "_lead", "deleted long ago")
    recent = store.add_note("art", "_lead", "deleted yesterday")
    store.delete_note(old.id)
    store.delete_note(recent.id)
    store.close()
    with sqlite3.connect(app_paths.database) as conn:
        conn.execute("UPDATE notes SET deleted = ? WHERE id = ?", ("2000-01-01T00:00:00.000Z", old.id))
    reopened = UserStore(app_paths)
    try:
        assert [n.id for n in reopened.trash()] == [recent.id]
    finally:
        reopened.close()


def test_trashed_notes_are_kept_and_re_placed_when_their_article_changes(editable):
    library, article, article_id = editable
    note = library.store.add_note(article_id, "beta", "about spoons", quote="silver spoons")
    library.store.delete_note(note.id)
    article.edit("== Beta ==", "== Beta, renamed ==")
    library.rescan()
    [trashed] = library.store.trash()
    assert trashed.id == note.id and trashed.section_id == "beta-renamed" and not trashed.orphaned
    assert library.store.restore_note(note.id).section_id == "beta-renamed"


def test_put_note_writes_back_a_snapshot_exactly(library, note):
    store = library.store
    before = store.note_snapshot(note.id)
    store.edit_note(note.id, text="changed", tags=["other"], color="")
    store.reattach_note(note.id, SEED_ID, "background")
    store.put_note(before)
    assert store.note_snapshot(note.id) == before
    assert store.note(note.id) == note


def test_removed_renamed_and_moved_bookmarks_are_put_back_as_they_were(library):
    store = library.store
    mark = store.add_bookmark(SEED_ID, "background", folder="war")
    store.rename_bookmark(mark.id, "renamed")
    store.move_bookmark(mark.id, "elsewhere")
    store.put_bookmark(mark)
    assert store.bookmark(mark.id) == mark
    removed = store.remove_bookmark(mark.id)
    assert removed == mark and store.bookmarks() == []
    store.put_bookmark(removed)
    assert store.bookmarks() == [mark]


def test_change_quote_re_anchors_the_note_and_keeps_its_text(library, note):
    store = library.store
    article = library.article(SEED_ID)
    new_quote = article.section("background").text()[10:40]
    changed = store.change_quote(note.id, SEED_ID, "background", f" {new_quote}\n")
    assert (changed.section_id, changed.quote) == ("background", new_quote)
    assert changed.section_path == ("Background",) and changed.prefix
    assert (changed.text, changed.tags, changed.color, changed.created) == (note.text, note.tags, note.color, note.created)
    with pytest.raises(LecternError, match="does not occur"):
        store.change_quote(note.id, SEED_ID, "background", "words that are not in the article at all")
    assert store.note(note.id).quote == new_quote  # the failed change wrote nothing


def test_reattach_proposes_the_notes_own_section(library, note):
    assert library.store.suggest_section(note.id, SEED_ID) == SECTION


def test_reattach_proposes_the_most_similar_section_when_its_own_is_gone(editable):
    library, article, article_id = editable
    note = library.store.add_note(article_id, "beta/gamma", "forks", quote="golden forks")
    article.edit("=== Gamma ===\nGamma keeps golden forks in a box.", "=== Cutlery ===\nThe golden fork lies in a box.")
    library.rescan()
    assert library.store.notes()[0].orphaned
    assert library.store.suggest_section(note.id, article_id) == "beta/cutlery"


def test_import_report_names_what_it_added(library, other_store_factory):
    store = library.store
    store.add_note(SEED_ID, "background", "exported")
    store.add_bookmark(SEED_ID, "background")
    target = other_store_factory()
    report = target.import_notes(store.export_notes("json"))
    assert report.note_ids == [n.id for n in store.notes()]
    assert report.bookmark_ids == [b.id for b in store.bookmarks()]


@pytest.fixture
def other_store_factory(tmp_path):
    from tests.userdata.test_exchange import _fresh_store

    opened = []

    def make():
        opened.append(_fresh_store(tmp_path / f"other{len(opened)}"))
        return opened[-1]

    yield make
    for s in opened:
        s.close()


def test_cli_trash_and_restore(run):
    code, out, _ = run("notes", "add", SEED_ID, "--section", "background", "--text", "to the bin")
    note_id = out.strip()
    code, out, _ = run("notes", "delete", note_id[:8])
    assert code == 0 and "trash" in out
    assert json.loads(run("notes", "list", "--json")[1]) == []
    code, out, _ = run("notes", "trash")
    assert code == 0 and note_id[:8] in out and "to the bin" in out and f"{TRASH_DAYS} days" in out
    [trashed] = json.loads(run("notes", "trash", "--json")[1])
    assert trashed["id"] == note_id and trashed["deleted"]
    assert run("notes", "restore", note_id[:8])[0] == 0
    assert [n["id"] for n in json.loads(run("notes", "list", "--json")[1])] == [note_id]
    assert json.loads(run("notes", "trash", "--json")[1]) == []
    run("notes", "delete", note_id)
    code, out, _ = run("notes", "trash", "--empty")
    assert code == 0 and "1 note" in out
    assert json.loads(run("notes", "trash", "--json")[1]) == []
    code, _, err = run("notes", "restore", note_id[:8])
    assert code == 1 and "no note" in err and "Traceback" not in err


from tests.test_cli import run  # noqa: E402,F401  (the fixture: main() against a temporary --data-dir)


def test_re_importing_a_note_that_is_in_the_trash_restores_it(library, note):
    """QA 11: the import skipped it as "already present" although it was only in the trash."""
    store = library.store
    exported = store.export_notes("json")
    other = store.add_note(SEED_ID, "background", "a live one, already present")
    store.delete_note(note.id)
    report = store.import_notes(exported)
    assert (report.added, report.restored, report.skipped_duplicates) == (0, 1, 0)
    assert report.note_ids == [note.id]  # undoing the import puts it back in the trash
    assert "1 restored from the trash" in str(report)
    assert sorted(n.id for n in store.notes()) == sorted([note.id, other.id]) and store.trash() == []
    assert store.note(note.id).text == note.text


def test_the_import_report_counts_in_good_english(library, other_store_factory):
    """QA 13: one imported note was reported as "1 notes added"."""
    library.store.add_note(SEED_ID, "background", "only one")
    report = other_store_factory().import_notes(library.store.export_notes("json"))
    assert str(report).startswith("1 note added, 0 already present; 0 bookmarks added")
