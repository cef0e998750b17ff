"""Anchor states through the store: moved / section / orphaned after a rescan, the review
actions, the exports and `notes list --json` carrying them, and re-anchoring only the
article that changed."""

from __future__ import annotations

import json

import pytest

from reader.parser import parse_text
from reader.userdata import UserStore
from tests.userdata.conftest import ANCHOR_ARTICLE
from tests.userdata.test_exchange import other_store  # noqa: F401  (fixture: a second, empty store)

FOX = "the quick brown fox jumping over the lazy dog"


def _anchors_events(events):
    return [p for e, p in events if e == "anchors_changed"]


def _moved_note(editable):
    """(library, article, its id, store, note) after the note's quote was edited ("brown" -> "brwn")
    and the library rescanned: the note is moved, to review."""
    library, article, aid = editable
    note = library.store.add_note(aid, "alpha", "fox", quote=FOX)
    article.edit("quick brown fox", "quick brwn fox")
    library.rescan()
    return library, article, aid, library.store, note


def test_an_edited_quote_is_moved_flagged_for_review_and_keeps_the_original(editable, events):
    library, article, aid = editable
    store = library.store
    note = store.add_note(aid, "alpha", "fox", quote=FOX)
    assert (note.anchor_state, note.original_quote, note.review) == ("exact", FOX, False)
    events.clear()
    article.edit("quick brown fox", "quick brwn fox")
    library.rescan()
    moved = store.note(note.id)
    assert (moved.anchor_state, moved.review, moved.orphaned) == ("moved", True, False)
    assert moved.quote == "the quick brwn fox jumping over the lazy dog" and moved.original_quote == FOX
    assert 0.9 < moved.similarity < 1
    (report,) = _anchors_events(events)
    assert (report.moved, report.lost) == ([note.id], [])
    assert [n.id for n in store.notes_to_review()] == [note.id]
    accepted = store.accept_anchor(note.id)
    assert (accepted.anchor_state, accepted.similarity, accepted.review) == ("exact", None, False)
    assert accepted.quote == moved.quote and accepted.original_quote == FOX
    assert store.notes_to_review() == []


def test_a_deleted_quote_is_reported_lost_and_can_be_left_orphaned(editable, events):
    library, article, aid = editable
    store = library.store
    note = store.add_note(aid, "alpha", "kettles", quote="copper kettles on a shelf")
    events.clear()
    article.edit("Alpha also mentions copper kettles on a shelf.\n", "")
    library.rescan()
    lost = store.note(note.id)
    assert (lost.anchor_state, lost.section_id, lost.quote, lost.review) == ("section", "alpha", "copper kettles on a shelf", True)
    assert _anchors_events(events)[0].lost == [note.id]
    left = store.leave_orphaned(note.id)
    assert (left.anchor_state, left.orphaned, left.review) == ("orphaned", True, False)
    assert [n.id for n in store.notes(orphaned=True)] == [note.id]


def _away_and_back(library, article, edit=None) -> None:
    """The article leaves the library for a scan (its notes are orphaned), then comes back (``edit``ed)."""
    aside = article.path.with_name("away.txt.hidden")
    text = article.path.read_text(encoding="utf-8")
    article.path.rename(aside)
    library.rescan()
    aside.unlink()
    article.write(edit(text) if edit else text)
    library.rescan()


@pytest.mark.parametrize("edit", [None, lambda text: text.replace("quick brwn fox", "quick brwn foxes")],
                         ids=["back-as-it-was", "back-moved-again"])
def test_a_moved_note_still_to_review_stays_moved_after_its_article_was_away(editable, edit):
    """QA 3: the pending review of a moved note once vanished when its article left and came back."""
    library, article, aid, store, note = _moved_note(editable)
    assert store.note(note.id).anchor_state == "moved"
    _away_and_back(library, article, edit)
    back = store.note(note.id)
    assert (back.anchor_state, back.review, back.orphaned, back.original_quote) == ("moved", True, False, FOX)
    assert 0 < back.similarity < 1
    assert [n.id for n in store.notes_to_review()] == [note.id]


def test_a_reviewed_note_whose_article_was_away_comes_back_exact_without_review(editable):
    library, article, aid = editable
    store = library.store
    note = store.add_note(aid, "alpha", "fox", quote=FOX)
    _away_and_back(library, article)
    back = store.note(note.id)
    assert (back.anchor_state, back.review, back.orphaned, back.similarity) == ("exact", False, False, None)


def test_a_lost_passage_that_comes_back_needs_no_review(editable, events):
    library, article, aid = editable
    store = library.store
    note = store.add_note(aid, "alpha", "kettles", quote="copper kettles on a shelf")
    article.edit("Alpha also mentions copper kettles on a shelf.\n", "")
    library.rescan()
    assert store.note(note.id).review
    article.write(ANCHOR_ARTICLE)
    library.rescan()
    back = store.note(note.id)
    assert (back.anchor_state, back.review, back.quote) == ("exact", False, "copper kettles on a shelf")
    assert store.notes_to_review() == []


def test_leaving_a_moved_note_orphaned_restores_the_text_first_quoted(editable):
    library, article, aid, store, note = _moved_note(editable)
    left = store.leave_orphaned(note.id)
    assert (left.quote, left.orphaned, left.anchor_state) == (FOX, True, "orphaned")


def test_reattach_to_a_selection_anchors_the_note_there(editable):
    library, article, aid, store, note = _moved_note(editable)
    placed = store.reattach_note(note.id, aid, "beta", quote="silver spoons")
    assert (placed.section_id, placed.quote, placed.anchor_state, placed.review) == ("beta", "silver spoons", "exact", False)
    assert placed.original_quote == FOX and placed.suffix.startswith(" in a drawer")


def test_unchanged_notes_are_not_flagged_nor_announced(editable, events):
    library, article, aid = editable
    store = library.store
    note = store.add_note(aid, "beta", "spoons", quote="silver spoons")
    events.clear()
    article.edit("Alpha opens", "Alpha now opens")
    library.rescan()
    assert store.note(note.id).anchor_state == "exact" and not store.note(note.id).review
    assert _anchors_events(events) == []


def test_bookmark_on_a_deleted_section_is_orphaned_and_exact_when_it_returns(editable):
    library, article, aid = editable
    store = library.store
    mark = store.add_bookmark(aid, "beta/gamma")
    assert mark.anchor_state == "exact"
    article.edit("=== Gamma ===\nGamma keeps golden forks in a box.\n", "")
    library.rescan()
    gone = store.bookmark(mark.id)
    assert (gone.section_id, gone.anchor_state) == (None, "orphaned")
    article.write(ANCHOR_ARTICLE)
    library.rescan()
    back = store.bookmark(mark.id)
    assert (back.section_id, back.anchor_state) == ("beta/gamma", "exact")


def test_exports_carry_state_similarity_and_a_text_position(editable):
    library, article, aid, store, note = _moved_note(editable)
    (record,) = json.loads(store.export_notes("json"))["notes"]
    assert (record["anchor_state"], record["original_quote"], record["review"]) == ("moved", FOX, True)
    assert record["similarity"] == store.note(note.id).similarity
    (item,) = json.loads(store.export_notes("w3c"))["first"]["items"]
    assert item["lectern:anchorState"] == "moved" and item["lectern:originalQuote"] == FOX
    selectors = {s["type"]: s for s in item["target"]["selector"]}
    position = selectors["TextPositionSelector"]
    plain = library.article(aid).plain_text()
    assert plain[position["start"]:position["end"]] == selectors["TextQuoteSelector"]["exact"]
    assert "passage re-found after an edit" in store.export_notes("markdown")


def test_json_import_keeps_states_and_rejects_a_bad_one(tmp_path, store):
    base = {"id": "n1", "article_id": "a", "section_id": "s", "text": "t", "quote": "q2",
            "anchor_state": "moved", "similarity": 0.8, "original_quote": "q1"}
    data = {"format": "lectern-notes", "version": 1, "notes": [base]}
    store.import_notes(json.dumps(data))
    note = store.note("n1")
    assert (note.anchor_state, note.similarity, note.original_quote) == ("moved", 0.8, "q1")
    data["notes"] = [dict(base, id="n2", anchor_state="lost")]
    try:
        store.import_notes(json.dumps(data))
    except Exception as exc:  # noqa: BLE001 - the message is what is checked
        assert "anchor_state" in str(exc) and "note 1" in str(exc)
    else:
        raise AssertionError("a bad anchor state was imported")
    assert [n.id for n in store.notes()] == ["n1"]


def test_bookmark_state_survives_a_json_round_trip(editable, tmp_path):
    from reader.paths import AppPaths, bundle_root

    library, article, aid = editable
    mark = library.store.add_bookmark(aid, "beta/gamma")
    article.edit("=== Gamma ===\nGamma keeps golden forks in a box.\n", "")
    library.rescan()
    exported = library.store.export_notes("json")
    assert json.loads(exported)["bookmarks"][0]["anchor_state"] == "orphaned"
    root = tmp_path / "other"
    other = UserStore(AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure())
    assert other.import_notes(exported).bookmarks_added == 1
    assert other.bookmark(mark.id).anchor_state == "orphaned"
    other.close()


def test_notes_list_json_carries_state_and_similarity(tmp_path, capsys):
    from reader.cli import main

    folder = tmp_path / "articles"
    folder.mkdir()
    source = folder / "anchor-test.txt"
    source.write_text(ANCHOR_ARTICLE, encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "data")]
    assert main(data + ["add", str(folder)]) == 0
    assert main(data + ["notes", "add", "anchor-test", "--section", "alpha", "--text", "t", "--quote", FOX]) == 0
    source.write_text(ANCHOR_ARTICLE.replace("quick brown fox", "quick brwn fox"), encoding="utf-8")
    assert main(data + ["rescan"]) == 0
    capsys.readouterr()
    assert main(data + ["notes", "list", "--json"]) == 0
    (note,) = json.loads(capsys.readouterr().out)
    assert note["anchor_state"] == "moved" and 0.9 < note["similarity"] < 1 and note["original_quote"] == FOX
    assert main(data + ["notes", "list"]) == 0
    assert "MOVED (" in capsys.readouterr().out
    assert main(data + ["notes", "add", "anchor-test", "--section", "beta", "--text", "unchanged"]) == 0
    capsys.readouterr()
    assert main(data + ["notes", "list", "--changed", "--json"]) == 0
    assert [n["original_quote"] for n in json.loads(capsys.readouterr().out)] == [FOX]


class _CountingArticles:
    """The store's article lookup for many articles; counts which are read."""

    def __init__(self, article, count: int):
        self.template, self.read = article, []
        self.prints = {f"a{i}": "v1" for i in range(count)}

    def fingerprint(self, article_id: str) -> str:
        return self.prints.get(article_id, "")

    def fingerprints(self) -> dict:
        return self.prints

    def is_hidden(self, article_id: str) -> bool:
        return False

    def article(self, article_id: str):
        self.read.append(article_id)
        return self.template


def test_a_rescan_re_anchors_only_the_changed_articles_notes(app_paths):
    article = parse_text(ANCHOR_ARTICLE, "a")
    library = _CountingArticles(article, 300)
    store = UserStore(app_paths, articles=library)
    for aid in ("a0", "a1", "a150", "a299"):
        store.add_note(aid, "alpha", "fox", quote=FOX)
    library.read.clear()
    library.prints["a150"] = "v2"
    store.reanchor(library.prints)
    assert library.read == ["a150"]
    shas = {r["article_id"]: r["article_sha"] for r in store.note_records()}
    assert shas == {"a0": "v1", "a1": "v1", "a150": "v2", "a299": "v1"}
    store.close()


@pytest.mark.parametrize("old, new", [
    ("quick brown fox", "quick brwn fox"),  # moved
    ("Alpha opens with the quick brown fox jumping over the lazy dog.\n", ""),  # passage gone: section
    ("== Alpha ==\nAlpha opens with the quick brown fox jumping over the lazy dog.\n"
     "Alpha also mentions copper kettles on a shelf.\n", ""),  # section gone: orphaned
])
def test_the_notes_changed_event_carries_the_notes_as_stored(editable, events, old, new):
    library, article, aid = editable
    store = library.store
    note = store.add_note(aid, "alpha", "fox", quote=FOX)
    events.clear()
    article.edit(old, new)
    library.rescan()
    sent = [n for e, p in events if e == "notes_changed" for n in p.changed if n.id == note.id]
    assert sent == [store.note(note.id)] and sent[0].review


def test_quote_this_instead_makes_the_new_passage_the_baseline(editable):
    """QA 6: a new quote chosen by the user is what later comparisons start from (original_quote)."""
    library, article, aid, store, note = _moved_note(editable)
    assert store.note(note.id).anchor_state == "moved"
    requoted = store.change_quote(note.id, aid, "beta", "silver spoons")
    assert (requoted.quote, requoted.original_quote) == ("silver spoons", "silver spoons")
    assert (requoted.anchor_state, requoted.review, requoted.similarity) == ("exact", False, None)
    assert store.notes_to_review() == []


def test_w3c_round_trip_keeps_the_pending_review_and_rounds_the_similarity(editable, other_store):
    """QA 16: W3C lost the review flag and wrote similarities like 0.9388399999999999."""
    library, article, aid, store, note = _moved_note(editable)
    exported = store.export_notes("w3c")
    (item,) = json.loads(exported)["first"]["items"]
    assert item["lectern:review"] is True
    assert item["lectern:similarity"] == round(store.note(note.id).similarity, 4)
    assert len(repr(item["lectern:similarity"])) <= len("0.1234")
    other_store.import_notes(exported)
    (imported,) = other_store.notes()
    assert (imported.anchor_state, imported.review, imported.original_quote) == ("moved", True, FOX)
    assert [n.id for n in other_store.notes_to_review()] == [imported.id]
