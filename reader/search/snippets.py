"""Snippets: a short extract of a section around the matched words, as safe HTML.

The text is escaped with :func:`html.escape`; matched words are wrapped in
``<mark>``...``</mark>``; a cut at either end is shown as "…". Snippets are made
from the section text re-read from the library (the index does not store
bodies), with the same analysis as the index, so "negotiations" highlights
"negotiation" and "asagi" highlights "Aşağı".
"""

from __future__ import annotations

import html

from . import analysis

SNIPPET_CHARS = 220
_LEAD_IN = 40  # characters of context shown before the first match
MAX_MATCHES_CONSIDERED = 200


def make_snippet(text: str, terms: set[str], width: int = SNIPPET_CHARS) -> str:
    text = " ".join(text.split())  # one line: bullets and paragraphs run together
    if not text:
        return ""
    matches = [(s, e, t) for s, e, t in analysis.term_spans(text) if t in terms][:MAX_MATCHES_CONSIDERED] if terms else []
    if not matches:
        return _escape_window(text, 0, width, [])
    start = _best_window(matches, width)
    start = _word_start(text, max(0, start - _LEAD_IN))
    inside = [(s, e) for s, e, _ in matches if s >= start and e <= start + width]
    return _escape_window(text, start, width, inside)


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


def _escape_window(text: str, start: int, width: int, marks: list[tuple[int, int]]) -> str:
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    parts = ["…" if start > 0 else ""]
    pos = start
    for s, e in marks:
        if e > end:
            break
        parts += [html.escape(text[pos:s]), "<mark>", html.escape(text[s:e]), "</mark>"]
        pos = e
    parts.append(html.escape(text[pos:end]))
    if end < len(text):
        parts.append("…")
    return "".join(parts)


def snippet_to_text(snippet: str, left: str = "[", right: str = "]") -> str:
    """A snippet as plain text for a terminal, marks shown as ``left``...``right``."""
    return html.unescape(snippet.replace("<mark>", left).replace("</mark>", right))
