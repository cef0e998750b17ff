"""Notes follow the article through edits, or become orphaned; none is ever lost."""

from __future__ import annotations

from reader.library import Library
from reader.userdata.anchoring import Anchor, anchor_to, reanchor
from reader.parser import parse_text
from tests.userdata.conftest import ANCHOR_ARTICLE


def _add(store, aid, section, text, quote=None):
    return store.add_note(aid, section, text, quote=quote)


def test_reworded_heading_moves_notes_to_the_renamed_section(editable):
    library, article, aid = editable
    store = library.store
    plain = _add(store, aid, "beta", "about beta")  # no quote: found by its unchanged text
    quoted = _add(store, aid, "beta/gamma", "forks", quote="golden forks")
    article.edit("== Beta ==", "== Beta, reworded ==")
    library.rescan()
    plain, quoted = store.note(plain.id), store.note(quoted.id)
    assert (plain.section_id, plain.section_path, plain.orphaned) == ("beta-reworded", ("Beta, reworded",), False)
    assert (quoted.section_id, quoted.orphaned) == ("beta-reworded/gamma", False)
    assert quoted.section_path == ("Beta, reworded", "Gamma")


def test_moved_paragraph_takes_its_quoted_note_along(editable):
    library, article, aid = editable
    store = library.store
    kettles = _add(store, aid, "alpha", "kettles", quote="copper kettles")
    fox = _add(store, aid, "alpha", "fox", quote="quick brown fox")
    article.edit("Alpha also mentions copper kettles on a shelf.\n", "")
    article.edit("Beta is about silver spoons in a drawer.\n", "Beta is about silver spoons in a drawer.\nAlpha also mentions copper kettles on a shelf.\n")
    library.rescan()
    kettles, fox = store.note(kettles.id), store.note(fox.id)
    assert (kettles.section_id, kettles.orphaned) == ("beta", False)
    assert kettles.prefix.endswith("Alpha also mentions ") and kettles.suffix.startswith(" on a shelf")
    assert (fox.section_id, fox.orphaned) == ("alpha", False)


def test_deleted_section_orphans_its_notes_but_keeps_them(editable):
    library, article, aid = editable
    store = library.store
    quoted = _add(store, aid, "beta/gamma", "my thoughts on forks", quote="golden forks")
    plain = _add(store, aid, "beta/gamma", "whole-section note")
    other = _add(store, aid, "alpha", "stays")
    article.edit("=== Gamma ===\nGamma keeps golden forks in a box.\n", "")
    library.rescan()
    orphans = store.notes(orphaned=True)
    assert {n.id for n in orphans} == {quoted.id, plain.id}
    kept = store.note(quoted.id)
    assert (kept.text, kept.quote, kept.section_path) == ("my thoughts on forks", "golden forks", ("Beta", "Gamma"))
    assert not store.note(other.id).orphaned
    assert "Orphaned notes" in store.export_notes("markdown") and "my thoughts on forks" in store.export_notes("markdown")
    back = store.reattach_note(quoted.id, aid, "beta")
    assert (back.section_id, back.orphaned, back.quote) == ("beta", False, "golden forks")


def test_restoring_the_section_brings_orphans_back(editable):
    library, article, aid = editable
    store = library.store
    note = _add(store, aid, "beta/gamma", "forks", quote="golden forks")
    article.edit("=== Gamma ===\nGamma keeps golden forks in a box.\n", "")
    library.rescan()
    assert store.note(note.id).orphaned
    article.write(ANCHOR_ARTICLE)
    library.rescan()
    back = store.note(note.id)
    assert (back.section_id, back.orphaned) == ("beta/gamma", False)


def test_changes_made_while_closed_are_applied_on_attach(editable, app_paths):
    library, article, aid = editable
    note = _add(library.store, aid, "beta/gamma", "forks", quote="golden forks")
    library.close()
    article.edit("=== Gamma ===", "=== Gamma and more ===")
    reopened = Library(app_paths)
    reopened.rescan()  # nobody listens yet: the store is not open
    moved = reopened.store.note(note.id)
    assert (moved.section_id, moved.orphaned) == ("beta/gamma-and-more", False)
    reopened.close()


def test_notes_of_a_removed_article_stay_and_come_back(editable, tmp_path):
    library, article, aid = editable
    store = library.store
    note = _add(store, aid, "alpha", "fox", quote="quick brown fox")
    library.remove_sources([tmp_path / "articles"])
    gone = store.note(note.id)
    assert gone.orphaned and gone.text == "fox" and gone.article_id == aid
    library.add_sources([tmp_path / "articles"])
    assert not store.note(note.id).orphaned


def test_notes_changed_event_reports_reanchored_notes(editable, events):
    library, article, aid = editable
    note = _add(library.store, aid, "beta/gamma", "forks", quote="golden forks")
    events.clear()
    article.edit("== Beta ==", "== Beta two ==")
    library.rescan()
    changes = [p for e, p in events if e == "notes_changed"]
    assert [n.section_id for c in changes for n in c.changed if n.id == note.id] == ["beta-two/gamma"]


def test_repeated_quote_is_told_apart_by_its_context():
    text = "= T =\n\n== S ==\nthe cat sat here.\nlater the cat ran off.\n"
    section = parse_text(text, "t").section("s")
    start = section.text().index("the cat ran")
    anchor = anchor_to(section, "the cat")
    second = Anchor("s", ("S",), "the cat", section.text()[start - 8:start], " ran off", anchor.section_sha)
    edited = parse_text(text.replace("later", "much later"), "t")
    placed = reanchor(edited, second)
    assert placed.prefix.endswith("much later ") and placed.suffix.startswith(" ran off")


def test_unquoted_note_with_no_match_is_orphaned():
    article = parse_text(ANCHOR_ARTICLE, "t")
    lost = Anchor("gone", ("Gone",), None, "", "", "0" * 64)
    assert reanchor(article, lost) is None


def test_a_closed_store_ignores_later_scans(editable):
    library, article, aid = editable
    library.close()
    article.edit("== Beta ==", "== Beta closed ==")
    assert library.rescan().updated  # the closed store's listener must not fail the scan


def test_quote_copied_from_the_rendered_page_is_matched_loosely(editable):
    library, _, aid = editable
    store = library.store
    selection = "the quick brown fox jumping over the lazy dog.\u2029Alpha\u00a0also mentions"
    note = store.add_note(aid, "alpha", "spans two paragraphs", quote=selection)
    assert note.quote == "the quick brown fox jumping over the lazy dog.\n\nAlpha also mentions"
    assert note.prefix.endswith("Alpha opens with ") and note.suffix.startswith(" copper kettles")


def test_reattach_keeps_a_quote_that_is_not_in_the_new_section(editable):
    library, _, aid = editable
    store = library.store
    note = store.add_note(aid, "alpha", "fox", quote="quick brown fox")
    moved = store.reattach_note(note.id, aid, "beta")
    assert (moved.section_id, moved.quote, moved.prefix) == ("beta", "quick brown fox", "")


def test_a_busy_database_does_not_fail_the_scan_and_catches_up_later(editable, app_paths):
    import sqlite3

    library, article, aid = editable
    store = library.store
    note = store.add_note(aid, "beta/gamma", "forks", quote="golden forks")
    store._timeout = 0.1
    store._conn.execute("PRAGMA busy_timeout = 100")
    other = sqlite3.connect(app_paths.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    article.edit("== Beta ==", "== Beta busy ==")
    try:
        assert library.rescan().updated
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert store.note(note.id).section_id == "beta/gamma"  # not yet re-placed...
    assert any("not re-anchored" in m for m in store.messages)
    store.reanchor()
    assert store.note(note.id).section_id == "beta-busy/gamma"  # ...and nothing was lost


def test_hiding_bundled_articles_does_not_orphan_their_notes(library, app_paths):
    """`--no-bundled` hides the seed; it has not left the library, so its notes stay anchored."""
    from reader.library import Library

    from ..conftest import SEED_ID

    note = library.store.add_note(SEED_ID, "aftermath/ceasefire-violations", "watch this")
    library.close()
    hidden = Library(app_paths, include_bundled=False)
    hidden.rescan()
    assert hidden.is_hidden(SEED_ID) and not hidden.has_article(SEED_ID)
    assert hidden.store.note(note.id).orphaned is False
    hidden.close()
    shown = Library(app_paths)
    shown.rescan()
    kept = shown.store.note(note.id)
    assert kept.orphaned is False and kept.section_id == "aftermath/ceasefire-violations"
    shown.close()
