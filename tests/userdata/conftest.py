"""Fixtures for the user-data tests: stores with and without a library, an editable article."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.library import Library
from reader.userdata import UserStore

ANCHOR_ARTICLE = """= Anchor Test =

A lead paragraph about the collection.

== Alpha ==
Alpha opens with the quick brown fox jumping over the lazy dog.
Alpha also mentions copper kettles on a shelf.

== Beta ==
Beta is about silver spoons in a drawer.

=== Gamma ===
Gamma keeps golden forks in a box.
"""


@pytest.fixture
def store(app_paths):
    """A store with no library attached (targets are not checked)."""
    s = UserStore(app_paths)
    yield s
    s.close()


@pytest.fixture
def events(library):
    """Everything the library's listeners hear, as (event, payload) pairs."""
    heard: list[tuple[str, object]] = []
    library.add_listener(lambda event, payload: heard.append((event, payload)))
    return heard


class EditableArticle:
    """An article file outside the bundle that a test can rewrite, then rescan."""

    def __init__(self, path: Path):
        self.path = path
        self.write(ANCHOR_ARTICLE)

    def write(self, text: str) -> None:
        old = self.path.stat().st_mtime_ns if self.path.exists() else 0
        self.path.write_text(text, encoding="utf-8")
        # A distinct mtime even on coarse clocks, so the scan looks at the content.
        os.utime(self.path, ns=(old + 10**9, old + 10**9))

    def edit(self, old: str, new: str) -> None:
        text = self.path.read_text(encoding="utf-8")
        assert old in text, f"test set-up: {old!r} is not in the article"
        self.write(text.replace(old, new))


@pytest.fixture
def editable(tmp_path, library) -> tuple[Library, EditableArticle, str]:
    """(library, article file, article id) with the store already attached."""
    folder = tmp_path / "articles"
    folder.mkdir()
    article = EditableArticle(folder / "anchor-test.txt")
    library.add_sources([folder])
    library.store  # open and attach before the edits
    return library, article, "anchor-test"
