"""An advisory lock between Lectern processes, held for short critical sections.

Used around library scans (so two processes never overwrite each other's
manifest) and around opening the notes database (so two processes starting at
once never race through its creation and migration).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterator


@contextlib.contextmanager
def file_lock(path: Path, enabled: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed); a no-op where ``fcntl`` is missing.

    On Windows there is no ``fcntl``: the manifest write is atomic anyway and
    SQLite's own locking still protects the database, only less gracefully.
    """
    if not enabled:
        yield
        return
    try:
        import fcntl
    except ImportError:
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
