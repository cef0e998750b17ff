"""Backup and restore orchestration for the open store (the copies themselves: :mod:`backups`).

The store calls these under its lock; they never emit anything: the store
announces the restored notes and bookmarks once its lock is released.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from . import backups
from .db import StoreError, connect_untouched, reported


def backup_now(conn: sqlite3.Connection, backups_dir: Path, problem: str | None, damaged: bool) -> Path:
    """A complete copy of the database in the backups folder (works read-only too)."""
    if damaged:
        raise StoreError(f"cannot back up: {problem}")
    try:
        return backups.named_backup(conn, backups_dir)
    except sqlite3.Error as exc:
        raise StoreError(f"the backup failed: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"cannot write the backup to {backups_dir}: {exc.strerror or exc}") from exc


def restore_in_place(conn: sqlite3.Connection, source_path: Path, database: Path, backups_dir: Path,
                     timeout: float) -> None:
    """Copy the backup over the open database, after a ``pre-restore-*`` backup of it."""
    with reported(database, timeout):
        backups.named_backup(conn, backups_dir, prefix="pre-restore-")
        source = connect_untouched(source_path)
        try:
            source.backup(conn)
        finally:
            source.close()


def restore_by_replacing(source_path: Path, database: Path) -> None:
    """The current file cannot be trusted or written (its connection is closed): keep it aside
    (``.set-aside-*``, never deleted) and put the backup in its place."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    for suffix in ("", "-wal", "-shm"):
        current = Path(str(database) + suffix)
        if current.exists():
            os.replace(current, current.with_name(f"{database.name}.set-aside-{stamp}{suffix}"))
    source = connect_untouched(source_path)
    try:
        backups.write_backup(source, database)
    finally:
        source.close()
