"""Hits from sources with their own full-text index (ZIM archives), merged with Lectern's own.

An archive's index (Xapian, inside the ZIM) answers with articles only: no
score, section or snippet. For each of its top :data:`MAX_PAGES` hits this
module reads the converted article (the source's ``article(id)``, cached there),
scores its sections by the query's folded and stemmed terms (the index's own
analysis, :mod:`.analysis`) and gives the best one a snippet with highlight
spans, as for files. Hits further down the archive's list are given at article
level (the lead, no snippet), so a top 20 never converts more than 10 pages. A query
with exclusions (``-word``) or ``title:``/``section:`` filters, which libzim's query
parser cannot express, converts up to :data:`MAX_CHECKED` pages to find 10 that pass,
and gives no unchecked hits.

The lists (Lectern's index: files and notes; each archive) are merged by
*normalised rank*: the hit at rank ``i`` of a list of ``n`` sorts at ``i / n``,
ties in list order (Lectern's first), and a hit whose title *is* the query (as
:mod:`.ranking` decides it) comes first. The sources are plain objects with
``source_id``, ``fulltext(query, limit) -> [entry with id, title]`` and
``article(id) -> Article`` (``reader.sources.base.SearchableSource``); this
module imports neither the library nor the sources.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from ..errors import LecternError
from . import analysis, documents, querying
from .results import SearchHit, SearchResults, Snippet
from .snippets import highlight_words, make_snippet

MAX_PAGES = 10  # archive hits mapped to a section (each one a page read and converted)
GROUP_WEIGHT = 10.0  # a section holding one more required part of the query beats any number of repeats
REPEAT_CAP = 5  # occurrences of one term counted per section
HEADING_WEIGHT = 3.0
MAX_CHECKED = 30  # pages converted at most when exclusions or title:/section: filters drop some
MAX_ALTERNATIVES = 8  # archive queries sent for one query with OR  # a query term in the heading (or, for the lead, the title)


@dataclass
class ArchiveQuery:
    """What a query asks of an archive: the text for its index and what to check on the articles."""

    texts: list[str]  # queries for the archive's index (AND of words; one per OR alternative), [] = none
    groups: list[set[str]] = field(default_factory=list)  # required parts as index terms (for sections)
    title_terms: set[str] = field(default_factory=set)  # title: words the article's title must hold
    heading_terms: set[str] = field(default_factory=set)  # section:/heading: words the section's heading must hold
    negated: set[str] = field(default_factory=set)  # terms no hit may hold
    article_ids: list[str] = field(default_factory=list)  # article:ID filters
    ordered: list[str] = field(default_factory=list)  # a plain query's terms in order (exact-title test)
    highlight: set[str] = field(default_factory=set)
    notes_only: bool = False


def archive_query(query: str) -> ArchiveQuery:
    """The parts of a Lectern query (docs/search.md) an archive can answer."""
    parsed = querying.parse(query)
    if not parsed.groups and not parsed.notes_only:
        parsed = querying.fallback(query)
    parts, groups, title, heading = [], [], set(), set()
    for group in parsed.groups:
        texts = [_xapian_text(c) for c in group if c.kind != "id"]
        if texts:
            parts.append(texts)
        terms = {t for c in group if c.kind != "id" for t in _clause_terms(c)}
        if terms:
            groups.append(terms)
        for clause in group:
            if clause.fields == querying.FIELD_ALIASES["title"]:
                title |= set(_clause_terms(clause))
            elif clause.fields == querying.FIELD_ALIASES["section"]:
                heading |= set(_clause_terms(clause))
    negated = {t for c in parsed.negated if c.kind != "id" for t in _clause_terms(c)}
    highlight = {t for word in highlight_words(parsed) for t in _clause_terms(querying.Clause(word))}
    return ArchiveQuery(_alternatives(parts), groups, title, heading, negated, parsed.article_ids,
                        parsed.ordered_terms(), highlight, parsed.notes_only)


def _alternatives(parts: list[list[str]]) -> list[str]:
    """libzim's query parser has no OR, NOT or wildcard (its words are ANDed, stemmed by the
    archive's language): one query per combination of OR alternatives, at most MAX_ALTERNATIVES."""
    texts = [""]
    for alternatives in parts:
        texts = [f"{text} {alt}".strip() for text in texts for alt in alternatives][:MAX_ALTERNATIVES]
    return [text for text in texts if text]


def _xapian_text(clause: querying.Clause) -> str:
    """The clause's words (a prefix as its whole word: the archive index has no wildcard)."""
    words = " ".join(analysis.words(clause.text))
    return f'"{words}"' if clause.kind == "phrase" else words


def _clause_terms(clause: querying.Clause) -> list[str]:
    if clause.kind == "prefix":
        return [analysis.fold_prefix(clause.text)]
    return analysis.terms(clause.text)


# --------------------------------------------------------------------------- one archive


def source_hits(source, wanted: ArchiveQuery, limit: int, article_id: str | None = None) -> list[SearchHit]:
    """Hits of one archive for the query, best first: sections of the top pages, then article-level hits."""
    if wanted.notes_only:
        return []
    named = [article_id] if article_id else wanted.article_ids
    if named:
        return _hits_in_articles(source, named, wanted, limit)
    checks = bool(wanted.negated or wanted.title_terms or wanted.heading_terms)
    hits, converted = [], 0
    for entry in _found(source, wanted, MAX_CHECKED if checks else limit):
        if len(hits) < MAX_PAGES and converted < (MAX_CHECKED if checks else MAX_PAGES):
            converted += 1
            hit = best_section_hit(_read(source, entry.id), wanted)
        elif checks:
            break  # nothing unconverted can be checked against exclusions and filters
        else:  # below the pages worth converting: the article only, as its index ranked it
            hit = SearchHit("section", entry.id, entry.title, None, (), 0.0, Snippet())
        if hit is not None:
            hits.append(hit)
    return hits[:limit]


def _found(source, wanted: ArchiveQuery, limit: int) -> list:
    """The index's hits of every alternative, taken in turns, each article once."""
    answers = [source.fulltext(text, limit) for text in wanted.texts]
    found: dict[str, object] = {}
    for rank in range(max(map(len, answers), default=0)):
        for answer in answers:
            if rank < len(answer):
                found.setdefault(answer[rank].id, answer[rank])
    return list(found.values())


def _hits_in_articles(source, article_ids: list[str], wanted: ArchiveQuery, limit: int) -> list[SearchHit]:
    """``article:ID``: the article's own sections that match, best first."""
    hits = []
    for article_id in article_ids:
        article = _read(source, article_id)
        if article is not None:
            hits += [hit for _, hit in _scored_sections(article, wanted) if hit.score > 0]
    return sorted(hits, key=lambda hit: -hit.score)[:limit]


def _read(source, article_id: str):
    try:
        return source.article(article_id)
    except LecternError:
        return None


def best_section_hit(article, wanted: ArchiveQuery) -> SearchHit | None:
    """The article's section that fits the query best, with its snippet; None when the article
    fails a ``title:``/``section:`` filter or holds an excluded word (or could not be read)."""
    if article is None:
        return None
    scored = _scored_sections(article, wanted)
    if not scored:
        return None
    return max(scored, key=lambda pair: (pair[1].score, -pair[0]))[1]


def _scored_sections(article, wanted: ArchiveQuery) -> list[tuple[int, SearchHit]]:
    title_terms = set(analysis.terms(article.title))
    if not wanted.title_terms <= title_terms:
        return []
    scored = []
    for order, section in enumerate(article.sections):
        heading = title_terms if section.is_lead else set(analysis.terms(section.title))
        if not wanted.heading_terms <= heading:
            continue
        text = documents.section_body(article, section)  # the lead holds the infobox, as in Lectern's index
        counts = Counter(analysis.terms(text))
        if wanted.negated & (set(counts) | heading):
            return []  # an excluded word anywhere excludes the article, as in Lectern's index
        score = _section_score(counts, heading, wanted)
        hit = SearchHit("section", article.id, article.title, section.id, section.path, round(score, 4),
                        make_snippet(text, wanted.highlight))
        scored.append((order, hit))
    return scored


def _section_score(counts: Counter, heading: set[str], wanted: ArchiveQuery) -> float:
    """Required parts present (body or heading), then repeats, then heading words."""
    present = set(counts) | heading
    score = 0.0
    for group in wanted.groups:
        if _matches(group, present):
            score += GROUP_WEIGHT
        score += sum(min(counts[t], REPEAT_CAP) for t in group if t in counts)
        score += HEADING_WEIGHT * sum(1 for t in group if _matches({t}, heading))
    return score


def _matches(group: set[str], present: set[str]) -> bool:
    return any(t in present or any(p.startswith(t) for p in present) for t in group) if group else False


# --------------------------------------------------------------------------- merging


def merge(own: SearchResults, lists: list[list[SearchHit]], wanted: ArchiveQuery, limit: int) -> SearchResults:
    """Lectern's results and each archive's hits in one list (see the module docstring).

    When the archives found the query as typed, Lectern's hits for an automatic
    correction are left out, and so is the correction itself: it comes from the
    files' vocabulary, which does not know the archives' words ("atlantic" is no
    misspelling of "attention" when an archive has it).
    """
    if own.auto_corrected and any(lists):
        own = SearchResults(own.query, 0, None, [], searched=own.query)
    elif any(lists):
        own = replace(own, corrected=None)
    ranked = []
    for list_index, hits in enumerate([own.hits, *lists]):
        seen: set[str] = set()
        for rank, hit in enumerate(hits):
            first_of_article = hit.article_id not in seen
            seen.add(hit.article_id)
            exact = first_of_article and bool(wanted.ordered) and analysis.terms(hit.article_title) == wanted.ordered
            ranked.append(((not exact, rank / len(hits), list_index, rank), hit))
    ranked.sort(key=lambda pair: pair[0])
    extra = sum(len(hits) for hits in lists)
    message = own.message if not extra else None
    return SearchResults(own.query, own.total + extra, own.corrected, [hit for _, hit in ranked[:limit]],
                         searched=own.searched or own.query, message=message,
                         terms=own.terms or tuple(sorted(wanted.highlight)), total_exact=own.total_exact)
