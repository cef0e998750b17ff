"""Search text helpers for the panels (no Qt): snippet HTML, terms to highlight, labels.

Snippets come from ``reader.search`` as plain text plus the spans of the
matched words (:class:`reader.search.results.Snippet`, docs/search.md). This
is the window's one rendering of them: every piece of text is escaped, then
the spans are styled (``<b>`` with a background: Qt's rich text has no
``<mark>``), so no article or note text can ever inject markup.
"""

from __future__ import annotations

from html import escape

from ..model import section_label

__all__ = ["highlight_terms", "section_label", "snippet_html"]


def snippet_html(snippet, highlight_style: str = "") -> str:
    """The snippet as escaped HTML with the matched words in bold, optionally coloured, spans."""
    style = f' style="{highlight_style}"' if highlight_style else ""
    return snippet.render(f"<b{style}>", "</b>", escape=escape) if snippet else ""


def highlight_terms(results) -> list[str]:
    """The query's words (as the search parsed them) plus the forms the snippets matched,
    each once (case-insensitively): what the reading view highlights."""
    seen, out = set(), []
    for term in list(results.terms) + [t for hit in results.hits for t in hit.snippet.marked()]:
        if term.casefold() not in seen:
            seen.add(term.casefold())
            out.append(term)
    return out
