"""Export to Markdown, lossless JSON and W3C Web Annotation; import of JSON and W3C.

Formats and examples: docs/data-model.md. Import validates the whole input
first and raises :class:`LecternError` naming the first problem; the store then
writes everything in one transaction, so a bad file changes nothing.
"""

from __future__ import annotations

import json
import os
import re
import threading
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from .. import __version__
from ..atomicfile import atomic_write_text
from ..errors import LecternError
from ..model import LEAD_LABEL, LEAD_SECTION_ID, section_label
from ..regularfile import FileTooLargeError, NotRegularFileError, read_regular_bytes
from .anchoring import STATES
from .models import Bookmark, utc_now
from .records import clean_color, clean_tags

JSON_FORMAT = "lectern-notes"
JSON_VERSION = 1
W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
LINK_SCHEME = "lectern://"
MAX_IMPORT_BYTES = 100 * 1024 * 1024
_ID_NAMESPACE = uuid.UUID("6f1c3b0e-6a55-4c1e-9a8e-3b8f3f1d9a10")  # ids for foreign annotations
SIMILARITY_DIGITS = 4  # W3C files: 0.9388, not 0.9388399999999999
SECTION_LEVEL = 3  # a section's heading in the Markdown export is "###"; a note's own headings go below it
_ATX_HEADING = re.compile(r"^( {0,3})(#{1,6})([ \t]+|$)(.*)$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_NOT_PARAGRAPH = re.compile(r"^( {4}|\t| {0,3}([-+*>]|\d{1,9}[.)])([ \t]|$)| {0,3}#{1,6}([ \t]|$))")
_INLINE_MARKUP = re.compile(r"([\\`*_\[\]<>&#~!|])")
_UMASK_LOCK = threading.Lock()


@dataclass(frozen=True)
class Source:
    """Where an article's text comes from, for the W3C target: its title and file (or archive/path)."""

    title: str
    file: str


# ---------------------------------------------------------------- writing files

def write_export(path: str | os.PathLike, text: str) -> Path:
    """Write an export atomically with the permissions a new file gets from the umask.

    The atomic write goes through a private temporary file (0600); an export is
    meant to be shared, so it gets ``0666 & ~umask`` (an existing file keeps its mode).
    """
    target = Path(path).expanduser()
    try:
        mode = target.stat().st_mode & 0o777
    except OSError:
        mode = 0o666 & ~_umask()
    atomic_write_text(target, text)
    os.chmod(target, mode)
    return target


def _umask() -> int:
    with _UMASK_LOCK:  # the only way to read it is to set it: keep other threads out meanwhile
        current = os.umask(0o022)
        os.umask(current)
    return current


# ---------------------------------------------------------------- Markdown

def to_markdown(records: list[dict], articles: dict[str, tuple[str, list[str]]],
                origins: dict[str, str] | None = None) -> str:
    """Notes grouped by article, then by section path (document order), orphaned notes last.
    ``origins``: where an archive article comes from ("ARCHIVE-TITLE (file.zim) › PATH"), named in
    its notes' link text."""
    origins = origins or {}
    lines = ["# Lectern notes", "", f"Exported {utc_now()} · {len(records)} note{'' if len(records) == 1 else 's'}", ""]
    by_article: dict[str, list[dict]] = {}
    for record in records:
        by_article.setdefault(record["article_id"], []).append(record)
    for article_id in sorted(by_article, key=lambda a: (articles[a][0].casefold(), a)):
        title, order = articles[article_id]
        lines += [f"## {escape_inline(title)}", ""]
        for heading, group in _sections(by_article[article_id], order):
            lines += [f"### {escape_inline(heading)}", ""]
            for record in group:
                lines += _markdown_note(record, title, origins.get(article_id, ""))
    return "\n".join(lines).rstrip("\n") + "\n"


def _sections(records: list[dict], order: list[str]):
    placed = [r for r in records if not r["orphaned"]]
    rank = {sid: i for i, sid in enumerate(order)}
    keys = sorted({r["section_id"] for r in placed}, key=lambda s: (rank.get(s, len(rank)), s))
    for sid in keys:
        group = [r for r in placed if r["section_id"] == sid]
        yield _section_label(group[0]), group
    orphans = [r for r in records if r["orphaned"]]
    if orphans:
        yield "Orphaned notes (their passage is no longer in the article)", orphans


def _section_label(record: dict) -> str:
    if record["section_id"] == LEAD_SECTION_ID:
        return LEAD_LABEL
    return section_label(record["section_path"]) or record["section_id"]


def _markdown_note(record: dict, title: str = "", origin: str = "") -> list[str]:
    lines = []
    if record["quote"]:
        lines += ["> " + line if line else ">" for line in record["quote"].split("\n")] + [""]
    if record["text"].strip():
        lines += [demote_headings(record["text"].rstrip("\n"), SECTION_LEVEL), ""]
    link = f"{LINK_SCHEME}{record['article_id']}#{record['section_id']}"
    meta = [" ".join("#" + t for t in record["tags"])] if record["tags"] else []
    if record["orphaned"]:
        meta.append("was under: " + escape_inline(_section_label(record)))
    label = section_label(_section_label(record), title or record["article_id"])
    if origin:
        label = f"{label} · {origin}"
    meta += _markdown_state(record)
    meta += [f"[{_link_text(label)}](<{link}>)", record["updated"]]
    return lines + [" · ".join(meta), "", "---", ""]


def _link_text(label: str) -> str:
    """``label`` safe inside ``[...]``: brackets and backslashes escaped, on one line."""
    return re.sub(r"([\\\[\]])", r"\\\1", " ".join(label.split()))


def escape_inline(text: str) -> str:
    """``text`` (a title, a heading) as literal CommonMark inline text, on one line: ``<unk>`` is not
    an HTML tag, ``[``, ``*``, ``_``, ``&`` and ``#`` are not markup (backslash escapes)."""
    return _INLINE_MARKUP.sub(r"\\\1", " ".join(text.split()))


def demote_headings(markdown: str, below_level: int) -> str:
    """``markdown`` with its headings moved below ``below_level`` (``## B`` under ``###`` -> ``##### B``).

    ATX headings keep their text; a setext heading (a paragraph underlined with
    ``===`` or ``---``) becomes an ATX one of its level, demoted the same way.
    Headings deeper than Markdown's six levels become bold lines; fenced code is left alone.
    So a note's own headings never break the export's outline.
    """
    lines, fenced, paragraph = [], False, 0  # paragraph: how many of the last lines are a plain paragraph
    for line in markdown.split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
        underline = None if fenced or not paragraph else _SETEXT_UNDERLINE.match(line)
        match = None if fenced else _ATX_HEADING.match(line)
        if underline is not None:
            text = " ".join(part.strip() for part in lines[-paragraph:])
            del lines[-paragraph:]
            lines.append(_demoted("", 1 if underline.group(1)[0] == "=" else 2, text, below_level))
            paragraph = 0
        elif match is not None:
            indent, hashes, _space, rest = match.groups()
            text = re.sub(r"[ \t]+#+[ \t]*$", "", rest).strip()  # closing hashes
            lines.append(_demoted(indent, len(hashes), text, below_level))
            paragraph = 0
        else:
            lines.append(line)
            plain = not fenced and line.strip() and (paragraph or not _NOT_PARAGRAPH.match(line))
            paragraph = paragraph + 1 if plain else 0
    return "\n".join(lines)


def _demoted(indent: str, level: int, text: str, below_level: int) -> str:
    level += below_level
    return f"{indent}{'#' * level} {text}" if level <= 6 else f"{indent}**{text}**"


def _markdown_state(record: dict) -> list[str]:
    """How the passage was last re-found, when it is not simply exact."""
    state, original = record.get("anchor_state"), record.get("original_quote")
    if state == "moved":
        similarity = record.get("similarity")
        return ["passage re-found after an edit" + (f" ({similarity:.0%} alike)" if similarity is not None else "")
                + (f", first quoted as “{original}”" if original and original != record["quote"] else "")]
    if state == "section" and record["quote"]:
        return ["the quoted passage is no longer in this section"]
    return []


# ---------------------------------------------------------------- JSON

def to_json(records: list[dict], bookmarks: list[Bookmark]) -> str:
    data = {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "exported": utc_now(),
        "generator": f"Lectern {__version__}",
        "notes": records,
        "bookmarks": [dict(asdict(b), section_path=list(b.section_path)) for b in bookmarks],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- W3C Web Annotation

def to_w3c(records: list[dict], sources: dict[str, Source] | None = None,
           positions: dict[str, tuple[int, int]] | None = None) -> str:
    """An AnnotationCollection; each target names the article's title and file (``sources``).

    ``positions``: each placed note's quote as [start, end) in its article's plain text
    (``Article.plain_text()``), written as a TextPositionSelector beside the TextQuoteSelector.
    """
    sources, positions = sources or {}, positions or {}
    items = [_annotation(r, sources.get(r["article_id"]), positions.get(r["id"])) for r in records]
    data = {
        "@context": W3C_CONTEXT,
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": "AnnotationCollection",
        "label": "Lectern notes",
        "total": len(items),
        "first": {"type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _annotation(record: dict, source: Source | None = None,
                position: tuple[int, int] | None = None) -> dict:
    bodies = [{"type": "TextualBody", "value": t, "purpose": "tagging"} for t in record["tags"]]
    if record["text"]:
        bodies.insert(0, {"type": "TextualBody", "value": record["text"], "format": "text/markdown", "purpose": "commenting"})
    selectors = [{"type": "FragmentSelector", "value": record["section_id"]}]
    if record["quote"]:
        selectors.append({"type": "TextQuoteSelector", "exact": record["quote"],
                          "prefix": record["prefix"], "suffix": record["suffix"]})
        if position is not None:
            selectors.append({"type": "TextPositionSelector", "start": position[0], "end": position[1]})
    annotation = {
        "id": _annotation_id(record["id"]),
        "type": "Annotation",
        "motivation": "commenting" if record["text"] else "highlighting",
        "created": record["created"],
        "modified": record["updated"],
        "body": bodies,
        "target": _w3c_target_of(record, selectors, source),
        # Lectern's own fields; other tools ignore unknown keys.
        "lectern:sectionPath": record["section_path"],
        "lectern:orphaned": record["orphaned"],
        "lectern:anchorState": record["anchor_state"],
        "lectern:review": bool(record["review"]),
    }
    if record["similarity"] is not None:
        annotation["lectern:similarity"] = round(record["similarity"], SIMILARITY_DIGITS)
    if record["original_quote"] and record["original_quote"] != record["quote"]:
        annotation["lectern:originalQuote"] = record["original_quote"]
    if record["color"]:
        annotation["lectern:color"] = record["color"]
    return annotation


def _w3c_target_of(record: dict, selectors: list, source: Source | None) -> dict:
    """The target: Lectern's link, plus (Dublin Core, defined by the anno.jsonld context) the
    article's title and the file or archive/path its text comes from, so other tools can place it."""
    target = {"source": LINK_SCHEME + record["article_id"]}
    if source is not None:
        target["dc:title"] = source.title
        if source.file:
            target["dc:source"] = source.file
    target["selector"] = selectors
    return target


def _annotation_id(note_id: str) -> str:
    try:
        return f"urn:uuid:{uuid.UUID(hex=note_id)}"
    except ValueError:
        return f"urn:lectern:note:{note_id}"


# ---------------------------------------------------------------- import

@dataclass
class Parsed:
    notes: list[dict] = field(default_factory=list)
    bookmarks: list[Bookmark] = field(default_factory=list)


class _Invalid(Exception):
    """A problem in one item; turned into a LecternError naming the item."""


def parse_import(path_or_text: str | os.PathLike) -> Parsed:
    text, source = _read_input(path_or_text)
    try:
        data = json.loads(text)
        if _may_hold_surrogates(text):
            _check_unicode(data)
        parsed = _parse_json(data) if isinstance(data, dict) and data.get("format") == JSON_FORMAT else _parse_w3c(data)
    except json.JSONDecodeError as exc:
        raise LecternError(f"cannot import {source}: not JSON ({exc}); nothing was imported") from None
    except RecursionError:
        raise LecternError(f"cannot import {source}: its lists or objects are nested too deeply "
                           "to be notes; nothing was imported") from None
    except _Invalid as exc:
        raise LecternError(f"cannot import {source}: {exc}; nothing was imported") from None
    return _without_repeats(parsed)


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _may_hold_surrogates(text: str) -> bool:
    """Cheap test first: JSON gets a surrogate only from a ``\\uD800``-``\\uDFFF`` escape (or a caller's str)."""
    return _SURROGATE_ESCAPE.search(text) is not None or not is_valid_unicode(text)


def _check_unicode(data) -> None:
    """Reject text that cannot be stored: JSON may escape lone surrogates (``"\\ud800"``).

    Walks the data with a stack, not recursion: the nesting is the file's choice.
    """
    stack = [(data, "the file")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}") for k, v in value.items())
            stack.extend((k, f"a key in {where}") for k in value)
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]") for i, v in enumerate(value))
        elif isinstance(value, str) and not is_valid_unicode(value):
            raise _Invalid(f"{where.removeprefix('the file.')} holds text that is not valid Unicode "
                           f"(a lone surrogate such as \\ud800)")


def is_valid_unicode(text: str) -> bool:
    """Whether ``text`` can be stored (UTF-8 encodable: no lone surrogates)."""
    try:
        text.encode("utf-8")
        return True
    except UnicodeEncodeError:
        return False


def _read_input(path_or_text) -> tuple[str, str]:
    if isinstance(path_or_text, str) and path_or_text.lstrip().startswith(("{", "[")):
        return path_or_text, "the given text"
    path = Path(path_or_text).expanduser()
    try:
        return read_regular_bytes(path, MAX_IMPORT_BYTES).decode("utf-8"), str(path)
    except UnicodeDecodeError:
        raise LecternError(f"cannot import {path}: not UTF-8 text") from None
    except (NotRegularFileError, FileTooLargeError) as exc:  # a FIFO, /dev/zero, a huge file
        raise LecternError(f"cannot import {path}: {exc.strerror}") from None
    except OSError as exc:
        raise LecternError(f"cannot read {path}: {exc.strerror or exc}") from None


def _without_repeats(parsed: Parsed) -> Parsed:
    """Drop items repeated inside the file itself (same id): the first one wins."""
    seen_notes: dict[str, dict] = {}
    for record in parsed.notes:
        seen_notes.setdefault(record["id"], record)
    seen_marks: dict[str, Bookmark] = {}
    for bookmark in parsed.bookmarks:
        seen_marks.setdefault(bookmark.id, bookmark)
    return Parsed(list(seen_notes.values()), list(seen_marks.values()))


def _parse_json(data: dict) -> Parsed:
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _Invalid(f"'version' must be a positive whole number, not {version!r}")
    if version > JSON_VERSION:
        raise _Invalid(f"written by a newer Lectern (format version {version}; this one reads up to {JSON_VERSION})")
    notes, marks = data.get("notes", []), data.get("bookmarks", [])
    if not isinstance(notes, list) or not isinstance(marks, list):
        raise _Invalid("'notes' and 'bookmarks' must be lists")
    return Parsed([_checked(_note_from_json, n, f"note {i + 1}") for i, n in enumerate(notes)],
                  [_checked(_bookmark_from_json, b, f"bookmark {i + 1}") for i, b in enumerate(marks)])


def _checked(convert, item, label: str):
    if not isinstance(item, dict):
        raise _Invalid(f"{label} is not an object")
    try:
        return convert(item)
    except (_Invalid, LecternError) as exc:
        raise _Invalid(f"{label}: {exc}") from None


def _note_from_json(item: dict) -> dict:
    record = {
        "id": _text(item, "id", required=True),
        "article_id": _text(item, "article_id", required=True),
        "section_id": _text(item, "section_id", required=True),
        "section_path": _text_list(item, "section_path"),
        "quote": _text(item, "quote") or None,
        "prefix": _text(item, "prefix"),
        "suffix": _text(item, "suffix"),
        "text": _text(item, "text", required=True, empty_ok=True),
        "tags": clean_tags(_text_list(item, "tags")),
        "color": clean_color(_text(item, "color") or None),
        "created": _time(item, "created"),
        "updated": _time(item, "updated"),
        "orphaned": _flag(item, "orphaned"),
        "article_sha": _text(item, "article_sha"),
        "section_sha": _text(item, "section_sha"),
    }
    # Anchor state (optional: files from before schema 5 lack it).
    return _with_state(record, item.get("anchor_state"), item.get("similarity"), _text(item, "original_quote"),
                       _flag(item, "review"))


def _with_state(record: dict, state, similarity, original: str, review: bool) -> dict:
    if state is None:
        state = "orphaned" if record["orphaned"] else "exact"
    if state not in STATES:
        raise _Invalid(f"'anchor_state' must be one of {', '.join(STATES)}, not {state!r}")
    if similarity is not None and (isinstance(similarity, bool) or not isinstance(similarity, (int, float))
                                   or not 0 <= similarity <= 1):
        raise _Invalid(f"'similarity' must be a number from 0 to 1, not {similarity!r}")
    if record["orphaned"] != (state == "orphaned"):
        state = "orphaned" if record["orphaned"] else "exact"  # 'orphaned' wins: it decides where the note is listed
    # An orphaned note still to review as moved keeps its similarity (reanchoring.was_moved).
    kept = state == "moved" or (state == "orphaned" and review)
    return dict(record, anchor_state=state, similarity=similarity if kept else None,
                original_quote=original or record["quote"], review=review)


def _bookmark_from_json(item: dict) -> Bookmark:
    return Bookmark(
        id=_text(item, "id", required=True),
        article_id=_text(item, "article_id", required=True),
        section_id=_text(item, "section_id") or None,
        name=_text(item, "name", required=True),
        folder=_text(item, "folder") or None,
        created=_time(item, "created"),
        updated=_time(item, "updated"),
        # Anchor facts (optional: files from before they existed still import;
        # missing ones are filled in when the bookmark is next re-placed).
        section_path=tuple(_text_list(item, "section_path")),
        section_sha=_text(item, "section_sha"),
        article_sha=_text(item, "article_sha"),
        anchor_state=_bookmark_state(item),
    )


def _bookmark_state(item: dict) -> str:
    state = item.get("anchor_state") or "exact"  # optional: files from before schema 5
    if state not in ("exact", "orphaned"):
        raise _Invalid(f"'anchor_state' of a bookmark must be exact or orphaned, not {state!r}")
    return state


def _text(item: dict, key: str, required: bool = False, empty_ok: bool = False) -> str:
    value = item.get(key)
    if value is None:
        if required:
            raise _Invalid(f"'{key}' is missing")
        return ""
    if not isinstance(value, str):
        raise _Invalid(f"'{key}' must be text, not {type(value).__name__}")
    if required and not empty_ok and not value.strip():
        raise _Invalid(f"'{key}' is empty")
    return value


def _text_list(item: dict, key: str) -> list[str]:
    value = item.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Invalid(f"'{key}' must be a list of texts")
    return value


def _flag(item: dict, key: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise _Invalid(f"'{key}' must be true or false")
    return value


def _time(item: dict, key: str) -> str:
    value = _text(item, key) or utc_now()
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Invalid(f"'{key}' is not an ISO 8601 time: {value!r}") from None
    return value


def _parse_w3c(data) -> Parsed:
    items = _w3c_items(data)
    return Parsed([_checked(_note_from_annotation, a, f"annotation {i + 1}") for i, a in enumerate(items)])


def _w3c_items(data) -> list:
    if isinstance(data, list):
        return data
    if not isinstance(data, dict):
        raise _Invalid("expected a Lectern notes file or W3C annotations")
    kind = data.get("type")
    if kind == "Annotation":
        return [data]
    if kind == "AnnotationPage":
        return _list_of(data, "items")
    if kind == "AnnotationCollection":
        first = data.get("first", {"items": []})
        if not isinstance(first, dict):
            raise _Invalid("the collection's pages are not embedded ('first' must be an AnnotationPage object)")
        return _list_of(first, "items")
    raise _Invalid("expected a Lectern notes file ('format': 'lectern-notes') or W3C annotations "
                   "(an AnnotationCollection, AnnotationPage or Annotation)")


def _list_of(data: dict, key: str) -> list:
    value = data.get(key)
    if not isinstance(value, list):
        raise _Invalid(f"'{key}' must be a list")
    return value


def _note_from_annotation(item: dict) -> dict:
    if item.get("type") != "Annotation":
        raise _Invalid("'type' must be 'Annotation'")
    article_id, section_id, quote = _w3c_target(item.get("target"))
    text, tags = _w3c_bodies(item.get("body", []))
    if not text and not quote.get("exact"):
        raise _Invalid("has neither a text body nor a quoted passage")
    record = {
        "id": _w3c_note_id(item),
        "article_id": article_id,
        "section_id": section_id,
        "section_path": _text_list(item, "lectern:sectionPath"),
        "quote": quote.get("exact") or None,
        "prefix": quote.get("prefix", ""),
        "suffix": quote.get("suffix", ""),
        "text": text,
        "tags": clean_tags(tags),
        "color": clean_color(_text(item, "lectern:color") or None),
        "created": _time(item, "created"),
        "updated": _time({"updated": item.get("modified")}, "updated"),
        "orphaned": _flag(item, "lectern:orphaned"),
        "article_sha": "",  # re-anchored against the current articles after import
        "section_sha": "",
    }
    return _with_state(record, item.get("lectern:anchorState"), item.get("lectern:similarity"),
                       _text(item, "lectern:originalQuote"), _flag(item, "lectern:review"))


def _w3c_target(target) -> tuple[str, str, dict]:
    if isinstance(target, list) and target:
        target = target[0]
    if isinstance(target, str):
        target = {"source": target}
    if not isinstance(target, dict) or not isinstance(target.get("source"), str) or not target["source"]:
        raise _Invalid("'target' needs a 'source'")
    source, _, fragment = target["source"].partition("#")
    article_id = source[len(LINK_SCHEME):] if source.startswith(LINK_SCHEME) else source
    selectors = target.get("selector", [])
    selectors = selectors if isinstance(selectors, list) else [selectors]
    section_id, quote = fragment or LEAD_SECTION_ID, {}
    for selector in selectors:
        if not isinstance(selector, dict):
            raise _Invalid("a selector is not an object")
        if selector.get("type") == "FragmentSelector":
            section_id = _text(selector, "value", required=True)
        elif selector.get("type") == "TextQuoteSelector":
            quote = {k: _text(selector, k, required=(k == "exact")) for k in ("exact", "prefix", "suffix")}
    if not article_id:
        raise _Invalid("'target' has an empty source")
    return article_id, section_id, quote


def _w3c_bodies(bodies) -> tuple[str, list[str]]:
    bodies = bodies if isinstance(bodies, list) else [bodies]
    text, tags = "", []
    for body in bodies:
        if isinstance(body, str):
            body = {"type": "TextualBody", "value": body}
        if not isinstance(body, dict):
            raise _Invalid("a body is not an object")
        value = _text(body, "value")
        if body.get("purpose") == "tagging":
            tags.append(value)
        elif not text:
            text = value
    return text, tags


def _w3c_note_id(item: dict) -> str:
    """Our note id back from ``urn:uuid:``; a stable derived id for other tools' annotations."""
    raw = item.get("id")
    if raw is None:
        raw = json.dumps(item, sort_keys=True, ensure_ascii=False)
    if not isinstance(raw, str):
        raise _Invalid("'id' must be text")
    if raw.startswith("urn:uuid:"):
        try:
            return uuid.UUID(raw[len("urn:uuid:"):]).hex
        except ValueError:
            raise _Invalid(f"'id' is not a valid urn:uuid: {raw!r}") from None
    if raw.startswith("urn:lectern:note:") and len(raw) > len("urn:lectern:note:"):
        return raw[len("urn:lectern:note:"):]
    return uuid.uuid5(_ID_NAMESPACE, raw).hex
