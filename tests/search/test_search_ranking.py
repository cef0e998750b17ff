"""Ranking: what the user meant comes first (docs/search.md, "Ranking").

The judged sets (tests/search/judged.py) need ../shared/content; the small cases below do not.
Floors from issue 11: navigational success@1 >= 0.99, heading success@1 >= 0.95,
known-item success@3 and MRR each >= FTS5's + 0.05 on the same texts and queries.
benchmarks/bench_relevance.py prints the full comparison (docs/performance.md).
"""

from __future__ import annotations

import pytest

from reader.library import Library

from . import judged
from .conftest import write_article


@pytest.fixture(scope="module")
def judged_library(tmp_path_factory):
    if not judged.content_folders():
        pytest.skip("../shared/content is not present")
    library = judged.open_judged_library(tmp_path_factory.mktemp("judged"))
    library.update_index()
    yield library
    library.close()


@pytest.fixture(scope="module")
def sets(judged_library):
    return judged.judged_sets(judged_library)


def _lectern(library, queries):
    return judged.measures(judged.lectern_rankings(library, queries), queries)


def test_navigational_queries_find_the_article_or_section_first(judged_library, sets):
    queries = sets["navigational"]
    assert len(queries) >= 200
    rankings = judged.lectern_rankings(judged_library, queries)
    assert judged.measures(rankings, queries)["success@1"] >= 0.99, judged.misses(rankings, queries)


def test_heading_queries_find_that_section_first(judged_library, sets):
    queries = sets["heading"]
    assert len(queries) >= 150
    rankings = judged.lectern_rankings(judged_library, queries)
    assert judged.measures(rankings, queries)["success@1"] >= 0.95, judged.misses(rankings, queries)


def test_known_item_queries_rank_ahead_of_fts5(judged_library, sets):
    queries = sets["known-item"]
    assert len(queries) >= 300
    ours = _lectern(judged_library, queries)
    fts5 = judged.measures(judged.fts5_rankings(judged_library, queries), queries)
    print(f"\nknown-item: Lectern {ours}, FTS5 {fts5}")
    assert ours["success@3"] >= fts5["success@3"] + 0.05
    assert ours["MRR"] >= fts5["MRR"] + 0.05


@pytest.fixture
def small_library(app_paths, tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    library = Library(app_paths, include_bundled=False)
    yield folder, library
    library.close()


def test_the_article_titled_like_the_query_comes_first_among_many_that_mention_it(small_library):
    folder, library = small_library
    judged.ray_charles_library(folder)
    library.add_sources([folder])
    first = library.search("Ray Charles").hits[0]
    assert (first.article_title, first.section_id) == ("Ray Charles", "_lead")
    first = library.search("ray charles piano").hits[0]
    assert (first.article_title, first.section_path) == ("Ray Charles", ("Career",))


def test_words_close_together_rank_above_the_same_words_far_apart(small_library):
    folder, library = small_library
    filler = " ".join(f"filler{i}" for i in range(60))
    write_article(folder, "near", "Harbour report", {"Notes": f"{filler} {filler} the lighthouse keeper rowed out."})
    write_article(folder, "far", "Coast report", {"Notes": f"lighthouse {filler} keeper"})  # shorter: BM25 prefers it
    library.add_sources([folder])
    assert [h.article_title for h in library.search("keeper lighthouse").hits] == ["Harbour report", "Coast report"]


def test_a_very_long_section_does_not_win_by_length_alone(small_library):
    folder, library = small_library
    filler = " ".join(f"word{i}" for i in range(400))
    long_text = " ".join(f"{filler} glacier {filler} moraine" for _ in range(30))  # 24,000 words, 30 of each
    write_article(folder, "long", "Alpine survey", {"Everything": long_text})
    write_article(folder, "short", "Valley notes", {"Ice": "The glacier left a moraine across the valley floor."})
    library.add_sources([folder])
    assert library.search("glacier moraine").hits[0].article_title == "Valley notes"


def test_a_heading_that_is_the_query_beats_sections_that_only_mention_it(small_library):
    folder, library = small_library
    for i in range(6):
        write_article(folder, f"town{i}", f"Town {i}", {
            "Mills, tidal power and harbours": "Tidal mills ground grain. Tidal mills, tidal mills, tidal mills."})
    write_article(folder, "energy", "Energy", {"Tidal mills": "Old machines by the sea.", "Wind": "Sails."})
    library.add_sources([folder])
    first = library.search("tidal mills").hits[0]
    assert (first.article_title, first.section_path) == ("Energy", ("Tidal mills",))
