"""A Kiwix ZIM archive read through ``libzim`` (Qt-free, no Whoosh, no SQLite).

Everything here is O(1) or O(page) in the size of the archive: opening reads
the header, counts come from the archive, titles are read page by page through
``_get_entry_by_id`` (the binding has no public entry iteration; python-libzim
#94/#224), prefixes go to libzim's title index and full-text queries to the
archive's own Xapian index. Nothing enumerates every entry for one answer,
except the article count of archives made without a front-article counter
(see :meth:`ZimArchive.article_count`).

Articles: an entry that is not a redirect and is ``text/html``, or, in the old
namespace layout, any ``text/*`` entry under ``A/`` (the articles namespace).
Paths are given and returned without the ``A/`` prefix in both layouts, so a
key stays the same when a newer release of an archive switches layout.

Failures are :class:`ZimError` (a :class:`~reader.errors.LecternError`) with a
one-line reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from html import escape, unescape
from pathlib import Path

from libzim.reader import Archive
from libzim.search import Query, Searcher
from libzim.suggestion import SuggestionSearcher

from typing import TYPE_CHECKING

from ..errors import LecternError
from ..model import Article
from .zim_starts import TitleStarts

if TYPE_CHECKING:  # the HTML side (lxml) is imported when a page is first converted, not at start-up
    from .zim_links import PageLink, PageLinker

KEY_PREFIX = "zim:"
OLD_ARTICLE_NAMESPACE = "A/"
MAX_SCAN_PER_PAGE = 20_000  # entries looked at for one title page before it is returned short
CHECKPOINT_EVERY = 1_000  # titles_at() remembers a cursor every this many articles
COUNT_SCAN_LIMIT = 100_000  # archives without a front-article counter are counted up to this size
ILLUSTRATION_SIZE = 48
MAX_PAGE_BYTES = 32 * 1024 * 1024  # a page is read whole into memory; Wikipedia's largest are a few MB
MAX_IMAGE_BYTES = 8 * 1024 * 1024  # an image larger than this is not shown (its caption is)
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "image/bmp")
_DATE_SUFFIX = re.compile(r"_\d{4}-\d{2}(?:-\d{2})?(?=_|$)")
_SPLIT_SUFFIX = re.compile(r"\.zima[a-z]$", re.I)
_TITLE_OPEN = re.compile(rb"<title[^>]*>", re.I)
_TITLE_CLOSE = re.compile(rb"</title\s*>", re.I)
TITLE_SEARCH_BYTES = 64 * 1024  # a page's <title> is in its head, near the start


class ZimError(LecternError):
    """An archive that cannot be opened or read; the message is one line."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = Path(path)
        self.reason = reason


@dataclass(frozen=True)
class ZimMetadata:
    title: str
    language: str
    date: str
    creator: str
    name: str  # the archive's Name metadata, "" when it has none
    description: str
    illustration: bytes | None  # Illustration_48x48@1 (PNG), None when absent


@dataclass(frozen=True)
class ZimEntry:
    path: str  # without the old "A/" namespace prefix
    title: str
    key: str  # the stable article key: see ZimArchive.key()
    # A suggestion reached through a redirect: the redirect's own title, the one that matched what
    # was typed ("Lutra lutra" for the article "Otter"), when it is not the article's; else "".
    matched: str = ""


@dataclass(frozen=True)
class TitlePage:
    entries: tuple[ZimEntry, ...]
    next_cursor: int | None  # pass to titles() for the next page; None at the end


def parse_key(key: str) -> tuple[str, str]:
    """``zim:NAME/PATH`` -> ``(NAME, PATH)``; ZimError for anything else."""
    name, sep, path = key.removeprefix(KEY_PREFIX).partition("/")
    if not key.startswith(KEY_PREFIX) or not sep or not name or not path:
        raise ZimError(key, "not a ZIM article key (expected zim:NAME/PATH)")
    return name, path


def archive_name_from_file(path: Path) -> str:
    """The file name without extension, split suffix and release date: ``wikipedia_en_all_maxi``."""
    stem = _SPLIT_SUFFIX.sub("", path.name)
    stem = stem[:-4] if stem.lower().endswith(".zim") else stem
    return _DATE_SUFFIX.sub("", stem) or stem


def resolve_archive_path(path: Path | str) -> Path:
    """The file to open: ``name.zim`` may exist only as split parts ``name.zimaa``, ``.zimab``..."""
    path = Path(path)
    if path.is_file():
        if re.search(r"\.zima[b-z]$", path.name, re.I):
            first = path.with_name(path.name[:-1] + "a")
            raise ZimError(path, f"a later part of a split archive; open its first part {first.name}")
        return path
    first_part = path.with_name(path.name + "aa")
    if first_part.is_file():
        return first_part
    if path.is_dir():
        raise ZimError(path, "a folder, not a ZIM archive")
    raise ZimError(path, "no such file")


class ZimArchive:
    """One open archive. Cheap to create; safe to keep open while the file is replaced."""

    def __init__(self, path: Path | str):
        self.path = resolve_archive_path(path)
        self._archive = _open(self.path)
        self.old_namespaces = not self._archive.has_new_namespace_scheme
        self._range = self._article_id_range()
        self._count: int | None = None
        self._checkpoints: list[int | None] = [0]  # cursor of article k * CHECKPOINT_EVERY
        self.metadata = self._read_metadata()
        self._title_starts = TitleStarts(self)  # suggestions' start-of-title matches in path order
        self.name = _safe_name(self.metadata.name) or archive_name_from_file(self.path)
        if self._archive.article_count == 0 and not self._has_any_article():
            raise ZimError(self.path, "the archive has no articles")

    # -- facts

    @property
    def has_fulltext_index(self) -> bool:
        return self._archive.has_fulltext_index

    @property
    def has_title_index(self) -> bool:
        return self._archive.has_title_index

    @property
    def article_count(self) -> int:
        """Front articles as the archive counts them.

        Archives made without the front-article counter (zimwriterfs before
        2021, some tests) report 0; they are counted by a walk when they have at
        most ``COUNT_SCAN_LIMIT`` entries, and otherwise by their entry count.
        """
        if self._count is None:
            counted = self._archive.article_count
            if counted == 0:
                first, end = self._range
                counted = self._count_articles() if end - first <= COUNT_SCAN_LIMIT else end - first
            self._count = counted
        return self._count

    def key(self, path: str) -> str:
        """``zim:NAME/PATH``: the archive's Name metadata (else the file name without its
        date) and the entry path without namespace; the same across releases, never the UUID."""
        return f"{KEY_PREFIX}{self.name}/{self._strip_namespace(path)}"

    # -- entries

    def main_path(self) -> str | None:
        """The main page's path (redirect followed), or None when the archive names none."""
        if not self._archive.has_main_entry:
            return None
        entry = self._guard(lambda: _follow(self._archive.main_entry), "main page")
        return self._strip_namespace(entry.path)

    def entry(self, path: str) -> ZimEntry:
        """The article at ``path`` (``A/x`` and ``x`` both work), redirects followed."""
        entry = self._find(path)
        return self._entry(entry)

    def html(self, path: str) -> tuple[ZimEntry, bytes, str]:
        """``(entry, content, mimetype)`` of the article at ``path``, redirects followed."""
        entry = self._find(path)
        item = self._guard(entry.get_item, path)
        if item.size > MAX_PAGE_BYTES:
            raise ZimError(self.path, f"{path!r} is too large to show ({item.size / 1048576:.0f} MB, "
                                      f"limit {MAX_PAGE_BYTES // 1048576} MB)")
        content = self._guard(lambda: bytes(item.content), path)
        return self._entry(entry), content, item.mimetype

    def resource(self, path: str) -> tuple[bytes, str] | None:
        """``(content, mimetype)`` of any entry at ``path`` (an image), redirects followed; None when
        absent or unreadable. Never more than ``MAX_PAGE_BYTES`` is read."""
        try:
            if not self._archive.has_entry_by_path(path):
                return None
            item = _follow(self._archive.get_entry_by_path(path)).get_item()
            if item.size > MAX_PAGE_BYTES:
                return None
            return bytes(item.content), item.mimetype
        except (RuntimeError, OSError, ZimError):
            return None

    def has_image(self, path: str) -> bool:
        """Whether ``path`` holds an image that can be shown (an image type, at most
        ``MAX_IMAGE_BYTES``), redirects followed; its bytes are not read."""
        try:
            if not self._archive.has_entry_by_path(path):
                return False
            item = _follow(self._archive.get_entry_by_path(path)).get_item()
            return item.mimetype in IMAGE_TYPES and item.size <= MAX_IMAGE_BYTES
        except (RuntimeError, OSError, ZimError):
            return False

    def linker(self, path: str) -> PageLinker:
        """How the page at ``path`` (as :meth:`entry` gives it) resolves its links (to article ids,
        :meth:`key`) and images (to paths of images the archive holds)."""
        from .zim_links import PageLinker

        page_path = OLD_ARTICLE_NAMESPACE + path if self.old_namespaces else path
        return PageLinker(page_path, self.key, self.has_image)

    def article(self, path: str) -> Article:
        """The article at ``path`` in Lectern's model, with the page's links and images; its id is :meth:`key`."""
        from .zim_html import page_to_article

        found, content, mimetype = self.html(path)
        if mimetype.startswith("text/html"):
            return page_to_article(content, article_id=found.key, title=_article_title(found, content),
                                   linker=self.linker(found.path))
        text = content.decode("utf-8", "replace")
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines())
        return page_to_article(paragraphs, article_id=found.key, title=found.title)

    def links(self, path: str) -> list[PageLink]:
        """The page's links and archive images (zim_links), internal targets as archive paths without ``A/``."""
        from .zim_links import page_links

        entry = self._find(path)
        _, content, mimetype = self.html(path)
        if not mimetype.startswith("text/html"):
            return []
        return [
            link if link.external else replace(link, target=self._strip_namespace(link.target))
            for link in page_links(content, entry.path)
        ]

    def titles(self, cursor: int = 0, limit: int = 100) -> TitlePage:
        """Up to ``limit`` articles in the archive's path order, starting at ``cursor``.

        At most ``MAX_SCAN_PER_PAGE`` entries are looked at, so a page may come
        back short (runs of images between articles); ``next_cursor`` continues.
        """
        first, end = self._range
        position = max(cursor, first)
        stop = min(end, position + MAX_SCAN_PER_PAGE)
        found: list[ZimEntry] = []
        while position < stop and len(found) < limit:
            entry = self._guard(lambda: self._archive._get_entry_by_id(position), f"entry {position}")
            position += 1
            if self._is_article(entry):
                found.append(self._entry(entry))
        return TitlePage(tuple(found), position if position < end else None)

    def titles_at(self, offset: int, limit: int = 100) -> list[ZimEntry]:
        """Articles ``offset`` .. ``offset + limit - 1`` in path order (for ``list --offset``).

        The first call walks from the nearest remembered position: a cursor is
        kept every ``CHECKPOINT_EVERY`` articles, so paging on from there, or
        jumping back, never walks from the start again.
        """
        index = min(offset // CHECKPOINT_EVERY, len(self._checkpoints) - 1)
        position, cursor = index * CHECKPOINT_EVERY, self._checkpoints[index]
        found: list[ZimEntry] = []
        while cursor is not None and len(found) < limit:
            wanted = min(CHECKPOINT_EVERY - position % CHECKPOINT_EVERY, offset + limit - position)
            page = self.titles(cursor, wanted)  # never past the next checkpoint, nor past what was asked
            for entry in page.entries:
                if position >= offset and len(found) < limit:
                    found.append(entry)
                position += 1
            cursor = page.next_cursor
            if position % CHECKPOINT_EVERY == 0 and position // CHECKPOINT_EVERY == len(self._checkpoints):
                self._checkpoints.append(cursor)
        return found

    def suggest(self, prefix: str, limit: int = 10) -> list[ZimEntry]:
        """Articles whose title matches ``prefix``, redirects resolved, no repeats: first the titles
        that start with it, read from the path order when the archive's paths are its titles
        (zim_starts: no Xapian for a common prefix), then libzim's title index (words anywhere in
        the title, its own ranking) for the rest."""
        if not prefix.strip() or limit <= 0:
            return []
        starts = self._title_starts.find(prefix, limit) or []
        if len(starts) >= limit:
            return starts
        results = SuggestionSearcher(self._archive).suggest(prefix)
        return self._unique_entries(results.getResults(0, limit * 2), limit, starts)

    def search(self, query: str, limit: int = 20) -> list[str]:
        """Paths of the best full-text hits (the binding gives paths only: no title, score or snippet)."""
        if not self.has_fulltext_index:
            raise ZimError(self.path, "the archive has no full-text index (title search only)")
        if not query.strip():
            return []
        results = Searcher(self._archive).search(Query().set_query(query))
        return [entry.path for entry in self._unique_entries(results.getResults(0, limit * 2), limit)]

    # -- internals

    def _guard(self, read, what: str):
        try:
            return read()
        except (RuntimeError, OSError) as exc:
            raise ZimError(self.path, f"cannot read {what}: {_one_line(exc)}") from None

    def _find(self, path: str):
        return self._find_with_origin(path)[1]

    def _find_with_origin(self, path: str):
        """(the entry at ``path``, the article it is or redirects to), in either namespace layout."""
        candidates = [path]
        if self.old_namespaces and not path.startswith(OLD_ARTICLE_NAMESPACE):
            candidates.insert(0, OLD_ARTICLE_NAMESPACE + path)
        elif not self.old_namespaces and path.startswith(OLD_ARTICLE_NAMESPACE):
            candidates.append(path[len(OLD_ARTICLE_NAMESPACE):])
        for candidate in candidates:
            if self._guard(lambda: self._archive.has_entry_by_path(candidate), candidate):
                origin = self._guard(lambda: self._archive.get_entry_by_path(candidate), candidate)
                article = self._article_of(origin)
                if article is not None:
                    return origin, article
                raise ZimError(self.path, f"{path!r} is not an article")
        raise ZimError(self.path, f"no article {path!r}")

    def _strip_namespace(self, path: str) -> str:
        if self.old_namespaces and path.startswith(OLD_ARTICLE_NAMESPACE):
            return path[len(OLD_ARTICLE_NAMESPACE):]
        return path

    def _entry(self, entry) -> ZimEntry:
        path = self._strip_namespace(entry.path)
        return ZimEntry(path, entry.title or path, self.key(path))

    def _article_of(self, entry):
        """The article an entry is or redirects to, or None (an image, a script...)."""
        target = self._guard(lambda: _follow(entry), entry.path)
        return target if self._is_article(target) else None

    def _is_article(self, entry) -> bool:
        if entry.is_redirect:
            return False
        mimetype = self._guard(lambda: entry.get_item().mimetype, entry.path)
        if self.old_namespaces:
            return entry.path.startswith(OLD_ARTICLE_NAMESPACE) and mimetype.startswith("text/")
        return mimetype.startswith("text/html")

    def _unique_entries(self, paths, limit: int, first: list[ZimEntry] = ()) -> list[ZimEntry]:
        """``first``, then the articles at ``paths`` (redirects resolved) not among them, up to ``limit``."""
        found: dict[str, ZimEntry] = {entry.path: entry for entry in first}
        for path in paths:
            try:
                origin, entry = self._find_with_origin(path)
            except ZimError:
                continue  # an index entry for something that is not an article
            article = self.redirected(origin, self._entry(entry))
            found.setdefault(article.path, article)
            if len(found) == limit:
                break
        return list(found.values())

    @staticmethod
    def redirected(origin, article: ZimEntry) -> ZimEntry:
        """``article`` reached from the libzim entry ``origin``: a redirect with another title is
        remembered as the title that matched (a suggestion shows "Lutra lutra → Otter")."""
        if origin.is_redirect and origin.title and origin.title != article.title:
            return replace(article, matched=origin.title)
        return article

    def _article_id_range(self) -> tuple[int, int]:
        """Entry ids that can hold articles: all of them, or the ``A/`` run in the old layout."""
        total = self._archive.entry_count
        if not self.old_namespaces:
            return 0, total
        return self._first_id_at_or_after(OLD_ARTICLE_NAMESPACE, total), self._first_id_at_or_after("B", total)

    def _first_id_at_or_after(self, path: str, total: int) -> int:
        """Binary search over ids: entries are stored in path order (namespace first)."""
        return self._bisect_ids(0, total, lambda index: self._guard(
            lambda: self._archive._get_entry_by_id(index).path, "entry index") < path)

    @staticmethod
    def _bisect_ids(low: int, high: int, before) -> int:
        """The first id in ``low..high`` for which ``before(id)`` is false (it is true, then false)."""
        while low < high:
            middle = (low + high) // 2
            if before(middle):
                low = middle + 1
            else:
                high = middle
        return low

    def _has_any_article(self) -> bool:
        """For archives without a front-article counter: walk until the first article."""
        page = self.titles(0, 1)
        while not page.entries and page.next_cursor is not None:
            page = self.titles(page.next_cursor, 1)
        return bool(page.entries)

    def _count_articles(self) -> int:
        count, cursor = 0, 0
        while cursor is not None:
            page = self.titles(cursor, MAX_SCAN_PER_PAGE)
            count, cursor = count + len(page.entries), page.next_cursor
        return count

    def _read_metadata(self) -> ZimMetadata:
        def text(name: str) -> str:
            try:
                return bytes(self._archive.get_metadata(name)).decode("utf-8", "replace").strip()
            except (RuntimeError, KeyError):
                return ""

        illustration = None
        try:
            if self._archive.has_illustration(ILLUSTRATION_SIZE):
                illustration = bytes(self._archive.get_illustration_item(ILLUSTRATION_SIZE).content) or None
        except (RuntimeError, KeyError):
            illustration = None
        return ZimMetadata(
            title=text("Title") or archive_name_from_file(self.path),
            language=text("Language"),
            date=text("Date"),
            creator=text("Creator"),
            name=text("Name"),
            description=text("Description"),
            illustration=illustration,
        )


def _open(path: Path) -> Archive:
    try:
        return Archive(path)
    except RuntimeError as exc:
        raise ZimError(path, _open_reason(str(exc))) from None
    except OSError as exc:
        raise ZimError(path, exc.strerror or _one_line(exc)) from None


def _open_reason(message: str) -> str:
    """libzim's exception text -> a reason a reader can act on."""
    lowered = message.lower()
    if "magic number" in lowered or "too small to contain a header" in lowered or "reading zim-file header" in lowered:
        return "not a ZIM archive"
    if "bad size or corrupted" in lowered:
        return "damaged or truncated ZIM archive (its size does not match its header)"
    if "error opening" in lowered:
        return "cannot open the file (missing or not readable)"
    return f"cannot open the ZIM archive: {_one_line(message)}"


def _follow(entry, hops: int = 50):
    """The final target of a redirect chain (a loop or an overly long chain stops at ``hops``)."""
    for _ in range(hops):
        if not entry.is_redirect:
            return entry
        entry = entry.get_redirect_entry()
    raise RuntimeError("redirect loop")


def _safe_name(name: str) -> str:
    return name.strip().replace("/", "_")


def _one_line(error) -> str:
    return " ".join(str(error).split()) or type(error).__name__


def _article_title(entry: ZimEntry, page: bytes) -> str:
    """The entry's title; for an entry stored without one (libzim then gives its path: zimwriterfs and
    warc2zim pages they could not title), the page's ``<title>``, else the path."""
    if entry.title != entry.path:
        return entry.title
    head = page[:TITLE_SEARCH_BYTES]
    opened = _TITLE_OPEN.search(head)  # the first <title> only: one pass, whatever the page repeats
    closed = _TITLE_CLOSE.search(head, opened.end()) if opened else None
    text = head[opened.end():closed.start()] if closed else b""
    title = " ".join(unescape(text.decode("utf-8", "replace")).split())
    return title or entry.path
