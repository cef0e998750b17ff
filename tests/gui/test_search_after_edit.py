"""The search panel answers after an annotated article was edited (issue 9, item 1, through the GUI).

The panel searches in a worker; the first search of a session updates the
index, which opens the store, whose re-anchoring announced the note while the
index held its write lock: the worker hung and no results ever came.
"""

from __future__ import annotations

import os

from PySide6.QtCore import Qt

from reader.gui.search_panel import SearchPanel
from reader.library import Library

from .shell_support import WAIT_MS, drain


def test_the_search_panel_answers_after_an_annotated_article_was_edited(qtbot, app_paths, tmp_path):
    source = tmp_path / "s"
    source.mkdir()
    article = source / "e.txt"
    article.write_text("= Edit Me =\n\nalpha\n== Part ==\ndelta\n", encoding="utf-8")
    first = Library(app_paths, include_bundled=False)
    first.add_sources([source])
    first.store.add_note("edit-me", "part", "kittiwake", quote="delta")
    first.update_index()
    first.close()
    old = article.stat().st_mtime_ns
    article.write_text("= Edit Me =\n\nalpha changed\n== Part ==\nnew delta\n", encoding="utf-8")
    os.utime(article, ns=(old + 10**9, old + 10**9))

    library = Library(app_paths, include_bundled=False)
    library.rescan()
    panel = SearchPanel(library)
    qtbot.addWidget(panel)
    panel.show()
    try:
        with qtbot.waitSignal(panel.results_shown, timeout=WAIT_MS) as shown:
            qtbot.keyClicks(panel.query, "alpha")
            qtbot.keyClick(panel.query, Qt.Key.Key_Return)
        assert shown.args == [1]
    finally:
        drain()
        library.close()
