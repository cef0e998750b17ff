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
from ..regularfile import NOT_REGULAR, is_special_file
from .backups import move_into_place, named_backup, newest_backup, schema_problem
from .db import configure_for_writing, connect, connect_untouched, describe, disk_full, quick_check
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
        return _create(path, backups_dir, timeout)
    if is_special_file(path):  # a FIFO would hang SQLite's open; a device is no database
        return Opened(_empty(), problem=f"the notes database {path} is {NOT_REGULAR}: bookmarks and notes "
                                        "cannot be read or saved; move it away")
    if _is_empty_file(path):  # a new database is never empty (see _create): something truncated it
        return Opened(_empty(), problem=damaged_message(path, "the file is empty", backups_dir), damaged=True)
    try:
        probe = _probe(path, timeout)
        version, check = user_version(probe), quick_check(probe)
        lacking = schema_problem(probe, version) if check == "ok" and 1 <= version <= SCHEMA_VERSION else None
    except sqlite3.Error as exc:
        if not _is_damage(exc):  # a full disk, an I/O error: the file may well be sound
            return Opened(_read_only_or_empty(path, timeout), problem=_cannot_open_message(path, exc, timeout))
        return Opened(_empty(), problem=damaged_message(path, str(exc), backups_dir), damaged=True)
    if check != "ok":
        return Opened(probe, problem=damaged_message(path, check, backups_dir), damaged=True)
    if lacking:  # e.g. tables dropped by another program: every call would fail with "no such table"
        probe.close()
        return Opened(_empty(), problem=damaged_message(path, f"not Lectern's schema: {lacking}", backups_dir), damaged=True)
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
    detail = " ".join(str(detail).split())  # quick_check answers one line per problem: one line here
    return f"the notes database {path} is damaged ({detail}). It was left untouched and is read-only. {offer}"


def _is_damage(exc: sqlite3.Error) -> bool:
    """Whether SQLite says the file itself is bad (not that it could not be read or written right now)."""
    name, text = getattr(exc, "sqlite_errorname", "") or "", str(exc)
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text


def _cannot_open_message(path: Path, exc: sqlite3.Error | OSError, timeout: float) -> str:
    """Why the database is read-only when it could not be opened for writing; "disk full" when it is."""
    if disk_full(path.parent):
        return (f"the disk holding the notes database {path} is full: bookmarks and notes are read-only "
                "until some space is freed (nothing was lost)")
    detail = describe(exc, path, timeout) if isinstance(exc, sqlite3.Error) else f"{path}: {exc.strerror or exc}"
    return f"cannot open the notes database for writing: {detail}"


def _is_empty_file(path: Path) -> bool:
    try:
        return path.is_file() and path.stat().st_size == 0
    except OSError:
        return False


def _create(path: Path, backups_dir: Path, timeout: float) -> Opened:
    """A new database: the schema is built under a temporary name, then renamed into place.

    So a file with the database's name is never empty or half-made, even if
    the process is killed while creating it: an empty ``lectern.sqlite3`` is
    always damage, never mistaken for "no notes yet".
    """
    temp = path.with_name(f".{path.name}.new")
    try:
        for leftover in _with_sidecars(temp):  # from a creation that was killed
            leftover.unlink(missing_ok=True)
        conn = connect(temp, timeout=timeout)
        try:
            migrate(conn)
        finally:
            conn.close()
        move_into_place(temp, path)
    except (sqlite3.Error, OSError) as exc:
        return Opened(_empty(), problem=_cannot_open_message(path, exc, timeout))
    return _open_for_writing(path, backups_dir, timeout, created=True)


def _with_sidecars(path: Path) -> list[Path]:
    return [Path(f"{path}{suffix}") for suffix in ("", "-journal", "-wal", "-shm")]


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
        return Opened(_read_only_or_empty(path, timeout), problem=_cannot_open_message(path, exc, timeout))


def _read_only_or_empty(path: Path, timeout: float) -> sqlite3.Connection:
    """The notes as they are, read-only, when writing is impossible (locked, full disk): never show an empty list for a sound file.

    When even a read-only connection fails (a full disk cannot hold the WAL
    index), the file is read as it is on disk (``immutable``).
    """
    if path.exists():
        for immutable in (False, True):
            try:
                return _probe(path, timeout, immutable=immutable)
            except sqlite3.Error:
                pass
    return _empty()


def _probe(path: Path, timeout: float, immutable: bool | None = None) -> sqlite3.Connection:
    """A read-only connection that leaves nothing beside the file (:func:`connect_untouched`).

    Other Lectern processes cannot open the database meanwhile: they wait for
    the open lock we hold. ``immutable`` is also the fallback when even the WAL
    index cannot be created (a read-only folder).
    """
    if immutable is None:
        conn = connect_untouched(path, timeout)
    else:
        conn = connect(path, read_only=True, immutable=immutable, timeout=timeout)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        return conn
    except sqlite3.OperationalError:
        conn.close()
        if immutable or _writable(path.parent):
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
