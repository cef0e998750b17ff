"""The :class:`Source` protocol: what one source of articles can do.

A source may hold a handful of files or millions of articles in one archive, so
nothing here hands out every article at once: titles come page by page
(``offset``/``limit``) or by folded prefix, an article by its id. The
:class:`~reader.library.Library` is a list of sources plus article ids; it asks
the owning source, never all of them for everything.

Titles of a source are listed in one stable order (the folded title, ties by
id), so ``titles(offset, limit)`` pages never overlap or skip, and
``position(id)`` says which row an article is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from ..model import Article

PAGE_SIZE = 200  # titles a caller asks for at once; a source may return fewer, never "all"


@dataclass(frozen=True)
class TitleEntry:
    """One article as a list shows it, without reading the article."""

    id: str
    title: str
    label: str = ""  # the title plus what tells it apart from others with the same title ("" = the title)
    where: str = ""  # where it comes from, for a tooltip (a file path, an archive entry)

    @property
    def shown(self) -> str:
        return self.label or self.title


@dataclass(frozen=True)
class ChangeSet:
    """Article ids that changed between two versions of a source."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@runtime_checkable
class Source(Protocol):
    """What the library needs from a source of articles.

    ``indexed`` says whether Lectern's own full-text index holds its articles
    (the folders do; an archive that brings its own title and full-text index
    does not, and its titles are suggested through :meth:`titles_with_prefix`).
    Article ids are unique across the sources of one library.
    """

    id: str
    label: str
    indexed: bool

    def count(self) -> int:
        """How many articles the source shows now."""

    def titles(self, offset: int, limit: int) -> list[TitleEntry]:
        """At most ``limit`` titles from row ``offset``, in the source's order."""

    def titles_with_prefix(self, prefix: str, limit: int) -> list[TitleEntry]:
        """At most ``limit`` titles whose folded form starts with ``prefix`` (already folded), in order."""

    def titles_matching(self, text: str, limit: int) -> list[TitleEntry]:
        """Titles for a filter box: every one starting with ``text`` (folded), and, where the
        source can afford it, those containing it anywhere; in order, at most ``limit``."""

    def find_title(self, title: str) -> TitleEntry | None:
        """The article with exactly this title (folded and stripped), for links between articles."""

    def entry(self, article_id: str) -> TitleEntry | None:
        """The title entry of one article, or None when the source does not show it."""

    def position(self, article_id: str) -> int | None:
        """The row of an article in :meth:`titles`, or None."""

    def article(self, article_id: str) -> Article:
        """The parsed article; raises UnknownArticleError or LecternError."""

    def fingerprint(self, article_id: str) -> str | None:
        """A token that changes when the article's content changes (a content hash), or None."""

    def version(self) -> str:
        """A token that changes whenever the set of articles, a title or a content changes."""

    def changes_since(self, version: str) -> ChangeSet | None:
        """What changed since ``version``; None when the source cannot tell (treat all as changed)."""


@runtime_checkable
class SearchableSource(Protocol):
    """An extension for a source that brings its own full-text and title index (a ZIM archive).

    A source offers it through one method, ``searchable() -> SearchableSource | None``
    (None: no index of its own); the library then sends full-text queries there
    instead of indexing the articles into Lectern's index. ``source_id`` is the
    id of the source it serves (``--source ID``).
    """

    source_id: str

    def fulltext(self, query: str, limit: int) -> list[TitleEntry]:
        """The best full-text hits for ``query`` (the index's own syntax), best first."""

    def suggest(self, prefix: str, limit: int) -> list[TitleEntry]:
        """Titles matching what the user has typed so far, from the source's title index."""

    def article(self, article_id: str) -> Article:
        """The article, converted at most once while it stays in a small cache."""


def searchable_of(source: object) -> SearchableSource | None:
    """The source's own search (``source.searchable()``), or None."""
    offer = getattr(source, "searchable", None)
    return offer() if callable(offer) else None


@dataclass(frozen=True)
class ArchiveInfo:
    """What the library panel shows on an archive's group row."""

    title: str
    language: str = ""
    date: str = ""
    creator: str = ""
    icon: bytes | None = None  # a 48x48 PNG
    main_article_id: str | None = None  # opened when the group row is selected


def media_of(source: object):
    """The source's reading extras (``source.media()``: ``image(path)``, ``info()``), or None.
    A page's links and images are in its article (``Paragraph.links``, ``Article.images``)."""
    offer = getattr(source, "media", None)
    return offer() if callable(offer) else None
