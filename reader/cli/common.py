"""Helpers shared by the command modules: opening the library and printing."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TextIO

from ..library import Library
from ..paths import resolve


def open_library(args: argparse.Namespace, scan: bool = True) -> Library:
    """The library for the CLI's options, rescanned so the answer reflects the disk."""
    paths = resolve(args.data_dir).ensure()
    library = Library(paths, include_bundled=not args.no_bundled)
    for message in library.messages:
        print(f"lectern: warning: {message}", file=sys.stderr)
    if scan:
        library.rescan()
    return library


def print_json(data: object, out: TextIO) -> None:
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


def plural(count: int, word: str) -> str:
    """``1 note``, ``2 notes``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
