"""Bookmarks, notes, reading state and events through the store's public calls."""

from __future__ import annotations

import pytest

from reader.errors import LecternError, UnknownArticleError
from reader.userdata import NotesChange, UserStore
from tests.conftest import SEED_ID


def _section_with_text(library, min_len=200):
    article = library.article(SEED_ID)
    return next(s for s in article.sections if not s.is_lead and len(s.text()) >= min_len)


# ---------------------------------------------------------------- bookmarks

def test_bookmark_defaults_to_title_and_section_path(library):
    section = library.article(SEED_ID).section("offensive/19-september")
    mark = library.store.add_bookmark(SEED_ID, section.id)
    assert mark.name == "2023 Azerbaijani offensive in Nagorno-Karabakh › Offensive › 19 September"
    assert mark.folder is None and mark.created == mark.updated
    assert library.store.add_bookmark(SEED_ID).name == "2023 Azerbaijani offensive in Nagorno-Karabakh"


def test_bookmark_rename_move_remove(library, events):
    store = library.store
    mark = store.add_bookmark(SEED_ID, "background", name="To read", folder="war")
    assert store.rename_bookmark(mark.id, "  Read first ").name == "Read first"
    moved = store.move_bookmark(mark.id, "archive")
    assert moved.folder == "archive" and moved.updated >= mark.updated
    assert store.move_bookmark(mark.id, "").folder is None
    assert [b.id for b in store.bookmarks()] == [mark.id]
    store.remove_bookmark(mark.id)
    assert store.bookmarks() == []
    assert [e for e, _ in events].count("bookmarks_changed") == 5


def test_bookmark_targets_are_checked(library):
    with pytest.raises(UnknownArticleError):
        library.store.add_bookmark("no-such-article")
    with pytest.raises(LecternError, match="no section"):
        library.store.add_bookmark(SEED_ID, "no/such/section")
    with pytest.raises(LecternError, match="no bookmark"):
        library.store.rename_bookmark("0" * 32, "x")
    with pytest.raises(LecternError, match="needs a name"):
        library.store.rename_bookmark(library.store.add_bookmark(SEED_ID).id, "   ")


def test_bookmarks_survive_reopening(app_paths):
    first = UserStore(app_paths)
    mark = first.add_bookmark("some-article", "some-section", folder="f")
    first.close()
    again = UserStore(app_paths)
    assert again.bookmarks() == [mark]
    again.close()


# ---------------------------------------------------------------- notes

def test_note_with_quote_gets_prefix_and_suffix(library):
    section = _section_with_text(library)
    text = section.text()
    quote = text[100:140]
    note = library.store.add_note(SEED_ID, section.id, "why this matters", quote=quote, tags=["#war", "to check", "war"])
    assert note.quote == quote
    assert text[100 - len(note.prefix):100] == note.prefix and note.prefix
    assert text[140:140 + len(note.suffix)] == note.suffix and note.suffix
    assert note.section_path == section.path
    assert note.tags == ("war", "to-check")
    assert not note.orphaned
    assert library.store.note(note.id) == note


def test_repeated_quote_anchors_to_the_selected_occurrence(library):
    """The text around the selection picks which "Artsakh" of the lead the note is about."""
    lead = library.article(SEED_ID).lead.text()
    second = lead.index("unconditional surrender of Artsakh") + len("unconditional surrender of ")
    assert lead.find("Artsakh") < second  # the quote occurs earlier too
    note = library.store.add_note(SEED_ID, "_lead", "which one?", quote="Artsakh",
                                  prefix="and unconditional surrender of ", suffix=", as well as the withdrawal")
    assert note.prefix.endswith("unconditional surrender of ") and note.suffix.startswith(", as well as")
    first = library.store.add_note(SEED_ID, "_lead", "no context", quote="Artsakh")
    assert first.prefix.endswith("breakaway state of ")  # without context: the first occurrence


def test_quote_must_be_in_the_section(library):
    with pytest.raises(LecternError, match="does not occur"):
        library.store.add_note(SEED_ID, "background", "x", quote="words that are nowhere in it")
    assert library.store.notes() == []


def test_note_needs_text_or_quote(store):
    with pytest.raises(LecternError):
        store.add_note("a", "_lead", "   ")


def test_edit_and_delete_note_emit_events(library, events):
    store = library.store
    note = store.add_note(SEED_ID, "background", "first", color="yellow")
    edited = store.edit_note(note.id, text="second", tags=["t"])
    assert (edited.text, edited.tags, edited.color) == ("second", ("t",), "yellow")
    assert edited.updated >= note.updated and edited.created == note.created
    assert store.edit_note(note.id, color="").color is None
    store.delete_note(note.id)
    with pytest.raises(LecternError, match="no note"):
        store.note(note.id)
    changes = [p for e, p in events if e == "notes_changed"]
    assert all(isinstance(c, NotesChange) for c in changes)
    assert [c.changed[0].text for c in changes[:3]] == ["first", "second", "second"]
    assert changes[-1].deleted == [note.id] and changes[-1].changed == []


def test_notes_filter_by_article_and_orphaned(store):
    a = store.add_note("art-a", "_lead", "one")
    b = store.add_note("art-b", "_lead", "two")
    assert [n.id for n in store.notes(article_id="art-a")] == [a.id]
    assert {n.id for n in store.notes(orphaned=False)} == {a.id, b.id}
    assert store.notes(orphaned=True) == []


def test_find_id_accepts_unique_prefix(store):
    notes = [store.add_note("a", "_lead", f"n{i}") for i in range(20)]
    target = notes[7]
    assert store.find_id("note", target.id[:12]) == target.id
    assert store.find_id("note", target.id.upper()) == target.id
    with pytest.raises(LecternError, match="no note"):
        store.find_id("note", "zz")
    common = next(c for c in "0123456789abcdef" if sum(n.id.startswith(c) for n in notes) > 1)
    with pytest.raises(LecternError, match="more than one"):
        store.find_id("note", common)


def test_reattach_moves_note_and_clears_orphaned(library):
    store = library.store
    note = store.add_note(SEED_ID, "background", "about the blockade")
    moved = store.reattach_note(note.id, SEED_ID, "prelude")
    assert (moved.section_id, moved.section_path, moved.orphaned) == ("prelude", ("Prelude",), False)


# ---------------------------------------------------------------- reading state

def test_reading_state_round_trip(app_paths):
    store = UserStore(app_paths)
    assert store.last_article() is None and store.position("x") is None and store.history() == ([], -1)
    store.set_last_article("art")
    store.set_position("art", "sec/sub", 120)
    store.set_position("art", "sec", 7)
    store.set_history([("a", "_lead"), ("b", "x/y")], 1)
    store.close()
    again = UserStore(app_paths)
    assert again.last_article() == "art"
    assert again.position("art") == ("sec", 7)
    assert again.history() == ([("a", "_lead"), ("b", "x/y")], 1)
    with pytest.raises(LecternError):
        again.set_history([("a", "_lead")], 3)
    again.close()
