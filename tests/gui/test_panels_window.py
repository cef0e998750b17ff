"""The panels inside the real main window, driven by keyboard: search to section, notes to their place."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

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


def _note_on(qtbot, window, cursor, text: str):
    """Select ``cursor``'s text in the page, Ctrl+Shift+N, type ``text``, save: the stored note."""
    window.view.setTextCursor(cursor)
    window.actions_by_name["add_note"].trigger()  # Ctrl+Shift+N
    notes = window.notes_panel
    assert notes.editor.quote_label.text() == cursor.selectedText()
    qtbot.keyClicks(notes.editor.text, text)
    with qtbot.waitSignal(notes.saved, timeout=WAIT):
        qtbot.mouseClick(notes.editor.save_button, Qt.MouseButton.LeftButton)
    [note] = window.library.store.notes()
    return note


def test_note_on_the_selection_from_the_window_then_jump_back_from_all_notes(qtbot, window):
    window.open_article(SEED_ID, CEASEFIRE)
    view = window.view
    cursor = view.document().find("continued to shell Stepanakert")
    assert not cursor.isNull()
    note = _note_on(qtbot, window, cursor, "quoted from the window")
    notes = window.notes_panel
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


def test_note_on_a_repeated_word_keeps_the_occurrence_selected(qtbot, window):
    """"Artsakh" occurs seven times in the lead: the note must anchor to the one selected."""
    window.open_article(SEED_ID)
    view = window.view
    phrase = view.document().find("unconditional surrender of Artsakh, as well")
    assert not phrase.isNull()
    cursor = QTextCursor(view.document())  # the lead's second "Artsakh", selected on its own
    cursor.setPosition(phrase.selectionStart() + len("unconditional surrender of "))
    cursor.setPosition(cursor.position() + len("Artsakh"), QTextCursor.MoveMode.KeepAnchor)
    assert cursor.selectedText() == "Artsakh"
    note = _note_on(qtbot, window, cursor, "the second one")
    assert note.quote == "Artsakh"
    assert note.prefix.endswith("unconditional surrender of "), note.prefix
    assert note.suffix.startswith(", as well as"), note.suffix


def test_note_on_a_selection_below_the_top_section_goes_to_the_selected_section(qtbot, window):
    """The section at the top of the page is not always the one the selection is in."""
    window.open_article(SEED_ID, "background")
    view = window.view
    cursor = view.document().find("continued to shell Stepanakert")  # further down, in another section
    view.setTextCursor(cursor)
    assert view.current_section_id() != CEASEFIRE
    note = _note_on(qtbot, window, cursor, "from lower on the page")
    assert (note.section_id, note.quote) == (CEASEFIRE, "continued to shell Stepanakert")
