"""Undo and redo of notes and bookmarks (several steps), the trash, "Quote this instead", note cards."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor, QTextDocument

from reader.gui.bookmarks_panel import BookmarksPanel
from reader.gui.notes_io import import_notes
from reader.gui.notes_panel import NotesPanel, note_row_html
from reader.gui.undo import history_for
from tests.conftest import SEED_ID

from .shell_support import window  # noqa: F401 - fixture

WAIT = 20_000  # ms; generous: other work may load this machine (never a sleep)
SECTION = "aftermath/ceasefire-violations"
QUOTE = "continued to shell Stepanakert"


@pytest.fixture
def panel(qtbot, library):
    widget = NotesPanel(library)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT):
        widget.set_current(SEED_ID, SECTION)
    yield widget
    history_for(library)._pool.waitForDone(WAIT)


def _undo(qtbot, library) -> None:
    history = history_for(library)
    with qtbot.waitSignal(history.undone, timeout=WAIT):
        history.stack.undo()


def _redo(qtbot, library) -> None:
    history = history_for(library)
    with qtbot.waitSignal(history.redone, timeout=WAIT):
        history.stack.redo()


def _select(panel, note_id: str) -> None:
    for row in range(panel.list.count()):
        if panel.notes_shown()[row].id == note_id:
            panel.list.setCurrentRow(row)
            return
    raise AssertionError(f"note {note_id} is not shown")


def test_delete_then_undo_brings_the_note_back_with_its_id_dates_tags_colour_and_anchor(qtbot, panel, library):
    note = library.store.add_note(SEED_ID, SECTION, "keep me", quote=QUOTE, tags=["war", "check"], color="pink")
    snapshot = library.store.note_snapshot(note.id)
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    _select(panel, note.id)
    with qtbot.waitSignal(history_for(library).performed, timeout=WAIT):
        panel.delete_action.trigger()
    qtbot.waitUntil(lambda: panel.list.count() == 0, timeout=WAIT)
    assert library.store.notes() == [] and [n.id for n in library.store.trash()] == [note.id]
    assert history_for(library).stack.undoText() == "Delete note"
    _undo(qtbot, library)
    assert library.store.note(note.id) == note
    assert library.store.note_snapshot(note.id) == snapshot
    qtbot.waitUntil(lambda: [n.id for n in panel.notes_shown()] == [note.id], timeout=WAIT)
    _redo(qtbot, library)
    assert library.store.notes() == []


def test_several_steps_undo_in_order(qtbot, panel, library):
    first = library.store.add_note(SEED_ID, SECTION, "first")
    second = library.store.add_note(SEED_ID, SECTION, "second")
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 2, timeout=WAIT)
    history = history_for(library)
    for note in (first, second):
        qtbot.waitUntil(lambda n=note: n.id in [x.id for x in panel.notes_shown()], timeout=WAIT)
        _select(panel, note.id)
        with qtbot.waitSignal(history.performed, timeout=WAIT):
            panel.delete_action.trigger()
    assert library.store.notes() == []
    _undo(qtbot, library)
    assert [n.id for n in library.store.notes()] == [second.id]
    _undo(qtbot, library)
    assert sorted(n.id for n in library.store.notes()) == sorted([first.id, second.id])
    assert not history.stack.canUndo()


def test_undo_an_edit_restores_text_tags_and_colour(qtbot, panel, library):
    note = library.store.add_note(SEED_ID, SECTION, "original", tags=["a"], color="blue")
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.list.setCurrentRow(0)
    panel.edit_action.trigger()
    panel.editor.text.setPlainText("rewritten")
    panel.editor.tags.setText("b, c")
    panel.editor.color.setCurrentIndex(0)
    with qtbot.waitSignal(panel.saved, timeout=WAIT):
        qtbot.mouseClick(panel.editor.save_button, Qt.MouseButton.LeftButton)
    edited = library.store.note(note.id)
    assert (edited.text, edited.tags, edited.color) == ("rewritten", ("b", "c"), None)
    _undo(qtbot, library)
    assert library.store.note(note.id) == note
    _redo(qtbot, library)
    assert library.store.note(note.id) == edited


def test_quote_this_instead_changes_the_anchor_and_undo_puts_it_back(qtbot, panel, library):
    note = library.store.add_note(SEED_ID, SECTION, "about the shelling", quote=QUOTE, tags=["t"])
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.list.setCurrentRow(0)
    new_quote = library.article(SEED_ID).section("background").text()[:30].strip()
    panel.selection_source = lambda: (SEED_ID, "background", new_quote, "", "")
    with qtbot.waitSignal(history_for(library).performed, timeout=WAIT):
        panel.requote_action.trigger()
    changed = library.store.note(note.id)
    assert (changed.section_id, changed.quote, changed.text, changed.tags) == ("background", new_quote, note.text, ("t",))
    _undo(qtbot, library)
    assert library.store.note(note.id) == note


def test_the_editor_offers_quote_selection_instead_for_a_saved_note(qtbot, panel, library):
    note = library.store.add_note(SEED_ID, SECTION, "edit me", quote=QUOTE)
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.add_note(SEED_ID, SECTION, None)
    assert not panel.editor.requote_button.isVisible()  # a new note has no quote to change yet
    panel.list.setCurrentRow(0)
    panel.edit_action.trigger()
    assert panel.editor.requote_button.isVisible()
    new_quote = library.article(SEED_ID).section(SECTION).text()[:25].strip()
    panel.selection_source = lambda: (SEED_ID, SECTION, new_quote, "", "")
    with qtbot.waitSignal(history_for(library).performed, timeout=WAIT):
        qtbot.mouseClick(panel.editor.requote_button, Qt.MouseButton.LeftButton)
    assert library.store.note(note.id).quote == new_quote
    assert panel.editor.quote_label.text() == new_quote and panel.editor.isVisible()


def test_quote_this_instead_without_a_selection_changes_nothing(qtbot, panel, library):
    note = library.store.add_note(SEED_ID, SECTION, "unchanged", quote=QUOTE)
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.list.setCurrentRow(0)
    panel.selection_source = lambda: (SEED_ID, SECTION, "", "", "")
    panel.requote_action.trigger()
    assert not history_for(library).stack.canUndo()
    assert library.store.note(note.id) == note


def test_bookmark_delete_rename_and_move_undo(qtbot, library):
    panel = BookmarksPanel(library)
    qtbot.addWidget(panel)
    mark = library.store.add_bookmark(SEED_ID, "background", folder="war")
    qtbot.waitUntil(lambda: panel.item_for(mark.id) is not None, timeout=WAIT)
    history = history_for(library)
    with qtbot.waitSignal(history.performed, timeout=WAIT):
        history.rename_bookmark(mark.id, "Renamed")
    with qtbot.waitSignal(history.performed, timeout=WAIT):
        history.move_bookmark(mark.id, "peace")
    panel.tree.setCurrentItem(panel.item_for(mark.id) or panel.tree.topLevelItem(0))
    qtbot.waitUntil(lambda: panel.selected_bookmark() is not None and panel.selected_bookmark().folder == "peace",
                    timeout=WAIT)
    with qtbot.waitSignal(history.performed, timeout=WAIT):
        panel.delete_action.trigger()
    assert library.store.bookmarks() == []
    _undo(qtbot, library)
    [back] = library.store.bookmarks()
    assert (back.id, back.name, back.folder, back.created) == (mark.id, "Renamed", "peace", mark.created)
    _undo(qtbot, library)
    assert library.store.bookmark(mark.id).folder == "war"
    _undo(qtbot, library)
    assert library.store.bookmark(mark.id) == mark
    qtbot.waitUntil(lambda: panel.item_for(mark.id) is not None and panel.item_for(mark.id).text(0) == mark.name,
                    timeout=WAIT)
    history._pool.waitForDone(WAIT)


def test_undo_an_import(qtbot, library, tmp_path):
    exported = {"format": "lectern-notes", "version": 1,
                "notes": [{"id": "n1", "article_id": SEED_ID, "section_id": "background", "text": "imported"}],
                "bookmarks": [{"id": "b1", "article_id": SEED_ID, "section_id": "background", "name": "Imported"}]}
    path = tmp_path / "in.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    kept = library.store.add_note(SEED_ID, SECTION, "was here before")
    reports = []
    import_notes(None, library, path, on_done=reports.append)
    qtbot.waitUntil(lambda: bool(reports), timeout=WAIT)
    assert {n.id for n in library.store.notes()} == {kept.id, "n1"} and len(library.store.bookmarks()) == 1
    _undo(qtbot, library)
    assert [n.id for n in library.store.notes()] == [kept.id] and library.store.bookmarks() == []
    _redo(qtbot, library)
    assert {n.id for n in library.store.notes()} == {kept.id, "n1"}
    assert [b.id for b in library.store.bookmarks()] == ["b1"]


def test_edit_menu_undo_and_redo_in_the_window(qtbot, window):
    library = window.library
    note = library.store.add_note(SEED_ID, SECTION, "from the window", quote=QUOTE)
    actions = window.actions_by_name
    assert not actions["undo"].isEnabled()
    history = history_for(library)
    with qtbot.waitSignal(history.performed, timeout=WAIT):
        history.delete_notes([note.id])
    assert actions["undo"].isEnabled() and "Delete note" in actions["undo"].text()
    assert "Ctrl+Z" in [k.toString() for k in actions["undo"].shortcuts()]
    assert "Ctrl+Shift+Z" in [k.toString() for k in actions["redo"].shortcuts()]
    assert "moved to the trash" in window.statusBar().currentMessage()
    window.open_article(SEED_ID, SECTION)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    window.view.setFocus()
    with qtbot.waitSignal(history.undone, timeout=WAIT):  # the keys work while reading
        qtbot.keyClick(window.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert library.store.note(note.id) == note
    with qtbot.waitSignal(history.redone, timeout=WAIT):
        qtbot.keyClick(window.view, Qt.Key.Key_Z,
                       Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert library.store.notes() == []
    with qtbot.waitSignal(history.undone, timeout=WAIT):
        actions["undo"].trigger()  # Edit ▸ Undo
    assert library.store.note(note.id) == note


def test_quote_this_instead_from_the_article_selection(qtbot, window):
    library = window.library
    note = library.store.add_note(SEED_ID, SECTION, "re-quote me", quote=QUOTE)
    window.open_article(SEED_ID, SECTION)
    notes = window.notes_panel
    window.show_dock("notes_panel")
    qtbot.waitUntil(lambda: [n.id for n in notes.notes_shown()] == [note.id], timeout=WAIT)
    notes.list.setCurrentRow(0)
    cursor = window.view.document().find("Stepanakert")
    cursor.movePosition(QTextCursor.MoveOperation.NextWord, QTextCursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    assert window.actions_by_name["requote"] in window.view.context_actions
    with qtbot.waitSignal(history_for(library).performed, timeout=WAIT):
        window.actions_by_name["requote"].trigger()
    changed = library.store.note(note.id)
    assert changed.quote == cursor.selectedText().strip() and changed.quote != QUOTE
    assert changed.text == note.text


def _blocks(document: QTextDocument) -> list:
    found, block = [], document.begin()
    while block.isValid():
        found.append(block)
        block = block.next()
    return found


def test_note_cards_render_headings_and_lists_like_the_preview(qtbot, library):
    note = library.store.add_note(SEED_ID, SECTION, "## Burial\n\nHe was **buried**:\n\n- in Inglewood\n- in 2004")
    document = QTextDocument()  # kept alive while its blocks are looked at
    document.setHtml(note_row_html(note))
    blocks = _blocks(document)
    texts = [b.text() for b in blocks]
    assert "##" not in " ".join(texts)
    heading = next(b for b in blocks if "Burial" in b.text())
    assert heading.blockFormat().headingLevel() > 0 or heading.charFormat().fontWeight() >= 600
    items = [b for b in blocks if b.textList() is not None]
    assert [b.text() for b in items] == ["in Inglewood", "in 2004"]
