"""Start-up restores geometry, splitters, panels, the last article, its position and history."""

from __future__ import annotations

from reader.library import Library
from tests.conftest import SEED_ID

from .shell_support import close_window, data_library, open_window  # noqa: F401 - fixtures


def test_restart_restores_window_article_position_and_history(qtbot, data_library, app_paths):
    first = open_window(qtbot, data_library, app_paths)
    first.resize(760, 560)  # within the offscreen screen (800x600): restoreGeometry fits to the screen
    first.splitter.setSizes([233, 400])
    first.actions_by_name["theme_sepia"].trigger()
    first.actions_by_name["zoom_in"].trigger()
    other = data_library.find_by_title("Homarus gammarus").id
    first.open_article(other)
    seed = data_library.article(SEED_ID)
    target = seed.section("background")
    first.open_article(SEED_ID, target.id)
    view = first.view
    view.verticalScrollBar().setSliderPosition(view.verticalScrollBar().value() + 40)  # as if dragged
    qtbot.waitUntil(lambda: view.position() == (target.id, 40))
    sizes = first.splitter.sizes()
    geometry = first.geometry()
    close_window(first)
    data_library.close()

    library = Library(app_paths)  # a new process would open the library again
    second = open_window(qtbot, library, app_paths)
    try:
        assert second.geometry().size() == geometry.size()
        assert second.splitter.sizes() == sizes
        assert second.theme.settings.theme == "sepia" and second.theme.settings.zoom == 1
        assert second.view.article_id == SEED_ID
        qtbot.waitUntil(lambda: second.view.position() == (target.id, 40))
        assert second.toc.currentItem().text(0) == target.title
        second.go_back()
        assert second.view.article_id == other
    finally:
        close_window(second)
        library.close()


def test_dock_visibility_is_restored(qtbot, data_library, app_paths):
    first = open_window(qtbot, data_library, app_paths)
    if "notes_panel" not in first.docks:
        close_window(first)
        return
    first.docks["notes_panel"].hide()
    close_window(first)
    second = open_window(qtbot, data_library, app_paths)
    try:
        assert not second.docks["notes_panel"].isVisible()
        assert second.docks["bookmarks_panel"].isVisible() or second.docks["bookmarks_panel"].isHidden() is False
    finally:
        close_window(second)


def test_a_damaged_settings_file_does_not_stop_start_up(qtbot, data_library, app_paths):
    app_paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    app_paths.settings_file.write_bytes(b"[window]\ngeometry=@ByteArray(\x00garbage\nstate=nonsense\n[reading]\ntheme=neon\nzoom=lots\n")
    window = open_window(qtbot, data_library, app_paths)
    try:
        assert window.theme.settings.theme == "light" and window.theme.settings.zoom == 0
        assert window.view.article_id
    finally:
        close_window(window)


def test_reading_position_is_saved_soon_after_moving_not_only_at_close(qtbot, data_library, app_paths):
    window = open_window(qtbot, data_library, app_paths)
    try:
        window._save_timer.setInterval(10)  # the real delay is a few seconds
        other = data_library.find_by_title("Homarus gammarus").id
        window.open_article(other)
        qtbot.waitUntil(lambda: data_library.store.last_article() == other)
        window.open_article(SEED_ID, "prelude")
        qtbot.waitUntil(lambda: data_library.store.position(SEED_ID) == ("prelude", 0))

        def history_saved():
            entries, index = data_library.store.history()
            return entries and entries[index] == (SEED_ID, "prelude") and (other, "_lead") in entries

        qtbot.waitUntil(history_saved)
    finally:
        close_window(window)


def test_first_run_gives_the_article_most_of_the_width(qtbot, library, app_paths):
    """No saved layout: the sidebar and the docks start narrow, the reading column gets the room."""
    from reader.gui.app import create_main_window

    window = create_main_window(library, app_paths)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    try:
        dock = next(iter(window.docks.values()))
        qtbot.waitUntil(lambda: window.view.width() >= 0.55 * window.width(), timeout=5000)
        assert window.width() == 1280
        assert 230 <= window.sidebar.width() <= 260
        assert 250 <= dock.width() <= 340
    finally:
        close_window(window)
