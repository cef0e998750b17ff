"""What the search API returns: small dataclasses with no Whoosh in them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Snippet:
    """A short extract as plain text with the matched words' places: each front end renders it
    (the CLI in [brackets] or bold, the window as escaped HTML). Cuts are shown as "…"."""

    text: str = ""
    spans: tuple[tuple[int, int], ...] = ()  # [start, end) of each matched word in ``text``, in order

    def __bool__(self) -> bool:
        return bool(self.text)

    def __str__(self) -> str:
        return self.text

    def marked(self) -> list[str]:
        """The matched words as they appear ("negotiations" for the query "negotiation")."""
        return [self.text[start:end] for start, end in self.spans]

    def render(self, left: str, right: str, escape=lambda text: text) -> str:
        """The text with each match between ``left`` and ``right``; ``escape`` applies to the text pieces."""
        parts, pos = [], 0
        for start, end in self.spans:
            parts += [escape(self.text[pos:start]), left, escape(self.text[start:end]), right]
            pos = end
        parts.append(escape(self.text[pos:]))
        return "".join(parts)


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "section" or "note"
    article_id: str
    article_title: str
    section_id: str | None
    section_path: tuple[str, ...]  # heading titles; () for the lead
    score: float
    snippet: Snippet  # plain text and the matched words' spans
    note_id: str | None = None


@dataclass(frozen=True)
class SearchResults:
    query: str
    total: int  # all matching documents, not just the hits returned
    corrected: str | None  # "did you mean" query, or None
    hits: list[SearchHit] = field(default_factory=list)
    searched: str | None = None  # the query the hits are for: ``corrected`` when the typed query found nothing
    message: str | None = None  # why nothing was searched ("nothing to search for in ...")
    terms: tuple[str, ...] = ()  # the searched query's words worth highlighting (no operators, filters or exclusions)
    total_exact: bool = True  # False: ``total`` is an estimate (a large AND's, or a phrase of very common words)

    def total_text(self) -> str:
        """``"12 results"``, or ``"about 1200 results"`` when the total is an estimate."""
        return f"{'' if self.total_exact else 'about '}{self.total} result{'s' if self.total != 1 else ''}"

    @property
    def auto_corrected(self) -> bool:
        """The typed query found nothing and these are the hits of ``corrected`` instead."""
        return self.searched is not None and self.searched != self.query


@dataclass(frozen=True)
class Suggestion:
    article_id: str
    section_id: str | None  # None for an article title
    label: str


@dataclass
class IndexReport:
    added: int = 0  # articles indexed for the first time
    updated: int = 0  # articles re-indexed because their content changed
    removed: int = 0  # articles dropped from the index
    notes_indexed: int = 0
    notes_removed: int = 0
    rebuilt: bool = False  # a full rebuild happened (asked for, or the index was missing/stale/broken)
    cancelled: bool = False  # stopped by the cancel event; the previous index is kept
    busy: bool = False  # another process held the index; nothing was written
    skipped: list[str] = field(default_factory=list)  # "article id: reason" for articles that could not be read
    messages: list[str] = field(default_factory=list)  # things to tell the user (why a rebuild happened)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.notes_indexed or self.notes_removed or self.rebuilt)

    def summary(self) -> str:
        what = "rebuilt" if self.rebuilt else "updated"
        if self.cancelled:
            what = "cancelled"
        elif self.busy:
            what = "busy (another Lectern process is writing it)"
        elif not self.changed:
            what = "up to date"
        return (f"search index {what}: {self.added} added, {self.updated} updated, {self.removed} removed, "
                f"{_notes(self.notes_indexed)} indexed, {_notes(self.notes_removed)} removed in {self.seconds:.1f} s")


def _notes(count: int) -> str:
    """``1 note``, ``2 notes`` (the summary once said "1 notes indexed")."""
    return f"{count} note" if count == 1 else f"{count} notes"
