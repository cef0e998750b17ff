"""Events never re-enter a lock: editing an annotated article, then searching, answers (issue 9, item 1).

Opening the store inside an index update re-anchors the notes, which emits
``notes_changed``; its listener (the index) used to take the index's write lock
again and hang forever. The timeouts below only guard against that hang: they
are not speed assertions.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

from reader.library import Library

from .conftest import FakeNote, FakeNotes, open_index

REPO = Path(__file__).resolve().parents[2]
HANG_GUARD_SECONDS = 30
ORIGINAL = "= Edit Me =\n\nalpha\n== Part ==\ndelta\n"
EDITED = "= Edit Me =\n\nalpha changed\n== Part ==\nnew delta\n"


def _edit(path: Path, text: str) -> None:
    old = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(old + 10**9, old + 10**9))  # a distinct mtime even on coarse clocks


def _lectern(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "reader", "--data-dir", str(data_dir), "--no-bundled", *args],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=HANG_GUARD_SECONDS)


def test_search_after_editing_an_annotated_article_answers_from_the_cli(tmp_path):
    data, source = tmp_path / "d", tmp_path / "s"
    source.mkdir()
    (source / "e.txt").write_text(ORIGINAL, encoding="utf-8")
    assert _lectern(data, "add", str(source)).returncode == 0
    assert _lectern(data, "notes", "add", "edit-me", "--section", "part", "--text", "n", "--quote", "delta").returncode == 0
    assert _lectern(data, "index").returncode == 0
    _edit(source / "e.txt", EDITED)
    result = _lectern(data, "search", "alpha")  # hung here (TimeoutExpired) before the fix
    assert result.returncode == 0, result.stderr
    assert "Edit Me" in result.stdout and "alpha changed" in result.stdout.replace("[", "").replace("]", "")
    for command in (("index",), ("suggest", "edi")):
        assert _lectern(data, *command).returncode == 0


def _in_thread(call):
    """Run ``call`` in a daemon thread; (finished, result or exception)."""
    outcome = []
    worker = threading.Thread(target=lambda: outcome.append(_capture(call)), daemon=True)
    worker.start()
    worker.join(HANG_GUARD_SECONDS)
    return (not worker.is_alive()), (outcome[0] if outcome else None)


def _capture(call):
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - the test reports it
        return exc


def test_search_after_editing_an_annotated_article_answers_in_process(app_paths, tmp_path):
    source = tmp_path / "s"
    source.mkdir()
    (source / "e.txt").write_text(ORIGINAL, encoding="utf-8")
    first = Library(app_paths, include_bundled=False)
    first.add_sources([source])
    note = first.store.add_note("edit-me", "part", "kittiwake", quote="delta")
    first.update_index()
    first.close()
    _edit(source / "e.txt", EDITED)

    second = Library(app_paths, include_bundled=False)
    second.rescan()
    finished, results = _in_thread(lambda: second.search("alpha"))
    assert finished, "search hung (a listener re-entered the index's write lock)"
    assert [h.article_id for h in results.hits] == ["edit-me"]
    assert second.search("new").total == 1  # the edited text is indexed
    assert second.store.note(note.id).quote == "delta"  # re-anchored into "new delta", not lost
    assert second.search("kittiwake", notes_only=True).total == 1
    second.close()


def test_a_change_during_an_update_is_indexed_by_the_next_search(corpus_library):
    """A note saved while another thread updates the index: marking the index behind does not wait
    for that update, and the next search catches up."""
    notes = FakeNotes()
    index = open_index(corpus_library, notes)
    index.update()
    started, release = threading.Event(), threading.Event()

    def slow_progress(done, total):
        started.set()
        release.wait(HANG_GUARD_SECONDS)

    updater = threading.Thread(target=lambda: index.update(rebuild=True, progress=slow_progress), daemon=True)
    updater.start()
    assert started.wait(HANG_GUARD_SECONDS)
    notes.items.append(FakeNote("n1", "kelp-forest", "ecology", ["Ecology"], "walrusnote"))
    finished, _ = _in_thread(index.mark_behind)  # what the coordinator calls after the store committed
    assert finished, "marking the index behind waited for the running update"
    release.set()
    updater.join(HANG_GUARD_SECONDS)
    assert not updater.is_alive()
    assert index.search("walrusnote").total == 1
    index.close()
