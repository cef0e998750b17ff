"""Exact phrases found by intersecting postings rarest term first (docs/search.md, "Phrases").

Whoosh's own ``Phrase`` walks every section holding all the words one posting
at a time through a tree of matchers and builds a ``Span`` object per position
of each word (a phrase of two common words at 100,000 articles took 320 ms).
:class:`AdjacentPhrase` matches the same documents with the same scores, but:

* the rarest word's postings give the candidates; each other word's posting
  blocks that hold no candidate are skipped from their headers, without
  decompressing them;
* positions are decoded only for the sections that hold every word, and
  adjacency is a set intersection (positions of word i, minus i);
* the matches of a segment are kept on the query object, so counting them
  again (``len(results)``) does not search again. The matcher has no block
  quality, so Whoosh's collector counts every match while ranking;
* a phrase that is the whole query (``may_stop``) stops in a segment once it
  has enough matches after a work budget, and estimates the rest (:meth:`unseen`).

Scores are Whoosh's: the sum of each word's BM25F score times the boost, as
``Phrase`` gives them (tests/search/test_search_matching.py compares the two).
"""

from __future__ import annotations

import pickle
import struct
import zlib
from array import array
from bisect import bisect_left, bisect_right
from functools import partial
from io import BytesIO
from itertools import accumulate
from pickle import loads

from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.system import _INT_SIZE

_INT = struct.Struct("!i")  # Whoosh's signed int (a posting block's length)
_MAGIC_SIZE = len(WHOOSH3_HEADER_MAGIC)
CHUNK_BLOCKS = 16  # blocks of a phrase's rarest word matched at a time
BLOCK_BUDGET = 256  # blocks decoded in a segment (all words) after which ENOUGH_MATCHES end the search
ENOUGH_MATCHES = 20  # (per segment: the reranking looks at 60 candidates)
_FEW = 8  # candidates in a block looked up by bisection; more: through a dict of the block's ids


class AdjacentPhrase(wq.Phrase):
    """``Phrase(fieldname, words)`` with slop 1 (the words next to each other, in order)."""

    def __init__(self, fieldname, words, slop=1, boost=1.0, char_ranges=None, may_stop=False):
        super().__init__(fieldname, list(words), slop=1, boost=boost, char_ranges=char_ranges)
        # may_stop: the phrase is the whole query, so enough matches may end the search (see _matches);
        # never inside an exclusion, an AND or a restriction to one article (its matches could be unread)
        self.may_stop = may_stop
        self._found: dict = {}  # segment reader -> (docnums, scores, estimated matches): a second pass reuses it

    def matcher(self, searcher, context=None):
        if not searcher.is_atomic():
            subs = searcher.subsearchers
            return matching.MultiMatcher([self.matcher(s, context) for s, _ in subs], [o for _, o in subs])
        field = searcher.schema[self.fieldname] if self.fieldname in searcher.schema else None
        if field is None:
            return matching.NullMatcher()
        reader = searcher.reader()
        found = self._found.get(reader)
        if found is None:
            weighting = (context.weighting if context is not None else None) or searcher.weighting
            words = [field.to_bytes(word) for word in self.words]
            found = self._found[reader] = _matches(searcher, weighting, self.fieldname, words, self.may_stop)
        docnums, scores, _ = found
        return _Matches(docnums, [score * self.boost for score in scores])

    def normalize(self):
        return self if len(self.words) > 1 else super().normalize()  # (Phrase's would drop may_stop)

    def unseen(self) -> int:
        """Matches estimated in the parts of segments left unread (0: every match was found)."""
        return sum(estimate - len(docnums) for docnums, _, estimate in self._found.values())


def _matches(searcher, weighting, fieldname: str, words: list[bytes],
             may_stop: bool = False) -> tuple[list[int], list[float], int]:
    """The segment's documents holding ``words`` next to each other, in order, their scores, and
    the number of matches in the whole segment (estimated if the work budget stopped the search).

    The rarest word's postings are taken CHUNK_BLOCKS blocks at a time, in
    document order. If ``may_stop``, after BLOCK_BUDGET decoded blocks, once
    ENOUGH_MATCHES matches are found, the rest of the segment is left: a phrase of two words
    that are each in a sixth of all sections (a synthetic corpus of 100,000
    articles has such pairs) would otherwise decode every block of both.
    """
    reader = searcher.reader()
    unique = list(dict.fromkeys(words))
    if not all((fieldname, word) in reader for word in unique):
        return [], [], 0
    unique.sort(key=lambda word: reader.doc_frequency(fieldname, word))
    postings = {word: _Postings(reader, fieldname, word) for word in unique}
    rarest, docnums = postings[unique[0]], []
    while not rarest.exhausted:
        candidates = rarest.keep(None, CHUNK_BLOCKS)
        for word in unique[1:]:
            candidates = postings[word].keep(candidates) if candidates else []
        if candidates:
            decoded = {word: _positions_of(postings[word].aligned(candidates, 2)) for word in unique}
            docnums += [candidates[k] for k in _adjacent([decoded[word] for word in words])]
        if may_stop and len(docnums) >= ENOUGH_MATCHES and sum(p.decoded for p in postings.values()) >= BLOCK_BUDGET:
            break
    estimate = len(docnums)
    if not rarest.exhausted:
        estimate = round(len(docnums) * reader.doc_frequency(fieldname, unique[0]) / max(rarest.seen, 1))
    return docnums, _scores(searcher, weighting, fieldname, words, docnums, postings), max(estimate, len(docnums))


def _scores(searcher, weighting, fieldname, words, docnums, postings) -> list[float]:
    """Whoosh's score of each match: the sum of its words' BM25F scores (a repeated word counts again)."""
    unique = list(postings)
    weights = {word: postings[word].aligned(docnums, 1) for word in unique}
    scorers = {word: weighting.scorer(searcher, fieldname, word) for word in unique}
    posting = _Posting()
    scores = []
    for k, doc in enumerate(docnums):
        score = 0.0
        for word in words:
            posting.docnum, posting.w = doc, weights[word][k]
            score += scorers[word].score(posting)
        scores.append(score)
    return scores


def positions_in(reader, fieldname: str, term: str, docnums: list[int]) -> dict[int, list[int]]:
    """``{docnum: positions of term}`` for those of ``docnums`` (sorted) holding it, over every segment.

    Reads only the posting blocks holding those documents (the reranking asks
    for ~60 documents' positions of each query word).
    """
    found: dict[int, list[int]] = {}
    leaves = reader.leaf_readers() if not reader.is_atomic() else [(reader, 0)]
    for number, (leaf, offset) in enumerate(leaves):
        end = leaves[number + 1][1] if number + 1 < len(leaves) else offset + leaf.doc_count_all()
        mine = [doc - offset for doc in docnums if offset <= doc < end]
        if not mine or (fieldname, term) not in leaf:
            continue
        postings = _Postings(leaf, fieldname, leaf.schema[fieldname].to_bytes(term))
        kept = postings.keep(mine)
        found.update(zip((doc + offset for doc in kept), _positions_of(postings.aligned(kept, 2))))
    return found


def _adjacent(per_word: list[list[list[int]]]) -> list[int]:
    """Indexes k where some start has word i of the phrase at start + i, for every i.

    ``per_word[i][k]``: the positions of the phrase's i-th word in the k-th candidate.
    Most words occur once in a section: that case is a comparison, the others
    intersect sets (positions of word i, minus i).
    """
    found = []
    for k, lists in enumerate(zip(*per_word)):
        first = lists[0]
        if len(first) == 1:
            start = first[0]
            if all(start + i in lists[i] for i in range(1, len(lists))):
                found.append(k)
            continue
        starts = set(first)
        for i in range(1, len(lists)):
            starts.intersection_update([p - i for p in lists[i]])
            if not starts:
                break
        else:
            found.append(k)
    return found


def _positions_of(values: list[bytes]) -> list[list[int]]:
    """Decoded positions of many postings (``schema.FastPositions``: a count, then pickled deltas).

    Each value is a protocol-2 pickle of a list; their bodies are joined into
    one pickle of a list of lists, so one ``loads`` decodes them all (one call
    per posting cost more than the rest of matching a phrase).
    """
    try:
        joined = loads(b"\x80\x02(" + b"".join([value[_INT_SIZE + 2:-1] for value in values]) + b"l.")
        if len(joined) != len(values) or not all(type(deltas) is list for deltas in joined):
            raise ValueError("unexpected positions encoding")
    except Exception:  # noqa: BLE001 - another encoding: one value at a time, as Whoosh does
        joined = [loads(value[_INT_SIZE:]) for value in values]
    return [deltas if len(deltas) == 1 else list(accumulate(deltas)) for deltas in joined]


class _Posting:
    """What a Whoosh scorer reads of a matcher: the current document and the term's weight in it."""

    __slots__ = ("docnum", "w")

    def id(self) -> int:
        return self.docnum

    def weight(self) -> float:
        return self.w


class _Postings:
    """One term's postings in one segment, read a block at a time.

    The blocks read are kept (``_maxes``: the highest id of each) for the
    weights and positions of the documents kept (:meth:`aligned`).
    """

    def __init__(self, reader, fieldname: str, word: bytes):
        matcher = reader.postings(fieldname, word)
        self.deleted = frozenset()
        if isinstance(matcher, FilterMatcher):  # the segment has deleted documents
            self.deleted, matcher = matcher._ids, matcher.child
        self.matcher = matcher
        self._maxes: list[int] = []
        self._blocks_read: list[tuple] = []  # (ids, weights, values)
        self._walk = self._block_source()
        self.exhausted = False  # every block was passed
        self.decoded = 0  # blocks decoded
        self.seen = 0  # postings in them

    def keep(self, candidates: list[int] | None, blocks: int | None = None) -> list[int]:
        """Those of the candidates (sorted docnums, after any asked before) this term is in.

        ``candidates`` None: the documents of the next ``blocks`` blocks (all if None).
        """
        kept: list[int] = []
        lo = 0
        if candidates is not None and self._maxes:  # some may be in the last block read
            lo = bisect_right(candidates, self._maxes[-1])
            kept += self._kept_in(self._blocks_read[-1][0], candidates, 0, lo)
        taken = 0
        while not (candidates is None and blocks is not None and taken >= blocks):
            if candidates is not None and lo >= len(candidates):
                break
            block = next(self._walk, None)
            if block is None:
                self.exhausted = True
                break
            maxid, data = block
            hi = bisect_right(candidates, maxid, lo) if candidates is not None else 0
            if candidates is not None and hi == lo:
                continue  # no candidate in this block: not decoded
            ids = self._decode(maxid, data)
            taken += 1
            if candidates is None:
                kept += [doc for doc in ids if doc not in self.deleted] if self.deleted else ids
            else:
                kept += self._kept_in(ids, candidates, lo, hi)
            lo = hi
        return kept

    @staticmethod
    def _kept_in(ids: list[int], candidates: list[int], lo: int, hi: int) -> list[int]:
        if hi - lo <= _FEW:
            return [doc for doc in candidates[lo:hi] if (i := bisect_left(ids, doc)) < len(ids) and ids[i] == doc]
        return sorted(set(ids).intersection(candidates[lo:hi]))

    def _decode(self, maxid: int, data) -> list[int]:
        ids, weights, values = data()
        self._maxes.append(maxid)
        self._blocks_read.append((ids, weights, values))
        self.decoded += 1
        self.seen += len(ids)
        return ids

    def aligned(self, docs: list[int], part: int) -> list:
        """The weights (``part`` 1) or encoded positions (2) of ``docs`` (sorted, each kept by :meth:`keep`)."""
        found, lo = [], 0
        first = bisect_left(self._maxes, docs[0]) if docs else len(self._maxes)
        for maxid, block in zip(self._maxes[first:], self._blocks_read[first:]):
            hi = bisect_right(docs, maxid, lo)
            if hi == lo:
                continue
            ids, column = block[0], block[part]
            if part == 1 and not isinstance(column, (list, tuple, array)):
                found += [1.0 if column is None else column] * (hi - lo)  # one weight for the whole block
            elif hi - lo <= _FEW:
                found += [column[bisect_left(ids, doc)] for doc in docs[lo:hi]]
            else:
                index = dict(zip(ids, range(len(ids))))
                found += [column[index[doc]] for doc in docs[lo:hi]]
            lo = hi
        return found

    def _block_source(self):
        """(highest id, a function decoding the block) of each block, read in one piece.

        Whoosh's matcher reads each block's header through ~20 small file reads
        and decodes ids with a Python generator. A block whose id range holds
        no candidate is passed over from its header, without decompressing it.
        """
        matcher = self.matcher
        if isinstance(matcher, W3LeafMatcher) and matcher._fixedsize in (None, -1):
            yield from _parsed_blocks(matcher)
            return
        ids, weights, values = [], [], []  # an inlined posting list (one document)
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value())
            matcher.next()
        if ids:
            yield ids[-1], lambda: (ids, weights, values)


def _parsed_blocks(matcher: W3LeafMatcher):
    """(highest id, a function decoding the block's data) of each block of a W3 posting list.

    The layout is Whoosh 3's (``W3PostingsWriter``): a magic tag, then per
    block a signed length (negative for the last block), a pickled info tuple
    and the (possibly zlib-compressed) pickled data.
    """
    size = matcher._length
    size = size[0] if isinstance(size, tuple) else size  # a 1-tuple when read back (W3TermInfo.from_bytes)
    raw = matcher._postfile.get(matcher._startoffset, size)
    if raw[:_MAGIC_SIZE] != WHOOSH3_HEADER_MAGIC:
        raise ValueError("not a Whoosh 3 posting list")
    position = _MAGIC_SIZE
    while position < len(raw):
        length = _INT.unpack_from(raw, position)[0]
        stream = BytesIO(raw[position + _INT.size:position + _INT.size + abs(length)])
        info = pickle.load(stream)
        yield info[1], partial(_block_data, stream, info[3], matcher._byteids)
        if length < 0:
            return
        position += _INT.size + abs(length)


def _block_data(stream: BytesIO, compressed, byteids) -> tuple:
    """(ids, weights, values) of a block; ids are stored as deltas (unless they are bytes)."""
    data = stream.read()
    ids, weights, values = pickle.loads(zlib.decompress(data) if compressed else data)[:3]
    return (ids if byteids else list(accumulate(ids))), weights, values


class _Matches(matching.Matcher):
    """Precomputed matches of one segment in docnum order, with their scores (no block quality)."""

    def __init__(self, docnums: list[int], scores: list[float], at: int = 0):
        self._docnums, self._scores, self._at = docnums, scores, at

    def is_active(self) -> bool:
        return self._at < len(self._docnums)

    def id(self) -> int:
        return self._docnums[self._at]

    def next(self):
        self._at += 1

    def skip_to(self, target: int):
        self._at = bisect_left(self._docnums, target, self._at)

    def score(self) -> float:
        return self._scores[self._at]

    def weight(self) -> float:
        return self._scores[self._at]

    def copy(self):
        return _Matches(self._docnums, self._scores, self._at)

    def reset(self):
        self._at = 0

    def all_ids(self):
        while self.is_active():
            yield self.id()
            self.next()

    def supports(self, astype) -> bool:
        return False

    def supports_block_quality(self) -> bool:
        return False

    def max_quality(self) -> float:
        return max(self._scores[self._at:], default=0.0)

    def depth(self) -> int:
        return 0

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()
