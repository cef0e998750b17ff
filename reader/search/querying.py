"""The query language (docs/search.md) and its translation into Whoosh queries.

Lectern parses queries itself rather than with Whoosh's parser: the syntax is
small (words, ``OR``, ``NOT``/``-``, ``"phrases"``, ``prefix*``, ``title:``,
``section:``, ``article:``, ``in:notes``), every input has a meaning (a
malformed query falls back to its plain words, never an error), and nothing
else of Whoosh's syntax (ranges, boosts, fuzzy ``~``) surprises the user.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from whoosh import matching
from whoosh import query as wq

from . import analysis
from .allwords import AllWords, takes
from .phrases import AdjacentPhrase
from .schema import FIELD_BOOSTS

# field name typed by the user -> index fields searched
FIELD_ALIASES = {
    "title": ("title",),
    "section": ("path",),
    "heading": ("path",),
    "article": ("article_id",),
}
DEFAULT_FIELDS = ("title", "heading", "body")
MIN_PREFIX = 2
MAX_PREFIX_TERMS = 8  # expansions kept (the most frequent): bounds the cost of "a*"...
MAX_PREFIX_POSTINGS = 3000  # ...and so does the documents they cover (after the first term)
MAX_PREFIX_SCAN = 300  # terms looked at before choosing

# [-][name:]("phrase"|word), or a bare "name:" with nothing after it (an empty field prefix)
_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)"?|([^\s"]+)|(?<=:)(?=\s|$))')
_EMPTY_PREFIX = re.compile(r'(?<!\S)-?[A-Za-z]+:(?=\s|$)')


@dataclass(frozen=True)
class Clause:
    text: str
    kind: str = "word"  # "word" | "phrase" | "prefix" | "id"
    fields: tuple[str, ...] = DEFAULT_FIELDS
    negated: bool = False


@dataclass
class ParsedQuery:
    groups: list[list[Clause]] = field(default_factory=list)  # AND of ORs of positive clauses
    negated: list[Clause] = field(default_factory=list)
    notes_only: bool = False

    @property
    def article_ids(self) -> list[str]:
        """The ids named by ``article:ID`` (each must be an article of the library)."""
        return [c.text for c in (*(c for g in self.groups for c in g), *self.negated) if c.kind == "id"]

    @property
    def searchable(self) -> bool:
        """Whether anything is left to search for (not only stop words, punctuation or "title:")."""
        return self.notes_only or any(_has_terms(c) for g in self.groups for c in g)

    def group_terms(self) -> list[set[str]]:
        """Index terms of the positive text clauses, one set per required group (for ranking).

        A group of one multi-word clause (a phrase, "Nagorno-Karabakh") gives one set per word.
        """
        found = []
        for group in self.groups:
            texts = [c for c in group if c.kind in ("word", "phrase") and "body" in c.fields]
            if len(texts) == 1 and len(group) == 1:
                found += [{t} for t in dict.fromkeys(analysis.terms(texts[0].text))]
            elif texts:
                found.append({t for c in texts for t in analysis.terms(c.text)})
        return [g for g in found if g]

    def ordered_terms(self) -> list[str]:
        """The terms of a plain-word query in the order typed (empty if it uses operators)."""
        if self.negated or any(len(g) != 1 or g[0].kind not in ("word", "phrase") or g[0].fields != DEFAULT_FIELDS
                               for g in self.groups):
            return []
        return [t for g in self.groups for t in analysis.terms(g[0].text)]

    def is_one_phrase(self) -> bool:
        """One phrase (or "Nagorno-Karabakh") of two or more different words, and nothing else.

        Every match of it holds the words next to each other (or in its title
        or heading), so proximity cannot tell its matches apart.
        """
        if self.negated or len(self.groups) != 1 or len(self.groups[0]) != 1:
            return False
        clause = self.groups[0][0]
        return (clause.kind in ("word", "phrase") and clause.fields == DEFAULT_FIELDS
                and len(set(analysis.terms(clause.text))) > 1)

    def in_fields(self, fields: tuple[str, ...]) -> "ParsedQuery":
        """The same positive clauses searched in ``fields`` only (no exclusions, no notes filter)."""
        return ParsedQuery([[replace(c, fields=fields) for c in g] for g in self.groups])

    @property
    def plain_words(self) -> list[str]:
        """The words typed in the default fields (candidates for did-you-mean)."""
        return [c.text for g in self.groups for c in g if c.kind == "word" and c.fields == DEFAULT_FIELDS]


def parse(text: str) -> ParsedQuery:
    """Parse a query; an empty or operator-only query gives no groups (see :func:`fallback`)."""
    parsed = ParsedQuery()
    pending_or = pending_not = False
    for match in _TOKEN.finditer(text.replace("(", " ").replace(")", " ")):
        minus, name, phrase, word = match.groups()
        if phrase is None and not name and not minus and word in ("OR", "NOT", "AND", "|"):
            pending_or = pending_or or word in ("OR", "|")
            pending_not = pending_not or word == "NOT"
            continue
        if not (minus or name or phrase is not None or word):
            continue  # an empty match (only a "name:" with nothing after it matches empty)
        clauses = _clauses(name, phrase, word, negated=bool(minus) or pending_not)
        pending_not = False
        for clause in clauses:
            if clause == "notes":
                parsed.notes_only = True
            elif clause.negated:
                parsed.negated.append(clause)
            elif pending_or and parsed.groups:
                parsed.groups[-1].append(clause)
            else:
                parsed.groups.append([clause])
            pending_or = False
    return parsed


def _clauses(name: str | None, phrase: str | None, word: str | None, negated: bool) -> list:
    """The clauses of one token: none for an empty field prefix ("title:"), two for "foo:bar"."""
    value = phrase if phrase is not None else word or ""
    key = (name or "").lower()
    if key == "in" and value.lower() in ("notes", "note"):
        return ["notes"]
    if not value.strip():
        return []  # "title:", "foo:" with nothing after: ignored
    if name and key not in FIELD_ALIASES:  # "foo:bar" is just the words foo and bar
        return [Clause(name, "word", DEFAULT_FIELDS, negated)] + _clauses(None, phrase, word, negated)
    clause = _clause(key, phrase, value, negated)
    return [clause] if clause is not None else []


def _clause(key: str, phrase: str | None, value: str, negated: bool) -> Clause | None:
    if not value.strip():
        return None
    fields = FIELD_ALIASES.get(key, DEFAULT_FIELDS)
    if key == "article":
        return Clause(value, "id", fields, negated)
    if phrase is not None:
        return Clause(value, "phrase", fields, negated)
    if value.endswith("*") and len(analysis.fold_prefix(value.rstrip("*"))) >= MIN_PREFIX:
        return Clause(value.rstrip("*"), "prefix", fields, negated)
    return Clause(value.rstrip("*"), "word", fields, negated)


def fallback(text: str) -> ParsedQuery:
    """The plain words of a query that parsed to nothing usable (an empty "title:" is no word)."""
    words = [w for w in analysis.words(_EMPTY_PREFIX.sub(" ", text)) if w not in ("OR", "NOT", "AND")]
    return ParsedQuery(groups=[[Clause(w)] for w in words], notes_only="in:notes" in text.lower())


def _has_terms(clause: Clause) -> bool:
    return clause.kind in ("id", "prefix") or bool(analysis.terms(clause.text))


@dataclass
class BuiltQuery:
    query: wq.Query | None  # None: nothing can match
    highlight: set[str]  # index terms to mark in snippets
    has_prefix: bool = False  # counting a prefix query's matches exactly costs more than the search
    has_phrase: bool = False  # a required phrase: every match is found while ranking, so the count is exact


def build(parsed: ParsedQuery, reader, unrestricted: bool = False) -> BuiltQuery:
    """Whoosh query for a parsed query; prefix clauses are expanded against ``reader``.

    ``unrestricted``: the search is not limited to an article, a source or the
    notes; a query that is one phrase may then stop at enough matches.
    """
    highlight: set[str] = set()
    ands = []
    may_stop = unrestricted and parsed.is_one_phrase()
    for group in parsed.groups:
        alternatives = [q for q in (_clause_query(c, reader, highlight, may_stop) for c in group) if q is not None]
        if alternatives:
            ands.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
        elif any(c.kind != "word" or analysis.terms(c.text) for c in group):
            return BuiltQuery(None, highlight)  # a required part matches nothing
    if not ands:
        return BuiltQuery(None, highlight)
    positive = ands[0] if len(ands) == 1 else AllWords(ands) if all(map(takes, ands)) else wq.And(ands)
    negatives = [q for q in (_clause_query(c, reader, set()) for c in parsed.negated) if q is not None]
    if negatives:
        positive = Excluding(positive, wq.Or(negatives))
    clauses = [c for g in parsed.groups for c in g]
    return BuiltQuery(positive, highlight, any(c.kind == "prefix" for c in clauses),
                      any(c.kind in ("word", "phrase") and len(analysis.terms(c.text)) > 1 for c in clauses))


class _ExcludingMatcher(matching.AndNotMatcher):
    """Whoosh's ``AndNotMatcher``, except at its start: Whoosh checks only whether the first excluded
    document *is* the first match, so a first match excluded further down the excluded list (its id
    above the list's first) was returned: ``stone common -urchin`` gave a section holding "urchin"
    as the first hit of a segment. Here the excluded list is first moved up to the first match."""

    def _find_first(self):
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class Excluding(wq.AndNot):
    """``a ANDNOT b`` through :class:`_ExcludingMatcher`."""

    def matcher(self, searcher, context=None):
        return _ExcludingMatcher(self.a.matcher(searcher, context), self.b.matcher(searcher, searcher.boolean_context()))


def _clause_query(clause: Clause, reader, highlight: set[str], may_stop: bool = False) -> wq.Query | None:
    """``may_stop``: a phrase may end its search at enough matches (it is the whole query)."""
    if clause.kind == "id":
        return wq.Term("article_id", clause.text)
    if clause.kind == "prefix":
        return _prefix_query(clause, reader, highlight)
    terms = analysis.terms(clause.text)
    if not terms:
        return None  # only stop words
    highlight.update(terms)
    per_field = []
    for name in clause.fields:
        boost = FIELD_BOOSTS.get(name, 1.0)
        if len(terms) == 1:
            per_field.append(wq.Term(name, terms[0], boost=boost))
        else:
            per_field.append(AdjacentPhrase(name, terms, boost=boost, may_stop=may_stop))
    return per_field[0] if len(per_field) == 1 else wq.Or(per_field)


def _prefix_query(clause: Clause, reader, highlight: set[str]) -> wq.Query:
    """The prefix's most frequent expansions (from the body vocabulary) searched in each field."""
    prefix = analysis.fold_prefix(clause.text)
    expanded = expand_prefix(reader, "body", prefix) or expand_prefix(reader, clause.fields[0], prefix)
    highlight.update(expanded)
    per_field = [wq.Term(name, term, boost=FIELD_BOOSTS.get(name, 1.0)) for name in clause.fields for term in expanded]
    return wq.Or(per_field) if per_field else wq.NullQuery


def expand_prefix(reader, fieldname: str, prefix: str) -> list[str]:
    """Index terms for ``prefix*``: the most frequent few, plus stems the prefix runs past.

    The cost of a prefix query grows with the postings of its terms, so terms
    are taken most frequent first until 8 terms or 3,000 documents (after the
    first), among the first 300 terms with the prefix.

    Terms are stemmed, so "negotiat*" must also find the stem "negoti" (of
    "negotiation"): a shorter term the prefix starts with counts too.
    """
    found = []
    for count, raw in enumerate(reader.expand_prefix(fieldname, prefix)):
        if count >= MAX_PREFIX_SCAN:
            break
        term = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        found.append((reader.doc_frequency(fieldname, term), term))
    for cut in range(len(prefix) - 1, max(MIN_PREFIX + 1, len(prefix) - 3) - 1, -1):
        stem = prefix[:cut]
        if reader.doc_frequency(fieldname, stem):
            found.append((reader.doc_frequency(fieldname, stem), stem))
            break
    found.sort(key=lambda pair: (-pair[0], pair[1]))
    chosen, postings = [], 0
    for frequency, term in found[:MAX_PREFIX_TERMS]:
        if chosen and postings + frequency > MAX_PREFIX_POSTINGS:
            break
        chosen.append(term)
        postings += frequency
    return chosen
