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

import functools
import hashlib
import re
from dataclasses import dataclass

from ..errors import LecternError
from ..model import Article, Section
from .fuzzy import REFINED_CANDIDATES, find_similar, refine, rough_candidates, was_deleted

CONTEXT_CHARS = 32  # prefix/suffix length: enough to tell repeated phrases apart

# Anchor states (docs/data-model.md): how sure we are the note is on its passage.
EXACT = "exact"  # the quote (or, without one, the section) was found as it was
MOVED = "moved"  # the quote was re-found by fuzzy matching; ``similarity`` says how alike
SECTION = "section"  # the quoted passage is gone, the section is still there
ORPHANED = "orphaned"  # neither the passage nor the section could be found
STATES = (EXACT, MOVED, SECTION, ORPHANED)


@dataclass(frozen=True)
class Anchor:
    """The stored description of a note's place (see the module docstring)."""

    section_id: str
    section_path: tuple[str, ...] = ()
    quote: str | None = None
    prefix: str = ""
    suffix: str = ""
    section_sha: str = ""
    state: str = EXACT
    similarity: float | None = None  # set for MOVED: the re-found passage vs the quote searched for


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


_LOOSE_GAP = re.compile(r"\s+(?:-\s+)*")


def _loose_spans(text: str, quote: str) -> list[tuple[int, int]]:
    # A cheap test first (one pass in C): compiling a long quote's pattern costs milliseconds.
    if " ".join(quote.split()) not in _loosened(text):
        return []
    pattern = _loose_pattern(quote)
    return [m.span() for m in pattern.finditer(text)] if pattern is not None else []


@functools.lru_cache(maxsize=1024)
def _loosened(text: str) -> str:
    """``text`` with every white-space run (and bullet marker) as one space; cached per section text."""
    return _LOOSE_GAP.sub(" ", text)


@functools.lru_cache(maxsize=256)
def _loose_pattern(quote: str) -> re.Pattern | None:
    """The quote's words with any white space (and bullet markers) between them; compiled once per quote."""
    words = quote.split()
    if not words:
        return None
    return re.compile(_LOOSE_GAP.pattern.join(re.escape(w) for w in words))


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


class ArticleText:
    """An article's section texts and fingerprints, computed once for all the notes placed on it."""

    def __init__(self, article: Article):
        self.article = article
        self._texts: dict[str, str] = {}
        self._by_sha: dict[str, list[Section]] | None = None
        self._joined: str | None = None
        self._paths: dict[tuple[str, ...], Section] | None = None
        self._words: dict[str, set[str]] = {}
        self._shas: dict[str, str] = {}

    def by_path(self, path: tuple[str, ...]) -> Section | None:
        """As ``Article.section_by_path`` (the first section with these titles, casefolded), indexed once."""
        if not path:
            return None
        if self._paths is None:
            self._paths = {}
            for section in self.article.sections:
                self._paths.setdefault(tuple(t.casefold() for t in section.path), section)
        return self._paths.get(tuple(t.casefold() for t in path))

    def words(self, section: Section) -> set[str]:
        if section.id not in self._words:
            self._words[section.id] = _words(self.text(section))
        return self._words[section.id]

    def may_contain(self, quote: str) -> bool:
        """A cheap test on the whole article: False means no section holds the quote, even loosely."""
        if self._joined is None:
            self._joined = "\n\n".join(self.text(s) for s in self.article.sections)
        return quote in self._joined or bool(_loose_spans(self._joined, quote))

    def text(self, section: Section) -> str:
        if section.id not in self._texts:
            self._texts[section.id] = section.text()
        return self._texts[section.id]

    def sha(self, section: Section) -> str:
        if section.id not in self._shas:
            self._shas[section.id] = text_sha(self.text(section))
        return self._shas[section.id]

    def with_sha(self, sha: str) -> list[Section]:
        if self._by_sha is None:
            self._by_sha = {}
            for section in self.article.sections:
                self._by_sha.setdefault(self.sha(section), []).append(section)
        return self._by_sha.get(sha, [])


@dataclass(frozen=True)
class Placement:
    """Where :func:`locate` found a note: the section, the quote's span in its text, the state."""

    section: Section
    span: tuple[int, int] | None  # None: the quote was not found (or there is none)
    state: str
    similarity: float | None = None


def reanchor(article: Article, old: Anchor, text: ArticleText | None = None, fuzzy: bool = True) -> Anchor | None:
    """The note's place in the changed ``article``, or ``None`` (orphaned).

    See :func:`locate` for the order. The returned anchor's quote and context
    are the article's current text when the quote was found (exactly or by
    fuzzy matching); otherwise the old quote is kept and the state says
    ``section``. A note still ``moved`` (not yet reviewed) whose passage is
    found unchanged stays ``moved``. ``text`` shares section texts between the
    notes of one article; ``fuzzy=False`` is the exact-only matcher of before.
    """
    text = text or ArticleText(article)
    placement = locate(text, old, fuzzy)
    if placement is None:
        return None
    section_text = text.text(placement.section)
    quote, prefix, suffix = old.quote, old.prefix, old.suffix
    if placement.span is not None:
        quote = section_text[placement.span[0]:placement.span[1]]
        prefix, suffix = context_at(section_text, placement.span)
    state, similarity = placement.state, placement.similarity
    if old.state == MOVED and state in (EXACT, MOVED) and old.quote:
        similarity = (old.similarity or 1.0) * (similarity or 1.0)
        state = MOVED
    return Anchor(placement.section.id, placement.section.path, quote, prefix, suffix,
                  text.sha(placement.section), state, similarity)


def locate(text: ArticleText, old: Anchor, fuzzy: bool = True) -> Placement | None:
    """Where ``old`` is in the article of ``text``, or ``None``.

    Order: a section holding the quote exactly or up to white space (by id,
    then by heading path, then anywhere in the article, best context first);
    then the quote found by fuzzy matching (those sections first, then the
    whole article); then, the passage being gone, the section with the same
    id, the same heading path, or the same text (state ``section`` for a
    quoted note, ``exact`` for one without a quote).
    """
    by_id = text.article.section(old.section_id)
    by_path = text.by_path(old.section_path)
    homes = [s for s in dict.fromkeys((by_id, by_path)) if s is not None]
    if old.quote:
        for section in homes:
            span = find_quote(text.text(section), old.quote, old.prefix, old.suffix)
            if span is not None:
                return Placement(section, span, EXACT)
        found = _section_with_quote(text, old) or (_similar_passage(text, old, homes) if fuzzy else None)
        if found is not None:
            return found
    for section in homes + [_section_with_same_text(text, old.section_sha)]:
        if section is not None:
            return Placement(section, None, SECTION if old.quote else EXACT)
    return None


def _section_with_quote(text: ArticleText, old: Anchor) -> Placement | None:
    if not text.may_contain(old.quote or ""):
        return None
    best, best_score = None, -1
    for section in text.article.sections:
        section_text = text.text(section)
        span = find_quote(section_text, old.quote or "", old.prefix, old.suffix)
        if span is not None and _context_score(section_text, span, old.prefix, old.suffix) > best_score:
            best, best_score = Placement(section, span, EXACT), _context_score(section_text, span, old.prefix, old.suffix)
    return best


def _similar_passage(text: ArticleText, old: Anchor, homes: list[Section]) -> Placement | None:
    """The quote re-found by fuzzy matching: in its own section if it is there, else the best in the article.

    A quote cut out of its own section (its prefix and suffix now meet there)
    is not looked for elsewhere.
    """
    if any(was_deleted(text.text(s), old.quote or "", old.prefix, old.suffix) for s in homes):
        return None
    for section in homes:
        match = find_similar(text.text(section), old.quote or "", old.prefix, old.suffix)
        if match is not None:
            return Placement(section, match.span, MOVED, round(match.similarity, 3))
    words = _words(old.quote or "")
    needed = max(1, len(words) // 3)  # an edited quote keeps most of its words; other sections are skipped
    ranked = sorted(((score, index, span) for index, section in enumerate(text.article.sections)
                     if section not in homes and len(words & text.words(section)) >= needed
                     for score, span in rough_candidates(text.text(section), old.quote or "", old.prefix, old.suffix)),
                    key=lambda c: (-c[0], c[1]))
    best = None
    for _, index, span in ranked[:REFINED_CANDIDATES]:
        section = text.article.sections[index]
        match = refine(text.text(section), old.quote or "", old.prefix, old.suffix, span)
        if match is not None and (best is None or match.score > best[0].score):
            best = (match, section)
    return Placement(best[1], best[0].span, MOVED, round(best[0].similarity, 3)) if best else None


_WORD = re.compile(r"\w{4,}")


def _words(text: str) -> set[str]:
    """The longer words of ``text``, casefolded: a cheap test of which sections may hold an edited quote."""
    return set(_WORD.findall(text.casefold()))


def _section_with_same_text(text: ArticleText, sha: str) -> Section | None:
    """The one non-empty section whose text is unchanged (none if ambiguous)."""
    if not sha or sha == text_sha(""):
        return None
    matches = text.with_sha(sha)
    return matches[0] if len(matches) == 1 else None


def plain_text_position(article: Article, section_id: str, quote: str, prefix: str = "",
                        suffix: str = "") -> tuple[int, int] | None:
    """Where the quote is in ``article.plain_text()`` (for a W3C TextPositionSelector), or ``None``."""
    plain, cursor = article.plain_text(), 0
    for section in article.sections:
        text = section.text()
        if not section.is_lead and section.title:
            cursor = max(cursor, plain.find(section.title, cursor) + len(section.title))
        start = plain.find(text, cursor) if text else -1
        if start < 0:
            continue
        if section.id == section_id:
            span = find_quote(text, quote, prefix, suffix)
            return (start + span[0], start + span[1]) if span else None
        cursor = start + len(text)
    return None
