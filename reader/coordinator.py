"""The one place that turns "something changed" into ordered steps (docs/architecture.md, "The flow").

Changes flow one way::

    scan (Library) -> re-anchor notes and bookmarks (UserStore) -> mark the index behind (SearchIndex)
                   -> tell the front ends (Library listeners; the window reads each event as one
                      ``reader.changes.Changes`` value)

``reader.search`` and ``reader.userdata`` never import or call the
:class:`~reader.library.Library`: each step is a plain call with its inputs
(the current fingerprints, the article lookups of :class:`ArticleView`, the
notes), and the store reports what it changed back to this coordinator,
after its transaction is committed and its lock released. The index is never
updated inside another component's call: a change only marks it behind, and
the next search, suggestion or ``update`` catches up first (the window also
calls ``SearchIndex.catch_up`` in a worker after changes).

A CLI ``search`` on a current index opens the notes database only to read
(``reader.userdata.read_notes``), unless a rescan found changed articles
whose notes must be re-anchored first, or the notes cannot be read as they
are (then the store is opened before the index is used, never inside it).
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING, Callable

from .errors import LecternError
from .notices import Notices

if TYPE_CHECKING:  # the coordinator holds the library; the library module imports this one
    from .library import Library, ScanReport

log = logging.getLogger(__name__)


class ArticleView:
    """What the store and the index may ask about articles: read-only lookups, no events, no locks held.

    It is the narrow input the lower layers get instead of the ``Library``.
    """

    def __init__(self, library: "Library"):
        self._library = library

    def fingerprints(self) -> dict[str, str]:
        return self._library.fingerprints()

    def fingerprints_of(self, article_ids) -> dict[str, str]:
        """``fingerprints()`` restricted to ``article_ids`` (those of them the index should hold)."""
        return self._library.indexed_fingerprints_of(article_ids)

    def fingerprint(self, article_id: str) -> str:
        return self._library.fingerprint(article_id) or ""

    def article(self, article_id: str):
        return self._library.article(article_id)

    def summary(self, article_id: str):
        return self._library.summary(article_id)

    def title(self, article_id: str) -> str:
        """The article's title as the library lists it, "" when no source shows it now (a missing
        archive); cheap for any source (an archive answers from its entry, without reading the page)."""
        entry = self._library.title_entry(article_id)
        return entry.title if entry is not None else ""

    def has_article(self, article_id: str) -> bool:
        return self._library.has_article(article_id)

    def origin(self, article_id: str) -> str:
        """Where an article outside the folders comes from ("ARCHIVE-TITLE (file.zim) › PATH"), "" for files."""
        return self._library.origin(article_id)

    def is_hidden(self, article_id: str) -> bool:
        return self._library.is_hidden(article_id)

    def anchoring_fingerprints(self):
        """The indexed articles' fingerprints, and any other article's when asked for by id."""
        return self._library.anchoring_fingerprints()


class Coordinator:
    """Opens the store and the index lazily and runs the steps after every change."""

    def __init__(self, library: "Library", notices: Notices, emit: Callable[[str, object], None]):
        self.paths = library.paths
        self.articles = ArticleView(library)
        self.notices = notices
        self._emit = emit  # the library's listeners (the front ends)
        self._lock = threading.Lock()  # only guards opening and closing; never held while a step runs
        self._store = None
        self._search = None

    # ------------------------------------------------------------------ the parts

    @property
    def store(self):
        """The notes store, opened on first use; notes and bookmarks are re-anchored once when it opens
        (articles may have changed while Lectern was closed)."""
        with self._lock:
            store = self._store
        if store is not None:
            return store
        from .userdata import UserStore

        opened = UserStore(self.paths, on_change=self._store_changed, articles=self.articles, notices=self.notices)
        with self._lock:
            if self._store is None:
                self._store, store = opened, opened
            else:  # another thread opened it meanwhile
                store = self._store
        if store is not opened:
            opened.close()
            return store
        self._reanchor(store)
        return store

    @property
    def store_is_open(self) -> bool:
        return self._store is not None

    @property
    def search_index(self):
        """The full-text index, opened lazily (Whoosh is imported only here).

        If the notes cannot be read as they are (a schema to migrate, a damaged
        file), the store is opened first, here, with no lock held: the index
        never opens it from inside its own update (the store's announcements
        would run inside the index's write lock).
        """
        if self._search is None and self._store is None:
            from .userdata import notes_readable

            if not notes_readable(self.paths.database):
                self.store  # noqa: B018 - opens, migrates and re-anchors
        with self._lock:
            if self._search is None:
                from .search import SearchIndex

                self._search = SearchIndex(self.paths.index_dir, self.articles, notes=self._notes_for_index,
                                           notices=self.notices)
            return self._search

    def close(self) -> None:
        with self._lock:
            search, store = self._search, self._store
            self._search = self._store = None
        if search is not None:
            search.close()
        if store is not None:
            store.close()

    # ------------------------------------------------------------------ the steps

    def articles_changed(self, report: "ScanReport") -> None:
        """After a scan (step 1, done by the library): re-anchor (step 2), mark the index behind (step 3),
        then tell the front ends."""
        if self._store is not None or self.paths.database.exists():
            self._reanchor(self.store)
        self._index_behind(changed_article_ids(report))
        self._emit("articles_changed", report)

    def articles_reloaded(self) -> None:
        """A scan found the library changed by another process and nothing changed here: the index
        compares every article on its next update (listeners are not told: no article changed
        on this process's scan; that is as before)."""
        self._index_behind(None)

    def _reanchor(self, store) -> None:
        try:
            store.reanchor(self.articles.anchoring_fingerprints())
        except LecternError as exc:  # busy or read-only: the notes keep their old anchor until next time
            log.warning("notes were not re-anchored this time: %s", exc)
            self.notices.post("store", f"notes were not re-anchored to the changed articles this time: {exc}")

    def _store_changed(self, event: str, payload: object) -> None:
        """The store committed a change (it calls this after releasing its lock)."""
        if event in ("notes_changed", "trash_emptied"):
            self._index_behind(())  # only notes changed
        self._emit(event, payload)

    def _index_behind(self, article_ids) -> None:
        """``article_ids``: the articles that changed, or None when not known (see ``mark_behind``)."""
        search = self._search
        if search is not None:
            search.mark_behind(article_ids)

    def _notes_for_index(self) -> list:
        """The notes, read without opening the database for writing unless it is already open.

        Called inside the index's update: it never opens the store (see
        :attr:`search_index`); notes that cannot be read now are left as the
        index holds them.
        """
        if self._store is not None:
            return self._store.notes()
        from .userdata import read_notes

        notes = read_notes(self.paths.database)
        if notes is None:
            raise LecternError("the notes cannot be read without opening the notes database")
        return notes


def changed_article_ids(report: "ScanReport") -> list[str] | None:
    """The ids of the articles a scan changed, or None when the report cannot list them all: a
    source's articles changed whole (an archive added, removed or replaced: ``archives`` and
    ``sources_changed``), or the manifest another process saved was read (``unlisted_changes``)."""
    if report.sources_changed or report.archives or report.unlisted_changes:
        return None
    listed = [*report.added, *report.updated, *report.moved]
    return [summary.id for summary in listed] + list(report.removed)
