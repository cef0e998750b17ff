"""The window against bad input (issue 13): a hostile settings file, a read-only data folder, a deep list."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from reader.gui import messages
from reader.gui.state import FONT_SIZE_MAX, load_reading_settings, open_settings
from reader.gui.theme import ZOOM_MAX, ZOOM_MIN
from reader.library import Library
from tests.conftest import SEED_ID
from tests.test_library import unwritable_data_dir  # noqa: F401 - fixture

from .shell_support import article_file, close_window, drain, open_window


def write_settings(paths, **values) -> None:
    settings = QSettings(str(paths.settings_file), QSettings.Format.IniFormat)
    for key, value in values.items():
        settings.setValue(f"reading/{key}", value)
    settings.sync()


def test_settings_out_of_range_are_clamped_and_bad_ones_ignored(app_paths):
    write_settings(app_paths, font_size="99999999999", zoom="3000000000", theme="plaid", width=["a", "b"])
    reading = load_reading_settings(open_settings(app_paths))
    assert (reading.font_size, reading.zoom, reading.theme, reading.width) == (FONT_SIZE_MAX, ZOOM_MAX, "light", "medium")
    assert reading.font().pointSize() == FONT_SIZE_MAX + ZOOM_MAX
    write_settings(app_paths, font_size="-99999999999", zoom="-3000000000")
    reading = load_reading_settings(open_settings(app_paths))
    assert reading.zoom == ZOOM_MIN and reading.font().pointSize() > 0


def test_window_starts_with_a_hostile_settings_file(qtbot, library, app_paths):
    write_settings(app_paths, font_size="99999999999", zoom="3000000000")
    window = open_window(qtbot, library, app_paths)
    try:
        assert window.isVisible() and window.view.toPlainText().strip()
    finally:
        close_window(window)


def test_window_on_a_read_only_data_folder_says_so_and_rescans(qtbot, unwritable_data_dir, tmp_path):  # noqa: F811
    article_file(tmp_path / "s", "a.txt", "= A =\nx\n")
    library = Library(unwritable_data_dir)
    window = open_window(qtbot, library, unwritable_data_dir)
    try:
        boxes_before = len(messages._open_boxes)
        window.start_background_work()
        (message,) = [m for m in window.message_bar.texts() if "cannot be written" in m]
        assert "the library is read-only" in message and window.message_bar.isVisible()
        qtbot.waitUntil(lambda: not window.activity.busy, timeout=60_000)
        assert message in window.message_bar.texts()  # shown while the condition lasts
        assert len(messages._open_boxes) == boxes_before  # no "unexpected error" dialog
        assert [a.id for a in library.articles()] == [SEED_ID]
    finally:
        close_window(window)
        library.close()


def test_a_deeply_nested_list_opens_in_the_window(qtbot, app_paths, tmp_path):
    text = "= Deep =\n" + "".join("\t" * level + f"- word{level}\n" for level in range(1500))
    library = Library(app_paths, include_bundled=False)
    library.add_sources([article_file(tmp_path / "s", "deep.txt", text)])
    window = open_window(qtbot, library, app_paths)
    try:
        window.open_article("deep")
        page = window.view.toPlainText()
        assert "word0" in page and "word1499" in page
    finally:
        close_window(window)
        drain()
        library.close()
