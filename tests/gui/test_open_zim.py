"""`lectern FILE.zim` in the window: the archive is added and its main page opens."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_CONTENT

from .shell_support import WAIT_MS, drop_event, window  # noqa: F401 - fixtures

RAY_ZIM = SHARED_CONTENT / "zim" / "libkiwix" / "zimfile.zim"


@pytest.mark.skipif(not RAY_ZIM.is_file(), reason="../shared/content/zim is not present")
def test_opening_a_zim_file_adds_it_and_shows_its_main_page(qtbot, window):
    from reader.gui.app import open_paths

    with qtbot.waitSignal(window.library_panel.scan_finished, timeout=WAIT_MS):
        open_paths(window, [str(RAY_ZIM)])
    qtbot.waitUntil(lambda: window.view.article is not None
                    and window.view.article.id == "zim:wikipedia_en_ray_charles/index", timeout=WAIT_MS)
    assert [a.name for a in window.library.archive_list()] == ["wikipedia_en_ray_charles"]


def test_an_added_archive_without_an_index_is_indexed_in_the_background_with_progress(qtbot, window, tmp_path,
                                                                                       monkeypatch):
    from reader.gui.app import open_paths
    from tests.sources.pages import Page, render, write_archive

    with qtbot.waitSignal(window.index_ready, timeout=WAIT_MS):
        window.start_background_work(rescan=False)
    pages = [(f"Page_{n}", f"Page {n}", render(Page(f"Page {n}", lead=[f"Wombatry number {n}."]), "flat"))
             for n in range(3)]
    path = write_archive(tmp_path / "plain_2026-11.zim", pages, name="plain", main="Page_0", indexing=False)
    started = []  # the tasks shown in the status bar: a three-page index may be done before a poll sees it
    start = window.activity.start
    monkeypatch.setattr(window.activity, "start", lambda label, *a, **k: started.append(label) or start(label, *a, **k))
    with qtbot.waitSignal(window.index_ready, timeout=WAIT_MS) as indexed:
        open_paths(window, [str(path)])
    assert "Updating search index" in started
    assert indexed.args[0].added == 3
    assert {hit.article_id for hit in window.library.search("wombatry").hits} == {f"zim:plain/Page_{n}" for n in range(3)}


SPLIT_ZIM = SHARED_CONTENT / "zim" / "zim-testing-suite" / "nons" / "wikibooks_be_all_nopic_2017-02_splitted.zimaa"


@pytest.fixture
def qt_settings_in_tmp(tmp_path):
    """File dialogs save their own state (QtProject.conf) in the user's config folder: keep it in tmp."""
    import os

    from PySide6.QtCore import QSettings

    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "qt-config"))
    yield
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, os.environ["XDG_CONFIG_HOME"])


def test_the_add_files_dialog_offers_zim_archives_and_adds_the_chosen_one(qtbot, window, tmp_path,
                                                                         qt_settings_in_tmp):
    from tests.sources.pages import Page, render, write_archive

    path = write_archive(tmp_path / "chosen_2026-11.zim", [("Chosen", "Chosen", render(Page("Chosen"), "flat"))],
                         name="chosen", main="Chosen")
    dialog = window.library_panel.choose_files()
    try:
        filters = dialog.nameFilters()
        assert "*.zim" in filters[0] and "*.zimaa" in filters[0] and "*.md" in filters[0]
        assert any(f.startswith("Kiwix ZIM archives (*.zim *.zimaa)") for f in filters)
        with qtbot.waitSignal(window.library_panel.scan_finished, timeout=WAIT_MS) as scanned:
            dialog.filesSelected.emit([str(path)])
    finally:
        dialog.reject()
    assert scanned.args[0].archives == ["added archive 'Generated' (chosen, 1 article)"]
    assert [a.name for a in window.library.archive_list()] == ["chosen"]


@pytest.mark.skipif(not SPLIT_ZIM.is_file(), reason="../shared/content/zim is not present")
def test_dropping_a_zim_and_a_split_archive_adds_both(qtbot, window):
    from PySide6.QtCore import QUrl

    panel = window.library_panel
    event = drop_event(QUrl.fromLocalFile(str(RAY_ZIM)), QUrl.fromLocalFile(str(SPLIT_ZIM)))
    with qtbot.waitSignal(panel.scan_finished, timeout=WAIT_MS):
        panel.dropEvent(event)
    assert event.isAccepted()
    assert [a.name for a in window.library.archive_list()] == ["wikipedia_en_ray_charles", "kiwix.wikibooks_be_all"]
