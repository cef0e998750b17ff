"""Backups with SQLite's online backup API: consistent copies while the app runs.

* ``auto-YYYYMMDD.sqlite3``: at most one a day, made when the store opens; the
  newest :data:`KEEP_AUTO` are kept.
* ``lectern-YYYYMMDD-HHMMSS.sqlite3``: ``lectern backup``; never pruned.
* ``pre-vN-...`` before a schema migration, ``pre-restore-...`` before a restore.

A backup is written to a temporary name, fsynced, then renamed, so a file with
a backup's name is always complete.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from pathlib import Path

from ..atomicfile import _fsync_dir
from ..regularfile import file_problem
from .db import connect, connect_untouched, quick_check
from .migrations import SCHEMA_VERSION, migrate, user_version

SUFFIX = ".sqlite3"
AUTO_PREFIX = "auto-"
KEEP_AUTO = 7


def write_backup(conn: sqlite3.Connection, target: Path) -> Path:
    """Copy the database behind ``conn`` to ``target`` (complete or absent, never partial)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    tmp.unlink(missing_ok=True)
    dst = sqlite3.connect(str(tmp))
    try:
        conn.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # a backup is one self-contained file
    finally:
        dst.close()
    move_into_place(tmp, target)
    return target


def move_into_place(tmp: Path, target: Path) -> None:
    """Make the finished database file ``tmp`` durable, then give it ``target``'s name."""
    with open(tmp, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)
    _fsync_dir(target.parent)


def named_backup(conn: sqlite3.Connection, backups_dir: Path, prefix: str = "lectern-") -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    target = backups_dir / f"{prefix}{stamp}{SUFFIX}"
    n = 1
    while target.exists():
        n += 1
        target = backups_dir / f"{prefix}{stamp}-{n}{SUFFIX}"
    return write_backup(conn, target)


def daily_backup(conn: sqlite3.Connection, backups_dir: Path) -> Path | None:
    """Today's automatic backup, unless there is one already; prunes old ones."""
    target = backups_dir / f"{AUTO_PREFIX}{time.strftime('%Y%m%d', time.gmtime())}{SUFFIX}"
    if target.exists():
        return None
    write_backup(conn, target)
    for old in sorted(backups_dir.glob(f"{AUTO_PREFIX}*{SUFFIX}"))[:-KEEP_AUTO]:
        old.unlink(missing_ok=True)
    return target


def all_backups(backups_dir: Path) -> list[Path]:
    """Backups, newest first (by modification time)."""
    if not backups_dir.is_dir():
        return []
    found = [p for p in backups_dir.glob(f"*{SUFFIX}") if not p.name.startswith(".")]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns, reverse=True)


def newest_backup(backups_dir: Path) -> Path | None:
    found = all_backups(backups_dir)
    return found[0] if found else None


def check_restorable(path: Path) -> str | None:
    """Why ``path`` cannot be restored, or None when it is a sound Lectern database."""
    problem = file_problem(path)  # a FIFO or /dev/zero is "not a regular file", not "no such file"
    if problem is not None:
        return "it is a folder, not a backup file" if path.is_dir() else problem
    try:
        conn = connect_untouched(path)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        check = quick_check(conn)
        if check != "ok":
            return f"the file is damaged ({check})"
        version = user_version(conn)
        if version > SCHEMA_VERSION:
            return f"it was written by a newer Lectern (schema version {version}, this one knows up to {SCHEMA_VERSION})"
        if version < 1:
            return "not a Lectern notes database"
        missing = schema_problem(conn, version)
    except sqlite3.Error as exc:
        return f"not a Lectern database ({exc})"
    finally:
        conn.close()
    return f"not a Lectern notes database of schema version {version} ({missing})" if missing else None


def schema_problem(conn: sqlite3.Connection, version: int) -> str | None:
    """What the database lacks of Lectern's schema at ``version`` (tables, columns), or None.

    The reference is built by running the migrations up to ``version`` in
    memory, so the check follows every schema step without a second copy of it.
    Extra tables or columns are allowed.
    """
    expected = _reference_columns(version)
    found = _columns_by_table(conn)
    absent = [t for t in expected if t not in found]
    if absent:
        return f"it has no table {', '.join(map(repr, absent))}"
    for table, columns in expected.items():
        lacking = [c for c in columns if c not in found[table]]
        if lacking:
            return f"table {table!r} lacks the column{'s' if len(lacking) > 1 else ''} {', '.join(map(repr, lacking))}"
    return None


@functools.lru_cache(maxsize=None)
def _reference_columns(version: int) -> dict[str, list[str]]:
    """Tables and columns of Lectern's schema at ``version``, built once per process in memory."""
    reference = connect(Path(":memory:"))
    try:
        migrate(reference, target=version)
        return _columns_by_table(reference)
    finally:
        reference.close()


def _columns_by_table(conn: sqlite3.Connection) -> dict[str, list[str]]:
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
    return {t: [r[1] for r in conn.execute(f"PRAGMA table_info({_quoted(t)})")] for t in tables}


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
