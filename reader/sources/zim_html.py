"""Kiwix / mwoffliner HTML pages -> :class:`reader.model.Article`.

One converter reads the three mwoffliner layouts, and any other HTML page, by
the same rule: headings in document order open sections (``hN`` is level N,
clamped to 2..5 like the text parser), and the two wrapper layouts also scope
them by the DOM:

* ``<details data-level="N"><summary><hN>`` (2019 to mid-2026; a summary with
  no heading inside is the heading itself, at ``data-level``);
* ``<section data-mw-section-id>`` with ``div.mw-heading`` (current renderer);
* flat ``<h2>``..``<h6>`` (older Parsoid, warc2zim, zimwriterfs pages).

When a ``details``/``section`` element ends, the section that was current
when it started is current again, so text after a wrapper belongs to the
wrapper's parent. The first ``h1`` before any other heading is the title
(unless the entry's title is given and differs); a page without headings is
one section.

The model has paragraphs, nested bullet lists and tables, so (docs/zim.md):

* ``ul``/``ol``/``menu`` -> :class:`BulletList` with nested :class:`ListItem`;
  blocks inside an item are joined into its text; ordered lists lose numbers;
  lists nest at most ``MAX_LIST_DEPTH`` (the text parser's) levels;
* a table -> a :class:`Table` (caption, rows of cell texts; its text is one
  line per row, cells joined by `` | ``, caption first; ``colspan``, ``rowspan``
  and empty cells as ``Table.spans``); a table inside a cell or list item is
  flattened into that text;
* the first ``table.infobox`` -> ``Article.infobox``: ``(header, value)`` per
  row, a one-cell row as ``(text, "")``;
* figures: the caption is a paragraph (with a linker, the image is in
  ``Article.images``, and in its list item's ``images`` when it is in one);
* ``<math>``: the TeX annotation (``{\\displaystyle ...}`` unwrapped), else the
  MathML text;
* a references list (``ol.references``, ``div.reflist``,
  ``div.mw-references-wrap``) met in the lead starts a "References" section;
* ``pre``: one paragraph per non-blank line; ``br`` ends a paragraph.

Dropped with their content (:data:`DROPPED_TAGS`): scripts, styles, frames,
embedded objects, media, forms and their controls. No attribute survives but
``colspan``/``rowspan`` (as numbers) and ``href``/``src`` handed to the linker,
so event handlers and remote resources cannot reach the model. Every other
text node of the body lands in the title, a heading, the infobox or a block
(tests/sources/test_zim_html.py checks it word by word).

lxml parses; the walk over its tree is iterative (``etree.iterwalk``). libxml2
stops building the tree at depth 2048 and drops the rest, so a page nested
deeper is re-read with the standard library's event parser, which has no depth
limit, through the same converter.
"""

from __future__ import annotations

import html.parser
import re
import threading
from dataclasses import replace
from itertools import accumulate
from typing import Callable, Mapping, Protocol

from lxml import etree

from ..model import Article, Block, BulletList, CellSpan, Link, ListItem, Paragraph, ParseWarning, Table
from ..parser import MAX_LEVEL, MAX_LIST_DEPTH, freeze_sections  # the same limits and section ids as files

DROPPED_TAGS = frozenset({
    "script", "style", "template", "noembed", "head", "title", "link", "meta", "base",
    "iframe", "frame", "frameset", "object", "embed", "applet", "canvas", "audio", "video",
    "form", "input", "select", "textarea", "button", "datalist", "output",
})
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "body", "center", "dd", "dialog", "div", "dl",
    "dt", "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "hr", "legend",
    "main", "nav", "noscript", "p", "search", "summary",
})
REFERENCES_CLASSES = frozenset({"references", "reflist", "mw-references-wrap"})
REFERENCES_TITLE = "References"
INFOBOX_CELL_SEPARATOR = " | "  # between the value cells of an infobox row
MAX_COLUMN_SPAN = 100  # a cell spans at most this many columns (HTML allows 1,000)

_WS = re.compile(r"\s+")
_BLANK_RUN = re.compile(r"\s\s+")  # what collapsing whitespace shortens (a lone blank stays one character)
_local = threading.local()
_TEX_WRAPPER = re.compile(r"\{\\(?:displaystyle|textstyle|scriptstyle)\s*(.*)\}", re.S)
_RANK = {"": 0, " ": 1, ", ": 2, "; ": 3}
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


class PageLinker(Protocol):
    """Resolves a page's ``href`` and ``src`` values (``reader.sources.zim_links.PageLinker``)."""

    def link(self, href: str) -> tuple[str, bool] | None:
        """``(target, external)``: an article id (``#fragment`` allowed) or a URL; None: no link."""

    def image(self, src: str) -> str | None:
        """The image's path in the page's source when it holds that image, else None."""


def page_to_article(page: bytes | str, article_id: str = "", title: str = "", linker: PageLinker | None = None) -> Article:
    """Convert one HTML page.

    The title is ``title`` (the entry's, as the library lists it), else the
    page's first ``h1``, else its ``<title>``. A first ``h1`` that differs from
    a given title is kept as the lead's first paragraph (a site banner, say).
    Never raises on content: an empty or unparsable page gives an article with
    one empty section.

    With a ``linker`` the same walk keeps the page's links (``<a href>`` in
    paragraphs, list items, table cells and captions, headings, infobox cells
    and ``pre``, as :class:`Link` spans of that text; not inside formulas) and
    its images that ``linker.image`` accepts (``Article.images``, with their
    figure's caption, else their alt text): the page is parsed once.
    """
    data = page.encode("utf-8", "replace") if isinstance(page, str) else bytes(page)
    converter = _Converter(_WS.sub(" ", title).strip(), linker)
    parser = html_parser()
    try:
        document = etree.fromstring(data, parser) if data.strip() else None
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        document = None
    if document is not None and not _too_deep(parser):
        _walk_tree(document.find("body"), converter)
        title = converter.title or _head_title(document)
    elif data.strip():  # too deep for libxml2, or nothing it calls a document: the event parser keeps any text
        if document is not None:
            converter.warnings.append(ParseWarning(0, "page nested deeper than the HTML parser allows; read with the fallback parser"))
        _EventDriver(converter).run(data.decode("utf-8", "replace"))
    return converter.finish(article_id, title)


def html_parser() -> etree.HTMLParser:
    """This thread's parser (lxml parsers must not be shared between threads; making one per page costs)."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        # etree's parser, not lxml.html's: its custom element classes cost a third of the walk.
        parser = _local.parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    return parser


def _too_deep(parser) -> bool:
    return any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log)


def _head_title(document) -> str:
    node = document.find("head/title")
    return _WS.sub(" ", "".join(node.itertext())).strip() if node is not None else ""


def _walk_tree(body, converter: "_Converter") -> None:
    """Feed an lxml tree to the converter as start/text/end events, without recursion."""
    if body is None:
        return
    start, end, text = converter.start, converter.end, converter.text  # the hot loop: bound once
    walker = etree.iterwalk(body, events=("start", "end"))
    skip = walker.skip_subtree
    for event, element in walker:
        tag = element.tag
        if tag.__class__ is not str:  # a comment or processing instruction the parser kept
            if event == "end" and element.tail:
                text(element.tail)
        elif event == "start":
            if start(tag, element, element.sourceline or 0):  # attrs: the element's own .get()
                skip()
            elif element.text:
                text(element.text)
        else:
            end()
            if element.tail and element is not body:
                text(element.tail)


# --------------------------------------------------------------------------- text collectors


class _Text:
    """Text of one target (a heading, list item, cell...), joined at element boundaries.

    Between two pieces of text the strongest separator met since the first one
    is inserted: a space, ", " between list items, "; " between blocks. Text is
    never dropped; whitespace is collapsed when it is taken.
    """

    block_sep = " "
    item_sep = " "
    keeps_links = True  # a link met while this is the target is kept (with the text it becomes)

    def __init__(self, line: int = 0):
        self.parts: list[str] = []
        self.pending = ""
        self.line = line
        self.waiting: list[_Anchor] = []  # links opened here that have no text yet
        self.marks: list[tuple[int, _Anchor, bool]] = []  # (index in parts, link, is its end)
        self.links: tuple[Link, ...] = ()  # the links of the text last taken

    def add(self, text: str) -> None:
        if text.isspace():
            if self.parts and not self.pending:  # separate(" "), inlined: the hottest path
                self.pending = " "
            return
        if not self.parts:
            self.started()
        elif self.pending:
            if self.pending != " ":
                self.parts[-1] = self.parts[-1].rstrip()
                text = text.lstrip()
            self.parts.append(self.pending)
            self.pending = ""
        if self.waiting:  # a link starts here, after any separator
            self.marks += [(len(self.parts), anchor, False) for anchor in self.waiting]
            self.waiting.clear()
        self.parts.append(text)

    def open_link(self, anchor: "_Anchor") -> None:
        self.waiting.append(anchor)

    def close_link(self, anchor: "_Anchor") -> None:
        if anchor in self.waiting:  # no text came: no link
            self.waiting.remove(anchor)
        else:
            self.marks.append((len(self.parts), anchor, True))

    def started(self) -> None:
        """The first text arrives (a hook for the paragraph's line)."""

    def separate(self, separator: str) -> None:
        if self.parts and _RANK[separator] > _RANK[self.pending]:
            self.pending = separator

    def boundary(self, kind: str) -> None:
        self.separate(self.item_sep if kind == "item" else self.block_sep)

    def take(self) -> str:
        """The text collected (whitespace collapsed) and, in :attr:`links`, its links. A link
        still open (its element goes on past this text) continues in the next text taken."""
        if self.marks:
            text, self.links, still_open = _collapse(self.parts, self.marks)
            self.waiting[:0] = still_open
            self.marks = []
        else:
            text = " ".join("".join(self.parts).split())  # collapses whitespace as re's \s would, faster
            self.links = ()
        self.parts, self.pending = [], ""
        return text


class _Anchor:
    """One ``<a>`` element being read (compared by identity)."""

    __slots__ = ("target", "external")

    def __init__(self, target: str, external: bool):
        self.target = target
        self.external = external


def _collapse(parts: list[str], marks: list[tuple[int, _Anchor, bool]]) -> tuple[str, tuple[Link, ...], list[_Anchor]]:
    """``(text, links, links still open)``: the parts joined with whitespace collapsed (the same
    text as :meth:`_Text.take`'s fast path) and each marked link as a span of that text, from its
    first word to the end of its last. A link still open at the end ends with the text.

    Marks are raw offsets mapped through the whitespace that collapsing removes: the text
    before, between runs of two or more blanks, is unchanged (a lone tab or newline becomes
    a space), so the mapping is a walk over those runs, not over the words.
    """
    raw = "".join(parts)
    text = " ".join(raw.split())
    bounds = [0, *accumulate(map(len, parts))]
    lead = len(raw) - len(raw.lstrip())
    trail = len(raw.rstrip())
    runs = [match.span() for match in _BLANK_RUN.finditer(raw, lead, trail)]
    run, removed, starts, links, size = 0, 0, {}, [], len(text)
    for index, anchor, is_end in marks:
        at = bounds[index]
        if runs:
            while run < len(runs) and runs[run][1] <= at:
                removed += runs[run][1] - runs[run][0] - 1
                run += 1
            if run < len(runs) and runs[run][0] < at < trail:  # inside a run of blanks: after its one space
                at = runs[run][0] + 1
        position = at - lead - removed
        position = 0 if position < 0 else size if position > size else position
        if not is_end:
            starts[anchor] = position + (text[position:position + 1] == " ")
        elif anchor in starts:
            start = starts.pop(anchor)
            end = position - (position > 0 and text[position - 1] == " ")
            if start < end:
                links.append(Link(start, end, anchor.target, anchor.external))
    links += [Link(start, len(text), anchor.target, anchor.external) for anchor, start in starts.items() if start < len(text)]
    links.sort(key=lambda link: link.start)
    return text, tuple(links), list(starts)


class _Heading(_Text):
    def __init__(self, level: int, line: int):
        super().__init__(line)
        self.level = level


class _Cell(_Text):
    block_sep = "; "
    item_sep = ", "


class _Math(_Text):
    keeps_links = False

    def __init__(self, line: int):
        super().__init__(line)
        self.tex = ""


class _Source(_Text):
    """A TeX annotation: its characters as written, markup inside adds no separators."""

    keeps_links = False

    def boundary(self, kind: str) -> None:
        pass


class _Pre(_Text):
    """Keeps line breaks: each non-blank line becomes a paragraph, with the links on it."""

    def add(self, text: str) -> None:
        if self.waiting:  # a link starts here
            self.marks += [(len(self.parts), anchor, False) for anchor in self.waiting]
            self.waiting.clear()
        self.parts.append(text)

    def boundary(self, kind: str) -> None:
        self.parts.append("\n")

    def lines(self) -> list[tuple[str, tuple[Link, ...]]]:
        """``(line, its links)`` per non-blank line, indentation kept, trailing blanks dropped."""
        spans = iter(_raw_spans(self.parts, self.marks))  # by start: a pass over lines and links together
        coming, current = next(spans, None), []
        out, start = [], 0
        for line in "".join(self.parts).split("\n"):
            end = start + len(line.rstrip())
            while coming is not None and coming[0] < end:
                current.append(coming)
                coming = next(spans, None)
            current = [span for span in current if span[1] > start]
            if line.strip():
                links = (Link(max(a, start) - start, min(b, end) - start, target, external)
                         for a, b, target, external in current if a < end)
                out.append((line.rstrip(), tuple(filter(None, (_trimmed(line, link) for link in links)))))
            start += len(line) + 1
        return out


def _raw_spans(parts: list[str], marks: list) -> list[tuple[int, int, str, bool]]:
    """``(start, end, target, external)`` of each marked link in the raw text of ``parts`` (a
    link still open at the end ends with the text)."""
    bounds = [0, *accumulate(map(len, parts))]
    starts, spans = {}, []
    for index, anchor, is_end in marks:
        if not is_end:
            starts[anchor] = bounds[index]
        elif anchor in starts:
            spans.append((starts.pop(anchor), bounds[index], anchor.target, anchor.external))
    spans += [(start, bounds[-1], anchor.target, anchor.external) for anchor, start in starts.items()]
    spans.sort()
    return spans


def _trimmed(text: str, link: Link) -> Link | None:
    """The link without the blanks at its edges, None when nothing is left."""
    span = text[link.start:link.end]
    start = link.start + len(span) - len(span.lstrip())
    end = link.start + len(span.rstrip())
    return link._replace(start=start, end=end) if start < end else None


class _Item(_Text):
    images: tuple[str, ...] = ()  # paths of the archive images inside the item (not in a nested list)

    def __init__(self, line: int, depth: int):
        super().__init__(line)
        self.children: list[ListItem] = []
        self.depth = depth


class _StrayHolder:
    """A container (a list, a table) whose text outside its items or cells goes to ``self.stray``."""

    keeps_links = True
    stray: _Text

    def add(self, text: str) -> None:
        self.stray.add(text)

    def boundary(self, kind: str) -> None:
        self.stray.boundary(kind)

    def open_link(self, anchor: _Anchor) -> None:
        self.stray.open_link(anchor)

    def close_link(self, anchor: _Anchor) -> None:
        self.stray.close_link(anchor)


class _List(_StrayHolder):
    """An open ``ul``/``ol``: collects items; text outside any ``li`` becomes an item of its own."""

    def __init__(self, line: int, depth: int):
        self.items: list[ListItem] = []
        self.line = line
        self.depth = depth
        self.stray = _Text(line)

    def flush_stray(self) -> None:
        text = self.stray.take()
        if text:
            self.items.append(ListItem(text, (), self.line, self.stray.links))


# A table cell read: (text, links, columns spanned, rows spanned; 0 rows: to the table's end). A plain
# tuple, not a NamedTuple: a page has thousands of cells.
_CellText = tuple[str, tuple[Link, ...], int, int]


class _Table(_StrayHolder):
    """An open table: rows of cell texts, emitted as a :class:`Table` when it ends."""

    def __init__(self, infobox: bool, line: int):
        self.infobox = infobox
        self.row: list[_CellText] | None = None
        self.rows: list[tuple[str, ...]] = []
        self.cell_links: list[tuple[int, int, tuple[Link, ...]]] = []
        self.spans: list[CellSpan] = []
        self.caption = ""
        self.caption_links: tuple[Link, ...] = ()
        self.width = 0  # the widest row (_row_width): no span goes past it
        self.spanned = False  # a cell of the row being read spans columns or rows
        self.section: "_OpenSection | None" = None  # where the collected rows belong
        self.stray = _Text(line)
        self.line = line


class _Flow(_Text):
    """Running text of the current section: a block boundary ends the paragraph."""

    def __init__(self, converter: "_Converter"):
        super().__init__()
        self.converter = converter

    def started(self) -> None:
        self.line = self.converter.line  # the paragraph's line: where its first text is

    def flush(self) -> None:
        self.converter.flush_paragraph()

    def boundary(self, kind: str) -> None:
        if self.parts:
            self.flush()


class _OpenSection:
    def __init__(self, title: str, level: int, parent: "_OpenSection | None", line: int, title_links: tuple[Link, ...] = ()):
        self.title = title
        self.title_links = title_links
        self.level = level
        self.parent = parent
        self.path: tuple[str, ...] = parent.path + (title,) if parent is not None else ()
        self.blocks: list[Block] = []
        self.line = line


# --------------------------------------------------------------------------- converter


_HANDLERS = {  # tag -> the _Converter method that opens it
    "ul": "_list", "ol": "_list", "menu": "_list", "li": "_item",
    "table": "_table", "tr": "_row", "td": "_cell", "th": "_cell", "caption": "_caption",
    "details": "_details", "section": "_section", "summary": "_summary",
    "math": "_math", "annotation": "_annotation", "pre": "_pre", "br": "_br",
    **{tag: "_heading" for tag in _HEADINGS},
}


class _Converter:
    """Turns start/text/end events of one page into sections and blocks."""

    def __init__(self, title: str = "", linker: PageLinker | None = None):
        self.lead = _OpenSection("", 1, None, 1)
        self.sections = [self.lead]
        self.current = self.lead
        self.title = title
        self.seen_h1 = False
        self.infobox: list[tuple[str, str]] | None = None
        self.infobox_links: list[tuple[Link, ...]] = []  # per infobox row, within its value
        self.infobox_key_links: list[tuple[Link, ...]] = []  # per infobox row, within its key
        self.warnings: list[ParseWarning] = []
        self.flow = _Flow(self)
        self.sinks: list = [self.flow]
        self.closers: list[Callable[[], None] | None] = []
        self.details_levels: list[int | None] = []
        self.skipping = 0
        self.tex_annotations = 0  # TeX annotations open around the current element
        self.line = 0
        self._starts = {tag: getattr(self, name) for tag, name in _HANDLERS.items()}
        self.linker = linker
        self.images: list[tuple[str, str]] = []  # (caption, path) of the page's images its source holds
        if linker is not None:
            self._starts.update(a=self._anchor, img=self._image)

    # -- events

    def start(self, tag: str, attrs: Mapping[str, str], line: int) -> bool:
        """Open an element; True when its content is to be skipped (dropped tags)."""
        if self.skipping:
            self.skipping += 1
            return True
        if tag in DROPPED_TAGS:
            self.skipping = 1
            return True
        self.line = line or self.line
        sink = self.sinks[-1]
        if isinstance(sink, _Source):  # markup inside TeX source is not structure
            self.closers.append(None)
            return False
        if isinstance(sink, _Math):
            sink.separate(" ")
        handler = self._starts.get(tag)
        if handler is not None:
            closer = handler(tag, attrs)
        elif tag in BLOCK_TAGS:
            closer = self._block(attrs)
        else:
            closer = None
        self.closers.append(closer)
        return False

    def end(self) -> None:
        if self.skipping:
            self.skipping -= 1
            return
        closer = self.closers.pop()
        if closer is not None:
            closer()

    def text(self, text: str) -> None:
        if not self.skipping:
            self.sinks[-1].add(text)

    @property
    def in_flow(self) -> bool:
        return self.sinks[-1] is self.flow

    # -- sections and blocks

    def flush_paragraph(self) -> None:
        text = self.flow.take()
        if text:
            self.current.blocks.append(Paragraph(text, self.flow.line, self.flow.links))

    def _open_section(self, title: str, level: int, line: int, title_links: tuple[Link, ...] = ()) -> None:
        level = max(2, min(level, MAX_LEVEL))
        parent = self.current
        while parent.level >= level:
            parent = parent.parent
        section = _OpenSection(title, level, parent, line, title_links)
        self.sections.append(section)
        self.current = section

    def _boundary_closer(self) -> Callable[[], None]:
        self.sinks[-1].boundary("block")
        return lambda: self.sinks[-1].boundary("block")

    def _block(self, attrs: Mapping[str, str]) -> Callable[[], None]:
        if self.in_flow and self.current is self.lead and _is_references(attrs):
            self.flow.boundary("block")
            self._open_section(REFERENCES_TITLE, 2, self.line)
        return self._boundary_closer()

    # -- links and images (only with a linker)

    def _anchor(self, tag, attrs):
        sink = self.sinks[-1]
        href = attrs.get("href")
        if not href or not sink.keeps_links:
            return None
        resolved = self.linker.link(href)
        if resolved is None:
            return None
        anchor = _Anchor(*resolved)
        sink.open_link(anchor)
        return lambda: sink.close_link(anchor)

    def _image(self, tag, attrs):
        path = self.linker.image(attrs.get("src") or "")
        if path is not None:
            self.images.append((_image_caption(attrs), path))
            sink = self.sinks[-1]
            if isinstance(sink, _Item):  # a figure or thumbnail in a list item: shown in that item
                sink.images += (path,)
        return None

    def _br(self, tag, attrs):
        self.sinks[-1].boundary("block")
        return None

    def _heading(self, tag, attrs):
        level = _HEADINGS[tag]
        sink = self.sinks[-1]
        if isinstance(sink, _Heading):  # <summary><h3> inside <details data-level>: the tag decides
            sink.level = level
            return None
        if not self.in_flow:
            return self._boundary_closer()
        self.flow.boundary("block")
        heading = _Heading(level, self.line)
        self.sinks.append(heading)
        return lambda: self._end_heading(heading)

    def _end_heading(self, heading: _Heading) -> None:
        self.sinks.pop()
        text = heading.take()
        if not text:
            return
        if heading.level == 1 and not self.seen_h1 and len(self.sections) == 1:
            self.seen_h1 = True
            if not self.title:
                self.title = text
            elif text.casefold() != self.title.casefold():
                self.current.blocks.append(Paragraph(text, heading.line, heading.links))
            return
        self._open_section(text, heading.level, heading.line, heading.links)

    def _details(self, tag, attrs):
        level = attrs.get("data-level", "")
        self.details_levels.append(int(level) if level.isdigit() else None)
        restore = self._scope()

        def close():
            self.details_levels.pop()
            restore()

        return close

    def _section(self, tag, attrs):
        return self._scope()

    def _scope(self) -> Callable[[], None]:
        """A wrapper element: when it ends, the section current at its start is current again."""
        self.sinks[-1].boundary("block")
        entry = self.current
        in_flow = self.in_flow

        def close():
            self.sinks[-1].boundary("block")
            if in_flow and self.in_flow:
                self.current = entry

        return close

    def _summary(self, tag, attrs):
        level = self.details_levels[-1] if self.details_levels else None
        if level is None or not self.in_flow:
            return self._block(attrs)
        self.flow.boundary("block")
        heading = _Heading(level, self.line)
        self.sinks.append(heading)
        return lambda: self._end_heading(heading)

    # -- lists

    def _list(self, tag, attrs):
        sink = self.sinks[-1]
        if isinstance(sink, _List):
            sink.flush_stray()  # keeps document order: stray text, then the nested list's items
        if sink is self.flow:
            if self.current is self.lead and _is_references(attrs):
                self.flow.boundary("block")
                self._open_section(REFERENCES_TITLE, 2, self.line)
            self.flow.boundary("block")
        elif not isinstance(sink, (_Item, _List)) or sink.depth >= MAX_LIST_DEPTH:
            sink.boundary("item")  # in a cell or heading, or deeper than files allow: joined into that text
            return lambda: self.sinks[-1].boundary("item")
        depth = sink.depth + 1 if isinstance(sink, _Item) else getattr(sink, "depth", 0)
        opened = _List(self.line, max(depth, 1))
        self.sinks.append(opened)
        return lambda: self._end_list(opened)

    def _end_list(self, opened: _List) -> None:
        opened.flush_stray()
        self.sinks.pop()
        outer = self.sinks[-1]
        if isinstance(outer, _Item):
            outer.children.extend(opened.items)
        elif isinstance(outer, _List):  # <ul><ul>: no item to nest under, so the items join the outer list
            outer.items.extend(opened.items)
        elif opened.items:
            self.current.blocks.append(BulletList(tuple(opened.items), opened.line))

    def _item(self, tag, attrs):
        sink = self.sinks[-1]
        if not isinstance(sink, _List):
            if sink is self.flow:
                return self._boundary_closer()
            sink.boundary("item")
            return lambda: self.sinks[-1].boundary("item")
        sink.flush_stray()
        item = _Item(self.line, sink.depth)
        self.sinks.append(item)
        return lambda: self._end_item(item)

    def _end_item(self, item: _Item) -> None:
        self.sinks.pop()
        text = item.take()
        if text or item.children:
            # an item without text keeps no images: the page's captions place them (as without a linker, no item)
            images = item.images if text else ()
            self.sinks[-1].items.append(ListItem(text, tuple(item.children), item.line, item.links, images))

    # -- tables

    def _table(self, tag, attrs):
        if not self.in_flow:
            return self._boundary_closer()
        self.flow.boundary("block")
        infobox = self.infobox is None and any(c.startswith("infobox") for c in attrs.get("class", "").split())
        if infobox:
            self.infobox = []
        table = _Table(infobox, self.line)
        self.sinks.append(table)
        return lambda: self._end_table(table)

    def _end_table(self, table: _Table) -> None:
        self._end_row(table)
        self.sinks.pop()
        stray = table.stray.take()
        if stray:
            self._table_row(table, [(stray, table.stray.links, 1, 1)])
        self._emit_table(table)

    def _emit_table(self, table: _Table) -> None:
        """The rows collected so far as one :class:`Table` block of the section they belong to."""
        if table.section is not None and (table.rows or table.caption):
            table.section.blocks.append(Table(tuple(table.rows), table.caption, table.line, tuple(table.cell_links),
                                              table.caption_links, _clamped_spans(table.spans, len(table.rows), table.width)))
        table.rows, table.caption, table.cell_links, table.spans, table.caption_links = [], "", [], [], ()

    def _row(self, tag, attrs):
        table = self.sinks[-1]
        if not isinstance(table, _Table):
            return self._boundary_closer()
        self._end_row(table)
        table.row = []
        return lambda: self._end_row(table)

    def _end_row(self, table: _Table) -> None:
        if table.row is not None:
            row, table.row = table.row, None
            self._table_row(table, row)
            table.spanned = False

    def _table_row(self, table: _Table, row: list["_CellText"], caption: bool = False) -> None:
        """One row of cells; empty cells are dropped (the grid columns they held are the next cell's ``skip``)."""
        cells = [cell for cell in row if cell[0]]
        if not cells:
            return
        texts = [cell[0] for cell in cells]
        if table.infobox:
            self.infobox.append((texts[0], INFOBOX_CELL_SEPARATOR.join(texts[1:])))
            self.infobox_key_links.append(cells[0][1])
            self.infobox_links.append(_joined_links(cells[1:], len(INFOBOX_CELL_SEPARATOR)))
            return
        if table.section is not self.current:  # never move rows to another section
            self._emit_table(table)
            table.section = self.current
        if caption and not table.rows and not table.caption:
            table.caption, table.caption_links = texts[0], cells[0][1]
            return
        # a second caption, or one after rows, stays where it was met
        number = len(table.rows)
        table.cell_links += [(number, index, cell[1]) for index, cell in enumerate(cells) if cell[1]]
        if len(cells) < len(row) or table.spanned:
            table.spans += _row_spans(number, row)
            table.width = max(table.width, _row_width(row))
        elif len(row) > table.width:
            table.width = len(row)
        table.rows.append(tuple(texts))

    def _cell(self, tag, attrs):
        table = self.sinks[-1]
        if not isinstance(table, _Table):
            return self._boundary_closer()
        if table.row is None:
            table.row = []
        cell = _Cell(self.line)
        self.sinks.append(cell)
        columns, rows = attrs.get("colspan"), attrs.get("rowspan")

        def close():
            self.sinks.pop()
            if table.row is None:
                table.row = []
            text = cell.take()
            if columns is None and rows is None:
                table.row.append((text, cell.links, 1, 1))
            else:
                spans = min(_span(columns, 1), MAX_COLUMN_SPAN), _span(rows, 0)
                table.spanned = table.spanned or spans != (1, 1)
                table.row.append((text, cell.links, *spans))

        return close

    def _caption(self, tag, attrs):
        table = self.sinks[-1]
        if not isinstance(table, _Table):
            return self._boundary_closer()
        caption = _Cell(self.line)
        self.sinks.append(caption)

        def close():
            self.sinks.pop()
            text = caption.take()
            self._table_row(table, [(text, caption.links, 1, 1)], caption=True)

        return close

    # -- math and preformatted text

    def _math(self, tag, attrs):
        math = _Math(self.line)
        self.sinks.append(math)

        def close():
            self.sinks.pop()
            text = math.tex or math.take()
            if text:
                self.sinks[-1].add(" " + text + " ")

        return close

    def _annotation(self, tag, attrs):
        """A formula's TeX source replaces its MathML text. Only an annotation directly in a ``math``
        and inside no other TeX annotation is one: tag soup can put a ``math`` inside an annotation
        of no formula, and that annotation's text (the inner one's too) stays text."""
        if "tex" not in attrs.get("encoding", ""):
            return None
        math = self.sinks[-1]
        self.tex_annotations += 1
        if not isinstance(math, _Math) or self.tex_annotations > 1:
            return self._leave_annotation
        tex = _Source(self.line)
        self.sinks.append(tex)

        def close():
            self._leave_annotation()
            self.sinks.pop()
            source = tex.take()
            unwrapped = _TEX_WRAPPER.fullmatch(source)
            math.tex = " ".join(filter(None, (math.tex, unwrapped.group(1).strip() if unwrapped else source)))

        return close

    def _leave_annotation(self) -> None:
        self.tex_annotations -= 1

    def _pre(self, tag, attrs):
        if not self.in_flow:
            return self._boundary_closer()
        self.flow.boundary("block")
        pre = _Pre(self.line)
        self.sinks.append(pre)

        def close():
            self.sinks.pop()
            self.current.blocks.extend(Paragraph(line, pre.line, links) for line, links in pre.lines())

        return close

    # -- result

    def finish(self, article_id: str, title: str) -> Article:
        while self.closers:  # an event source that ended early: close what is open
            self.end()
        self.flow.boundary("block")
        title = self.title or _WS.sub(" ", title).strip() or "Untitled"  # title: the fallback
        self.lead.title = title
        sections = freeze_sections(self.sections)
        if any(s.title_links for s in self.sections):  # headings with links (the text parser's sections have none)
            sections = tuple(replace(s, title_links=o.title_links) if o.title_links else s
                             for s, o in zip(sections, self.sections))
        return Article(
            id=article_id,
            title=title,
            source=None,
            infobox=tuple(self.infobox or ()),
            sections=sections,
            warnings=tuple(self.warnings),
            has_infobox=self.infobox is not None,
            images=tuple(self.images),
            own_links=self.linker is not None,
            infobox_links=tuple(self.infobox_links) if any(self.infobox_links) else (),
            infobox_key_links=tuple(self.infobox_key_links) if any(self.infobox_key_links) else (),
        )


def _is_references(attrs: Mapping[str, str]) -> bool:
    return not REFERENCES_CLASSES.isdisjoint(attrs.get("class", "").split())


def _joined_links(cells: list[_CellText], separator: int) -> tuple[Link, ...]:
    """The links of cells joined into one text with a separator of ``separator`` characters."""
    joined, offset = [], 0
    for text, links, *_ in cells:
        joined += [link._replace(start=link.start + offset, end=link.end + offset) for link in links]
        offset += len(text) + separator
    return tuple(joined)


_NUMBER = re.compile(r"\s*(\d{1,6})")


def _span(value: str | None, zero: int) -> int:
    """A ``colspan``/``rowspan`` as browsers read it: its leading digits ("2px" is 2), ``zero`` for 0
    (a rowspan of 0 runs to the table's end), 1 when missing or not a number."""
    match = _NUMBER.match(value) if value else None
    if match is None:
        return 1
    return int(match.group(1)) or zero


def _row_width(row: list[_CellText]) -> int:
    """The columns a row of the page takes; a row of one cell counts one column (its span, often
    "all", is what the other rows give)."""
    return sum(cell[2] for cell in row) if len(row) > 1 else 1


def _row_spans(number: int, row: list[_CellText]) -> list[CellSpan]:
    """The spans of row ``number``'s cells that are not one column and one row right after the
    previous cell; an empty cell (dropped from the row) leaves its columns as the next cell's skip."""
    spans, skip, index = [], 0, 0
    for text, _, columns, rows in row:
        if not text:
            skip += columns
            continue
        if columns != 1 or rows != 1 or skip:
            spans.append(CellSpan(number, index, columns, rows, skip))
        index, skip = index + 1, 0
    return spans


def _clamped_spans(spans: list[CellSpan], rows: int, width: int) -> tuple[CellSpan, ...]:
    """Spans kept inside the table: a row reaches at most ``width`` columns (the widest row's) and a
    cell at most the rows left, so a page's ``colspan="65534"`` makes no huge grid."""
    out, current, position, next_cell = [], -1, 0, 0
    for span in spans:  # in (row, cell) order
        if span.row != current:
            current, position, next_cell = span.row, 0, 0
        position += span.cell - next_cell  # the cells before it, a column each
        skip = min(span.skip, max(0, width - position - 1))
        columns = max(1, min(span.columns, width - position - skip))
        position += skip + columns
        next_cell = span.cell + 1
        down = min(span.rows, rows - span.row) if span.rows else rows - span.row
        if (columns, down, skip) != (1, 1, 0):
            out.append(CellSpan(span.row, span.cell, columns, down, skip))
    return tuple(out)


def _image_caption(attrs) -> str:
    """An image's caption: its ``figure``'s ``figcaption`` when the tree is there (lxml), else its alt
    text, else (an image in a table cell without either: an infobox's picture) the cell's text, which
    the renderer finds in the cell or infobox row to place the image there."""
    tree = hasattr(attrs, "iterancestors")
    figure = next((a for a in attrs.iterancestors("figure")), None) if tree else None
    caption = figure.find(".//figcaption") if figure is not None else None
    text = "".join(caption.itertext()) if caption is not None else attrs.get("alt") or ""
    if not text.strip() and figure is None and tree:
        cell = next((a for a in attrs.iterancestors("td", "th")), None)
        text = "".join(cell.itertext()) if cell is not None else ""
    return " ".join(text.split())


# --------------------------------------------------------------------------- fallback parser


_VOID_TAGS = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"})
_IMPLIED_CLOSE = {  # starting KEY closes an open element of these tags (HTML's optional end tags)
    "li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "p": {"p"},
    "tr": {"tr", "td", "th"}, "td": {"td", "th"}, "th": {"td", "th"},
}
_CLOSES_P = BLOCK_TAGS | {"ul", "ol", "table", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "details", "section"}


class _EventDriver(html.parser.HTMLParser):
    """The standard library's event parser feeding the converter (no depth limit).

    It balances tags the way the converter expects: void elements end at once,
    optional end tags are implied, stray end tags are ignored.
    """

    def __init__(self, converter: _Converter):
        super().__init__(convert_charrefs=True)
        self.converter = converter
        self.open: list[str] = []

    def run(self, text: str) -> None:
        self.feed(text)
        self.close()
        while self.open:
            self._pop()

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        implied = _IMPLIED_CLOSE.get(tag, set()) | ({"p"} if tag in _CLOSES_P else set())
        while self.open and self.open[-1] in implied:
            self._pop()
        self.converter.start(tag, {k: v or "" for k, v in attrs}, self.getpos()[0])
        if tag in _VOID_TAGS:
            self.converter.end()
        else:
            self.open.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag.lower() not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag in self.open:
            while self.open[-1] != tag:
                self._pop()
            self._pop()

    def handle_data(self, data):
        self.converter.text(data)

    def _pop(self) -> None:
        self.open.pop()
        self.converter.end()
