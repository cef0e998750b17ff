"""Side panels must not force a wide dock: the reading column gets the room."""

import pytest

from reader.gui.bookmarks_panel import BookmarksPanel
from reader.gui.notes_panel import NotesPanel

NARROW_DOCK = 260  # px: a quarter of a 1024 px wide window


@pytest.mark.parametrize("panel_class", [BookmarksPanel, NotesPanel])
def test_panel_can_be_narrow(qtbot, library, panel_class):
    panel = panel_class(library)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.minimumSizeHint().width() <= NARROW_DOCK
    panel.resize(NARROW_DOCK, 400)
    qtbot.waitUntil(lambda: panel.width() == NARROW_DOCK)


def test_opening_the_folder_editor_does_not_widen_the_right_panel(qtbot, library, app_paths):
    from tests.conftest import SEED_ID

    from .shell_support import close_window, open_window

    window = open_window(qtbot, library, app_paths)
    try:
        panel = window.bookmarks_panel
        if panel is None:
            pytest.skip("no bookmarks panel in this build")
        window.resize(1366, 768)
        long_folder = "A folder with a very long name for everything about the 2023 offensive and its aftermath"
        mark = library.store.add_bookmark(SEED_ID, "background", folder=long_folder)
        window.docks["bookmarks_panel"].raise_()
        qtbot.waitUntil(lambda: panel.item_for(mark.id) is not None, timeout=20_000)
        from reader.gui.mainwindow import FIRST_RUN_DOCK_PX

        # the first-run layout (queued at show) has sized the docks
        qtbot.waitUntil(lambda: window.docks["bookmarks_panel"].width() == FIRST_RUN_DOCK_PX)
        width = window.docks["bookmarks_panel"].width()
        panel.tree.setCurrentItem(panel.item_for(mark.id))
        panel.show_move_row()
        qtbot.waitUntil(lambda: panel.folder_box.isVisible())
        assert window.docks["bookmarks_panel"].width() == width
        box = panel.folder_box
        assert box.mapTo(panel, box.rect().topRight()).x() <= panel.width()  # the editor fits the panel
    finally:
        close_window(window)
