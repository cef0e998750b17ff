"""Library commands: add, remove, rescan, list, show."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..library import ScanReport
from ..model import Article, Section
from .common import open_library, plural, print_json

LIST_LIMIT = 200  # articles `lectern list` prints unless told otherwise (a source may hold millions)


def register(subparsers) -> None:
    p = subparsers.add_parser("add", help="add files or folders to the library (read in place)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_add)

    p = subparsers.add_parser("remove", help="remove files or folders from the library's sources")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.set_defaults(func=cmd_remove)

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


def _print_report(report: ScanReport, out: TextIO) -> None:
    out.write(
        f"{len(report.added)} added, {len(report.updated)} updated, {len(report.moved)} moved, "
        f"{len(report.removed)} removed, {report.unchanged} unchanged, {len(report.skipped)} skipped\n"
    )
    for skipped in report.skipped:
        print(f"skipped {skipped.path}: {skipped.reason}", file=sys.stderr)


def cmd_add(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args, scan=False)
    _print_report(library.add_sources(args.paths), out)
    return 0


def cmd_remove(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args, scan=False)
    _print_report(library.remove_sources(args.paths), out)
    return 0


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
    }


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
