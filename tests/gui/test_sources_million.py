"""A library with a source of 1,000,000 generated articles: the window, the library list,
its filter, search and suggestions work, and no call hands out more than a page of titles
(a counting wrapper around the source proves it). Speed is measured by
benchmarks/bench_sources.py, not here."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt

from reader.gui.library_panel import FILTER_LIMIT
from reader.library import Library
from reader.sources.base import PAGE_SIZE
from tests.synthetic_source import CountingSource, SyntheticSource

from .shell_support import close_window, drain, open_window

SIZE = 1_000_000
LARGEST_CALL = max(PAGE_SIZE, FILTER_LIMIT)  # the most any list asks for at once
TOTAL_BOUND = 5_000  # every title handed out in one test: 0.5% of the source (about 1,500 are)


@pytest.fixture
def million(app_paths):
    library = Library(app_paths)
    library.rescan()
    source = CountingSource(SyntheticSource(SIZE), page=LARGEST_CALL)
    library.attach_source(source)
    yield library, source
    drain()
    library.close()


@pytest.fixture
def million_window(qtbot, million, app_paths):
    library, source = million
    window = open_window(qtbot, library, app_paths)
    yield window, source
    close_window(window)


def _bounded(source: CountingSource) -> None:
    assert source.log.largest <= LARGEST_CALL
    assert source.log.total <= TOTAL_BOUND, f"{source.log.total} titles handed out: something enumerated"


def test_the_window_opens_and_the_list_scrolls_to_the_millionth_title(qtbot, million_window):
    window, source = million_window
    panel = window.library_panel
    assert panel.article_count() == SIZE + 1  # the bundled seed article and the archive
    assert panel.model.rowCount() < SIZE and panel.model.canFetchMore()
    while panel.model.canFetchMore():
        rows = panel.model.rowCount()
        panel.list.scrollToBottom()
        qtbot.waitUntil(lambda: panel.model.rowCount() > rows or not panel.model.canFetchMore())
    assert panel.model.rowCount() == SIZE + 1
    last = panel.model.index(SIZE, 0)
    assert last.data() == "Zulu 0999999"
    panel.list.scrollToBottom()
    bottom = QPoint(2, panel.list.viewport().height() - 3)
    qtbot.waitUntil(lambda: panel.list.indexAt(bottom).row() == SIZE)  # the last row is on screen
    _bounded(source)


def test_the_filter_asks_the_source_for_a_prefix(qtbot, million_window):
    window, source = million_window
    panel = window.library_panel
    panel.filter_field.setText("kilo 04200")
    assert panel.visible_titles() == [f"Kilo 04200{n:02d}" for n in range(100)] and not panel.more_note.isVisible()
    qtbot.keyClick(panel.filter_field, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.view.article is not None and window.view.article.title == "Kilo 0420000")
    panel.filter_field.setText("alfa")  # 38,462 matches: the first FILTER_LIMIT are shown
    assert len(panel.visible_titles()) == FILTER_LIMIT and panel.visible_titles()[0] == "Alfa 0000000"
    assert panel.more_note.isVisible() and "type more" in panel.more_note.text()
    panel.filter_field.clear()
    assert panel.model.rowCount() == PAGE_SIZE and not panel.model.filtered and not panel.more_note.isVisible()
    _bounded(source)


def test_selecting_an_article_deep_in_the_archive_reads_one_page(qtbot, million_window):
    window, source = million_window
    assert window.open_article("syn-0765432")
    panel = window.library_panel
    qtbot.waitUntil(lambda: panel.current_article_id() == "syn-0765432")
    assert panel.list.currentIndex().data() == window.library.title_entry("syn-0765432").title
    _bounded(source)


def test_search_and_suggestions_work_beside_the_archive(qtbot, million):
    library, source = million
    library.update_index()  # the folders only: the archive is not in Lectern's full-text index
    labels = [s.label for s in library.suggest("zulu 099999", limit=5)]
    assert labels == [f"Zulu 099999{n}" for n in range(5)]
    assert [s.label for s in library.suggest("2023 azer", limit=3)][0].startswith("2023 Azerbaijani")
    results = library.search("Nagorno-Karabakh")
    assert results.total > 0 and all(not hit.article_id.startswith("syn-") for hit in results.hits)
    assert library.article("syn-0000007").title == "Alfa 0000007"
    _bounded(source)


def test_the_wrapper_catches_a_call_that_enumerates(million):
    library, _ = million
    with pytest.raises(AssertionError, match="more than a page"):
        library.articles()  # the deprecated materialising call: what no part of Lectern may do
