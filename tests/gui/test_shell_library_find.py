"""Finding an article by title in the library filter: Enter opens the best title match,
Down moves into the list; long titles elide with the full title as tooltip; same-title
articles are told apart in search suggestions too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from .shell_support import WAIT_MS, article_file, window  # noqa: F401 - fixtures

TITLES = ("Catchin' Some Rays: The Music of Ray Charles", "Ray Charles", "Ray (film)",
          "List of accolades received by Ray (film)")


def _add(qtbot, panel, tmp_path):
    for number, title in enumerate(TITLES):
        article_file(tmp_path / "ray", f"a{number}.txt", f"= {title} =\n\nText about {title}.\n")
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.add_paths([tmp_path / "ray"])


def test_enter_opens_the_exact_title_then_a_prefix_match(qtbot, window, tmp_path):
    panel = window.library_panel
    _add(qtbot, panel, tmp_path)
    for typed, expected in (("ray charles", "Ray Charles"), ("ray (film", "Ray (film)"),
                            ("RAY CHARLES ", "Ray Charles"), ("music of", TITLES[0])):
        panel.filter_field.setText(typed)
        qtbot.keyClick(panel.filter_field, Qt.Key.Key_Return)
        assert window.view.article.title == expected, typed


def test_down_moves_from_the_filter_into_the_list(qtbot, window, tmp_path):
    panel = window.library_panel
    _add(qtbot, panel, tmp_path)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    panel.focus_filter()
    qtbot.keyClicks(panel.filter_field, "ray")
    qtbot.keyClick(panel.filter_field, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is panel.list
    assert panel.list.currentIndex().isValid()
    assert panel.list.currentIndex().data() in panel.visible_titles()


def test_long_titles_elide_with_the_full_title_as_tooltip(qtbot, window, tmp_path):
    panel = window.library_panel
    long_title = "2023 Azerbaijani offensive in Nagorno-Karabakh and a great deal more words than fit"
    article_file(tmp_path / "long", "long.txt", f"= {long_title} =\n\nText.\n")
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.add_paths([tmp_path / "long"])
    window.splitter.setSizes([200, 1000])
    qtbot.waitUntil(lambda: panel.list.viewport().width() < 220)
    assert panel.list.horizontalScrollBar().maximum() == 0 or not panel.list.horizontalScrollBar().isVisible()
    row = panel.visible_titles().index(long_title)
    index = panel.model.index(row, 0)
    assert panel.list.visualRect(index).width() <= panel.list.viewport().width()
    assert long_title in index.data(Qt.ItemDataRole.ToolTipRole)


def test_same_title_articles_are_told_apart_in_suggestions(qtbot, window, tmp_path):
    article_file(tmp_path / "old", "copy.txt", "= Twin peaks of the archive =\n\nFirst copy.\n")
    article_file(tmp_path / "new", "copy.txt", "= Twin peaks of the archive =\n\nSecond copy.\n")
    window.library.add_sources([tmp_path / "old", tmp_path / "new"])
    window.library.update_index()
    labels = {s.label for s in window.library.suggest("twin peaks") if s.section_id is None}
    assert labels == {"Twin peaks of the archive · old/copy.txt", "Twin peaks of the archive · new/copy.txt"}
