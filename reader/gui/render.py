"""Article -> HTML for the reading view (Qt's rich-text subset).

Every piece of article text goes through :func:`html.escape` before it becomes
HTML, so a file containing ``<script>`` or ``<img src=http://...>`` shows that
text and can never make Qt fetch anything. Titles that match a library article
(list items, "See also" entries, infobox values) become ``article:ID`` links,
which the window handles itself.

Each section heading carries an anchor named by :func:`anchor_name`, which the
reading view uses to scroll to a section and to tell which section is on screen.
This module imports no Qt, so it is cheap to test and to benchmark.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from html import escape
from itertools import accumulate
from typing import Callable
from urllib.parse import quote, unquote

from ..model import Article, Block, BulletList, CellSpan, Link, ListItem, Paragraph, Section, Table, iter_items, iter_items_with_depth
from ..textutil import fold

ARTICLE_SCHEME = "article"
IMAGE_SCHEME = "zim-image"  # an image stored in the article's archive (reading_view.loadResource)
ANCHOR_PREFIX = "s-"
MAX_LINK_TITLE = 120  # longer list items are prose, not titles: skip the lookup

TitleResolver = Callable[[str], "str | None"]  # title -> article id, or None


@dataclass(frozen=True)
class RenderedArticle:
    article_id: str
    html: str
    anchors: dict[str, str]  # section id -> anchor name
    links: int  # how many titles became links
    candidates: tuple[str, ...] = ()  # texts looked up as titles (a new article with one of them adds a link)
    targets: frozenset[str] = frozenset()  # article ids linked to


def anchor_name(section_id: str) -> str:
    return ANCHOR_PREFIX + quote(section_id, safe="")


def section_from_anchor(name: str) -> str | None:
    return unquote(name[len(ANCHOR_PREFIX):]) if name.startswith(ANCHOR_PREFIX) else None


def article_href(article_id: str, section_id: str = "") -> str:
    href = f"{ARTICLE_SCHEME}:{_quoted(article_id)}"
    return href + (f"#{_quoted(section_id)}" if section_id else "")


# quote(text, safe="") for ASCII text in one str.translate (an archive page has about a thousand links)
_QUOTE_ASCII = {code: f"%{code:02X}" for code in range(128)
                if not (chr(code).isalnum() or chr(code) in "_.-~")}


def _quoted(text: str) -> str:
    return text.translate(_QUOTE_ASCII) if text.isascii() else quote(text, safe="")


def parse_article_href(scheme: str, path: str, fragment: str) -> tuple[str, str] | None:
    """(article id, section id) from an ``article:`` link's parts, else None."""
    if scheme != ARTICLE_SCHEME or not path:
        return None
    return unquote(path), unquote(fragment or "")


class TitleIndex:
    """Folded title -> article id, for "See also" links; built once per library change.

    Same matching as ``Library.find_title`` (folded, stripped). Made from a list
    of summaries (a test, a small library) or, with :meth:`asking`, from a
    lookup asked title by title and remembered: a page names a few hundred
    titles, the library may hold millions.
    """

    def __init__(self, summaries=(), lookup: TitleResolver | None = None, later: TitleResolver | None = None):
        self._ids: dict[str, str | None] = {fold(s.title).strip(): s.id for s in summaries}
        self._lookup = lookup
        self._later = later
        self.pending: dict[str, str] = {}  # folded -> title: not found by ``lookup``, for ``later``

    @classmethod
    def asking(cls, lookup: TitleResolver, later: TitleResolver | None = None) -> "TitleIndex":
        """An index that asks ``lookup(title)`` (an id or None) for each title it has not seen.
        With ``later`` (a costlier lookup), a title ``lookup`` does not know is not a link yet: it
        waits in :attr:`pending` until :meth:`resolve_pending` asks ``later``."""
        return cls(lookup=lookup, later=later)

    def __call__(self, title: str) -> str | None:
        key = fold(title).strip()
        if key not in self._ids and self._lookup is not None:
            found = self._lookup(title)
            if found is None and self._later is not None:
                self.pending.setdefault(key, title)
                return None
            self._ids[key] = found
        return self._ids.get(key)

    def resolve_pending(self, deadline: float | None = None) -> bool:
        """Ask ``later`` about pending titles (remembered from then on), all of them or until
        ``time.monotonic()`` passes ``deadline``; True if one was found."""
        found_any = False
        while self.pending:
            key = next(iter(self.pending))
            title = self.pending.pop(key)
            self._ids[key] = found = self._later(title)
            found_any = found_any or found is not None
            if deadline is not None and time.monotonic() >= deadline:
                break
        return found_any

    def __len__(self) -> int:
        return len(self._ids)


class _Renderer:
    def __init__(self, article: Article, resolve_title: TitleResolver | None):
        self.article = article
        self.resolve_title = resolve_title
        self.links = 0
        self.candidates: list[str] = []
        self.targets: set[str] = set()
        self.parts: list[str] = []
        self.images: _Images | None = _Images(article.images, _item_images(article)) if article.own_links else None

    def link_or_text(self, text: str) -> str:
        """``text`` escaped, as a link when it names another library article."""
        target = None
        if self.resolve_title is not None and 0 < len(text) <= MAX_LINK_TITLE:
            self.candidates.append(text)
            target = self.resolve_title(text)
        if target and target != self.article.id:
            self.links += 1
            self.targets.add(target)
            return f'<a href="{escape(article_href(target))}">{escape(text)}</a>'
        return escape(text)

    def render(self) -> str:
        article = self.article
        self.parts.append(f'<a name="{anchor_name(article.lead.id)}"></a><h1 class="title">{escape(article.title)}</h1>')
        if article.infobox:
            self.infobox()
        for section in article.sections:
            self.section(section)
        return "".join(self.parts)

    def infobox(self) -> None:
        rows = "".join(
            f'<tr><th align="left" valign="top">{self.infobox_key(row, key)}</th><td valign="top">{self.infobox_value(row, value)}</td></tr>'
            if value else f'<tr><th colspan="2" align="center" valign="top">{self.images_in(key)}{self.infobox_key(row, key)}</th></tr>'
            for row, key, value in _numbered_infobox_rows(self.article.infobox)
        )
        self.parts.append(f'<table class="infobox" cellspacing="0" cellpadding="4">{rows}</table>')

    def infobox_key(self, row: int, shown: str) -> str:
        """An infobox header cell, with an archive page's links when it is shown as the page had it
        (a respelled template key, "birth_date", keeps a link only when one covered all of it)."""
        links = _row_links(self.article.infobox_key_links, row)
        if not links:
            return escape(shown)
        stored = self.article.infobox[row][0]
        if shown == stored:
            return linked(shown, links)
        whole = next((link for link in links if link.start == 0 and link.end == len(stored)), None)
        return linked(shown, (whole._replace(end=len(shown)),)) if whole else escape(shown)

    def infobox_value(self, row: int, shown: str) -> str:
        """An infobox value with the page's own links (an archive page's; moved with the text when
        ``readable_value`` trimmed it), or as a link when it names a library article (files)."""
        if not self.article.own_links:
            return self.link_or_text(shown)
        links = _row_links(self.article.infobox_links, row)
        stored = self.article.infobox[row][1]
        return linked(shown, links if shown == stored else readable_value_links(stored, links))

    def section(self, section: Section) -> None:
        if not section.is_lead:
            level = min(max(section.level, 2), 5)
            title = linked(section.title, section.title_links)  # a heading of an archive page may link
            self.parts.append(f'<h{level}><a name="{anchor_name(section.id)}"></a>{title}</h{level}>')
        for block in section.blocks:
            self.block(block)

    def block(self, block: Block) -> None:
        if isinstance(block, Paragraph):
            if self.images is not None:
                self.parts.append(self.images.before(block.text))
            self.parts.append(f"<p>{linked(block.text, block.links)}</p>")
        elif isinstance(block, BulletList):
            self.parts.append(self.items(block.items))
        elif isinstance(block, Table):
            self.parts.append(self.table(block))

    def images_in(self, cell: str) -> str:
        """An archive page's images captioned by this table cell's (or infobox row's) text, else ""."""
        return self.images.within(cell) if self.images is not None else ""

    def inline(self, text: str, links: tuple[Link, ...] = ()) -> str:
        """A list item's or table cell's text escaped, with the page's own links (an archive
        page's), or as a link when it names another library article (files)."""
        return linked(text, links) if self.article.own_links else self.link_or_text(text)

    def table(self, table: Table) -> str:
        """An HTML table, every cell escaped, each cell spanning the columns and rows the page gave
        it (``Table.spans``; an empty cell the page had is an empty cell). The caption is a
        paragraph above it (Qt's rich text has no ``<caption>``)."""
        links = {(row, cell): found for row, cell, found in table.cell_links}
        spans = shown_spans(table)
        rows = "".join(
            "<tr>" + "".join(
                f'{_cell_start(spans.get((r, i)))}{self.images_in(cell)}{self.inline(cell, links.get((r, i), ()))}</td>'
                for i, cell in enumerate(row)
            ) + "</tr>"
            for r, row in enumerate(table.rows)
        )
        caption = (f'<p class="table-caption"><b>{linked(table.caption, table.caption_links)}</b></p>'
                   if table.caption else "")
        return caption + (f'<table class="content" border="1" cellspacing="0" cellpadding="4">{rows}</table>' if rows else "")

    def items(self, items: tuple[ListItem, ...]) -> str:
        """Nested ``<ul>`` from a walk of the item tree (no recursion, whatever the depth)."""
        out, depth = [], -1
        for item, level in iter_items_with_depth(items):
            if level > depth:  # one level deeper: a child list inside the open item
                out.append("<ul>")
            else:  # close the open item and every list deeper than this one
                out.append("</li>" + "</ul></li>" * (depth - level))
            pictures = self.images.of_item(item.images) if item.images and self.images is not None else ""
            out.append(f"<li>{pictures}{self.inline(item.text, item.links)}")
            depth = level
        if depth < 0:
            return "<ul></ul>"
        out.append("</li>" + "</ul></li>" * depth + "</ul>")
        return "".join(out)


_PLAIN_CELL = '<td valign="top">'


def shown_spans(table: Table) -> dict[tuple[int, int], CellSpan]:
    """``(row, cell)`` -> the span a cell is shown with: the page's, without the columns that no
    one-column cell with text takes (an archive without pictures leaves its picture columns empty:
    shown, they would be empty strips), so a header over them spans the columns left."""
    if not table.spans:
        return {}
    placed = _placed_cells(table)
    used = {cover.start for _, _, _, cover, _ in placed if len(cover) == 1}
    used.update([cover.start for _, _, _, cover, _ in placed if used.isdisjoint(cover)])  # every cell keeps a column
    shown = {}
    for row, cell, empties, cover, rows in placed:
        span = CellSpan(row, cell, len(used.intersection(cover)), rows, len(used.intersection(empties)))
        if span[2:] != (1, 1, 0):
            shown[row, cell] = span
    return shown


def _placed_cells(table: Table) -> list[tuple[int, int, list[int], range, int]]:
    """``(row, cell, columns of the empty cells before it, columns it covers, rows)`` of every cell
    with text, placed on the grid as HTML places them (each in the next column not taken by a cell
    spanning down from a row above); a cell spanning columns stops before such a column (the page's
    overlapping cells: Qt would put both texts in one cell)."""
    spans = {(span.row, span.cell): span for span in table.spans}
    placed, below = [], {}  # below: row -> columns taken by cells spanning down into it
    for row, cells in enumerate(table.rows):
        taken, column = below.pop(row, set()), 0
        for cell in range(len(cells)):
            span = spans.get((row, cell)) or CellSpan(row, cell)
            empties = []
            for _ in range(span.skip + 1):  # the empty cells, then this one
                while column in taken:
                    column += 1
                empties.append(column)
                column += 1
            start = empties.pop()
            width = 1
            while width < span.columns and start + width not in taken:  # never over a cell spanning down
                width += 1
            cover = range(start, start + width)
            column = start + width
            for down in range(row + 1, row + span.rows):
                below.setdefault(down, set()).update(cover)
            placed.append((row, cell, empties, cover, span.rows))
    return placed


def _cell_start(span: CellSpan | None) -> str:
    """A cell's ``<td>``, after the empty cells the page had before it, with its spans."""
    if span is None:
        return _PLAIN_CELL
    return ('<td></td>' * span.skip + '<td valign="top"' + (f' colspan="{span.columns}"' if span.columns > 1 else "")
            + (f' rowspan="{span.rows}"' if span.rows > 1 else "") + ">")


def _row_links(links: tuple[tuple[Link, ...], ...], row: int) -> tuple[Link, ...]:
    return links[row] if row < len(links) else ()


def _item_images(article: Article) -> frozenset[str]:
    """The archive images that sit in list items (placed there, not by their captions)."""
    if not article.images:
        return frozenset()
    return frozenset(path for section in article.sections for block in section.blocks if isinstance(block, BulletList)
                     for item in iter_items(block.items) for path in item.images)


# Wikipedia template keys written as one lower-case word: how a reader expects to see them.
KNOWN_INFOBOX_KEYS = {
    "partof": "Part of", "imagesize": "Image size", "mapsize": "Map size", "maptype": "Map type",
    "mapcaption": "Map caption", "birthdate": "Birth date", "deathdate": "Death date",
    "birthplace": "Birth place", "deathplace": "Death place", "restingplace": "Resting place",
    "yearsactive": "Years active", "othernames": "Other names", "alsoknownas": "Also known as",
    "officialname": "Official name", "nativename": "Native name", "casus": "Casus belli",
    "casusbelli": "Casus belli", "areacode": "Area code", "postalcode": "Postal code",
    "timezone": "Time zone", "website": "Website", "foundingdate": "Founding date",
}
_KEY_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+|[^\W\d_]+")


_TEMPLATE_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # a template parameter name, not words a person wrote


def readable_key(key: str) -> str:
    """An infobox key as a reader expects it: "Partof" -> "Part of", "Combatant1" ->
    "Combatant 1", "birth_date" -> "Birth date". Only template parameter names are
    respelled: a key that is already prose ("Songwriter(s)", "Ray Charles singles
    chronology") is shown as it is. Display only: the stored text is unchanged."""
    if not _TEMPLATE_KEY.fullmatch(key.strip()):
        return " ".join(key.split())
    words = []
    for part in re.split(r"[_\s]+", key.strip()):
        head = part.rstrip("0123456789")
        number = part[len(head):]
        known = KNOWN_INFOBOX_KEYS.get(head.lower())
        words += ([known] if known else _KEY_WORDS.findall(head)) + ([number] if number else [])
    text = " ".join(words) or key.strip()
    return text[:1].upper() + text[1:]


def readable_value(value: str) -> str:
    """An infobox value without the empty fragments a template left behind:
    ", (1 day)" -> "(1 day)", "a, , b" -> "a, b" ("1,000" is left alone). Display only."""
    value = _EMPTY_FRAGMENTS.sub(",", value)
    return _EDGE_FRAGMENTS.sub("", value)


_EMPTY_FRAGMENTS = re.compile(r",(\s*,)+")
_EDGE_FRAGMENTS = re.compile(r"^[\s,]+|[\s,]+$")


def readable_value_links(value: str, links: tuple[Link, ...]) -> tuple[Link, ...]:
    """``links`` (spans of ``value``) as spans of ``readable_value(value)``, which only deletes
    characters: each end moves to where its character went; a link of deleted text is gone."""
    if not links:
        return ()
    kept = [True] * len(value)
    for match in _EMPTY_FRAGMENTS.finditer(value):
        kept[match.start() + 1:match.end()] = [False] * (match.end() - match.start() - 1)
    for match in _EDGE_FRAGMENTS.finditer(value):
        kept[match.start():match.end()] = [False] * (match.end() - match.start())
    shown_at = [0, *accumulate(kept)]  # shown offset of each original offset
    moved = (link._replace(start=shown_at[link.start], end=shown_at[link.end]) for link in links)
    return tuple(link for link in moved if link.start < link.end)


def infobox_rows(infobox) -> list[tuple[str, str]]:
    """The infobox as shown: readable keys, values without empty fragments. A template
    parameter with nothing left is left out; a line of prose without a value (an archive
    infobox's caption, "Single by Ray Charles") is kept as a row of its own, value ""."""
    return [(key, shown) for _, key, shown in _numbered_infobox_rows(infobox)]


def _numbered_infobox_rows(infobox) -> list[tuple[int, str, str]]:
    """:func:`infobox_rows` with each row's index in ``infobox``."""
    rows = []
    for row, (key, value) in enumerate(infobox):
        shown = readable_value(value)
        if shown or (key.strip() and not _TEMPLATE_KEY.fullmatch(key.strip())):
            rows.append((row, readable_key(key), shown))
    return rows


def render_article(article: Article, resolve_title: TitleResolver | None = None) -> RenderedArticle:
    """The article as HTML. An archive page (``article.own_links``) shows its own links and images;
    other articles get links where a list item, table cell or infobox value names a library article."""
    renderer = _Renderer(article, resolve_title)
    body = renderer.render()
    anchors = {s.id: anchor_name(s.id) for s in article.sections}
    return RenderedArticle(article.id, f"<html><body>{body}</body></html>", anchors, renderer.links,
                           tuple(renderer.candidates), frozenset(renderer.targets))


def linked(text: str, links: tuple[Link, ...]) -> str:
    """``text`` escaped piece by piece, each link span wrapped in ``<a>``: ``article:ID`` for a page
    of the library, the URL as written for an external link (the view never loads it)."""
    if not links:
        return escape(text)
    plain = _HTML_SPECIAL.search(text) is None  # most text: its pieces need no escaping (a page has ~1,000 links)
    parts, pos = [], 0
    for link in links:
        if link.start < pos or link.end <= link.start:
            continue  # a link inside another (the page nested them): the outer one stands
        href = escape(link.target) if link.external else article_href(*_split_fragment(link.target))  # quoted: no & < > " '
        before, inside = text[pos:link.start], text[link.start:link.end]
        parts += [before if plain else escape(before), f'<a href="{href}">{inside if plain else escape(inside)}</a>']
        pos = link.end
    parts.append(escape(text[pos:]))
    return "".join(parts)


_HTML_SPECIAL = re.compile(r"[&<>\"']")  # what html.escape replaces


class _Images:
    """An archive page's images, each put before the first paragraph that is its caption, as
    ``zim-image:PATH``, which only the reading view's ``loadResource`` answers (from the archive)."""

    def __init__(self, images, in_items: frozenset[str] = frozenset()):
        self._by_caption: dict[str, list[str]] = {}
        self._captions: re.Pattern | bool | None = None  # the captions as one pattern, made for the first table cell
        self._item_captions: dict[str, str] = {}  # path -> caption of the images placed by their list item
        for caption, path in images:
            if path in in_items:
                self._item_captions.setdefault(path, caption)
            else:
                self._by_caption.setdefault(caption, []).append(path)

    def of_item(self, paths: tuple[str, ...]) -> str:
        """The images inside a list item (a figure, a thumbnail, an icon), above its text."""
        return "".join(_image_tag(path, self._item_captions.get(path, "")) + "<br>" for path in paths)

    def within(self, cell: str) -> str:
        """The images whose caption is the table cell's text or a part of it (a figure or a captioned
        image in a cell, an infobox picture captioned by its row), above the text; each is placed once."""
        if self._captions is None:  # one scan per cell, not one per image (a page may have hundreds)
            captions = sorted((c for c in self._by_caption if c), key=len, reverse=True)
            self._captions = re.compile("|".join(map(re.escape, captions))) if captions else False
        if not self._captions:
            return ""
        placed = [c for c in dict.fromkeys(m.group() for m in self._captions.finditer(cell)) if c in self._by_caption]
        return "".join(_image_tag(path, caption) + "<br>" for caption in placed for path in self._by_caption.pop(caption))

    def before(self, paragraph: str) -> str:
        paths = self._by_caption.pop(paragraph, ()) if self._by_caption else ()
        return "".join(f"<p>{_image_tag(path, paragraph)}</p>" for path in paths)


def _image_tag(path: str, caption: str) -> str:
    return f'<img src="{escape(IMAGE_SCHEME + ":" + quote(path))}" alt="{escape(caption)}">'


def _split_fragment(target: str) -> tuple[str, str]:
    article_id, _, fragment = target.partition("#")
    return article_id, fragment


def links_affected(rendered: RenderedArticle, report) -> bool:
    """Whether a library change (a ScanReport) can change this article's page.

    True when the article itself changed, a linked article left, or a new,
    moved or renamed article has a title the page looked up.
    """
    touched = report.added + report.updated + report.moved
    if rendered.article_id in {s.id for s in report.updated + report.moved}:
        return True
    if rendered.targets & (set(report.removed) | {s.id for s in touched}):
        return True
    if not touched or not rendered.candidates:
        return False
    wanted = {fold(t).strip() for t in rendered.candidates}
    return any(fold(s.title).strip() in wanted for s in touched)


class FoldedText:
    """Text folded like :func:`reader.textutil.fold`, with a map back to original offsets.

    Lets find-in-page and search-term highlighting match "asagi" in "Aşağı" and
    "lodz" in "Łódź" (fold is not length-preserving: "ß" becomes "ss").
    """

    def __init__(self, text: str):
        parts: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(text):
            folded = char.lower() if char.isascii() else fold(char)
            parts.append(folded)
            origin.extend([index] * len(folded))
        self.text = "".join(parts)
        self._origin = origin
        self._length = len(text)

    def find_all(self, needle: str, limit: int = 100_000) -> list[tuple[int, int]]:
        """(start, end) offsets in the original text of every match of ``needle`` (folded)."""
        wanted = fold(needle)
        if not wanted:
            return []
        spans, start = [], self.text.find(wanted)
        while start >= 0 and len(spans) < limit:
            end = start + len(wanted)
            spans.append((self._origin[start], self._origin[end - 1] + 1))
            start = self.text.find(wanted, end)
        return spans


def render_message(title: str, text: str) -> str:
    """A placeholder page (empty library, missing article), escaped like an article."""
    return f'<html><body><h1 class="title">{escape(title)}</h1><p>{escape(text)}</p></body></html>'
