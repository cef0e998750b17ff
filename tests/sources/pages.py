"""Wikipedia-like pages in the three mwoffliner layouts, generated from one structure.

A :class:`Page` is rendered as ``details`` (2019 to mid-2026), ``section``
(current Parsoid renderer) or ``flat`` (older Parsoid) HTML. The structure is
what the converter must give back, so tests compare against it directly and
never against the converter's own reading of the HTML.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Iterable

LAYOUTS = ("details", "section", "flat")


@dataclass
class Item:
    text: str
    children: list["Item"] = field(default_factory=list)


@dataclass
class GenSection:
    title: str
    paragraphs: list[str] = field(default_factory=list)
    bullets: list[Item] = field(default_factory=list)
    children: list["GenSection"] = field(default_factory=list)
    raw_html: str = ""  # appended to the content as is (the references list)


@dataclass
class Page:
    title: str
    lead: list[str] = field(default_factory=list)
    sections: list[GenSection] = field(default_factory=list)
    infobox: list[tuple[str, str]] = field(default_factory=list)
    table: list[list[str]] = field(default_factory=list)  # rows of cells, in the lead after the paragraphs
    caption: str = ""  # a figure caption in the lead
    math_tex: str = ""  # a formula in the lead, as TeX
    references: list[str] = field(default_factory=list)

    def expected_outline(self) -> list[tuple[int, tuple[str, ...]]]:
        """(level, heading path) of every section the converter must produce, lead first."""
        outline = [(1, ())]
        stack = [(s, (s.title,), 2) for s in reversed(self.sections)]
        while stack:
            section, path, level = stack.pop()
            outline.append((min(level, 5), path))
            stack.extend((c, path + (c.title,), level + 1) for c in reversed(section.children))
        if self.references:
            outline.append((2, ("References",)))
        return outline

    def words(self) -> list[str]:
        """Every word the page's body shows (what no conversion may lose)."""
        texts = [self.title, *self.lead, *(k + " " + v for k, v in self.infobox), self.caption, *self.references]
        texts += [cell for row in self.table for cell in row]
        stack = list(self.sections)
        while stack:
            section = stack.pop()
            texts += [section.title, *section.paragraphs, *_item_texts(section.bullets)]
            stack.extend(section.children)
        return [word for text in texts for word in text.split()]


def _item_texts(items: list[Item]) -> list[str]:
    out, stack = [], list(items)
    while stack:
        item = stack.pop()
        out.append(item.text)
        stack.extend(item.children)
    return out


# --------------------------------------------------------------------------- rendering


def render(page: Page, layout: str) -> str:
    assert layout in LAYOUTS
    head = (
        f"<head><meta charset='utf-8'><title>{escape(page.title)}</title>"
        "<script>var hidden = 'scriptword';</script><style>.x { color: stylerule }</style>"
        "<link rel='stylesheet' href='http://example.invalid/remote.css'></head>"
    )
    lead = _lead_html(page)
    body = [f"<h1 class='section-heading'><span class='mw-headline'>{escape(page.title)}</span></h1>"]
    if layout == "section":
        body.append(f"<section data-mw-section-id='0'>{lead}</section>")
    else:
        body.append(f"<div id='mf-section-0'>{lead}</div>")
    counter = [0]
    for section in page.sections + _references_section(page):
        body.append(_section_html(section, 2, layout, counter))
    body.append("<script>document.write('scriptword')</script>")
    return f"<!DOCTYPE html><html>{head}<body><div id='mw-content-text'>{''.join(body)}</div></body></html>"


def _references_section(page: Page) -> list[GenSection]:
    if not page.references:
        return []
    refs = "".join(f"<li id='cite_note-{i}'><a href='#cite_ref-{i}'>↑</a> <span class='reference-text'>{escape(r)}</span></li>"
                   for i, r in enumerate(page.references))
    return [GenSection("References", raw_html=f"<div class='mw-references-wrap'><ol class='references'>{refs}</ol></div>")]


def _lead_html(page: Page) -> str:
    parts = []
    if page.infobox:
        rows = "".join(f"<tr><th scope='row'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in page.infobox)
        parts.append(f"<table class='infobox vcard'><tbody>{rows}</tbody></table>")
    parts += [_paragraph(p) for p in page.lead]
    if page.table:
        rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in page.table)
        parts.append(f"<table class='wikitable'><tbody>{rows}</tbody></table>")
    if page.caption:
        parts.append("<figure typeof='mw:File/Thumb'><a href='./File:X.png'><img src='http://example.invalid/x.png' "
                     f"onerror='alert(1)'></a><figcaption>{escape(page.caption)}</figcaption></figure>")
    if page.math_tex:
        parts.append(
            "<p><span class='mwe-math-element'><span class='mwe-math-mathml-inline' style='display: none;'>"
            "<math xmlns='http://www.w3.org/1998/Math/MathML'><semantics><mrow><mi>q</mi></mrow>"
            f"<annotation encoding='application/x-tex'>{{\\displaystyle {escape(page.math_tex)}}}</annotation>"
            "</semantics></math></span><img class='mwe-math-fallback-image-inline' alt='x'></span></p>"
        )
    return "".join(parts)


def _paragraph(text: str) -> str:
    """A paragraph with some of its words wrapped in inline markup (which must not split them)."""
    words = text.split()
    marked = []
    for i, word in enumerate(words):
        word = escape(word)
        if i % 3 == 1:
            word = f"<b>{word}</b>"
        elif i % 3 == 2:
            word = f"<a href='./Other' onclick='steal()'>{word}</a>"
        marked.append(word)
    return "<p>" + " ".join(marked) + "</p>"


def _list_html(items: list[Item]) -> str:
    """Nested <ul>, built without recursion (the converter is checked on deep lists too)."""
    out: list[str] = ["<ul>"]
    stack: list = [("items", items, 0)]
    while stack:
        kind, value, index = stack.pop()
        if kind == "close":
            out.append(value)
            continue
        if index >= len(value):
            out.append("</ul>")
            continue
        item = value[index]
        stack.append(("items", value, index + 1))
        out.append(f"<li>{escape(item.text)}")
        stack.append(("close", "</li>", 0))
        if item.children:
            out.append("<ul>")
            stack.append(("items", item.children, 0))
    return "".join(out)


def _section_html(section: GenSection, level: int, layout: str, counter: list[int]) -> str:
    tag = f"h{min(level, 6)}"
    counter[0] += 1
    heading = f"<{tag} id='s{counter[0]}'>{escape(section.title)}</{tag}>"
    content = "".join(_paragraph(p) for p in section.paragraphs)
    if section.bullets:
        content += _list_html(section.bullets)
    content += section.raw_html
    children = "".join(_section_html(c, level + 1, layout, counter) for c in section.children)
    if layout == "details":
        return (f"<details data-level='{level}' open=''><summary class='section-heading'>{heading}</summary>"
                f"<div>{content}</div>{children}</details>")
    if layout == "section":
        return (f"<section data-mw-section-id='{counter[0]}'><div class='mw-heading mw-heading{level}'>{heading}"
                f"</div>{content}{children}</section>")
    return heading + content + children


def sample_page(number: int = 0) -> Page:
    """A fixed page with every construct: sections three levels deep, lists, infobox, table, figure, math, references."""
    n = number
    return Page(
        title=f"Sample article {n}",
        lead=[f"The lead paragraph of sample {n} mentions otters and Łódź.", "A second lead paragraph."],
        infobox=[("Born", f"1 May 19{n % 100:02d}"), ("Genre", "jazz")],
        table=[["Year", "Album"], [f"19{n % 100:02d}", "Blue"]],
        caption=f"An otter photographed in {n}",
        math_tex="E = mc^{2}",
        references=[f"Reference one of {n}", "Reference two"],
        sections=[
            GenSection("Early life", [f"Born in town {n}.", "Moved away."], [Item("piano", [Item("organ")]), Item("voice")], [
                GenSection("Childhood", ["Played outside."], children=[GenSection("School", ["Learnt Braille."])]),
            ]),
            GenSection("Career", ["Recorded many albums."], children=[GenSection("Atlantic years", ["Hits followed."])]),
        ],
    )


def write_archive(path: Path, pages: Iterable[tuple[str, str, str]], *, name: str | None, main: str | None,
                  redirects: list[tuple[str, str, str]] = (), assets: int = 0, indexing: bool = True,
                  workers: int | None = None, compression: str = "zstd",
                  files: Iterable[tuple[str, str, bytes]] = (), date: str = "2026-11-30") -> Path:
    """A ZIM written with libzim's writer: ``pages`` are (path, title, html[, mimetype]), read once;
    ``files`` are other entries (path, mimetype, content): images."""
    from libzim.writer import Compression, Creator, Hint, Item as ZimItem, StringProvider

    class _Item(ZimItem):
        def __init__(self, item_path, title, mimetype, content, front):
            super().__init__()
            self._path, self._title, self._mimetype, self._content, self._front = item_path, title, mimetype, content, front

        def get_path(self):
            return self._path

        def get_title(self):
            return self._title

        def get_mimetype(self):
            return self._mimetype

        def get_contentprovider(self):
            return StringProvider(self._content)

        def get_hints(self):
            return {Hint.FRONT_ARTICLE: self._front}

    creator = Creator(str(path))
    if indexing:
        creator.config_indexing(True, "eng")
    if workers:
        creator.config_nbworkers(workers)
    creator.config_compression(getattr(Compression, compression))
    with creator:
        if main:
            creator.set_mainpath(main)
        for item_path, title, html, *mimetype in pages:  # a page may carry its mimetype ("text/html; charset=…")
            creator.add_item(_Item(item_path, title, mimetype[0] if mimetype else "text/html", html, True))
        for index in range(assets):
            creator.add_item(_Item(f"_assets_/img{index:05d}.png", "", "image/png", "PNG", False))
        for item_path, mimetype, content in files:
            creator.add_item(_Item(item_path, "", mimetype, content, False))
        for item_path, title, target in redirects:
            creator.add_redirection(item_path, title, target, {Hint.FRONT_ARTICLE: True})
        for key, value in (("Title", "Generated"), ("Language", "eng"), ("Date", date), ("Creator", "Lectern tests")):
            creator.add_metadata(key, value)
        if name:
            creator.add_metadata("Name", name)
        creator.add_illustration(48, _PNG_1PX)
    return path


def _png_1px() -> bytes:
    """A valid 1x1 PNG, built with its checksums (readers get back these bytes; Qt decodes them)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0\0\0\0")) + chunk(b"IEND", b"")


_PNG_1PX = _png_1px()
