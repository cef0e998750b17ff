"""Rows <-> records <-> dataclasses, and every SQL statement of the store: the one place that knows
the column layout.

A *record* is a plain dict with every stored field of a note (the lossless
JSON export writes exactly these), so export, import and the store share it.
The query functions below each run one statement (or a small set) on the
connection they are given; transactions are the caller's (``db.transaction``).
"""

from __future__ import annotations

import json
import re
import sqlite3

from ..errors import LecternError
from .anchoring import ORPHANED, Anchor
from .models import Bookmark, Note

NOTE_COLUMNS = (
    "id", "article_id", "section_id", "section_path", "quote", "prefix", "suffix", "text",
    "color", "created", "updated", "orphaned", "article_sha", "section_sha",
    "anchor_state", "similarity", "original_quote", "review",
)
BOOKMARK_COLUMNS = (
    "id", "article_id", "section_id", "name", "folder", "created", "updated",
    "section_path", "section_sha", "article_sha", "anchor_state",
)

NOTE_SELECT = (
    "SELECT notes.*, (SELECT json_group_array(tag) FROM "
    "(SELECT tag FROM note_tags WHERE note_id = notes.id ORDER BY position)) AS tags_json FROM notes"
)
LIVE = "deleted IS NULL"  # a note that is not in the trash
_SPACES = re.compile(r"\s+")
MAX_TAG_LENGTH = 100


def note_record(row: sqlite3.Row) -> dict:
    record = {name: row[name] for name in NOTE_COLUMNS}
    record["section_path"] = list(json.loads(row["section_path"] or "[]"))
    record["orphaned"] = bool(row["orphaned"])
    record["review"] = bool(row["review"])
    record["tags"] = list(json.loads(row["tags_json"] or "[]"))
    return record


def note_from_record(record: dict) -> Note:
    return Note(
        id=record["id"],
        article_id=record["article_id"],
        section_id=record["section_id"],
        section_path=tuple(record["section_path"]),
        quote=record["quote"],
        prefix=record["prefix"],
        suffix=record["suffix"],
        text=record["text"],
        tags=tuple(record["tags"]),
        color=record["color"],
        created=record["created"],
        updated=record["updated"],
        orphaned=bool(record["orphaned"]),
        deleted=record.get("deleted"),
        anchor_state=record["anchor_state"],
        similarity=record["similarity"],
        original_quote=record["original_quote"],
        review=bool(record["review"]),
    )


def trashed_note_from_row(row: sqlite3.Row) -> Note:
    """A note of the trash: the stored fields plus when it was deleted."""
    return note_from_record(dict(note_record(row), deleted=row["deleted"]))


def bookmark_from_row(row: sqlite3.Row) -> Bookmark:
    values = {name: row[name] for name in BOOKMARK_COLUMNS}
    values["section_path"] = tuple(json.loads(values["section_path"] or "[]"))
    return Bookmark(**values)


def insert_note(conn: sqlite3.Connection, record: dict) -> None:
    values = dict(record, section_path=json.dumps(list(record["section_path"]), ensure_ascii=False),
                  orphaned=int(bool(record["orphaned"])), review=int(bool(record["review"])))
    columns = ", ".join(NOTE_COLUMNS)
    conn.execute(f"INSERT INTO notes ({columns}) VALUES ({', '.join(':' + c for c in NOTE_COLUMNS)})", values)
    write_tags(conn, record["id"], record["tags"])


def write_tags(conn: sqlite3.Connection, note_id: str, tags) -> None:
    conn.execute("DELETE FROM note_tags WHERE note_id = ?", (note_id,))
    conn.executemany(
        "INSERT INTO note_tags (note_id, tag, position) VALUES (?, ?, ?)",
        [(note_id, tag, i) for i, tag in enumerate(tags)],
    )


def insert_bookmark(conn: sqlite3.Connection, bookmark: Bookmark) -> None:
    values = {c: getattr(bookmark, c) for c in BOOKMARK_COLUMNS}
    values["section_path"] = json.dumps(list(bookmark.section_path), ensure_ascii=False)
    conn.execute(
        f"INSERT INTO bookmarks ({', '.join(BOOKMARK_COLUMNS)}) VALUES ({', '.join(':' + c for c in BOOKMARK_COLUMNS)})",
        values,
    )


def save_bookmark_place(conn: sqlite3.Connection, bookmark_id: str, section_id: str | None,
                        section_path, section_sha: str, article_sha: str, anchor_state: str = "exact") -> None:
    """A bookmark's (re-)placed section and its anchor facts; name, folder and times are left alone."""
    conn.execute(
        "UPDATE bookmarks SET section_id = ?, section_path = ?, section_sha = ?, article_sha = ?, anchor_state = ? "
        "WHERE id = ?",
        (section_id, json.dumps(list(section_path), ensure_ascii=False), section_sha, article_sha, anchor_state,
         bookmark_id),
    )


def clean_tags(tags) -> list[str]:
    """Tags without '#', with inner white space as '-', empty and repeated ones dropped."""
    if isinstance(tags, str):
        tags = [tags]
    cleaned: list[str] = []
    for tag in tags or ():
        if not isinstance(tag, str):
            raise LecternError(f"a tag must be text, not {tag!r}")
        tag = _SPACES.sub("-", tag.strip().lstrip("#"))[:MAX_TAG_LENGTH]
        if tag and tag not in cleaned:
            cleaned.append(tag)
    return cleaned


def clean_color(color: str | None) -> str | None:
    if color is None:
        return None
    if not isinstance(color, str) or len(color) > 32:
        raise LecternError(f"a colour is a short name or #rrggbb, not {color!r}")
    return color.strip() or None


def live_note_records(conn: sqlite3.Connection) -> list[dict]:
    """Every note not in the trash, by article, then oldest first."""
    return select_note_records(conn)


# ---------------------------------------------------------------------- notes

def select_note_records(conn: sqlite3.Connection, article_id: str | None = None, orphaned: bool | None = None,
                        note_ids=None) -> list[dict]:
    """Notes not in the trash, by article then oldest first; each filter applies when given."""
    where, params = [LIVE], []
    if note_ids is not None:
        where.append("id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(note_ids)))
    if article_id is not None:
        where.append("article_id = ?")
        params.append(article_id)
    if orphaned is not None:
        where.append("orphaned = ?")
        params.append(int(orphaned))
    sql = NOTE_SELECT + " WHERE " + " AND ".join(where) + " ORDER BY article_id, created, id"
    return [note_record(r) for r in conn.execute(sql, params).fetchall()]


def live_note_row(conn: sqlite3.Connection, note_id: str):
    return conn.execute(NOTE_SELECT + f" WHERE id = ? AND {LIVE}", (note_id,)).fetchone()


def note_exists(conn: sqlite3.Connection, note_id: str, live_only: bool = True) -> bool:
    sql = "SELECT 1 FROM notes WHERE id = ?" + (f" AND {LIVE}" if live_only else "")
    return conn.execute(sql, (note_id,)).fetchone() is not None


def update_note_columns(conn: sqlite3.Connection, note_id: str, values: dict) -> int:
    """Set the given columns of a live note; returns how many rows changed (0: none with that id)."""
    assignments = ", ".join(f"{column} = :{column}" for column in values)
    return conn.execute(f"UPDATE notes SET {assignments} WHERE id = :id AND {LIVE}", dict(values, id=note_id)).rowcount


def set_note_fields(conn: sqlite3.Connection, note_id: str, text: str | None, color: str | None,
                    set_color: bool, updated: str) -> None:
    if text is not None:
        conn.execute("UPDATE notes SET text = ? WHERE id = ?", (text, note_id))
    if set_color:
        conn.execute("UPDATE notes SET color = ? WHERE id = ?", (color, note_id))
    conn.execute("UPDATE notes SET updated = ? WHERE id = ?", (updated, note_id))


def move_note_to_trash(conn: sqlite3.Connection, note_id: str, deleted: str) -> bool:
    return conn.execute(f"UPDATE notes SET deleted = ? WHERE id = ? AND {LIVE}", (deleted, note_id)).rowcount > 0


def take_note_from_trash(conn: sqlite3.Connection, note_id: str) -> bool:
    return conn.execute("UPDATE notes SET deleted = NULL WHERE id = ? AND deleted IS NOT NULL", (note_id,)).rowcount > 0


def trashed_notes(conn: sqlite3.Connection) -> list[Note]:
    rows = conn.execute(NOTE_SELECT + " WHERE deleted IS NOT NULL ORDER BY deleted DESC, id").fetchall()
    return [trashed_note_from_row(r) for r in rows]


def _trash_where(cutoff: str | None) -> tuple[str, tuple]:
    return "deleted IS NOT NULL" + (" AND deleted < ?" if cutoff else ""), ((cutoff,) if cutoff else ())


def trash_has_notes(conn: sqlite3.Connection, cutoff: str | None) -> bool:
    where, params = _trash_where(cutoff)
    return conn.execute(f"SELECT 1 FROM notes WHERE {where} LIMIT 1", params).fetchone() is not None


def drop_trashed_notes(conn: sqlite3.Connection, cutoff: str | None) -> list[str]:
    """Delete for good the notes trashed before ``cutoff`` (all trashed ones if None); their ids."""
    where, params = _trash_where(cutoff)
    ids = [r[0] for r in conn.execute(f"SELECT id FROM notes WHERE {where}", params)]
    conn.execute(f"DELETE FROM notes WHERE {where}", params)
    return ids


# Accepting a "passage gone" note keeps it on its section as it is (state 'section', reviewed).
ACCEPT_ANCHOR = ("UPDATE notes SET anchor_state = CASE WHEN anchor_state = 'section' THEN 'section' ELSE 'exact' END, "
                 "similarity = NULL, review = 0, orphaned = 0 WHERE id = ? AND orphaned = 0")
LEAVE_ORPHANED = ("UPDATE notes SET anchor_state = 'orphaned', orphaned = 1, similarity = NULL, "
                  "review = 0, quote = coalesce(original_quote, quote) WHERE id = ?")


def set_reviewed(conn: sqlite3.Connection, note_id: str, statement: str) -> bool:
    """Apply :data:`ACCEPT_ANCHOR` or :data:`LEAVE_ORPHANED`; False if there is no such note."""
    if not note_exists(conn, note_id, live_only=False):
        return False
    conn.execute(statement, (note_id,))
    return True


def notes_in_review(conn: sqlite3.Connection) -> list[Note]:
    rows = conn.execute(NOTE_SELECT + f" WHERE review = 1 AND {LIVE} ORDER BY article_id, created, id").fetchall()
    return [note_from_record(note_record(r)) for r in rows]


def ids_starting(conn: sqlite3.Connection, table: str, prefix: str) -> list[str]:
    """Up to two ids of ``table`` ("notes" or "bookmarks") starting with ``prefix`` (exact case first)."""
    assert table in ("notes", "bookmarks")
    rows = conn.execute(f"SELECT id FROM {table} WHERE substr(id, 1, ?) = ? LIMIT 2", (len(prefix), prefix)).fetchall()
    if not rows:
        rows = conn.execute(f"SELECT id FROM {table} WHERE lower(substr(id, 1, ?)) = lower(?) LIMIT 2",
                            (len(prefix), prefix)).fetchall()
    return [r[0] for r in rows]


# ---------------------------------------------------------------------- re-anchoring

def anchored_articles(conn: sqlite3.Connection) -> tuple[list, list]:
    """(article_id, article_sha, orphaned) of the notes and (article_id, article_sha) of the bookmarks, distinct."""
    notes = conn.execute("SELECT DISTINCT article_id, article_sha, orphaned FROM notes").fetchall()
    marks = conn.execute("SELECT DISTINCT article_id, article_sha FROM bookmarks").fetchall()
    return notes, marks


def note_rows_of_article(conn: sqlite3.Connection, article_id: str) -> list:
    """Every note of an article, those in the trash too (they are re-placed quietly)."""
    return conn.execute(NOTE_SELECT + " WHERE article_id = ?", (article_id,)).fetchall()


def set_article_sha(conn: sqlite3.Connection, article_id: str, sha: str) -> None:
    conn.execute("UPDATE notes SET article_sha = ? WHERE article_id = ?", (sha, article_id))


def orphan_note(conn: sqlite3.Connection, note_id: str) -> None:
    """Orphan a note; one moved and still to review keeps its similarity (see ``reanchoring.was_moved``)."""
    conn.execute("UPDATE notes SET orphaned = 1, anchor_state = 'orphaned', review = 1, similarity = "
                 "CASE WHEN anchor_state = 'moved' AND review = 1 THEN similarity END WHERE id = ?", (note_id,))


def bookmarks_of_article(conn: sqlite3.Connection, article_id: str) -> list[Bookmark]:
    return [bookmark_from_row(r) for r in conn.execute("SELECT * FROM bookmarks WHERE article_id = ?", (article_id,))]


# ---------------------------------------------------------------------- bookmarks

def all_bookmarks(conn: sqlite3.Connection) -> list[Bookmark]:
    rows = conn.execute("SELECT * FROM bookmarks ORDER BY coalesce(folder, ''), created, id").fetchall()
    return [bookmark_from_row(r) for r in rows]


def bookmark_by_id(conn: sqlite3.Connection, bookmark_id: str) -> Bookmark | None:
    row = conn.execute("SELECT * FROM bookmarks WHERE id = ?", (bookmark_id,)).fetchone()
    return bookmark_from_row(row) if row is not None else None


def bookmark_exists(conn: sqlite3.Connection, bookmark_id: str) -> bool:
    return conn.execute("SELECT 1 FROM bookmarks WHERE id = ?", (bookmark_id,)).fetchone() is not None


def update_bookmark_column(conn: sqlite3.Connection, bookmark_id: str, column: str, value, updated: str) -> bool:
    assert column in ("name", "folder")
    cursor = conn.execute(f"UPDATE bookmarks SET {column} = ?, updated = ? WHERE id = ?", (value, updated, bookmark_id))
    return cursor.rowcount > 0


def delete_bookmark(conn: sqlite3.Connection, bookmark_id: str) -> None:
    conn.execute("DELETE FROM bookmarks WHERE id = ?", (bookmark_id,))


# ---------------------------------------------------------------------- reading state

def save_position(conn: sqlite3.Connection, article_id: str, section_id: str, offset: int, updated: str) -> None:
    conn.execute(
        "INSERT INTO reading_positions (article_id, section_id, offset, updated) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(article_id) DO UPDATE SET section_id = excluded.section_id, "
        "offset = excluded.offset, updated = excluded.updated",
        (article_id, section_id, int(offset), updated),
    )


def saved_position(conn: sqlite3.Connection, article_id: str) -> tuple[str, int] | None:
    row = conn.execute("SELECT section_id, offset FROM reading_positions WHERE article_id = ?", (article_id,)).fetchone()
    return (row[0], row[1]) if row else None


def save_state(conn: sqlite3.Connection, key: str, value) -> None:
    conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", (key, json.dumps(value, ensure_ascii=False)))


def saved_state(conn: sqlite3.Connection, key: str, default):
    row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
    return json.loads(row[0]) if row else default


def new_note_record(note_id: str, article_id: str, anchor: Anchor, text: str, tags: list[str], color: str | None,
            created: str, updated: str, article_sha: str, orphaned: bool = False) -> dict:
    return {
        "id": note_id, "article_id": article_id, "section_id": anchor.section_id,
        "section_path": list(anchor.section_path), "quote": anchor.quote, "prefix": anchor.prefix,
        "suffix": anchor.suffix, "text": text, "tags": tags, "color": color, "created": created,
        "updated": updated, "orphaned": orphaned, "article_sha": article_sha, "section_sha": anchor.section_sha,
        "anchor_state": ORPHANED if orphaned else anchor.state, "similarity": anchor.similarity,
        "original_quote": anchor.quote, "review": False,
    }


def make_quote_the_original(conn: sqlite3.Connection, note_id: str) -> None:
    """The note's current quote becomes the one first quoted (the user chose a new passage)."""
    conn.execute("UPDATE notes SET original_quote = quote WHERE id = ?", (note_id,))


def save_note_anchor(conn: sqlite3.Connection, note_id: str, article_id: str, anchor: Anchor, article_sha: str,
                 updated: str | None = None, review: bool = False) -> None:
    """The note's new place and whether it awaits review; ``updated`` set means the user placed it
    (which ends any review)."""
    conn.execute(
        "UPDATE notes SET article_id = ?, section_id = ?, section_path = ?, quote = ?, prefix = ?, suffix = ?, "
        "section_sha = ?, article_sha = ?, orphaned = 0, anchor_state = ?, similarity = ?, "
        "review = CASE WHEN ? IS NOT NULL THEN 0 ELSE ? END, "
        "updated = coalesce(?, updated) WHERE id = ?",
        (article_id, anchor.section_id, json.dumps(list(anchor.section_path), ensure_ascii=False), anchor.quote,
         anchor.prefix, anchor.suffix, anchor.section_sha, article_sha, anchor.state, anchor.similarity,
         updated, int(review), updated, note_id),
    )
