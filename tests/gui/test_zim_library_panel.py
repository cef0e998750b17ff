"""The library panel with a Kiwix archive added: its titles are in its group only, never in the flat
list of the other articles (an archive of millions would flood it); the filter, Enter and Down find
archive titles in their group (issue 10, item 1)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.gui.archive_groups import ID_ROLE
from tests.sources.pages import write_archive

from .shell_support import close_window, open_window

WORDS = ("Alfa Bravo Charlie Delta Echo Foxtrot Golf Hotel India Juliett Kilo Lima Mike November Oscar Papa "
         "Quebec Romeo Sierra Tango Uniform Victor Whiskey Xray Yankee Zulu Bravado Brave Charm Delight").split()
PAGES = len(WORDS)
# words, not numbers: libzim's title index matches a last word that is part of a number ("Page 00") to nothing


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    pages = [(f"Page_{w}", f"Page {w}", f"<html><body><p>Text about {w}.</p></body></html>") for w in WORDS]
    # with a title index, as Kiwix archives have (without one, libzim matches no partial last word)
    return write_archive(tmp_path_factory.mktemp("flat") / "pages_2026-11.zim", pages, name="pages", main="Page_Hotel")


@pytest.fixture
def window(qtbot, library, app_paths, archive, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "page.md").write_text("# Page notes\n\nWhat I read today.\n")
    files_before = library.count()
    report = library.add_sources([folder, archive])
    assert not report.skipped
    win = open_window(qtbot, library, app_paths)
    qtbot.waitUntil(lambda: win.library_panel.article_count() == files_before + 1)
    yield win
    close_window(win)


def _group_titles(panel) -> list[str]:
    return [entry.title for _, entry in panel.archives.model().children()]


def test_the_flat_list_holds_the_files_and_the_archive_its_group(window, library):
    panel = window.library_panel
    assert library.count() == panel.article_count() + PAGES  # the library still counts them all
    assert "Page notes" in panel.visible_titles()
    assert not set(panel.visible_titles()) & {f"Page {w}" for w in WORDS}
    model = panel.archives.model()
    group = model.index(0, 0)
    model.fetchMore(group)
    assert model.rowCount(group) == PAGES


def test_the_filter_keeps_archive_titles_in_their_group(qtbot, window):
    panel = window.library_panel
    panel.filter_field.setText("page")
    assert panel.visible_titles() == ["Page notes"]
    assert sorted(_group_titles(panel)) == sorted(f"Page {w}" for w in WORDS)
    panel.filter_field.setText("page bra")
    assert panel.visible_titles() == [] and _group_titles(panel) == ["Page Bravado", "Page Brave", "Page Bravo"]


def test_enter_opens_an_archive_title_and_a_file_title_typed_in_the_filter(qtbot, window):
    panel, view = window.library_panel, window.view
    panel.filter_field.setText("Page Brave")  # exact, though "Page Bravado" comes first
    with qtbot.waitSignal(view.article_shown, timeout=20_000):
        qtbot.keyClick(panel.filter_field, Qt.Key.Key_Return)
    assert view.article_id == "zim:pages/Page_Brave"
    assert panel.archives.currentIndex().data(ID_ROLE) == "zim:pages/Page_Brave"
    panel.filter_field.setText("page n")  # a file's title: the flat list's match
    with qtbot.waitSignal(view.article_shown, timeout=20_000):
        qtbot.keyClick(panel.filter_field, Qt.Key.Key_Return)
    assert view.article.title == "Page notes"


def test_down_from_the_filter_enters_the_archive_group_when_it_holds_the_match(qtbot, window):
    panel = window.library_panel
    panel.filter_field.setFocus()
    panel.filter_field.setText("page ec")
    qtbot.keyClick(panel.filter_field, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is panel.archives
    assert panel.archives.currentIndex().data() == "Page Echo"


def test_an_archive_article_opened_elsewhere_is_selected_in_its_group(qtbot, window):
    panel = window.library_panel
    group = panel.archives.model().index(0, 0)
    panel.archives.expand(group)
    qtbot.waitUntil(lambda: panel.archives.model().rowCount(group) == PAGES)
    with qtbot.waitSignal(window.view.article_shown, timeout=20_000):
        window.open_article("zim:pages/Page_Yankee")
    qtbot.waitUntil(lambda: panel.archives.currentIndex().data(ID_ROLE) == "zim:pages/Page_Yankee")


def test_only_the_list_holding_the_shown_article_highlights_a_row(qtbot, window):
    """Opening an archive article leaves no row of the flat list current (it read as the article
    shown), and opening a file's article leaves none in the archive group."""
    panel = window.library_panel
    group = panel.archives.model().index(0, 0)
    panel.archives.expand(group)
    qtbot.waitUntil(lambda: panel.archives.model().rowCount(group) == PAGES)
    file_id = next(e.id for e in panel.model._page(0) if e.title == "Page notes")
    with qtbot.waitSignal(window.view.article_shown, timeout=20_000):
        window.open_article(file_id)
    qtbot.waitUntil(lambda: panel.current_article_id() == file_id)
    with qtbot.waitSignal(window.view.article_shown, timeout=20_000):
        window.open_article("zim:pages/Page_Kilo")
    qtbot.waitUntil(lambda: panel.archives.currentIndex().data(ID_ROLE) == "zim:pages/Page_Kilo")
    assert panel.current_article_id() == "" and not panel.list.selectionModel().hasSelection()
    with qtbot.waitSignal(window.view.article_shown, timeout=20_000):
        window.open_article(file_id)
    qtbot.waitUntil(lambda: panel.current_article_id() == file_id)
    assert not panel.archives.currentIndex().isValid() and not panel.archives.selectionModel().hasSelection()
