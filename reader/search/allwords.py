"""Several words, each in any of the text fields: matched rarest word first (docs/search.md).

A plain query of two or more words is ``And([Or([Term(title, w), Term(heading, w),
Term(body, w)]), ...])``. Whoosh matches it with a tree of matchers that moves
one posting at a time through every field of every word (at 100,000 articles
this was most of an AND query's 100-150 ms). :class:`AllWords` finds the same
documents with the same scores from the posting blocks themselves
(:class:`.phrases._Postings`): the rarest word's documents are the candidates,
each other word keeps those it holds in some field (blocks without
candidates are passed over from their headers), and only the survivors are
scored. When even the rarest word is in very many sections, Whoosh's own
matcher is used: its block-quality skipping then does less work than scoring
every survivor.
"""

from __future__ import annotations

from whoosh import matching
from whoosh import query as wq

from .phrases import _Matches, _Posting, _Postings

MAX_RAREST = 20_000  # postings of the rarest word in a segment above which Whoosh's matcher is used


class AllWords(wq.And):
    """``And`` of parts; each a ``Term`` or an ``Or`` of ``Term``s (see :func:`takes`)."""

    def __init__(self, subqueries, boost=1.0):
        super().__init__(subqueries, boost=boost)
        self._found: dict = {}  # segment reader -> (docnums, scores) or None (Whoosh's matcher)

    def normalize(self):
        return self  # an enclosing And would otherwise take the words over as its own

    def counted_every_match(self) -> bool:
        """Whether every segment was matched here (no block skipping): the collector then counted every match."""
        return bool(self._found) and all(found is not None for found in self._found.values())

    def matcher(self, searcher, context=None):
        if not searcher.is_atomic():
            subs = searcher.subsearchers
            return matching.MultiMatcher([self.matcher(s, context) for s, _ in subs], [o for _, o in subs])
        reader = searcher.reader()
        if reader not in self._found:
            weighting = (context.weighting if context is not None else None) or searcher.weighting
            self._found[reader] = _matches(searcher, weighting, [_fields_of(q) for q in self.subqueries])
        found = self._found[reader]
        if found is None:
            return super().matcher(searcher, context)
        docnums, scores = found
        return _Matches(docnums, [score * self.boost for score in scores])


def takes(query) -> bool:
    """Whether ``query`` can be one part of :class:`AllWords`: a Term, or an Or of Terms (unboosted)."""
    if isinstance(query, wq.Term):
        return True
    return type(query) is wq.Or and query.boost == 1.0 and all(isinstance(q, wq.Term) for q in query.subqueries)


def _fields_of(query) -> list[tuple[str, str, float]]:
    """(field, term, boost) of each alternative of one part (a word in several fields, a prefix's terms)."""
    if not takes(query):
        raise TypeError(f"AllWords takes Terms or Ors of Terms, not {query!r}")
    terms = query.subqueries if isinstance(query, wq.Or) else [query]
    return [(term.fieldname, term.text, term.boost) for term in terms]


def _matches(searcher, weighting, words: list[list[tuple[str, str, float]]]):
    """The segment's documents holding every word in some field, and their scores (None: too many)."""
    reader, schema = searcher.reader(), searcher.schema
    present = []
    for fields in words:
        here = [(name, schema[name].to_bytes(text), boost) for name, text, boost in fields if name in schema]
        here = [(name, text, boost) for name, text, boost in here if (name, text) in reader]
        if not here:
            return [], []
        present.append(here)
    present.sort(key=lambda here: sum(reader.doc_frequency(name, text) for name, text, _ in here))
    if sum(reader.doc_frequency(name, text) for name, text, _ in present[0]) > MAX_RAREST:
        return None
    postings = [[_Postings(reader, name, text) for name, text, _ in here] for here in present]
    kept: list[list[set[int]]] = []
    candidates = None
    for word in postings:
        in_fields = [set(field.keep(candidates)) for field in word]
        kept.append(in_fields)
        candidates = sorted(set().union(*in_fields))
        if not candidates:
            return [], []
    return candidates, _scores(searcher, weighting, candidates, present, postings, kept)


def _scores(searcher, weighting, docnums, present, postings, kept) -> list[float]:
    """Whoosh's score of each document: the sum over words and fields holding them of boost x BM25F."""
    at = {doc: k for k, doc in enumerate(docnums)}
    scores = [0.0] * len(docnums)
    posting = _Posting()
    for here, word, in_fields in zip(present, postings, kept):
        for (name, text, boost), field, docs in zip(here, word, in_fields):
            docs = sorted(docs.intersection(at))
            scorer = weighting.scorer(searcher, name, text)
            for doc, weight in zip(docs, field.aligned(docs, 1)):
                posting.docnum, posting.w = doc, weight
                scores[at[doc]] += boost * scorer.score(posting)
    return scores
