"""One search against an open index: parse, check, retrieve, rerank, correct (docs/search.md).

BM25F (Whoosh) retrieves the best :data:`CANDIDATES` sections; :mod:`.ranking`
reorders them with what BM25F cannot see (the title or a heading *being* the
query, the query words close together). A typed query that finds nothing but
has a correction is answered with the correction's hits (``searched``).
"""

from __future__ import annotations

from typing import Callable

from whoosh import query as wq

from ..errors import UnknownArticleError
from . import documents, querying, ranking, schema, spelling
from .results import SearchHit, SearchResults
from .snippets import highlight_words, make_snippet

CANDIDATES = 60  # BM25F hits reranked; more costs stored-field reads for little gain (docs/performance.md)
LABEL_CANDIDATES = 20  # sections added for an exact title or a heading holding every query word
EXACT_COUNT_LIMIT = 1000


def run(state, query: str, *, limit: int, article_id: str | None, notes_only: bool, autocorrect: bool,
        known_article: Callable[[str], bool]) -> SearchResults:
    """``state``: the open index (``searcher``, ``vocabulary``); ``known_article(id)``: is it in the library?"""
    parsed = parse(query)
    for wanted in ([article_id] if article_id else []) + parsed.article_ids:
        if not known_article(wanted):
            raise UnknownArticleError(wanted)
    if not parsed.searchable and not (notes_only and not query.strip()):
        return SearchResults(query, 0, None, [], message=nothing_to_search(query))
    total, hits = _ranked(state.searcher, parsed, limit, article_id, notes_only)
    fixes = spelling.correct(parsed.plain_words, state.searcher.reader(), state.vocabulary)
    corrected = spelling.apply_fixes(query, fixes) if fixes else None
    if total == 0 and corrected and autocorrect:
        fixed_total, fixed_hits = _ranked(state.searcher, parse(corrected), limit, article_id, notes_only)
        if fixed_total:
            return SearchResults(query, fixed_total, corrected, fixed_hits, searched=corrected,
                                 terms=highlight_words(parse(corrected)))
    return SearchResults(query, total, corrected, hits, searched=query, terms=highlight_words(parsed))


def parse(query: str) -> querying.ParsedQuery:
    parsed = querying.parse(query)
    if not parsed.groups and not parsed.notes_only:
        parsed = querying.fallback(query)
    return parsed


def nothing_to_search(query: str) -> str:
    shown = query.strip()
    why = "an empty query" if not shown else "only very common words, punctuation or empty filters"
    return f"nothing to search for in “{shown}” ({why})"


def _ranked(searcher, parsed: querying.ParsedQuery, limit: int, article_id: str | None,
            notes_only: bool) -> tuple[int, list[SearchHit]]:
    notes_only = notes_only or parsed.notes_only
    if parsed.groups:
        built = querying.build(parsed, searcher.reader())
    elif notes_only and not parsed.negated:  # "in:notes" alone: every note
        built = querying.BuiltQuery(wq.Every(), set())
    else:
        built = querying.BuiltQuery(None, set())
    if built.query is None:
        return 0, []
    restricted = _restrict(built.query, article_id, notes_only)
    results = searcher.search(restricted, limit=max(CANDIDATES, limit))
    total = _count(results, exact=not built.has_prefix)
    candidates = {docnum: score for score, docnum in results.top_n}
    candidates.update(_label_candidates(searcher, parsed, article_id, notes_only, candidates))
    stored: dict = {}
    ordered = ranking.rerank(searcher.reader(), candidates, parsed, stored)[:limit]
    return total, [_hit(stored[docnum], score, built.highlight) for docnum, score in ordered]


def _label_candidates(searcher, parsed: querying.ParsedQuery, article_id: str | None, notes_only: bool,
                      found: dict) -> dict:
    """Sections titled exactly like the query, or whose heading alone matches it, that BM25F left out.

    Many longer titles holding the same words can push the article named "Ray
    Charles" below the first candidates, and the one section headed
    "Australia" drowns among the sections of "Military history of Australia".
    Both lookups search one short field only (ANDing them with the whole query
    would cost as much as the search itself); what they find matches the query
    by construction (``ordered_terms`` is only set for plain words and phrases).
    They enter with the lowest candidate score: the reranking decides.
    """
    ordered = parsed.ordered_terms()
    if not ordered or notes_only:
        return {}
    reader, lookups = searcher.reader(), []
    key = ranking.title_key_of_terms(ordered)
    if reader.doc_frequency("title_key", key):
        lookups.append(wq.Term("title_key", key))
    if all(reader.doc_frequency("heading", term) for term in ordered):
        lookups.append(querying.build(parsed.in_fields(("heading",)), reader).query)
    floor = min(found.values(), default=0.0)
    extra = {}
    for lookup in lookups:
        if article_id:
            lookup = wq.And([lookup, wq.Term("article_id", article_id)])
        for _, docnum in searcher.search(lookup, limit=LABEL_CANDIDATES).top_n:
            if docnum not in found:
                extra[docnum] = floor
    return extra


def _hit(stored: dict, score: float, highlight: set[str]) -> SearchHit:
    path = tuple(p for p in stored.get("section_path", "").split(schema.STORED_PATH_SEPARATOR) if p)
    return SearchHit(
        kind=stored.get("kind", documents.SECTION),
        article_id=stored["article_id"],
        article_title=stored.get("title", ""),
        section_id=stored.get("section_id"),
        section_path=path,
        score=round(float(score), 4),
        snippet=make_snippet(documents.unpack_text(stored.get("text")), highlight),
        note_id=stored.get("note_id"),
    )


def _count(results, exact: bool = True) -> int:
    """Exact for up to EXACT_COUNT_LIMIT matches; above that (or for prefixes) Whoosh's estimate.

    Counting every match of a common word walks all its postings again and
    cost more than the search itself. A prefix's terms rarely share a
    section, so the sum of their frequencies is close to the true count.
    """
    estimate = results.estimated_length()
    if estimate <= EXACT_COUNT_LIMIT and (exact or estimate <= len(results.top_n)):
        return len(results)
    return max(estimate, len(results.top_n))


def _restrict(query, article_id: str | None, notes_only: bool):
    """The query limited to one article and/or to notes, without changing scores.

    (Whoosh's ``filter=`` argument is not used: ``len(results)`` ignores it.)
    """
    parts = [query]
    if article_id:
        parts.append(wq.ConstantScoreQuery(wq.Term("article_id", article_id), 0.0))
    if notes_only:
        parts.append(wq.ConstantScoreQuery(wq.Term("kind", documents.NOTE), 0.0))
    return query if len(parts) == 1 else wq.And(parts)
