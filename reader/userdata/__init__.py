"""Bookmarks, notes and reading state: the only package that imports sqlite3.

See docs/data-model.md. The GUI and CLI reach it through ``Library.store``.
"""

from .db import ReadOnlyStoreError, StoreError
from .models import Bookmark, ImportReport, Note, NotesChange
from .store import UserStore

__all__ = ["UserStore", "Bookmark", "Note", "NotesChange", "ImportReport", "StoreError", "ReadOnlyStoreError"]
