"""Helpers shared by the command modules: opening the library and printing."""

from __future__ import annotations

from ..textutil import plural  # noqa: F401  (the CLI's commands import it from here)

import argparse
import json
import sys
from typing import TextIO

from ..library import Library
from ..notices import NOTE
from ..paths import resolve

_opened: list[Library] = []  # the libraries this command opened: their notices are printed when it ends


def open_library(args: argparse.Namespace, scan: bool = True) -> Library:
    """The library for the CLI's options, rescanned so the answer reflects the disk."""
    paths = resolve(args.data_dir).ensure()
    library = Library(paths, include_bundled=not args.no_bundled)
    _opened.append(library)
    if scan:
        library.rescan()
    return library


def print_notices(error: str = "") -> None:
    """Print, once, every notice of the library, index and store (the one channel) to stderr.

    Called when the command ends; a notice that the command's error already
    says is left out, so each problem is one line, and after an error only
    warnings are printed (not notes such as "building the index"). A condition
    that ended meanwhile (an index rebuild that finished) is not printed.
    """
    told: set[str] = set()
    for library in _opened:
        for notice in library.notices.posted():
            if notice.text in told or (error and (notice.text in error or notice.level == NOTE)):
                continue
            told.add(notice.text)
            print(f"lectern: {'note' if notice.level == NOTE else 'warning'}: {notice.text}", file=sys.stderr)
    _opened.clear()


def print_json(data: object, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


