"""The user's bookmarks, notes and reading state, in one SQLite database.

This module (with the rest of ``reader.userdata``) is the only code that runs
SQL. Every public call is one transaction; listeners hear about a change only
after it is committed. See docs/data-model.md for the schema, the anchor model
and the guarantees (a note is never dropped because an article changed).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import sqlite3
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from ..errors import LecternError, UnknownArticleError
from ..model import Article, Section
from ..paths import AppPaths
from . import backups, exchange
from .anchoring import (
    EXACT, MOVED, ORPHANED, SECTION, Anchor, ArticleText, anchor_to, find_quote, plain_text_position, reanchor,
    text_sha,
)
from .db import DEFAULT_BUSY_TIMEOUT, ReadOnlyStoreError, StoreError, connect_untouched, reported, transaction
from .models import AnchorReport, Bookmark, ImportReport, Note, NotesChange, new_id, utc_now
from .similarity import most_similar_section
from .opening import open_database
from .records import (
    NOTE_COLUMNS, NOTE_SELECT, bookmark_from_row, clean_color, clean_tags, insert_bookmark, insert_note,
    note_from_record, note_record, save_bookmark_place, trashed_note_from_row, write_tags,
)

Listener = Callable[[str, object], None]
log = logging.getLogger(__name__)
MAX_HISTORY = 500
TRASH_DAYS = 30  # deleted notes stay in the trash this long, unless the user empties it sooner
LIVE = "deleted IS NULL"  # SQL: a note that is not in the trash


class UserStore:
    """Bookmarks, notes and reading state; see the module docstring.

    ``read_only`` is set when the database cannot be changed (newer version,
    damaged, read-only disk); ``messages`` then says why, and every change
    raises :class:`ReadOnlyStoreError` with that reason.
    """

    def __init__(self, paths: AppPaths, on_change: Listener | None = None, *,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT, auto_backup: bool = True):
        self.paths = paths
        self.path = paths.database
        self._on_change = on_change
        self._timeout = busy_timeout
        self._lock = threading.RLock()
        self._library = None
        self._closed = False
        self.messages: list[str] = []
        opened = open_database(self.path, paths.backups_dir, busy_timeout)
        self._conn: sqlite3.Connection = opened.conn
        self.problem = opened.problem
        self.damaged = opened.damaged
        if self.problem:
            self.messages.append(self.problem)
        elif auto_backup and not opened.created:
            self._daily_backup()
        if not self.problem:
            self._purge_old_trash()

    @property
    def read_only(self) -> bool:
        return self.problem is not None

    # ------------------------------------------------------------------ plumbing

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        with self._lock, reported(self.path, self._timeout):
            yield self._conn

    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        if self.read_only:
            raise ReadOnlyStoreError(f"cannot save: {self.problem}")
        with self._lock, reported(self.path, self._timeout), transaction(self._conn) as conn:
            yield conn

    def _emit(self, event: str, payload: object) -> None:
        if self._on_change is not None:
            self._on_change(event, payload)

    def _emit_notes(self, changed: list[Note] = (), deleted: list[str] = ()) -> None:
        if changed or deleted:
            self._emit("notes_changed", NotesChange(changed=list(changed), deleted=list(deleted)))

    def _daily_backup(self) -> None:
        try:
            with self._lock:
                backups.daily_backup(self._conn, self.paths.backups_dir)
        except (sqlite3.Error, OSError) as exc:
            self.messages.append(f"the daily backup of the notes database failed: {exc}")

    def _purge_old_trash(self) -> None:
        """Notes deleted more than TRASH_DAYS ago leave the trash for good (at open)."""
        try:
            self.empty_trash(older_than_days=TRASH_DAYS)
        except LecternError as exc:
            self.messages.append(f"the notes trash was not emptied of old notes this time: {exc}")

    def close(self) -> None:
        """Close the database; library events that arrive afterwards are ignored."""
        with self._lock:
            self._closed = True
            self._conn.close()

    # ------------------------------------------------------------------ library

    def attach(self, library) -> None:
        """Follow ``library``: validate targets, name bookmarks, re-anchor notes and bookmarks.

        Re-anchors at once the notes and bookmarks whose article changed since
        they were anchored (also changes made while Lectern was closed), then
        again on every ``"articles_changed"``.
        """
        self._library = library
        library.add_listener(self._on_library_event)
        self._reanchor_quietly()

    def _on_library_event(self, event: str, payload: object) -> None:
        if event == "articles_changed" and not self._closed:
            self._reanchor_quietly()

    def _reanchor_quietly(self) -> None:
        """Re-anchor without failing the scan or the open that triggered it.

        If the database is busy, the notes keep their old article hash and are
        re-anchored on the next attempt; nothing is lost meanwhile.
        """
        try:
            self.reanchor()
        except LecternError as exc:
            log.warning("notes were not re-anchored this time: %s", exc)
            self.messages.append(f"notes were not re-anchored to the changed articles this time: {exc}")

    def _target(self, article_id: str, section_id: str | None) -> tuple[Article | None, Section | None]:
        """The article and section, checked against the library when one is attached."""
        if self._library is None:
            return None, None
        article = self._library.article(article_id)
        if section_id is None:
            return article, None
        section = article.section(section_id)
        if section is None:
            raise LecternError(f"article {article_id!r} has no section {section_id!r}")
        return article, section

    def _fingerprint(self, article_id: str) -> str:
        return self._library.fingerprints().get(article_id, "") if self._library is not None else ""

    # ------------------------------------------------------------------ bookmarks

    def add_bookmark(self, article_id: str, section_id: str | None = None, name: str | None = None,
                     folder: str | None = None) -> Bookmark:
        article, section = self._target(article_id, section_id or None)
        name = (name or "").strip() or _default_name(article_id, section_id, article, section)
        now = utc_now()
        bookmark = Bookmark(new_id(), article_id, section_id or None, name, (folder or "").strip() or None, now, now,
                            section_path=section.path if section is not None else (),
                            section_sha=text_sha(section.text()) if section is not None else "",
                            article_sha=self._fingerprint(article_id))
        with self._writing() as conn:
            insert_bookmark(conn, bookmark)
        self._emit("bookmarks_changed", None)
        return bookmark

    def bookmarks(self) -> list[Bookmark]:
        with self._reading() as conn:
            rows = conn.execute("SELECT * FROM bookmarks ORDER BY coalesce(folder, ''), created, id").fetchall()
        return [bookmark_from_row(r) for r in rows]

    def bookmark(self, bookmark_id: str) -> Bookmark:
        with self._reading() as conn:
            row = conn.execute("SELECT * FROM bookmarks WHERE id = ?", (bookmark_id,)).fetchone()
        if row is None:
            raise LecternError(f"no bookmark with id {bookmark_id!r}")
        return bookmark_from_row(row)

    def rename_bookmark(self, bookmark_id: str, name: str) -> Bookmark:
        if not (name or "").strip():
            raise LecternError("a bookmark needs a name")
        return self._update_bookmark(bookmark_id, "name", name.strip())

    def move_bookmark(self, bookmark_id: str, folder: str | None) -> Bookmark:
        return self._update_bookmark(bookmark_id, "folder", (folder or "").strip() or None)

    def _update_bookmark(self, bookmark_id: str, column: str, value) -> Bookmark:
        with self._writing() as conn:
            cursor = conn.execute(f"UPDATE bookmarks SET {column} = ?, updated = ? WHERE id = ?",
                                  (value, utc_now(), bookmark_id))
            if cursor.rowcount == 0:
                raise LecternError(f"no bookmark with id {bookmark_id!r}")
        self._emit("bookmarks_changed", None)
        return self.bookmark(bookmark_id)

    def remove_bookmark(self, bookmark_id: str) -> Bookmark:
        """Delete a bookmark; returns it as it was (what :meth:`put_bookmark` brings back)."""
        with self._writing() as conn:
            row = conn.execute("SELECT * FROM bookmarks WHERE id = ?", (bookmark_id,)).fetchone()
            if row is None:
                raise LecternError(f"no bookmark with id {bookmark_id!r}")
            conn.execute("DELETE FROM bookmarks WHERE id = ?", (bookmark_id,))
        self._emit("bookmarks_changed", None)
        return bookmark_from_row(row)

    def put_bookmark(self, bookmark: Bookmark) -> Bookmark:
        """Store ``bookmark`` exactly as given (id, name, folder, times, place), replacing one with its id.

        Undo uses it: a removed, renamed or moved bookmark comes back as it was.
        """
        with self._writing() as conn:
            conn.execute("DELETE FROM bookmarks WHERE id = ?", (bookmark.id,))
            insert_bookmark(conn, bookmark)
        self._emit("bookmarks_changed", None)
        return bookmark

    # ------------------------------------------------------------------ notes

    def add_note(self, article_id: str, section_id: str, text: str, quote: str | None = None,
                 tags=(), color: str | None = None, prefix: str = "", suffix: str = "") -> Note:
        """A new note; ``prefix``/``suffix`` (the text around a selection) say which
        occurrence of a repeated ``quote`` the user meant."""
        if not isinstance(text, str):
            raise LecternError("a note's text must be a string")
        if not text.strip() and not quote:
            raise LecternError("a note needs some text or a quoted passage")
        _, section = self._target(article_id, section_id)
        anchor = (anchor_to(section, quote, prefix or "", suffix or "") if section is not None
                  else Anchor(section_id, (), quote or None))
        now = utc_now()
        record = _record(new_id(), article_id, anchor, text, clean_tags(tags), clean_color(color), now, now,
                         self._fingerprint(article_id))
        with self._writing() as conn:
            insert_note(conn, record)
        note = note_from_record(record)
        self._emit_notes(changed=[note])
        return note

    def notes(self, article_id: str | None = None, orphaned: bool | None = None) -> list[Note]:
        """The notes (never those in the trash), by article, then oldest first."""
        return [note_from_record(r) for r in self.note_records(article_id, orphaned)]

    def note_records(self, article_id: str | None = None, orphaned: bool | None = None,
                     note_ids=None) -> list[dict]:
        """Every stored field of the notes (anchor fingerprints too): what the JSON export writes.

        Notes in the trash are left out; ``note_ids`` keeps only those notes.
        """
        where, params = [LIVE], []
        if note_ids is not None:
            note_ids = list(note_ids)
            where.append("id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(note_ids))
        if article_id is not None:
            where.append("article_id = ?")
            params.append(article_id)
        if orphaned is not None:
            where.append("orphaned = ?")
            params.append(int(orphaned))
        sql = NOTE_SELECT + " WHERE " + " AND ".join(where) + " ORDER BY article_id, created, id"
        with self._reading() as conn:
            return [note_record(r) for r in conn.execute(sql, params).fetchall()]

    def note(self, note_id: str) -> Note:
        return note_from_record(self.note_snapshot(note_id))

    def note_snapshot(self, note_id: str) -> dict:
        """Every stored field of a note (not in the trash): what :meth:`put_note` writes back."""
        with self._reading() as conn:
            row = conn.execute(NOTE_SELECT + f" WHERE id = ? AND {LIVE}", (note_id,)).fetchone()
        if row is None:
            raise LecternError(f"no note with id {note_id!r}")
        return note_record(row)

    def put_note(self, record: dict) -> Note:
        """Write back a note's stored fields exactly (text, tags, colour, anchor, times).

        Undo uses it with a :meth:`note_snapshot` taken before an edit, a
        re-attach or a change of quote. The note must exist and not be in the trash.
        """
        values = dict(record, section_path=json.dumps(list(record["section_path"]), ensure_ascii=False),
                      orphaned=int(bool(record["orphaned"])))
        columns = [c for c in NOTE_COLUMNS if c != "id"]
        with self._writing() as conn:
            cursor = conn.execute(f"UPDATE notes SET {', '.join(f'{c} = :{c}' for c in columns)} "
                                  f"WHERE id = :id AND {LIVE}", {c: values[c] for c in NOTE_COLUMNS})
            if cursor.rowcount == 0:
                raise LecternError(f"no note with id {record['id']!r}")
            write_tags(conn, record["id"], clean_tags(record["tags"]))
        note = self.note(record["id"])
        self._emit_notes(changed=[note])
        return note

    def edit_note(self, note_id: str, text: str | None = None, tags=None, color: str | None = None) -> Note:
        """Change the body, tags or colour (``None`` leaves a field alone; ``color=""`` clears it)."""
        with self._writing() as conn:
            if conn.execute(f"SELECT 1 FROM notes WHERE id = ? AND {LIVE}", (note_id,)).fetchone() is None:
                raise LecternError(f"no note with id {note_id!r}")
            if text is not None:
                if not isinstance(text, str):
                    raise LecternError("a note's text must be a string")
                conn.execute("UPDATE notes SET text = ? WHERE id = ?", (text, note_id))
            if color is not None:
                conn.execute("UPDATE notes SET color = ? WHERE id = ?", (clean_color(color), note_id))
            if tags is not None:
                write_tags(conn, note_id, clean_tags(tags))
            conn.execute("UPDATE notes SET updated = ? WHERE id = ?", (utc_now(), note_id))
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def delete_note(self, note_id: str) -> Note:
        """Move a note to the trash (nothing of it is lost); returns it, with the time it was deleted.

        It leaves lists, search and exports; :meth:`restore_note` brings it back
        with its id, dates, tags, colour and anchor. The trash keeps it for
        TRASH_DAYS days, or until :meth:`empty_trash`.
        """
        note = self.note(note_id)
        deleted = utc_now()
        with self._writing() as conn:
            if conn.execute(f"UPDATE notes SET deleted = ? WHERE id = ? AND {LIVE}",
                            (deleted, note_id)).rowcount == 0:
                raise LecternError(f"no note with id {note_id!r}")
        self._emit_notes(deleted=[note_id])
        return dataclasses.replace(note, deleted=deleted)

    def restore_note(self, note_id: str) -> Note:
        """Take a note out of the trash, as it was."""
        with self._writing() as conn:
            if conn.execute("UPDATE notes SET deleted = NULL WHERE id = ? AND deleted IS NOT NULL",
                            (note_id,)).rowcount == 0:
                raise LecternError(f"no note with id {note_id!r} in the trash")
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def trash(self) -> list[Note]:
        """The notes in the trash, most recently deleted first (``Note.deleted`` says when)."""
        with self._reading() as conn:
            rows = conn.execute(NOTE_SELECT + " WHERE deleted IS NOT NULL ORDER BY deleted DESC, id").fetchall()
        return [trashed_note_from_row(r) for r in rows]

    def empty_trash(self, older_than_days: float | None = None) -> int:
        """Delete for good the notes in the trash (only those deleted more than ``older_than_days``
        ago when given); returns how many. The only call that ever drops a note."""
        if self.read_only:
            return 0
        cutoff = None
        if older_than_days is not None:
            moment = datetime.now(timezone.utc) - timedelta(days=older_than_days)
            cutoff = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        where = "deleted IS NOT NULL" + (" AND deleted < ?" if cutoff else "")
        params = (cutoff,) if cutoff else ()
        with self._reading() as conn:  # most opens find nothing to do: no write lock for them
            if conn.execute(f"SELECT 1 FROM notes WHERE {where} LIMIT 1", params).fetchone() is None:
                return 0
        with self._writing() as conn:
            ids = [r[0] for r in conn.execute(f"SELECT id FROM notes WHERE {where}", params)]
            conn.execute(f"DELETE FROM notes WHERE {where}", params)
        if ids:
            self._emit("trash_emptied", ids)
        return len(ids)

    def change_quote(self, note_id: str, article_id: str, section_id: str, quote: str,
                     prefix: str = "", suffix: str = "") -> Note:
        """Anchor a note to a new quoted passage (and its section), keeping its text, tags and colour.

        ``prefix``/``suffix`` (the text around the selection) pick the occurrence meant.
        """
        self.note(note_id)  # exists and is not in the trash
        if not (quote or "").strip():
            raise LecternError("select the passage the note should quote")
        _, section = self._target(article_id, section_id)
        anchor = (anchor_to(section, quote, prefix or "", suffix or "") if section is not None
                  else Anchor(section_id, (), quote.strip()))
        with self._writing() as conn:
            _save_anchor(conn, note_id, article_id, anchor, self._fingerprint(article_id), utc_now())
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def suggest_section(self, note_id: str, article_id: str) -> str:
        """The section of ``article_id`` to propose when re-attaching a note: its own section if the
        article still has it, else the one most like its quote, context and heading path."""
        note = self.note(note_id)
        article = self._library.article(article_id) if self._library is not None else None
        if article is None:
            return note.section_id
        return most_similar_section(article, note)

    def reattach_note(self, note_id: str, article_id: str, section_id: str, quote: str | None = None,
                      prefix: str = "", suffix: str = "") -> Note:
        """Put a (typically orphaned or moved) note on a section; the user has reviewed it.

        With ``quote`` (a selection; ``prefix``/``suffix`` pick its occurrence)
        the note is anchored to that passage. Without, its quote is kept, with
        new context if found there (state ``exact``), else as it was (``section``).
        The originally quoted text is never changed.
        """
        old = self.note(note_id)
        _, section = self._target(article_id, section_id)
        if section is None:
            anchor = Anchor(section_id, (), quote or old.quote)
        elif quote:
            anchor = anchor_to(section, quote, prefix or "", suffix or "")
        else:
            quote_here = old.quote if old.quote and find_quote(section.text(), old.quote) else None
            anchor = anchor_to(section, quote_here)
            if anchor.quote is None and old.quote:  # the passage is not in this section: keep it anyway
                anchor = dataclasses.replace(anchor, quote=old.quote, state=SECTION)
        with self._writing() as conn:
            _save_anchor(conn, note_id, article_id, anchor, self._fingerprint(article_id), utc_now())
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def accept_anchor(self, note_id: str) -> Note:
        """The user agrees with where re-anchoring put the note: its state becomes ``exact``."""
        return self._set_reviewed(note_id, "UPDATE notes SET anchor_state = 'exact', similarity = NULL, review = 0, "
                                           "orphaned = 0 WHERE id = ? AND orphaned = 0")

    def leave_orphaned(self, note_id: str) -> Note:
        """The passage re-anchoring found is not the note's: keep the note orphaned, with the text first quoted."""
        return self._set_reviewed(note_id, "UPDATE notes SET anchor_state = 'orphaned', orphaned = 1, similarity = NULL, "
                                           "review = 0, quote = coalesce(original_quote, quote) WHERE id = ?")

    def _set_reviewed(self, note_id: str, sql: str) -> Note:
        with self._writing() as conn:
            if conn.execute("SELECT 1 FROM notes WHERE id = ?", (note_id,)).fetchone() is None:
                raise LecternError(f"no note with id {note_id!r}")
            conn.execute(sql, (note_id,))
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def notes_to_review(self) -> list[Note]:
        """Notes whose passage re-anchoring moved (fuzzy) or lost, not yet reviewed by the user."""
        with self._reading() as conn:
            rows = conn.execute(NOTE_SELECT + f" WHERE review = 1 AND {LIVE} ORDER BY article_id, created, id").fetchall()
        return [note_from_record(note_record(r)) for r in rows]

    def find_id(self, kind: str, prefix: str) -> str:
        """The full id of the note or bookmark (``kind``) whose id starts with ``prefix``.

        Case counts when it tells ids apart (imported ids may have capitals);
        otherwise ``AB12`` finds ``ab12...`` too.
        """
        table = {"note": "notes", "bookmark": "bookmarks"}[kind]
        prefix = (prefix or "").strip()
        if not prefix:
            raise LecternError(f"give a {kind} id")
        with self._reading() as conn:
            rows = conn.execute(f"SELECT id FROM {table} WHERE substr(id, 1, ?) = ? LIMIT 2",
                                (len(prefix), prefix)).fetchall()
            if not rows:
                rows = conn.execute(f"SELECT id FROM {table} WHERE lower(substr(id, 1, ?)) = lower(?) LIMIT 2",
                                    (len(prefix), prefix)).fetchall()
        if not rows:
            raise LecternError(f"no {kind} with an id starting {prefix!r}")
        if len(rows) > 1:
            raise LecternError(f"more than one {kind} has an id starting {prefix!r}; give more characters")
        return rows[0][0]

    # ------------------------------------------------------------------ re-anchoring

    def reanchor(self) -> list[Note]:
        """Re-place the notes and bookmarks whose article changed since they were anchored.

        Notes of an article that vanished are orphaned; its bookmarks are left
        as they are (they are never orphaned or deleted). Returns the notes
        that were updated (bookmarks are announced with ``"bookmarks_changed"``);
        an article that cannot be read right now leaves its notes and bookmarks
        untouched until it can.
        """
        if self.read_only or self._library is None:
            return []
        current = self._library.fingerprints()
        with self._reading() as conn:
            rows = conn.execute("SELECT DISTINCT article_id, article_sha, orphaned FROM notes").fetchall()
            mark_rows = conn.execute("SELECT DISTINCT article_id, article_sha FROM bookmarks").fetchall()
        stale = {aid for aid, sha, orphaned in rows if _is_stale(current.get(aid), sha, orphaned)}
        stale_marks = {aid for aid, sha in mark_rows if aid in current and current[aid] != sha}
        if not stale and not stale_marks:
            return []
        articles = {aid: self._article_or_missing(aid, current) for aid in sorted(stale | stale_marks)}
        changed_records, marks_changed, report = [], False, AnchorReport()
        with self._writing() as conn:
            for aid in sorted(stale):
                if articles[aid] is not False:
                    changed_records += _reanchor_article(conn, aid, articles[aid], current.get(aid, ""), report)
            for aid in sorted(stale_marks):
                if isinstance(articles[aid], Article):
                    marks_changed |= _reanchor_bookmarks(conn, aid, articles[aid], current[aid])
        changed = self._live_notes([r["id"] for r in changed_records])  # trashed notes are re-placed too, quietly
        self._emit_notes(changed=changed)
        if marks_changed:
            self._emit("bookmarks_changed", None)
        if report.moved or report.lost:
            self._emit("anchors_changed", report)
        return changed

    def _live_notes(self, note_ids) -> list[Note]:
        return self.notes_by_id(note_ids)

    def notes_by_id(self, note_ids) -> list[Note]:
        """The notes (not in the trash) with these ids, in the order of ``note_ids``."""
        by_id = {r["id"]: r for r in self.note_records(note_ids=note_ids)}
        return [note_from_record(by_id[i]) for i in note_ids if i in by_id]

    def _article_or_missing(self, article_id: str, current: dict) -> Article | None | bool:
        """The article, None when it left the library, False when it cannot be read now
        (unreadable, or only hidden, e.g. a bundled article under ``--no-bundled``)."""
        if article_id not in current:
            return False if self._library.is_hidden(article_id) else None
        try:
            return self._library.article(article_id)
        except (UnknownArticleError, LecternError):
            return False

    # ------------------------------------------------------------------ reading state

    def set_last_article(self, article_id: str | None) -> None:
        self._set_state("last_article", article_id)

    def last_article(self) -> str | None:
        return self._state("last_article", None)

    def set_position(self, article_id: str, section_id: str, offset: int) -> None:
        """Remember where the reader is in an article (not saved when the store is read-only)."""
        if self.read_only:
            return
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO reading_positions (article_id, section_id, offset, updated) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(article_id) DO UPDATE SET section_id = excluded.section_id, "
                "offset = excluded.offset, updated = excluded.updated",
                (article_id, section_id, int(offset), utc_now()),
            )

    def position(self, article_id: str) -> tuple[str, int] | None:
        with self._reading() as conn:
            row = conn.execute("SELECT section_id, offset FROM reading_positions WHERE article_id = ?",
                               (article_id,)).fetchone()
        return (row[0], row[1]) if row else None

    def set_history(self, entries: list[tuple[str, str]], index: int) -> None:
        """Back/forward history: ``(article_id, section_id)`` pairs and the current index (-1 when empty)."""
        entries = [(str(a), str(s)) for a, s in entries]
        if entries and not 0 <= index < len(entries):
            raise LecternError(f"history index {index} is outside 0..{len(entries) - 1}")
        drop = max(0, len(entries) - MAX_HISTORY)
        self._set_state("history", {"entries": entries[drop:], "index": index - drop if entries else -1})

    def history(self) -> tuple[list[tuple[str, str]], int]:
        value = self._state("history", {"entries": [], "index": -1})
        return [tuple(e) for e in value["entries"]], int(value["index"])

    def _set_state(self, key: str, value) -> None:
        if self.read_only:
            return
        with self._writing() as conn:
            conn.execute("INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)",
                         (key, json.dumps(value, ensure_ascii=False)))

    def _state(self, key: str, default):
        with self._reading() as conn:
            row = conn.execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else default

    # ------------------------------------------------------------------ backups

    def backup(self) -> Path:
        """A complete copy of the database in the backups folder (works read-only too)."""
        with self._lock:
            if self.damaged:
                raise StoreError(f"cannot back up: {self.problem}")
            try:
                return backups.named_backup(self._conn, self.paths.backups_dir)
            except sqlite3.Error as exc:
                raise StoreError(f"the backup failed: {exc}") from exc
            except OSError as exc:
                raise StoreError(f"cannot write the backup to {self.paths.backups_dir}: {exc.strerror or exc}") from exc

    def newest_backup(self) -> Path | None:
        return backups.newest_backup(self.paths.backups_dir)

    def restore(self, path: str | os.PathLike) -> None:
        """Replace all bookmarks, notes and reading state with those of a backup.

        The current database is backed up first (``pre-restore-*``); a damaged
        or newer-version database is moved aside, never deleted.
        """
        path = Path(path).expanduser().resolve()
        reason = backups.check_restorable(path)
        if reason:
            raise LecternError(f"cannot restore {path}: {reason}")
        if not os.access(self.path.parent, os.W_OK):
            raise ReadOnlyStoreError(f"cannot restore: the data folder {self.path.parent} is read-only")
        with self._lock:
            before = self._note_ids_if_readable()
            if self.read_only:
                self._restore_by_replacing(path)
            else:
                self._restore_in_place(path)
        after = self.notes()
        self._emit_notes(changed=after, deleted=sorted(before - {n.id for n in after}))
        self._emit("bookmarks_changed", None)
        self.reanchor()

    def _note_ids_if_readable(self) -> set[str]:
        """The current note ids, to report deletions after a restore (none if unreadable)."""
        try:
            return set() if self.damaged else {n.id for n in self.notes()}
        except StoreError:
            return set()

    def _restore_in_place(self, path: Path) -> None:
        with reported(self.path, self._timeout):
            backups.named_backup(self._conn, self.paths.backups_dir, prefix="pre-restore-")
            source = connect_untouched(path)
            try:
                source.backup(self._conn)
            finally:
                source.close()
        self._reopen()

    def _restore_by_replacing(self, path: Path) -> None:
        """The current file cannot be trusted or written: keep it aside, put the backup in its place."""
        self._conn.close()
        stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
        for suffix in ("", "-wal", "-shm"):
            current = Path(str(self.path) + suffix)
            if current.exists():
                os.replace(current, current.with_name(f"{self.path.name}.set-aside-{stamp}{suffix}"))
        source = connect_untouched(path)
        try:
            backups.write_backup(source, self.path)
        finally:
            source.close()
        self._reopen()

    def _reopen(self) -> None:
        self._conn.close()
        if self.problem in self.messages:  # the restore replaced the file it was about
            self.messages.remove(self.problem)
        opened = open_database(self.path, self.paths.backups_dir, self._timeout)
        self._conn, self.problem, self.damaged = opened.conn, opened.problem, opened.damaged
        if self.problem:
            self.messages.append(self.problem)

    # ------------------------------------------------------------------ export / import

    def export_notes(self, fmt: str = "markdown", article_id: str | None = None, note_ids=None) -> str:
        """Notes (and, in JSON, bookmarks) as ``"markdown"``, ``"json"`` or ``"w3c"`` text.

        ``note_ids`` exports only those notes (and, in JSON, no bookmarks):
        the All notes window's current filter. Notes in the trash are never exported.
        """
        records = self.note_records(article_id, note_ids=note_ids)
        if fmt == "markdown":
            return exchange.to_markdown(records, self._titles_and_orders(records))
        if fmt == "json":
            marks = [b for b in self.bookmarks() if article_id is None or b.article_id == article_id]
            return exchange.to_json(records, marks if note_ids is None else [])
        if fmt == "w3c":
            return exchange.to_w3c(records, self._sources(records), self._positions(records))
        raise LecternError(f"unknown export format {fmt!r} (use markdown, json or w3c)")

    def _positions(self, records: list[dict]) -> dict[str, tuple[int, int]]:
        """Each placed quote's offsets in its article's plain text (articles that cannot be read are skipped)."""
        positions, articles = {}, {}
        for record in records:
            aid = record["article_id"]
            if not record["quote"] or record["orphaned"] or self._library is None:
                continue
            if aid not in articles:
                try:
                    articles[aid] = self._library.article(aid)
                except LecternError:
                    articles[aid] = None
            if articles[aid] is not None:
                span = plain_text_position(articles[aid], record["section_id"], record["quote"],
                                           record["prefix"], record["suffix"])
                if span is not None:
                    positions[record["id"]] = span
        return positions

    def _titles_and_orders(self, records: list[dict]) -> dict[str, tuple[str, list[str]]]:
        """``{article_id: (title, section ids in document order)}`` for the Markdown export."""
        result = {}
        for aid in {r["article_id"] for r in records}:
            try:
                article = self._library.article(aid) if self._library is not None else None
            except LecternError:
                article = None
            result[aid] = (article.title, [s.id for s in article.sections]) if article else (aid, [])
        return result

    def _sources(self, records: list[dict]) -> dict[str, exchange.Source]:
        """``{article_id: Source(title, file)}`` for the W3C export: where other tools find the text."""
        result = {}
        for aid in {r["article_id"] for r in records}:
            try:
                summary = self._library.summary(aid) if self._library is not None else None
            except LecternError:
                summary = None
            result[aid] = exchange.Source(summary.title, summary.path) if summary else exchange.Source(aid, "")
        return result

    def import_notes(self, path_or_text: str | os.PathLike) -> ImportReport:
        """Add the notes and bookmarks of a JSON or W3C export; ones already present are skipped.

        The whole input is validated before anything is written, and everything
        is written in one transaction: a bad file changes nothing.
        """
        parsed = exchange.parse_import(path_or_text)
        report = ImportReport()
        with self._writing() as conn:
            added_notes = _insert_new_notes(conn, parsed.notes, report)
            _insert_new_bookmarks(conn, parsed.bookmarks, report)
        reanchored = {n.id: n for n in self.reanchor()}
        imported = [reanchored.get(r["id"]) or note_from_record(r) for r in added_notes]
        report.reanchored = sum(1 for r in added_notes if r["id"] in reanchored)
        report.orphaned = sum(1 for n in imported if n.orphaned)
        report.note_ids = [r["id"] for r in added_notes]
        self._emit_notes(changed=[n for n in imported if n.id not in reanchored])
        if report.bookmarks_added:
            self._emit("bookmarks_changed", None)
        return report


def _is_stale(current_sha: str | None, anchored_sha: str, orphaned: bool) -> bool:
    """Whether a note must be re-placed: its article changed, or left and the note is not yet orphaned."""
    if current_sha is None:
        return not orphaned
    return current_sha != anchored_sha


def _default_name(article_id: str, section_id: str | None, article: Article | None, section: Section | None) -> str:
    if article is None:
        return f"{article_id}#{section_id}" if section_id else article_id
    if section is None or section.is_lead:
        return article.title
    return " › ".join((article.title,) + section.path)


def _record(note_id: str, article_id: str, anchor: Anchor, text: str, tags: list[str], color: str | None,
            created: str, updated: str, article_sha: str, orphaned: bool = False) -> dict:
    return {
        "id": note_id, "article_id": article_id, "section_id": anchor.section_id,
        "section_path": list(anchor.section_path), "quote": anchor.quote, "prefix": anchor.prefix,
        "suffix": anchor.suffix, "text": text, "tags": tags, "color": color, "created": created,
        "updated": updated, "orphaned": orphaned, "article_sha": article_sha, "section_sha": anchor.section_sha,
        "anchor_state": ORPHANED if orphaned else anchor.state, "similarity": anchor.similarity,
        "original_quote": anchor.quote, "review": False,
    }


def _save_anchor(conn: sqlite3.Connection, note_id: str, article_id: str, anchor: Anchor, article_sha: str,
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


def _reanchor_article(conn: sqlite3.Connection, article_id: str, article: Article | None, sha: str,
                      report: AnchorReport) -> list[dict]:
    """Re-place one article's notes (inside the caller's transaction); returns the records whose place
    changed, as now stored (so the caller need not read them back).

    A note whose passage was newly moved (fuzzy) or lost is flagged for review
    and counted in ``report``.
    """
    changed = []
    text = ArticleText(article) if article is not None else None
    rows = conn.execute(NOTE_SELECT + " WHERE article_id = ?", (article_id,)).fetchall()
    # Every note now matches this version of the article; only the re-placed ones are rewritten below.
    conn.execute("UPDATE notes SET article_sha = ? WHERE article_id = ?", (sha, article_id))
    for row in rows:
        record = note_record(row)
        old = Anchor(record["section_id"], tuple(record["section_path"]), record["quote"],
                     record["prefix"], record["suffix"], record["section_sha"], record["anchor_state"],
                     record["similarity"])
        new = reanchor(article, old, text) if article is not None else None
        stored = dict(record, article_sha=sha)
        if new is None:
            if not record["orphaned"]:
                conn.execute("UPDATE notes SET orphaned = 1, anchor_state = 'orphaned', similarity = NULL, "
                             "review = 1 WHERE id = ?", (record["id"],))
                stored.update(orphaned=True, anchor_state=ORPHANED, similarity=None, review=True)
            report.count(record["id"], ORPHANED, newly=not record["orphaned"])
        elif new != old or record["orphaned"]:
            newly = new.state != old.state or (new.state == MOVED and new.quote != old.quote) or record["orphaned"]
            # Found as it was: nothing to review; newly moved or lost: review; else as before.
            review = False if new.state == EXACT else (newly or record["review"])
            _save_anchor(conn, record["id"], article_id, new, sha, review=review)
            stored.update(_record(record["id"], article_id, new, record["text"], record["tags"], record["color"],
                                  record["created"], record["updated"], sha),
                          original_quote=record["original_quote"], review=review)
            report.count(record["id"], new.state, newly=newly)
        if new != old or (new is None) != record["orphaned"]:
            changed.append(stored)
    return changed


def _reanchor_bookmarks(conn: sqlite3.Connection, article_id: str, article: Article, sha: str) -> bool:
    """Re-place one article's bookmarks (inside the caller's transaction); whether any changed.

    The note matcher without a quote: the same section id, the same heading
    path, the one section with the same text. A bookmark that fits nowhere
    points at the whole article (``section_id`` None, state ``orphaned``) and
    keeps its old heading path and text hash, so it returns if the section
    does. Names are untouched.
    """
    changed, text = False, ArticleText(article)
    for row in conn.execute("SELECT * FROM bookmarks WHERE article_id = ?", (article_id,)).fetchall():
        mark = bookmark_from_row(row)
        old = (mark.section_id, mark.section_path, mark.section_sha, mark.anchor_state)
        new = (None, mark.section_path, mark.section_sha, ORPHANED)
        if mark.section_id is None and not mark.section_path and not mark.section_sha:
            new = old[:3] + (EXACT,)  # on the article itself: stays there
        else:
            placed = reanchor(article, Anchor(mark.section_id or "", mark.section_path, None, "", "", mark.section_sha),
                              text, fuzzy=False)
            if placed is not None:
                new = (placed.section_id, tuple(placed.section_path), placed.section_sha, EXACT)
        save_bookmark_place(conn, mark.id, *new[:3], sha, anchor_state=new[3])
        changed |= new != old
    return changed


def _insert_new_notes(conn: sqlite3.Connection, records: list[dict], report: ImportReport) -> list[dict]:
    added = []
    for record in records:
        if conn.execute("SELECT 1 FROM notes WHERE id = ?", (record["id"],)).fetchone():
            report.skipped_duplicates += 1
            continue
        insert_note(conn, record)
        added.append(record)
    report.added = len(added)
    return added


def _insert_new_bookmarks(conn: sqlite3.Connection, marks: list[Bookmark], report: ImportReport) -> None:
    for bookmark in marks:
        if conn.execute("SELECT 1 FROM bookmarks WHERE id = ?", (bookmark.id,)).fetchone():
            report.bookmarks_skipped += 1
            continue
        insert_bookmark(conn, bookmark)
        report.bookmarks_added += 1
        report.bookmark_ids.append(bookmark.id)
