"""Bookmarks, notes and reading state: the only package that imports sqlite3.

See docs/data-model.md. The GUI and CLI reach it through ``Library.store``; the coordinator
(``reader/coordinator.py``) opens it and runs re-anchoring after scans.
"""

from .db import ReadOnlyStoreError, StoreError
from .models import Bookmark, ImportReport, Note, NotesChange
from .reading import notes_readable, read_notes
from .store import UserStore

__all__ = ["UserStore", "notes_readable", "read_notes", "Bookmark", "Note", "NotesChange", "ImportReport", "StoreError", "ReadOnlyStoreError"]
