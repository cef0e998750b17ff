"""Start the window (a minimal one until the desktop-reader issue lands)."""

from __future__ import annotations

import argparse
import sys


def run(args: argparse.Namespace, extra: list[str]) -> int:
    from PySide6.QtWidgets import QApplication, QListWidget

    from ..library import Library
    from ..paths import resolve

    app = QApplication.instance() or QApplication(sys.argv[:1])
    library = Library(resolve(args.data_dir).ensure(), include_bundled=not args.no_bundled)
    library.rescan()
    window = QListWidget()
    window.setWindowTitle("Lectern")
    window.addItems([a.title for a in library.articles()])
    window.resize(800, 600)
    window.show()
    return app.exec()
