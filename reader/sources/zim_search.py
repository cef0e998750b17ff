"""Search of one ZIM archive through its own indexes: the :class:`SearchableSource` of an archive.

A ZIM archive carries a Xapian full-text index and a title index; Lectern never
re-indexes it into Whoosh. :class:`ZimSearch` answers with article ids
(``zim:NAME/PATH``, :meth:`ZimArchive.key`) and keeps the last converted
articles in a small LRU, so mapping a query's top hits to sections converts each
page at most once while it stays in the cache (the reading view and the next
query reuse it).

Plugging it into a ``ZimSource`` (reader/sources/zim.py) takes one method::

    def searchable(self) -> ZimSearch | None:
        return self._search  # ZimSearch(self.archive, self.id), made once; None without a full-text index

Qt-free and Whoosh-free; only :mod:`.zim_archive` imports libzim.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..errors import UnknownArticleError
from ..model import Article
from .base import TitleEntry
from .zim_archive import KEY_PREFIX, ZimArchive, ZimError, parse_key

ARTICLE_CACHE = 24  # converted articles kept: a query maps its top ~10 hits, the reader keeps a few


class ZimSearch:
    """The full-text and title search of one archive, with a small cache of converted articles."""

    def __init__(self, archive: ZimArchive, source_id: str = "", cache_size: int = ARTICLE_CACHE):
        self.archive = archive
        self.source_id = source_id or f"{KEY_PREFIX}{archive.name}"
        self._cache: OrderedDict[str, Article] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.conversions = 0  # pages converted so far (a test checks the cache spares work)

    @property
    def has_fulltext(self) -> bool:
        return self.archive.has_fulltext_index

    def fulltext(self, query: str, limit: int) -> list[TitleEntry]:
        """The best hits of the archive's full-text index (id and title); [] when it has none."""
        if not self.has_fulltext or not query.strip() or limit <= 0:
            return []
        return [self._title_entry(self.archive.entry(path)) for path in self.archive.search(query, limit)]

    def suggest(self, prefix: str, limit: int) -> list[TitleEntry]:
        """Titles from the archive's title index (libzim's suggestion searcher)."""
        return [self._title_entry(entry) for entry in self.archive.suggest(prefix, limit)]

    def _title_entry(self, entry) -> TitleEntry:
        return TitleEntry(entry.key, entry.title, where=f"{self.archive.path.name}: {entry.path}")

    def article(self, article_id: str) -> Article:
        """The converted article, from the cache when it is there."""
        with self._lock:
            if article_id in self._cache:
                self._cache.move_to_end(article_id)
                return self._cache[article_id]
        article = self.archive.article(self._path_of(article_id))
        with self._lock:
            self.conversions += 1
            self._cache[article_id] = article
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return article

    def _path_of(self, article_id: str) -> str:
        try:
            name, path = parse_key(article_id)
        except (ValueError, ZimError):
            raise UnknownArticleError(article_id) from None
        if name != self.archive.name:
            raise UnknownArticleError(article_id)
        return path
