"""Layout at 1366 × 768: reading-width feedback, the Contents tree in a narrow sidebar,
a result count that belongs to its query."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from reader.gui.toc import INDENT_PX
from tests.conftest import SEED_ID

from .shell_support import window  # noqa: F401 - fixture

WAIT = 20_000


def _laptop(qtbot, window):
    window.resize(1366, 768)
    qtbot.waitUntil(lambda: window.width() == 1366)
    QApplication.processEvents()


def test_reading_width_changes_say_what_they_did(qtbot, window):
    _laptop(qtbot, window)
    for dock in window.docks.values():
        dock.show()
    window.splitter.setSizes([240, 1366 - 240 - 600])
    window.actions_by_name["width_wide"].trigger()
    message = window.statusBar().currentMessage()
    column = window.view.reading_column_px()
    assert "Wide" in message and "960" in message and f"{column} px" in message and "fit" in message
    window.actions_by_name["toggle_sidebar"].trigger()
    for dock in window.docks.values():
        dock.hide()
    qtbot.waitUntil(lambda: window.view.viewport().width() > 700)
    window.actions_by_name["width_narrow"].trigger()
    message = window.statusBar().currentMessage()
    assert message == f"Reading width Narrow: {window.view.reading_column_px()} px"
    assert window.view.reading_column_px() <= 620


def test_contents_headings_elide_with_even_indentation(qtbot, window):
    _laptop(qtbot, window)
    window.splitter.setSizes([240, 1366 - 240])
    toc = window.toc
    article = window.view.article
    levels = {}
    for section in article.sections:
        item = toc.item_for(section.id)
        depth, parent = 0, item.parent()
        while parent is not None:
            depth, parent = depth + 1, parent.parent()
        levels[section.id] = depth
    assert toc.item_for(article.sections[1].id).parent() is None  # beside the title, not under it
    xs = {}
    for section in article.sections[1:]:
        rect = toc.visualItemRect(toc.item_for(section.id))
        xs.setdefault(levels[section.id], set()).add(rect.x())
        assert rect.right() <= toc.viewport().width()  # elided, never wider than the panel
    assert all(len(found) == 1 for found in xs.values())  # one indentation per level
    depths = sorted(xs)
    steps = {min(xs[b]) - min(xs[a]) for a, b in zip(depths, depths[1:])}
    assert steps == {INDENT_PX}
    assert toc.horizontalScrollBar().maximum() == 0


def test_search_count_clears_under_a_different_query(qtbot, window):
    panel = window.search_panel
    if panel is None:
        import pytest

        pytest.skip("no search panel in this build")
    with qtbot.waitSignal(window.index_ready, timeout=WAIT):
        window.update_index()
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("Artsakh")
    assert "result" in panel.status.text()
    panel.query.setFocus()
    qtbot.keyClicks(panel.query, " ceasefire")
    assert panel.status.text() == ""
