"""Kiwix ZIM archives as sources of the library (docs/zim.md, "Wired into the library").

:class:`ZimSource` is the :class:`~reader.sources.base.Source` of one open
:class:`~reader.sources.zim_archive.ZimArchive`; :class:`ArchiveShelf` is the
list of archives the user added (``archives.json`` in the data dir, written
atomically), re-opened at every start. Nothing here reads every entry of an
archive: opening is libzim's header and metadata, titles come a page at a time
and prefixes from the archive's title index.

Fingerprints: every article of an archive has the archive's UUID as its
fingerprint (``zim-UUID``). A new release of the same Name keeps the article
ids (``zim:NAME/PATH``) but has a new UUID, so every note on that archive is
re-anchored (by section and quoted passage, as for an edited file) the first
time the new release is seen; ``changes_since`` answers "cannot tell" (all
articles may have changed) across releases. Hashing each article's bytes would
spare re-anchoring unchanged articles but costs a read per noted article at
every start.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from ..atomicfile import atomic_write_text
from ..errors import LecternError, UnknownArticleError
from ..filelock import file_lock
from ..model import Article
from ..textutil import fold
from .base import ChangeSet, TitleEntry

if TYPE_CHECKING:  # libzim and lxml are imported when the first archive is opened, not at start-up
    from .zim_archive import ZimArchive, ZimEntry

KEY_PREFIX = "zim:"  # as zim_archive.KEY_PREFIX

ARCHIVES_FORMAT = "lectern-archives"
ARCHIVES_VERSION = 1
ARCHIVES_FILE = "archives.json"
_ARCHIVE_NAME = re.compile(r"\.zim(?:a[a-z])?$", re.I)
PREFIX_OVERFETCH = 4  # suggestions asked for per title wanted: the title index also matches inner words
MAX_WHOOSH_ARTICLES = 50_000  # an archive without a full-text index is indexed into Lectern's index up to this size
# what answers an archive's full-text queries (ZimSource.search_kind; `lectern archives --json` "search")
SEARCH_ARCHIVE_INDEX = "archive-index"  # the archive's embedded Xapian index
SEARCH_LECTERN_INDEX = "lectern-index"  # no index of its own, small enough for Lectern's
SEARCH_TITLES_ONLY = "titles-only"  # no index of its own and too large: its title index answers


class ArchiveRefused(LecternError):
    """An archive the library will not take (already there, same Name); ``reason`` is one line."""

    def __init__(self, path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.reason = reason


def open_archive(path: str | os.PathLike) -> "ZimArchive":
    """Open an archive (ZimError, a LecternError with a one-line ``reason``, when it cannot be)."""
    from .zim_archive import ZimArchive

    return ZimArchive(path)


def reason_of(error: LecternError) -> str:
    """The one-line reason of an archive's error (without the path the message starts with)."""
    return getattr(error, "reason", None) or str(error)


def origin(archive_title: str, file_name: str, path: str) -> str:
    """Where an archive article comes from, for people and exports: "ARCHIVE-TITLE (file.zim) › PATH"."""
    return f"{archive_title} ({file_name}) › {path}"


def is_archive_path(path: str | os.PathLike) -> bool:
    """Whether a path names a ZIM archive (``.zim``, or a split part ``.zimaa``...) by its name."""
    return bool(_ARCHIVE_NAME.search(str(path)))


class ZimSource:
    """The articles of one archive (a :class:`~reader.sources.base.Source`; ``indexed`` is False:
    the archive brings its own title and full-text index).

    Titles are in the archive's path order (what libzim stores), not folded
    title order; ``position`` is None (finding a row costs a walk from the start).
    """

    folded_order = False  # titles() lists path order; prefixes go to the title index (reader.library)

    def __init__(self, archive: "ZimArchive"):
        self.archive = archive
        self.name = archive.name
        self.id = f"{KEY_PREFIX}{archive.name}"
        self.label = archive.metadata.title
        self.uuid = str(archive._archive.uuid)
        self._search = None  # the archive's own search, links and images (zim_search), made on first use
        self._indexed: bool | None = None
        self._ids: list[str] | None = None  # every article id, listed once (an indexed archive only)

    @property
    def indexed(self) -> bool:
        """Whether Lectern's own index holds the articles: an archive without a full-text index of at
        most MAX_WHOOSH_ARTICLES articles (decided on first use, so adding stays O(1))."""
        if self._indexed is None:
            self._indexed = not self.archive.has_fulltext_index and self.count() <= MAX_WHOOSH_ARTICLES
        return self._indexed

    @property
    def title_search_only(self) -> bool:
        """No full-text index and too large to index into Lectern's: searched by title only."""
        return not self.archive.has_fulltext_index and not self.indexed

    @property
    def search_kind(self) -> str:
        """What answers full-text queries: SEARCH_ARCHIVE_INDEX (the archive's embedded index),
        SEARCH_LECTERN_INDEX (Lectern's index: a small archive without one) or SEARCH_TITLES_ONLY."""
        if self.archive.has_fulltext_index:
            return SEARCH_ARCHIVE_INDEX
        return SEARCH_LECTERN_INDEX if self.indexed else SEARCH_TITLES_ONLY

    def fingerprints(self) -> dict[str, str]:
        """``{id: fingerprint}`` of every article, for Lectern's index; {} for an archive it does not index.
        The ids are listed once (an archive never changes while open)."""
        if not self.indexed:
            return {}
        if self._ids is None:
            self._ids = [entry.id for entry in self.titles(0, self.count())]
        token = self.version()
        return dict.fromkeys(self._ids, token)

    def searchable(self):
        """The archive's own full-text and title search (``reader.sources.zim_search.ZimSearch``);
        None when Lectern's index holds the articles (its hits come from there, not twice)."""
        return None if self.indexed else self._zim_search()

    def media(self):
        """Links, images and metadata for the reading view and the library panel (the same ZimSearch)."""
        return self._zim_search()

    def _zim_search(self):
        if self._search is None:
            from .zim_search import ZimSearch

            self._search = ZimSearch(self.archive, self.id)
        return self._search

    @property
    def path(self) -> Path:
        return self.archive.path

    def count(self) -> int:
        return self.archive.article_count

    def titles(self, offset: int, limit: int) -> list[TitleEntry]:
        return [self._title(e) for e in self.archive.titles_at(max(0, offset), max(0, limit))]

    def titles_with_prefix(self, prefix: str, limit: int) -> list[TitleEntry]:
        """Titles starting with ``prefix`` (folded), from the archive's title index, in folded order."""
        if limit <= 0 or not prefix.strip():
            return []
        found = [e for e in self._suggest(prefix, limit * PREFIX_OVERFETCH) if fold(e.matched or e.title).startswith(prefix)]
        return [self._title(e) for e in sorted(found, key=lambda e: (fold(e.matched or e.title), e.key))[:limit]]

    def titles_matching(self, text: str, limit: int) -> list[TitleEntry]:
        """What the title index suggests for ``text`` (words anywhere in the title)."""
        return [self._title(e) for e in self._suggest(text, limit)] if limit > 0 else []

    def find_title(self, title: str) -> TitleEntry | None:
        wanted = fold(title).strip()
        if not wanted:
            return None
        return next((self._title(e) for e in self._suggest(title, 10)
                     if wanted in (fold(e.title).strip(), fold(e.matched).strip())), None)  # a redirect's title too

    def entry(self, article_id: str) -> TitleEntry | None:
        path = self._path_of(article_id)
        if path is None:
            return None
        try:
            return self._title(self.archive.entry(path))
        except LecternError:
            return None

    def position(self, article_id: str) -> int | None:
        return None

    def article(self, article_id: str) -> Article:
        path = self._path_of(article_id)
        if path is None:
            raise UnknownArticleError(article_id)
        try:
            return self._zim_search().article(article_id)  # shares the converted pages with search
        except LecternError as exc:
            reason = reason_of(exc)
            if reason.startswith("no article") or reason.endswith("is not an article"):
                raise UnknownArticleError(article_id) from None
            raise

    def fingerprint(self, article_id: str) -> str | None:
        return self.version() if self.entry(article_id) is not None else None

    def version(self) -> str:
        return f"zim-{self.uuid}"

    def changes_since(self, version: str) -> ChangeSet | None:
        return ChangeSet() if version == self.version() else None

    def main_entry(self) -> TitleEntry | None:
        """The archive's main page (what opening the archive shows), or its first article."""
        path = self.archive.main_path()
        if path is not None:
            found = self.entry(self.archive.key(path))
            if found is not None:
                return found
        first = self.titles(0, 1)
        return first[0] if first else None

    def _path_of(self, article_id: str) -> str | None:
        prefix = self.id + "/"
        return article_id[len(prefix):] or None if article_id.startswith(prefix) else None

    def _suggest(self, text: str, limit: int) -> list["ZimEntry"]:
        try:
            return self.archive.suggest(text, limit)
        except (LecternError, RuntimeError):
            return []

    def _title(self, entry: "ZimEntry") -> TitleEntry:
        return TitleEntry(entry.key, entry.title, redirect_label(entry),
                          origin(self.label or self.name, self.archive.path.name, entry.path))


def redirect_label(entry: "ZimEntry") -> str:
    """How a list shows an article reached through a redirect's title ("Lutra lutra → Otter"), else ""."""
    return f"{entry.matched} \u2192 {entry.title}" if entry.matched else ""


@dataclass
class ArchiveRecord:
    """One row of ``archives.json``: what is remembered of an archive, also while it is missing."""

    path: str
    name: str
    title: str
    date: str = ""
    uuid: str = ""


@dataclass(frozen=True)
class ShelvedArchive:
    """An archive as ``lectern archives`` lists it."""

    path: str
    name: str
    title: str
    language: str
    date: str
    creator: str
    articles: int | None  # None while the archive is missing
    missing: str = ""  # why it cannot be opened now ("" when open)
    search: str = ""  # ZimSource.search_kind ("" while the archive is missing)


class ArchiveShelf:
    """The archives of a library: the saved list and the open :class:`ZimSource` of each.

    ``tell(message)`` hears one-line notices (an archive missing, replaced).
    """

    def __init__(self, data_dir: Path, tell: Callable[[str], None], read_only: Callable[[], str] = lambda: ""):
        self.file = Path(data_dir) / ARCHIVES_FILE
        self._tell = tell
        self._read_only = read_only  # why nothing may be saved now ("" = writable)
        self._lock = threading.RLock()
        self.records: list[ArchiveRecord] = []
        self.sources: dict[str, ZimSource] = {}  # name -> open source
        self.problems: dict[str, str] = {}  # name -> why it is not open
        self._load()

    # ------------------------------------------------------------------ queries

    def open_sources(self) -> list[ZimSource]:
        return [self.sources[r.name] for r in self.records if r.name in self.sources]

    def claims(self, article_id: str) -> bool:
        """Whether the id belongs to a remembered archive that is missing now (its notes must stay)."""
        return any(article_id.startswith(f"{KEY_PREFIX}{name}/") for name in self.problems)

    def source_for_path(self, path: str | os.PathLike) -> ZimSource | None:
        record = self._record_at(Path(path))
        return self.sources.get(record.name) if record is not None else None

    def origin(self, article_id: str) -> str | None:
        """"ARCHIVE-TITLE (file.zim) › PATH" for an article id of a remembered archive (open or missing)."""
        for record in self.records:
            prefix = f"{KEY_PREFIX}{record.name}/"
            if article_id.startswith(prefix) and len(article_id) > len(prefix):
                source = self.sources.get(record.name)
                title = (source.label if source is not None else record.title) or record.name
                return origin(title, Path(record.path).name, article_id[len(prefix):])
        return None

    def infos(self) -> list[ShelvedArchive]:
        found = []
        for record in self.records:
            source = self.sources.get(record.name)
            if source is None:
                found.append(ShelvedArchive(record.path, record.name, record.title, "", record.date, "", None,
                                         self.problems.get(record.name, "not open")))
                continue
            meta = source.archive.metadata
            found.append(ShelvedArchive(str(source.path), source.name, meta.title, meta.language, meta.date,
                                     meta.creator, source.count(), search=source.search_kind))
        return found

    # ------------------------------------------------------------------ changes

    @contextlib.contextmanager
    def _changing(self, action: str):
        """Serialise changes across threads and processes, on the list as another process left it."""
        self._refuse_if_read_only(action)
        with self._lock, file_lock(self.file.with_name(".archives.lock")):
            self._reload()
            yield

    def _reload(self) -> None:
        """Take the list on disk (another Lectern may have changed it); open what is new in it."""
        self.records = self._read()
        names = {r.name for r in self.records}
        for gone in [n for n in self.sources if n not in names]:
            del self.sources[gone]
        for record in self.records:
            if record.name not in self.sources and record.name not in self.problems:
                with contextlib.suppress(LecternError):
                    self.sources[record.name] = ZimSource(open_archive(record.path))

    def add(self, path: str | os.PathLike) -> tuple[ZimSource, ArchiveRecord | None]:
        """Open and remember an archive; returns it and the record it replaced (a newer release of
        the same Name), if any. O(1): only the header and metadata are read."""
        with self._changing(f"add {path}"):
            archive = open_archive(Path(path).expanduser().absolute())
            where = archive.path.resolve()
            if self._record_at(where) is not None:
                raise ArchiveRefused(where, "already in the library")
            same_name = next((r for r in self.records if r.name == archive.name), None)
            if same_name is not None:
                self._check_replaces(same_name, archive)
            source = ZimSource(archive)
            record = ArchiveRecord(str(where), source.name, source.label, archive.metadata.date, source.uuid)
            if same_name is not None:
                self.records[self.records.index(same_name)] = record
            else:
                self.records.append(record)
            self.sources[source.name] = source
            self.problems.pop(source.name, None)
            self._save()
            return source, same_name

    def remove(self, path: str | os.PathLike) -> ArchiveRecord:
        with self._changing(f"remove {path}"):
            record = self._record_at(Path(path))
            if record is None:
                raise LecternError(f"not an archive of the library: {path}")
            self.records.remove(record)
            self.sources.pop(record.name, None)
            self.problems.pop(record.name, None)
            self._save()
            return record

    def _check_replaces(self, existing: ArchiveRecord, archive: "ZimArchive") -> None:
        """A second archive with a Name already in the library replaces it only as a newer release
        (or when the first one is missing); otherwise it is refused (both would answer the same ids)."""
        if existing.name in self.problems or archive.metadata.date > existing.date:
            return
        raise ArchiveRefused(archive.path, f"an archive named {existing.name!r} is already in the library "
                                           f"({existing.path}, {existing.date or 'no date'}); a newer release "
                                           "replaces it, an older or equal one is refused (remove the other first)")

    def _refuse_if_read_only(self, action: str) -> None:
        reason = self._read_only()
        if reason:
            raise LecternError(f"cannot {action}: {reason}")

    def _record_at(self, path: Path) -> ArchiveRecord | None:
        wanted = {str(path.expanduser().absolute()), str(path.expanduser().resolve())}
        return next((r for r in self.records if r.path in wanted), None)

    # ------------------------------------------------------------------ the list on disk

    def _load(self) -> None:
        self.records = self._read()
        replaced = False
        for record in self.records:
            try:
                source = ZimSource(open_archive(record.path))
            except LecternError as exc:
                reason = reason_of(exc)
                self.problems[record.name] = reason
                self._tell(f"archive {record.title!r} ({record.path}) cannot be opened: {reason}; "
                           "its notes are kept")
                continue
            if source.name != record.name:
                self.problems[record.name] = f"the file now holds the archive {source.name!r}"
                self._tell(f"archive {record.path} now holds {source.name!r}, not {record.name!r}: it is not "
                           "opened (add it again to use it); the notes are kept")
                continue
            if source.uuid != record.uuid:
                self._tell(f"archive {record.title!r} was replaced by its release of "
                           f"{source.archive.metadata.date or 'unknown date'}; notes on it are re-anchored")
                record.uuid, record.date, replaced = source.uuid, source.archive.metadata.date, True
            self.sources[record.name] = source
        if replaced and not self._read_only():
            self._save_quietly()

    def _read(self) -> list[ArchiveRecord]:
        try:
            raw = self.file.read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            self._tell(f"cannot read the archive list {self.file}: {exc.strerror or exc}; no archive is open")
            return []
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("format") != ARCHIVES_FORMAT:
                raise ValueError("not a Lectern archive list")
            records = [ArchiveRecord(**row) for row in data.get("archives", [])]
            if any(not isinstance(v, str) for r in records for v in asdict(r).values()):
                raise ValueError("a field has the wrong type")
            return records
        except (ValueError, TypeError, RecursionError) as exc:
            kept = self.file.with_name(f"{self.file.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}")
            try:
                os.replace(self.file, kept)
                where = f"it was kept as {kept.name}"
            except OSError:
                where = "it was left in place"
            self._tell(f"the archive list {self.file} is unreadable ({exc}); {where}: add the archives again")
            return []

    def _save(self) -> None:
        data = {"format": ARCHIVES_FORMAT, "version": ARCHIVES_VERSION,
                "archives": [asdict(r) for r in self.records]}
        try:
            atomic_write_text(self.file, json.dumps(data, ensure_ascii=False, indent=1))
        except OSError as exc:
            raise LecternError(f"cannot save the archive list {self.file}: {exc.strerror or exc}") from None

    def _save_quietly(self) -> None:
        try:
            self._save()
        except LecternError as exc:
            self._tell(str(exc))


def split_archive_paths(paths: Iterable[str | os.PathLike]) -> tuple[list[str], list[str]]:
    """(archive paths, other paths), each in the order given."""
    paths = [str(p) for p in paths]
    return [p for p in paths if is_archive_path(p)], [p for p in paths if not is_archive_path(p)]
