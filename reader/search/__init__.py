"""Full-text search: the only package that imports Whoosh (docs/search.md).

``import reader.search`` stays cheap: the result types load at once, while
:class:`SearchIndex` (and Whoosh, ~90 ms to import) load on first use.
"""

from __future__ import annotations

from .results import IndexReport, SearchHit, SearchResults, Suggestion

__all__ = ["IndexReport", "SearchHit", "SearchIndex", "SearchResults", "Suggestion"]


def __getattr__(name: str):
    if name == "SearchIndex":
        from .index import SearchIndex

        return SearchIndex
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
