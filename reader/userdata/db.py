"""SQLite plumbing: connections, the transaction context manager, error messages.

Every failure SQLite can report for reasons outside Lectern's control (a
read-only disk, a full disk, a lock held too long, a damaged file) becomes a
:class:`StoreError` whose message tells the user what happened and that nothing
was half-written: every change runs in one transaction, rolled back on error.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
from pathlib import Path
from typing import Iterator

from ..errors import LecternError

DEFAULT_BUSY_TIMEOUT = 10.0  # seconds another process may hold the write lock before we give up
DISK_FULL_BYTES = 1024 * 1024  # less free space than this where the database lives: "the disk is full"


class StoreError(LecternError):
    """The notes database could not do what was asked; nothing was changed."""


class ReadOnlyStoreError(StoreError):
    """A change was asked of a store opened read-only (the message says why)."""


def connect(path: Path, *, read_only: bool = False, immutable: bool = False, timeout: float = DEFAULT_BUSY_TIMEOUT) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are explicit (see :func:`transaction`).

    ``check_same_thread=False`` because GUI workers share the store; the store
    serialises its own calls with a lock.
    """
    if read_only or immutable:
        uri = Path(path).resolve().as_uri() + ("?immutable=1" if immutable else "?mode=ro")
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=timeout, check_same_thread=False)
    else:
        conn = sqlite3.connect(str(path), isolation_level=None, timeout=timeout, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    return conn


def connect_untouched(path: Path, timeout: float = DEFAULT_BUSY_TIMEOUT) -> sqlite3.Connection:
    """A read-only connection that leaves nothing beside the file.

    Without a ``-wal`` (or ``-journal``) file nobody has the database open
    for writing and every commit is in the file itself, so it is read
    ``immutable``: SQLite then creates no ``-wal``/``-shm`` beside a file it may
    not touch (a newer version's, a damaged one, a backup being restored).
    With one it is opened ``mode=ro``, which reads the WAL too.
    """
    immutable = not Path(f"{path}-wal").exists() and not Path(f"{path}-journal").exists()
    return connect(path, read_only=True, immutable=immutable, timeout=timeout)


def configure_for_writing(conn: sqlite3.Connection) -> None:
    """WAL (readers never block the writer), fsync on every commit, foreign keys."""
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if str(mode).lower() != "wal":
        raise StoreError(f"the notes database cannot use write-ahead logging (journal mode stays {mode!r})")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")


def quick_check(conn: sqlite3.Connection) -> str:
    """'ok' or SQLite's description of the damage."""
    rows = conn.execute("PRAGMA quick_check").fetchall()
    return "; ".join(str(r[0]) for r in rows[:5])


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` ... ``COMMIT``; any exception rolls everything back.

    IMMEDIATE takes the write lock up front, so two processes never deadlock
    upgrading read locks; the busy timeout decides how long we wait for it.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def describe(exc: sqlite3.Error, path: Path, timeout: float = DEFAULT_BUSY_TIMEOUT) -> str:
    """A message for the user: what went wrong with the database at ``path``."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return (
            f"the notes database {path} stayed locked by another program (another Lectern?) "
            f"for more than {timeout:g} s; nothing was changed, try again"
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text:
        return f"the notes database {path} is read-only (check the folder's permissions or free the disk); nothing was changed"
    if name == "SQLITE_FULL" or "full" in text:
        return f"the disk holding the notes database {path} is full; nothing was changed, free some space and try again"
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in text or "not a database" in text:
        return f"the notes database {path} is damaged ({text}); it was left untouched"
    if name.startswith(("SQLITE_IOERR", "SQLITE_CANTOPEN")) or "disk I/O error" in text:
        if disk_full(path.parent):  # SQLite reports a failed write on a full disk as an I/O error too
            return f"the disk holding the notes database {path} is full; nothing was changed, free some space and try again"
        return f"cannot read or write the notes database {path} ({text}); nothing was changed"
    return f"notes database error ({text}); nothing was changed"


def disk_full(directory: Path) -> bool:
    """Whether the disk holding ``directory`` has (next to) no free space left."""
    try:
        return shutil.disk_usage(directory).free < DISK_FULL_BYTES
    except OSError:
        return False


@contextlib.contextmanager
def reported(path: Path, timeout: float = DEFAULT_BUSY_TIMEOUT) -> Iterator[None]:
    """Turn sqlite3 errors (and text SQLite cannot encode) raised inside the block into :class:`StoreError`."""
    try:
        yield
    except sqlite3.Error as exc:
        raise StoreError(describe(exc, path, timeout)) from exc
    except UnicodeEncodeError as exc:  # a lone surrogate, e.g. a non-UTF-8 byte from the command line
        bad = ascii(exc.object[exc.start:exc.end]) if isinstance(exc.object, str) else "?"
        raise StoreError(f"cannot save text that is not valid Unicode (it contains {bad}, "
                         "perhaps a byte that is not UTF-8); nothing was changed") from None
