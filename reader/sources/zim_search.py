"""Search of one ZIM archive through its own indexes: the :class:`SearchableSource` of an archive.

A ZIM archive carries a Xapian full-text index and a title index; Lectern never
re-indexes it into Whoosh. :class:`ZimSearch` answers with article ids
(``zim:NAME/PATH``, :meth:`ZimArchive.key`) and keeps the last converted
articles in a small LRU, so mapping a query's top hits to sections converts each
page at most once while it stays in the cache (the reading view and the next
query reuse it).

Plugging it into a ``ZimSource`` (reader/sources/zim.py) takes one method for search
(and one more for links and images in the reading view)::

    def searchable(self) -> ZimSearch:
        return self._search  # ZimSearch(self.archive, self.id), made once (title search without a full-text index)

    def media(self) -> ZimSearch:
        return self._search  # image(path), info(): the archive's images and metadata for the window

and its ``article(id)`` may return ``self._search.article(id)`` to share the cache. The
articles carry their page's links and images (``page_to_article`` with the archive's
``linker``), so the reading view needs no second read of the page.

Qt-free and Whoosh-free; only :mod:`.zim_archive` imports libzim.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..errors import UnknownArticleError
from ..model import Article
from .base import ArchiveInfo, TitleEntry
from .zim_archive import IMAGE_TYPES, KEY_PREFIX, MAX_IMAGE_BYTES, ZimArchive, ZimError, parse_key
from .zim import origin, redirect_label

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
        """The best hits of the archive's full-text index (id and title). An archive without
        one answers from its title index (libzim's suggestions: title search only)."""
        if not query.strip() or limit <= 0:
            return []
        if not self.has_fulltext:
            return self.suggest(query, limit)
        return [self._title_entry(self.archive.entry(path)) for path in self.archive.search(query, limit)]

    def suggest(self, prefix: str, limit: int) -> list[TitleEntry]:
        """Titles from the archive's title index (libzim's suggestion searcher)."""
        return [self._title_entry(entry) for entry in self.archive.suggest(prefix, limit)]

    def _title_entry(self, entry) -> TitleEntry:
        title = self.archive.metadata.title or self.archive.name
        return TitleEntry(entry.key, entry.title, redirect_label(entry), origin(title, self.archive.path.name, entry.path))

    def clear_cache(self) -> None:
        """Forget the converted articles (a new release of the archive; benchmarks)."""
        with self._lock:
            self._cache.clear()

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

    # -- reading: images and metadata (the window)

    def info(self) -> ArchiveInfo:
        """The archive's metadata for its group in the library panel (read when it was opened)."""
        meta, main = self.archive.metadata, self.archive.main_path()
        return ArchiveInfo(meta.title or self.archive.name, meta.language, meta.date, meta.creator,
                           meta.illustration, self.archive.key(main) if main else None)

    def image(self, path: str) -> bytes | None:
        """The bytes of an image stored in the archive, or None (missing, not an image, too large)."""
        found = self.archive.resource(path)
        if found is None:
            return None
        content, mimetype = found
        return content if mimetype in IMAGE_TYPES and len(content) <= MAX_IMAGE_BYTES else None
