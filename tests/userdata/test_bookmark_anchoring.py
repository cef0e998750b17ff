"""Bookmarks follow their section through edits, like notes; none is ever dropped."""

from __future__ import annotations

import json
import sqlite3

from reader.library import Library
from reader.paths import AppPaths
from reader.userdata import UserStore
from reader.userdata.anchoring import text_sha
from reader.userdata.migrations import migrate
from tests.userdata.conftest import ANCHOR_ARTICLE

GAMMA = "=== Gamma ===\nGamma keeps golden forks in a box.\n"


def test_a_new_bookmark_records_its_anchor(editable):
    library, _, aid = editable
    mark = library.store.add_bookmark(aid, "beta/gamma", name="Forks")
    section = library.article(aid).section("beta/gamma")
    assert mark.section_path == ("Beta", "Gamma") and mark.section_sha == text_sha(section.text())
    assert mark.article_sha == library.fingerprints()[aid]
    assert library.store.bookmark(mark.id) == mark


def test_reworded_heading_moves_the_bookmark_to_the_new_section_id(editable, events):
    library, article, aid = editable
    store = library.store
    beta = store.add_bookmark(aid, "beta", name="My spoons", folder="kitchen")
    gamma = store.add_bookmark(aid, "beta/gamma")
    whole = store.add_bookmark(aid, None, name="The whole thing")
    events.clear()
    article.edit("== Beta ==", "== Beta, reworded ==")
    library.rescan()
    beta, gamma, whole = store.bookmark(beta.id), store.bookmark(gamma.id), store.bookmark(whole.id)
    assert (beta.section_id, beta.section_path) == ("beta-reworded", ("Beta, reworded",))
    assert (beta.name, beta.folder) == ("My spoons", "kitchen")  # the user's name is kept
    assert (gamma.section_id, gamma.section_path) == ("beta-reworded/gamma", ("Beta, reworded", "Gamma"))
    assert gamma.name == "Anchor Test › Beta › Gamma"  # even a default name stays as it was set
    assert whole.section_id is None and whole.article_sha == library.fingerprints()[aid]
    assert "bookmarks_changed" in [e for e, _ in events]


def test_unchanged_section_keeps_its_id_when_other_text_changes(editable, events):
    library, article, aid = editable
    store = library.store
    mark = store.add_bookmark(aid, "beta/gamma")
    article.edit("Gamma keeps golden forks in a box.", "Gamma keeps golden forks in a tin.")
    events.clear()
    library.rescan()
    kept = store.bookmark(mark.id)
    assert kept.section_id == "beta/gamma" and kept.section_sha != mark.section_sha  # fingerprint refreshed
    assert kept.article_sha == library.fingerprints()[mark.article_id]


def test_section_moved_under_another_parent_is_followed_by_its_text(editable):
    library, article, aid = editable
    store = library.store
    mark = store.add_bookmark(aid, "beta/gamma", name="Forks")
    article.edit(GAMMA, "")
    article.edit("Alpha also mentions copper kettles on a shelf.\n",
                 "Alpha also mentions copper kettles on a shelf.\n\n" + GAMMA)
    library.rescan()
    assert library.article(aid).section("alpha/gamma") is not None  # test set-up: the move happened
    moved = store.bookmark(mark.id)
    assert (moved.section_id, moved.section_path, moved.name) == ("alpha/gamma", ("Alpha", "Gamma"), "Forks")


def test_deleted_section_keeps_the_bookmark_on_the_article(editable):
    library, article, aid = editable
    store = library.store
    mark = store.add_bookmark(aid, "beta/gamma", name="Forks", folder="f")
    other = store.add_bookmark(aid, "alpha")
    article.edit(GAMMA, "")
    library.rescan()
    kept = store.bookmark(mark.id)
    assert (kept.article_id, kept.section_id, kept.name, kept.folder) == (aid, None, "Forks", "f")
    assert {b.id for b in store.bookmarks()} == {mark.id, other.id}
    assert store.bookmark(other.id).section_id == "alpha"
    # It remembers where it was: when the section comes back, so does the bookmark.
    article.write(ANCHOR_ARTICLE)
    library.rescan()
    assert store.bookmark(mark.id).section_id == "beta/gamma"


def test_changes_made_while_closed_are_applied_on_attach(editable, app_paths):
    library, article, aid = editable
    mark = library.store.add_bookmark(aid, "beta/gamma", name="Forks")
    library.close()
    article.edit("=== Gamma ===", "=== Gamma and more ===")
    reopened = Library(app_paths)
    reopened.rescan()  # nobody listens yet: the store is not open
    moved = reopened.store.bookmark(mark.id)
    assert (moved.section_id, moved.name) == ("beta/gamma-and-more", "Forks")
    reopened.close()


def test_bookmarks_of_a_removed_article_are_left_alone(editable, tmp_path):
    library, _, aid = editable
    store = library.store
    mark = store.add_bookmark(aid, "beta/gamma", name="Forks")
    library.remove_sources([tmp_path / "articles"])
    assert store.bookmark(mark.id) == mark
    library.add_sources([tmp_path / "articles"])
    assert store.bookmark(mark.id) == mark


def test_migrated_bookmarks_are_filled_in_lazily(app_paths, tmp_path):
    """Version-3 bookmarks have no anchor facts after the migration, and get them on attach."""
    app_paths.database.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(app_paths.database, isolation_level=None)
    migrate(conn, target=3)
    conn.execute("INSERT INTO bookmarks VALUES ('b1', 'anchor-test', 'beta/gamma', 'Old', 'f', 't', 't')")
    conn.close()
    plain = UserStore(app_paths)  # migrates, no library attached
    old = plain.bookmark("b1")
    assert (old.section_id, old.name, old.folder) == ("beta/gamma", "Old", "f")
    assert (old.section_path, old.section_sha, old.article_sha) == ((), "", "")
    plain.close()

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "anchor-test.txt").write_text(ANCHOR_ARTICLE, encoding="utf-8")
    library = Library(app_paths)
    library.add_sources([folder])
    filled = library.store.bookmark("b1")
    assert (filled.section_id, filled.section_path, filled.name) == ("beta/gamma", ("Beta", "Gamma"), "Old")
    assert filled.article_sha == library.fingerprints()["anchor-test"] and filled.section_sha
    library.close()


def test_json_export_round_trips_the_anchor_facts(editable, tmp_path):
    library, _, aid = editable
    mark = library.store.add_bookmark(aid, "beta/gamma", name="Forks")
    exported = json.loads(library.store.export_notes("json"))
    assert exported["version"] == 1
    [item] = exported["bookmarks"]
    assert (item["section_path"], item["section_sha"], item["article_sha"]) == (
        ["Beta", "Gamma"], mark.section_sha, mark.article_sha)
    other = UserStore(AppPaths(tmp_path / "o" / "data", tmp_path / "o" / "cache", tmp_path / "o" / "config", tmp_path / "o"),
                      auto_backup=False)
    try:
        assert other.import_notes(json.dumps(exported)).bookmarks_added == 1
        assert other.bookmark(mark.id) == mark
    finally:
        other.close()


def test_an_old_export_without_anchor_facts_still_imports(store):
    old_file = {"format": "lectern-notes", "version": 1, "notes": [], "bookmarks": [
        {"id": "b1", "article_id": "a", "section_id": "s", "name": "Old", "folder": None,
         "created": "2024-01-02T03:04:05.000Z", "updated": "2024-01-02T03:04:05.000Z"}]}
    assert store.import_notes(json.dumps(old_file)).bookmarks_added == 1
    mark = store.bookmark("b1")
    assert (mark.section_id, mark.name, mark.section_path, mark.section_sha, mark.article_sha) == ("s", "Old", (), "", "")
