"""The panels inside the real main window, driven by keyboard: search to section, notes to their place."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.conftest import SEED_ID

from .shell_support import window  # noqa: F401 - fixture

WAIT = 20_000  # ms; generous: other work may load this machine (never a sleep)

CEASEFIRE = "aftermath/ceasefire-violations"


def test_keyboard_search_lands_on_the_section_with_highlights(qtbot, window):
    window.library.update_index()
    window.actions_by_name["search"].trigger()  # Ctrl+K
    panel = window.search_panel
    assert panel.query.hasFocus() or window.focusWidget() is panel.query
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        qtbot.keyClicks(panel.query, "Asagi Ayrim")
        qtbot.keyClick(panel.query, Qt.Key.Key_Return)
    qtbot.keyClick(panel.query, Qt.Key.Key_Down)  # the article row
    qtbot.keyClick(panel.results, Qt.Key.Key_Down)  # its first hit
    qtbot.keyClick(panel.results, Qt.Key.Key_Return)
    assert window.view.article_id == SEED_ID
    assert window.view.current_section_id() == CEASEFIRE
    marked = {s.cursor.selectedText() for s in window.view.extraSelections()}
    assert {"Aşağı", "Ayrım"} <= marked


def test_note_on_the_selection_from_the_window_then_jump_back_from_all_notes(qtbot, window):
    window.open_article(SEED_ID, CEASEFIRE)
    view = window.view
    cursor = view.document().find("continued to shell Stepanakert")
    assert not cursor.isNull()
    view.setTextCursor(cursor)
    window.actions_by_name["add_note"].trigger()  # Ctrl+Shift+N
    notes = window.notes_panel
    assert notes.editor.quote_label.text() == "continued to shell Stepanakert"
    qtbot.keyClicks(notes.editor.text, "quoted from the window")
    with qtbot.waitSignal(notes.saved, timeout=WAIT):
        qtbot.mouseClick(notes.editor.save_button, Qt.MouseButton.LeftButton)
    [note] = window.library.store.notes()
    assert (note.section_id, note.quote) == (CEASEFIRE, "continued to shell Stepanakert")

    window.open_article(SEED_ID, "background")
    notes.all_action.trigger()
    all_notes = notes._all_notes
    qtbot.waitUntil(lambda: len(all_notes.shown_notes()) == 1, timeout=WAIT)
    all_notes.tree.setCurrentItem(all_notes.tree.topLevelItem(0))
    all_notes.tree.setFocus()
    qtbot.keyClick(all_notes.tree, Qt.Key.Key_Return)
    assert window.view.current_section_id() == CEASEFIRE
    all_notes.close()
