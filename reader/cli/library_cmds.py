"""Library commands: add, remove, rescan, list, show."""

from __future__ import annotations

import argparse
import sys
from dataclasses import asdict
from typing import TextIO

from ..library import ScanReport
from ..model import Article, Block, BulletList, Section, Table, iter_items_with_depth
from ..sources import zim as zim_sources
from ..sources.zim import split_archive_paths
from .common import open_library, plural, print_json

LIST_LIMIT = 200  # articles `lectern list` prints unless told otherwise (a source may hold millions)


def register(subparsers) -> None:
    p = subparsers.add_parser("add", help="add files, folders or ZIM archives to the library (read in place)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_add)

    p = subparsers.add_parser("remove", help="remove files, folders or ZIM archives from the library's sources")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_remove)

    p = subparsers.add_parser("archives", help="list the Kiwix ZIM archives: metadata, counts, how each is searched")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_archives)

    p = subparsers.add_parser("rescan", help="re-read sources that changed on disk")
    p.set_defaults(func=cmd_rescan)

    p = subparsers.add_parser("list", help="list the articles, a page at a time")
    p.add_argument("--prefix", default="", help="only titles starting with this (case and accents ignored)")
    p.add_argument("--limit", type=_count, default=LIST_LIMIT, help=f"at most this many (default {LIST_LIMIT})")
    p.add_argument("--offset", type=_count, default=0, help="skip this many first (the next page)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)

    p = subparsers.add_parser("show", help="print one article")
    p.add_argument("id", metavar="ID")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)


def _print_report(report: ScanReport, out: TextIO, files_too: bool = True) -> None:
    """The counts of a scan (when files or folders were part of it), then what happened to archives."""
    if files_too:
        out.write(
            f"{len(report.added)} added, {len(report.updated)} updated, {len(report.moved)} moved, "
            f"{len(report.removed)} removed, {report.unchanged} unchanged, {len(report.skipped)} skipped\n"
        )
    for line in report.archives:
        out.write(line + "\n")
    if report.sources_changed and (report.notes_moved or report.notes_orphaned):
        out.write(f"notes re-anchored: {report.notes_moved} moved, {report.notes_orphaned} orphaned\n")
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)


def cmd_add(args: argparse.Namespace, out: TextIO) -> int:
    """Files and folders are scanned; a ZIM archive is opened (O(1)) and remembered. An archive
    that cannot be added gives its one-line reason and exit status 1; the others are added."""
    library = open_library(args, scan=False)
    archives, others = split_archive_paths(args.paths)
    report = library.add_sources(args.paths)
    _print_report(report, out, files_too=bool(others))
    refused = {s.path for s in report.skipped} & set(archives)
    return 1 if refused else 0


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args, scan=False)
    report = library.remove_sources(args.paths)
    _print_report(report, out, files_too=len(report.archives) < len(args.paths))
    return 0


def cmd_archives(args: argparse.Namespace, out: TextIO) -> int:
    """The ZIM archives of the library with their metadata and article counts."""
    library = open_library(args, scan=False)
    infos = library.archive_list()
    if args.json:
        print_json([asdict(info) for info in infos], out)
        return 0
    for info in infos:
        count = f"{info.articles:,} articles" if info.articles is not None else f"missing: {info.missing}"
        facts = ", ".join(f for f in (info.language, info.date, info.creator) if f)
        out.write(f"{info.title}  [{info.name}]  {count}\n    {facts + '  ' if facts else ''}{info.path}\n")
        if info.search:
            out.write(f"    search: {_search_kind(info.search)}\n")
    out.write(f"{plural(len(infos), 'archive')}\n")
    return 0


def _search_kind(kind: str) -> str:
    """What `lectern archives` says of ShelvedArchive.search."""
    if kind == zim_sources.SEARCH_ARCHIVE_INDEX:
        return "full text in the archive's own index"
    if kind == zim_sources.SEARCH_LECTERN_INDEX:
        return "full text in Lectern's index (the archive has no index of its own)"
    return (f"titles only (no full-text index, and over {zim_sources.MAX_WHOOSH_ARTICLES:,} articles "
            "for Lectern's index)")


def cmd_rescan(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args, scan=False)
    _print_report(library.rescan(), out)
    return 0


def _count(text: str) -> int:
    """A whole number >= 0 for --limit and --offset (argparse turns the ValueError into a usage error)."""
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


_count.__name__ = "whole number"  # argparse says "invalid whole number value"


def cmd_list(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args)
    page, total = _list_page(library, args.prefix, args.offset, args.limit)
    articles = [library.summary(entry.id) for entry in page]
    if args.json:
        print_json([{"id": a.id, "title": a.title, "path": a.path, "sections": a.sections} for a in articles], out)
    else:
        width = max((len(a.id) for a in articles), default=0)
        for a in articles:
            sections = f"  ({plural(a.sections, 'section')})" if a.sections else ""
            out.write(f"{a.id:<{width}}  {a.title}{sections}\n")
    more = _more_line(total, args.offset, len(articles))
    if args.json:
        sys.stderr.write(more)  # stdout stays one JSON document
    elif more:
        out.write(more)
    else:
        matching = f" starting with {args.prefix!r}" if args.prefix.strip() else ""
        out.write(f"{plural(total, 'article')}{matching}\n")
    return 0


def _list_page(library, prefix: str, offset: int, limit: int) -> tuple[list, int]:
    """(the page, how many there are in all): a page of the listing, or of the titles with a prefix."""
    if not prefix.strip():
        return library.titles(offset, limit), library.count()
    return library.titles_with_prefix(prefix, limit, offset=offset), library.count_with_prefix(prefix)


def _more_line(total: int, offset: int, shown: int) -> str:
    """"N more, use --offset M" when the page does not reach the end, else ""."""
    following = offset + shown
    if following >= total:
        return ""
    return f"{plural(shown, 'article')} of {total} shown; {total - following} more, use --offset {following}\n"


def section_json(section: Section) -> dict:
    return {
        "id": section.id,
        "title": section.title,
        "level": section.level,
        "path": list(section.path),
        "text": section.text(),
        "blocks": [block_json(block) for block in section.blocks],
    }


def block_json(block: Block) -> dict:
    """One block by kind: a paragraph's text, a list's items (flat, with their nesting depth),
    a table's caption and rows of cells."""
    if isinstance(block, Table):
        return {"kind": "table", "caption": block.caption, "rows": [list(row) for row in block.rows], "line": block.line}
    if isinstance(block, BulletList):
        items = [{"text": item.text, "depth": depth} for item, depth in iter_items_with_depth(block.items)]
        return {"kind": "list", "items": items, "line": block.line}
    return {"kind": "paragraph", "text": block.text, "line": block.line}


def article_json(article: Article) -> dict:
    return {
        "id": article.id,
        "title": article.title,
        "path": str(article.source) if article.source else None,
        "infobox": [[key, value] for key, value in article.infobox],
        "sections": [section_json(s) for s in article.sections],
        "warnings": [str(w) for w in article.warnings],
    }


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args)
    article = library.article(args.id)
    if args.json:
        print_json(article_json(article), out)
        return 0
    out.write(f"{article.title}\n{'=' * len(article.title)}\n")
    if article.infobox:
        width = max(len(k) for k, _ in article.infobox)
        out.write("\n" + "".join(f"  {k:<{width}}  {v}\n" for k, v in article.infobox))
    for section in article.sections:
        if not section.is_lead:
            out.write(f"\n{'#' * section.level} {section.title}   [{section.id}]\n")
        if section.blocks:
            out.write("\n" + section.text() + "\n")
    for warning in article.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0
