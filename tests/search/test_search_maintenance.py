"""Keeping the index right: incremental updates, rebuilds, damage, locks, notes, processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from reader.library import Library
from reader.search import storage

from .conftest import FakeNote, FakeNotes, indexed_documents, open_index, write_article

REPO = Path(__file__).resolve().parents[2]


def _ids(results):
    return sorted((h.article_id, h.section_id) for h in results.hits)


def _add_walrus_while_closed(library, corpus) -> None:
    """Index the corpus, close the index, then add an article it did not see."""
    index = open_index(library)
    index.update()
    index.close()
    write_article(corpus, "walrus", "Walrus", {"Tusks": "Walruses haul out."})
    library.rescan()


def _live_dir(index) -> Path:
    return storage.IndexDirectory(index.index_dir).current()


def test_first_update_builds_then_nothing_changed_reindexes_nothing(corpus_library):
    index = open_index(corpus_library)
    first = index.update()
    assert first.rebuilt and first.added == 3 and first.messages
    again = index.update()
    assert not again.changed and (again.added, again.updated, again.removed) == (0, 0, 0)
    index.close()
    reopened = open_index(corpus_library)  # a new start-up: reconciles, finds nothing to do
    assert not reopened.update().changed
    assert _ids(reopened.search("urchins")) == [("kelp-forest", "ecology"), ("sea-otter", "diet")]
    reopened.close()


def test_incremental_add_change_remove(corpus_library, corpus):
    index = open_index(corpus_library)
    index.update()
    write_article(corpus, "walrus", "Walrus", {"Tusks": "Walruses haul out with their tusks."})
    write_article(corpus, "kelp", "Kelp forest", {"Ecology": "Abalone graze the kelp."})
    (corpus / "otters.txt").unlink()
    corpus_library.rescan()  # the listener updates the open index
    assert _ids(index.search("tusks")) == [("walrus", "tusks")]
    assert _ids(index.search("abalone")) == [("kelp-forest", "ecology")]
    assert index.search("urchins").total == 0
    assert index.search("sea otter").hits == []
    assert [s.label for s in index.suggest("walr")] == ["Walrus"]
    assert index.suggest("sea ot") == []
    report = index.update()
    assert not report.changed
    index.close()


def test_update_reports_changes_when_nobody_listened(corpus_library, corpus):
    _add_walrus_while_closed(corpus_library, corpus)
    (corpus / "moscow.txt").unlink()
    corpus_library.rescan()
    reopened = open_index(corpus_library)
    report = reopened.update()
    assert (report.added, report.updated, report.removed, report.rebuilt) == (1, 0, 1, False)
    reopened.close()


def test_rebuild_equals_incremental(corpus_library, corpus, app_paths, tmp_path):
    notes = FakeNotes([FakeNote("n1", "kelp-forest", "ecology", ["Ecology"], "Otters like kelp")])
    index = open_index(corpus_library, notes)
    index.update()
    write_article(corpus, "walrus", "Walrus", {"Tusks": "Walruses haul out."})
    write_article(corpus, "kelp", "Kelp forest", {"Ecology": "Abalone graze the kelp."})
    (corpus / "moscow.txt").unlink()
    notes.items.append(FakeNote("n2", "walrus", "tusks", ["Tusks"], "Long teeth", tags=["teeth"]))
    notes.items[0].text = "Otters love kelp"
    corpus_library.rescan()
    index.update()
    incremental = indexed_documents(index)
    catalog = index._open.catalog
    index.update(rebuild=True)
    assert indexed_documents(index) == incremental
    assert (index._open.catalog.articles, index._open.catalog.notes) == (catalog.articles, catalog.notes)
    index.close()


def test_notes_are_indexed_and_searchable_only_when_asked(corpus_library):
    notes = FakeNotes([FakeNote("n1", "sea-otter", "diet", ["Diet"], "Remember the **pelican** colony", quote="use stones")])
    index = open_index(corpus_library, notes)
    assert index.update().notes_indexed == 1
    hits = index.search("pelican").hits
    assert [(h.kind, h.note_id, h.section_id, h.section_path) for h in hits] == [("note", "n1", "diet", ("Diet",))]
    assert hits[0].snippet.marked() == ["pelican"]
    assert {h.kind for h in index.search("stones").hits} == {"section", "note"}
    assert {h.kind for h in index.search("stones", notes_only=True).hits} == {"note"}
    assert {h.kind for h in index.search("in:notes stones").hits} == {"note"}
    assert [h.note_id for h in index.search("in:notes").hits] == ["n1"]
    notes.items.clear()
    report = index.update()
    assert report.notes_removed == 1 and index.search("pelican").total == 0
    index.close()


def test_notes_changed_event_updates_an_open_index(corpus_library):
    notes = FakeNotes()
    index = open_index(corpus_library, notes)
    index.update()
    notes.items.append(FakeNote("n9", "kelp-forest", "_lead", [], "Giant kelp grows fast"))
    corpus_library._emit("notes_changed", object())
    assert [h.note_id for h in index.search("giant").hits] == ["n9"]
    index.close()


def test_an_unreadable_store_skips_notes_but_search_works(corpus_library):
    def broken():
        raise RuntimeError("database is locked")

    index = open_index(corpus_library, broken)
    report = index.update()
    assert report.rebuilt and report.notes_indexed == 0
    assert index.search("urchins").total == 2
    index.close()


def test_default_notes_source_is_the_library_store(library):
    """With the real store (or none), indexing and searching never fail because of notes."""
    report = library.update_index()
    assert report.added == 1
    assert library.search("Shusha").total > 0


@pytest.mark.parametrize("damage", ["truncate_segment", "delete_toc", "garbage_toc", "delete_current", "stamp"])
def test_damaged_index_is_rebuilt_with_a_message(corpus_library, damage):
    index = open_index(corpus_library)
    index.update()
    expected = _ids(index.search("urchins"))
    before = indexed_documents(index)
    live = _live_dir(index)
    index.close()
    if damage == "truncate_segment":
        segment = next(live.glob("*.seg"))
        segment.write_bytes(segment.read_bytes()[: segment.stat().st_size // 3])
    elif damage == "delete_toc":
        next(live.glob("*.toc")).unlink()
    elif damage == "garbage_toc":
        next(live.glob("*.toc")).write_bytes(b"\x80\x04garbage")
    elif damage == "delete_current":
        (live.parent / storage.CURRENT).unlink()
    else:
        (live / storage.STAMP).write_text('{"schema": 0}')
    reopened = open_index(corpus_library)
    results = reopened.search("urchins")
    assert _ids(results) == expected
    assert reopened.messages and "build" in reopened.messages[0]
    assert indexed_documents(reopened) == before
    reopened.close()


def test_damage_found_during_a_search_triggers_one_rebuild(corpus_library):
    index = open_index(corpus_library)
    index.update()
    expected = _ids(index.search("urchins"))
    state = index._open
    original = state.searcher.search

    def failing(*args, **kwargs):
        state.searcher.search = original
        raise EOFError("segment ends early")

    state.searcher.search = failing
    assert _ids(index.search("urchins")) == expected
    assert any("EOFError" in m for m in index.messages)
    index.close()


def test_a_catalog_lost_after_a_crash_is_recomputed(corpus_library):
    index = open_index(corpus_library)
    index.update()
    live = _live_dir(index)
    catalog = index._open.catalog
    index.close()
    (live / storage.CATALOG).unlink()
    reopened = open_index(corpus_library)
    assert not reopened.update().changed
    assert reopened._open.catalog.articles == catalog.articles
    assert [s.label for s in reopened.suggest("ecol")] == ["Ecology"]
    reopened.close()


def _hold_lock_then_die(lock_dir: Path) -> subprocess.Popen:
    """A process that takes the write lock (and Whoosh's) and waits to be killed."""
    code = textwrap.dedent(f"""
        import sys, time
        from reader.search.storage import IndexDirectory
        d = IndexDirectory({str(lock_dir)!r})
        with d.write_lock(5) as ok:
            print("locked" if ok else "failed", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_stale_lock_of_a_killed_process_does_not_block(corpus_library, corpus):
    _add_walrus_while_closed(corpus_library, corpus)
    holder = _hold_lock_then_die(corpus_library.paths.index_dir)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert (corpus_library.paths.index_dir / storage.LOCK).exists()  # the file is left behind
    reopened = open_index(corpus_library)
    report = reopened.update()
    assert report.added == 1 and not report.busy
    assert reopened.search("walruses").total == 1
    reopened.close()


def test_while_another_process_writes_a_search_answers_from_the_index_as_it_is(corpus_library, corpus, monkeypatch):
    _add_walrus_while_closed(corpus_library, corpus)
    holder = _hold_lock_then_die(corpus_library.paths.index_dir)
    try:
        monkeypatch.setattr("reader.search.index.UPDATE_LOCK_TIMEOUT", 0.2)
        reader = open_index(corpus_library)
        assert reader.search("urchins").total == 2  # old index, no wait
        assert reader.search("walruses").total == 0
        assert reader.update().busy
        reader.close()
    finally:
        holder.kill()
        holder.wait()


def test_two_processes_updating_at_once_leave_a_correct_index(corpus_library, corpus, app_paths):
    for i in range(30):
        write_article(corpus, f"extra{i}", f"Extra article {i}", {"Body": f"Unique word zebra{i} and common words."})
    corpus_library.rescan()
    code = textwrap.dedent(f"""
        from reader.library import Library
        from reader.paths import AppPaths
        from pathlib import Path
        paths = AppPaths(Path({str(app_paths.data_dir)!r}), Path({str(app_paths.cache_dir)!r}),
                         Path({str(app_paths.config_dir)!r}), Path({str(app_paths.bundle_root)!r}))
        lib = Library(paths, include_bundled=False)
        report = lib.update_index()
        print(report.busy, lib.search("zebra7").total)
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code], cwd=REPO, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0].split() for p in procs]
    assert all(p.returncode == 0 for p in procs)
    assert [out[1] for out in outputs] == ["1", "1"] and ["False", "False"] == [out[0] for out in outputs]
    check = open_index(Library(app_paths, include_bundled=False))
    assert not check.update().changed
    assert check.search("zebra29").total == 1 and check.search("urchins").total == 2
    check.close()


def test_cancel_keeps_the_previous_index(corpus_library, corpus):
    _add_walrus_while_closed(corpus_library, corpus)
    cancel = threading.Event()
    cancel.set()
    reopened = open_index(corpus_library)
    for rebuild in (False, True):
        report = reopened.update(rebuild=rebuild, cancel=cancel)
        assert report.cancelled and not report.rebuilt and report.added == 0
        assert reopened.search("urchins").total == 2 and reopened.search("walruses").total == 0
    assert reopened.update().added == 1
    assert reopened.search("walruses").total == 1
    reopened.close()


def test_progress_reports_every_article(corpus_library):
    index = open_index(corpus_library)
    calls = []
    index.update(rebuild=True, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]
    index.close()


def test_search_during_a_rebuild_answers_from_the_old_index(corpus_library):
    index = open_index(corpus_library)
    index.update()
    answers = []

    def progress(done, total):
        if done == 2:
            answers.append(index.search("urchins").total)

    index.update(rebuild=True, progress=progress)
    assert answers == [2]
    index.close()


def test_old_generations_are_removed_after_a_rebuild(corpus_library):
    index = open_index(corpus_library)
    index.update()
    index.update(rebuild=True)
    index.update(rebuild=True)
    generations = [p.name for p in corpus_library.paths.index_dir.iterdir() if p.is_dir()]
    assert generations == [_live_dir(index).name]
    index.close()


def test_an_unwritable_index_dir_is_a_clear_error(corpus_library, tmp_path):
    from reader.errors import LecternError
    from reader.search import SearchIndex

    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the index folder should be")
    index = SearchIndex(blocker / "index", corpus_library, notes=FakeNotes())
    with pytest.raises(LecternError, match="cannot write the search index"):
        index.search("urchins")
    assert blocker.read_text().startswith("a file")  # nothing lost


def test_small_segments_are_folded_together_without_losing_documents(corpus_library, corpus, monkeypatch):
    monkeypatch.setattr("reader.search.index.MERGE_AT_SEGMENTS", 3)
    notes = FakeNotes([FakeNote("n1", "kelp-forest", "ecology", ["Ecology"], "Otters like kelp", tags=["sea"])])
    index = open_index(corpus_library, notes)
    index.update()
    otters = index.search("otters").total
    for i in range(5):  # one small segment per update, folded every third
        write_article(corpus, f"extra{i}", f"Extra {i}", {"Body": f"Walruses number {i} haul out."})
        corpus_library.rescan()
    assert len(list(index._open.searcher.reader().leaf_readers())) < 5
    assert index.search("walruses").total == 5 and index.search("otters").total == otters
    incremental = indexed_documents(index)
    index.update(rebuild=True)
    assert indexed_documents(index) == incremental
    index.close()


def test_cyrillic_and_cjk_text_is_findable_by_its_words(corpus_library):
    index = open_index(corpus_library)
    assert ("москва", "история") in _ids(index.search("летописи"))
    assert ("москва", "история") in _ids(index.search("ЛЕТОПИСИ москва"))
    assert _ids(index.search("唐代"))[0][0] == "москва"
    assert index.search("唐宋").total == 0  # characters must be adjacent, as written
    index.close()


def test_an_empty_library_searches_and_suggests_nothing(app_paths):
    library = Library(app_paths, include_bundled=False)
    index = open_index(library)
    assert index.search("anything").total == 0 and index.suggest("a") == []
    assert not index.update().changed
    index.close()
