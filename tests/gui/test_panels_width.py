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
