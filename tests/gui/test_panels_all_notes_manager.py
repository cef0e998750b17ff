"""All notes as a manager: multi-select delete to the trash, restore, empty, edit, context menu,
export of the filter, Esc/Ctrl+W, the main window in front, and the re-attach proposal."""

from __future__ import annotations

import json
import os

import pytest
import shiboken6
from PySide6.QtCore import QItemSelectionModel, QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from reader.gui.all_notes import AllNotesView
from reader.gui.notes_io import FORMATS, export_notes, last_folder
from reader.gui.panel_support import PAYLOAD_ROLE
from reader.gui.undo import history_for
from tests.conftest import SEED_ID

from .shell_support import library_of_one_file, window  # noqa: F401 - fixture

WAIT = 20_000  # ms; generous: other work may load this machine (never a sleep)
CEASEFIRE = "aftermath/ceasefire-violations"


@pytest.fixture
def view(qtbot, library):
    widget = AllNotesView(library)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT):
        pass  # the first load
    yield widget
    history_for(library)._pool.waitForDone(WAIT)


def _texts(view):
    return sorted(n.text for n in view.shown_notes())


def _select_texts(view, texts: set) -> None:
    view.tree.clearSelection()
    for i in range(view.tree.topLevelItemCount()):
        item = view.tree.topLevelItem(i)
        if item.data(0, PAYLOAD_ROLE).text in texts:
            view.tree.setCurrentItem(item, 0, QItemSelectionModel.SelectionFlag.Select)


def _three_notes(qtbot, view, library):
    notes = [library.store.add_note(SEED_ID, CEASEFIRE, text) for text in ("alpha one", "beta two", "gamma three")]
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 3, timeout=WAIT)
    return notes


def test_multi_select_delete_goes_to_the_trash_and_restores(qtbot, view, library):
    _three_notes(qtbot, view, library)
    _select_texts(view, {"alpha one", "beta two"})
    assert sorted(n.text for n in view.selected_notes()) == ["alpha one", "beta two"]
    with qtbot.waitSignal(history_for(library).performed, timeout=WAIT):
        view.delete_action.trigger()
    assert [n.text for n in library.store.notes()] == ["gamma three"]
    qtbot.waitUntil(lambda: _texts(view) == ["gamma three"], timeout=WAIT)

    with qtbot.waitSignal(view.refreshed, timeout=WAIT):
        view.trash_mode.setChecked(True)
    assert _texts(view) == ["alpha one", "beta two"]
    assert "deleted" in view.tree.topLevelItem(0).text(2)
    assert not view.delete_action.isEnabled()
    view.tree.setCurrentItem(view.tree.topLevelItem(0))
    restored = view.tree.topLevelItem(0).data(0, PAYLOAD_ROLE)
    assert view.restore_action.isEnabled()
    view.restore_action.trigger()
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 1, timeout=WAIT)
    assert sorted(n.text for n in library.store.notes()) == sorted(["gamma three", restored.text])


def test_empty_trash_asks_then_deletes_for_good(qtbot, view, library):
    notes = _three_notes(qtbot, view, library)
    library.store.delete_note(notes[0].id)
    with qtbot.waitSignal(view.refreshed, timeout=WAIT):
        view.trash_mode.setChecked(True)
    assert _texts(view) == ["alpha one"]
    view.empty_trash_action.trigger()
    box = view._confirm
    assert box.isVisible() and "cannot be undone" in box.text()
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert [n.id for n in library.store.trash()] == [notes[0].id]
    view.empty_trash_action.trigger()
    delete = next(b for b in view._confirm.buttons() if b.text() == "Delete for good")
    with qtbot.waitSignal(view.refreshed, timeout=WAIT):
        delete.click()
    assert library.store.trash() == [] and view.shown_notes() == []
    assert len(library.store.notes()) == 2


def test_edit_in_place_and_undo_with_ctrl_z_in_this_window(qtbot, view, library):
    note = library.store.add_note(SEED_ID, CEASEFIRE, "first text", tags=["x"])
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 1, timeout=WAIT)
    view.tree.setCurrentItem(view.tree.topLevelItem(0))
    view.tree.setFocus()
    qtbot.keyClick(view.tree, Qt.Key.Key_F2)
    assert view.editor.isVisible() and view.editor.text.toPlainText() == "first text"
    view.editor.text.setPlainText("second text")
    with qtbot.waitSignal(history_for(library).performed, timeout=WAIT):
        view.editor.save_button.click()
    assert library.store.note(note.id).text == "second text"
    qtbot.waitUntil(lambda: not view.editor.isVisible(), timeout=WAIT)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=WAIT)
    view.tree.setFocus()
    with qtbot.waitSignal(history_for(library).undone, timeout=WAIT):
        qtbot.keyClick(view.tree, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert library.store.note(note.id) == note


def test_context_menu_offers_the_actions_of_the_mode(qtbot, view, library):
    library.store.add_note(SEED_ID, CEASEFIRE, "menu")
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 1, timeout=WAIT)
    view.tree.setCurrentItem(view.tree.topLevelItem(0))
    names = [a.text().replace("&", "") for a in view.context_menu().actions() if not a.isSeparator()]
    assert names == ["Open", "Edit…", "Re-attach…", "Delete", "Export shown…"]
    with qtbot.waitSignal(view.refreshed, timeout=WAIT):
        view.trash_mode.setChecked(True)
    names = [a.text().replace("&", "") for a in view.context_menu().actions()]
    assert names == ["Restore", "Empty trash…"]


@pytest.mark.parametrize("key, modifier", [(Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                                           (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)])
def test_esc_and_ctrl_w_close_the_window(qtbot, view, key, modifier):
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=WAIT)
    view.tree.setFocus()
    qtbot.keyClick(view.tree, key, modifier)
    assert not view.isVisible()


def test_esc_in_the_reattach_row_closes_only_the_row(qtbot, view, library):
    library.store.add_note(SEED_ID, CEASEFIRE, "row")
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 1, timeout=WAIT)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow, timeout=WAIT)
    view.tree.setCurrentItem(view.tree.topLevelItem(0))
    view.reattach_action.trigger()
    assert view.reattach_row.isVisible()
    qtbot.keyClick(view.reattach_article, Qt.Key.Key_Escape)
    assert not view.reattach_row.isVisible() and view.isVisible()


@pytest.fixture
def qt_settings_in_tmp(tmp_path):
    """File dialogs save their own state (QtProject.conf) in the user's config folder: keep it in tmp."""
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "qt-config"))
    yield
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, os.environ["XDG_CONFIG_HOME"])


def test_export_shown_writes_only_the_filtered_notes_and_the_folder_is_remembered(
        qtbot, view, library, tmp_path, qt_settings_in_tmp):
    _three_notes(qtbot, view, library)
    view.filter.setText("beta")
    dialog = view.export_shown()
    target = tmp_path / "exports" / "filtered.json"
    target.parent.mkdir()
    dialog.selectNameFilter(FORMATS["json"][0])
    written = []
    with qtbot.waitSignal(dialog.fileSelected, timeout=WAIT):
        dialog.fileSelected.emit(str(target))
    dialog.reject()
    shiboken6.delete(dialog)  # now, while QSettings still point into tmp
    qtbot.waitUntil(target.exists, timeout=WAIT)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [n["text"] for n in data["notes"]] == ["beta two"] and data["bookmarks"] == []
    assert last_folder(library) == str(target.parent)
    again = export_notes(None, library, on_done=written.append)
    try:
        assert again.directory().absolutePath() == str(target.parent)
    finally:
        again.reject()
        shiboken6.delete(again)


def test_opening_a_note_brings_the_main_window_in_front(qtbot, window):
    note = window.library.store.add_note(SEED_ID, CEASEFIRE, "open me", quote="continued to shell Stepanakert")
    notes = window.notes_panel
    notes.all_action.trigger()
    all_notes = notes._all_notes
    assert all_notes.parentWidget() is None  # a window of its own: not kept above the main window
    qtbot.waitUntil(lambda: [n.id for n in all_notes.shown_notes()] == [note.id], timeout=WAIT)
    all_notes.activateWindow()
    qtbot.waitUntil(all_notes.isActiveWindow, timeout=WAIT)
    all_notes.tree.setCurrentItem(all_notes.tree.topLevelItem(0))
    all_notes.tree.setFocus()
    qtbot.keyClick(all_notes.tree, Qt.Key.Key_Return)
    assert window.view.current_section_id() == CEASEFIRE
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT)
    all_notes.close()


FIELD_NOTES = """= Field notes =

A lead paragraph.

== Alpha ==
Alpha has its own words about otters and their dens by the river.

== Beta ==
Beta talks about herons.
"""


def test_reattach_proposes_the_most_similar_section_not_the_introduction(qtbot, tmp_path, app_paths):
    library, article = library_of_one_file(app_paths, tmp_path / "sources" / "field-notes.txt", FIELD_NOTES)
    try:
        note = library.store.add_note("field-notes", "alpha", "dens", quote="otters and their dens")
        article.write_text(FIELD_NOTES.replace("== Alpha ==\nAlpha has its own words about otters and their dens",
                                               "== Otters ==\nOtters make their dens"), encoding="utf-8")
        library.rescan()
        assert library.store.note(note.id).orphaned
        view = AllNotesView(library)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: len(view.shown_notes()) == 1, timeout=WAIT)
        view.tree.setCurrentItem(view.tree.topLevelItem(0))
        view.reattach_action.trigger()
        qtbot.waitUntil(lambda: view.reattach_section.currentData() == "otters", timeout=WAIT)
        with qtbot.waitSignal(history_for(library).performed, timeout=WAIT):
            view.apply_reattach()
        assert library.store.note(note.id).section_id == "otters"
        with qtbot.waitSignal(history_for(library).undone, timeout=WAIT):
            history_for(library).stack.undo()
        assert library.store.note(note.id).orphaned  # undo puts the note back where it was
    finally:
        history_for(library)._pool.waitForDone(WAIT)
        library.close()
