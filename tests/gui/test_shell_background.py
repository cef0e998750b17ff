"""Background work, errors, library events: the window never waits and never dies."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt, QTimer

from reader.gui import messages
from tests.conftest import SEED_ID

from .shell_support import WAIT_MS, window  # noqa: F401 - fixtures


def test_background_task_shows_progress_and_can_be_cancelled(qtbot, window):
    started, seen_cancel = threading.Event(), []

    def slow(progress=None, cancel=None):
        progress(3, 10)
        started.set()
        seen_cancel.append(cancel.wait(WAIT_MS / 1000))
        return "stopped"

    activity = window.activity
    results = []
    activity.start("Crunching", slow, on_result=results.append)
    qtbot.waitUntil(lambda: activity.bar.maximum() == 10 and activity.bar.value() == 3)
    assert activity.isVisible() and activity.label.text() == "Crunching 3/10"
    assert activity.cancel_button.isEnabled()
    qtbot.mouseClick(activity.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: results == ["stopped"])
    assert seen_cancel == [True]
    qtbot.waitUntil(lambda: not activity.isVisible())


def test_start_up_index_update_runs_in_the_background(qtbot, window):
    pytest.importorskip("reader.search")
    with qtbot.waitSignal(window.index_ready, timeout=60_000) as blocker:
        window.start_background_work()
        assert window.activity.busy  # returned at once; the work is queued
    assert blocker.args[0] is not None
    results = window.library.search("Artsakh")
    assert results.total > 0


def test_opening_a_search_hit_lands_on_the_section_with_highlights(qtbot, window):
    section = window.library.article(SEED_ID).section("background")
    panel = window.search_panel or window.library_panel  # any panel's open_requested is wired the same way
    panel.open_requested.emit(SEED_ID, section.id, ["Karabakh"])
    assert window.view.current_section_id() == "background"
    highlighted = window.view.extraSelections()
    assert len(highlighted) == window.view.toPlainText().lower().count("karabakh")
    assert all(s.cursor.selectedText().lower() == "karabakh" for s in highlighted)
    # a plain open clears the previous highlights
    window.open_article(SEED_ID)
    assert window.view.extraSelections() == []


def test_a_hit_deep_in_its_section_is_scrolled_into_view(qtbot, window):
    """The matched words, not just the heading, are on screen after opening a hit.

    "Other countries" is a 34-item list, taller than any window; Safoyev is in its last item.
    """
    section = "international-aspects/reactions/other-countries"
    window.search_panel.open_requested.emit(SEED_ID, section, ["Safoyev"])
    view = window.view
    [term] = view.extraSelections()
    qtbot.waitUntil(lambda: 0 <= view.cursorRect(term.cursor).top() < view.viewport().height())
    assert view.current_section_id() == section


def test_a_hit_near_its_heading_keeps_the_heading_at_the_top(qtbot, window):
    window.search_panel.open_requested.emit(SEED_ID, "background", ["Karabakh"])
    view = window.view
    assert abs(view.verticalScrollBar().value() - view.section_top("background")) <= 1


@pytest.mark.qt_no_exception_capture
def test_an_unexpected_exception_shows_details_and_the_app_keeps_running(qtbot, window):
    def broken_slot():
        raise RuntimeError("boom from a slot")

    messages.install_excepthook()
    QTimer.singleShot(0, broken_slot)
    qtbot.waitUntil(lambda: bool(messages._open_boxes))
    box = messages._open_boxes[-1]
    assert "boom from a slot" in box.text() and "boom from a slot" in box.detailedText()
    assert "RuntimeError" in box.detailedText()
    box.close()
    # still alive and usable
    assert window.open_article(SEED_ID, "background")
    assert window.view.current_section_id() == "background"


def test_an_expected_error_goes_to_the_status_bar(window):
    assert not window.open_article("no-such-article")
    assert "no-such-article" in window.statusBar().currentMessage()
    assert window.view.article_id == SEED_ID  # the page did not change


def test_toc_marks_sections_with_notes_and_bookmarks(qtbot, window):
    store = window.library.store
    store.add_bookmark(SEED_ID, "background")
    qtbot.waitUntil(lambda: "bookmark" in window.toc.marks("background"))
    assert window.toc.marks("prelude") == frozenset()
    section = window.library.article(SEED_ID).section("prelude")
    store.add_note(SEED_ID, section.id, "Check this")
    qtbot.waitUntil(lambda: "note" in window.toc.marks("prelude"))
    assert "bookmarked" in window.toc.item_for("background").toolTip(0)


def test_bookmark_and_note_shortcuts_reach_the_panels(qtbot, window):
    if window.bookmarks_panel is None or window.notes_panel is None:
        pytest.skip("the bookmarks and notes panels are not in this build")
    window.open_article(SEED_ID, "prelude")
    window.actions_by_name["bookmark"].trigger()
    qtbot.waitUntil(lambda: any(b.section_id == "prelude" for b in window.library.store.bookmarks()))
