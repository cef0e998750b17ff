"""The library panel's archive groups (issue 10): metadata and icon, titles page by page and by prefix,
the group row opens the main page."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from reader.gui.archive_groups import ID_ROLE
from reader.sources.base import PAGE_SIZE
from tests.sources.archive_source import ArchiveSource
from tests.sources.pages import write_archive

from .shell_support import close_window, open_window

PAGES = PAGE_SIZE + 50  # more than one page of titles


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory):
    pages = [(f"Page_{n:04d}", f"Page {n:04d}", f"<html><body><p>Text {n}.</p></body></html>") for n in range(PAGES)]
    return write_archive(tmp_path_factory.mktemp("groups") / "pages_2026-11.zim", pages, name="pages",
                         main="Page_0007", indexing=False)


@pytest.fixture
def window(qtbot, library, app_paths, big_archive):
    library.attach_source(ArchiveSource(big_archive))
    win = open_window(qtbot, library, app_paths)
    yield win
    close_window(win)


def test_an_archive_is_one_group_with_its_metadata_and_icon(window):
    tree = window.library_panel.archives
    model = tree.model()
    assert not tree.isHidden() and model.rowCount() == 1
    group = model.index(0, 0)
    assert model.data(group) == "Generated (eng · 2026-11-30)"
    assert "Creator: Lectern tests" in model.data(group, Qt.ItemDataRole.ToolTipRole)
    assert f"{PAGES:,} articles" in model.data(group, Qt.ItemDataRole.ToolTipRole)
    assert not model.data(group, Qt.ItemDataRole.DecorationRole).isNull()  # the 48x48 illustration


def test_titles_come_page_by_page(window):
    model = window.library_panel.archives.model()
    group = model.index(0, 0)
    assert model.rowCount(group) == 0 and model.hasChildren(group) and model.canFetchMore(group)
    model.fetchMore(group)
    assert model.rowCount(group) == PAGE_SIZE
    model.fetchMore(group)
    assert model.rowCount(group) == PAGES and not model.canFetchMore(group)
    assert model.data(model.index(PAGES - 1, 0, group), ID_ROLE) == f"zim:pages/Page_{PAGES - 1:04d}"


def test_the_filter_keeps_titles_by_prefix(qtbot, window):
    panel = window.library_panel
    panel.filter_field.setText("page 012")
    model = panel.archives.model()
    group = model.index(0, 0)
    titles = [model.data(model.index(r, 0, group)) for r in range(model.rowCount(group))]
    assert titles == [f"Page {n:04d}" for n in range(120, 130)]


def test_selecting_the_group_opens_the_main_page(qtbot, window):
    panel = window.library_panel
    group = panel.archives.model().index(0, 0)
    with qtbot.waitSignal(window.view.article_shown, timeout=20_000):
        panel.archives.clicked.emit(group)
    assert window.view.article_id == "zim:pages/Page_0007"
