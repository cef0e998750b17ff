"""Opening the database safely: inspect first, write only when it is safe.

The file is first opened read-only to read its schema version and run
``PRAGMA quick_check``. Only a sound database of this version or older, in a
writable folder, is reopened for writing (and migrated). Everything else is
kept as it is and served read-only, with a message saying why:

* written by a newer Lectern: read-only, the file is never modified;
* damaged: never overwritten; the message names the newest backup to restore;
* read-only folder or file: read-only.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..filelock import file_lock
from .backups import newest_backup, named_backup
from .db import configure_for_writing, connect, describe, quick_check
from .migrations import SCHEMA_VERSION, migrate, user_version


@dataclass
class Opened:
    conn: sqlite3.Connection
    problem: str | None = None  # set: the store is read-only, and this says why
    damaged: bool = False
    created: bool = False
    migrated: list[int] | None = None


def open_database(path: Path, backups_dir: Path, timeout: float) -> Opened:
    """Inspect, then open (creating or migrating) the database, one process at a time.

    Without the lock, two processes starting together raced through the
    creation of a new file (one saw it half-made and fell back to read-only).
    """
    _try_mkdir(path.parent)
    if not _writable(path.parent):
        return _open_unlocked(path, backups_dir, timeout)
    with file_lock(path.with_name(f".{path.name}.open-lock")):
        return _open_unlocked(path, backups_dir, timeout)


def _open_unlocked(path: Path, backups_dir: Path, timeout: float) -> Opened:
    if not path.exists():
        _try_mkdir(path.parent)
        if not _writable(path.parent):
            return Opened(_empty(), problem=f"the data folder {path.parent} is read-only: bookmarks and notes cannot be saved")
        return _open_for_writing(path, backups_dir, timeout, created=True)
    try:
        probe = _probe(path, timeout)
        version, check = user_version(probe), quick_check(probe)
    except sqlite3.Error as exc:
        return Opened(_empty(), problem=damaged_message(path, str(exc), backups_dir), damaged=True)
    if check != "ok":
        return Opened(probe, problem=damaged_message(path, check, backups_dir), damaged=True)
    if version > SCHEMA_VERSION:
        return Opened(probe, problem=(
            f"the notes database {path} was written by a newer Lectern (schema version {version}; this version "
            f"knows up to {SCHEMA_VERSION}): bookmarks and notes are read-only and the file is left unchanged"
        ))
    if not (_writable(path.parent) and os.access(path, os.W_OK)):
        return Opened(probe, problem=f"the notes database {path} is on a read-only disk or folder: bookmarks and notes cannot be saved")
    probe.close()
    return _open_for_writing(path, backups_dir, timeout, created=False, version=version)


def damaged_message(path: Path, detail: str, backups_dir: Path) -> str:
    backup = newest_backup(backups_dir)
    offer = (
        f"The newest backup is {backup}; restore it with `lectern restore {backup}` (the damaged file is kept aside)."
        if backup else "There is no backup to restore."
    )
    return f"the notes database {path} is damaged ({detail}). It was left untouched and is read-only. {offer}"


def _open_for_writing(path: Path, backups_dir: Path, timeout: float, created: bool, version: int = 0) -> Opened:
    conn = None
    try:
        conn = connect(path, timeout=timeout)
        configure_for_writing(conn)
        if 0 < version < SCHEMA_VERSION:  # keep the old file before changing its schema
            named_backup(conn, backups_dir, prefix=f"pre-v{SCHEMA_VERSION}-")
        return Opened(conn, created=created, migrated=migrate(conn))
    except (sqlite3.Error, OSError) as exc:
        if conn is not None:
            conn.close()
        detail = describe(exc, path, timeout) if isinstance(exc, sqlite3.Error) else f"{path}: {exc.strerror or exc}"
        return Opened(_read_only_or_empty(path, timeout), problem=f"cannot open the notes database for writing: {detail}")


def _read_only_or_empty(path: Path, timeout: float) -> sqlite3.Connection:
    """The notes as they are, read-only, when writing is impossible (locked, full disk): never show an empty list for a sound file."""
    if path.exists():
        try:
            return _probe(path, timeout)
        except sqlite3.Error:
            pass
    return _empty()


def _probe(path: Path, timeout: float) -> sqlite3.Connection:
    """A read-only connection; ``immutable`` when even the WAL index cannot be created."""
    conn = connect(path, read_only=True, timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if _writable(path.parent):
            raise
        conn = connect(path, immutable=True, timeout=timeout)
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn


def _empty() -> sqlite3.Connection:
    """An in-memory database with the schema: read-only stores answer "nothing" from it."""
    conn = connect(Path(":memory:"))
    migrate(conn)
    return conn


def _try_mkdir(directory: Path) -> None:
    """Create the data folder if possible; if not, the store opens read-only and says why."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass


def _writable(directory: Path) -> bool:
    return directory.is_dir() and os.access(directory, os.W_OK)
