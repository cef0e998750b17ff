"""Small archives without a full-text index are indexed into Lectern's index (issue 10, item 5)."""

from __future__ import annotations

import pytest

from reader.library import Library
from reader.sources import zim

from .pages import GenSection, Page, render, write_archive

SOURCE = "zim:plain"
DEEP = "zim:plain/Plain_3"


def _pages() -> list[tuple[str, str, str]]:
    """Five pages; "wombatry" only in a body paragraph of a subsection of page 3 (not in any title)."""
    pages = []
    for number in range(5):
        deep = "Keepers practise wombatry at dawn." if number == 3 else "Nothing to see."
        page = Page(f"Plain page {number}", lead=[f"Lead of page {number}."],
                    sections=[GenSection("Care", ["Feeding."], children=[GenSection("Habits", [deep])])])
        pages.append((f"Plain_{number}", page.title, render(page, ("details", "section", "flat")[number % 3])))
    return pages


@pytest.fixture
def plain_archive(tmp_path):
    return write_archive(tmp_path / "plain_2026-11.zim", _pages(), name="plain", main="Plain_0", indexing=False)


@pytest.fixture
def library(app_paths):
    library = Library(app_paths, include_bundled=False)
    yield library
    library.close()


def test_a_word_only_in_a_body_paragraph_is_found_after_indexing_with_progress(library, plain_archive):
    library.add_sources([plain_archive])
    source = library.archives.open_sources()[0]
    assert source.indexed and source.searchable() is None  # Lectern's index answers, not the title search
    steps = []
    report = library.update_index(progress=lambda done, total: steps.append((done, total)))
    assert report.added == 5 and steps[-1] == (5, 5)
    hits = library.search("wombatry").hits
    assert [(hit.article_id, hit.section_path) for hit in hits] == [(DEEP, ("Care", "Habits"))]
    assert hits[0].snippet.marked() == ["wombatry"]


def test_title_words_are_hit_once_per_section_not_also_by_title_search(library, plain_archive):
    library.add_sources([plain_archive])
    library.update_index()
    hits = library.search("plain page 2", limit=50).hits
    keys = [(hit.article_id, hit.section_id) for hit in hits]
    assert len(keys) == len(set(keys)) and ("zim:plain/Plain_2", "_lead") in keys


def test_the_source_filter_keeps_or_leaves_out_an_indexed_archive(library, plain_archive, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "Zoo.txt").write_text("= Zoo =\n\nThe zoo teaches wombatry too.\n", encoding="utf-8")
    library.add_sources([folder, plain_archive])
    library.update_index()
    everywhere = {hit.article_id for hit in library.search("wombatry").hits}
    assert DEEP in everywhere and len(everywhere) == 2
    assert {hit.article_id for hit in library.search("wombatry", source=SOURCE).hits} == {DEEP}
    folders = {hit.article_id for hit in library.search("wombatry", source="folders").hits}
    assert folders == everywhere - {DEEP}


def test_notes_on_an_indexed_archive_keep_their_anchor_and_are_found(library, plain_archive):
    library.add_sources([plain_archive])
    article = library.article(DEEP)
    library.store.add_note(DEEP, article.sections[-1].id, "numbat remark", quote="wombatry")
    library.update_index()
    hits = library.search("numbat").hits
    assert [(hit.kind, hit.article_title) for hit in hits] == [("note", "Plain page 3")]
    assert not library.store.notes()[0].orphaned


def test_a_larger_archive_without_an_index_keeps_title_search_and_says_so_once(library, plain_archive,
                                                                              monkeypatch):
    monkeypatch.setattr(zim, "MAX_WHOOSH_ARTICLES", 4)  # the archive has 5 articles: "too large"
    library.add_sources([plain_archive])
    source = library.archives.open_sources()[0]
    assert not source.indexed and source.title_search_only
    library.update_index()
    assert library.search("wombatry").hits == []  # body words are not searchable
    assert {hit.article_id for hit in library.search("plain page 3").hits} >= {DEEP}
    library.search("plain page")
    told = [text for text in library.messages if "searched by title only" in text]
    assert told == ["archive 'Generated' has no full-text index and more than 4 articles: "
                    "it is searched by title only"]


def test_the_real_wikibooks_archive_without_an_index_is_searched_in_full(library, zim_dir):
    library.add_sources([zim_dir / "zim-testing-suite" / "nons" / "wikibooks_be_all_nopic_2017-02.zim"])
    report = library.update_index()
    assert report.added == 66
    hits = library.search("тасканскі").hits  # in a body paragraph of the Italian course only
    assert [hit.article_title for hit in hits] == ["Італьянская мова"]
    assert hits[0].snippet.marked() == ["тасканскі"]
