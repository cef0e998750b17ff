"""The user's bookmarks, notes and reading state, in one SQLite database.

Every public call is one transaction; ``on_change`` hears about a change only
after it is committed and the store's lock is released. The store never
imports or calls the ``Library``: what it needs to know about articles comes
through the narrow ``articles`` lookup it is given (``fingerprints()``,
``article(id)``, ``summary(id)``, ``is_hidden(id)``; the coordinator's
``ArticleView``), and :meth:`UserStore.reanchor` takes the current fingerprints
as its input. See docs/data-model.md for the schema, the anchor model
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
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterator

from ..errors import LecternError, UnknownArticleError
from ..model import Article, Section, section_label
from ..notices import Notices
from ..paths import AppPaths
from . import backups, exchange, records as sql, restoring, transfer
from .anchoring import SECTION, Anchor, anchor_to, find_quote, text_sha
from .db import DEFAULT_BUSY_TIMEOUT, ReadOnlyStoreError, StoreError, reported, transaction
from .models import Bookmark, ImportReport, Note, NotesChange, new_id, utc_now
from .opening import open_database
from .reanchoring import reanchor as reanchor_in, stale_articles
from .records import (
    NOTE_COLUMNS, clean_color, clean_tags, insert_bookmark, insert_note, new_note_record, note_from_record,
    note_record, save_note_anchor, write_tags,
)
from .similarity import most_similar_section

Listener = Callable[[str, object], None]
log = logging.getLogger(__name__)
MAX_HISTORY = 500
TRASH_DAYS = 30  # deleted notes stay in the trash this long, unless the user empties it sooner
PROBLEM = "store.problem"  # the notice key of a damaged, read-only or newer-version database


class UserStore:
    """Bookmarks, notes and reading state; see the module docstring.

    ``read_only`` is set when the database cannot be changed (newer version,
    damaged, read-only disk); a lasting notice (key ``store.problem``) then
    says why, and every change raises :class:`ReadOnlyStoreError` with that reason.
    Without ``articles`` targets are not checked and nothing is re-anchored.
    """

    def __init__(self, paths: AppPaths, on_change: Listener | None = None, *, articles=None,
                 notices: Notices | None = None, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, auto_backup: bool = True):
        self.paths = paths
        self.path = paths.database
        self._on_change = on_change
        self._timeout = busy_timeout
        self._lock = threading.RLock()
        self._articles = articles
        self._closed = False
        self.notices = notices or Notices()
        opened = open_database(self.path, paths.backups_dir, busy_timeout)
        self._conn: sqlite3.Connection = opened.conn
        self.problem = opened.problem
        self.damaged = opened.damaged
        if self.problem:
            self._tell(self.problem, key=PROBLEM)
        elif auto_backup and not opened.created:
            self._daily_backup()
        if not self.problem:
            self._purge_old_trash()

    @property
    def messages(self) -> list[str]:
        """What the store told the user so far (through ``notices``)."""
        return self.notices.texts("store")

    def _tell(self, message: str, key: str = "") -> None:
        self.notices.post("store", message, key=key)

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
            self._tell(f"the daily backup of the notes database failed: {exc}")

    def _purge_old_trash(self) -> None:
        """Notes deleted more than TRASH_DAYS ago leave the trash for good (at open)."""
        try:
            self.empty_trash(older_than_days=TRASH_DAYS)
        except LecternError as exc:
            self._tell(f"the notes trash was not emptied of old notes this time: {exc}")

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._closed = True
            self._conn.close()

    # ------------------------------------------------------------------ articles (through the lookup)

    def _target(self, article_id: str, section_id: str | None) -> tuple[Article | None, Section | None]:
        """The article and section, checked against the articles when the store was given them."""
        if self._articles is None:
            return None, None
        article = self._articles.article(article_id)
        if section_id is None:
            return article, None
        section = article.section(section_id)
        if section is None:
            raise LecternError(f"article {article_id!r} has no section {section_id!r}")
        return article, section

    def _fingerprint(self, article_id: str) -> str:
        return self._articles.fingerprint(article_id) if self._articles is not None else ""

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
            return sql.all_bookmarks(conn)

    def bookmark(self, bookmark_id: str) -> Bookmark:
        with self._reading() as conn:
            bookmark = sql.bookmark_by_id(conn, bookmark_id)
        if bookmark is None:
            raise LecternError(f"no bookmark with id {bookmark_id!r}")
        return bookmark

    def rename_bookmark(self, bookmark_id: str, name: str) -> Bookmark:
        if not (name or "").strip():
            raise LecternError("a bookmark needs a name")
        return self._update_bookmark(bookmark_id, "name", name.strip())

    def move_bookmark(self, bookmark_id: str, folder: str | None) -> Bookmark:
        return self._update_bookmark(bookmark_id, "folder", (folder or "").strip() or None)

    def _update_bookmark(self, bookmark_id: str, column: str, value) -> Bookmark:
        with self._writing() as conn:
            if not sql.update_bookmark_column(conn, bookmark_id, column, value, utc_now()):
                raise LecternError(f"no bookmark with id {bookmark_id!r}")
        self._emit("bookmarks_changed", None)
        return self.bookmark(bookmark_id)

    def remove_bookmark(self, bookmark_id: str) -> Bookmark:
        """Delete a bookmark; returns it as it was (what :meth:`put_bookmark` brings back)."""
        with self._writing() as conn:
            bookmark = sql.bookmark_by_id(conn, bookmark_id)
            if bookmark is None:
                raise LecternError(f"no bookmark with id {bookmark_id!r}")
            sql.delete_bookmark(conn, bookmark_id)
        self._emit("bookmarks_changed", None)
        return bookmark

    def put_bookmark(self, bookmark: Bookmark) -> Bookmark:
        """Store ``bookmark`` exactly as given (id, name, folder, times, place), replacing one with its id.

        Undo uses it: a removed, renamed or moved bookmark comes back as it was.
        """
        with self._writing() as conn:
            sql.delete_bookmark(conn, bookmark.id)
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
        record = new_note_record(new_id(), article_id, anchor, text, clean_tags(tags), clean_color(color), now, now,
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
        with self._reading() as conn:
            return sql.select_note_records(conn, article_id, orphaned, note_ids)

    def note(self, note_id: str) -> Note:
        return note_from_record(self.note_snapshot(note_id))

    def note_snapshot(self, note_id: str) -> dict:
        """Every stored field of a note (not in the trash): what :meth:`put_note` writes back."""
        with self._reading() as conn:
            row = sql.live_note_row(conn, note_id)
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
            if sql.update_note_columns(conn, record["id"], {c: values[c] for c in columns}) == 0:
                raise LecternError(f"no note with id {record['id']!r}")
            write_tags(conn, record["id"], clean_tags(record["tags"]))
        note = self.note(record["id"])
        self._emit_notes(changed=[note])
        return note

    def edit_note(self, note_id: str, text: str | None = None, tags=None, color: str | None = None) -> Note:
        """Change the body, tags or colour (``None`` leaves a field alone; ``color=""`` clears it)."""
        with self._writing() as conn:
            if not sql.note_exists(conn, note_id):
                raise LecternError(f"no note with id {note_id!r}")
            if text is not None and not isinstance(text, str):
                raise LecternError("a note's text must be a string")
            if text is not None and not text.strip() and not sql.live_note_row(conn, note_id)["quote"]:
                raise LecternError("a note needs some text or a quoted passage")  # as add_note says
            sql.set_note_fields(conn, note_id, text, clean_color(color) if color is not None else None,
                                color is not None, utc_now())
            if tags is not None:
                write_tags(conn, note_id, clean_tags(tags))
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
            if not sql.move_note_to_trash(conn, note_id, deleted):
                raise LecternError(f"no note with id {note_id!r}")
        self._emit_notes(deleted=[note_id])
        return dataclasses.replace(note, deleted=deleted)

    def restore_note(self, note_id: str) -> Note:
        """Take a note out of the trash, as it was."""
        with self._writing() as conn:
            if not sql.take_note_from_trash(conn, note_id):
                raise LecternError(f"no note with id {note_id!r} in the trash")
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def trash(self) -> list[Note]:
        """The notes in the trash, most recently deleted first (``Note.deleted`` says when)."""
        with self._reading() as conn:
            return sql.trashed_notes(conn)

    def empty_trash(self, older_than_days: float | None = None) -> int:
        """Delete for good the notes in the trash (only those deleted more than ``older_than_days``
        ago when given); returns how many. The only call that ever drops a note."""
        if self.read_only:
            return 0
        cutoff = None
        if older_than_days is not None:
            moment = datetime.now(timezone.utc) - timedelta(days=older_than_days)
            cutoff = moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
        with self._reading() as conn:  # most opens find nothing to do: no write lock for them
            if not sql.trash_has_notes(conn, cutoff):
                return 0
        with self._writing() as conn:
            ids = sql.drop_trashed_notes(conn, cutoff)
        if ids:
            self._emit("trash_emptied", ids)
        return len(ids)

    def change_quote(self, note_id: str, article_id: str, section_id: str, quote: str,
                     prefix: str = "", suffix: str = "") -> Note:
        """Anchor a note to a new quoted passage (and its section), keeping its text, tags and colour.

        ``prefix``/``suffix`` (the text around the selection) pick the occurrence meant.
        The new passage is the note's baseline: ``original_quote``, state ``exact``, nothing to review.
        """
        self.note(note_id)  # exists and is not in the trash
        if not (quote or "").strip():
            raise LecternError("select the passage the note should quote")
        _, section = self._target(article_id, section_id)
        anchor = (anchor_to(section, quote, prefix or "", suffix or "") if section is not None
                  else Anchor(section_id, (), quote.strip()))
        with self._writing() as conn:
            save_note_anchor(conn, note_id, article_id, anchor, self._fingerprint(article_id), utc_now())
            sql.make_quote_the_original(conn, note_id)
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def suggest_section(self, note_id: str, article_id: str) -> str:
        """The section of ``article_id`` to propose when re-attaching a note: its own section if the
        article still has it, else the one most like its quote, context and heading path."""
        note = self.note(note_id)
        article = self._articles.article(article_id) if self._articles is not None else None
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
            save_note_anchor(conn, note_id, article_id, anchor, self._fingerprint(article_id), utc_now())
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def accept_anchor(self, note_id: str) -> Note:
        """The user agrees with where re-anchoring put the note: its state becomes ``exact`` (a note whose
        passage is gone stays ``section``, on its section as it is); either way it is reviewed."""
        return self._set_reviewed(note_id, sql.ACCEPT_ANCHOR)

    def leave_orphaned(self, note_id: str) -> Note:
        """The passage re-anchoring found is not the note's: keep the note orphaned, with the text first quoted."""
        return self._set_reviewed(note_id, sql.LEAVE_ORPHANED)

    def _set_reviewed(self, note_id: str, statement: str) -> Note:
        with self._writing() as conn:
            if not sql.set_reviewed(conn, note_id, statement):
                raise LecternError(f"no note with id {note_id!r}")
        note = self.note(note_id)
        self._emit_notes(changed=[note])
        return note

    def notes_to_review(self) -> list[Note]:
        """Notes whose passage re-anchoring moved (fuzzy) or lost, not yet reviewed by the user."""
        with self._reading() as conn:
            return sql.notes_in_review(conn)

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
            rows = sql.ids_starting(conn, table, prefix)
        if not rows:
            raise LecternError(f"no {kind} with an id starting {prefix!r}")
        if len(rows) > 1:
            raise LecternError(f"more than one {kind} has an id starting {prefix!r}; give more characters")
        return rows[0]

    # ------------------------------------------------------------------ re-anchoring

    def reanchor(self, current: dict[str, str] | None = None) -> list[Note]:
        """Re-place the notes and bookmarks whose article changed since they were anchored.

        Notes of an article that vanished are orphaned; its bookmarks are left
        as they are (they are never orphaned or deleted). Returns the notes
        that were updated (bookmarks are announced with ``"bookmarks_changed"``);
        an article that cannot be read right now leaves its notes and bookmarks
        untouched until it can. ``current``: ``{article id: fingerprint}`` of the articles now
        (asked of the lookup when not given).
        """
        if self.read_only or self._articles is None:
            return []
        current = self._articles.fingerprints() if current is None else current
        with self._reading() as conn:
            stale, stale_marks = stale_articles(conn, current)
        if not stale and not stale_marks:
            return []
        articles = {aid: self._article_or_missing(aid, current) for aid in sorted(stale | stale_marks)}
        with self._writing() as conn:
            done = reanchor_in(conn, stale, stale_marks, current, articles)
        changed = self.notes_by_id(done.note_ids)  # trashed notes are re-placed too, quietly
        self._emit_notes(changed=changed)
        if done.bookmarks_changed:
            self._emit("bookmarks_changed", None)
        if done.report.moved or done.report.lost:
            self._emit("anchors_changed", done.report)
        return changed

    def notes_by_id(self, note_ids) -> list[Note]:
        """The notes (not in the trash) with these ids, in the order of ``note_ids``."""
        by_id = {r["id"]: r for r in self.note_records(note_ids=note_ids)}
        return [note_from_record(by_id[i]) for i in note_ids if i in by_id]

    def _article_or_missing(self, article_id: str, current: dict) -> Article | None | bool:
        """The article, None when it left the library, False when it cannot be read now
        (unreadable, or only hidden, e.g. a bundled article under ``--no-bundled``)."""
        if article_id not in current:
            return False if self._articles.is_hidden(article_id) else None
        try:
            return self._articles.article(article_id)
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
            sql.save_position(conn, article_id, section_id, offset, utc_now())

    def position(self, article_id: str) -> tuple[str, int] | None:
        with self._reading() as conn:
            return sql.saved_position(conn, article_id)

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
            sql.save_state(conn, key, value)

    def _state(self, key: str, default):
        with self._reading() as conn:
            return sql.saved_state(conn, key, default)

    # ------------------------------------------------------------------ backups

    def backup(self) -> Path:
        """A complete copy of the database in the backups folder (works read-only too)."""
        with self._lock:
            return restoring.backup_now(self._conn, self.paths.backups_dir, self.problem, self.damaged)

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
                self._conn.close()
                restoring.restore_by_replacing(path, self.path)
            else:
                restoring.restore_in_place(self._conn, path, self.path, self.paths.backups_dir, self._timeout)
            self._reopen()
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

    def _reopen(self) -> None:
        self._conn.close()
        self.notices.clear(PROBLEM)  # the restore replaced the file it was about
        opened = open_database(self.path, self.paths.backups_dir, self._timeout)
        self._conn, self.problem, self.damaged = opened.conn, opened.problem, opened.damaged
        if self.problem:
            self._tell(self.problem, key=PROBLEM)

    # ------------------------------------------------------------------ export / import

    def export_notes(self, fmt: str = "markdown", article_id: str | None = None, note_ids=None) -> str:
        """Notes (and, in JSON, bookmarks) as ``"markdown"``, ``"json"`` or ``"w3c"`` text.

        ``note_ids`` exports only those notes (and, in JSON, no bookmarks):
        the All notes window's current filter. Notes in the trash are never exported.
        """
        records = self.note_records(article_id, note_ids=note_ids)
        marks = [b for b in self.bookmarks() if article_id is None or b.article_id == article_id] if fmt == "json" else []
        return transfer.export_text(fmt, records, marks if note_ids is None else [], self._articles)

    def import_notes(self, path_or_text: str | os.PathLike) -> ImportReport:
        """Add the notes and bookmarks of a JSON or W3C export; ones already present are skipped,
        ones in the trash are restored from it (``report.restored``).

        The whole input is validated before anything is written, and everything
        is written in one transaction: a bad file changes nothing.
        """
        parsed = exchange.parse_import(path_or_text)
        report = ImportReport()
        with self._writing() as conn:
            added_notes = transfer.insert_new(conn, parsed, report)
        reanchored = {n.id: n for n in self.reanchor()}
        imported = [reanchored.get(r["id"]) or note_from_record(r) for r in added_notes]
        report.reanchored = sum(1 for r in added_notes if r["id"] in reanchored)
        report.orphaned = sum(1 for n in imported if n.orphaned)
        report.note_ids = [r["id"] for r in added_notes] + report.restored_ids
        restored = [self.note(i) for i in report.restored_ids if i not in reanchored]
        self._emit_notes(changed=[n for n in imported if n.id not in reanchored] + restored)
        if report.bookmarks_added:
            self._emit("bookmarks_changed", None)
        return report


def _default_name(article_id: str, section_id: str | None, article: Article | None, section: Section | None) -> str:
    if article is None:
        return f"{article_id}#{section_id}" if section_id else article_id
    if section is None or section.is_lead:
        return article.title
    return section_label(section.path, article.title)


