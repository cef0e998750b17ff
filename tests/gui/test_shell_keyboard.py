"""Keyboard work: the find bar never pins the page, panel shortcuts bring their panel to
the front, caret mode selects text for quoting, a note editor does not outlive its section."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.conftest import SEED_ID

from .shell_support import window  # noqa: F401 - fixture

WAIT = 20_000


def _focus_window(qtbot, window):
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_an_open_find_bar_does_not_pin_the_page(qtbot, window):
    view, bar = window.view, window.find_bar
    bar.open_bar()
    qtbot.keyClicks(bar.field, "Stepanakert")
    assert bar.count > 1 and view.textCursor().hasSelection()
    sections = [s.id for s in view.article.sections]
    target = sections[-2]
    window.toc.section_activated.emit(target)  # a Contents click
    assert view.current_section_id() == target
    QApplication.processEvents()
    assert view.current_section_id() == target
    window.actions_by_name["previous_section"].trigger()  # Alt+Up
    QApplication.processEvents()
    assert view.current_section_id() == sections[-3]
    assert bar.isVisible() and bar.count > 1  # the bar stays, its matches still counted
    first_there = bar.current
    window.actions_by_name["find_next"].trigger()  # F3: the first match at the new place, not the one after
    assert bar.current == first_there
    assert view.textCursor().selectionStart() == bar.matches[first_there].selectionStart()
