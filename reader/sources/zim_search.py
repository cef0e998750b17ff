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
        return self._search  # page_media(article_id), image(path): links and archive images

and its ``article(id)`` may return ``self._search.article(id)`` to share the cache.

Qt-free and Whoosh-free; only :mod:`.zim_archive` imports libzim.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from lxml import etree

from ..errors import UnknownArticleError
from ..model import Article
from .base import ArchiveInfo, PageMedia, TitleEntry
from .zim_archive import KEY_PREFIX, OLD_ARTICLE_NAMESPACE, ZimArchive, ZimError, parse_key
from .zim_html import DROPPED_TAGS
from .zim import origin
from .zim_links import links_in, page_body, resolve

MAX_IMAGE_BYTES = 8 * 1024 * 1024  # an image larger than this is not shown (its caption is)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "image/bmp")
ARTICLE_CACHE = 24  # converted articles kept: a query maps its top ~10 hits, the reader keeps a few


class ZimSearch:
    """The full-text and title search of one archive, with a small cache of converted articles."""

    def __init__(self, archive: ZimArchive, source_id: str = "", cache_size: int = ARTICLE_CACHE):
        self.archive = archive
        self.source_id = source_id or f"{KEY_PREFIX}{archive.name}"
        self._cache: OrderedDict[str, Article] = OrderedDict()
        self._media: OrderedDict[str, PageMedia] = OrderedDict()  # links and images of pages read
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
        return TitleEntry(entry.key, entry.title, where=origin(title, self.archive.path.name, entry.path))

    def clear_cache(self) -> None:
        """Forget the converted articles and page media (a new release of the archive; benchmarks)."""
        with self._lock:
            self._cache.clear()
            self._media.clear()

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

    # -- reading: links and images (the reading view)

    def page_media(self, article_id: str) -> PageMedia:
        """The page's links (internal ones as article ids) and its images stored in the archive;
        a "nopic" archive's images are not in it, so only their captions show (as text)."""
        with self._lock:
            if article_id in self._media:
                return self._media[article_id]
        entry, content, mimetype = self.archive.html(self._path_of(article_id))
        if not mimetype.startswith("text/html"):
            return PageMedia()
        page_path = OLD_ARTICLE_NAMESPACE + entry.path if self.archive.old_namespaces else entry.path
        body = page_body(content)  # one parse for the links and the images
        links = (self._link(link) for link in links_in(body, page_path))
        images = _page_images(body, page_path)
        media = PageMedia(tuple(link for link in links if link is not None),
                          tuple((caption, target) for caption, target in images if self.image(target) is not None))
        with self._lock:
            self._media[article_id] = media
            while len(self._media) > self._cache_size:
                self._media.popitem(last=False)
        return media

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

    def _link(self, link) -> tuple[str, str, str] | None:
        if not link.text or link.kind != "link":
            return None
        if link.external:
            return link.text, link.target, "external"
        target = self.archive.key(link.target) + (f"#{link.fragment}" if link.fragment else "")  # key drops "A/"
        return link.text, target, "article"


def _page_images(body, page_path: str):
    """``(caption, archive path)`` of every archive image of the page (its parsed ``body``, or None):
    a figure's caption, else its alt text."""
    if body is None:
        return
    walker = etree.iterwalk(body, events=("start",))
    for _, element in walker:
        if element.tag in DROPPED_TAGS:
            walker.skip_subtree()
        elif element.tag == "img":
            resolved = resolve(page_path, element.get("src", ""))
            if resolved is not None and not resolved[2]:
                yield _caption(element), resolved[0]


def _caption(image) -> str:
    """A figure's caption, else the alt text, else (an image in a table cell without either: an
    infobox's picture) the cell's text, which the renderer finds in the cell or infobox row."""
    figure = next((a for a in image.iterancestors() if a.tag == "figure"), None)
    caption = figure.find(".//figcaption") if figure is not None else None
    text = "".join(caption.itertext()) if caption is not None else image.get("alt", "")
    if not text.strip() and figure is None:
        cell = next((a for a in image.iterancestors() if a.tag in ("td", "th")), None)
        text = "".join(cell.itertext()) if cell is not None else ""
    return " ".join(text.split())
