"""Export and import orchestration: which records go out, what the articles add, what comes in.

The formats themselves are :mod:`reader.userdata.exchange`; the store calls
these with its connection (import) or its records (export) and the article
lookup it was given.
"""

from __future__ import annotations

import sqlite3

from ..errors import LecternError
from . import exchange
from .anchoring import plain_text_position
from .models import Bookmark, ImportReport
from .records import bookmark_exists, insert_bookmark, insert_note, note_exists, take_note_from_trash


def export_text(fmt: str, records: list[dict], bookmarks, articles) -> str:
    """``records`` (and, in JSON, ``bookmarks``) as ``"markdown"``, ``"json"`` or ``"w3c"`` text;
    ``articles``: the store's article lookup (None: titles and positions are left out)."""
    if fmt == "markdown":
        return exchange.to_markdown(records, _titles_and_orders(records, articles), _origins(records, articles))
    if fmt == "json":
        return exchange.to_json(records, bookmarks)
    if fmt == "w3c":
        return exchange.to_w3c(records, _sources(records, articles), _positions(records, articles))
    raise LecternError(f"unknown export format {fmt!r} (use markdown, json or w3c)")


def _positions(records: list[dict], lookup) -> dict[str, tuple[int, int]]:
    """Each placed quote's offsets in its article's plain text (articles that cannot be read are skipped)."""
    positions, articles = {}, {}
    for record in records:
        aid = record["article_id"]
        if not record["quote"] or record["orphaned"] or lookup is None:
            continue
        if aid not in articles:
            try:
                articles[aid] = lookup.article(aid)
            except LecternError:
                articles[aid] = None
        if articles[aid] is not None:
            span = plain_text_position(articles[aid], record["section_id"], record["quote"],
                                       record["prefix"], record["suffix"])
            if span is not None:
                positions[record["id"]] = span
    return positions


def _titles_and_orders(records: list[dict], lookup) -> dict[str, tuple[str, list[str]]]:
    """``{article_id: (title, section ids in document order)}`` for the Markdown export."""
    return {aid: _title_and_order(aid, lookup) for aid in {r["article_id"] for r in records}}


def _title_and_order(article_id: str, lookup) -> tuple[str, list[str]]:
    """The article's title and section order; its title alone when it cannot be read now; its id
    "(removed)" when it left the library (the store keeps no title of its own)."""
    if lookup is None:
        return article_id, []
    try:
        article = lookup.article(article_id)
        return article.title, [s.id for s in article.sections]
    except LecternError:
        pass
    try:
        return lookup.summary(article_id).title, []
    except LecternError:
        return f"{article_id} (removed)", []


def _origins(records: list[dict], lookup) -> dict[str, str]:
    """``{article_id: "ARCHIVE-TITLE (file.zim) › PATH"}`` for notes on archive articles (files: none)."""
    origin_of = getattr(lookup, "origin", None)
    if origin_of is None:
        return {}
    found = {aid: origin_of(aid) for aid in {r["article_id"] for r in records}}
    return {aid: where for aid, where in found.items() if where}


def _sources(records: list[dict], lookup) -> dict[str, exchange.Source]:
    """``{article_id: Source(title, file)}`` for the W3C export: where other tools find the text
    (an archive article: "ARCHIVE-TITLE (file.zim) › PATH", also while its archive is missing)."""
    result, origins = {}, _origins(records, lookup)
    for aid in {r["article_id"] for r in records}:
        try:
            summary = lookup.summary(aid) if lookup is not None else None
        except LecternError:
            summary = None
        where = origins.get(aid) or (summary.path if summary else "")
        result[aid] = exchange.Source(summary.title if summary else aid, where)
    return result


def insert_new(conn: sqlite3.Connection, parsed, report: ImportReport) -> list[dict]:
    """Insert the notes and bookmarks of an import that are not there yet (the caller's transaction);
    returns the note records added."""
    added = _insert_new_notes(conn, parsed.notes, report)
    _insert_new_bookmarks(conn, parsed.bookmarks, report)
    return added


def _insert_new_notes(conn: sqlite3.Connection, records: list[dict], report: ImportReport) -> list[dict]:
    """A note of the file that is in the trash comes out of it as it is there (re-importing an export
    is asking for the note back); one already live is skipped. ``report.restored_ids``: those restored."""
    added = []
    for record in records:
        if take_note_from_trash(conn, record["id"]):
            report.restored_ids.append(record["id"])
        elif note_exists(conn, record["id"], live_only=False):
            report.skipped_duplicates += 1
        else:
            insert_note(conn, record)
            added.append(record)
    report.added, report.restored = len(added), len(report.restored_ids)
    return added


def _insert_new_bookmarks(conn: sqlite3.Connection, marks: list[Bookmark], report: ImportReport) -> None:
    for bookmark in marks:
        if bookmark_exists(conn, bookmark.id):
            report.bookmarks_skipped += 1
            continue
        insert_bookmark(conn, bookmark)
        report.bookmarks_added += 1
        report.bookmark_ids.append(bookmark.id)
