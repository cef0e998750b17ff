"""Did you mean: corrections built from the library's own words.

The index holds stems ("genocid"), which make poor suggestions, so each
generation keeps a vocabulary of the folded words as written, gathered while
indexing. A query word that is not a word of the library is completed to
the shortest word of its stem that starts with it if the stem is indexed
("genocid", its own stem, -> "genocide"; "peacekeeper" is left alone: stemming finds it), else
replaced by the nearest stem's word (fewest edits, 1-2, then the most frequent; same
first two letters, so the search stays small).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from itertools import islice
from typing import Iterable, Iterator

from rapidfuzz.distance import Levenshtein

from ..textutil import fold
from . import analysis

SPELL_FIELD = "body"


class Vocabulary:
    """The library's words, folded and sorted: one list, looked up by bisection (it loads in
    milliseconds, where building a set of its 150,000 words at 100,000 articles took ~50 ms)."""

    MAX_SCAN = 200  # words looked at per stem lookup

    def __init__(self, words: Iterable[str] | None = None):
        self.words: list[str] = sorted(set(words or ()))

    @classmethod
    def from_sorted(cls, words: list[str]) -> "Vocabulary":
        """A vocabulary of ``words`` as written by :attr:`words` (sorted, distinct): nothing to sort."""
        vocabulary = cls()
        vocabulary.words = words
        return vocabulary

    def new_words(self, raw_words: Iterable[str]) -> list[str]:
        """The words as written that are not in the vocabulary yet, folded and sorted."""
        new = set()
        for raw in {w.lower() for w in raw_words}:
            folded = raw if raw.isascii() else fold(raw)
            if folded not in new and not self.is_word(folded) and analysis.term(folded):
                new.add(folded)
        return sorted(new)

    def add(self, folded_words: Iterable[str]) -> None:
        """Add folded words (from :meth:`new_words`)."""
        new = [w for w in folded_words if not self.is_word(w)]
        if len(new) > 1000:
            self.words = sorted(set(self.words).union(new))
        else:  # a one-article update: no re-sort of the whole library's words
            for word in new:
                insort(self.words, word)

    def add_words(self, raw_words: Iterable[str]) -> bool:
        """Add words as written; returns True when the vocabulary grew."""
        new = self.new_words(raw_words)
        self.add(new)
        return bool(new)

    def is_word(self, folded: str) -> bool:
        i = bisect_left(self.words, folded)
        return i < len(self.words) and self.words[i] == folded

    def completion(self, stem: str, start: str) -> str | None:
        """The shortest word of ``stem`` that starts with ``start`` ("genocid" -> "genocide")."""
        found = [w for w in islice(self._starting_with(start), self.MAX_SCAN) if analysis.term(w) == stem]
        return min(found, key=lambda w: (len(w), w)) if found else None

    def word_for(self, stem: str) -> str | None:
        """A word of the library with this stem (stems are prefixes of their words, but "happi"/"happy")."""
        return self.completion(stem, stem) or self.completion(stem, stem[:-1]) if len(stem) > 1 else None

    def _starting_with(self, start: str) -> Iterator[str]:
        i = bisect_left(self.words, start)
        while i < len(self.words) and self.words[i].startswith(start):
            yield self.words[i]
            i += 1


def correct(words: list[str], reader, vocabulary: Vocabulary) -> dict[str, str]:
    """``{word typed: replacement}`` for the words that are not words of the library."""
    if not vocabulary.words:
        return {}
    fixes = {}
    for word in words:
        folded = fold(word)
        term = analysis.term(word)
        if not term or vocabulary.is_word(folded) or not folded.isalpha():
            continue
        if reader.doc_frequency(SPELL_FIELD, term):  # found by stemming: only complete a cut-off word,
            replacement = vocabulary.completion(term, folded) if term == folded else None  # one that is its own stem
        else:
            replacement = _nearest(term, reader, vocabulary)
        if replacement and replacement != folded:
            fixes[word] = replacement
    return fixes


def _nearest(term: str, reader, vocabulary: Vocabulary) -> str | None:
    maxdist = 1 if len(term) <= 4 else 2
    candidates = [t for t in reader.terms_within(SPELL_FIELD, term, maxdist, prefix=2) if vocabulary.word_for(t)]
    if not candidates:
        return None
    # The fewest edits first, then the commonest: "lobstr" is one letter from "lobster",
    # two from the far commoner "lost".
    best = min(candidates, key=lambda t: (Levenshtein.distance(term, t), -reader.doc_frequency(SPELL_FIELD, t), t))
    return vocabulary.word_for(best)


def apply_fixes(query: str, fixes: dict[str, str]) -> str:
    """The query with each misspelt word replaced (operators and quotes untouched)."""
    out, pos = [], 0
    for match in analysis.WORD_RE.finditer(query):
        word = match.group()
        if word in fixes:
            out += [query[pos:match.start()], fixes[word]]
            pos = match.end()
    out.append(query[pos:])
    return "".join(out)
