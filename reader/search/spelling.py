"""Did you mean: corrections built from the library's own words.

The index holds stems ("genocid"), which make poor suggestions, so each
generation keeps a vocabulary ``{stem: [folded words as written]}`` gathered
while indexing. A query word that is not a word of the library is replaced by
the shortest word of its stem if the stem is indexed ("genocid" -> "genocide"),
else by the most frequent nearby stem's word (edit distance 1-2, same first two
letters, so the search stays small).
"""

from __future__ import annotations

from typing import Iterable

from ..textutil import fold
from . import analysis

SPELL_FIELD = "body"


class Vocabulary:
    def __init__(self, by_stem: dict[str, list[str]] | None = None):
        self.by_stem: dict[str, list[str]] = by_stem or {}

    def add_words(self, raw_words: Iterable[str]) -> bool:
        """Add words as written; returns True when the vocabulary grew."""
        grew = False
        for raw in {w.lower() for w in raw_words}:
            term = analysis.term(raw)
            if not term:
                continue
            folded = raw if raw.isascii() else fold(raw)
            known = self.by_stem.setdefault(term, [])
            if folded not in known:
                known.append(folded)
                known.sort(key=lambda w: (len(w), w))
                grew = True
        return grew

    def is_word(self, folded: str) -> bool:
        return folded in self.by_stem.get(analysis.term(folded), ())

    def word_for(self, stem: str) -> str | None:
        known = self.by_stem.get(stem)
        return known[0] if known else None


def correct(words: list[str], reader, vocabulary: Vocabulary) -> dict[str, str]:
    """``{word typed: replacement}`` for the words that are not words of the library."""
    if not vocabulary.by_stem:
        return {}
    fixes = {}
    for word in words:
        folded = fold(word)
        term = analysis.term(word)
        if not term or vocabulary.is_word(folded) or not folded.isalpha():
            continue
        if reader.doc_frequency(SPELL_FIELD, term):
            replacement = vocabulary.word_for(term)
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
    best = max(candidates, key=lambda t: (reader.doc_frequency(SPELL_FIELD, t), t))
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
