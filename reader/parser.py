"""Parse article files into :mod:`reader.model` objects.

Two input formats share one builder: Lectern's sectioned text (``= Title =``,
``== Heading ==``, ``- bullet``, an optional ``Infobox`` block) and Markdown
(``#`` headings, ``-``/``*``/``+`` bullets). Each format has a small line
classifier that turns lines into :class:`_Line` records; :class:`_Builder`
turns those into an :class:`~reader.model.Article`.

The parser never raises on text: what it cannot interpret becomes a paragraph
and is reported as a :class:`~reader.model.ParseWarning`. It is lossless:
every character that is not markup lands in exactly one place of the model
(title, heading, infobox entry or block). docs/content-format.md has the rules.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from .model import (
    LEAD_SECTION_ID,
    Article,
    Block,
    BulletList,
    ListItem,
    Paragraph,
    ParseWarning,
    Section,
)
from .regularfile import FileTooLargeError, NotRegularFileError, read_regular_bytes
from .textutil import slugify

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_LEVEL = 5
# Deeper bullets become siblings at this depth (with a warning): every consumer of
# the item tree (text, HTML, search) stays far from Python's recursion limit.
MAX_LIST_DEPTH = 20
TEXT_SUFFIXES = {".txt", ".text", ".wiki"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
ARTICLE_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES

_WIKI_HEADING = re.compile(r"^(=+)(.*?)(=+)$")
_MD_HEADING = re.compile(r"^(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?$")
_BULLET = re.compile(r"^([ \t]*)- (.*)$")
_MD_BULLET = re.compile(r"^([ \t]*)[-*+] (.*)$")
_INFOBOX_ENTRY = re.compile(r"^- (.*)$")


@dataclass
class _Line:
    kind: str  # "title" | "heading" | "bullet" | "text" | "blank" | "infobox" | "entry"
    number: int
    text: str = ""
    level: int = 0  # heading level, or bullet depth
    key: str = ""  # infobox entries


class SkippedFile(Exception):
    """A file that cannot be an article at all (binary, empty, too large)."""

    def __init__(self, path: Path, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


# --------------------------------------------------------------------------- files


def decode(data: bytes, path: Path) -> tuple[str, list[ParseWarning]]:
    """Decode file bytes, refusing what cannot be an article.

    Raises :class:`SkippedFile` for NUL bytes (binary), more than
    ``MAX_FILE_BYTES`` or no text at all. Invalid UTF-8 is decoded with
    replacement characters and a warning, so the readable rest is kept.
    """
    if len(data) > MAX_FILE_BYTES:
        raise _too_large(path, len(data))
    if b"\x00" in data:
        raise SkippedFile(path, "binary file (contains NUL bytes)")
    warnings: list[ParseWarning] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        warnings.append(ParseWarning(line, f"invalid UTF-8 at byte {exc.start}; undecodable bytes shown as \ufffd"))
        text = data.decode("utf-8", errors="replace")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise SkippedFile(path, "empty file")
    return text, warnings


def _too_large(path: Path, size: int) -> SkippedFile:
    return SkippedFile(path, f"file is too large ({size / 1048576:.1f} MB, limit {MAX_FILE_BYTES // 1048576} MB)")


def _not_regular(path: Path, mode: int) -> SkippedFile | None:
    """Why a file of this mode is never read (a FIFO would block, /dev/zero never ends), or None."""
    if stat.S_ISREG(mode):
        return None
    kinds = ((stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISCHR, "a character device"),
             (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))
    kind = next((name for test, name in kinds if test(mode)), "not a regular file")
    return SkippedFile(path, f"{kind}; only regular files are read")


def read_article_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most ``MAX_FILE_BYTES``; raises :class:`SkippedFile` or ``OSError``.

    A FIFO, a device or a socket (or a symlink to one) is refused before it is
    opened: opening a FIFO blocks until a writer comes, and a device's
    ``st_size`` (0) says nothing about how much it yields. ``O_NONBLOCK`` and a
    second check on the opened descriptor guard against a swap between the two,
    and the read itself is capped, so nothing can hang or fill memory.
    """
    problem = _not_regular(path, os.stat(path).st_mode)  # named by kind before anything is opened
    if problem is not None:
        raise problem
    try:
        return read_regular_bytes(path, MAX_FILE_BYTES)
    except NotRegularFileError as exc:  # swapped for a pipe or a device between the check and the open
        raise _not_regular(path, exc.mode) from None
    except FileTooLargeError as exc:
        raise _too_large(path, exc.size) from None


def parse_file(path: Path, article_id: str = "", data: bytes | None = None) -> Article:
    """Read and parse one file; raises :class:`SkippedFile` or ``OSError``."""
    if data is None:
        data = read_article_bytes(path)
    text, warnings = decode(data, path)
    markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
    return parse_text(text, article_id=article_id, source=path, markdown=markdown, extra_warnings=warnings)


def title_from_filename(path: Path | None) -> str:
    if path is None:
        return "Untitled"
    return path.stem.replace("_", " ").strip() or "Untitled"


def parse_text(
    text: str,
    article_id: str = "",
    source: Path | None = None,
    markdown: bool = False,
    extra_warnings: list[ParseWarning] | None = None,
) -> Article:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    classified = _classify_markdown(lines) if markdown else _classify_wiki(lines)
    builder = _Builder(source, extra_warnings or [])
    for line in classified:
        builder.feed(line)
    return builder.finish(article_id)


# --------------------------------------------------------------------------- classifiers


def _bullet_depth(indent: str) -> int:
    return len(indent.expandtabs(2)) // 2


def _classify_wiki(lines: list[str]) -> list[_Line]:
    out: list[_Line] = []
    seen_content = False
    in_infobox = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if not line.strip():
            out.append(_Line("blank", number))
            in_infobox = False
            continue
        if in_infobox:
            entry = _INFOBOX_ENTRY.match(line)
            if entry:
                key, sep, value = entry.group(1).partition(":")
                out.append(_Line("entry", number, text=value.strip() if sep else "", key=key.strip()))
                if not sep:
                    out[-1].level = -1  # marks "no colon" for a warning
                continue
            in_infobox = False
        heading = _WIKI_HEADING.match(line)
        if heading and heading.group(2).strip():
            opening, title, closing = heading.groups()
            if not seen_content and len(opening) == 1 and len(closing) == 1:
                out.append(_Line("title", number, text=title.strip()))
            else:
                out.append(_Line("heading", number, text=title.strip(), level=len(opening), key=closing))
            seen_content = True
            continue
        if line == "Infobox" and all(l.kind in ("title", "blank") for l in out):
            out.append(_Line("infobox", number))
            in_infobox = True
            seen_content = True
            continue
        seen_content = True
        bullet = _BULLET.match(line)
        if bullet:
            out.append(_Line("bullet", number, text=bullet.group(2).strip(), level=_bullet_depth(bullet.group(1))))
        else:
            out.append(_Line("text", number, text=line.strip()))
    return out


def _classify_markdown(lines: list[str]) -> list[_Line]:
    out: list[_Line] = []
    seen_content = False
    in_fence = False
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not line.strip():
            out.append(_Line("blank", number))
            continue
        heading = None if in_fence else _MD_HEADING.match(line)
        if heading and (heading.group(2) or "").strip():
            level = len(heading.group(1))
            title = heading.group(2).strip()
            if not seen_content and level == 1:
                out.append(_Line("title", number, text=title))
            else:
                out.append(_Line("heading", number, text=title, level=max(level, 2), key="=" * max(level, 2)))
            seen_content = True
            continue
        seen_content = True
        bullet = None if in_fence else _MD_BULLET.match(line)
        if bullet:
            out.append(_Line("bullet", number, text=bullet.group(2).strip(), level=_bullet_depth(bullet.group(1))))
        elif out and out[-1].kind == "text" and not in_fence:
            out[-1].text += " " + line.strip()  # Markdown joins wrapped lines into one paragraph
        else:
            out.append(_Line("text", number, text=line.strip()))
    return out


# --------------------------------------------------------------------------- builder


@dataclass
class _OpenSection:
    title: str
    level: int
    line: int
    parent: "_OpenSection | None"
    blocks: list[Block]
    path: tuple[str, ...]
    has_children: bool = False


class _Builder:
    def __init__(self, source: Path | None, warnings: list[ParseWarning]):
        self.source = source
        self.warnings = list(warnings)
        self.title: str | None = None
        self.infobox: list[tuple[str, str]] = []
        self.has_infobox = False
        self.lead = _OpenSection("", 1, 1, None, [], ())
        self.sections: list[_OpenSection] = [self.lead]
        self.current = self.lead
        self.list_stack: list[tuple[int, list]] = []  # (depth, [ListItem-like dicts])
        self.list_line = 0
        self.list_flattened = False  # the current list has had items beyond MAX_LIST_DEPTH

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(ParseWarning(line, message))

    # -- feeding

    def feed(self, line: _Line) -> None:
        if line.kind != "bullet":
            self._close_list()
        handler = getattr(self, "_on_" + line.kind)
        handler(line)

    def _on_blank(self, line: _Line) -> None:
        pass

    def _on_title(self, line: _Line) -> None:
        self.title = line.text

    def _on_infobox(self, line: _Line) -> None:
        self.has_infobox = True

    def _on_entry(self, line: _Line) -> None:
        if line.level == -1:
            self.warn(line.number, f"infobox entry without 'Key:' ({line.key!r}); kept with an empty value")
        self.infobox.append((line.key, line.text))

    def _on_text(self, line: _Line) -> None:
        self.current.blocks.append(Paragraph(line.text, line.number))

    def _on_heading(self, line: _Line) -> None:
        level = line.level
        closing = len(line.key)
        if closing != level:
            self.warn(line.number, f"unbalanced heading markup ({'=' * level} ... {line.key}); read as level {min(level, closing)}")
            level = min(level, closing)
        if level == 1:
            self.warn(line.number, "a second level-1 heading; read as level 2")
            level = 2
        if level > MAX_LEVEL:
            self.warn(line.number, f"heading level {level} is deeper than {MAX_LEVEL}; read as level {MAX_LEVEL}")
            level = MAX_LEVEL
        parent = self.current
        while parent.level >= level:
            parent = parent.parent  # the lead (level 1) always stops the walk
        if level > parent.level + 1:
            self.warn(line.number, f"heading level skipped (level {parent.level} to {level})")
        parent.has_children = True
        section = _OpenSection(line.text, level, line.number, parent, [], parent.path + (line.text,))
        self.sections.append(section)
        self.current = section

    def _on_bullet(self, line: _Line) -> None:
        if not self.list_stack:
            self.list_line = line.number
            self.list_stack = [(0, [])]
            self.list_flattened = False
        depth = min(line.level, self.list_stack[-1][0] + 1)
        if depth > MAX_LIST_DEPTH:
            if not self.list_flattened:
                self.warn(line.number, f"list nested deeper than {MAX_LIST_DEPTH} levels; deeper items shown at level {MAX_LIST_DEPTH}")
                self.list_flattened = True
            depth = MAX_LIST_DEPTH
        while len(self.list_stack) > 1 and self.list_stack[-1][0] > depth:
            self._pop_level()
        if depth > self.list_stack[-1][0]:
            parent_items = self.list_stack[-1][1]
            if not parent_items:  # nested item with no parent item: treat as top level
                depth = self.list_stack[-1][0]
            else:
                self.list_stack.append((depth, []))
        self.list_stack[-1][1].append({"text": line.text, "line": line.number, "children": ()})

    def _pop_level(self) -> None:
        _, items = self.list_stack.pop()
        parent = self.list_stack[-1][1][-1]
        parent["children"] = tuple(_freeze_item(i) for i in items)

    def _close_list(self) -> None:
        if not self.list_stack:
            return
        while len(self.list_stack) > 1:
            self._pop_level()
        items = tuple(_freeze_item(i) for i in self.list_stack[0][1])
        self.current.blocks.append(BulletList(items, self.list_line))
        self.list_stack = []

    # -- finishing

    def finish(self, article_id: str) -> Article:
        self._close_list()
        title = self.title
        if title is None:
            title = title_from_filename(self.source)
            self.warn(1, f"no '= Title =' line; title taken from the file name ({title!r})")
        self.lead.title = title
        for section in self.sections[1:]:
            if not section.blocks and not section.has_children:
                self.warn(section.line, f"empty section {section.title!r}")
        sections = freeze_sections(self.sections)
        return Article(
            id=article_id,
            title=title,
            source=self.source,
            infobox=tuple(self.infobox),
            sections=sections,
            warnings=tuple(sorted(self.warnings, key=lambda w: w.line)),
            has_infobox=self.has_infobox,
        )


def _freeze_item(item: dict) -> ListItem:
    return ListItem(item["text"], item["children"], item["line"])


def freeze_sections(open_sections: list) -> tuple[Section, ...]:
    """The finished sections of a builder's open ones, with their ids (files and ZIM pages alike)."""
    ids = _section_ids(open_sections)
    return tuple(
        Section(
            id=ids[id(s)],
            title=s.title,
            level=s.level,
            parent_id=ids[id(s.parent)] if s.parent is not None else None,
            path=s.path,
            blocks=tuple(s.blocks),
            line=s.line,
        )
        for s in open_sections
    )


def _section_ids(sections: list[_OpenSection]) -> dict[int, str]:
    """Section ids from heading paths: ``reactions/turkey``; repeats get ``~2``, ``~3``.

    Deriving ids from the path (not the position) keeps them stable when
    sections are added elsewhere, and unique when a heading repeats under
    different parents.
    """
    ids: dict[int, str] = {}
    used: set[str] = set()
    last_suffix: dict[str, int] = {}  # base -> the last n tried: 20,000 equal headings stay linear
    for section in sections:
        if section.parent is None:
            base = LEAD_SECTION_ID
        else:
            base = "/".join(slugify(t) for t in section.path)
        n, candidate = last_suffix.get(base, 1), base
        while candidate in used:  # base~2 .. base~n are taken already: go on from n + 1
            n += 1
            candidate = _suffixed(base, n)
        last_suffix[base] = n
        used.add(candidate)
        ids[id(section)] = candidate
    return ids


def _suffixed(base: str, n: int) -> str:
    return f"{base}~{n}"
