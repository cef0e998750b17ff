"""File ▸ Remove Source… lists the Kiwix archives too: OK (the confirmation, as for a folder) forgets the
archive, notes on its articles are kept (orphaned, as `lectern remove` does); Cancel keeps it."""

from __future__ import annotations

import shutil

import pytest

from reader.library import Library
from tests.sources.pages import write_archive

from .shell_support import WAIT_MS, close_window, drain, open_window

PAGE = "zim:otters/Sea_otter"


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    pages = [("Sea_otter", "Sea otter", "<html><body><h1>Sea otter</h1><p>Sea otters float on their backs.</p>"
              "<h2>Diet</h2><p>They eat urchins.</p></body></html>")]
    return write_archive(tmp_path_factory.mktemp("remove") / "otters_2026-11.zim", pages, name="otters",
                         main="Sea_otter", indexing=False)


@pytest.fixture
def window(qtbot, library, app_paths, archive, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "kelp.md").write_text("# Kelp\n\nForests of it.\n")
    copy = tmp_path / archive.name  # a copy: one test deletes it
    shutil.copy(archive, copy)
    assert not library.add_sources([folder, copy]).skipped
    win = open_window(qtbot, library, app_paths)
    win.folder, win.archive_path = folder, copy
    yield win
    close_window(win)


def _archive_label(dialog) -> str:
    [label] = [item for item in dialog.comboBoxItems() if "Kiwix archive" in item]
    return label


def test_the_dialog_lists_the_archive_and_offers_the_shown_articles_source(qtbot, window):
    with qtbot.waitSignal(window.view.article_shown, timeout=WAIT_MS):
        window.open_article(PAGE)
    dialog = window.library_panel.choose_source_to_remove()
    label = _archive_label(dialog)
    assert dialog.comboBoxItems()[0] == str(window.folder)
    assert label.startswith("Generated — Kiwix archive, otters") and str(window.archive_path.resolve()) in label
    assert dialog.textValue() == label  # the archive of the article on screen is the proposed choice
    dialog.reject()


def test_ok_forgets_the_archive_and_keeps_its_notes_orphaned(qtbot, window):
    library, panel = window.library, window.library_panel
    note = library.store.add_note(PAGE, "diet", "urchins!", quote="They eat urchins.")
    dialog = panel.choose_source_to_remove()
    dialog.setTextValue(_archive_label(dialog))
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        dialog.accept()
    assert library.archive_list() == [] and not library.has_article(PAGE)
    qtbot.waitUntil(lambda: panel.archives.isHidden())
    assert "Kelp" in panel.visible_titles()  # the folder stays
    [kept] = library.store.notes(PAGE)
    assert (kept.id, kept.quote, kept.orphaned) == (note.id, "They eat urchins.", True)
    message = window.statusBar().currentMessage()
    assert "Removed archive 'Generated' (otters)" in message and "1 note kept as orphaned" in message


def test_cancel_keeps_the_archive(qtbot, window):
    dialog = window.library_panel.choose_source_to_remove()
    dialog.setTextValue(_archive_label(dialog))
    dialog.reject()
    drain()  # anything started in the background would be done by now
    assert not window.activity.isVisible()
    assert [a.name for a in window.library.archive_list()] == ["otters"]


def test_a_missing_archive_can_be_removed(qtbot, app_paths, window):
    window.archive_path.unlink()
    library = Library(app_paths)  # started again without the file
    close_window(window)
    again = open_window(qtbot, library, app_paths)
    dialog = again.library_panel.choose_source_to_remove()
    label = _archive_label(dialog)
    assert "missing: no such file" in label
    dialog.setTextValue(label)
    with qtbot.waitSignal(again.library_panel.scan_finished, timeout=WAIT_MS):
        dialog.accept()
    assert library.archive_list() == []
    close_window(again)
    library.close()


def test_an_archive_groups_menu_offers_to_remove_that_archive(qtbot, window):
    from PySide6.QtWidgets import QInputDialog

    panel = window.library_panel
    with qtbot.waitSignal(window.view.article_shown, timeout=WAIT_MS):  # a file on screen: its folder is not offered
        window.open_article(window.library.find_by_title("Kelp").id)
    group = panel.archives.model().index(0, 0)
    menu = panel.archives.context_menu(group)
    [action] = menu.actions()
    assert action.text() == "&Remove Archive “Generated”…"
    action.trigger()
    [dialog] = [d for d in panel.findChildren(QInputDialog) if d.isVisible()]
    assert dialog.textValue() == _archive_label(dialog)
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        dialog.accept()
    assert window.library.archive_list() == [] and "Kelp" in panel.visible_titles()
