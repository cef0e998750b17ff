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
from typing import Callable, Iterable, Mapping, Sequence

from .coordinator import Coordinator
from .errors import LecternError, UnknownArticleError
from .model import Article
from .notices import Notices
from .paths import AppPaths
from .sources.base import PAGE_SIZE, Source, TitleEntry, media_of, searchable_of
from .sources.folders import ArticleSummary, FolderSource, ScanReport, Skipped
from .sources import zim as zim_sources
from .sources.zim import ArchiveShelf, ShelvedArchive, reason_of, split_archive_paths

__all__ = ["ArticleSummary", "Library", "ScanReport", "Skipped"]  # callers import the report types from here
from .textutil import fold

Listener = Callable[[str, object], None]
MAX_PREFIX_MATCHES = 1000  # titles by prefix counted in an archive (its title index ranks, it does not count)


class Library:
    """Articles from a list of sources: the folders first, then any attached source."""

    def __init__(self, paths: AppPaths, include_bundled: bool = True):
        self.paths = paths
        self.notices = Notices()  # the one channel for what the user must be told (library, index, store)
        self.folders = FolderSource(paths, include_bundled, tell=self._tell)
        self._attached: list[Source] = []
        self.archives = ArchiveShelf(paths.data_dir, tell=self._tell, read_only=self._read_only_reason)
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._told_title_only: set[str] = set()  # archives whose title-only search was told (once)
        self._coordinator = Coordinator(self, self.notices, self._emit)  # opens the index and the store lazily

    def _tell(self, message: str, key: str = "") -> None:
        self.notices.post("library", message, key=key)

    def _read_only_reason(self) -> str:
        return self.folders.read_only_reason if self.folders.read_only else ""

    # the folders' state, as before the sources layer
    include_bundled = property(lambda self: self.folders.include_bundled)
    read_only = property(lambda self: self.folders.read_only)
    read_only_reason = property(lambda self: self.folders.read_only_reason)
    messages = property(lambda self: self.notices.texts("library"), doc="the library's notices so far (``notices``)")

    # ------------------------------------------------------------------ sources

    def article_sources(self) -> list[Source]:
        """Every source, in listing order: the folders, then attached sources, then the archives."""
        return [self.folders, *self._others()]

    def _others(self) -> list[Source]:
        """The sources after the folders: those attached by a caller, then the user's archives."""
        return [*self._attached, *self.archives.open_sources()]

    def attach_source(self, source: Source) -> None:
        """Add a source of articles (an archive); its ids must not clash with the others'."""
        with self._lock:
            self._attached.append(source)

    def _owner(self, article_id: str) -> Source | None:
        if self.folders.has_article(article_id):
            return self.folders
        return next((s for s in self._others() if s.entry(article_id) is not None), None)

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

    def count(self, sources: Sequence[Source] | None = None) -> int:
        """How many articles all sources (or those of ``sources``) show."""
        return sum(source.count() for source in self._listed(sources))

    def _listed(self, sources: Sequence[Source] | None) -> Sequence[Source]:
        """``sources``, or every source: the listing methods below may be given a part of the library
        (the window's flat list leaves the archives to their groups)."""
        return self.article_sources() if sources is None else sources

    def titles(self, offset: int = 0, limit: int = PAGE_SIZE,
               sources: Sequence[Source] | None = None) -> list[TitleEntry]:
        """At most ``limit`` titles from row ``offset`` of the sources one after the other."""
        found: list[TitleEntry] = []
        for source in self._listed(sources):
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
            if not _in_folded_order(source):  # a ZIM archive: its title index answers, at most MAX_PREFIX_MATCHES
                matches = source.titles_with_prefix(folded, min(offset + limit, MAX_PREFIX_MATCHES))
                found += matches[offset:offset + limit - len(found)] if len(found) < limit else []
                offset = max(0, offset - len(matches))
                continue
            start, end = _prefix_rows(source, folded)
            if offset >= end - start:
                offset -= end - start
                continue
            if len(found) < limit:
                found += source.titles(start + offset, min(limit - len(found), end - start - offset))
            offset = 0
        return found

    def count_with_prefix(self, prefix: str) -> int:
        """How many titles start with ``prefix``, counted without reading them (two bisections a
        source in title order; a ZIM archive's title index is asked for at most MAX_PREFIX_MATCHES)."""
        folded = fold(prefix)
        return sum(_prefix_count(s, folded) for s in self.article_sources())

    def titles_matching(self, text: str, limit: int = PAGE_SIZE,
                        sources: Sequence[Source] | None = None) -> list[TitleEntry]:
        """What the library filter shows for ``text``: titles containing it where a source can
        afford that (the folders), titles starting with it everywhere."""
        needle = fold(text).strip()
        return self._gather(lambda source, left: source.titles_matching(needle, left), limit, sources)

    def _gather(self, ask: Callable[[Source, int], list[TitleEntry]], limit: int,
                sources: Sequence[Source] | None = None) -> list[TitleEntry]:
        found: list[TitleEntry] = []
        for source in self._listed(sources):
            if len(found) >= limit:
                break
            found += ask(source, limit - len(found))
        return found

    def version(self) -> str:
        """Changes whenever any source's articles or titles change (a list compares it to redraw)."""
        return "|".join(source.version() for source in self.article_sources())

    def position(self, article_id: str, sources: Sequence[Source] | None = None) -> int | None:
        """The row of an article in :meth:`titles` (of the same ``sources``), or None."""
        before = 0
        for source in self._listed(sources):
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
        for source in self._others():
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
        if self.archives.claims(article_id):  # an archive that is missing now: its notes stay as they are
            return True
        return any(not s.indexed and s.entry(article_id) is not None for s in self._others())

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

    def origin(self, article_id: str) -> str:
        """Where an article of a source other than the folders comes from, for exports: an archive's
        "ARCHIVE-TITLE (file.zim) › PATH" (also while the archive is missing); "" for files."""
        found = self.archives.origin(article_id)
        if found is not None:
            return found
        source = self._owner(article_id)
        if source is None or source is self.folders:
            return ""
        entry = source.entry(article_id)
        return entry.where if entry is not None else ""

    def media_of(self, article_id: str):
        """The reading extras of the article's source (links and images of an archive page,
        ``reader.sources.base.media_of``), or None for a source without them (the folders)."""
        source = self._owner(article_id)
        return media_of(source) if source is not None and source is not self.folders else None

    def find_by_title(self, title: str) -> ArticleSummary | None:
        """The article with this title (folded), for "See also" links."""
        found = self.find_title(title)
        return self.summary(found.id) if found is not None else None

    def article_for_path(self, path: str | os.PathLike) -> ArticleSummary | None:
        """The visible article read from this file, if any (``lectern FILE`` opens it; an archive
        opens at its main page)."""
        source = self.archives.source_for_path(path)
        if source is not None:
            main = source.main_entry()
            return self._summary_of(main) if main is not None else None
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

    def indexed_fingerprints_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """:meth:`fingerprints` of ``article_ids`` only: those of them Lectern's index should hold
        (an update after a scan compares the articles the scan changed, not every article)."""
        article_ids = list(article_ids)
        found = self.folders.fingerprints_of(article_ids)
        for article_id in article_ids:
            if article_id not in found and not self.folders.has_article(article_id):
                source = next((s for s in self._others() if s.entry(article_id) is not None), None)
                fingerprint = source.fingerprint(article_id) if source is not None and source.indexed else None
                if fingerprint is not None:
                    found[article_id] = fingerprint
        return found

    def anchoring_fingerprints(self) -> "Mapping[str, str]":
        """The fingerprints re-anchoring compares notes with: the indexed articles', and, asked one
        id at a time, any other source's (an archive's articles are never all listed)."""
        return _AnyFingerprint(self.fingerprints(), self.fingerprint)

    def fingerprints(self) -> dict[str, str]:
        """``{article id: content token}`` of the articles Lectern's full-text index holds (sources
        with ``indexed``: the folders (SHA-256) and small archives without a full-text index of their
        own, whose articles all carry the archive's UUID). An archive with its own index is not listed."""
        found = self.folders.fingerprints()
        for source in self._others():
            if source.indexed:  # a small archive without a full-text index: Lectern's index holds it
                found.update(getattr(source, "fingerprints", dict)())
        return found

    def sources(self) -> list[str]:
        """The files and folders the user added."""
        return self.folders.sources()

    def skipped(self) -> list[Skipped]:
        """Files in the sources that are not articles, with the reason."""
        return self.folders.skipped()

    # ------------------------------------------------------------------ changes

    def add_sources(self, paths: Iterable[str | os.PathLike]) -> ScanReport:
        """Add files or folders (read in place) and scan them; ZIM archives (``.zim``, ``.zimaa``)
        are added as archives (:meth:`add_archive`): their main page is in ``report.added`` (or
        ``updated`` for a newer release), a bad one in ``report.skipped`` with its reason."""
        archives, others = split_archive_paths(paths)
        report = self.folders.add_sources(others) if others or not archives else ScanReport()
        for path in archives:
            try:
                report.archives.append(self._add_archive(path, report))
            except LecternError as exc:
                report.skipped.append(Skipped(str(path), reason_of(exc)))
        return self._after_scan(report)

    def remove_sources(self, paths: Iterable[str | os.PathLike]) -> ScanReport:
        """Forget sources; their articles leave the library (notes on them stay, orphaned).
        Archives the library holds are forgotten the same way."""
        paths = list(paths)
        archives = [p for p in paths if self.archives.source_for_path(p) or self._is_remembered_archive(p)]
        others = [p for p in paths if p not in archives]
        report = self.folders.remove_sources(others) if others or not archives else ScanReport()
        for path in archives:
            record = self.archives.remove(path)
            report.archives.append(f"removed archive {record.title!r} ({record.name})")
            report.sources_changed.append(f"zim:{record.name}")
        return self._after_scan(report)

    def _is_remembered_archive(self, path) -> bool:
        return self.archives._record_at(Path(path)) is not None

    def add_archive(self, path: str | os.PathLike) -> str:
        """Add one ZIM archive (O(1)); returns what to tell the user. See :meth:`add_sources`."""
        report = ScanReport()
        message = self._add_archive(path, report)
        self._after_scan(report)
        return message

    def _add_archive(self, path, report: ScanReport) -> str:
        source, replaced = self.archives.add(path)
        main = source.main_entry()
        if main is not None:
            (report.updated if replaced else report.added).append(self._summary_of(main))
        if replaced is not None:
            report.sources_changed.append(source.id)
        count = source.count()
        facts = f"{source.name}, {count:,} article{'' if count == 1 else 's'}"
        if replaced is not None:
            return f"archive {source.label!r} ({facts}) replaces the release of {replaced.date or 'unknown date'}"
        return f"added archive {source.label!r} ({facts})"

    def archive_list(self) -> list[ShelvedArchive]:
        """The archives the user added, open or missing, with their metadata."""
        return self.archives.infos()

    def rescan(self) -> ScanReport:
        """Re-read what changed on disk: size and mtime first, then the content hash."""
        return self._after_scan(self.folders.rescan())

    def _after_scan(self, report: ScanReport) -> ScanReport:
        self.folders.refresh_listing()  # here, on the scanning thread, not by a reader
        if report.changed:  # no lock held: the coordinator re-anchors, marks the index behind, tells listeners
            anchors = self._anchor_report_of(lambda: self._coordinator.articles_changed(report))
            if report.sources_changed:
                report.notes_moved, report.notes_orphaned = anchors
        elif report.unlisted_changes:
            self._coordinator.articles_reloaded()
        return report

    def _anchor_report_of(self, run: Callable[[], None]) -> tuple[int, int]:
        """Run ``run`` and count the notes it re-placed: (moved: found again at another place or by
        fuzzy matching, or kept in their section without their passage; orphaned: no place found)."""
        changed: list = []

        def hear(event: str, payload: object) -> None:
            if event == "notes_changed":
                changed.extend(getattr(payload, "changed", []) or [])

        self._listeners.append(hear)
        try:
            run()
        finally:
            self._listeners.remove(hear)
        orphaned = sum(1 for n in changed if n.orphaned)
        return len(changed) - orphaned, orphaned

    # ------------------------------------------------------------------ search (reader.search)

    @property
    def search_index(self):
        """The full-text index (:class:`reader.search.SearchIndex`), opened lazily.

        Whoosh is imported only here, on first use, so start-up never pays for it.
        """
        return self._coordinator.search_index

    def search(self, query: str, *, limit: int = 20, article_id: str | None = None, notes_only: bool = False,
               autocorrect: bool = True, source: str | None = None):
        """Ranked section (and note) hits for a query; see docs/search.md.

        Sources with their own full-text index (an archive, ``searchable()``) answer
        from it and their hits join the index's in one list (reader/search/external.py);
        ``source`` keeps one source's hits only (its id; the folders' id: files and notes).
        """
        archives = self._searchable_sources(source, article_id)
        indexed = [s.id + "/" for s in self._others() if s.indexed]  # archives Lectern's index holds
        within = (source + "/",) if source and source + "/" in indexed else ()
        if source and source != self.folders.id and not archives and not within:
            self._refuse_source(source)
        scope = {"within": within, "without": tuple(indexed) if source == self.folders.id else ()}
        if not archives:
            return self._titled(self.search_index.search(query, limit=limit, article_id=article_id,
                                                         notes_only=notes_only, autocorrect=autocorrect, **scope))
        from .search import external
        from .search.results import SearchResults

        if source in (None, self.folders.id):  # files and notes (notes on archive articles too)
            own = self.search_index.search(query, limit=limit, article_id=article_id, notes_only=notes_only,
                                           autocorrect=autocorrect, **scope)
        else:
            own = SearchResults(query, 0, None, [])
        wanted = external.archive_query(query)
        wanted.notes_only = wanted.notes_only or notes_only
        lists = [self._hits_of(external, s, wanted, limit, article_id) for s in archives]
        return self._titled(external.merge(own, lists, wanted, limit))

    def _titled(self, results):
        """The results with a title on every hit: a note on an article outside Lectern's index (an
        archive's) indexed while its archive could not be read has none stored; it is looked up now."""
        if all(hit.article_title for hit in results.hits):
            return results
        hits = [hit if hit.article_title else replace(hit, article_title=self._title_of(hit.article_id))
                for hit in results.hits]
        return replace(results, hits=hits)

    def _title_of(self, article_id: str) -> str:
        entry = self.title_entry(article_id)
        return entry.title if entry is not None else ""

    def _hits_of(self, external, searchable, wanted, limit: int, article_id: str | None) -> list:
        """One archive's hits; an archive that cannot be read (moved, damaged) is told and left out."""
        try:
            return external.source_hits(searchable, wanted, limit, article_id)
        except LecternError as exc:
            self._tell(f"{searchable.source_id} was not searched: {exc}", key=f"search:{searchable.source_id}")
            return []

    def _refuse_source(self, source_id: str) -> None:
        """A one-line error for a ``--source`` that cannot be searched."""
        named = next((s for s in self._others() if s.id == source_id), None)
        if named is not None:
            raise LecternError(f"{named.label} has no search of its own (its titles can be suggested)")
        known = ", ".join(s.id for s in self.article_sources())
        raise LecternError(f"no source {source_id!r} to search (sources: {known})")

    def _searchable_sources(self, source_id: str | None, article_id: str | None) -> list:
        """The own searches of the attached sources, kept to ``source_id`` and the owner of ``article_id``."""
        found = []
        for attached in self._others():
            searchable = searchable_of(attached)
            if searchable is None or (source_id and source_id not in (attached.id, searchable.source_id)):
                continue
            if article_id and attached.entry(article_id) is None:
                continue
            self._tell_title_search_only(attached)
            found.append(searchable)
        return found

    def _tell_title_search_only(self, source: Source) -> None:
        """Say once that an archive without a full-text index, too large for Lectern's, is searched by title."""
        if not getattr(source, "title_search_only", False) or source.id in self._told_title_only:
            return
        self._told_title_only.add(source.id)
        limit = zim_sources.MAX_WHOOSH_ARTICLES
        self._tell(f"archive {source.label!r} has no full-text index and more than {limit:,} articles: "
                   "it is searched by title only")

    def suggest(self, prefix: str, limit: int = 10):
        """Article titles and headings matching what the user has typed so far; articles
        that share a title are told apart as in the library list ("Title · folder/file")."""
        indexed = self._tell_apart(self.search_index.suggest(prefix, limit=limit))
        return self._with_unindexed_titles(indexed, prefix, limit)

    def _with_unindexed_titles(self, suggestions: list, prefix: str, limit: int) -> list:
        """Titles of sources outside the full-text index (an archive), asked for by prefix: those
        starting with the typed text ranked with the index's that do, before everything else; then
        the archives' titles with the words inside, then the index's other suggestions."""
        sources = [s for s in self._others() if not s.indexed]
        folded = fold(prefix).strip()
        if not sources or not folded:
            return suggestions
        from .search.results import Suggestion

        extra = [Suggestion(e.id, None, e.shown) for s in sources for e in _titles_for_prefix(s, prefix, folded, limit)]
        starts = [s for s in suggestions + extra if s.section_id is None and fold(s.label).startswith(folded)]
        inside = [s for s in extra if s not in starts]  # an archive's words inside titles, in its own ranking
        rest = [s for s in suggestions if s not in starts]
        return (sorted(starts, key=lambda s: fold(s.label)) + inside + rest)[:limit]

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


class _AnyFingerprint(Mapping):
    """``{id: fingerprint}``: the given ones, then any id looked up on demand (and remembered).
    Iterating lists the given ones only."""

    def __init__(self, known: dict[str, str], lookup: Callable[[str], str | None]):
        self._known, self._lookup, self._asked = known, lookup, {}

    def __getitem__(self, article_id: str) -> str:
        found = self._known.get(article_id)
        if found is None:
            if article_id not in self._asked:
                self._asked[article_id] = self._lookup(article_id)
            found = self._asked[article_id]
        if found is None:
            raise KeyError(article_id)
        return found

    def __iter__(self):
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


def _titles_for_prefix(source: Source, typed: str, folded: str, limit: int) -> list[TitleEntry]:
    """Titles for suggestions: from the source's own title index when it has one (an archive)."""
    searchable = searchable_of(source)
    return searchable.suggest(typed, limit) if searchable is not None else source.titles_with_prefix(folded, limit)


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


def _in_folded_order(source: Source) -> bool:
    """Whether a source lists its titles in folded title order (the protocol's order), so a prefix's
    titles are one run of rows; a ZIM archive lists them in path order (``folded_order = False``)."""
    return getattr(source, "folded_order", True)


def _prefix_count(source: Source, folded_prefix: str) -> int:
    if not _in_folded_order(source):
        return len(source.titles_with_prefix(folded_prefix, MAX_PREFIX_MATCHES))
    start, end = _prefix_rows(source, folded_prefix)
    return end - start


def _prefix_rows(source: Source, folded_prefix: str) -> tuple[int, int]:
    """(first row, row after the last) of the titles starting with ``folded_prefix`` in a source
    (its titles are in folded order, so they are one run of rows)."""
    rows = _FoldedRows(source, len(folded_prefix))
    return bisect.bisect_left(rows, folded_prefix), bisect.bisect_right(rows, folded_prefix)
