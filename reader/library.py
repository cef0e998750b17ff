"""The library facade: the one object the GUI and the CLI talk to.

A :class:`Library` is opened on an :class:`~reader.paths.AppPaths`. It is a list
of sources of articles (:mod:`reader.sources`) plus article ids: the folders
source (the bundled ``content/`` and the files and folders the user added, with
their manifest) always comes first; other sources (an archive) are attached with
:meth:`Library.attach_source`. A lookup by id goes to the source that owns the
id; titles come page by page or by prefix, never all at once, so a source of
millions of articles costs what one page costs.

Search and user data hang off the same object through the coordinator
(``reader/coordinator.py``), which runs the steps after every change; front
ends hear about changes with :meth:`Library.add_listener` and about problems
through ``library.notices`` (``reader/notices.py``).
"""

from __future__ import annotations

import bisect
import os
import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Callable, Iterable

from .coordinator import Coordinator
from .errors import UnknownArticleError
from .model import Article
from .notices import Notices
from .paths import AppPaths
from .sources.base import PAGE_SIZE, Source, TitleEntry
from .sources.folders import ArticleSummary, FolderSource, ScanReport, Skipped

__all__ = ["ArticleSummary", "Library", "ScanReport", "Skipped"]  # callers import the report types from here
from .textutil import fold

Listener = Callable[[str, object], None]


class Library:
    """Articles from a list of sources: the folders first, then any attached source."""

    def __init__(self, paths: AppPaths, include_bundled: bool = True):
        self.paths = paths
        self.notices = Notices()  # the one channel for what the user must be told (library, index, store)
        self.folders = FolderSource(paths, include_bundled, tell=self._tell)
        self._attached: list[Source] = []
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._coordinator = Coordinator(self, self.notices, self._emit)  # opens the index and the store lazily

    def _tell(self, message: str, key: str = "") -> None:
        self.notices.post("library", message, key=key)

    # the folders' state, as before the sources layer
    include_bundled = property(lambda self: self.folders.include_bundled)
    read_only = property(lambda self: self.folders.read_only)
    read_only_reason = property(lambda self: self.folders.read_only_reason)
    messages = property(lambda self: self.notices.texts("library"), doc="the library's notices so far (``notices``)")

    # ------------------------------------------------------------------ sources

    def article_sources(self) -> list[Source]:
        """Every source, in listing order: the folders, then attached sources."""
        return [self.folders, *self._attached]

    def attach_source(self, source: Source) -> None:
        """Add a source of articles (an archive); its ids must not clash with the others'."""
        with self._lock:
            self._attached.append(source)

    def _owner(self, article_id: str) -> Source | None:
        if self.folders.has_article(article_id):
            return self.folders
        return next((s for s in self._attached if s.entry(article_id) is not None), None)

    def _owner_or_raise(self, article_id: str) -> Source:
        source = self._owner(article_id)
        if source is None:
            raise UnknownArticleError(article_id)
        return source

    # ------------------------------------------------------------------ events

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(event, payload)`` on changes.

        Events: ``"articles_changed"`` with a :class:`ScanReport`, and the store's
        (``"notes_changed"``, ``"bookmarks_changed"``, ``"anchors_changed"``,
        ``"trash_emptied"``); ``reader.changes.Changes.of_event`` reads any of them
        as one value. Listeners run on the thread that made the change, with no
        lock of the library, the store or the index held.
        """
        self._listeners.append(listener)

    def _emit(self, event: str, payload: object) -> None:
        for listener in list(self._listeners):
            listener(event, payload)

    # ------------------------------------------------------------------ titles (page by page)

    def count(self) -> int:
        """How many articles all sources show."""
        return sum(source.count() for source in self.article_sources())

    def titles(self, offset: int = 0, limit: int = PAGE_SIZE) -> list[TitleEntry]:
        """At most ``limit`` titles from row ``offset`` of the sources one after the other."""
        found: list[TitleEntry] = []
        for source in self.article_sources():
            if len(found) >= limit:
                break
            size = source.count()
            if offset < size:
                found += source.titles(offset, limit - len(found))
                offset = 0
            else:
                offset -= size
        return found

    def titles_with_prefix(self, prefix: str, limit: int = PAGE_SIZE, offset: int = 0) -> list[TitleEntry]:
        """Titles starting with ``prefix`` (case and accents ignored), source after source,
        from the ``offset``-th match on."""
        folded = fold(prefix)
        if offset <= 0:
            return self._gather(lambda source, left: source.titles_with_prefix(folded, left), limit)
        found: list[TitleEntry] = []
        for source in self.article_sources():
            start, end = _prefix_rows(source, folded)
            if offset >= end - start:
                offset -= end - start
                continue
            if len(found) < limit:
                found += source.titles(start + offset, min(limit - len(found), end - start - offset))
            offset = 0
        return found

    def count_with_prefix(self, prefix: str) -> int:
        """How many titles start with ``prefix``, counted without reading them (two bisections a source)."""
        folded = fold(prefix)
        return sum(end - start for start, end in (_prefix_rows(s, folded) for s in self.article_sources()))

    def titles_matching(self, text: str, limit: int = PAGE_SIZE) -> list[TitleEntry]:
        """What the library filter shows for ``text``: titles containing it where a source can
        afford that (the folders), titles starting with it everywhere."""
        needle = fold(text).strip()
        return self._gather(lambda source, left: source.titles_matching(needle, left), limit)

    def _gather(self, ask: Callable[[Source, int], list[TitleEntry]], limit: int) -> list[TitleEntry]:
        found: list[TitleEntry] = []
        for source in self.article_sources():
            if len(found) >= limit:
                break
            found += ask(source, limit - len(found))
        return found

    def version(self) -> str:
        """Changes whenever any source's articles or titles change (a list compares it to redraw)."""
        return "|".join(source.version() for source in self.article_sources())

    def position(self, article_id: str) -> int | None:
        """The row of an article in :meth:`titles`, or None."""
        before = 0
        for source in self.article_sources():
            row = source.position(article_id)
            if row is not None:
                return before + row
            before += source.count()
        return None

    def title_entry(self, article_id: str) -> TitleEntry | None:
        source = self._owner(article_id)
        return source.entry(article_id) if source is not None else None

    def find_title(self, title: str) -> TitleEntry | None:
        """The article with this title (folded, stripped), in the first source that has one."""
        for source in self.article_sources():
            found = source.find_title(title)
            if found is not None:
                return found
        return None

    # ------------------------------------------------------------------ articles

    def articles(self) -> list[ArticleSummary]:
        """Deprecated: every article at once. Only tests and small scripts over a folder library
        use it; no part of Lectern does (a source may hold millions)."""
        summaries = list(self.folders.summaries())
        for source in self._attached:
            summaries += [self._summary_of(entry) for entry in source.titles(0, source.count())]
        return summaries

    def has_article(self, article_id: str) -> bool:
        return self._owner(article_id) is not None

    def is_hidden(self, article_id: str) -> bool:
        """Known to the library but absent from :meth:`fingerprints`: a bundled article under
        ``--no-bundled``, or an article of a source outside Lectern's index (an archive).

        Such an article has not left the library: notes on it must stay anchored (the
        store leaves them as they are rather than orphan them).
        """
        if self.folders.is_hidden(article_id):
            return True
        return any(not s.indexed and s.entry(article_id) is not None for s in self._attached)

    def summary(self, article_id: str) -> ArticleSummary:
        if self.folders.has_article(article_id):
            return self.folders.summary(article_id)
        return self._summary_of(self._owner_or_raise(article_id).entry(article_id))

    @staticmethod
    def _summary_of(entry: TitleEntry) -> ArticleSummary:
        """A summary of an article from another source: its sections are not known until it is read."""
        return ArticleSummary(entry.id, entry.title, entry.where, sections=0, bundled=False, label=entry.shown)

    def article(self, article_id: str) -> Article:
        """The parsed article; raises :class:`UnknownArticleError` or :class:`LecternError`."""
        return self._owner_or_raise(article_id).article(article_id)

    def find_by_title(self, title: str) -> ArticleSummary | None:
        """The article with this title (folded), for "See also" links."""
        found = self.find_title(title)
        return self.summary(found.id) if found is not None else None

    def article_for_path(self, path: str | os.PathLike) -> ArticleSummary | None:
        """The visible article read from this file, if any (``lectern FILE`` opens it)."""
        return self.folders.article_for_path(path)

    def fingerprint(self, article_id: str) -> str | None:
        """The content token of one article of any source, or None when it is not shown."""
        source = self._owner(article_id)
        return source.fingerprint(article_id) if source is not None else None

    def fingerprints_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """``{id: fingerprint}`` of those of ``article_ids`` some source shows (re-anchoring the
        noted articles needs these, of any source, not every article's)."""
        found = {}
        for article_id in article_ids:
            fingerprint = self.fingerprint(article_id)
            if fingerprint is not None:
                found[article_id] = fingerprint
        return found

    def fingerprints(self) -> dict[str, str]:
        """``{article id: content SHA-256}`` of the articles Lectern's full-text index holds
        (sources with ``indexed``: the folders). An archive with its own index is not listed."""
        return self.folders.fingerprints()

    def sources(self) -> list[str]:
        """The files and folders the user added."""
        return self.folders.sources()

    def skipped(self) -> list[Skipped]:
        """Files in the sources that are not articles, with the reason."""
        return self.folders.skipped()

    # ------------------------------------------------------------------ changes

    def add_sources(self, paths: Iterable[str | os.PathLike]) -> ScanReport:
        """Add files or folders (read in place) and scan them."""
        return self._after_scan(self.folders.add_sources(paths))

    def remove_sources(self, paths: Iterable[str | os.PathLike]) -> ScanReport:
        """Forget sources; their articles leave the library (notes on them stay)."""
        return self._after_scan(self.folders.remove_sources(paths))

    def rescan(self) -> ScanReport:
        """Re-read what changed on disk: size and mtime first, then the content hash."""
        return self._after_scan(self.folders.rescan())

    def _after_scan(self, report: ScanReport) -> ScanReport:
        self.folders.count()  # the sorted titles are rebuilt here, on the scanning thread, not by a reader
        if report.changed:  # no lock held: the coordinator re-anchors, marks the index behind, tells listeners
            self._coordinator.articles_changed(report)
        return report

    # ------------------------------------------------------------------ search (reader.search)

    @property
    def search_index(self):
        """The full-text index (:class:`reader.search.SearchIndex`), opened lazily.

        Whoosh is imported only here, on first use, so start-up never pays for it.
        """
        return self._coordinator.search_index

    def search(self, query: str, *, limit: int = 20, article_id: str | None = None, notes_only: bool = False,
               autocorrect: bool = True):
        """Ranked section (and note) hits for a query; see docs/search.md."""
        return self.search_index.search(query, limit=limit, article_id=article_id, notes_only=notes_only,
                                        autocorrect=autocorrect)

    def suggest(self, prefix: str, limit: int = 10):
        """Article titles and headings matching what the user has typed so far; articles
        that share a title are told apart as in the library list ("Title · folder/file")."""
        indexed = self._tell_apart(self.search_index.suggest(prefix, limit=limit))
        return self._with_unindexed_titles(indexed, prefix, limit)

    def _with_unindexed_titles(self, suggestions: list, prefix: str, limit: int) -> list:
        """Titles of sources outside the full-text index (an archive), asked for by prefix and
        ranked with the index's titles that start with the typed text, before everything else."""
        sources = [s for s in self._attached if not s.indexed]
        folded = fold(prefix).strip()
        if not sources or not folded:
            return suggestions
        from .search.results import Suggestion

        extra = [Suggestion(e.id, None, e.shown) for s in sources for e in s.titles_with_prefix(folded, limit)]
        starts = [s for s in suggestions if s.section_id is None and fold(s.label).startswith(folded)]
        rest = [s for s in suggestions if s not in starts]
        return (sorted(starts + extra, key=lambda s: fold(s.label)) + rest)[:limit]

    def _tell_apart(self, suggestions: list) -> list:
        titles = Counter(fold(s.label) for s in suggestions if s.section_id is None)
        if all(count == 1 for count in titles.values()):
            return suggestions
        out = []
        for suggestion in suggestions:
            if suggestion.section_id is None and titles[fold(suggestion.label)] > 1 and self.has_article(suggestion.article_id):
                path = Path(self.summary(suggestion.article_id).path)
                suggestion = replace(suggestion, label=f"{suggestion.label} · {path.parent.name}/{path.name}")
            out.append(suggestion)
        return out

    def update_index(self, rebuild: bool = False, progress=None, cancel=None):
        """Bring the index up to date with the library (incremental unless ``rebuild``)."""
        return self.search_index.update(rebuild=rebuild, progress=progress, cancel=cancel)

    # ------------------------------------------------------------------ user data (reader.userdata)

    @property
    def store(self):
        """Bookmarks, notes and reading state (:class:`reader.userdata.UserStore`), opened lazily.

        Its changes reach this library's listeners (``"notes_changed"``,
        ``"bookmarks_changed"``...) through the coordinator, which also has it
        re-anchor notes after every scan that changed articles.
        """
        return self._coordinator.store

    def close(self) -> None:
        """Close the index and the database if they were opened."""
        self._coordinator.close()


class _FoldedRows:
    """A source's folded titles cut to ``width`` characters, as a sequence ``bisect`` can search:
    each probe reads one title, so a prefix's rows are found in about 2 x log2(count) reads."""

    def __init__(self, source: Source, width: int):
        self._source, self._width, self._count = source, width, source.count()

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, row: int) -> str:
        entry = self._source.titles(row, 1)
        return fold(entry[0].title)[:self._width] if entry else "\U0010ffff"  # past the end: after any prefix


def _prefix_rows(source: Source, folded_prefix: str) -> tuple[int, int]:
    """(first row, row after the last) of the titles starting with ``folded_prefix`` in a source
    (its titles are in folded order, so they are one run of rows)."""
    rows = _FoldedRows(source, len(folded_prefix))
    return bisect.bisect_left(rows, folded_prefix), bisect.bisect_right(rows, folded_prefix)
