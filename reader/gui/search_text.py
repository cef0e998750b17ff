"""Search text helpers for the panels (no Qt): snippet HTML, terms to highlight, labels.

Snippets come from ``reader.search`` as escaped text with the matched terms in
``<mark>...</mark>`` (docs/search.md). :func:`snippet_html` does not trust that:
it re-escapes every piece between the marks (unescaping first, so correct input
is unchanged) and only then turns the marks into styled ``<b>`` spans, so no
article or note text can ever inject markup.
"""

from __future__ import annotations

import re
from html import escape, unescape

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"  # docs/search.md: how a snippet marks a matched term
PATH_SEPARATOR = " › "

_TOKEN = re.compile(r'"([^"]*)"?|(\S+)')
_OPERATORS = {"and", "or", "not", "to"}
_DROPPED_FIELDS = {"article", "in", "id"}  # filters, not words the reader can highlight
_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)


def snippet_html(snippet: str, highlight_style: str = "") -> str:
    """Escaped snippet with the search marks turned into bold, optionally coloured, spans."""
    style = f' style="{highlight_style}"' if highlight_style else ""
    out, depth = [], 0
    for part in re.split(f"({re.escape(MARK_OPEN)}|{re.escape(MARK_CLOSE)})", snippet or ""):
        if part == MARK_OPEN:
            out.append(f"<b{style}>")
            depth += 1
        elif part == MARK_CLOSE:
            if depth:
                out.append("</b>")
                depth -= 1
        else:
            out.append(escape(unescape(part)))
    out.extend("</b>" for _ in range(depth))
    return "".join(out)


def marked_terms(snippet: str) -> list[str]:
    """The words a snippet highlights (the forms that actually matched: "negotiations")."""
    pattern = re.escape(MARK_OPEN) + "(.*?)" + re.escape(MARK_CLOSE)
    return [unescape(m).strip() for m in re.findall(pattern, snippet or "") if m.strip()]


def query_terms(query: str) -> list[str]:
    """Words of a query worth highlighting: no operators, exclusions or filters; prefixes kept bare."""
    terms: list[str] = []
    negated = False
    for match in _TOKEN.finditer(query or ""):
        phrase, token = match.group(1), match.group(2)
        if negated:  # the word or phrase after NOT
            negated = False
            continue
        if phrase is not None:
            terms += _WORD.findall(phrase)
            continue
        if token == "NOT":
            negated = True
            continue
        if token.lower() in _OPERATORS or token.startswith("-"):
            continue
        field, colon, value = token.partition(":")
        if colon:
            if field.lower() in _DROPPED_FIELDS:
                continue
            token = value
        terms += _WORD.findall(token.replace("*", " "))
    return terms


def highlight_terms(query: str, snippets: list[str]) -> list[str]:
    """Query words plus the forms the snippets matched, each once (case-insensitively)."""
    seen, out = set(), []
    for term in query_terms(query) + [t for s in snippets for t in marked_terms(s)]:
        if term.casefold() not in seen:
            seen.add(term.casefold())
            out.append(term)
    return out


def section_label(section_path) -> str:
    """A heading path as one line ("Aftermath › Ceasefire violations"); "" means the lead."""
    if isinstance(section_path, str):
        return section_path
    return PATH_SEPARATOR.join(section_path or ())
