"""Phrases and plain AND queries matched from the posting blocks (reader/search/phrases.py,
allwords.py): the same matches and scores as Whoosh's Phrase and And; exact phrase totals."""

from __future__ import annotations

import random

import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.scoring import BM25F

from reader.library import Library
from reader.search import schema, searching
from reader.search import allwords, phrases, ranking
from reader.search.allwords import AllWords
from reader.search.phrases import AdjacentPhrase, positions_in

from .conftest import write_article

WORDS = ["red", "fox", "old", "over", "mill", "dog", "again"]  # each its own index term (stem)


def _random_texts(count: int, seed: int) -> list[str]:
    """Short texts over a small vocabulary: every pair of words is adjacent somewhere, apart elsewhere."""
    rng = random.Random(seed)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12))) for _ in range(count)]


@pytest.fixture
def searcher(tmp_path):
    """A plain Whoosh index of the app's schema: several segments, long posting lists, deletions."""
    ix = whoosh_index.create_in(str(tmp_path), schema.build_schema())
    for batch, texts in enumerate([_random_texts(700, 1), _random_texts(500, 2), _random_texts(3, 3)]):
        writer = ix.writer()
        for number, text in enumerate(texts):
            writer.add_document(owner=f"{batch}-{number}", title=text[:20], body=text)
        writer.commit(merge=False)
    writer = ix.writer()
    for number in range(0, 700, 7):
        writer.delete_by_term("owner", f"0-{number}")
    writer.commit(merge=False)
    with ix.searcher(weighting=BM25F()) as searcher:
        assert len(searcher.reader().leaf_readers()) >= 3 and searcher.reader().has_deletions()
        yield searcher


def _matches(searcher, query) -> list[tuple[int, float]]:
    return sorted((docnum, round(score, 9)) for score, docnum in searcher.search(query, limit=None).top_n)


@pytest.mark.parametrize("words", [["red", "fox"], ["fox", "red"], ["mill", "dog", "again"], ["dog", "dog"],
                                   ["over", "over", "over"], ["red", "fox", "red"], ["again", "unknownword"]])
def test_same_matches_and_scores_as_whooshs_phrase(searcher, words):
    for fieldname, boost in (("body", 1.0), ("title", 3.0)):
        expected = _matches(searcher, wq.Phrase(fieldname, words, boost=boost))
        assert _matches(searcher, AdjacentPhrase(fieldname, words, boost=boost)) == expected
        if fieldname == "body" and words[-1] != "unknownword":
            assert expected  # the comparison is about something


def test_phrase_matched_a_few_blocks_at_a_time_is_still_exact(searcher, monkeypatch):
    monkeypatch.setattr(phrases, "CHUNK_BLOCKS", 1)
    for words in (["red", "fox"], ["dog", "dog"], ["mill", "dog", "again"]):
        query = AdjacentPhrase("body", words)
        assert _matches(searcher, query) == _matches(searcher, wq.Phrase("body", words))
        assert query.unseen() == 0


def test_phrase_of_common_words_stops_at_enough_matches_and_estimates_the_rest(searcher, monkeypatch):
    monkeypatch.setattr(phrases, "CHUNK_BLOCKS", 1)
    monkeypatch.setattr(phrases, "BLOCK_BUDGET", 0)
    monkeypatch.setattr(phrases, "ENOUGH_MATCHES", 5)
    every = dict(_matches(searcher, wq.Phrase("body", ["red", "fox"])))
    query = AdjacentPhrase("body", ["red", "fox"], may_stop=True)
    some = dict(_matches(searcher, query))
    assert 5 <= len(some) < len(every) and all(every[doc] == score for doc, score in some.items())
    assert query.unseen() > 0  # the rest of each segment is estimated, not ignored
    assert len(some) + query.unseen() == pytest.approx(len(every), rel=0.5)
    part = AdjacentPhrase("body", ["red", "fox"])  # in an exclusion, an AND or one article: every match
    assert dict(_matches(searcher, part)) == every and part.unseen() == 0


def test_only_a_lone_unrestricted_phrase_may_stop_early():
    from reader.search import querying

    def may_stop(query, unrestricted=True):
        built = querying.build(querying.parse(query), None, unrestricted=unrestricted)
        return {q.may_stop for q in built.query.leaves() if isinstance(q, AdjacentPhrase)}

    assert may_stop('"red fox"') == {True}
    assert may_stop('"red fox"', unrestricted=False) == {False}  # one article, a source, the notes
    assert may_stop('"red fox" dens') == {False}
    assert may_stop('dens -"red fox"') == {False}
    assert may_stop('"red fox" OR "grey fox"') == {False}


def test_phrase_inside_and_or_not_matches_like_whooshs(searcher):
    def build(phrase):
        return wq.AndNot(wq.Or([wq.And([phrase("body", ["mill", "dog"]), wq.Term("body", "red")]),
                                phrase("title", ["fox", "old"], boost=3.0)]),
                         phrase("body", ["dog", "again"]))

    expected = _matches(searcher, build(wq.Phrase))
    assert expected and _matches(searcher, build(AdjacentPhrase)) == expected


def test_total_of_a_phrase_is_exact_and_counted_once(searcher):
    query = AdjacentPhrase("body", ["old", "over"])
    results = searcher.search(query, limit=5, optimize=False)
    every = searcher.search(wq.Phrase("body", ["old", "over"]), limit=None)
    assert results.has_exact_length() and len(results) == len(every.top_n) > 5


def _word(word: str, boosts=(("title", 3.0), ("body", 1.0))):
    return wq.Or([wq.Term(name, word, boost=boost) for name, boost in boosts])


@pytest.mark.parametrize("parts", [
    [_word("red"), _word("fox")],
    [_word("again"), _word("dog"), _word("mill")],
    [wq.Or([wq.Term("body", "red"), wq.Term("body", "dog")]), _word("old")],  # "red OR dog" old
    [wq.Term("body", "over"), _word("fox"), _word("unknownword")],
])
def test_all_words_matches_and_scores_like_whooshs_and(searcher, parts, monkeypatch):
    expected = _matches(searcher, wq.And(parts))
    assert _matches(searcher, AllWords(parts)) == expected
    assert bool(expected) == ("unknownword" not in repr(parts))
    monkeypatch.setattr(allwords, "MAX_RAREST", 0)  # every segment through Whoosh's own matcher
    assert _matches(searcher, AllWords(parts)) == expected


def test_all_words_inside_a_restriction_and_an_exclusion(searcher):
    def build(conjunction):
        both = conjunction([_word("red"), _word("mill")])
        return wq.AndNot(wq.And([both, wq.ConstantScoreQuery(wq.Term("body", "old"), 0.0)]), wq.Term("body", "dog"))

    expected = _matches(searcher, build(wq.And))
    assert expected and _matches(searcher, build(AllWords)) == expected


def test_positions_for_the_reranking_are_whooshs(searcher):
    reader = searcher.reader()
    docnums = sorted(docnum for _, docnum in searcher.search(wq.Term("body", "fox"), limit=None).top_n)[::3]
    expected = {}
    for docnum in docnums:
        matcher = reader.postings("body", "fox")
        matcher.skip_to(docnum)
        expected[docnum] = matcher.value_as("positions")
    assert positions_in(reader, "body", "fox", docnums) == expected
    assert ranking._positions(reader, docnums, {"fox", "unknownword"}) == {d: {"fox": p} for d, p in expected.items()}


# ---------------------------------------------------------------- through the library


@pytest.fixture
def phrase_library(app_paths, tmp_path) -> Library:
    folder = tmp_path / "phrases"
    folder.mkdir()
    write_article(folder, "fox", "Foxes", {
        "Hunting": "The red fox hunts at dusk. " + "Fox dens are dug deep. " * 3,
        "Colour": "Its coat is red and the cubs of a fox are grey.",  # "red" and "fox" apart
        "Order": "A fox red in colour is rare.",  # reversed
    }, lead="Foxes are small omnivores.")
    write_article(folder, "split", "Boundaries", {
        "First": "The story ends with the word red",
        "Second": "fox starts the next section.",  # "red" + "fox" across a section boundary
    })
    lib = Library(app_paths, include_bundled=False)
    lib.add_sources([folder])
    lib.update_index()
    yield lib
    lib.close()


def _section_ids(results) -> list[str]:
    return [hit.section_id for hit in results.hits]


def test_phrase_matches_adjacent_words_in_order_only(phrase_library):
    results = phrase_library.search('"red fox"')
    assert _section_ids(results) == ["hunting"]
    assert results.total == 1
    assert sorted(_section_ids(phrase_library.search('"fox red"'))) == ["order"]


def test_phrase_does_not_match_across_a_section_boundary(phrase_library):
    assert phrase_library.search('"word red"').total == 1  # the words of one section do match
    split = next(a.id for a in phrase_library.articles() if a.title == "Boundaries")
    assert phrase_library.search('"red fox"', article_id=split).total == 0
    assert phrase_library.search("red fox", article_id=split).total == 0  # nor as plain words in one section


def test_totals_say_when_they_are_estimates(phrase_library, monkeypatch):
    exact = phrase_library.search('"red fox"')
    assert exact.total_exact and exact.total_text() == "1 result"
    monkeypatch.setattr(searching, "EXACT_COUNT_LIMIT", 0)  # above the bound: Whoosh's estimate...
    assert phrase_library.search("fox").total_text().startswith("about ")
    both = phrase_library.search("fox red")  # ...unless every match was scored (AllWords) and so counted
    assert both.total_exact and both.total == 3
    monkeypatch.setattr(allwords, "MAX_RAREST", 0)
    estimated = phrase_library.search("fox red")
    assert not estimated.total_exact and estimated.total_text() == f"about {estimated.total} results"
    phrase = phrase_library.search('"red fox"')  # a phrase counts every match it found
    assert phrase.total_exact and phrase.total == 1


def test_phrase_total_counts_matches_not_sections_holding_the_words(app_paths, tmp_path, monkeypatch):
    """Above the exact-count bound, a phrase's total was Whoosh's estimate for its AND: sections
    holding both words apart counted. (The bound is lowered here instead of indexing 1,000 sections.)"""
    monkeypatch.setattr(searching, "EXACT_COUNT_LIMIT", 10)
    folder = tmp_path / "many"
    folder.mkdir()
    for number in range(60):
        together = number % 20 == 0
        text = "the old mill stood here" if together else "the mill was old and stood here"
        write_article(folder, f"a{number}", f"Article {number}", {"Mill": text}, lead="Nothing.")
    lib = Library(app_paths, include_bundled=False)
    lib.add_sources([folder])
    lib.update_index()
    try:
        assert lib.search("old mill").total == 60  # an AND's estimate: its rarer word's sections
        phrase = lib.search('"old mill"', limit=2)
        assert phrase.total == 3 and len(phrase.hits) == 2
    finally:
        lib.close()


def test_an_excluded_word_excludes_the_first_match_of_a_segment_too(tmp_path, app_paths):
    """Whoosh's AndNot compared the first match only with the first excluded section: here the first
    section holding "stone common" is the second holding "urchin", and it was returned."""
    from reader.library import Library

    from .conftest import open_index, write_article

    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "a", "Alpha", {"Body": "An urchin alone."})  # ids sort: a, b, c -> documents in this order
    write_article(folder, "b", "Bravo", {"Body": "Stone and common urchin."})
    write_article(folder, "c", "Charlie", {"Body": "Stone and common kelp."})
    library = Library(app_paths, include_bundled=False)
    library.add_sources([folder])
    index = open_index(library)
    index.update(rebuild=True)
    found = {(hit.article_title, hit.section_id) for hit in index.search("stone common -urchin", autocorrect=False).hits}
    assert found == {("Charlie", "body")}
    assert {h.article_title for h in index.search("stone common", autocorrect=False).hits} == {"Bravo", "Charlie"}
    index.close()
    library.close()
