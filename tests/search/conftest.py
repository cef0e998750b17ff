"""Helpers for the search tests: small articles written on the fly."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.library import Library
from reader.search import SearchIndex


def write_article(folder: Path, name: str, title: str, sections: dict[str, str], lead: str = "") -> Path:
    lines = [f"= {title} =", "", lead, ""]
    for heading, text in sections.items():
        lines += [f"== {heading} ==", text, ""]
    path = folder / f"{name}.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A folder with three small articles (a source the tests may edit)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "otters", "Sea otter", {
        "Diet": "Sea otters eat urchins, crabs and clams; they use stones as tools.",
        "Habitat": "Kelp forests along the Pacific coast of Łódź-like latitudes.",
    }, lead="The sea otter is a marine mammal of the North Pacific.")
    write_article(folder, "kelp", "Kelp forest", {
        "Ecology": "Kelp forests shelter otters, fish and urchins; urchin barrens form without predators.",
    }, lead="Kelp forests are underwater areas with a high density of kelp.")
    write_article(folder, "moscow", "Москва", {
        "История": "Москва впервые упоминается в летописи 1147 года.",
        "杜甫": "杜甫是唐代诗人。",
    }, lead="Москва — столица России.")
    return folder


class FakeNote:
    """Stands in for reader.userdata's Note (only the attributes the index reads)."""

    def __init__(self, id, article_id, section_id, section_path, text, quote=None, tags=()):
        self.id, self.article_id, self.section_id = id, article_id, section_id
        self.section_path, self.text, self.quote, self.tags = tuple(section_path), text, quote, tuple(tags)
        self.orphaned = False


class FakeNotes:
    def __init__(self, notes=()):
        self.items = list(notes)

    def __call__(self):
        return list(self.items)


@pytest.fixture
def corpus_library(app_paths, corpus) -> Library:
    lib = Library(app_paths, include_bundled=False)
    lib.add_sources([corpus])
    yield lib
    lib.close()


def open_index(library: Library, notes=None) -> SearchIndex:
    """An index of ``library``'s articles and ``notes``, marked behind after each change event as the
    coordinator does for ``library.search_index`` (the library's own index is not used)."""
    index = SearchIndex(library.paths.index_dir, library, notes=notes or FakeNotes())
    library.add_listener(lambda event, payload: index.mark_behind())
    return index


def indexed_documents(index: SearchIndex) -> list[tuple]:
    """Every stored document of the open index, sorted (to compare two indexes)."""
    state = index._fresh_state()
    docs = [tuple(sorted((k, str(v)) for k, v in d.items())) for d in state.searcher.all_stored_fields()]
    return sorted(docs)
