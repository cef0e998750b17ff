"""A minimal Source over a small ZimArchive, for tests only (the real one is reader/sources/zim.py's ZimSource).

It lists every title of a small archive in folded order and offers the archive's own
search and reading extras through the methods the library looks for, ``searchable()`` and ``media()``.
"""

from __future__ import annotations

from reader.errors import UnknownArticleError
from reader.sources.base import TitleEntry
from reader.sources.zim_archive import ZimArchive
from reader.sources.zim_search import ZimSearch
from reader.textutil import fold


class ArchiveSource:
    indexed = False

    def __init__(self, path):
        self.archive = ZimArchive(path)
        self.id = f"zim:{self.archive.name}"
        self.label = self.archive.metadata.title or self.archive.name
        self.search = ZimSearch(self.archive, self.id)
        entries, cursor = [], 0
        while cursor is not None:
            page = self.archive.titles(cursor, 500)
            entries += page.entries
            cursor = page.next_cursor
        self._rows = sorted((TitleEntry(e.key, e.title, where=e.path) for e in entries),
                            key=lambda e: (fold(e.title), e.id))
        self._by_id = {e.id: e for e in self._rows}

    def searchable(self):
        return self.search

    def media(self):
        return self.search

    def count(self):
        return len(self._rows)

    def titles(self, offset, limit):
        return self._rows[offset:offset + limit]

    def titles_with_prefix(self, prefix, limit):
        return [e for e in self._rows if fold(e.title).startswith(prefix)][:limit]

    def titles_matching(self, text, limit):
        return self.titles_with_prefix(text, limit)

    def find_title(self, title):
        wanted = fold(title).strip()
        return next((e for e in self._rows if fold(e.title) == wanted), None)

    def entry(self, article_id):
        return self._by_id.get(article_id)

    def position(self, article_id):
        entry = self._by_id.get(article_id)
        return self._rows.index(entry) if entry else None

    def article(self, article_id):
        if article_id not in self._by_id:
            raise UnknownArticleError(article_id)
        return self.search.article(article_id)

    def fingerprint(self, article_id):
        return None

    def version(self):
        return str(self.archive.path)

    def changes_since(self, version):
        return None
