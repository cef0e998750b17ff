"""The index directory on disk: generations, the stamp, the catalog and the process lock.

Layout of ``index_dir`` (derived data in the user's cache dir)::

    CURRENT            name of the live generation, replaced atomically
    gen-<ns>/          a Whoosh index + stamp.json + catalog.marshal, catalog.journal (catalog.py),
                       suggest-<generation>.bin (suggest.py), vocabulary.marshal
    build-<random>/    a full rebuild in progress (if its process dies, removed by the next one to take the lock)
    write.lock         held (OS file lock) by the one process writing the index

A full rebuild happens in ``build-*`` and becomes live by renaming it to
``gen-*`` and rewriting ``CURRENT``, so a search during a rebuild still reads
the old generation, and a crash mid-build leaves the old index untouched.
The write lock is an OS lock (``flock``/``msvcrt``), released by the OS when a
process dies: a lock file left by a killed process never blocks anyone.
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import shutil
import tempfile
import time
from pathlib import Path

from ..atomicfile import atomic_write_text, replace_derived

CURRENT = "CURRENT"
STAMP = "stamp.json"
CATALOG = "catalog.marshal"
JOURNAL = "catalog.journal"
OLD_HEADINGS = "headings.marshal"  # catalog format 3 (before the journal): removed when met
SUGGESTIONS = "suggest-{generation}.bin"
VOCABULARY = "vocabulary.marshal"
LOCK = "write.lock"
_POLL_SECONDS = 0.05


class IndexDirectory:
    def __init__(self, root: Path):
        self.root = Path(root)

    def current(self) -> Path | None:
        """The live generation, or None when there is none (or CURRENT is unreadable)."""
        try:
            name = (self.root / CURRENT).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        path = self.root / name
        return path if name.startswith("gen-") and path.is_dir() else None

    def current_marker(self) -> tuple[int, int] | None:
        """Cheap identity of CURRENT (mtime, size) to notice another process's swap."""
        try:
            st = (self.root / CURRENT).stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_ino)

    def new_build_dir(self) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="build-", dir=self.root))

    def publish(self, build: Path) -> Path:
        """Make a finished build the live generation and drop the older ones."""
        final = self.root / f"gen-{time.time_ns()}"
        os.rename(build, final)
        atomic_write_text(self.root / CURRENT, final.name)
        self.remove_stale(keep=final)
        return final

    def remove_stale(self, keep: Path | None) -> None:
        """Old generations and abandoned builds (call only while holding the write lock)."""
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if path.is_dir() and path != keep and path.name.startswith(("gen-", "build-")):
                shutil.rmtree(path, ignore_errors=True)  # Windows: a file still open elsewhere stays until next time

    def remove_abandoned_builds(self) -> None:
        """``build-*`` folders of rebuilds whose process died (call only while holding the write lock:
        a build in progress holds it, so every build folder seen then is abandoned)."""
        if not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if path.name.startswith("build-") and path.is_dir():
                shutil.rmtree(path, ignore_errors=True)

    @contextlib.contextmanager
    def write_lock(self, timeout: float):
        """Yield True once this process holds the write lock, False after ``timeout`` seconds."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as handle:
            deadline = time.monotonic() + timeout
            while not _try_lock(handle):
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(_POLL_SECONDS)
            try:
                yield True
            finally:
                _unlock(handle)


def read_json(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def write_json(path: Path, data: dict) -> None:
    atomic_write_text(path, json.dumps(data, sort_keys=True))


def read_marshal(path: Path):
    """A sidecar written by :func:`write_marshal`, or None if missing or damaged."""
    try:
        return marshal.loads(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def write_marshal(path: Path, data) -> None:
    """Replace a sidecar (derived data: a lost write is noticed by the generation check and
    recomputed, so it is not fsynced on every one-article update)."""
    replace_derived(path, marshal.dumps(data))


def _try_lock(handle) -> bool:
    try:
        import fcntl
    except ImportError:
        return _try_lock_windows(handle)
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def _unlock(handle) -> None:
    try:
        import fcntl
    except ImportError:
        import msvcrt

        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        return
    fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _try_lock_windows(handle) -> bool:
    import msvcrt

    try:
        handle.seek(0)
        msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False
