"""The index under trouble: a full disk, killed rebuilds, the cache deleted under a search (issue 13: 9, 10, 13)."""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from whoosh.codec.whoosh3 import W3Codec

from reader.errors import LecternError
from reader.search import SearchIndex

from .conftest import open_index, write_article

REPO = Path(__file__).resolve().parents[2]


def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


# ---------------------------------------------------------------- 10: a full disk

def test_a_full_disk_searches_the_index_as_it_is(corpus_library, corpus, monkeypatch):
    first = open_index(corpus_library)
    first.update()
    first.close()
    write_article(corpus, "walrus", "Walrus", {"Tusks": "Walruses haul out."})
    corpus_library.rescan()
    monkeypatch.setattr(SearchIndex, "_incremental", _disk_full)  # the update cannot write a byte
    index = open_index(corpus_library)
    assert index.search("urchins").total == 2  # answered from the intact index
    assert index.search("walruses").total == 0  # the change that could not be written
    assert any("is full" in m and "as it is" in m for m in index.messages)
    with pytest.raises(LecternError, match="disk holding the search index .* is full"):
        index.update()  # an explicit update says why it failed
    monkeypatch.undo()
    assert index.update().added == 1  # space again: the next update catches up
    assert index.search("walruses").total == 1
    index.close()


def test_a_full_disk_without_any_index_is_still_an_error(corpus_library, monkeypatch):
    monkeypatch.setattr(SearchIndex, "_rebuild", _disk_full)
    index = open_index(corpus_library)
    with pytest.raises(LecternError, match="is full"):
        index.search("urchins")
    index.close()


# ---------------------------------------------------------------- 13: killed rebuilds leave no build-* folder

def _builds(index_dir: Path) -> list[str]:
    return sorted(p.name for p in index_dir.iterdir() if p.name.startswith("build-"))


def _start(code: str) -> subprocess.Popen:
    """A child in its own process group (Whoosh's indexing workers die with it)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, env=env,
                            stdout=subprocess.PIPE, text=True, start_new_session=True)


def _kill_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)


def _paths_code(paths) -> str:
    return (f"from pathlib import Path\nfrom reader.paths import AppPaths\n"
            f"paths = AppPaths(Path({str(paths.data_dir)!r}), Path({str(paths.cache_dir)!r}), "
            f"Path({str(paths.config_dir)!r}), Path({str(paths.bundle_root)!r}))\n")


def test_folders_of_killed_rebuilds_are_removed_at_the_next_open(corpus_library):
    index = open_index(corpus_library)
    index.update()
    index.close()
    for _ in range(3):
        child = _start(_paths_code(corpus_library.paths) + textwrap.dedent("""
            import time
            from reader.library import Library
            def progress(done, total):
                print("building", flush=True)
                time.sleep(60)
            Library(paths, include_bundled=False).update_index(rebuild=True, progress=progress)
        """))
        assert child.stdout.readline().strip() == "building"
        _kill_group(child)
    index_dir = corpus_library.paths.index_dir
    assert len(_builds(index_dir)) == 1  # each rebuild removed the folder of the one killed before it
    reopened = open_index(corpus_library)
    assert reopened.search("urchins").total == 2
    assert _builds(index_dir) == []
    reopened.close()


def test_a_build_folder_in_use_by_another_process_is_left_alone(corpus_library):
    index = open_index(corpus_library)
    index.update()
    index.close()
    index_dir = corpus_library.paths.index_dir
    builder = _start(f"""
        import time
        from reader.search.storage import IndexDirectory
        d = IndexDirectory({str(index_dir)!r})
        with d.write_lock(5) as ok:
            d.new_build_dir()
            print("building" if ok else "failed", flush=True)
            time.sleep(60)
    """)
    try:
        assert builder.stdout.readline().strip() == "building"
        reader = open_index(corpus_library)
        assert reader.search("urchins").total == 2  # answered without the lock
        assert len(_builds(index_dir)) == 1  # the running build is untouched
        reader.close()
    finally:
        _kill_group(builder)
    again = open_index(corpus_library)
    again.update()
    assert _builds(index_dir) == []
    again.close()


# ---------------------------------------------------------------- 9: the cache deleted under a search

def _two_indexing_processes():
    return {"limitmb": 32, "procs": 2, "multisegment": True}


class _FailsInWorkers(W3Codec):
    """Whoosh's codec, except that an indexing process (not the one that made it) cannot create its files,
    as when the build folder is deleted under it. Workers get it pickled: no patch reaches a spawned process."""

    def __init__(self):
        super().__init__()
        self.parent = os.getpid()

    def field_writer(self, storage, segment):
        if os.getpid() != self.parent:
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", "build-x/MAIN_1.seg")
        return super().field_writer(storage, segment)


def _workers_that_fail():
    return {**_two_indexing_processes(), "codec": _FailsInWorkers()}


def test_a_failing_indexing_worker_prints_nothing_and_keeps_the_old_index(corpus_library, monkeypatch, capfd):
    index = open_index(corpus_library)
    index.update()
    monkeypatch.setattr("reader.search.index._bulk_writer_options", _workers_that_fail)
    with pytest.raises(LecternError, match="indexing process could not write"):
        index.update(rebuild=True)  # never committed without the worker's documents
    assert "Traceback" not in capfd.readouterr().err
    assert index.search("urchins").total == 2  # the previous index, untouched
    assert _builds(corpus_library.paths.index_dir) == []
    monkeypatch.setattr("reader.search.index._bulk_writer_options", _two_indexing_processes)
    assert index.update(rebuild=True).rebuilt  # the multi-process build itself works
    assert index.search("urchins").total == 2
    index.close()


def test_a_cache_deleted_under_an_open_index_is_rebuilt_for_suggestions_too(corpus_library):
    index = open_index(corpus_library)
    index.update()
    shutil.rmtree(corpus_library.paths.index_dir)
    assert [s.article_id for s in index.suggest("kelp")][:1] == ["kelp-forest"]  # rebuilt, not RuntimeError
    shutil.rmtree(corpus_library.paths.index_dir)
    assert index.search("urchins").total == 2
    index.close()


def test_whoosh_errors_during_the_rebuild_reach_callers_as_a_clear_error(corpus_library, monkeypatch):
    index = open_index(corpus_library)
    index.update()
    shutil.rmtree(corpus_library.paths.index_dir)  # deleted under the open index...

    def closed(*args, **kwargs):
        raise Exception("This file is already closed")  # ...what Whoosh raises when its files vanish

    monkeypatch.setattr(SearchIndex, "_build_into", closed)
    for ask in (lambda: index.search("urchins"), lambda: index.suggest("kelp")):
        with pytest.raises(LecternError, match="could not be read or rebuilt") as caught:
            ask()
        assert "already closed" not in str(caught.value)
    monkeypatch.undo()
    assert index.search("urchins").total == 2  # and the next search rebuilds it
    index.close()
