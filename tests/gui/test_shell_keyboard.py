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


def _press(qtbot, window, name: str) -> None:
    """The action's shortcut, typed into whatever has focus."""
    key = window.actions_by_name[name].shortcut()
    combo = key[0]
    qtbot.keyClick(QApplication.focusWidget() or window, combo.key(), combo.keyboardModifiers())


def test_panel_shortcuts_bring_their_panel_to_the_front_and_back_to_the_article(qtbot, window):
    if window.notes_panel is None or window.bookmarks_panel is None or window.search_panel is None:
        import pytest

        pytest.skip("the side panels are not in this build")
    _focus_window(qtbot, window)
    view = window.view
    view.setFocus()
    for name, attribute, target in (("focus_bookmarks_panel", "bookmarks_panel", window.bookmarks_panel.tree),
                                    ("focus_notes_panel", "notes_panel", window.notes_panel.list),
                                    ("focus_search_panel", "search_panel", window.search_panel.query)):
        dock = window.docks[attribute]
        assert window.actions_by_name[name].shortcut().toString() in ("Ctrl+Shift+B", "Ctrl+Shift+M", "Ctrl+Shift+S")
        _press(qtbot, window, name)
        assert dock.isVisible() and not dock.visibleRegion().isEmpty(), attribute  # the front tab
        assert QApplication.focusWidget() is target, attribute
        _press(qtbot, window, name)  # again: back to the article, the panel stays
        assert QApplication.focusWidget() is view and dock.isVisible(), attribute
    window.docks["notes_panel"].close()  # a closed panel comes back too
    _press(qtbot, window, "focus_notes_panel")
    assert window.docks["notes_panel"].isVisible() and QApplication.focusWidget() is window.notes_panel.list


def test_library_shortcut_shows_and_focuses_the_library(qtbot, window):
    _focus_window(qtbot, window)
    window.actions_by_name["toggle_sidebar"].trigger()
    assert not window.sidebar.isVisible()
    window.view.setFocus()
    _press(qtbot, window, "focus_library")
    assert window.sidebar.isVisible() and QApplication.focusWidget() is window.library_panel.list
    assert window.actions_by_name["toggle_sidebar"].isChecked()
    _press(qtbot, window, "focus_library")
    assert QApplication.focusWidget() is window.view and window.sidebar.isVisible()


def test_caret_mode_selects_text_with_shift_arrows_for_a_quote(qtbot, window):
    _focus_window(qtbot, window)
    view = window.view
    window.open_article(SEED_ID, "background")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert not view.textCursor().hasSelection()  # off: the keys scroll, nothing is selected
    qtbot.keyClick(view, Qt.Key.Key_F7)
    assert window.actions_by_name["caret_mode"].isChecked()
    cursor = view.document().find("inhabited mostly")
    cursor.setPosition(cursor.selectionStart())
    view.setTextCursor(cursor)
    for _ in range(len("inhabited")):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_text() == "inhabited"
    if window.notes_panel is not None:
        qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
        assert window.notes_panel.editor.quote_label.text() == "inhabited"
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F7)
    assert not window.actions_by_name["caret_mode"].isChecked() and not view.caret_mode()


def test_an_untouched_note_editor_closes_when_the_reader_moves_on(qtbot, window):
    panel = window.notes_panel
    if panel is None:
        import pytest

        pytest.skip("no notes panel in this build")
    window.open_article(SEED_ID, "background")
    window.add_note_here()
    assert panel.editor.isVisible()
    window.go_section(+1)
    assert not panel.editor.isVisible()
    assert panel.current[1] == window.view.current_section_id()


def test_a_note_being_written_stays_with_its_section(qtbot, window):
    panel = window.notes_panel
    if panel is None:
        import pytest

        pytest.skip("no notes panel in this build")
    window.open_article(SEED_ID, "background")
    window.add_note_here()
    qtbot.keyClicks(panel.editor.text, "half a thought")
    window.go_section(+1)
    assert panel.editor.isVisible() and panel.editor.text.toPlainText() == "half a thought"
    assert panel.current == (SEED_ID, "background")  # the panel stays on the note's section
    assert "stays on its section" in window.statusBar().currentMessage()
    with qtbot.waitSignal(panel.saved, timeout=WAIT):
        panel.editor.save()
    assert panel.current == (SEED_ID, window.view.current_section_id()) != (SEED_ID, "background")
    assert [n.text for n in window.library.store.notes()] == ["half a thought"]


def test_a_selection_across_a_heading_is_refused_when_the_note_is_started(qtbot, window):
    """QA 15: it was accepted into the editor and failed only on Save, naming the raw section id."""
    from PySide6.QtGui import QTextCursor

    panel = window.notes_panel
    if panel is None:
        import pytest

        pytest.skip("no notes panel in this build")
    window.open_article(SEED_ID, "background")
    doc = window.view.document()
    start = doc.find("Subsequent to the 2020 war").selectionStart()
    end = doc.find("Prelude").selectionEnd()
    cursor = QTextCursor(doc)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    window.add_note_here()
    assert not panel.editor.isVisible()
    message = window.statusBar().currentMessage()
    assert "“Background” into “Prelude”" in message and "within one section" in message
    cursor.setPosition(start)
    cursor.setPosition(doc.find("Subsequent to the 2020 war").selectionEnd(), QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    window.add_note_here()  # within one section: accepted
    assert panel.editor.isVisible()
