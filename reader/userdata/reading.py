"""Reading the notes without opening the store: what a search on a current index needs.

Opening the store probes, migrates, backs up and re-anchors (it writes); the
search index only has to compare the notes with what it holds. This reads
them on a read-only connection that leaves nothing beside the file.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..regularfile import is_special_file
from .db import connect_untouched
from .migrations import SCHEMA_VERSION, user_version
from .models import Note
from .records import live_note_records, note_from_record

READ_TIMEOUT = 2.0  # seconds; a longer wait means another process writes: the store then opens as usual


def notes_readable(path: Path) -> bool:
    """Whether :func:`read_notes` can read the database as it is (no database counts: no notes)."""
    if not Path(path).exists():
        return True
    try:
        conn = connect_untouched(Path(path), timeout=READ_TIMEOUT)
    except sqlite3.Error:
        return False
    try:
        return user_version(conn) == SCHEMA_VERSION
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def read_notes(path: Path) -> list[Note] | None:
    """The live notes; ``[]`` when there is no database; None when only the store can tell
    (a schema to migrate, a damaged or unreadable file: the store reports those)."""
    if not Path(path).exists():
        return []
    if is_special_file(path):  # a FIFO would hang the connection: the store says what is wrong
        return None
    try:
        conn = connect_untouched(Path(path), timeout=READ_TIMEOUT)
    except sqlite3.Error:
        return None
    try:
        if user_version(conn) != SCHEMA_VERSION:
            return None
        return [note_from_record(r) for r in live_note_records(conn)]
    except sqlite3.Error:
        return None
    finally:
        conn.close()
