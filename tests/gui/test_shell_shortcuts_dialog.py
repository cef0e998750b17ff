"""F1: a scrollable, searchable list of shortcuts that fits 1366 × 768, one readable key each."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QMessageBox

from reader.gui.shortcuts_dialog import ShortcutsDialog

from .shell_support import window  # noqa: F401 - fixture


def _open(window) -> ShortcutsDialog:
    window.actions_by_name["shortcuts"].trigger()
    dialog = window.findChild(ShortcutsDialog)
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_shortcuts_dialog_fits_a_laptop_screen_and_scrolls(qtbot, window):
    dialog = _open(window)
    assert not window.findChildren(QMessageBox)  # a dialog, not an alert box
    assert dialog.width() <= 1366 and dialog.height() <= 768 - 100
    rows = dialog.visible_rows()
    assert len(rows) == sum(1 for a in window.actions_by_name.values() if a.shortcuts())
    bar = dialog.table.verticalScrollBar()
    assert bar.maximum() > 0  # more rows than fit: the list scrolls, the Close button stays on screen


def test_one_readable_key_per_action(qtbot, window):
    rows = dict(_open(window).visible_rows())
    assert rows["Copy"] == "Ctrl+C" and rows["Quit"] == "Ctrl+Q"
    assert rows["Theme: Dark"] == "Ctrl+Alt+2"  # a submenu's entries say which submenu
    for action, keys in rows.items():
        assert ", " not in keys and "F16" not in keys and "Exit" not in keys, (action, keys)


def test_filter_narrows_the_list(qtbot, window):
    dialog = _open(window)
    qtbot.keyClicks(dialog.filter_field, "note")
    rows = dialog.visible_rows()
    assert rows and all("note" in (a + k).lower() for a, k in rows)
    assert "Copy" not in dict(rows)
    assert dialog.count_label.text().startswith(f"{len(rows)} of ")


def test_closed_dialog_leaves_nothing_behind(qtbot, window):
    dialog = _open(window)
    assert _open(window) is dialog  # F1 again raises the same dialog
    dialog.close()
    qtbot.waitUntil(lambda: window.findChild(ShortcutsDialog) is None)
    QApplication.processEvents()


def test_undo_and_redo_are_listed_by_fixed_names_with_every_redo_key(qtbot, window):
    """QA 13: the list named the live step ("Redo Delete note") and left out Ctrl+Y."""
    from reader.gui.undo import history_for
    from tests.conftest import SEED_ID

    library = window.library
    note = library.store.add_note(SEED_ID, "background", "to delete")
    history = history_for(library)
    with qtbot.waitSignal(history.performed, timeout=20_000):
        history.delete_notes([note.id])
    with qtbot.waitSignal(history.undone, timeout=20_000):
        history.stack.undo()  # now both "Undo Delete note"-style texts are live
    assert history.stack.redoText() == "Delete note"
    rows = dict(_open(window).visible_rows())
    assert rows["Undo"] == "Ctrl+Z"
    assert rows["Redo"] == "Ctrl+Shift+Z or Ctrl+Y"
    assert not [name for name in rows if name.startswith(("Undo ", "Redo "))]
