"""Rows <-> records <-> dataclasses: the one place that knows the column layout.

A *record* is a plain dict with every stored field of a note (the lossless
JSON export writes exactly these), so export, import and the store share it.
"""

from __future__ import annotations

import json
import re
import sqlite3

from ..errors import LecternError
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
