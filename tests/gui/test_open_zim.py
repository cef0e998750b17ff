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
