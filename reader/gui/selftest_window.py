"""The Qt half of ``lectern self-test``: build the main window, show it, render it.

``reader.selftest`` stays free of Qt (only ``reader/gui/`` imports PySide6) and
calls :func:`render_main_window` for its window check. The window comes from
``reader.gui.app.create_main_window(library, paths)``, the same function the
normal start-up uses, so the check exercises the real window, its resources
(icon, style sheets) and the Qt plugins a packaged build ships.
"""

from __future__ import annotations

from pathlib import Path
from typing import Sequence

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication

from ..library import Library
from ..paths import AppPaths
from .render import IMAGE_SCHEME

BACKGROUND_WAIT_MS = 30_000  # start-up work the window queued (a scan, an index update)


class WindowCheckFailed(Exception):
    """The window could not be shown or rendered; the message says why."""


def render_main_window(library: Library, paths: AppPaths, article_id: str = "", section_id: str = "",
                       image_page: str = "", images: Sequence[str] = ()) -> str:
    """Create and show the main window, open an article in it, render it; return a one-line description.

    ``image_page`` (an archive page) is opened afterwards: each of its ``images`` (paths in the
    archive) must be decoded and shown, which takes Qt's image plugin for its type."""
    from .app import create_main_window  # makes the QApplication, as a normal start does

    window = create_main_window(library, paths)
    app = QApplication.instance()
    try:
        window.show()
        if article_id and not window.open_article(article_id, section_id):
            raise WindowCheckFailed(f"the window could not open {article_id!r}")
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
        opened = f", {article_id!r} open" if article_id else ""
        shown = _show_images(window, image_page, images) if image_page else ""
        return f"main window {image.width()}x{image.height()} rendered ({colours} colours){opened}, icon set{shown}"
    finally:
        window.close()
        QThreadPool.globalInstance().waitForDone(BACKGROUND_WAIT_MS)
        window.deleteLater()
        app.processEvents()


def _show_images(window, page: str, images: Sequence[str]) -> str:
    """Open the archive page; every image of it must have been decoded and shown."""
    if not window.open_article(page):
        raise WindowCheckFailed(f"the window could not open {page!r}")
    window.view.viewport().grab()  # lays the page out: its images are asked for
    shown = {url.removeprefix(IMAGE_SCHEME + ":") for url in window.view.shown_images}
    missing = [path for path in images if path not in shown]
    if missing:
        raise WindowCheckFailed(f"images not shown (an image plugin missing?): {', '.join(missing)}")
    return f", {len(images)} archive images shown ({', '.join(sorted({Path(p).suffix[1:] for p in images}))})"


def _colours(image) -> int:
    """Distinct colours on a coarse grid: more than one means something was painted."""
    step = max(1, min(image.width(), image.height()) // 40)
    return len({image.pixel(x, y) for x in range(0, image.width(), step) for y in range(0, image.height(), step)})
