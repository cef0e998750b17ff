"""Reranking BM25F's best candidates with what users mean (docs/search.md, "Ranking").

BM25F scores each word on its own: it cannot tell the article *named* "Ray
Charles" from "Here We Go Again (Ray Charles song)", nor two query words in
one sentence from the same words 3,000 words apart. For the first candidates
this module adds, to BM25F's score scaled to 0..1:

* the title being the query (folded and stemmed, in order) -- the article first,
  its lead before its other sections;
* the title holding the whole query as a phrase;
* how well the title, and the section's heading, fit the query: the share of the
  query they hold times the share of themselves the query covers (so "Ray
  Charles" fits "ray charles piano" better than a six-word song title does);
* proximity: the shortest stretch of the section holding a word of every
  required part of the query, as (parts / stretch length);
* a small cost for very long sections, which otherwise hold every word somewhere.

The weights were tuned on the judged query sets of tests/search/judged.py
(navigational, known-item, heading); docs/performance.md has the figures.
"""

from __future__ import annotations

import math

from . import analysis, phrases

EXACT_TITLE = 4.0
TITLE_PHRASE = 1.0
TITLE_FIT = 3.0
HEADING_FIT = 2.0
LEAD_OF_TITLE = 0.6  # the lead represents the article when the title is what was asked for
PROXIMITY = 1.2
LONG_SECTION = 0.15  # per doubling of the section's length beyond LONG_SECTION_WORDS
LONG_SECTION_WORDS = 400
PROXIMITY_WINDOW = 50  # stretches longer than this count as "not together"


def title_key(title: str) -> str:
    """What an exact-title query must equal: the title's index terms in order."""
    return title_key_of_terms(analysis.terms(title))


def title_key_of_terms(terms: list[str]) -> str:
    return " ".join(terms)


def rerank(reader, candidates: dict[int, float], parsed, stored: dict | None = None) -> list[tuple[int, float]]:
    """``[(docnum, score)]`` best first, for ``{docnum: BM25F score}``.

    ``stored`` (optional) receives ``{docnum: stored fields}`` as read here, so
    the hits need not read them again.
    """
    stored = {} if stored is None else stored
    if not candidates:
        return []
    groups = parsed.group_terms()
    wanted = set().union(*groups) if groups else set()
    ordered = parsed.ordered_terms()
    top = max(candidates.values()) or 1.0
    one_phrase = parsed.is_one_phrase()  # every candidate holds it: proximity is 1 for all, skip the positions
    positions = _positions(reader, sorted(candidates), wanted) if len(groups) > 1 and not one_phrase else {}
    scored = []
    for docnum, bm25 in candidates.items():
        fields = stored[docnum] = reader.stored_fields(docnum)
        title, heading = analysis.terms(fields.get("title", "")), analysis.terms(fields.get("heading", ""))
        score = bm25 / top
        score += _title_and_heading(title, heading, fields.get("kind") == "note", wanted, ordered)
        score += PROXIMITY * (1.0 if one_phrase else _proximity(positions.get(docnum, {}), groups, set(title) | set(heading)))
        score -= LONG_SECTION * _length_excess(reader.doc_field_length(docnum, "body", 0) or 0)
        scored.append((docnum, score))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored


def _title_and_heading(title: list[str], heading: list[str], is_note: bool, wanted: set[str], ordered: list[str]) -> float:
    is_lead = not heading and not is_note
    score = 0.0
    if ordered and title == ordered:
        score += EXACT_TITLE + LEAD_OF_TITLE * is_lead
    if ordered and _contains(title, ordered):
        score += TITLE_PHRASE
    if wanted:
        title_fit = _fit(wanted, set(title), set(title))
        score += TITLE_FIT * title_fit + LEAD_OF_TITLE * is_lead * title_fit * title_fit
        if heading:
            score += HEADING_FIT * _fit(wanted, set(heading), set(heading) | set(title))
    return score


def _fit(wanted: set[str], part: set[str], explains: set[str]) -> float:
    """(share of ``part`` the query covers) x (share of the query that ``explains`` holds)."""
    if not part:
        return 0.0
    return len(wanted & part) / len(part) * len(wanted & explains) / len(wanted)


def _contains(terms: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(terms[i:i + size] == phrase for i in range(len(terms) - size + 1))


def _positions(reader, docnums: list[int], wanted: set[str]) -> dict[int, dict[str, list[int]]]:
    """``{docnum: {term: body positions}}`` for the candidates, read from the postings."""
    found: dict[int, dict[str, list[int]]] = {}
    for term in wanted:
        for docnum, positions in phrases.positions_in(reader, "body", term, docnums).items():
            found.setdefault(docnum, {})[term] = positions
    return found


def _proximity(positions: dict[str, list[int]], groups: list[set[str]], labels: set[str]) -> float:
    """(number of parts) / (shortest stretch holding a word of each), 0 when a part is missing.

    Parts found in the title or heading (``labels``) are next to every word of
    the section: "Ray Charles" + "piano" in the section "Career" of the article
    "Ray Charles" is as close as it gets.
    """
    if len(groups) < 2:
        return 0.0
    groups = [g for g in groups if not g & labels]
    if len(groups) < 2:
        return 1.0 if not groups or any(positions.get(t) for t in groups[0]) else 0.0
    events = []
    for index, group in enumerate(groups):
        mine = [p for term in group for p in positions.get(term, ())]
        if not mine:
            return 0.0
        events += [(p, index) for p in mine]
    span = _shortest_span(sorted(events), len(groups))
    return 0.0 if span > PROXIMITY_WINDOW else len(groups) / span


def _shortest_span(events: list[tuple[int, int]], parts: int) -> int:
    """Length of the shortest window of ``events`` (position, part) that holds every part."""
    counts: dict[int, int] = {}
    best, start = math.inf, 0
    for position, part in events:
        counts[part] = counts.get(part, 0) + 1
        while len(counts) == parts:
            first, first_part = events[start]
            best = min(best, position - first + 1)
            counts[first_part] -= 1
            if not counts[first_part]:
                del counts[first_part]
            start += 1
    return int(best) if best != math.inf else 1 << 30


def _length_excess(words: int) -> float:
    return max(0.0, math.log2(max(words, 1) / LONG_SECTION_WORDS))
