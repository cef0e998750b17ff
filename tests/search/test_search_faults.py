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

from reader.errors import LecternError
from reader.search import SearchIndex, storage

from .conftest import FakeNotes, open_index, write_article

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
