"""The command line: ``lectern [--data-dir DIR] [--no-bundled] [COMMAND ...]``.

Every command is a thin layer over :class:`reader.library.Library`. Command
groups live in their own modules listed in :data:`COMMAND_MODULES`; each has a
``register(subparsers)`` function that adds its sub-commands and sets
``func(args, out) -> int`` as their handler.

Exit codes: 0 success, 1 a user error (message on stderr, no traceback),
2 a usage error (argparse's own).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import Sequence

from .. import __version__
from ..errors import LecternError

COMMAND_MODULES = [
    "reader.cli.library_cmds",
    "reader.cli.search_cmds",
    "reader.cli.userdata_cmds",
    "reader.cli.app_cmds",
]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lectern",
        description="Lectern, an offline reader for sectioned articles. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"lectern {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="keep all user data, cache and settings under DIR")
    parser.add_argument("--no-bundled", action="store_true", help="leave the bundled articles out of the library")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    paths_at = _paths_for_the_window(argv, parser)
    if paths_at is not None:  # `lectern [OPTIONS] PATH...`: open or add them in the window
        args = parser.parse_args(argv[:paths_at])
        return _guarded(_run_gui, args, argv[paths_at:])
    args, extra = parser.parse_known_args(argv)
    if args.command is None:
        unknown_options = [a for a in extra if a.startswith("-")]
        if unknown_options:
            parser.error("unrecognized arguments: " + " ".join(unknown_options))
        return _guarded(_run_gui, args, extra)
    if extra:
        parser.error("unrecognized arguments: " + " ".join(extra))
    return _guarded(args.func, args, sys.stdout)


def _guarded(command, *args) -> int:
    """Run a command or the window: a user error is one line on stderr and exit status 1.

    The notices of what the command opened are printed after it (:func:`common.print_notices`).
    """
    from .common import print_notices

    try:
        code = command(*args)
    except LecternError as exc:
        print_notices(str(exc))
        print(f"lectern: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lectern: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    print_notices()
    return code


def _paths_for_the_window(argv: list[str], parser: argparse.ArgumentParser) -> int | None:
    """Where file or folder arguments start when the first positional is an existing path, not a command.

    A first word that is neither a command nor an existing path is left to
    argparse, so a typo (``lectern serch``) stays a usage error.
    """
    commands = next(a.choices for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--data-dir":
            i += 2
        elif word.startswith("-"):
            i += 1
        else:
            return i if word not in commands and os.path.exists(word) else None
    return None


def _run_gui(args: argparse.Namespace, extra: list[str]) -> int:
    """Open the window; extra arguments are files or folders to open or add."""
    from ..paths import resolve

    resolve(args.data_dir)  # a bad --data-dir is reported before anything else (it creates nothing)
    missing = _missing_display()
    if missing:
        print(f"lectern: error: {missing}", file=sys.stderr)
        return 1
    try:
        from ..gui.app import run
    except ImportError as exc:
        print(f"lectern: error: the window needs PySide6 ({exc})", file=sys.stderr)
        return 1
    return run(args, extra)


def _missing_display(environ=None) -> str | None:
    """Why the window cannot open here, or None.

    On X11/Wayland systems Qt aborts with an unhelpful "reinstalling may fix
    this" when there is no display; say what is wrong and what still works.
    """
    environ = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") and "bsd" not in sys.platform:
        return None
    if environ.get("QT_QPA_PLATFORM") or environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"):
        return None
    return (
        "no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set), so the window cannot open. "
        "The commands work without one: see `lectern --help`; `QT_QPA_PLATFORM=offscreen` forces a hidden window."
    )
