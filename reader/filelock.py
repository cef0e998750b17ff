"""An advisory lock between Lectern processes, held for short critical sections.

Used around library scans (so two processes never overwrite each other's
manifest) and around opening the notes database (so two processes starting at
once never race through its creation and migration).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Callable, Iterator


@contextlib.contextmanager
def file_lock(path: Path, enabled: bool = True, on_unwritable: Callable[[OSError], None] | None = None) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed); a no-op where ``fcntl`` is missing.

    On Windows there is no ``fcntl``: the manifest write is atomic anyway and
    SQLite's own locking still protects the database, only less gracefully.

    When the lock file cannot be created or opened for writing (a read-only data
    folder or disk), ``on_unwritable(error)`` is called (if given) and the
    critical section runs under a shared lock on the existing file (so it still
    waits for a writer), or with no lock when there is none. The caller cannot
    write in that folder either, and meets its own read-only handling (the
    library's read-only mode, the database's ``mode=ro``) instead of a
    PermissionError on the lock.
    """
    if not enabled:
        yield
        return
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(path, "a+b")
        mode = fcntl.LOCK_EX
    except OSError as exc:
        if on_unwritable is not None:
            on_unwritable(exc)
        handle, mode = _open_for_reading(path), fcntl.LOCK_SH
    with handle if handle is not None else contextlib.nullcontext():
        if handle is not None:
            fcntl.flock(handle, mode)
        try:
            yield
        finally:
            if handle is not None:
                fcntl.flock(handle, fcntl.LOCK_UN)


def _open_for_reading(path: Path):
    try:
        return open(path, "rb")
    except OSError:
        return None


def unwritable_error(path: Path) -> OSError | None:
    """Why the lock file at ``path`` cannot be created or written (a read-only folder or disk), or None.

    Opens it without locking, so it never waits for another process.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        open(path, "a+b").close()
    except OSError as exc:
        return exc
    return None
