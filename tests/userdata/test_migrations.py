"""Every earlier schema version upgrades with nothing lost; a newer one is never touched."""

from __future__ import annotations

import hashlib
import sqlite3

import pytest

from reader.userdata import ReadOnlyStoreError, UserStore
from reader.userdata.migrations import ANCHOR_STATES_VERSION, MIGRATIONS, SCHEMA_VERSION, TRASH_VERSION, migrate
from tests.conftest import SEED_ID

T = "2024-01-02T03:04:05.000Z"
# Rows that are valid at each version, inserted right after migrating to it.
DATA_AT_VERSION = {
    1: [
        ("INSERT INTO bookmarks VALUES ('b1', ?, 'background', 'Background', 'war', ?, ?)", (SEED_ID, T, T)),
        ("INSERT INTO bookmarks VALUES ('b2', 'gone-article', NULL, 'Gone', NULL, ?, ?)", (T, T)),
        ("INSERT INTO notes VALUES ('n1', ?, 'background', 'Nagorno', 'v1 note with a quote', ?, ?)", (SEED_ID, T, T)),
        ("INSERT INTO notes VALUES ('n2', 'gone-article', 'x', NULL, 'v1 note on a missing article', ?, ?)", (T, T)),
    ],
    2: [
        ("INSERT INTO notes (id, article_id, section_id, text, created, updated, section_path, color, orphaned) "
         "VALUES ('n3', ?, 'prelude', 'v2 note', ?, ?, '[\"Prelude\"]', 'blue', 0)", (SEED_ID, T, T)),
        ("INSERT INTO note_tags VALUES ('n3', 'first', 0), ('n3', 'second', 1)", ()),
    ],
    3: [
        ("INSERT INTO reading_positions VALUES (?, 'prelude', 42, ?)", (SEED_ID, T)),
        ("INSERT INTO state VALUES ('last_article', ?)", (f'"{SEED_ID}"',)),
        ("INSERT INTO bookmarks VALUES ('b3', ?, 'prelude', 'My prelude', NULL, ?, ?)", (SEED_ID, T, T)),
    ],
    4: [
        ("INSERT INTO bookmarks (id, article_id, section_id, name, folder, created, updated, section_path, "
         "section_sha, article_sha) VALUES ('b4', ?, 'prelude', 'v4 bookmark', 'war', ?, ?, '[\"Prelude\"]', "
         "'abc', 'stale')", (SEED_ID, T, T)),
        ("INSERT INTO notes (id, article_id, section_id, text, created, updated, section_path) "
         "VALUES ('n4', ?, 'prelude', 'v4 note', ?, ?, '[\"Prelude\"]')", (SEED_ID, T, T)),
    ],
    TRASH_VERSION: [
        ("INSERT INTO notes (id, article_id, section_id, text, created, updated, section_path, deleted) "
         "VALUES ('n5', ?, 'prelude', 'trashed note', ?, ?, '[\"Prelude\"]', ?)", (SEED_ID, T, T, "2999-01-01T00:00:00.000Z")),
    ],
    ANCHOR_STATES_VERSION: [
        # A note re-found by fuzzy matching, not yet reviewed; its article hash is unknown, so
        # attach() re-anchors it: the passage is there unchanged, and it must stay "moved".
        ("INSERT INTO notes (id, article_id, section_id, quote, text, created, updated, section_path, "
         "anchor_state, similarity, original_quote, review) VALUES ('n6', ?, 'background', 'Nagorno', "
         "'moved note', ?, ?, '[\"Background\"]', 'moved', 0.9, 'Nagorni', 1)", (SEED_ID, T, T)),
        ("INSERT INTO bookmarks (id, article_id, section_id, name, folder, created, updated, anchor_state) "
         "VALUES ('b5', ?, 'background', 'state bookmark', NULL, ?, ?, 'exact')", (SEED_ID, T, T)),
    ],
}
BOOKMARKS_AT_VERSION = {1: {"b1", "b2"}, 3: {"b3"}, 4: {"b4"}, ANCHOR_STATES_VERSION: {"b5"}}
# live notes; TRASH_VERSION adds a trashed one
NOTES_AT_VERSION = {1: {"n1", "n2"}, 2: {"n3"}, 4: {"n4"}, ANCHOR_STATES_VERSION: {"n6"}}


def _expected(by_version: dict, version: int) -> set:
    return set().union(*(ids for v, ids in by_version.items() if v <= version))


def test_every_version_has_test_data():
    assert set(DATA_AT_VERSION) == set(range(1, SCHEMA_VERSION + 1)), "add rows for the new schema version"


def _build_at(path, version: int) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    for step in range(1, version + 1):
        migrate(conn, target=step)
        for sql, params in DATA_AT_VERSION[step]:
            conn.execute(sql, params)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == version
    conn.close()


@pytest.mark.parametrize("version", range(1, SCHEMA_VERSION + 1))
def test_upgrade_keeps_everything(app_paths, library, version):
    _build_at(app_paths.database, version)
    store = library.store  # opens, migrates and attaches (re-anchors)
    assert not store.read_only, store.messages
    marks = {b.id: b for b in store.bookmarks()}
    assert set(marks) == _expected(BOOKMARKS_AT_VERSION, version)
    assert (marks["b1"].article_id, marks["b1"].section_id, marks["b1"].name, marks["b1"].folder,
            marks["b1"].created, marks["b1"].updated) == (SEED_ID, "background", "Background", "war", T, T)
    assert (marks["b2"].article_id, marks["b2"].section_id, marks["b2"].name) == ("gone-article", None, "Gone")
    # Bookmarks from before version 4 get their anchor facts on attach; their place and name stay.
    seed_sha = library.fingerprints()[SEED_ID]
    assert marks["b1"].section_path == ("Background",) and len(marks["b1"].section_sha) == 64
    assert marks["b1"].article_sha == seed_sha
    assert (marks["b2"].section_path, marks["b2"].section_sha, marks["b2"].article_sha) == ((), "", "")
    if version >= 3:
        assert (marks["b3"].section_id, marks["b3"].name, marks["b3"].section_path) == ("prelude", "My prelude", ("Prelude",))
        assert store.position(SEED_ID) == ("prelude", 42) and store.last_article() == SEED_ID
    if version >= 4:
        assert (marks["b4"].section_id, marks["b4"].name, marks["b4"].folder) == ("prelude", "v4 bookmark", "war")
        assert marks["b4"].article_sha == seed_sha and marks["b4"].section_sha != "abc"
    notes = {n.id: n for n in store.notes()}
    assert set(notes) == _expected(NOTES_AT_VERSION, version)
    assert notes["n1"].text == "v1 note with a quote" and notes["n1"].quote == "Nagorno"
    # v1 notes had no context: re-anchoring against the article filled it in.
    assert notes["n1"].section_path == ("Background",) and notes["n1"].prefix and not notes["n1"].orphaned
    assert notes["n2"].orphaned and notes["n2"].text == "v1 note on a missing article"
    if version >= 2:
        assert (notes["n3"].tags, notes["n3"].color) == (("first", "second"), "blue")
    if version >= 4:
        assert notes["n4"].text == "v4 note" and notes["n4"].section_id == "prelude"
    # Notes from before the trash are all live; a trashed one stays in the trash, out of the lists.
    assert [n.id for n in store.trash()] == (["n5"] if version >= TRASH_VERSION else [])
    # Anchor states: earlier notes get theirs from the migration and the first attach.
    assert (notes["n1"].anchor_state, notes["n1"].original_quote, notes["n1"].review) == ("exact", "Nagorno", False)
    assert (notes["n2"].anchor_state, notes["n2"].similarity) == ("orphaned", None)
    assert marks["b1"].anchor_state == "exact"
    if version >= ANCHOR_STATES_VERSION:
        n6 = notes["n6"]
        assert (n6.anchor_state, n6.similarity, n6.original_quote, n6.review) == ("moved", 0.9, "Nagorni", True)
        assert n6.prefix and marks["b5"].anchor_state == "exact"
    with sqlite3.connect(app_paths.database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    backups = list(app_paths.backups_dir.glob(f"pre-v{SCHEMA_VERSION}-*.sqlite3"))
    if version == SCHEMA_VERSION:  # nothing to migrate: no pre-migration copy
        assert backups == []
        return
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == version


def test_a_new_database_is_every_step_in_order(app_paths):
    store = UserStore(app_paths)
    store.close()
    with sqlite3.connect(app_paths.database) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_newer_version_is_read_only_and_never_modified(app_paths):
    store = UserStore(app_paths)
    note = store.add_note("art", "_lead", "written by the future")
    store.close()
    with sqlite3.connect(app_paths.database) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = _sha(app_paths.database)

    newer = UserStore(app_paths)
    assert newer.read_only
    assert any("newer Lectern" in m for m in newer.messages)
    assert [n.id for n in newer.notes()] == [note.id]  # reading still works
    with pytest.raises(ReadOnlyStoreError, match="newer Lectern"):
        newer.add_note("art", "_lead", "must not be written")
    with pytest.raises(ReadOnlyStoreError):
        newer.delete_note(note.id)
    newer.set_position("art", "_lead", 3)  # reading state is silently not saved
    newer.close()
    assert _sha(app_paths.database) == before
