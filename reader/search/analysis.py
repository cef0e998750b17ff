"""Text analysis shared by indexing, querying, snippets and did-you-mean.

One function turns a word as written into the term stored in the index:
case and accent folding (``reader.textutil.fold``: "Aşağı" -> "asagi",
"Łódź" -> "lodz"), English stop words dropped, Porter stemming for Latin-script
words ("negotiations" -> "negoti"). Cyrillic and other scripts are folded but
not stemmed; each CJK ideograph is a word of its own, so Chinese text is
findable without a dictionary.

Speed matters here (it runs on every word of the library): the result is
cached per word *as written*, so a word pays for folding and stemming once
per process and every later occurrence is one dict lookup.
"""

from __future__ import annotations

import re
from itertools import chain
from typing import Iterator

from whoosh.lang.porter import stem as _porter_stem

from ..textutil import fold

# Analyzer settings: part of the index stamp, so changing them forces a rebuild.
ANALYZER_VERSION = "lectern-1:fold+stop+porter+cjk-unigram"

_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
WORD_RE = re.compile(rf"[{_CJK}]|[^\W_{_CJK}]+")
_CJK_RE = re.compile(rf"[{_CJK}]")

# Whoosh's English stop list: frequent words that only slow the index down.
STOP_WORDS = frozenset(
    "a an and are as at be by can for from have if in is it may not of on or tbd "
    "that the this to us we when will with yet you your".split()
)
MAX_CACHED_WORDS = 1_000_000


def term_for_word(word: str) -> str:
    """The index term for one word as written, or "" when the word is not indexed."""
    folded = fold(word)
    if folded in STOP_WORDS:
        return ""
    if len(folded) < 2 and not _CJK_RE.match(folded):
        return ""
    if folded.isascii() and folded.isalpha():
        return _porter_stem(folded)
    return folded


class _TermCache(dict):
    """word as written -> term; computed on first sight."""

    def __missing__(self, word: str) -> str:
        if len(self) >= MAX_CACHED_WORDS:
            self.clear()
        term = self[word] = term_for_word(word)
        return term


class _ChunkCache(dict):
    """whitespace-separated chunk ("Nagorno-Karabakh,") -> its terms (("nagorno", "karabakh")).

    Splitting on whitespace is several times faster than a Unicode regex over
    the whole text; the regex then only runs once per distinct chunk. The terms
    come out exactly as ``WORD_RE.findall(text)`` would give them, because no
    word contains whitespace.
    """

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        if len(self) >= MAX_CACHED_WORDS:
            self.clear()
        found = self[chunk] = tuple(t for t in map(_CACHE.__getitem__, WORD_RE.findall(chunk)) if t)
        return found


_CACHE = _TermCache()
_CHUNKS = _ChunkCache()


def term(word: str) -> str:
    """Cached :func:`term_for_word`."""
    return _CACHE[word]


def terms(text: str) -> list[str]:
    """The index terms of ``text`` in order (stop words removed, positions renumbered)."""
    return list(chain.from_iterable(map(_CHUNKS.__getitem__, text.split())))


def terms_of_chunks(pieces: list[str]) -> list[str]:
    """:func:`terms` of a text already split with :func:`chunks`."""
    return list(chain.from_iterable(map(_CHUNKS.__getitem__, pieces)))


def chunks(text: str) -> list[str]:
    """Whitespace-separated pieces of ``text`` (cheap; feed them to :func:`words_of_chunks`)."""
    return text.split()


def words_of_chunks(pieces) -> set[str]:
    """The distinct words as written in some chunks (for the did-you-mean vocabulary)."""
    found: set[str] = set()
    for piece in pieces:
        found.update(WORD_RE.findall(piece))
    return found


def words(text: str) -> list[str]:
    """The words of ``text`` as written."""
    return WORD_RE.findall(text)


def term_spans(text: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, term)`` for every indexed word of ``text`` (for highlighting)."""
    lookup = _CACHE.__getitem__
    for match in WORD_RE.finditer(text):
        term = lookup(match.group())
        if term:
            yield match.start(), match.end(), term


def fold_prefix(text: str) -> str:
    """A typed prefix folded like the index (no stemming: "negotiat" stays whole)."""
    return fold(text).strip()
