"""Search commands: search, suggest, index (docs/search.md).

Whoosh is loaded by the first call into ``library.search_index``, never when
the CLI starts, so the other commands do not pay for it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from ..model import section_label
from .common import open_library, print_json

BAR_WIDTH = 30


def register(subparsers) -> None:
    p = subparsers.add_parser("search", help="full-text search of sections and notes (syntax: docs/search.md)")
    p.add_argument("query", metavar="QUERY")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=_positive, default=20, metavar="N", help="at most N hits (default 20)")
    p.add_argument("--article", metavar="ID", help="only hits in this article")
    p.add_argument("--notes", action="store_true", help="only notes")
    p.add_argument("--source", metavar="ID", help="only hits of this source (an archive's id, or 'folders' for files and notes)")
    p.add_argument("--as-typed", action="store_true",
                   help="search the query as typed, even when it finds nothing and has a correction")
    p.set_defaults(func=cmd_search)

    p = subparsers.add_parser("suggest", help="article titles and headings starting with PREFIX")
    p.add_argument("prefix", metavar="PREFIX")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=_positive, default=10, metavar="N", help="at most N suggestions (default 10)")
    p.set_defaults(func=cmd_suggest)

    p = subparsers.add_parser("index", help="bring the search index up to date")
    p.add_argument("--rebuild", action="store_true", help="rebuild it from scratch")
    p.set_defaults(func=cmd_index)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def hit_json(hit) -> dict:
    return {
        "kind": hit.kind,
        "article_id": hit.article_id,
        "article_title": hit.article_title,
        "section_id": hit.section_id,
        "section_path": list(hit.section_path),
        "score": hit.score,
        "snippet": hit.snippet.text,
        "highlights": [list(span) for span in hit.snippet.spans],
        "note_id": hit.note_id,
    }


def cmd_search(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args)
    results = library.search(args.query, limit=args.limit, article_id=args.article, notes_only=args.notes,
                             autocorrect=not args.as_typed, source=args.source)
    if args.json:
        print_json({"query": results.query, "searched": results.searched, "total": results.total,
                    "corrected": results.corrected, "message": results.message,
                    "hits": [hit_json(h) for h in results.hits]}, out)
        return 0
    if results.message:
        out.write(results.message + "\n")
        return 0
    if results.auto_corrected:
        out.write(f"Showing results for {results.searched} — search instead for {results.query} (--as-typed)\n")
    bold = out.isatty()
    for hit in results.hits:
        where = section_label(hit.section_path, hit.article_title)
        label = "note · " if hit.kind == "note" else ""
        out.write(f"{hit.score:7.2f}  {label}{where}  [{hit.article_id}#{hit.section_id or ''}]\n")
        if hit.snippet:
            out.write(f"         {_terminal_snippet(hit.snippet, bold)}\n")
    out.write(results.total_text() +
              f"{f' (showing {len(results.hits)})' if results.total > len(results.hits) else ''}\n")
    if results.corrected and not results.auto_corrected:
        out.write(f"Did you mean: {results.corrected}\n")
    return 0


def _terminal_snippet(snippet, bold: bool) -> str:
    """The snippet as terminal text: matched words in bold on a TTY, in [brackets] otherwise."""
    left, right = ("\033[1m", "\033[0m") if bold else ("[", "]")
    return snippet.render(left, right)


def cmd_suggest(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args)
    suggestions = library.suggest(args.prefix, limit=args.limit)
    if args.json:
        print_json([{"article_id": s.article_id, "section_id": s.section_id, "label": s.label} for s in suggestions], out)
        return 0
    for s in suggestions:
        out.write(f"{s.label}  [{s.article_id}{'#' + s.section_id if s.section_id else ''}]\n")
    return 0


def cmd_index(args: argparse.Namespace, out: TextIO) -> int:
    library = open_library(args)
    progress = _ProgressBar(out) if out.isatty() else None
    report = library.update_index(rebuild=args.rebuild, progress=progress)
    if progress:
        progress.finish()
    for skipped in report.skipped:
        print(f"lectern: warning: not indexed: {skipped}", file=sys.stderr)
    out.write(report.summary() + "\n")
    return 1 if report.busy else 0


class _ProgressBar:
    """``indexing [#####-----] 120/2000`` redrawn in place on a terminal."""

    def __init__(self, out: TextIO):
        self.out = out
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if done != total and done % max(1, total // 200):
            return  # redraw about 200 times, not once per article
        filled = BAR_WIDTH * done // max(total, 1)
        self.out.write(f"\rindexing [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {done}/{total}")
        self.out.flush()
        self.drawn = True

    def finish(self) -> None:
        if self.drawn:
            self.out.write("\n")
