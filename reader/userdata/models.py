"""The user-data records the store hands out: small immutable dataclasses."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from ..textutil import plural


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string with milliseconds (sorts as text)."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Bookmark:
    """A bookmark on an article or one of its sections.

    ``section_path``, ``section_sha`` and ``article_sha`` describe the section
    when the bookmark was last placed (empty: not yet known), so the bookmark
    can follow its section when the article is edited (docs/data-model.md).
    """

    id: str
    article_id: str
    section_id: str | None  # None: the article itself
    name: str
    folder: str | None
    created: str
    updated: str
    section_path: tuple[str, ...] = ()
    section_sha: str = ""  # SHA-256 of the section's own text when placed
    article_sha: str = ""  # the article's SHA-256 when placed ('' = never)
    anchor_state: str = "exact"  # "orphaned": its section is gone, it points at the whole article


@dataclass(frozen=True)
class Note:
    """A note anchored to a section, optionally to a quoted passage in it.

    ``quote``/``prefix``/``suffix`` form a W3C TextQuoteSelector: the exact text
    plus a little context on each side, so the passage can be found again after
    the article changes. ``section_path`` (heading titles) is the second way back.
    ``orphaned`` notes could not be placed after a change: they are kept, listed
    and exportable, and can be re-attached to a section.
    """

    id: str
    article_id: str
    section_id: str
    section_path: tuple[str, ...]
    quote: str | None
    prefix: str
    suffix: str
    text: str
    tags: tuple[str, ...]
    color: str | None
    created: str
    updated: str
    orphaned: bool = False
    deleted: str | None = None  # when it went to the trash (ISO 8601 UTC); None: a live note
    # How the note was last re-found (docs/data-model.md): "exact", "moved" (by
    # fuzzy matching; ``similarity`` 0..1), "section" (the passage is gone, the
    # section is there) or "orphaned". ``original_quote`` is the text first
    # quoted, kept while ``quote`` follows the article's current text.
    anchor_state: str = "exact"
    similarity: float | None = None
    original_quote: str | None = None
    review: bool = False  # re-anchoring moved or lost the passage and the user has not looked yet


@dataclass
class NotesChange:
    """Payload of the ``"notes_changed"`` event: notes saved and ids deleted in one commit."""

    changed: list[Note] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass
class AnchorReport:
    """Payload of ``"anchors_changed"``: the notes a re-anchoring pass newly moved or lost."""

    moved: list[str] = field(default_factory=list)  # note ids re-found by fuzzy matching
    lost: list[str] = field(default_factory=list)  # note ids whose passage (state section) or section (orphaned) is gone

    def count(self, note_id: str, state: str, newly: bool) -> None:
        if newly and state == "moved":
            self.moved.append(note_id)
        elif newly and state in ("section", "orphaned"):
            self.lost.append(note_id)

    def __str__(self) -> str:
        parts = [f"{len(self.moved)} moved" if self.moved else "", f"{len(self.lost)} lost" if self.lost else ""]
        return ("Changed text under your notes: " + ", ".join(p for p in parts if p)
                + " (File › Review Changed Notes…)")


@dataclass
class ImportReport:
    added: int = 0
    skipped_duplicates: int = 0
    restored: int = 0  # notes of the file that were in the trash: taken out of it (see docs/data-model.md)
    bookmarks_added: int = 0
    bookmarks_skipped: int = 0
    reanchored: int = 0  # imported notes whose anchor was adjusted to the current articles
    orphaned: int = 0  # imported notes that could not be placed (kept, listed as orphaned)
    note_ids: list[str] = field(default_factory=list)  # the notes added or restored (what undoing the import trashes)
    bookmark_ids: list[str] = field(default_factory=list)  # the bookmarks added
    restored_ids: list[str] = field(default_factory=list)  # the notes taken out of the trash

    def __str__(self) -> str:
        return (
            f"{plural(self.added, 'note')} added, {self.skipped_duplicates} already present; "
            + (f"{self.restored} restored from the trash; " if self.restored else "")
            + f"{plural(self.bookmarks_added, 'bookmark')} added, {self.bookmarks_skipped} already present"
            + (f"; {self.orphaned} orphaned" if self.orphaned else "")
        )
