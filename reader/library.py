"""The library facade: the one object the GUI and the CLI talk to.

A :class:`Library` is opened on an :class:`~reader.paths.AppPaths`. It knows the
sources (the bundled ``content/`` plus files and folders the user added, read
in place and never modified), keeps a manifest of the articles found in them
(``library.json`` in the data dir), and parses an article on demand.

Article ids (docs/architecture.md, "Article ids"):

* a new article gets ``slugify(title)``, or ``slug-2``, ``slug-3``... when that
  id is taken, so ids are readable and usually the same on every machine;
* a file keeps its id while it stays at the same path, whatever its content;
* a file that disappears from one path and appears with identical content
  (same SHA-256) at another keeps its id (moving a file between folders);
* the manifest is saved atomically, so ids survive restarts.

Later parts of the facade (search, user data) hang off the same object; they
subscribe to change events with :meth:`Library.add_listener`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .atomicfile import atomic_write_text
from .errors import LecternError, SourceNotFoundError, UnknownArticleError
from .filelock import file_lock
from .model import Article
from .parser import ARTICLE_SUFFIXES, MAX_FILE_BYTES, SkippedFile, parse_file
from .paths import AppPaths
from .textutil import fold, slugify

MANIFEST_FORMAT = "lectern-library"
MANIFEST_VERSION = 1
BUNDLED_PREFIX = "bundled:"
# Files that describe a folder of articles rather than being one (compared by stem, case-insensitively).
METADATA_STEMS = {"readme", "license", "licence", "copying", "attribution", "changelog", "authors"}

Listener = Callable[[str, object], None]


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

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed or self.moved)


@dataclass
class _Entry:
    """One manifest row: an article file and what the last scan learnt of it."""

    key: str  # "bundled:<relative path>" or an absolute path
    sha256: str
    size: int
    mtime_ns: int
    title: str
    sections: int
    warnings: int = 0


@dataclass
class _SkipEntry:
    reason: str
    size: int
    mtime_ns: int


class Library:
    """Articles from the bundled content and the user's sources."""

    def __init__(self, paths: AppPaths, include_bundled: bool = True):
        self.paths = paths
        self.include_bundled = include_bundled
        self.read_only = False
        self.messages: list[str] = []  # things the user should be told once (e.g. a manifest reset)
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._sources: list[str] = []
        self._entries: dict[str, _Entry] = {}  # article id -> entry
        self._skipped: dict[str, _SkipEntry] = {}  # key -> why the file is not an article
        self._search = None  # reader.search.SearchIndex, opened on first use
        self._store = None  # reader.userdata.UserStore, opened on first use
        self._load_manifest()

    # ------------------------------------------------------------------ events

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(event, payload)`` on changes.

        Events: ``"articles_changed"`` with a :class:`ScanReport`. Listeners run
        on the thread that made the change.
        """
        self._listeners.append(listener)

    def _emit(self, event: str, payload: object) -> None:
        for listener in list(self._listeners):
            listener(event, payload)

    # ------------------------------------------------------------------ queries

    def articles(self) -> list[ArticleSummary]:
        """Visible articles, sorted by title (case- and accent-insensitive)."""
        with self._lock:
            summaries = [self._summary(i, e) for i, e in self._entries.items() if self._visible(e)]
        return _sorted_and_labelled(summaries)

    def has_article(self, article_id: str) -> bool:
        entry = self._entries.get(article_id)
        return entry is not None and self._visible(entry)

    def is_hidden(self, article_id: str) -> bool:
        """Known to the library but not shown now (a bundled article under ``--no-bundled``).

        Such an article has not left the library: notes on it must stay anchored.
        """
        entry = self._entries.get(article_id)
        return entry is not None and not self._visible(entry)

    def summary(self, article_id: str) -> ArticleSummary:
        with self._lock:
            entry = self._entries.get(article_id)
            if entry is None or not self._visible(entry):
                raise UnknownArticleError(article_id)
            return self._summary(article_id, entry)

    def article(self, article_id: str) -> Article:
        """The parsed article; raises :class:`UnknownArticleError` or :class:`LecternError`."""
        with self._lock:
            entry = self._entries.get(article_id)
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

    def find_by_title(self, title: str) -> ArticleSummary | None:
        """The visible article with this title (folded), for "See also" links."""
        wanted = fold(title).strip()
        with self._lock:
            for article_id, entry in self._entries.items():
                if self._visible(entry) and fold(entry.title).strip() == wanted:
                    return self._summary(article_id, entry)
        return None

    def article_for_path(self, path: str | os.PathLike) -> ArticleSummary | None:
        """The visible article read from this file, if any (``lectern FILE`` opens it)."""
        wanted = Path(path).expanduser().resolve()
        with self._lock:
            for article_id, entry in self._entries.items():
                if self._visible(entry) and self._path_of(entry.key).resolve() == wanted:
                    return self._summary(article_id, entry)
        return None

    def fingerprints(self) -> dict[str, str]:
        """``{article id: content SHA-256}`` of visible articles (for incremental indexing)."""
        with self._lock:
            return {i: e.sha256 for i, e in self._entries.items() if self._visible(e)}

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
            for path in resolved:
                if str(path) not in self._sources:
                    self._sources.append(str(path))
            report = self._scan_locked()
            report.skipped = [s for s in report.skipped if any(_is_within(Path(s.path), p) for p in resolved)]
        self._after_scan(report)
        return report

    def remove_sources(self, paths: Iterable[str | os.PathLike]) -> ScanReport:
        """Forget sources; their articles leave the library (notes on them stay)."""
        resolved = [str(Path(p).expanduser().resolve()) for p in paths]
        with self._locked_manifest():
            unknown = [p for p in resolved if p not in self._sources]
            if unknown:
                raise LecternError("not a source of the library: " + ", ".join(unknown))
            self._sources = [s for s in self._sources if s not in resolved]
            report = self._scan_locked()
        self._after_scan(report)
        return report

    def rescan(self) -> ScanReport:
        """Re-read what changed on disk: size and mtime first, then the content hash."""
        with self._locked_manifest():
            report = self._scan_locked()
        self._after_scan(report)
        return report

    def _after_scan(self, report: ScanReport) -> None:
        if report.changed:
            self._emit("articles_changed", report)

    # ------------------------------------------------------------------ scanning

    def _scan_locked(self) -> ScanReport:
        report = ScanReport()
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
        if report.changed or report.skipped or not self.paths.manifest.exists():
            self._save_manifest()
        return report

    def _check_file(self, key: str, path: Path, article_id: str | None, report: ScanReport):
        """Returns None when the file is known (unchanged, updated or now skipped), or ("new", data, sha)."""
        try:
            stat = path.stat()
            entry = self._entries.get(article_id) if article_id else None
            skip = self._skipped.get(key)
            if entry and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                report.unchanged += 1
                return None
            if skip and (skip.size, skip.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
                return ("skipped",)
            if stat.st_size > MAX_FILE_BYTES:
                raise SkippedFile(path, f"file is too large ({stat.st_size / 1048576:.1f} MB, limit {MAX_FILE_BYTES // 1048576} MB)")
            data = path.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            if entry and entry.sha256 == sha:
                entry.size, entry.mtime_ns = stat.st_size, stat.st_mtime_ns
                report.unchanged += 1
                return None
            if entry is None:
                return ("new", data, sha)
            article = parse_file(path, article_id, data)
            self._entries[article_id] = _entry_for(key, article, data, sha, stat)
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

    def _add_file(self, key: str, path: Path, data: bytes, sha: str, vanished: dict[str, _Entry], report: ScanReport) -> None:
        moved_from = next((i for i, e in sorted(vanished.items()) if e.sha256 == sha), None)
        try:
            article = parse_file(path, moved_from or "", data)
        except SkippedFile as exc:
            self._skip(key, path, exc.reason)
            return
        stat = path.stat()
        if moved_from:
            del vanished[moved_from]
            self._entries[moved_from] = _entry_for(key, article, data, sha, stat)
            report.moved.append(self._summary(moved_from, self._entries[moved_from]))
            return
        article_id = self._allocate_id(article.title)
        self._entries[article_id] = _entry_for(key, article, data, sha, stat)
        self._skipped.pop(key, None)
        report.added.append(self._summary(article_id, self._entries[article_id]))

    def _skip(self, key: str, path: Path, reason: str) -> None:
        try:
            stat = path.stat()
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

    def _iter_files(self) -> Iterator[tuple[str, Path]]:
        if self.include_bundled and self.paths.bundled_content.is_dir():
            root = self.paths.bundled_content
            for path in _article_files(root):
                yield BUNDLED_PREFIX + path.relative_to(root).as_posix(), path
        for source in self._sources:
            root = Path(source)
            if root.is_file():
                yield str(root), root
            elif root.is_dir():
                for path in _article_files(root):
                    yield str(path), path

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
        return str(self._path_of(key))

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
        with self._lock, file_lock(self.paths.data_dir / ".library.lock", enabled=not self.read_only):
            self._load_manifest()
            yield

    def _load_manifest(self) -> None:
        """Load ``library.json``, or its copy ``library.json.bak`` if it is missing or unreadable.

        An unreadable file is kept aside (``.corrupt-*``), never deleted. Losing
        both copies would forget the added sources and re-derive the ids, so the
        copy is what protects notes' article ids from a damaged disk block.
        """
        path, copy = self.paths.manifest, self._manifest_copy
        data, problem = _read_manifest(path)
        if problem is not None:
            kept = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            os.replace(path, kept)
            data, copy_problem = _read_manifest(copy)
            recovered = data is not None
            self.messages.append(
                f"the library manifest was unreadable ({problem}); it was kept as {kept.name} and "
                + (f"the library was restored from {copy.name}" if recovered
                   else "the library is being rebuilt from the bundled content (add your folders again)")
            )
        elif data is None:
            data, _ = _read_manifest(copy)
        if data is None:
            return
        if int(data.get("version", 0)) > MANIFEST_VERSION:
            self.read_only = True
            self.messages.append(
                f"{path} was written by a newer Lectern (version {data['version']}); "
                "the library is read-only in this version"
            )
        self._sources = [str(s) for s in data.get("sources", [])]
        self._entries = {i: _Entry(**e) for i, e in data.get("articles", {}).items()}
        self._skipped = {k: _SkipEntry(**s) for k, s in data.get("skipped", {}).items()}

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
            atomic_write_text(self._manifest_copy, text)
        except OSError as exc:
            raise LecternError(f"cannot save the library manifest {self.paths.manifest}: {exc.strerror or exc}") from None

    # ------------------------------------------------------------------ search (reader.search)

    @property
    def search_index(self):
        """The full-text index (:class:`reader.search.SearchIndex`), opened lazily.

        Whoosh is imported only here, on first use, so start-up never pays for it.
        """
        with self._lock:
            if self._search is None:
                from .search import SearchIndex

                self._search = SearchIndex(self.paths.index_dir, self)
            return self._search

    def search(self, query: str, *, limit: int = 20, article_id: str | None = None, notes_only: bool = False,
               autocorrect: bool = True):
        """Ranked section (and note) hits for a query; see docs/search.md."""
        return self.search_index.search(query, limit=limit, article_id=article_id, notes_only=notes_only,
                                        autocorrect=autocorrect)

    def suggest(self, prefix: str, limit: int = 10):
        """Article titles and headings matching what the user has typed so far."""
        return self.search_index.suggest(prefix, limit=limit)

    def update_index(self, rebuild: bool = False, progress=None, cancel=None):
        """Bring the index up to date with the library (incremental unless ``rebuild``)."""
        return self.search_index.update(rebuild=rebuild, progress=progress, cancel=cancel)

    # ------------------------------------------------------------------ user data (reader.userdata)

    @property
    def store(self):
        """Bookmarks, notes and reading state (:class:`reader.userdata.UserStore`), opened lazily.

        The store reports changes through this library's listeners
        (``"notes_changed"``, ``"bookmarks_changed"``) and re-anchors notes on
        ``"articles_changed"``.
        """
        with self._lock:
            if self._store is None:
                from .userdata import UserStore

                self._store = UserStore(self.paths, on_change=self._emit)
                self._store.attach(self)
            return self._store

    def close(self) -> None:
        """Close the index and the database if they were opened."""
        with self._lock:
            search, store = self._search, self._store
            self._search = self._store = None
        if search is not None:
            search.close()
        if store is not None:
            store.close()


def _sorted_and_labelled(summaries: list[ArticleSummary]) -> list[ArticleSummary]:
    """Sort by folded title, and tell apart articles that share one ("Title · folder/file.txt").

    Each title is folded once: the list is rebuilt on every library change.
    """
    keyed = sorted((fold(s.title), s.id, s) for s in summaries)
    counts = Counter(folded for folded, _, _ in keyed)
    return [
        replace(s, label=f"{s.title} · {Path(s.path).parent.name}/{Path(s.path).name}") if counts[folded] > 1 else s
        for folded, _, s in keyed
    ]


def _read_manifest(path: Path) -> tuple[dict | None, str | None]:
    """(data, None), (None, None) when the file does not exist, or (None, what is wrong with it)."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        raise LecternError(f"cannot read the library manifest {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            raise ValueError("not a Lectern library manifest")
        shapes = {"sources": list, "articles": dict, "skipped": dict}
        if any(not isinstance(data.get(key, kind()), kind) for key, kind in shapes.items()):
            raise ValueError("a field has the wrong type")
        for entry in data.get("articles", {}).values():
            _Entry(**entry)
        for entry in data.get("skipped", {}).values():
            _SkipEntry(**entry)
        int(data.get("version", 0))
    except (ValueError, TypeError, AttributeError, KeyError) as exc:
        return None, str(exc)
    return data, None


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


@lru_cache(maxsize=32)
def _parse_cached(article_id: str, path: str, size: int, mtime_ns: int) -> Article:
    """Parse once per (file, size, mtime): reopening an article is instant."""
    return parse_file(Path(path), article_id)


def _article_files(root: Path) -> list[Path]:
    """Article files under a folder, sorted, skipping hidden files and folders."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            suffix, stem = Path(name).suffix.lower(), Path(name).stem.lower()
            if not name.startswith(".") and suffix in ARTICLE_SUFFIXES and stem not in METADATA_STEMS:
                found.append(Path(dirpath) / name)
    return found


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
