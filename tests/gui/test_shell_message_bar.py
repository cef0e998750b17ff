"""The window's message bar: library, index and store notices through one channel (issue 9)."""

from __future__ import annotations

import os

import pytest

from PySide6.QtWidgets import QToolButton

from reader.library import Library

from .shell_support import close_window, drain, open_window


def _damage(path) -> None:
    with open(path, "r+b") as handle:
        handle.write(os.urandom(4096))  # the header: SQLite no longer recognises the file


def _empty(path) -> None:
    path.write_bytes(b"")


@pytest.mark.parametrize("spoil", [_damage, _empty], ids=["damaged", "empty"])
def test_a_damaged_notes_database_at_start_is_shown_in_the_message_bar(qtbot, app_paths, spoil):
    first = Library(app_paths)
    first.rescan()
    first.store.add_note(first.articles()[0].id, "_lead", "a note to keep")
    backup = first.store.backup()
    first.close()
    spoil(app_paths.database)

    library = Library(app_paths)
    window = open_window(qtbot, library, app_paths)
    window.start_background_work()
    bar = window.message_bar
    qtbot.waitUntil(lambda: any("damaged" in text for text in bar.texts()), timeout=20_000)
    assert bar.isVisible()
    assert any(str(backup) in text for text in bar.texts())  # QA 2: it names the backup to restore
    close_window(window)
    library.close()


def test_a_condition_leaves_the_bar_when_it_ends_and_a_one_off_notice_when_closed(qtbot, library, app_paths):
    window = open_window(qtbot, library, app_paths)
    bar = window.message_bar
    assert not bar.isVisible()
    library.notices.post("index", "the disk holding the search index is full", key="index.not_writable")
    library.notices.post("library", "library.json was unreadable and was restored")
    qtbot.waitUntil(lambda: len(bar.texts()) == 2)
    assert bar.isVisible()
    library.notices.clear("index.not_writable")
    qtbot.waitUntil(lambda: bar.texts() == ["library.json was unreadable and was restored"])
    closers = [b for b in bar.findChildren(QToolButton) if b.accessibleName() == "Close message"]
    assert len(closers) == 1  # a condition has no close button: it leaves when it ends
    closers[0].click()
    qtbot.waitUntil(lambda: bar.texts() == [])
    assert not bar.isVisible()
    drain()
    close_window(window)


def test_an_index_rebuild_is_shown_while_it_runs(qtbot, library, app_paths):
    window = open_window(qtbot, library, app_paths)
    bar = window.message_bar
    seen = []
    bar.bridge.notice.connect(lambda what, notice: seen.append((what, notice.text)))
    with qtbot.waitSignal(window.index_ready, timeout=60_000):
        window.update_index(rebuild=True)
    qtbot.waitUntil(lambda: any(what == "cleared" and "being rebuilt" in text for what, text in seen), timeout=20_000)
    assert any(what == "posted" and "being rebuilt" in text for what, text in seen)
    assert not any("being rebuilt" in text for text in bar.texts())  # gone once the rebuild ended
    close_window(window)
