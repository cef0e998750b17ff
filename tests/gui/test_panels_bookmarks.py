"""Bookmarks panel against the real store: add, jump, rename, move, delete, outside changes."""

from __future__ import annotations

import threading

import pytest
import shiboken6
from PySide6.QtCore import QThreadPool, Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QStatusBar

from reader.gui import messages
from reader.gui.bookmarks_panel import BookmarksPanel
from reader.gui.panel_support import PAYLOAD_ROLE
from reader.model import LEAD_SECTION_ID
from tests.conftest import SEED_ID

WAIT = 20_000  # ms; generous: other work may load this machine (never a sleep)

SECTION = "aftermath/ceasefire-violations"


@pytest.fixture
def panel(qtbot, library):
    widget = BookmarksPanel(library)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT):
        pass  # the first load
    return widget


def _bookmark_items(panel):
    return [i for i in panel._all_items() if not isinstance(i.data(0, PAYLOAD_ROLE), tuple)]


def test_bookmark_current_section_then_jump_by_keyboard(qtbot, panel, library):
    panel.set_current(SEED_ID, SECTION)
    panel.add_action.trigger()
    qtbot.waitUntil(lambda: panel.selected_bookmark() is not None, timeout=WAIT)
    mark = panel.selected_bookmark()
    assert (mark.article_id, mark.section_id) == (SEED_ID, SECTION)
    assert mark.name.endswith("Aftermath › Ceasefire violations")
    assert [b.id for b in library.store.bookmarks()] == [mark.id]

    panel.tree.setFocus()
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT) as jumped:
        qtbot.keyClick(panel.tree, Qt.Key.Key_Return)
    assert jumped.args == [SEED_ID, SECTION, None]


@pytest.mark.parametrize("section", [SECTION, LEAD_SECTION_ID, ""])
def test_bookmarking_a_bookmarked_section_selects_it_instead_of_adding_another(qtbot, panel, library, section):
    bar = QStatusBar()
    qtbot.addWidget(bar)
    messages.register(bar, bar)
    try:
        existing = library.store.add_bookmark(SEED_ID, section or None)
        library.store.add_bookmark(SEED_ID, "background")  # another section of the article: not the same target
        qtbot.waitUntil(lambda: panel.item_for(existing.id) is not None and len(_bookmark_items(panel)) == 2,
                        timeout=WAIT)
        panel.tree.setCurrentItem(None)
        panel.set_current(SEED_ID, section)
        panel.add_action.trigger()  # what Ctrl+D does
        qtbot.waitUntil(lambda: "already bookmarked" in bar.currentMessage().lower(), timeout=WAIT)
        qtbot.waitUntil(lambda: getattr(panel.selected_bookmark(), "id", None) == existing.id, timeout=WAIT)
        assert existing.name in bar.currentMessage()
        assert len(library.store.bookmarks()) == 2
    finally:
        messages.unregister(bar)


def test_bookmark_without_article_does_nothing(qtbot, panel, library):
    panel.bookmark("", "")
    assert not panel.add_action.isEnabled()
    assert library.store.bookmarks() == []


def test_rename_in_place_saves_the_name(qtbot, panel, library):
    mark = library.store.add_bookmark(SEED_ID, SECTION)
    qtbot.waitUntil(lambda: panel.item_for(mark.id) is not None, timeout=WAIT)
    panel.tree.setCurrentItem(panel.item_for(mark.id))
    panel.rename_action.trigger()
    editor = panel.tree.findChild(QLineEdit)
    assert editor is not None, "F2 should open an inline editor"
    editor.selectAll()
    qtbot.keyClicks(editor, "Ceasefire, to read")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: library.store.bookmark(mark.id).name == "Ceasefire, to read", timeout=WAIT)
    qtbot.waitUntil(lambda: panel.item_for(mark.id) is not None and panel.item_for(mark.id).text(0) == "Ceasefire, to read", timeout=WAIT)


def test_move_to_folder_builds_the_folder_tree(qtbot, panel, library):
    first = library.store.add_bookmark(SEED_ID, SECTION)
    library.store.add_bookmark(SEED_ID, "background")
    qtbot.waitUntil(lambda: len(_bookmark_items(panel)) == 2, timeout=WAIT)
    panel.tree.setCurrentItem(panel.item_for(first.id))
    panel.move_action.trigger()
    assert panel.move_row.isVisible()
    panel.folder_box.setEditText("Caucasus 2023")
    qtbot.keyClick(panel.folder_box.lineEdit(), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: library.store.bookmark(first.id).folder == "Caucasus 2023", timeout=WAIT)
    qtbot.waitUntil(lambda: panel.tree.topLevelItem(0).text(0) == "Caucasus 2023", timeout=WAIT)
    folder = panel.tree.topLevelItem(0)
    assert folder.childCount() == 1 and folder.child(0).data(0, PAYLOAD_ROLE).id == first.id
    assert panel.tree.topLevelItemCount() == 2  # the folder and the unfiled bookmark
    assert not panel.move_row.isVisible()


def test_delete_removes_from_store_and_tree(qtbot, panel, library):
    mark = library.store.add_bookmark(SEED_ID, SECTION)
    qtbot.waitUntil(lambda: panel.item_for(mark.id) is not None, timeout=WAIT)
    panel.tree.setCurrentItem(panel.item_for(mark.id))
    panel.delete_action.trigger()
    qtbot.waitUntil(lambda: panel.tree.topLevelItemCount() == 0, timeout=WAIT)
    assert library.store.bookmarks() == []


def test_change_made_on_another_thread_refreshes_the_tree(qtbot, panel, library):
    """Store events arrive on the thread that made the change; the panel must still update."""
    worker = threading.Thread(target=lambda: library.store.add_bookmark(SEED_ID, "prelude", name="From a worker"))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: [i.text(0) for i in _bookmark_items(panel)] == ["From a worker"], timeout=WAIT)


def test_a_deleted_panel_ignores_its_late_answer(qtbot, library):
    """The first load runs in a worker; its answer must not touch a panel that is gone."""
    panel = BookmarksPanel(library)
    shiboken6.delete(panel)
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == 0, timeout=WAIT)
    QApplication.processEvents()  # delivers the queued answer: no exception may escape
