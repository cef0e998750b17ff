"""Start the desktop reader: ``lectern [--data-dir DIR] [PATH...]``.

Start-up order is chosen for speed: the window is built from the manifest
already on disk (no parsing of the library), the last article is reopened,
the window is shown, and only then do the rescan and the search-index update
start in the background. ``create_main_window`` is also what
``lectern self-test`` renders offscreen.
"""

from __future__ import annotations

import argparse
import os
import sys

from PySide6.QtCore import QThreadPool, qFormatLogMessage, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from .. import APP_NAME
from . import messages
from .mainwindow import MainWindow

SHUTDOWN_WAIT_MS = 10_000
GIL_SWITCH_INTERVAL_S = 0.0002  # see ensure_app: keeps workers from starving the event loop


def app_icon() -> QIcon:
    from ..paths import bundle_root

    icons = bundle_root() / "resources" / "icons"
    icon = QIcon()
    svg = icons / "lectern.svg"
    if svg.exists():
        icon.addFile(str(svg))
    for size in (16, 24, 32, 48, 64, 128, 256):
        png = icons / f"lectern-{size}.png"
        if png.exists():
            icon.addFile(str(png))
    return icon


def ensure_app() -> QApplication:
    """The QApplication (created once), with Lectern's name, icon and error hook."""
    app = QApplication.instance()
    if app is None:
        use_utf8_locale_when_unset(os.environ)
        quiet_harmless_qt_messages()
        app = QApplication(sys.argv[:1] or ["lectern"])
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName("lectern")
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    messages.install_excepthook()
    # Workers (scans, indexing) share the GIL with the GUI thread. A worker that
    # does a little I/O per file (stat, read) keeps re-taking the GIL before the
    # waiting GUI thread's switch timeout expires (the "convoy effect"): with the
    # default 5 ms, adding 2,000 files stalled the event loop 120-370 ms; at
    # 0.2 ms it stays under 20 ms for the same scan speed (docs/performance.md).
    sys.setswitchinterval(GIL_SWITCH_INTERVAL_S)
    return app


def use_utf8_locale_when_unset(environ) -> bool:
    """Ask for C.UTF-8 when no locale is configured (``env -i``, a bare container); True if it did.

    Qt needs a UTF-8 locale: without one it switches to C.UTF-8 itself, after
    printing a four-line warning on every start. Python from source coerces the
    C locale already (PEP 538); a packaged build's bootloader does not.
    """
    if not sys.platform.startswith("linux") and "bsd" not in sys.platform:
        return False
    configured = environ.get("LC_ALL") or environ.get("LC_CTYPE") or environ.get("LANG") or ""
    if configured not in ("", "C", "POSIX"):
        return False
    environ["LC_ALL"] = "C.UTF-8"
    return True


# Qt messages that say nothing to the user: the offscreen platform (self-test, tests) cannot pass size hints on.
HARMLESS_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)


def quiet_harmless_qt_messages() -> None:
    """Drop :data:`HARMLESS_QT_MESSAGES`; every other Qt message is printed as before."""
    global _previous_qt_handler
    if _previous_qt_handler is not None:
        return

    def handler(mode, context, message) -> None:
        if message in HARMLESS_QT_MESSAGES:
            return
        if callable(_previous_qt_handler):
            _previous_qt_handler(mode, context, message)
        else:
            print(qFormatLogMessage(mode, context, message), file=sys.stderr)

    _previous_qt_handler = qInstallMessageHandler(handler) or True


_previous_qt_handler = None  # the handler before ours (True: Qt's default), once installed


def create_main_window(library, paths) -> MainWindow:
    """The main window on ``library``, with the last article reopened; not shown yet."""
    ensure_app()  # its window icon is every window's icon
    window = MainWindow(library, paths)
    window.restore_reading()
    return window


def run(args: argparse.Namespace, extra: list[str]) -> int:
    from ..library import Library
    from ..paths import resolve

    app = ensure_app()
    paths = resolve(args.data_dir).ensure()
    if extra:
        from .instance import hand_off

        if hand_off(paths, extra):
            print("lectern: opened in the Lectern window already running on this data dir")
            return 0
    library = Library(paths, include_bundled=not args.no_bundled)
    if not paths.manifest.exists() and not library.sources():
        library.rescan()  # first run: only the bundled articles, a few milliseconds
    window = create_main_window(library, paths)
    window.after_first_paint(window.start_background_work)
    window.after_first_paint(lambda: listen_for_other_instances(window, paths))
    window.show()
    if extra:
        open_paths(window, extra)
    try:
        return app.exec()
    finally:
        window.activity.cancel_all()
        QThreadPool.globalInstance().waitForDone(SHUTDOWN_WAIT_MS)
        library.close()


def listen_for_other_instances(window: MainWindow, paths):
    """Accept ``lectern PATH`` from later processes on the same data dir."""
    from .instance import InstanceServer

    server = InstanceServer(paths, window)

    def received(items: list[str]) -> None:
        open_paths(window, items)
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()

    server.paths_received.connect(received)
    if not server.listen():
        messages.show_info("Another Lectern window is using this data dir; files opened later go to it")
    return server


def open_paths(window: MainWindow, paths: list[str]) -> None:
    """``lectern PATH``: add the files or folders and open the first new article,
    or, when nothing was new, the article of the first file given."""

    def scanned(report) -> None:
        window.library_panel.scan_finished.disconnect(scanned)
        found = report.added + report.updated + report.moved
        known = None if found else next(filter(None, map(window.library.article_for_path, paths)), None)
        if found or known:
            window.open_article((found[0] if found else known).id)

    window.library_panel.scan_finished.connect(scanned)
    window.library_panel.add_paths(paths)
