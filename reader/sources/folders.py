"""The folders source: the bundled ``content/`` plus the files and folders the user added.

Files are read in place and never modified. A manifest (``library.json`` in the
data dir, with a copy ``library.json.bak``) remembers which file has which id;
an article is parsed on demand.

Article ids (docs/architecture.md, "Article ids"):

* a new article gets ``slugify(title)``, or ``slug-2``, ``slug-3``... when that
  id is taken, so ids are readable and usually the same on every machine;
* a file keeps its id while it stays at the same path, whatever its content;
* a file that disappears from one path and appears with identical content
  (same SHA-256) at another keeps its id (moving a file between folders);
* the manifest is saved atomically, so ids survive restarts.

A folder library holds thousands of articles, up to a few hundred thousand, not
millions: the sorted title list (:class:`_Listing`, by column) is built once per
change, when a reader asks for it, and pages, prefixes and positions are read
from it. Until a scan needs them, the manifest's rows stay columns (see
``manifest_cache``): opening, listing and reading one article build no
per-article objects.
"""

from __future__ import annotations

import bisect
import contextlib
import functools
import hashlib
import json
import os
import threading
import time
from collections import Counter
from dataclasses import MISSING, asdict, dataclass, field, replace
from functools import partial
from itertools import compress, islice, repeat
from operator import attrgetter, le, not_
from pathlib import Path
from typing import Callable, Iterable, Iterator

from ..atomicfile import atomic_write_text, file_identity
from ..errors import LecternError, SourceNotFoundError, UnknownArticleError
from ..filelock import file_lock, unwritable_error
from ..model import Article
from ..parser import ARTICLE_SUFFIXES, SkippedFile, parse_file, read_article_bytes
from ..paths import AppPaths
from ..regularfile import read_regular_bytes
from ..textutil import fold, slugify
from . import manifest_cache
from .base import ChangeSet, TitleEntry
from .manifest_cache import Columns

MANIFEST_FORMAT = "lectern-library"
MANIFEST_VERSION = 1
MAX_MANIFEST_BYTES = 256 * 2**20  # far above any real library; a bigger "manifest" is not one
BUNDLED_PREFIX = "bundled:"
# Files that describe a folder of articles rather than being one (compared by stem, case-insensitively).
METADATA_STEMS = {"readme", "license", "licence", "copying", "attribution", "changelog", "authors"}
FOLDERS_SOURCE_ID = "folders"
KEPT_VERSIONS = 8  # past versions whose fingerprints are kept, to answer changes_since()


@dataclass(frozen=True)
class ArticleSummary:
    id: str
    title: str
    path: str  # where the file is now, for display
    sections: int
    bundled: bool
    warnings: int = 0
    label: str = ""  # the title, plus where the file is when another article has the same title


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class ScanReport:
    added: list[ArticleSummary] = field(default_factory=list)
    updated: list[ArticleSummary] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # article ids
    moved: list[ArticleSummary] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    archives: list[str] = field(default_factory=list)  # what to tell of each archive added or removed
    sources_changed: list[str] = field(default_factory=list)  # ids of sources whose articles all may have changed
    notes_moved: int = 0  # notes placed again elsewhere after a source changed (a new archive release)
    notes_orphaned: int = 0  # notes that could not be placed again (kept, orphaned)
    # Another process saved the manifest since this one read or wrote it: articles may have changed
    # that the lists above do not hold (this scan compared the disk with that process's entries).
    unlisted_changes: bool = False

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.moved or self.sources_changed)


@dataclass(slots=True)
class _Entry:
    """One manifest row: an article file and what the last scan learnt of it."""

    key: str  # "bundled:<relative path>" or an absolute path
    sha256: str
    size: int
    mtime_ns: int
    title: str
    sections: int
    warnings: int = 0


@dataclass(slots=True)
class _SkipEntry:
    reason: str
    size: int
    mtime_ns: int


class FolderSource:
    """Articles from the bundled content and the user's files and folders (a :class:`Source`)."""

    id = FOLDERS_SOURCE_ID
    label = "Files and folders"
    indexed = True  # Lectern's own full-text index holds these articles

    def __init__(self, paths: AppPaths, include_bundled: bool = True, tell: Callable[[str, str], None] | None = None):
        """``tell(message, key)`` also hears every notice (``key``: a lasting condition, else "")."""
        self.paths = paths
        self._told = tell
        self.include_bundled = include_bundled
        self.read_only = False
        self.read_only_reason = ""
        self.messages: list[str] = []  # things the user should be told once (e.g. a manifest reset)
        self._lock = threading.RLock()
        self._sources: list[str] = []
        self._built: dict[str, _Entry] | None = {}  # article id -> entry (``_entries``), None until built
        self._columns: Columns | None = None  # the checked manifest rows ``_entries`` is built from on first use
        self._column_rows: dict[str, int] | None = None  # article id -> its place in self._columns, when asked
        self._skipped: dict[str, _SkipEntry] = {}  # key -> why the file is not an article
        self._listing: _Listing | None = None  # the sorted titles, as last built
        self._stale = True  # the entries changed since self._listing was built
        self._past: dict[str, dict[str, str]] = {}  # version -> fingerprints then (the last few)
        self._manifest_seen: tuple | None = None  # the manifest file as this process last read or wrote it
        self._saved_elsewhere = False  # the last reload read a manifest another process saved
        self._load_manifest(lazy=True)
        unwritable = unwritable_error(self._lock_path)  # known at once: the window shows messages on start
        if unwritable is not None:
            self._data_dir_unwritable(unwritable)

    @property
    def _entries(self) -> dict[str, _Entry]:
        """Article id -> entry. Built from the manifest's rows on first use, not when the library
        opens: a first search needs only the fingerprints (:meth:`fingerprints` reads the columns)."""
        built = self._built
        if built is None:
            with self._lock:
                if self._built is None:
                    self._built, self._columns, self._column_rows = _entries_of(self._columns), None, None
                built = self._built
        return built

    def _entry(self, article_id: str) -> _Entry | None:
        """One article's entry; while the entries are not built, made from the manifest's columns
        (the window's first article and its checks at start do not build 100,000 entries, ~0.15 s)."""
        built = self._built
        if built is not None:
            return built.get(article_id)
        with self._lock:
            if self._built is not None:
                return self._built.get(article_id)
            columns = self._columns
            if self._column_rows is None:
                self._column_rows = dict(zip(columns.ids, range(len(columns))))
            row = self._column_rows.get(article_id)
            return None if row is None else _Entry(*(columns.values[name][row] for name in _ENTRY_DEFAULTS))

    def _tell(self, message: str, key: str = "") -> None:
        """Queue a message for the user once (the manifest is re-read before every scan)."""
        if message not in self.messages:
            self.messages.append(message)
            if self._told is not None:
                self._told(message, key)

    # ------------------------------------------------------------------ the Source protocol

    def summaries(self) -> list[ArticleSummary]:
        """Visible articles, sorted by title (case- and accent-insensitive); same titles told apart.

        Built once per change: the folders' own small need (pages, prefixes, positions).
        """
        return self._sorted().summaries

    def count(self) -> int:
        return len(self._sorted())

    def titles(self, offset: int, limit: int) -> list[TitleEntry]:
        listing = self._sorted()
        offset = max(0, offset)
        return [listing.title_entry(row) for row in range(offset, min(len(listing), offset + max(0, limit)))]

    def titles_with_prefix(self, prefix: str, limit: int) -> list[TitleEntry]:
        listing = self._sorted()
        start = bisect.bisect_left(listing.folded, prefix)
        found = []
        for row in range(start, len(listing.folded)):
            if len(found) >= limit or not listing.folded[row].startswith(prefix):
                break
            found.append(listing.title_entry(row))
        return found

    def titles_matching(self, text: str, limit: int) -> list[TitleEntry]:
        """Titles containing ``text`` anywhere (a few thousand folded titles: a plain scan)."""
        listing = self._sorted()
        rows = (row for row, folded in enumerate(listing.folded) if text in folded)
        return [listing.title_entry(row) for row, _ in zip(rows, range(max(0, limit)))]

    def find_title(self, title: str) -> TitleEntry | None:
        listing = self._sorted()
        row = listing.by_title.get(fold(title).strip())
        return listing.title_entry(row) if row is not None else None

    def find_by_title(self, title: str) -> ArticleSummary | None:
        """The visible article with this title (folded, stripped), for "See also" links."""
        listing = self._sorted()
        row = listing.by_title.get(fold(title).strip())
        return listing.summary(row) if row is not None else None

    def entry(self, article_id: str) -> TitleEntry | None:
        listing = self._sorted()
        row = listing.rows.get(article_id)
        return listing.title_entry(row) if row is not None else None

    def position(self, article_id: str) -> int | None:
        return self._sorted().rows.get(article_id)

    def fingerprint(self, article_id: str) -> str | None:
        entry = self._entry(article_id)
        return entry.sha256 if entry is not None and self._visible(entry) else None

    def version(self) -> str:
        """A digest of the visible ids, titles, files and contents, for this process (a list compares it
        to redraw; nothing stores it); its fingerprints are kept a while."""
        return self._sorted().version

    def changes_since(self, version: str) -> ChangeSet | None:
        listing = self._sorted()
        before = self._past.get(version)
        if before is None:
            return None
        now = listing.fingerprints
        return ChangeSet(
            added=tuple(sorted(set(now) - set(before))),
            changed=tuple(sorted(i for i in now if i in before and before[i] != now[i])),
            removed=tuple(sorted(set(before) - set(now))),
        )

    def _sorted(self) -> "_Listing":
        """The published sorted list, rebuilt first if the entries changed since.

        Readers never wait for a scan: while another thread scans (it holds the
        lock) they get the list as it was, and the scan's ``articles_changed``
        event tells them to ask again.
        """
        listing = self._listing
        if listing is not None and not self._stale:
            return listing
        if not self._lock.acquire(blocking=listing is None):  # only a first build waits
            return listing
        try:
            if self._listing is None or self._stale:
                self._listing, self._stale = _Listing(self._visible_columns(), self._display_path), False
                self._remember(self._listing)
            return self._listing
        finally:
            self._lock.release()

    def _visible_columns(self) -> Columns:
        """The shown articles' manifest fields by column: straight from the manifest's columns while
        the entries are not built (opening the window never builds 100,000 entries for its list)."""
        if self._built is None:
            columns = self._columns
        else:
            entries = self._built
            columns = Columns(list(entries), {name: list(map(attrgetter(name), entries.values())) for name in _ENTRY_FIELDS})
        if self.include_bundled:
            return columns
        shown = list(map(not_, map(str.startswith, columns.values["key"], repeat(BUNDLED_PREFIX))))
        visible = Columns(list(compress(columns.ids, shown)), {name: list(compress(values, shown))
                                                               for name, values in columns.values.items()})
        if columns.order is not None:  # the same order, of the shown rows only
            place = dict(zip(compress(range(len(shown)), shown), range(len(visible))))
            visible.folded = list(compress(columns.folded, shown))
            visible.order = [place[row] for row in columns.order if shown[row]]
        return visible

    def refresh_listing(self) -> None:
        """Rebuild the sorted titles if a reader uses them and they are stale (after a scan, on its
        thread). Not built when nobody asked for them: a CLI ``search`` never lists 100,000 titles."""
        if self._listing is not None:
            self._sorted()

    def _remember(self, listing: "_Listing") -> None:
        self._past[listing.version] = listing.fingerprints
        while len(self._past) > KEPT_VERSIONS:
            del self._past[next(iter(self._past))]

    def _changed(self) -> None:
        """The entries may have changed: the sorted list is rebuilt when next asked for."""
        self._stale = True

    # ------------------------------------------------------------------ queries

    def has_article(self, article_id: str) -> bool:
        entry = self._entry(article_id)
        return entry is not None and self._visible(entry)

    def is_hidden(self, article_id: str) -> bool:
        """Known to the library but not shown now (a bundled article under ``--no-bundled``).

        Such an article has not left the library: notes on it must stay anchored.
        """
        entry = self._entry(article_id)
        return entry is not None and not self._visible(entry)

    def summary(self, article_id: str) -> ArticleSummary:
        with self._lock:
            entry = self._entry(article_id)
            if entry is None or not self._visible(entry):
                raise UnknownArticleError(article_id)
            return self._summary(article_id, entry)

    def article(self, article_id: str) -> Article:
        """The parsed article; raises :class:`UnknownArticleError` or :class:`LecternError`."""
        with self._lock:
            entry = self._entry(article_id)
            if entry is None or not self._visible(entry):
                raise UnknownArticleError(article_id)
            path = self._path_of(entry.key)
        try:
            stat = path.stat()
            return _parse_cached(article_id, str(path), stat.st_size, stat.st_mtime_ns)
        except SkippedFile as exc:
            raise LecternError(f"cannot read article {article_id!r}: {exc.reason}") from None
        except OSError as exc:
            raise LecternError(f"cannot read article {article_id!r} from {path}: {exc.strerror or exc}") from None

    def article_for_path(self, path: str | os.PathLike) -> ArticleSummary | None:
        """The visible article read from this file, if any (``lectern FILE`` opens it)."""
        wanted = Path(path).expanduser().resolve()
        with self._lock:
            for article_id, entry in self._entries.items():
                if self._visible(entry) and self._path_of(entry.key).resolve() == wanted:
                    return self._summary(article_id, entry)
        return None

    def fingerprints(self) -> dict[str, str]:
        """``{article id: content SHA-256}`` of visible articles (for incremental indexing).

        Waits for a running scan: the index must not be given an article the scan removed. Visibility
        is :meth:`_in_scope` inlined (no call per entry: 100,000 entries on every full index diff)."""
        with self._lock:
            if self._built is None:  # not built yet: from the manifest's columns
                columns = self._columns
                ids, shas = columns.ids, columns.values["sha256"]
                if self.include_bundled:
                    return dict(zip(ids, shas))
                keys = columns.values["key"]
                return {i: sha for i, sha, key in zip(ids, shas, keys) if not key.startswith(BUNDLED_PREFIX)}
            built = self._built
            if self.include_bundled:
                return dict(zip(built, map(attrgetter("sha256"), built.values())))
            return {i: e.sha256 for i, e in built.items() if not e.key.startswith(BUNDLED_PREFIX)}

    def fingerprints_of(self, article_ids: Iterable[str]) -> dict[str, str]:
        """:meth:`fingerprints` of ``article_ids`` only (those of them shown); waits for a running scan."""
        with self._lock:
            return {i: fingerprint for i in article_ids if (fingerprint := self.fingerprint(i)) is not None}

    def sources(self) -> list[str]:
        return list(self._sources)

    def skipped(self) -> list[Skipped]:
        """Files in the sources that are not articles, with the reason."""
        with self._lock:
            return [Skipped(self._display_path(k), s.reason) for k, s in sorted(self._skipped.items()) if self._visible_key(k)]

    # ------------------------------------------------------------------ changes

    def add_sources(self, paths: Iterable[str | os.PathLike]) -> ScanReport:
        """Add files or folders (read in place) and scan them."""
        resolved = [Path(p).expanduser().resolve() for p in paths]
        missing = [p for p in resolved if not p.exists()]
        if missing:
            raise SourceNotFoundError(", ".join(str(p) for p in missing))
        with self._locked_manifest():
            self._refuse_if_read_only("add " + ", ".join(str(p) for p in resolved))
            new_sources = [str(p) for p in dict.fromkeys(resolved) if str(p) not in self._sources]
            self._sources += new_sources
            report = self._scan_locked(sources_changed=bool(new_sources))  # an empty folder is saved too
            report.skipped = [s for s in report.skipped if any(_is_within(Path(s.path), p) for p in resolved)]
        return report

    def remove_sources(self, paths: Iterable[str | os.PathLike]) -> ScanReport:
        """Forget sources; their articles leave the library (notes on them stay)."""
        resolved = [str(Path(p).expanduser().resolve()) for p in paths]
        with self._locked_manifest():
            self._refuse_if_read_only("remove " + ", ".join(resolved))
            unknown = [p for p in resolved if p not in self._sources]
            if unknown:
                raise LecternError("not a source of the library: " + ", ".join(unknown))
            self._sources = [s for s in self._sources if s not in resolved]
            report = self._scan_locked(sources_changed=True)
        return report

    def rescan(self) -> ScanReport:
        """Re-read what changed on disk: size and mtime first, then the content hash."""
        with self._locked_manifest():
            report = self._scan_locked()
        return report

    # ------------------------------------------------------------------ scanning

    def _scan_locked(self, sources_changed: bool = False) -> ScanReport:
        report = ScanReport(unlisted_changes=self._saved_elsewhere)
        found = dict(self._iter_files())
        by_key = {e.key: i for i, e in self._entries.items()}
        new_files: list[tuple[str, Path, bytes, str]] = []
        seen_ids: set[str] = set()
        for key, path in sorted(found.items()):
            result = self._check_file(key, path, by_key.get(key), report)
            if result is None:
                seen_ids.add(by_key.get(key, ""))
            elif result[0] == "new":
                new_files.append((key, path, result[1], result[2]))
        in_scope = {i for i, e in self._entries.items() if self._in_scope(e.key)}
        vanished = {i: self._entries[i] for i in in_scope - seen_ids if self._entries[i].key not in found}
        for key, path, data, sha in new_files:
            self._add_file(key, path, data, sha, vanished, report)
        for article_id in sorted(vanished):
            del self._entries[article_id]
            report.removed.append(article_id)
        for key in [k for k in self._skipped if self._in_scope(k) and k not in found]:
            del self._skipped[key]
        report.skipped = [Skipped(self._display_path(k), s.reason) for k, s in sorted(self._skipped.items()) if self._in_scope(k)]
        if report.changed:
            self._changed()
        if sources_changed or report.changed or report.skipped or not self.paths.manifest.exists():
            self._save_manifest()
        return report

    def _check_file(self, key: str, path: str, article_id: str | None, report: ScanReport):
        """Returns None when the file is known (unchanged, updated or now skipped), or ("new", data, sha)."""
        try:
            problem = not_an_article_reason(path)
            if problem is not None:
                raise SkippedFile(Path(path), problem)
            stat = os.stat(path)
            entry = self._entries.get(article_id) if article_id else None
            skip = self._skipped.get(key)
            if entry and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                report.unchanged += 1
                return None
            if skip and (skip.size, skip.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                return ("skipped",)
            data = read_article_bytes(Path(path))
            sha = hashlib.sha256(data).hexdigest()
            if entry and entry.sha256 == sha:
                entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
                report.unchanged += 1
                return None
            if entry is None:
                return ("new", data, sha)
            article = parse_file(Path(path), article_id, data)
            self._entries[article_id] = _entry_for(key, article, data, sha, stat)
            _PARSED.keep(article_id, path, len(data), stat.st_mtime_ns, article)  # the index reads it next
            self._skipped.pop(key, None)
            report.updated.append(self._summary(article_id, self._entries[article_id]))
            return None
        except SkippedFile as exc:
            self._skip(key, path, exc.reason)
        except OSError as exc:
            self._skip(key, path, f"cannot read: {exc.strerror or exc}")
        if article_id and article_id in self._entries:
            del self._entries[article_id]
            report.removed.append(article_id)
        return ("skipped",)

    def _add_file(self, key: str, path: str, data: bytes, sha: str, vanished: dict[str, _Entry], report: ScanReport) -> None:
        moved_from = next((i for i, e in sorted(vanished.items()) if e.sha256 == sha), None)
        try:
            article = parse_file(Path(path), moved_from or "", data)
        except SkippedFile as exc:
            self._skip(key, path, exc.reason)
            return
        stat = os.stat(path)
        if moved_from:
            del vanished[moved_from]
            self._entries[moved_from] = _entry_for(key, article, data, sha, stat)
            _PARSED.keep(moved_from, path, len(data), stat.st_mtime_ns, article)
            report.moved.append(self._summary(moved_from, self._entries[moved_from]))
            return
        article_id = self._allocate_id(article.title)
        self._entries[article_id] = _entry_for(key, article, data, sha, stat)
        _PARSED.keep(article_id, path, len(data), stat.st_mtime_ns, replace(article, id=article_id, _by_id={}))
        self._skipped.pop(key, None)
        report.added.append(self._summary(article_id, self._entries[article_id]))

    def _skip(self, key: str, path: str, reason: str) -> None:
        try:
            stat = os.stat(path)
            size, mtime = stat.st_size, stat.st_mtime_ns
        except OSError:
            size, mtime = -1, -1
        self._skipped[key] = _SkipEntry(reason, size, mtime)

    def _allocate_id(self, title: str) -> str:
        base = slugify(title, default="article")
        candidate, n = base, 1
        while candidate in self._entries:
            n += 1
            candidate = f"{base}-{n}"
        return candidate

    def _iter_files(self) -> Iterator[tuple[str, str]]:
        """(manifest key, path) of each article file of the sources. Strings, not ``Path`` objects: a
        rescan of 100,000 files spent ~1 s building and parsing those."""
        if self.include_bundled and self.paths.bundled_content.is_dir():
            root = self.paths.bundled_content
            for path in _article_files(str(root)):
                yield BUNDLED_PREFIX + Path(path).relative_to(root).as_posix(), path
        for source in self._sources:  # resolved when added: the keys are the paths, as str(Path) writes them
            if os.path.isdir(source):
                for path in _article_files(source):
                    yield path, path
            elif os.path.lexists(source):  # a file named directly: checked (and skipped with a reason) like any other
                yield source, source

    # ------------------------------------------------------------------ visibility

    def _visible(self, entry: _Entry) -> bool:
        return self._visible_key(entry.key)

    def _visible_key(self, key: str) -> bool:
        return self._in_scope(key)

    def _in_scope(self, key: str) -> bool:
        """Whether a scan with the current settings looks at this key.

        Bundled entries stay in the manifest while ``--no-bundled`` hides them,
        so their ids are kept for the next run that shows them.
        """
        if key.startswith(BUNDLED_PREFIX):
            return self.include_bundled
        return True

    def _path_of(self, key: str) -> Path:
        if key.startswith(BUNDLED_PREFIX):
            return self.paths.bundled_content / key[len(BUNDLED_PREFIX):]
        return Path(key)

    def _display_path(self, key: str) -> str:
        return str(self._path_of(key)) if key.startswith(BUNDLED_PREFIX) else key  # a key is its path (_iter_files)

    def _summary(self, article_id: str, entry: _Entry) -> ArticleSummary:
        return ArticleSummary(
            id=article_id,
            title=entry.title,
            path=self._display_path(entry.key),
            sections=entry.sections,
            bundled=entry.key.startswith(BUNDLED_PREFIX),
            warnings=entry.warnings,
            label=entry.title,
        )

    # ------------------------------------------------------------------ manifest

    @contextlib.contextmanager
    def _locked_manifest(self):
        """Serialise scans across threads and processes, and re-read the manifest first.

        Another Lectern process may have scanned since we loaded; reloading under
        the lock means neither process overwrites the other's ids.
        """
        with self._lock, file_lock(self._lock_path, enabled=not self.read_only, on_unwritable=self._data_dir_unwritable):
            seen = self._manifest_seen
            self._load_manifest()
            self._saved_elsewhere = self._manifest_seen != seen
            yield

    @property
    def _lock_path(self) -> Path:
        return self.paths.data_dir / ".library.lock"

    def _data_dir_unwritable(self, error: OSError) -> None:
        """The data folder cannot be written (read-only folder or disk): read and scan, save nothing."""
        reason = f"the data folder {self.paths.data_dir} cannot be written ({error.strerror or error})"
        self._go_read_only(reason, f"{reason}; the library is read-only: it is read and rescanned, but nothing is saved")

    def _go_read_only(self, reason: str, message: str = "") -> None:
        """Save nothing from now on; ``reason`` answers a refused change, ``message`` is told once."""
        self.read_only = True
        self.read_only_reason = self.read_only_reason or reason
        self._tell(message or reason, key="library.read_only")

    def _refuse_if_read_only(self, action: str) -> None:
        """Adding or removing a source that could not be saved would be lost silently: say so instead."""
        if self.read_only:
            raise LecternError(f"cannot {action}: {self.read_only_reason}")

    def _load_manifest(self, lazy: bool = False) -> None:
        """Load ``library.json``, or its copy ``library.json.bak`` if it is missing or unreadable.

        An unreadable file is kept aside (``.corrupt-*``), never deleted. Losing
        both copies would forget the added sources and re-derive the ids, so the
        copy is what protects notes' article ids from a damaged disk block.
        """
        path, copy = self.paths.manifest, self._manifest_copy
        self._manifest_seen = file_identity(path)  # before reading: a change meanwhile looks like one later
        cached = manifest_cache.read(self.paths.manifest_cache, self._manifest_seen, _ENTRY_FIELDS, MAX_MANIFEST_BYTES)
        if cached is not None and _manifest_problem(cached[0]) is None:
            self._use_manifest(*cached, lazy)
            return
        data, problem = _read_manifest(path)
        read_from_path = data is not None  # not from the copy: the fast copy may name it
        if problem is not None:
            data = self._recover_manifest(f"the library manifest was unreadable ({problem}); {self._keep_aside(path)}")
        elif data is None and copy.exists():
            data = self._recover_manifest(f"{path.name} was missing", quiet_if_restored=True)
        if data is None:
            return
        columns = Columns.from_rows(data.pop("articles", {}), _ENTRY_DEFAULTS)
        if read_from_path and not self.read_only:
            columns = with_title_order(columns)
            manifest_cache.write(self.paths.manifest_cache, self._manifest_seen, data, columns)
        self._use_manifest(data, columns, lazy)

    def _use_manifest(self, data: dict, columns: Columns, lazy: bool) -> None:
        """Take the sources, articles and skipped files of a checked manifest."""
        if int(data.get("version", 0)) > MANIFEST_VERSION:
            self._go_read_only(f"{self.paths.manifest} was written by a newer Lectern (version {data['version']}); "
                               "the library is read-only in this version")
        self._changed()
        self._sources = [str(s) for s in data.get("sources", [])]
        if lazy:  # opening: built on first use (a scan builds them at once: readers must not wait for it)
            self._columns, self._built = columns, None
        else:
            self._built, self._columns = _entries_of(columns), None
        self._column_rows = None
        self._skipped = {k: _SkipEntry(**row) for k, row in data.get("skipped", {}).items()}

    def _recover_manifest(self, what_happened: str, quiet_if_restored: bool = False) -> dict | None:
        """The data of the copy ``library.json.bak``, or None: the library starts afresh, with a notice.

        An unreadable copy is kept aside too, so the notice is given once.
        """
        copy = self._manifest_copy
        data, problem = _read_manifest(copy)
        if data is not None:
            if not quiet_if_restored:
                self._tell(f"{what_happened} and the library was restored from {copy.name}")
            return data
        if problem is not None:
            what_happened += f"; its copy {copy.name} is unreadable too ({problem}; {self._keep_aside(copy)})"
        self._tell(f"{what_happened}: the library is being rebuilt from the bundled content (add your folders again)")
        return None

    def _keep_aside(self, path: Path) -> str:
        """Move an unreadable file to ``NAME.corrupt-TIME`` (never deleted); says where it went.

        When it cannot be moved (a read-only data folder) the library goes
        read-only rather than overwrite it.
        """
        kept = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
        try:
            os.replace(path, kept)
        except OSError as exc:
            self._go_read_only(f"{path} is unreadable and could not be kept aside ({exc.strerror or exc}); "
                               "the library is read-only")
            return "it was left in place"
        return f"it was kept as {kept.name}"

    @property
    def _manifest_copy(self) -> Path:
        return self.paths.manifest.with_name(self.paths.manifest.name + ".bak")

    def _save_manifest(self) -> None:
        if self.read_only:
            return
        data = {
            "format": MANIFEST_FORMAT,
            "version": MANIFEST_VERSION,
            "sources": self._sources,
            "articles": {i: asdict(e) for i, e in sorted(self._entries.items())},
            "skipped": {k: asdict(s) for k, s in sorted(self._skipped.items())},
        }
        text = json.dumps(data, ensure_ascii=False, indent=1)
        try:
            atomic_write_text(self.paths.manifest, text)
            self._manifest_seen = file_identity(self.paths.manifest)
            atomic_write_text(self._manifest_copy, text)
        except OSError as exc:
            raise LecternError(f"cannot save the library manifest {self.paths.manifest}: {exc.strerror or exc}") from None
        columns = with_title_order(Columns.from_rows(data.pop("articles"), _ENTRY_DEFAULTS))
        manifest_cache.write(self.paths.manifest_cache, self._manifest_seen, data, columns)


class _Listing:
    """The visible articles in title order (case- and accent-folded, then id), by column, with what
    pages, prefixes and positions need. An :class:`ArticleSummary` is made only for a row asked for:
    at 100,000 articles making them all took ~0.3 s of the window's start."""

    def __init__(self, columns: Columns, display_path: Callable[[str], str]):
        if columns.order is None:
            columns = with_title_order(columns)
        ids, values, order = columns.ids, columns.values, columns.order
        self.folded = [columns.folded[row] for row in order]
        if not all(map(le, self.folded, islice(self.folded, 1, None))):  # a damaged copy: sort again
            columns = with_title_order(columns)
            order = columns.order
            self.folded = [columns.folded[row] for row in order]
        self.ids = [ids[row] for row in order]
        self.titles, self.keys, self.sections, self.warnings, shas = (
            [values[name][row] for row in order] for name in ("title", "key", "sections", "warnings", "sha256"))
        self.paths = [key if not key.startswith(BUNDLED_PREFIX) else display_path(key) for key in self.keys]
        self.fingerprints = dict(zip(self.ids, shas))
        self.rows = dict(zip(self.ids, range(len(self.ids))))
        stripped = [title.strip() for title in self.folded]
        self.by_title = dict(zip(reversed(stripped), range(len(stripped) - 1, -1, -1)))  # the first row of each
        self.labels = self._labels_of_shared_titles()
        # Compared only within this process (a list redraws when it changes): Python's hash of the
        # columns, ~4 times faster than a SHA-256 of them at 100,000 rows.
        self.version = f"{hash((tuple(self.ids), tuple(self.titles), tuple(self.paths), tuple(shas))) & (2**64 - 1):016x}"

    def __len__(self) -> int:
        return len(self.ids)

    def _labels_of_shared_titles(self) -> dict[int, str]:
        """Row -> "Title · folder/file.txt" for the articles that share their (folded) title."""
        shared = {title for title, count in Counter(self.folded).items() if count > 1}
        return {row: f"{self.titles[row]} · {Path(self.paths[row]).parent.name}/{Path(self.paths[row]).name}"
                for row, title in enumerate(self.folded) if title in shared}

    def summary(self, row: int) -> ArticleSummary:
        title = self.titles[row]
        return ArticleSummary(self.ids[row], title, self.paths[row], self.sections[row],
                              self.keys[row].startswith(BUNDLED_PREFIX), self.warnings[row], self.labels.get(row, title))

    def title_entry(self, row: int) -> TitleEntry:
        label = self.labels.get(row, "")
        return TitleEntry(self.ids[row], self.titles[row], label, self.paths[row])

    @functools.cached_property
    def summaries(self) -> list[ArticleSummary]:
        """Every row's summary (the deprecated ``Library.articles`` and the self-test ask for them)."""
        return [self.summary(row) for row in range(len(self))]


def with_title_order(columns: Columns) -> Columns:
    """``columns`` with their folded titles and the rows in (folded title, id) order."""
    folded = [_fold_title(title) for title in columns.values["title"]]
    order = [row for _, _, row in sorted(zip(folded, columns.ids, range(len(columns))))]
    return replace(columns, folded=folded, order=order)


def _fold_title(title: str) -> str:
    return title.casefold() if title.isascii() else fold(title)


def _read_manifest(path: Path) -> tuple[dict | None, str | None]:
    """(data, None), (None, None) when the file does not exist, or (None, what is wrong with it).

    Whatever the bytes are (not UTF-8, nested 100,000 deep, ``"version": 1e400``,
    a number where a path belongs), the answer is a reason, never an exception.
    """
    try:
        raw = read_regular_bytes(path, MAX_MANIFEST_BYTES)  # a FIFO in its place must not hang every command
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise LecternError(f"cannot read the library manifest {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except RecursionError:
        return None, "nested too deeply to be a Lectern library manifest"
    except (ValueError, TypeError, OverflowError) as exc:
        return None, str(exc)
    problem = _manifest_problem(data)
    return (data, None) if problem is None else (None, problem)


def _manifest_problem(data: object) -> str | None:
    """What is wrong with a manifest's shape (see :func:`_check_manifest`), or None."""
    try:
        _check_manifest(data)
    except RecursionError:
        return "nested too deeply to be a Lectern library manifest"
    except (ValueError, TypeError, AttributeError, KeyError, OverflowError) as exc:
        return str(exc)
    return None


def _check_manifest(data: object) -> None:
    """Raise ValueError unless ``data`` has the manifest's shape, every field of the right type.

    Each field is type-checked over all rows at once (100,000 rows: a few
    tens of ms where a check row by row took 0.3-0.7 s, on the start-up path).
    """
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        raise ValueError("not a Lectern library manifest")
    shapes = {"sources": list, "articles": dict, "skipped": dict}
    if any(not isinstance(data.get(key, kind()), kind) for key, kind in shapes.items()):
        raise ValueError("a field has the wrong type")
    if not _is_int(data.get("version", 0)) or data.get("version", 0) < 0:
        raise ValueError(f"the version is not a whole number: {data.get('version')!r}")
    if not all(isinstance(source, str) and source for source in data.get("sources", [])):
        raise ValueError("a source is not a path")
    _check_rows(_Entry, data.get("articles", {}))
    _check_rows(_SkipEntry, data.get("skipped", {}))


_FIELD_TYPES = {"str": str, "int": int}


def _check_rows(cls: type, rows: dict) -> None:
    """Raise ValueError or TypeError unless ``cls(**row)`` works for every row and every value has
    its declared type (an int is not a bool): a row that is not an object, an unknown or missing
    field, a value of the wrong type. JSON gives exact types, so ``type(v) is int`` is the check."""
    if not set(map(type, rows.values())) <= {dict}:
        raise ValueError(f"a {cls.__name__.strip('_')} row is not an object")
    fields = cls.__dataclass_fields__
    required = {name for name, f in fields.items() if f.default is MISSING and f.default_factory is MISSING}
    for names in set(map(tuple, rows.values())):  # the few distinct field lists
        if not required <= set(names) <= fields.keys():
            cls(**dict.fromkeys(names))  # raises TypeError naming the missing or unknown field
    for name, declared in cls.__annotations__.items():
        wanted, default = _FIELD_TYPES[declared], fields[name].default
        values = partial(map, dict.get, rows.values(), repeat(name), repeat(None if default is MISSING else default))
        if not set(map(type, values())) <= {wanted}:
            wrong = next(value for value in values() if type(value) is not wanted)
            raise ValueError(f"{name} has the wrong type: {wrong!r}")


_ENTRY_FIELDS = dict(_Entry.__annotations__)  # name -> "str"/"int" (annotations are strings here)
_ENTRY_DEFAULTS = {name: None if f.default is MISSING else f.default for name, f in _Entry.__dataclass_fields__.items()}


def _entries_of(columns: Columns) -> dict[str, _Entry]:
    """The manifest's entries from its checked columns (100,000: ~0.1 s, so only on first use)."""
    return dict(zip(columns.ids, map(_Entry, *(columns.values[name] for name in _ENTRY_DEFAULTS))))


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _entry_for(key: str, article: Article, data: bytes, sha: str, stat: os.stat_result) -> _Entry:
    return _Entry(
        key=key,
        sha256=sha,
        size=len(data),
        mtime_ns=stat.st_mtime_ns,
        title=article.title,
        sections=len(article.sections),
        warnings=len(article.warnings),
    )


class _ParsedArticles:
    """The last articles parsed, by (id, file, size, mtime): reopening one is instant, and the
    parse a scan did to learn an article's title is the one the search index then reads (no second parse)."""

    def __init__(self, size: int):
        self._size = size
        self._items: dict[tuple, Article] = {}
        self._lock = threading.Lock()

    def keep(self, article_id: str, path, size: int, mtime_ns: int, article: Article) -> None:
        with self._lock:
            key = (article_id, str(path), size, mtime_ns)
            self._items.pop(key, None)
            self._items[key] = article
            while len(self._items) > self._size:
                del self._items[next(iter(self._items))]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def get(self, article_id: str, path, size: int, mtime_ns: int) -> Article:
        key = (article_id, str(path), size, mtime_ns)
        with self._lock:
            article = self._items.pop(key, None)
            if article is not None:
                self._items[key] = article  # most recently used last
                return article
        article = parse_file(Path(path), article_id)
        self.keep(article_id, path, size, mtime_ns, article)
        return article


_PARSED = _ParsedArticles(64)


def _parse_cached(article_id: str, path: str, size: int, mtime_ns: int) -> Article:
    """Parse once per (file, size, mtime): reopening an article is instant."""
    return _PARSED.get(article_id, path, size, mtime_ns)


_parse_cached.cache_clear = _PARSED.clear  # benchmarks time a cold open


def _article_files(root: str) -> list[str]:
    """Article files under a folder, sorted, skipping hidden files and folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        found += [os.path.join(dirpath, name) for name in sorted(filenames)
                  if not name.startswith(".") and not_an_article_reason(name) is None]
    return found


def not_an_article_reason(path: str | os.PathLike) -> str | None:
    """Why a file's name says it is not an article (its suffix, or a README-like name), or None.

    The same rule for a folder scan and for files named directly
    (``lectern add notes.json README.md`` adds neither). String operations, as
    ``Path.suffix`` and ``Path.stem`` read them: it runs for every file of a scan.
    """
    name = os.path.basename(os.fspath(path))
    stem, suffix = os.path.splitext(name)
    suffix = suffix.lower() if suffix != "." else ""  # "a." has no suffix for Path either
    if suffix not in ARTICLE_SUFFIXES:
        kinds = ", ".join(sorted(ARTICLE_SUFFIXES))
        return f"not an article file ({f'suffix {suffix}' if suffix else 'no suffix'}; articles end in {kinds})"
    if stem.lower() in METADATA_STEMS:
        return f"{name} describes a folder (README, LICENSE...), it is not an article"
    return None


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
