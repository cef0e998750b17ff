"""Fixtures and helpers for the main-window tests (``test_shell_*.py``).

``window`` is the real main window from ``create_main_window`` on the test's own
data dir, shown offscreen; it is closed (saving its state) and background work
is drained before the library fixture closes the library.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QThreadPool, QUrl
from PySide6.QtGui import QDropEvent

from reader.library import Library
from tests.conftest import DATA

WAIT_MS = 20_000


def article_file(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def add_linked_articles(qtbot, window, folder: Path) -> tuple[str, str]:
    """Two articles in ``folder`` added to the window's library: "Alpha article", whose
    See also links to "Beta article" (and names "Gamma", no article); their ids."""
    article_file(folder, "a.txt", "= Alpha article =\n\nLead.\n\n== See also ==\n\n- Beta article\n- Gamma\n")
    article_file(folder, "b.txt", "= Beta article =\n\nThe second one.\n")
    window.library.add_sources([folder])
    alpha = window.library.find_by_title("Alpha article").id
    beta = window.library.find_by_title("Beta article").id
    qtbot.waitUntil(lambda: window.library_panel.article_count() == 3)
    return alpha, beta


def library_of_one_file(app_paths, path: Path, text: str) -> tuple[Library, Path]:
    """A library (no bundled articles) whose one source is a folder holding ``path`` with ``text``."""
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    library = Library(app_paths, include_bundled=False)
    library.add_sources([path.parent])
    return library, path


def drop_event(*urls: QUrl) -> QDropEvent:
    """A copy drop of ``urls`` (e.g. ``QUrl.fromLocalFile``) for a widget's ``dropEvent``."""
    mime = QMimeData()
    mime.setUrls(list(urls))
    event = QDropEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    event.mime = mime  # the event does not own its data: keep it alive as long as the event
    return event


def heading_texts(view) -> list[str]:
    """Texts of the heading blocks in the reading view's document, in order."""
    doc = view.document()
    block, found = doc.begin(), []
    while block.isValid():
        if block.blockFormat().headingLevel() > 0:
            found.append(block.text())
        block = block.next()
    return found


def drain() -> None:
    QThreadPool.globalInstance().waitForDone(WAIT_MS)


def open_window(qtbot, library, paths):
    from reader.gui.app import create_main_window

    window = create_main_window(library, paths)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close_window(window) -> None:
    drain()
    window.close()
    drain()


@pytest.fixture
def data_library(app_paths, tmp_path):
    """The seed article plus the three wikitext sample articles (copied, so tests may edit them)."""
    folder = tmp_path / "articles"
    shutil.copytree(DATA / "wikitext", folder)
    lib = Library(app_paths)
    lib.rescan()
    lib.add_sources([folder])
    yield lib
    drain()
    lib.close()


@pytest.fixture
def window(qtbot, library, app_paths):
    win = open_window(qtbot, library, app_paths)
    yield win
    close_window(win)


@pytest.fixture
def data_window(qtbot, data_library, app_paths):
    win = open_window(qtbot, data_library, app_paths)
    yield win
    close_window(win)
