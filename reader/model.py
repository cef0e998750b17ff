"""The content model: small immutable dataclasses produced by the parser."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, NamedTuple, Union

LEAD_SECTION_ID = "_lead"  # slugs never start with "_", so no heading can collide
LEAD_LABEL = "Introduction"  # how the lead section is named to people (GUI, CLI, exports)
SECTION_LABEL_SEPARATOR = " › "  # between headings shown as one line (not the index's stored separator)


def section_label(path, title: str = "") -> str:
    """A heading path as one line for people, after the article title if given:
    "Title › Aftermath › Ceasefire violations"; "" for the lead without a title.

    The one place that joins headings for display (GUI, CLI, exports, bookmark names).
    """
    if isinstance(path, str):
        path = (path,)
    return SECTION_LABEL_SEPARATOR.join(part for part in (title, *(path or ())) if part)


class Link(NamedTuple):
    """A link inside a block's text, as a web page (an archive's) had it: ``text[start:end]``
    leads to ``target``, an article id (``#fragment`` allowed) or, when ``external``, a URL as
    written (never loaded). Text read from files has no links: titles are looked up instead.
    (A named tuple: a converted page makes about a thousand.)"""

    start: int
    end: int
    target: str
    external: bool = False


@dataclass(frozen=True)
class ListItem:
    text: str
    children: tuple["ListItem", ...] = ()
    line: int = 0
    links: tuple[Link, ...] = field(default=(), compare=False)  # within ``text``
    images: tuple[str, ...] = field(default=(), compare=False)  # paths of the page's images inside this item (in ``Article.images``)


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int = 0
    links: tuple[Link, ...] = field(default=(), compare=False)  # within ``text``


@dataclass(frozen=True)
class BulletList:
    items: tuple[ListItem, ...]
    line: int = 0


class CellSpan(NamedTuple):
    """Where a table cell sits when it is not one grid cell right after the previous one:
    ``rows[row][cell]`` spans ``columns`` columns and ``rows`` rows, after ``skip`` grid columns
    the page left empty (empty cells are not in ``Table.rows``)."""

    row: int
    cell: int
    columns: int = 1
    rows: int = 1
    skip: int = 0


@dataclass(frozen=True)
class Table:
    """A table kept as rows of cell texts (from HTML pages; the text format has none).

    ``caption`` is shown above the rows. Its :attr:`text` is what the table was
    before it became a block of its own: the caption, then one line per row with
    cells joined by ``" | "``, separated by blank lines like paragraphs, so
    search documents, quotes, anchors and exports see the same text. ``spans``
    place the cells that span columns or rows or follow empty cells (the layout
    only: the text is the same).
    """

    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    line: int = 0
    cell_links: tuple[tuple[int, int, tuple[Link, ...]], ...] = field(default=(), compare=False)  # (row, cell, links)
    caption_links: tuple[Link, ...] = field(default=(), compare=False)  # within ``caption``
    spans: tuple[CellSpan, ...] = ()  # in (row, cell) order; a cell not listed spans one column and one row

    @property
    def text(self) -> str:
        lines = ([self.caption] if self.caption else []) + [TABLE_CELL_SEPARATOR.join(row) for row in self.rows]
        return "\n\n".join(lines)


TABLE_CELL_SEPARATOR = " | "

Block = Union[Paragraph, BulletList, Table]


@dataclass(frozen=True)
class ParseWarning:
    line: int  # 1-based; 0 when the warning concerns the whole file
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Section:
    id: str
    title: str  # the heading text; the article title for the lead section
    level: int  # 1 for the lead, 2-5 for headings
    parent_id: str | None
    path: tuple[str, ...]  # heading titles from level 2 down to this one; () for the lead
    blocks: tuple[Block, ...]
    line: int = 0
    title_links: tuple[Link, ...] = field(default=(), compare=False)  # a web page's links within ``title`` (its heading)

    @property
    def is_lead(self) -> bool:
        return self.id == LEAD_SECTION_ID

    def text(self) -> str:
        """The section's own text (not its children's) in the plain format.

        Paragraphs are separated by a blank line; each bullet is on its own line
        as ``- item`` with nested items indented two spaces per level.
        """
        return "\n\n".join(_block_text(block) for block in self.blocks)


def _block_text(block: Block) -> str:
    if isinstance(block, (Paragraph, Table)):
        return block.text
    return "\n".join(_item_lines(block.items, 0))


def _item_lines(items: tuple[ListItem, ...], depth: int) -> Iterator[str]:
    for item, item_depth in iter_items_with_depth(items, depth):
        yield "  " * item_depth + "- " + item.text


def iter_items(items: tuple[ListItem, ...]) -> Iterator[ListItem]:
    """All items of a list, depth first, in document order."""
    for item, _ in iter_items_with_depth(items):
        yield item


def iter_items_with_depth(items: tuple[ListItem, ...], depth: int = 0) -> Iterator[tuple[ListItem, int]]:
    """(item, nesting depth) depth first, in document order.

    Iterative, with an explicit stack: however deep a list is nested, walking
    it never approaches Python's recursion limit.
    """
    stack = [(iter(items), depth)]
    while stack:
        siblings, level = stack[-1]
        item = next(siblings, None)
        if item is None:
            stack.pop()
            continue
        yield item, level
        if item.children:
            stack.append((iter(item.children), level + 1))


@dataclass(frozen=True)
class Article:
    id: str
    title: str
    source: Path | None
    infobox: tuple[tuple[str, str], ...]
    sections: tuple[Section, ...]  # document order, the lead first
    warnings: tuple[ParseWarning, ...] = ()
    has_infobox: bool = False  # an "Infobox" line was present, even with no entries
    _by_id: dict = field(default_factory=dict, compare=False, repr=False)
    # a web page's own links (in its blocks' ``links``) and images: (caption or alt text, path in its source);
    # with ``own_links`` the reading view shows those and looks no titles up in the library
    images: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    own_links: bool = field(default=False, compare=False)
    infobox_links: tuple[tuple[Link, ...], ...] = field(default=(), compare=False)  # per infobox row, within its value
    infobox_key_links: tuple[tuple[Link, ...], ...] = field(default=(), compare=False)  # per infobox row, within its key

    def __post_init__(self) -> None:
        self._by_id.update({section.id: section for section in self.sections})

    @property
    def lead(self) -> Section:
        return self.sections[0]

    def section(self, section_id: str) -> Section | None:
        return self._by_id.get(section_id)

    def children(self, section_id: str) -> list[Section]:
        return [s for s in self.sections if s.parent_id == section_id]

    def section_by_path(self, path: tuple[str, ...]) -> Section | None:
        """The first section whose heading path is ``path`` (titles compared casefolded)."""
        wanted = tuple(t.casefold() for t in path)
        for section in self.sections:
            if tuple(t.casefold() for t in section.path) == wanted:
                return section
        return None

    def plain_text(self) -> str:
        """All text of the article, the title and headings included (for quote search)."""
        parts = [self.title]
        parts += [f"{key}: {value}" for key, value in self.infobox]
        for section in self.sections:
            if not section.is_lead:
                parts.append(section.title)
            parts.append(section.text())
        return "\n\n".join(p for p in parts if p)
