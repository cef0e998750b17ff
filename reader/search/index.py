"""The search index: the facade's ``library.search_index`` (docs/architecture.md, docs/search.md).

A :class:`SearchIndex` keeps a Whoosh index of the library's sections and the
user's notes in the cache dir, in step with the library:

* ``update()`` diffs ``articles.fingerprints()`` (and the notes) against what
  the index holds and re-indexes only what changed; a missing, stale (stamp)
  or unreadable index is rebuilt in full, into a new directory that replaces
  the old one only when complete;
* ``search()`` and ``suggest()`` bring the index up to date on first use in a
  process, then answer from it; a read error during a search triggers one
  rebuild and a retry, never a crash;
* it never listens to anyone: the coordinator (``reader/coordinator.py``)
  calls :meth:`SearchIndex.mark_behind` after a change, and the next search,
  suggestion or update catches up first. It never imports or calls the
  ``Library``: it reads articles through the narrow ``articles`` lookup and
  the notes through the ``notes`` callable it is given.

One process writes at a time (an OS lock in the index dir); another process
waits for it (``update``) or answers from the index as it is (``search``).
"""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from whoosh.filedb.filestore import FileStorage
from whoosh.scoring import BM25F

from ..errors import LecternError
from ..notices import NOTE, Notices
from . import analysis, documents, schema, searching, spelling, storage, writers
from .results import IndexReport, SearchResults, Suggestion
from .suggest import SuggestionIndex

log = logging.getLogger(__name__)

UPDATE_LOCK_TIMEOUT = 60.0  # an explicit update waits this long for another process's write
SEARCH_LOCK_TIMEOUT = 0.5  # a search does not wait: it answers from the index as it is
WRITER_TIMEOUT = 10.0  # Whoosh's own writer lock (held only inside our write lock)
BUILD_LIMITMB = 32  # postings buffered per indexing process before a run is spilled (writers.POSTINGS_PER_MB)
REBUILD_MIN_CHANGED = 200  # this many changed articles, and more than half the library: rebuild instead
CATALOG_FORMAT = 3
MERGE_AT_SEGMENTS = 8  # small segments left by updates are merged once there are this many...
SMALL_SEGMENT_DOCS = 2000  # ...of fewer documents than this (the big ones of a full build stay as they are)

Progress = Callable[[int, int], None]


class IndexNotWritable(LecternError):
    """The index could not be updated on disk (a full disk, a read-only cache folder)."""


@dataclass
class _Catalog:
    """What the index holds, kept beside it so start-up diffs without reading every document.

    ``articles``: id -> (sha256, title, ((section id, heading), ...)); ``notes``: id -> fingerprint.
    ``generation`` is the Whoosh generation it describes: a mismatch (a crash
    between commit and catalog write) means "recompute from the index".
    On disk the headings live in a file of their own, rewritten only when some
    heading changed (``headings_version`` ties the two files together): most
    updates then write a third of the bytes.
    """

    generation: int = -1
    articles: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    headings_version: int = 0

    def save(self, path: Path, headings: bool = True) -> None:
        if headings:  # first: the catalog file is what makes a new version count
            storage.write_marshal(path / storage.HEADINGS, {
                "version": self.headings_version,
                "headings": {a: entry[2] for a, entry in self.articles.items()},
            })
        storage.write_marshal(path / storage.CATALOG, {
            "format": CATALOG_FORMAT, "generation": self.generation, "headings_version": self.headings_version,
            "articles": {a: entry[:2] for a, entry in self.articles.items()}, "notes": self.notes,
        })

    @classmethod
    def load(cls, path: Path) -> "_Catalog | None":
        data, heads = storage.read_marshal(path / storage.CATALOG), storage.read_marshal(path / storage.HEADINGS)
        if not isinstance(data, dict) or data.get("format") != CATALOG_FORMAT or not isinstance(heads, dict):
            return None
        if heads.get("version") != data["headings_version"]:
            return None
        headings = heads["headings"]
        articles = {a: (sha, title, headings.get(a, ())) for a, (sha, title) in data["articles"].items()}
        return cls(data["generation"], articles, data["notes"], data["headings_version"])

    def copy(self) -> "_Catalog":
        return _Catalog(self.generation, dict(self.articles), dict(self.notes), self.headings_version)

    def headings_differ(self, other: "_Catalog") -> bool:
        if self.articles.keys() != other.articles.keys():
            return True
        return any(entry is not other.articles[a] and entry[2] != other.articles[a][2] for a, entry in self.articles.items())


@dataclass
class _OpenIndex:
    path: Path
    ix: object
    searcher: object
    catalog: _Catalog
    vocabulary: spelling.Vocabulary
    marker: object  # identity of CURRENT when opened


NOT_WRITABLE = "index.not_writable"  # a notice key: the index cannot be brought up to date (a full disk)
REBUILDING = "index.rebuilding"  # a notice key: a full build is running


class SearchIndex:
    def __init__(self, index_dir: Path, articles, *, notes: Callable[[], list] | None = None,
                 notices: Notices | None = None):
        """``articles``: ``fingerprints()`` and ``article(id)`` (the coordinator's ``ArticleView``);
        ``notes``: where notes come from (none when not given); ``notices``: where to tell the user."""
        self.index_dir = Path(index_dir)
        self._articles = articles
        self.notices = notices or Notices()
        self._notes_source = notes or (lambda: [])
        self._dir = storage.IndexDirectory(self.index_dir)
        self._lock = threading.RLock()  # the open index, its searcher, the suggestions
        self._write_lock = threading.Lock()  # one update at a time in this process
        self._open: _OpenIndex | None = None
        self._suggester: tuple[int, SuggestionIndex] | None = None
        self._reconciled = False
        self._closed = False
        self._pending = False  # a change asked for an update that has not run yet

    @property
    def messages(self) -> list[str]:
        """What the index told the user so far (through ``notices``)."""
        return self.notices.texts("index")

    def _tell(self, message: str, key: str = "") -> None:
        self.notices.post("index", message, key=key, level=NOTE)

    # ------------------------------------------------------------------ public API

    def update(self, rebuild: bool = False, progress: Progress | None = None, cancel=None) -> IndexReport:
        """Bring the index in line with the library and notes; see the module docstring."""
        return self._update(rebuild, progress, cancel, UPDATE_LOCK_TIMEOUT)

    def search(self, query: str, *, limit: int = 20, article_id: str | None = None, notes_only: bool = False,
               autocorrect: bool = True, within: tuple[str, ...] = (), without: tuple[str, ...] = ()) -> SearchResults:
        """``autocorrect``: when the query finds nothing, return the hits of its correction (``searched``).
        ``within``/``without``: article-id prefixes of the sources to keep / whose sections to leave out."""
        if not query.strip() and not notes_only:
            return SearchResults(query, 0, None, [], message=searching.nothing_to_search(query))
        scope = (tuple(within), tuple(without))
        return self._answer(lambda: self._search(query, limit, article_id, notes_only, autocorrect, scope))

    def suggest(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        if not prefix.strip() or limit <= 0:
            return []
        return self._answer(lambda: self._suggest(prefix, limit))

    def _suggest(self, prefix: str, limit: int) -> list[Suggestion]:
        with self._lock:
            catalog = self._fresh_state().catalog
            if self._suggester is None or self._suggester[0] != catalog.generation:
                self._suggester = (catalog.generation, SuggestionIndex(_suggestion_entries(catalog)))
            return self._suggester[1].lookup(prefix, limit)

    def _answer(self, ask: Callable):
        """``ask()`` on the ready index; a read error (a damaged or deleted index) rebuilds it once and asks again.

        Whatever Whoosh raises while reading or rebuilding (``This file is
        already closed``, EOFError...) reaches the caller as a :class:`LecternError`.
        """
        try:
            self._ensure_ready()
            try:
                return ask()
            except LecternError:
                raise
            except Exception as exc:
                self._recover(exc)
                return ask()
        except LecternError:
            raise
        except Exception as exc:
            log.warning("the search index could not be read or rebuilt: %r", exc)
            raise LecternError(f"the search index could not be read or rebuilt ({type(exc).__name__}; "
                               "was its folder deleted meanwhile?); try again") from exc

    def close(self) -> None:
        self._closed = True
        with self._lock:
            self._close_open()

    # ------------------------------------------------------------------ opening

    def _ensure_ready(self) -> None:
        if self._closed:
            raise LecternError("the search index is closed")
        if not self._reconciled or self._open is None or self._pending:  # not yet, lost, or behind a change
            timeout = SEARCH_LOCK_TIMEOUT if self._dir.current() else UPDATE_LOCK_TIMEOUT
            # Behind a change while another thread updates: answer from the index as it is now.
            wait = not (self._reconciled and self._open is not None)
            try:
                self._update(False, None, None, timeout, wait=wait)
            except IndexNotWritable as exc:
                self._search_as_it_is(exc)
        if self._open is None:
            raise LecternError("the search index is not available yet (another Lectern process is building it)")

    def _search_as_it_is(self, error: "IndexNotWritable") -> None:
        """The index cannot be brought up to date (a full disk): answer from the live generation if it reads."""
        if self._open is None and self._open_generation() is not None:
            raise error
        self._reconciled = True  # later changes still try to update it; searches do not wait for that
        self._pending = False
        self._tell(f"{error}; searching the index as it is (the latest changes may be missing)", key=NOT_WRITABLE)

    def _open_generation(self) -> str | None:
        """Open the live generation; returns why it cannot be used (then nothing is open)."""
        path = self._dir.current()
        if path is None:
            return "the search index is missing; building it"
        if storage.read_json(path / storage.STAMP) != schema.stamp():
            return "the search index was built by another version of Lectern; rebuilding it"
        marker = self._dir.current_marker()
        try:
            ix = _file_storage(path).open_index()
            searcher = ix.searcher(weighting=BM25F())
            searcher.doc_count()
            catalog = _load_catalog(path, ix, searcher)
        except Exception as exc:  # EOFError, UnpicklingError, EmptyIndexError, struct.error...
            log.warning("cannot open the search index in %s: %r", path, exc)
            return f"the search index could not be read ({type(exc).__name__}: {exc}); rebuilding it"
        vocabulary = spelling.Vocabulary(storage.read_marshal(path / storage.VOCABULARY) or [])
        with self._lock:
            self._close_open()
            self._open = _OpenIndex(path, ix, searcher, catalog, vocabulary, marker)
        return None

    def _close_open(self) -> None:
        with self._lock:
            state, self._open = self._open, None
            self._suggester = None
        if state is not None:
            state.searcher.close()
            state.ix.close()

    def _fresh_state(self) -> _OpenIndex:
        """The open index, reopened if another process swapped or committed since."""
        state = self._open
        if state is None or self._dir.current_marker() != state.marker:
            reason = self._open_generation()
            if reason:
                raise RuntimeError(reason)
            return self._open
        if not state.searcher.up_to_date():
            state.searcher = _reopen_searcher(state)
            if state.ix.latest_generation() != state.catalog.generation:
                state.catalog = _load_catalog(state.path, state.ix, state.searcher)
                state.vocabulary = spelling.Vocabulary(storage.read_marshal(state.path / storage.VOCABULARY) or [])
        return state

    def _recover(self, exc: Exception) -> None:
        log.warning("search failed (%r); rebuilding the search index", exc)
        message = f"the search index could not be read ({type(exc).__name__}: {exc}); rebuilt it"
        self._tell(message)
        with self._lock:
            self._close_open()
        report = self._update(True, None, None, UPDATE_LOCK_TIMEOUT)
        if report.busy:
            raise LecternError("the search index is damaged and another Lectern process is writing it; try again")

    # ------------------------------------------------------------------ updating

    def _update(self, rebuild: bool, progress: Progress | None, cancel, lock_timeout: float,
                wait: bool = True) -> IndexReport | None:
        """One update under the write lock; None when ``wait`` is false and another thread holds it."""
        if not self._write_lock.acquire(blocking=wait):
            return None
        try:
            report = self._update_locked(rebuild, progress, cancel, lock_timeout)
        except OSError as exc:  # a full disk, a read-only cache dir
            if exc.errno == errno.ENOSPC:
                raise IndexNotWritable(f"the disk holding the search index {self.index_dir} is full") from exc
            if exc.errno == errno.ENOENT:
                raise IndexNotWritable(f"the search index folder {self.index_dir} was deleted while it was "
                                       "being written; try again") from exc
            raise IndexNotWritable(f"cannot write the search index in {self.index_dir}: {exc.strerror or exc}") from exc
        finally:
            self._write_lock.release()
        self.notices.clear(NOT_WRITABLE)
        return report

    def _update_locked(self, rebuild: bool, progress: Progress | None, cancel, lock_timeout: float) -> IndexReport:
        """One update; the caller holds ``_write_lock``."""
        started = time.perf_counter()
        report = IndexReport()
        self._pending = False  # this update sees every change made before it started
        with self._dir.write_lock(lock_timeout) as acquired:
            if not acquired:
                self._pending = True  # still behind: the next call tries again
                report.busy = True
                report.messages.append("another Lectern process is updating the search index; using it as it is")
                if self._open is None:
                    self._open_generation()
            else:
                self._dir.remove_abandoned_builds()
                reason = None if rebuild else self._refresh_or_open()
                if reason:
                    report.messages.append(reason)
                if rebuild or reason:
                    self._rebuild(report, progress, cancel)
                else:
                    self._incremental(report, progress, cancel)
            self._reconciled = True
        report.seconds = time.perf_counter() - started
        for message in report.messages:
            self._tell(message)
        return report

    def _refresh_or_open(self) -> str | None:
        try:
            self._fresh_state()
            return None
        except RuntimeError as exc:
            return str(exc)
        except Exception as exc:
            return f"the search index could not be read ({type(exc).__name__}: {exc}); rebuilding it"

    def _rebuild(self, report: IndexReport, progress: Progress | None, cancel) -> None:
        build = self._dir.new_build_dir()
        self._tell("the search index is being rebuilt; search answers once it is done", key=REBUILDING)
        try:
            done = self._build_into(build, report, progress, cancel)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        finally:
            self.notices.clear(REBUILDING)
        if not done:
            shutil.rmtree(build, ignore_errors=True)
            return
        with self._lock:
            self._close_open()  # Windows cannot delete the old generation while it is open
            self._dir.publish(build)
            reason = self._open_generation()
        if reason:
            raise LecternError(f"the rebuilt search index cannot be opened: {reason}")
        report.rebuilt = True

    def _build_into(self, build: Path, report: IndexReport, progress: Progress | None, cancel) -> bool:
        ix = _file_storage(build).create_index(schema.build_schema())
        writer = writers.bulk_writer(ix, **_bulk_writer_options())
        fingerprints = self._articles.fingerprints()
        notes = self._current_notes() or {}
        catalog, words = _Catalog(), _NoWords()  # the indexing processes collect the words (VOCABULARY_FIELDS)
        total, done = len(fingerprints) + len(notes), 0
        try:
            for article_id in sorted(fingerprints):
                if cancel is not None and cancel.is_set():
                    writer.cancel()
                    report.cancelled = True
                    return False
                report.added += self._add_article(writer, article_id, fingerprints[article_id], catalog, words, report)
                done += 1
                if progress:
                    progress(done, total)
            for note_id in sorted(notes):
                self._add_note(writer, notes[note_id], catalog, words)
                report.notes_indexed += 1
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        writers.check(writer)
        vocabulary = spelling.Vocabulary()
        vocabulary.add_words(writers.collected_words(ix.storage))
        catalog.generation = ix.latest_generation()
        catalog.save(build)
        storage.write_marshal(build / storage.VOCABULARY, vocabulary.words)
        storage.write_json(build / storage.STAMP, schema.stamp())  # last: a build without a stamp is never used
        ix.close()
        return True

    def _incremental(self, report: IndexReport, progress: Progress | None, cancel) -> None:
        state = self._open
        fingerprints = self._articles.fingerprints()
        catalog = state.catalog
        removed = sorted(set(catalog.articles) - set(fingerprints))
        changed = sorted(a for a, sha in fingerprints.items() if catalog.articles.get(a, ("",))[0] != sha)
        notes = self._current_notes()
        note_changes, note_removals = _note_diff(notes, catalog, set(changed) | set(removed))
        if not (removed or changed or note_changes or note_removals):
            return
        if len(changed) >= REBUILD_MIN_CHANGED and len(changed) > len(fingerprints) / 2:
            report.messages.append(f"{len(changed)} articles changed; rebuilding the search index in full")
            self._rebuild(report, progress, cancel)
            return
        new_catalog, words = catalog.copy(), set()
        writer = state.ix.writer(timeout=WRITER_TIMEOUT)
        try:
            for article_id in removed:
                writer.delete_by_term("owner", documents.article_owner(article_id))
                del new_catalog.articles[article_id]
                report.removed += 1
            for done, article_id in enumerate(changed, 1):
                if cancel is not None and cancel.is_set():
                    writer.cancel()
                    report.cancelled = True
                    return
                existed = new_catalog.articles.pop(article_id, None) is not None
                writer.delete_by_term("owner", documents.article_owner(article_id))
                if self._add_article(writer, article_id, fingerprints[article_id], new_catalog, words, report):
                    report.updated += existed
                    report.added += not existed
                if progress:
                    progress(done, len(changed))
            for note_id in note_removals:
                writer.delete_by_term("owner", documents.note_owner(note_id))
                del new_catalog.notes[note_id]
                report.notes_removed += 1
            for note in note_changes:
                writer.delete_by_term("owner", documents.note_owner(note.id))
                self._add_note(writer, note, new_catalog, words)
                report.notes_indexed += 1
            writer.commit(mergetype=_merge_small_segments)
        except BaseException:
            writer.cancel()
            raise
        self._after_commit(state, new_catalog, words)

    def _after_commit(self, state: _OpenIndex, catalog: _Catalog, words: set[str]) -> None:
        """Record what the index now holds; the next search reopens the searcher (``_fresh_state``)."""
        headings_changed = catalog.headings_differ(state.catalog)
        catalog.headings_version += headings_changed
        with self._lock:
            catalog.generation = state.ix.latest_generation()
            state.catalog = catalog
            self._suggester = None
        catalog.save(state.path, headings=headings_changed)
        if state.vocabulary.add_words(analysis.words_of_chunks(words)):
            storage.write_marshal(state.path / storage.VOCABULARY, state.vocabulary.words)

    def _add_article(self, writer, article_id: str, sha: str, catalog: _Catalog, words: set, report: IndexReport) -> bool:
        """Index one article; ``words`` collects its whitespace chunks for the vocabulary."""
        try:
            article = self._articles.article(article_id)
        except LecternError as exc:
            report.skipped.append(f"{article_id}: {exc}")
            return False
        words.update(analysis.chunks(article.title))
        for doc in documents.section_documents(article, sha):
            writer.add_document(**doc)
            words.update(analysis.chunks(doc["body"]))
            words.update(analysis.chunks(doc["heading"]))
        headings = tuple((s.id, s.title) for s in article.sections if not s.is_lead)
        catalog.articles[article_id] = (sha, article.title, headings)
        return True

    def _add_note(self, writer, note, catalog: _Catalog, words: set) -> None:
        indexed = catalog.articles.get(note.article_id)  # its article is indexed before its notes
        title = indexed[1] if indexed else self._title_outside_index(note.article_id)
        doc = documents.note_document(note, title)
        writer.add_document(**doc)
        words.update(analysis.chunks(doc["body"]))
        catalog.notes[str(note.id)] = doc["fingerprint"]

    def _title_outside_index(self, article_id: str) -> str:
        """The title of a noted article this index does not hold (an archive's, searched through its
        own index), so the note's hit shows it; "" when it cannot be told now."""
        lookup = getattr(self._articles, "title", None)
        if lookup is None:
            return ""
        try:
            return lookup(article_id) or ""
        except LecternError:
            return ""

    def _current_notes(self) -> dict | None:
        """``{note id: Note}``, or None when the store cannot be read (notes are then left as they are)."""
        try:
            return {str(note.id): note for note in self._notes_source()}
        except Exception as exc:  # the store is another part's business: search must keep working
            log.warning("notes are not indexed: %r", exc)
            return None

    @property
    def behind(self) -> bool:
        """Some change was marked (:meth:`mark_behind`) that no finished update has applied yet."""
        return self._pending or self._write_lock.locked()

    def catch_up(self) -> IndexReport | None:
        """Apply the changes marked since the last update, if the index is open and no update runs;
        the window calls it in a worker after a change, so the next search does not pay for it."""
        if not self._pending or self._open is None or self._closed:
            return None
        return self._update(False, None, None, SEARCH_LOCK_TIMEOUT, wait=False)

    def mark_behind(self) -> None:
        """Articles or notes changed: the next search, suggestion or update catches up first.

        Takes no lock and does no work, so the coordinator may call it from
        any thread, even from inside an update (opening the store re-anchors
        notes) or while another component holds its own lock.
        """
        self._pending = True

    # ------------------------------------------------------------------ searching

    def _search(self, query: str, limit: int, article_id: str | None, notes_only: bool, autocorrect: bool = True,
                scope: tuple = ((), ())) -> SearchResults:
        with self._lock:
            state = self._fresh_state()
            return searching.run(state, query, limit=limit, article_id=article_id, notes_only=notes_only,
                                 autocorrect=autocorrect, known_article=self._known_article,
                                 within=scope[0], without=scope[1])

    def _known_article(self, article_id: str) -> bool:
        """In the library, or still in the index (notes of a removed article keep their article id)."""
        return self._articles.has_article(article_id) or (self._open is not None and article_id in self._open.catalog.articles)


def _merge_small_segments(writer, segments):
    """Whoosh merge policy for updates: fold small segments of a similar size together once there are 8.

    Whoosh merges by copying postings term by term (~0.6 s for eight
    one-article segments of a 10,000-article index, and its MERGE_SMALL
    sometimes re-wrote big segments). Their documents are re-added from their
    stored fields instead, which costs what indexing those few articles costs.
    """
    from whoosh.reading import SegmentReader

    tiers: dict[int, list] = {}
    for segment in segments:
        if segment.doc_count_all() < SMALL_SEGMENT_DOCS:  # 1-9, 10-99, 100-999... documents
            tiers.setdefault(len(str(segment.doc_count_all())), []).append(segment)
    small = [s for tier in tiers.values() if len(tier) >= MERGE_AT_SEGMENTS for s in tier]
    if not small:
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            for _, stored in reader.iter_docs():
                writer.add_document(**documents.document_from_stored(stored))
        finally:
            reader.close()
    return [s for s in segments if s not in small]


def _file_storage(path: Path) -> FileStorage:
    """Whoosh storage without mmap.

    With mmap, Whoosh 2.7.5 copies each file of a compound segment into a
    BytesIO every time a reader opens (~100 ms for a 2,000-article index, per
    open); plain file reads open in a few ms and query as fast.
    """
    return FileStorage(str(path), supports_mmap=False)


def _reopen_searcher(state: _OpenIndex):
    """A searcher on the latest commit.

    Not ``Searcher.refresh()``: in Whoosh-Reloaded 2.7.5 it adds the old
    segments back beside the new ones, so deleted documents keep matching.
    """
    old = state.searcher
    searcher = state.ix.searcher(weighting=BM25F())
    old.close()
    return searcher


def _bulk_writer_options() -> dict:
    """Writer settings for a full build: two processes where that works (not on Windows)."""
    options = {"limitmb": BUILD_LIMITMB, "words_from": VOCABULARY_FIELDS}
    if sys.platform != "win32" and (os.cpu_count() or 1) > 1:
        options.update(procs=min(2, os.cpu_count() or 1), multisegment=True)
    return options


VOCABULARY_FIELDS = ("title", "heading", "body")  # the did-you-mean words: those ``_add_article`` collects


class _NoWords:
    """Where a full build's ``_add_article`` puts words: nowhere (the indexing processes collect them)."""

    def update(self, pieces) -> None:
        pass


def _load_catalog(path: Path, ix, searcher) -> _Catalog:
    generation = ix.latest_generation()
    catalog = _Catalog.load(path)
    if catalog is not None and catalog.generation == generation:
        return catalog
    log.info("search catalog of %s is stale; recomputing it from the index", path)
    catalog = _catalog_from_index(searcher, generation)
    try:
        catalog.save(path)
    except OSError as exc:
        log.warning("cannot save the search catalog: %r", exc)
    return catalog


def _catalog_from_index(searcher, generation: int) -> _Catalog:
    catalog = _Catalog(generation)
    headings: dict[str, list] = {}
    for stored in searcher.all_stored_fields():
        if stored.get("kind") == documents.NOTE:
            catalog.notes[stored["note_id"]] = stored.get("fingerprint", "")
            continue
        article_id = stored["article_id"]
        if "fingerprint" in stored:
            catalog.articles[article_id] = (stored["fingerprint"], stored.get("title", ""), ())
        elif stored.get("heading"):
            headings.setdefault(article_id, []).append((stored["section_id"], stored["heading"]))
    for article_id, (sha, title, _) in list(catalog.articles.items()):
        catalog.articles[article_id] = (sha, title, tuple(headings.get(article_id, ())))
    return catalog


def _note_diff(notes: dict | None, catalog: _Catalog, touched_articles: set[str]) -> tuple[list, list[str]]:
    """(notes to (re)index, note ids to drop); notes of re-indexed articles get the new title."""
    if notes is None:
        return [], []
    wanted = {note_id: documents.note_fingerprint(note) for note_id, note in notes.items()}
    removals = sorted(set(catalog.notes) - set(wanted))
    changes = [notes[n] for n in sorted(wanted) if catalog.notes.get(n) != wanted[n] or notes[n].article_id in touched_articles]
    return changes, removals


def _suggestion_entries(catalog: _Catalog):
    for article_id in sorted(catalog.articles):
        _, title, headings = catalog.articles[article_id]
        yield title, article_id, None
        for section_id, heading in headings:
            yield heading, article_id, section_id
