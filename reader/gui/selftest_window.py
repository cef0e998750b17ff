"""The Qt half of ``lectern self-test``: build the main window, show it, render it.

``reader.selftest`` stays free of Qt (only ``reader/gui/`` imports PySide6) and
calls :func:`render_main_window` for its window check. The window comes from
``reader.gui.app.create_main_window(library, paths)``, the same function the
normal start-up uses, so the check exercises the real window, its resources
(icon, style sheets) and the Qt plugins a packaged build ships.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from ..library import Library
from ..paths import AppPaths

BACKGROUND_WAIT_MS = 30_000  # start-up work the window queued (a scan, an index update)


class WindowCheckFailed(Exception):
    """The window could not be shown or rendered; the message says why."""


def render_main_window(library: Library, paths: AppPaths) -> str:
    """Create, show and render the main window; return a one-line description."""
    app = QApplication.instance() or QApplication(sys.argv[:1] or ["lectern"])
    window, origin = _main_window(library, paths)
    try:
        window.show()
        app.processEvents()
        if not window.isVisible():
            raise WindowCheckFailed("the main window did not become visible")
        image = window.grab().toImage()
        if image.isNull() or image.width() == 0 or image.height() == 0:
            raise WindowCheckFailed("the main window rendered an empty image")
        colours = _colours(image)
        if colours < 2:
            raise WindowCheckFailed("the main window rendered as a blank image")
        if window.windowIcon().pixmap(32, 32).isNull():
            raise WindowCheckFailed("the window has no icon (resources/icons/lectern.svg)")
        return f"{origin} {image.width()}x{image.height()} rendered ({colours} colours), icon set"
    finally:
        window.close()
        QThreadPool.globalInstance().waitForDone(BACKGROUND_WAIT_MS)
        window.deleteLater()
        app.processEvents()


def _main_window(library: Library, paths: AppPaths) -> tuple[QWidget, str]:
    from . import app as gui_app

    create = getattr(gui_app, "create_main_window", None)
    if create is None:  # the desktop-reader window has not landed: prove Qt itself works
        return _stand_in_window(), "stand-in window (reader.gui.app.create_main_window is missing)"
    return create(library, paths), "main window"


def _stand_in_window() -> QWidget:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QLabel

    from ..paths import bundle_root

    window = QLabel("Lectern self-test")
    window.setWindowTitle("Lectern")
    window.setWindowIcon(QIcon(str(bundle_root() / "resources" / "icons" / "lectern.svg")))
    window.resize(640, 400)
    return window


def _colours(image) -> int:
    """Distinct colours on a coarse grid: more than one means something was painted."""
    step = max(1, min(image.width(), image.height()) // 40)
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})
