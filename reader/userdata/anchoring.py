"""Where a note belongs in an article, and finding that place again after edits.

A note's anchor is an article id plus a section, described three ways so that
it survives changes to the article file:

* the section id (the slugs of the heading path: changes when a heading is renamed);
* the heading path (titles, compared case-insensitively);
* optionally a quoted passage with some context either side, like the W3C
  TextQuoteSelector (``exact`` + ``prefix`` + ``suffix``);
* plus a fingerprint of the section's own text, which finds a section whose
  heading was reworded but whose text was not.

:func:`reanchor` tries them in the order of docs/data-model.md and returns
``None`` when nothing fits: the caller keeps the note, flagged orphaned.
Bookmarks are re-placed by the same function with an anchor that has no quote
(section id, heading path, text fingerprint); when it returns ``None`` the
store points the bookmark at the whole article instead.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from ..errors import LecternError
from ..model import Article, Section

CONTEXT_CHARS = 32  # prefix/suffix length: enough to tell repeated phrases apart


@dataclass(frozen=True)
class Anchor:
    """The stored description of a note's place (see the module docstring)."""

    section_id: str
    section_path: tuple[str, ...] = ()
    quote: str | None = None
    prefix: str = ""
    suffix: str = ""
    section_sha: str = ""


def text_sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def anchor_to(section: Section, quote: str | None, near_prefix: str = "", near_suffix: str = "") -> Anchor:
    """The anchor of a new note on ``section``; the quote must occur in the section's text.

    The quote is matched loosely (see :func:`find_quote`) and stored as the
    article's own text, so a selection copied from the rendered page works.
    ``near_prefix``/``near_suffix`` are the text around the user's selection:
    when the quote occurs more than once, they pick the occurrence selected.
    """
    text = section.text()
    prefix = suffix = ""
    if quote and quote.strip():
        span = find_quote(text, quote, near_prefix, near_suffix)
        if span is None:
            raise LecternError(f"the quoted text does not occur in section {section.id!r}")
        quote = text[span[0]:span[1]]
        prefix, suffix = context_at(text, span)
    return Anchor(section.id, section.path, quote or None, prefix, suffix, text_sha(text))


def context_at(text: str, span: tuple[int, int]) -> tuple[str, str]:
    start, end = span
    return text[max(0, start - CONTEXT_CHARS):start], text[end:end + CONTEXT_CHARS]


def find_quote(text: str, quote: str, prefix: str = "", suffix: str = "") -> tuple[int, int] | None:
    """Where ``quote`` occurs in ``text``, the occurrence whose surroundings best match prefix/suffix.

    Exact occurrences first; failing those, a match that ignores differences in
    white space (line breaks, U+2029 from a rendered selection, no-break spaces)
    and bullet markers at line starts.
    """
    spans = _exact_spans(text, quote) or _loose_spans(text, quote)
    scored = [(_context_score(text, span, prefix, suffix), -span[0], span) for span in spans]
    return max(scored)[2] if scored else None


def _exact_spans(text: str, quote: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(quote)
    while start >= 0 and quote:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return spans


def _loose_spans(text: str, quote: str) -> list[tuple[int, int]]:
    words = quote.split()
    if not words:
        return []
    pattern = r"\s+(?:-\s+)*".join(re.escape(w) for w in words)
    return [m.span() for m in re.finditer(pattern, text)]


def _context_score(text: str, span: tuple[int, int], prefix: str, suffix: str) -> int:
    before, after = context_at(text, span)
    return _common_suffix(before, prefix) + _common_prefix(after, suffix)


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])


def reanchor(article: Article, old: Anchor) -> Anchor | None:
    """The note's place in the changed ``article``, or ``None`` (orphaned).

    Order: a section holding the quote (by id, then by heading path, then
    anywhere in the article, best context first); then, quote or not, the
    section with the same id, the same heading path, or the same text.
    A quoted passage that moved to another section takes the note with it.
    """
    by_id = article.section(old.section_id)
    by_path = article.section_by_path(old.section_path) if old.section_path else None
    if old.quote:
        for section in (by_id, by_path):
            if section is not None and find_quote(section.text(), old.quote) is not None:
                return _placed(section, old)
        holder = _section_with_quote(article, old)
        if holder is not None:
            return _placed(holder, old)
    for section in (by_id, by_path, _section_with_same_text(article, old.section_sha)):
        if section is not None:
            return _placed(section, old)
    return None


def _placed(section: Section, old: Anchor) -> Anchor:
    """``old`` moved to ``section``; the quote's context is refreshed when the quote is there."""
    text = section.text()
    quote, prefix, suffix = old.quote, old.prefix, old.suffix
    span = find_quote(text, old.quote, old.prefix, old.suffix) if old.quote else None
    if span is not None:
        quote = text[span[0]:span[1]]
        prefix, suffix = context_at(text, span)
    return Anchor(section.id, section.path, quote, prefix, suffix, text_sha(text))


def _section_with_quote(article: Article, old: Anchor) -> Section | None:
    best, best_score = None, -1
    for section in article.sections:
        text = section.text()
        span = find_quote(text, old.quote or "", old.prefix, old.suffix)
        if span is not None and _context_score(text, span, old.prefix, old.suffix) > best_score:
            best, best_score = section, _context_score(text, span, old.prefix, old.suffix)
    return best


def _section_with_same_text(article: Article, sha: str) -> Section | None:
    """The one non-empty section whose text is unchanged (none if ambiguous)."""
    if not sha or sha == text_sha(""):
        return None
    matches = [s for s in article.sections if text_sha(s.text()) == sha]
    return matches[0] if len(matches) == 1 else None
