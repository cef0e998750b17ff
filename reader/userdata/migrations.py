"""Numbered schema steps, tracked with ``PRAGMA user_version``.

A new database is built by running every step from 0, so these steps *are* the
schema: there is no second "current schema" to drift from them. Each step runs
in its own transaction together with the ``user_version`` bump, so a crash
leaves the database at the previous version or the next one, never between.
Never edit a released step; append a new one (docs/data-model.md lists them).
"""

from __future__ import annotations

import sqlite3

# Version 1: bookmarks and notes anchored to an article section.
_V1 = (
    """CREATE TABLE bookmarks (
        id TEXT PRIMARY KEY,
        article_id TEXT NOT NULL,
        section_id TEXT,                -- NULL: the article itself
        name TEXT NOT NULL,
        folder TEXT,
        created TEXT NOT NULL,          -- ISO 8601 UTC
        updated TEXT NOT NULL
    )""",
    """CREATE TABLE notes (
        id TEXT PRIMARY KEY,            -- uuid4 hex
        article_id TEXT NOT NULL,
        section_id TEXT NOT NULL,
        quote TEXT,                     -- TextQuoteSelector "exact", NULL for a whole-section note
        text TEXT NOT NULL,             -- Markdown body
        created TEXT NOT NULL,
        updated TEXT NOT NULL
    )""",
    "CREATE INDEX notes_by_article ON notes(article_id)",
)

# Version 2: anchors that survive edits (quote context, heading path, content
# fingerprints, orphaned flag), colour, and tags in their own table.
_V2 = (
    "ALTER TABLE notes ADD COLUMN section_path TEXT NOT NULL DEFAULT '[]'",  # JSON list of heading titles
    "ALTER TABLE notes ADD COLUMN prefix TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE notes ADD COLUMN suffix TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE notes ADD COLUMN color TEXT",
    "ALTER TABLE notes ADD COLUMN orphaned INTEGER NOT NULL DEFAULT 0",
    # SHA-256 of the article file when the note was last anchored; '' = never
    # checked against content, so the next attach() re-anchors it.
    "ALTER TABLE notes ADD COLUMN article_sha TEXT NOT NULL DEFAULT ''",
    # SHA-256 of the section's own text then: finds a section whose heading was reworded.
    "ALTER TABLE notes ADD COLUMN section_sha TEXT NOT NULL DEFAULT ''",
    """CREATE TABLE note_tags (
        note_id TEXT NOT NULL REFERENCES notes(id) ON DELETE CASCADE,
        tag TEXT NOT NULL,
        position INTEGER NOT NULL,
        PRIMARY KEY (note_id, tag)
    )""",
    "CREATE INDEX note_tags_by_tag ON note_tags(tag)",
)

# Version 3: reading state (last article, position per article, back/forward history).
_V3 = (
    """CREATE TABLE reading_positions (
        article_id TEXT PRIMARY KEY,
        section_id TEXT NOT NULL,
        offset INTEGER NOT NULL,
        updated TEXT NOT NULL
    )""",
    "CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL)",  # value is JSON
    "CREATE INDEX bookmarks_by_folder ON bookmarks(folder)",
)

# Version 4: bookmarks follow their section through edits, like notes: the
# heading path, the section text's fingerprint and the article's SHA-256 when
# last placed. Existing bookmarks get '' / '[]' and are filled in by the next
# attach() (article_sha '' never matches, so they are re-placed at once).
_V4 = (
    "ALTER TABLE bookmarks ADD COLUMN section_path TEXT NOT NULL DEFAULT '[]'",  # JSON list of heading titles
    "ALTER TABLE bookmarks ADD COLUMN section_sha TEXT NOT NULL DEFAULT ''",
    "ALTER TABLE bookmarks ADD COLUMN article_sha TEXT NOT NULL DEFAULT ''",
    "CREATE INDEX bookmarks_by_article ON bookmarks(article_id)",
)

# Version 5, trash: a deleted note keeps its row (id, dates, tags, anchor) with the time it
# was deleted; NULL = a live note. Lists, search and exports skip trashed notes;
# restoring clears the column; the user empties the trash, or it is emptied of
# notes deleted more than TRASH_DAYS (store.py) ago when the store opens.
_TRASH = (
    "ALTER TABLE notes ADD COLUMN deleted TEXT",  # ISO 8601 UTC time it went to the trash, or NULL
    "CREATE INDEX notes_by_deleted ON notes(deleted)",
)

# Version 6: anchor states. Each note says how it was last re-found (exact,
# moved by fuzzy matching with its similarity, section: the passage is gone,
# orphaned) and keeps the text first quoted, and whether the user still has to
# review the change; bookmarks get the same state.
# Self-contained: the existing orphaned flags are carried over, every quote
# becomes its own original.
_ANCHOR_STATES = (
    "ALTER TABLE notes ADD COLUMN anchor_state TEXT NOT NULL DEFAULT 'exact'",  # exact/moved/section/orphaned
    "ALTER TABLE notes ADD COLUMN similarity REAL",  # moved: the re-found passage vs the quote, 0..1
    "ALTER TABLE notes ADD COLUMN original_quote TEXT",  # the passage as first quoted; never re-anchored
    # 1 when re-anchoring moved or lost the passage, until the user reviews it
    "ALTER TABLE notes ADD COLUMN review INTEGER NOT NULL DEFAULT 0",
    "UPDATE notes SET original_quote = quote",
    "UPDATE notes SET anchor_state = 'orphaned' WHERE orphaned != 0",
    "ALTER TABLE bookmarks ADD COLUMN anchor_state TEXT NOT NULL DEFAULT 'exact'",  # exact/orphaned
    "UPDATE bookmarks SET anchor_state = 'orphaned' WHERE section_id IS NULL AND section_path != '[]'",
)

MIGRATIONS: tuple[tuple[str, ...], ...] = (_V1, _V2, _V3, _V4, _TRASH, _ANCHOR_STATES)
SCHEMA_VERSION = len(MIGRATIONS)
TRASH_VERSION = MIGRATIONS.index(_TRASH) + 1  # the step that added notes.deleted
ANCHOR_STATES_VERSION = MIGRATIONS.index(_ANCHOR_STATES) + 1  # tests name the step by this, not by its number


def user_version(conn: sqlite3.Connection) -> int:
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> list[int]:
    """Bring the database up to ``target``, one transaction per step; returns the steps run.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so that the
    explicit BEGIN/COMMIT here are the only transaction boundaries.
    """
    ran = []
    while (version := user_version(conn)) < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            if user_version(conn) != version:  # another process migrated meanwhile
                conn.execute("ROLLBACK")
                continue
            for statement in MIGRATIONS[version]:
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        ran.append(version + 1)
    return ran
