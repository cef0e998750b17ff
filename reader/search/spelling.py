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
    """The library's words, folded and sorted (a list loads in milliseconds; a dict of lists did not)."""

    MAX_SCAN = 200  # words looked at per stem lookup

    def __init__(self, words: list[str] | None = None):
        known = set(words or ())  # one set, not two: this runs each time an index is opened
        self.words: list[str] = sorted(known)
        self._known = known

    def add_words(self, raw_words: Iterable[str]) -> bool:
        """Add words as written; returns True when the vocabulary grew."""
        new = set()
        for raw in {w.lower() for w in raw_words}:
            folded = raw if raw.isascii() else fold(raw)
            if folded not in self._known and analysis.term(folded):
                new.add(folded)
        if new:
            self._known |= new
            if len(new) > 1000:
                self.words = sorted(self._known)
            else:  # a one-article update: no re-sort of the whole library's words
                for word in new:
                    insort(self.words, word)
        return bool(new)

    def is_word(self, folded: str) -> bool:
        return folded in self._known

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
