"""The one change helper and the one reload helper the panels share (issue 9, "changes as values")."""

from __future__ import annotations

import threading

from PySide6.QtCore import QCoreApplication, QObject, QThreadPool

from reader.changes import Changes
from reader.gui.panel_support import ChangeFeed, Loader

GUARD_MS = 20_000


def test_the_loader_applies_only_the_newest_answer(qtbot):
    owner = QObject()
    release, applied = threading.Event(), []

    def load(answer):
        if answer == "old":
            release.wait(GUARD_MS / 1000)  # the older request answers last
        return answer

    loader = Loader(owner, load, applied.append)
    loader("old")
    loader("new")
    qtbot.waitUntil(lambda: applied == ["new"], timeout=GUARD_MS)
    release.set()
    QThreadPool.globalInstance().waitForDone(GUARD_MS)
    QCoreApplication.sendPostedEvents()  # deliver the old answer's queued signal: it must be dropped
    QCoreApplication.processEvents()
    assert applied == ["new"]


def test_the_change_feed_delivers_store_events_as_values_on_the_gui_thread(qtbot, library):
    owner = QObject()
    feed = ChangeFeed(library, owner)
    worker = threading.Thread(target=lambda: library.store.add_bookmark(library.articles()[0].id))
    with qtbot.waitSignal(feed.changed, timeout=GUARD_MS) as blocker:
        worker.start()
    worker.join()
    changes = blocker.args[0]
    assert isinstance(changes, Changes) and changes.bookmarks and not changes.any_notes
    QThreadPool.globalInstance().waitForDone(GUARD_MS)


def test_the_window_catches_the_index_up_after_a_note_is_saved(qtbot, library, app_paths):
    from .shell_support import close_window, open_window

    window = open_window(qtbot, library, app_paths)
    library.update_index()
    index = library.search_index
    library.store.add_note(library.articles()[0].id, "_lead", "a puffin colony")
    assert index.behind  # saving only marked it
    qtbot.waitUntil(lambda: not index.behind, timeout=GUARD_MS)  # the window's worker caught up
    assert index.search("puffin", notes_only=True).total == 1
    close_window(window)


def test_a_newer_load_cancels_the_older_task(qtbot):
    owner, events, release = QObject(), [], threading.Event()

    def load(answer, cancel=None):
        events.append(cancel)
        if answer == "old":
            release.wait(GUARD_MS / 1000)
        return answer

    applied = []
    loader = Loader(owner, load, applied.append)
    loader("old")
    qtbot.waitUntil(lambda: len(events) == 1, timeout=GUARD_MS)
    loader("new")
    assert events[0].is_set()  # the older task was told it is not wanted any more
    qtbot.waitUntil(lambda: applied == ["new"], timeout=GUARD_MS)
    release.set()
    QThreadPool.globalInstance().waitForDone(GUARD_MS)
