"""Commands about the application itself: ``self-test``."""

from __future__ import annotations

import argparse
from typing import TextIO


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "self-test",
        help="check that this installation works (content, search, notes, window), in a temp dir",
        description="Parse the bundled content, build and query a search index, write and read back a "
        "note and a bookmark, and render the main window (offscreen without a display), all in a "
        "temporary directory; your own data is not touched. Exits 0 when every check passes.",
    )
    p.add_argument("--verbose", action="store_true", help="print a traceback for unexpected errors")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory for inspection")
    p.set_defaults(func=cmd_self_test)


def cmd_self_test(args: argparse.Namespace, out: TextIO) -> int:
    from ..selftest import run_self_test

    return run_self_test(out, verbose=args.verbose, keep=args.keep)
