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
from .allwords import AllWords
from .phrases import AdjacentPhrase
from .results import SearchHit, SearchResults
from .snippets import highlight_words, make_snippet

CANDIDATES = 60  # BM25F hits reranked; more costs stored-field reads for little gain (docs/performance.md)
LABEL_CANDIDATES = 20  # sections added for an exact title or a heading holding every query word
EXACT_COUNT_LIMIT = 1000  # a larger estimate is the total shown (see _ranked)


def run(state, query: str, *, limit: int, article_id: str | None, notes_only: bool, autocorrect: bool,
        known_article: Callable[[str], bool], within: tuple[str, ...] = (),
        without: tuple[str, ...] = ()) -> SearchResults:
    """``state``: the open index (``searcher``, ``vocabulary``); ``known_article(id)``: is it in the library?
    ``within``: keep the documents whose article id starts with one of these (one source's);
    ``without``: leave out the sections (not the notes) of articles whose id starts with one of these."""
    scope = _Scope(article_id, within, without)
    parsed = parse(query)
    for wanted in ([article_id] if article_id else []) + parsed.article_ids:
        if not known_article(wanted):
            raise UnknownArticleError(wanted)
    if not parsed.searchable and not (notes_only and not query.strip()):
        return SearchResults(query, 0, None, [], message=nothing_to_search(query))
    total, exact, hits = _ranked(state.searcher, parsed, limit, scope, notes_only)
    fixes = spelling.correct(parsed.plain_words, state.searcher.reader(), state.vocabulary)
    corrected = spelling.apply_fixes(query, fixes) if fixes else None
    if total == 0 and corrected and autocorrect:
        fixed_total, fixed_exact, fixed_hits = _ranked(state.searcher, parse(corrected), limit, scope, notes_only)
        if fixed_total:
            return SearchResults(query, fixed_total, corrected, fixed_hits, searched=corrected,
                                 terms=highlight_words(parse(corrected)), total_exact=fixed_exact)
    return SearchResults(query, total, corrected, hits, searched=query, terms=highlight_words(parsed),
                         total_exact=exact)


def parse(query: str) -> querying.ParsedQuery:
    parsed = querying.parse(query)
    if not parsed.groups and not parsed.notes_only:
        parsed = querying.fallback(query)
    return parsed


def nothing_to_search(query: str) -> str:
    shown = query.strip()
    why = "an empty query" if not shown else "only very common words, punctuation or empty filters"
    return f"nothing to search for in “{shown}” ({why})"


class _Scope:
    """Which documents a search may return: one article, one source's, all but some sources' sections."""

    def __init__(self, article_id: str | None, within: tuple[str, ...] = (), without: tuple[str, ...] = ()):
        self.article_id, self.within, self.without = article_id, tuple(within), tuple(without)

    @property
    def restricts(self) -> bool:
        return bool(self.article_id or self.within or self.without)


def _ranked(searcher, parsed: querying.ParsedQuery, limit: int, scope: _Scope,
            notes_only: bool) -> tuple[int, bool, list[SearchHit]]:
    """(total, whether it is exact, best hits). The total is exact when Whoosh's estimate (the sum of
    the frequencies of an OR, the smallest of an AND) is at most
    EXACT_COUNT_LIMIT (for prefixes: at most the hits wanted; their terms
    rarely share a section, so the sum is close), and for phrases; otherwise it
    is that estimate -- unless the words were matched by :class:`.allwords.AllWords`,
    which scores every match anyway (the collector then counted them).

    An exact total comes from the ranking pass itself (``optimize=False``:
    every match is scored and counted, no block skipping): counting with a
    second pass (``len(results)``) walked every posting again and cost as much
    as the search. Phrases never skip blocks, but a phrase of very common
    words may stop after enough matches: its unread part is then estimated
    (see :mod:`.phrases`).
    """
    notes_only = notes_only or parsed.notes_only
    if parsed.groups:
        built = querying.build(parsed, searcher.reader(), unrestricted=not (notes_only or scope.restricts))
    elif notes_only and not parsed.negated:  # "in:notes" alone: every note
        built = querying.BuiltQuery(wq.Every(), set())
    else:
        built = querying.BuiltQuery(None, set())
    if built.query is None:
        return 0, True, []
    restricted = _restrict(built.query, scope, notes_only)
    estimate = restricted.estimate_size(searcher.reader())
    wanted = max(CANDIDATES, limit)
    exact = built.has_phrase or estimate <= (wanted if built.has_prefix else EXACT_COUNT_LIMIT)
    results = searcher.search(restricted, limit=wanted, optimize=not exact)
    total = len(results) if exact else max(estimate, len(results.top_n))
    unseen = sum(q.unseen() for q in restricted.leaves() if isinstance(q, AdjacentPhrase)) if exact else 0
    if not exact and _counted(built.query):
        total, exact = len(results), True
    total, exact = total + unseen, exact and not unseen
    candidates = {docnum: score for score, docnum in results.top_n}
    candidates.update(_label_candidates(searcher, parsed, scope, notes_only, candidates))
    stored: dict = {}
    ordered = ranking.rerank(searcher.reader(), candidates, parsed, stored)[:limit]
    return total, exact, [_hit(stored[docnum], score, built.highlight) for docnum, score in ordered]


def _counted(query) -> bool:
    """Whether the ranking pass counted every match of ``query`` although it was allowed to skip blocks."""
    positive = query.a if isinstance(query, wq.AndNot) else query
    return isinstance(positive, AllWords) and positive.counted_every_match()


def _label_candidates(searcher, parsed: querying.ParsedQuery, scope: _Scope, notes_only: bool,
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
        lookup = _restrict(lookup, scope, False)
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


def _restrict(query, scope: _Scope, notes_only: bool):
    """The query limited to one article, one source and/or to notes, without changing scores.

    (Whoosh's ``filter=`` argument is not used: ``len(results)`` ignores it.)
    """
    parts = [query]
    if scope.article_id:
        parts.append(wq.ConstantScoreQuery(wq.Term("article_id", scope.article_id), 0.0))
    if scope.within:
        parts.append(wq.ConstantScoreQuery(wq.Or([wq.Prefix("article_id", p) for p in scope.within]), 0.0))
    if notes_only:
        parts.append(wq.ConstantScoreQuery(wq.Term("kind", documents.NOTE), 0.0))
    restricted = query if len(parts) == 1 else wq.And(parts)
    if scope.without:
        others = wq.And([wq.Term("kind", documents.SECTION), wq.Or([wq.Prefix("article_id", p) for p in scope.without])])
        restricted = wq.And([restricted, wq.ConstantScoreQuery(wq.Not(others), 0.0)])
    return restricted
