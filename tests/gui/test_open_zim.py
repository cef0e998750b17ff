"""`lectern FILE.zim` in the window: the archive is added and its main page opens."""

from __future__ import annotations

import pytest

from tests.conftest import SHARED_CONTENT

from .shell_support import WAIT_MS, window  # noqa: F401 - fixtures

RAY_ZIM = SHARED_CONTENT / "zim" / "libkiwix" / "zimfile.zim"


@pytest.mark.skipif(not RAY_ZIM.is_file(), reason="../shared/content/zim is not present")
def test_opening_a_zim_file_adds_it_and_shows_its_main_page(qtbot, window):
    from reader.gui.app import open_paths

    with qtbot.waitSignal(window.library_panel.scan_finished, timeout=WAIT_MS):
        open_paths(window, [str(RAY_ZIM)])
    qtbot.waitUntil(lambda: window.view.article is not None
                    and window.view.article.id == "zim:wikipedia_en_ray_charles/index", timeout=WAIT_MS)
    assert [a.name for a in window.library.archive_list()] == ["wikipedia_en_ray_charles"]


def test_an_added_archive_without_an_index_is_indexed_in_the_background_with_progress(qtbot, window, tmp_path):
    from reader.gui.app import open_paths
    from tests.sources.pages import Page, render, write_archive

    with qtbot.waitSignal(window.index_ready, timeout=WAIT_MS):
        window.start_background_work(rescan=False)
    pages = [(f"Page_{n}", f"Page {n}", render(Page(f"Page {n}", lead=[f"Wombatry number {n}."]), "flat"))
             for n in range(3)]
    path = write_archive(tmp_path / "plain_2026-11.zim", pages, name="plain", main="Page_0", indexing=False)
    with qtbot.waitSignal(window.index_ready, timeout=WAIT_MS) as indexed:
        open_paths(window, [str(path)])
        qtbot.waitUntil(lambda: window.index_task is not None, timeout=WAIT_MS)
        assert window.activity.label.text().startswith("Updating search index")
    assert indexed.args[0].added == 3
    assert {hit.article_id for hit in window.library.search("wombatry").hits} == {f"zim:plain/Page_{n}" for n in range(3)}
