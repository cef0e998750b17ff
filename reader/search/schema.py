"""The Whoosh schema: one document per article section, one per note.

The text fields use :mod:`reader.search.analysis` through a lean posting
format (:class:`FastPositions`) that skips Whoosh's per-token ``Token``
objects: indexing is the biggest cost of the app's first run.
"""

from __future__ import annotations

from collections import defaultdict, deque
from itertools import count
from pickle import dumps

from whoosh import fields, formats
from whoosh.analysis import Token, Tokenizer
from whoosh.system import pack_uint

from .. import __version__
from . import analysis

SCHEMA_VERSION = 4  # 4: title_key (exact-title lookup)
TITLE_BOOST, HEADING_BOOST, PATH_BOOST, BODY_BOOST = 3.0, 2.0, 1.0, 1.0
TEXT_FIELDS = ("title", "heading", "path", "body")
FIELD_BOOSTS = {"title": TITLE_BOOST, "heading": HEADING_BOOST, "path": PATH_BOOST, "body": BODY_BOOST}


def stamp() -> dict:
    """What an index was built with; any difference means "rebuild"."""
    return {
        "schema": SCHEMA_VERSION,
        "analyzer": analysis.ANALYZER_VERSION,
        "boosts": [TITLE_BOOST, HEADING_BOOST, PATH_BOOST, BODY_BOOST],
        "app": __version__,
        "engine": "Whoosh-Reloaded 2.7.5",
    }


class LecternTokenizer(Tokenizer):
    """Whoosh-facing wrapper of :func:`analysis.term_spans` (query parsing, tools)."""

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        spans = analysis.term_spans(value) if tokenize else [(0, len(value), analysis.fold_prefix(value))]
        for pos, (start, end, term) in enumerate(spans):
            token.text = term
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = value[start:end]
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar, token.endchar = start_char + start, start_char + end
            yield token


class FastPositions(formats.Positions):
    """Positions format whose indexing path is one list of terms per value, walked in C-level loops."""

    def postings(self, value, chunks_seen: set | None = None) -> tuple[list, list, list, int]:
        """``(distinct terms, weights, encoded positions, field length)`` of a text (``writers.BuildSegmentWriter``);
        ``chunks_seen`` collects its whitespace chunks (the did-you-mean vocabulary), split only once."""
        pieces = analysis.chunks(value)
        if chunks_seen is not None:
            chunks_seen.update(pieces)
        tokens = analysis.terms_of_chunks(pieces)
        positions = defaultdict(list)
        deque(map(list.append, map(positions.__getitem__, tokens), count()), 0)  # term -> its positions
        lists = list(positions.values())
        values = [_single_position(p[0]) if len(p) == 1 else _encode_positions(p) for p in lists]
        return list(positions), list(map(_weight, map(len, lists))), values, len(tokens)

    def word_values(self, value, analyzer, **kwargs):
        terms, weights, values, _ = self.postings(value)
        return ((term, int(weight), weight, encoded) for term, weight, encoded in zip(terms, weights, values))


def _encode_positions(positions: list) -> bytes:
    """Whoosh's Positions encoding: the count, then the pickled gaps."""
    deltas = [b - a for a, b in zip([0] + positions, positions)]
    return pack_uint(len(deltas)) + dumps(deltas, 2)


class _Weights(dict):
    """occurrences -> the same float object (a posting's weight), so a build keeps one per count, not per posting."""

    def __missing__(self, count: int) -> float:
        weight = float(count)
        if len(self) < 10_000:
            self[count] = weight
        return weight


_weight = _Weights().__getitem__


class _SinglePositions(dict):
    """position -> the encoded value of a posting with that one position (Whoosh's format, cached)."""

    def __missing__(self, position: int) -> bytes:
        encoded = pack_uint(1) + dumps([position], 2)
        if len(self) < 100_000:
            self[position] = encoded
        return encoded


_single_position = _SinglePositions().__getitem__


class LecternText(fields.TEXT):
    """A TEXT field analysed by Lectern's analysis with phrase positions.

    Field boosts are applied by the queries (:data:`FIELD_BOOSTS`), not here, so
    they multiply BM25F scores instead of bending term-frequency saturation.
    """

    def __init__(self, stored: bool = False):
        super().__init__(analyzer=LecternTokenizer(), phrase=True, stored=stored)
        self.format = FastPositions()


def build_schema() -> fields.Schema:
    return fields.Schema(
        kind=fields.ID(stored=True),  # "section" or "note"
        owner=fields.ID(),  # "a:<article id>" or "n:<note id>": what replaces/deletes a document
        title_key=fields.ID(),  # lead sections only: the title's terms in order (exact-title queries)
        article_id=fields.ID(stored=True),  # the article:ID filter
        section_id=fields.STORED(),
        section_path=fields.STORED(),  # heading titles joined by STORED_PATH_SEPARATOR
        note_id=fields.STORED(),
        text=fields.STORED(),  # the body, zlib-compressed: snippets come from here
        fingerprint=fields.STORED(),  # article SHA-256 (lead document) or note hash
        title=LecternText(stored=True),  # the article title (every section carries it)
        heading=LecternText(stored=True),  # the section's own heading ("" for the lead)
        path=LecternText(),  # all headings down to this section: the section: filter
        body=LecternText(),  # section text; infobox entries in the lead; note quote+text+tags
    )


STORED_PATH_SEPARATOR = "\x1f"  # joins a stored heading path in the index (people see model.SECTION_LABEL_SEPARATOR)
