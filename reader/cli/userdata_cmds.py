"""Bookmarks, notes and backups: ``lectern bookmarks ...``, ``lectern notes ...``, ``backup``, ``restore``.

Ids may be shortened to any unique prefix (as shown by ``list``).
"""

from __future__ import annotations

import argparse
import functools
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TextIO

from ..errors import LecternError, UnknownArticleError
from ..model import LEAD_LABEL, LEAD_SECTION_ID, section_label
from ..userdata.exchange import write_export
from ..userdata.store import TRASH_DAYS
from .common import open_library, plural, print_json


def register(subparsers) -> None:
    _register_bookmarks(subparsers)
    _register_notes(subparsers)
    p = subparsers.add_parser("backup", help="copy the notes database into the backups folder")
    p.set_defaults(func=cmd_backup)
    p = subparsers.add_parser("restore", help="replace bookmarks, notes and reading state with a backup's")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_restore)


def _register_bookmarks(subparsers) -> None:
    group = subparsers.add_parser("bookmarks", help="list, add, rename, move or remove bookmarks")
    sub = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("list", help="list bookmarks")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_bookmarks_list)
    p = sub.add_parser("add", help="bookmark an article or one of its sections")
    p.add_argument("article_id", metavar="ARTICLE_ID")
    p.add_argument("--section", metavar="ID")
    p.add_argument("--name", metavar="N")
    p.add_argument("--folder", metavar="F")
    p.set_defaults(func=cmd_bookmarks_add)
    p = sub.add_parser("rename", help="rename a bookmark")
    p.add_argument("id", metavar="ID")
    p.add_argument("name", metavar="NAME")
    p.set_defaults(func=cmd_bookmarks_rename)
    p = sub.add_parser("move", help="move a bookmark to a folder ('' for none)")
    p.add_argument("id", metavar="ID")
    p.add_argument("folder", metavar="FOLDER")
    p.set_defaults(func=cmd_bookmarks_move)
    p = sub.add_parser("remove", help="delete a bookmark")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=cmd_bookmarks_remove)


def _register_notes(subparsers) -> None:
    group = subparsers.add_parser("notes", help="list, add, edit, delete, export or import notes")
    sub = group.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = sub.add_parser("list", help="list notes")
    p.add_argument("--article", metavar="ID")
    p.add_argument("--orphaned", action="store_true", help="only notes that lost their place")
    p.add_argument("--changed", action="store_true",
                   help="only notes whose passage re-anchoring moved or lost, not yet reviewed")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_notes_list)
    p = sub.add_parser("add", help="add a note to a section")
    p.add_argument("article_id", metavar="ARTICLE_ID")
    p.add_argument("--section", metavar="ID", required=True)
    p.add_argument("--text", metavar="TEXT", required=True)
    p.add_argument("--quote", metavar="Q", help="a passage of the section the note is about")
    p.add_argument("--tag", metavar="T", action="append", default=[])
    p.set_defaults(func=cmd_notes_add)
    p = sub.add_parser("edit", help="replace a note's text")
    p.add_argument("id", metavar="ID")
    p.add_argument("--text", metavar="TEXT", required=True)
    p.set_defaults(func=cmd_notes_edit)
    p = sub.add_parser("delete", help="move a note to the trash (restore it with 'notes restore ID')")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=cmd_notes_delete)
    p = sub.add_parser("trash", help=f"list deleted notes (kept {TRASH_DAYS} days), or empty the trash")
    p.add_argument("--empty", action="store_true", help="delete the notes in the trash for good")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_notes_trash)
    p = sub.add_parser("restore", help="take a deleted note out of the trash")
    p.add_argument("id", metavar="ID")
    p.set_defaults(func=cmd_notes_restore)
    p = sub.add_parser("export", help="export notes as Markdown, JSON (with bookmarks) or W3C annotations")
    p.add_argument("--format", choices=("markdown", "json", "w3c"), required=True)
    p.add_argument("--article", metavar="ID", help="only this article's notes")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.set_defaults(func=cmd_notes_export)
    p = sub.add_parser("import", help="import a JSON or W3C export (notes already present are skipped)")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=cmd_notes_import)


def _run(action, with_library: bool = False):
    """A command handler that gets the opened store (and the library if asked); both are closed afterwards.

    The store's notices (a damaged or read-only database) are printed when the
    command ends, with the others (``common.print_notices``).
    """

    @functools.wraps(action)
    def handler(args: argparse.Namespace, out: TextIO) -> int:
        library = open_library(args)
        try:
            store = library.store
            return action(library, store, args, out) if with_library else action(store, args, out)
        finally:
            library.close()

    return handler


def _note_json(note) -> dict:
    data = asdict(note)
    data["section_path"], data["tags"] = list(note.section_path), list(note.tags)
    return data


# ---------------------------------------------------------------- bookmarks

@_run
def cmd_bookmarks_list(store, args: argparse.Namespace, out: TextIO) -> int:
    marks = store.bookmarks()
    if args.json:
        print_json([asdict(b) for b in marks], out)
        return 0
    for b in marks:
        target = b.article_id + (f"#{b.section_id}" if b.section_id else "")
        folder = f"[{b.folder}] " if b.folder else ""
        out.write(f"{b.id[:8]}  {folder}{b.name}  ({target})\n")
    out.write(plural(len(marks), "bookmark") + "\n")
    return 0


@_run
def cmd_bookmarks_add(store, args: argparse.Namespace, out: TextIO) -> int:
    b = store.add_bookmark(args.article_id, args.section, args.name, args.folder)
    out.write(f"{b.id}  {b.name}\n")
    return 0


@_run
def cmd_bookmarks_rename(store, args: argparse.Namespace, out: TextIO) -> int:
    bookmark_id = store.find_id("bookmark", args.id)
    b = store.rename_bookmark(bookmark_id, args.name)
    out.write(f"{b.id}  {b.name}\n")
    return 0


@_run
def cmd_bookmarks_move(store, args: argparse.Namespace, out: TextIO) -> int:
    bookmark_id = store.find_id("bookmark", args.id)
    b = store.move_bookmark(bookmark_id, args.folder)
    out.write(f"{b.id}  {b.folder or '(no folder)'}\n")
    return 0


@_run
def cmd_bookmarks_remove(store, args: argparse.Namespace, out: TextIO) -> int:
    bookmark_id = store.find_id("bookmark", args.id)
    store.remove_bookmark(bookmark_id)
    out.write(f"removed {bookmark_id}\n")
    return 0


# ---------------------------------------------------------------- notes

@functools.partial(_run, with_library=True)
def cmd_notes_list(library, store, args: argparse.Namespace, out: TextIO) -> int:
    notes = store.notes(article_id=args.article, orphaned=True if args.orphaned else None)
    if args.article and not notes and not (library.has_article(args.article) or library.is_hidden(args.article)):
        raise UnknownArticleError(args.article)  # no note on it, and no such article: a typo, not "0 notes"
    if args.changed:
        to_review = {n.id for n in store.notes_to_review()}
        notes = [n for n in notes if n.id in to_review]
    if args.json:
        print_json([_note_json(n) for n in notes], out)
        return 0
    for n in notes:
        out.write(_note_line(n) + "\n")
    out.write(plural(len(notes), "note") + "\n")
    return 0


def _note_line(n, flag: str = "") -> str:
    where = section_label(n.section_path) or (LEAD_LABEL if n.section_id == LEAD_SECTION_ID else n.section_id)
    flag += " ORPHANED" if n.orphaned else _state_flag(n)
    first_line = (n.text.strip().splitlines() or [f"> {n.quote}" if n.quote else "(empty note)"])[0]
    return f"{n.id[:8]}  {n.article_id} › {where}{flag}: {first_line[:70]}"


def _state_flag(note) -> str:
    """" MOVED (87% alike)" / " PASSAGE GONE" when re-anchoring changed the passage (``anchor_state``)."""
    if note.anchor_state == "moved":
        return f" MOVED ({note.similarity:.0%} alike)" if note.similarity is not None else " MOVED"
    return " PASSAGE GONE" if note.anchor_state == "section" and note.quote else ""


@_run
def cmd_notes_add(store, args: argparse.Namespace, out: TextIO) -> int:
    note = store.add_note(args.article_id, args.section, args.text, quote=args.quote, tags=args.tag)
    out.write(f"{note.id}\n")
    return 0


@_run
def cmd_notes_edit(store, args: argparse.Namespace, out: TextIO) -> int:
    note_id = store.find_id("note", args.id)
    note = store.edit_note(note_id, text=args.text)
    out.write(f"{note.id}\n")
    return 0


@_run
def cmd_notes_delete(store, args: argparse.Namespace, out: TextIO) -> int:
    note_id = store.find_id("note", args.id)
    store.delete_note(note_id)
    out.write(f"moved {note_id} to the trash (lectern notes restore {note_id[:8]} brings it back)\n")
    return 0


@_run
def cmd_notes_trash(store, args: argparse.Namespace, out: TextIO) -> int:
    if args.empty:
        out.write(f"deleted {plural(store.empty_trash(), 'note')} for good\n")
        return 0
    notes = store.trash()
    if args.json:
        print_json([_note_json(n) for n in notes], out)
        return 0
    for n in notes:
        out.write(_note_line(n, f" (deleted {n.deleted[:16].replace('T', ' ')})") + "\n")
    out.write(plural(len(notes), "note") + f" in the trash; each is deleted for good {TRASH_DAYS} days after it was deleted\n")
    return 0


@_run
def cmd_notes_restore(store, args: argparse.Namespace, out: TextIO) -> int:
    note_id = store.find_id("note", args.id)
    store.restore_note(note_id)
    out.write(f"restored {note_id}\n")
    return 0


@_run
def cmd_notes_export(store, args: argparse.Namespace, out: TextIO) -> int:
    text = store.export_notes(args.format, article_id=args.article)
    if not args.output:
        out.write(text)
        return 0
    try:
        write_export(Path(args.output), text)
    except OSError as exc:
        raise LecternError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


@_run
def cmd_notes_import(store, args: argparse.Namespace, out: TextIO) -> int:
    report = store.import_notes(Path(args.file))
    out.write(f"{report}\n")
    return 0


# ---------------------------------------------------------------- backups

@_run
def cmd_backup(store, args: argparse.Namespace, out: TextIO) -> int:
    out.write(f"{store.backup()}\n")
    return 0


@_run
def cmd_restore(store, args: argparse.Namespace, out: TextIO) -> int:
    store.restore(args.file)
    out.write(f"restored {args.file} ({plural(len(store.notes()), 'note')}, {plural(len(store.bookmarks()), 'bookmark')})\n")
    return 0
