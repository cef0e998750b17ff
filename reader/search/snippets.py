"""Snippets: a short extract of a section around the matched words, as text plus highlight spans.

A :class:`~reader.search.results.Snippet` is plain text (a cut at either end
shown as "…") and the ``[start, end)`` spans of the matched words; each front
end renders it (the CLI as plain text, the window as escaped HTML). Snippets are made
from the section text re-read from the library (the index does not store
bodies), with the same analysis as the index, so "negotiations" highlights
"negotiation" and "asagi" highlights "Aşağı".
"""

from __future__ import annotations

from . import analysis
from .results import Snippet

SNIPPET_CHARS = 220
_LEAD_IN = 40  # characters of context shown before the first match
MAX_MATCHES_CONSIDERED = 200


def make_snippet(text: str, terms: set[str], width: int = SNIPPET_CHARS) -> Snippet:
    text = " ".join(text.split())  # one line: bullets and paragraphs run together
    if not text:
        return Snippet()
    matches = [(s, e, t) for s, e, t in analysis.term_spans(text) if t in terms][:MAX_MATCHES_CONSIDERED] if terms else []
    if not matches:
        return _window(text, 0, width, [])
    start = _best_window(matches, width)
    start = _word_start(text, max(0, start - _LEAD_IN))
    inside = [(s, e) for s, e, _ in matches if s >= start and e <= start + width]
    return _window(text, start, width, inside)


def _best_window(matches: list[tuple[int, int, str]], width: int) -> int:
    """Start offset of the window holding the most distinct matched terms (then the most matches).

    A sliding window over the matches in order: linear in their number.
    """
    reach = width - _LEAD_IN
    best, best_key = matches[0][0], (0, 0)
    counts: dict[str, int] = {}
    end = 0
    for start_index, (start, _, _) in enumerate(matches):
        while end < len(matches) and matches[end][1] <= start + reach:
            term = matches[end][2]
            counts[term] = counts.get(term, 0) + 1
            end += 1
        key = (len(counts), end - start_index)
        if key > best_key:
            best, best_key = start, key
        term = matches[start_index][2]
        if end > start_index:
            counts[term] -= 1
            if not counts[term]:
                del counts[term]
    return best


def _word_start(text: str, offset: int) -> int:
    """Move ``offset`` forward to the start of a word (never cut a word in half)."""
    if offset == 0:
        return 0
    space = text.find(" ", offset)
    return space + 1 if 0 <= space < offset + 20 else offset


def _window(text: str, start: int, width: int, marks: list[tuple[int, int]]) -> Snippet:
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    lead = "…" if start > 0 else ""
    shift = len(lead) - start
    spans = tuple((s + shift, e + shift) for s, e in marks if e <= end)
    return Snippet(lead + text[start:end] + ("…" if end < len(text) else ""), spans)


def highlight_words(parsed) -> tuple[str, ...]:
    """The words of a parsed query worth highlighting in the text: every positive word,
    phrase word and prefix, in the order typed (not ids, exclusions or ``in:notes``)."""
    words = [word for group in parsed.groups for clause in group if clause.kind != "id"
             for word in clause.text.split()]
    return tuple(dict.fromkeys(words))
