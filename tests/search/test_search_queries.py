"""Searching the bundled seed article through the facade (the issue's "done when" queries)."""

import pytest

from reader.errors import UnknownArticleError
from reader.search import analysis

from tests.conftest import SEED_ID

CEASEFIRE = "aftermath/ceasefire-violations"
NEGOTIATIONS = "aftermath/negotiations-and-dissolution-of-artsakh"


@pytest.fixture
def seed(library):
    library.update_index()
    return library


def _sections(results):
    return [h.section_id for h in results.hits]


def _section_text(library, section_id):
    from reader.search.documents import section_body

    article = library.article(SEED_ID)
    return section_body(article, article.section(section_id))


def test_accent_folded_query_finds_the_ceasefire_section_first(seed):
    results = seed.search("Asagi Ayrim")
    assert results.hits[0].section_id == CEASEFIRE
    assert results.hits[0].section_path == ("Aftermath", "Ceasefire violations")
    assert results.hits[0].article_title == "2023 Azerbaijani offensive in Nagorno-Karabakh"
    assert "<mark>Aşağı</mark> <mark>Ayrım</mark>" in results.hits[0].snippet.render("<mark>", "</mark>")
    assert seed.search("vystrcil").hits[0].snippet.marked().count("Vystrčil") == 1


def test_stemming_finds_other_forms(seed):
    hits = seed.search("negotiation").hits
    assert hits[0].section_id == NEGOTIATIONS
    assert "negotiations" in hits[0].snippet.marked()


def test_not_excludes_sections_that_mention_the_word(seed):
    with_russia = set(_sections(seed.search("ceasefire", limit=100)))
    without = _sections(seed.search("ceasefire NOT Russia", limit=100))
    assert without and set(without) < with_russia
    for section_id in without:  # "Russian" is another word (stem "russian"), "Russia's" is not
        assert "russia" not in analysis.terms(_section_text(seed, section_id))
    assert _sections(seed.search("ceasefire -Russia", limit=100)) == without


def test_phrase_needs_the_words_together(seed):
    phrase = _sections(seed.search('"Lachin corridor"', limit=100))
    assert phrase
    for section_id in phrase:
        assert "lachin corridor" in _section_text(seed, section_id).lower()
    apart = set(_sections(seed.search("Lachin corridor", limit=100)))
    assert set(phrase) <= apart


def test_prefix_matches_word_beginnings(seed):
    results = seed.search("peacekeep*", limit=100)
    assert results.total >= 5
    for hit in results.hits:
        assert "peacekeep" in _section_text(seed, hit.section_id).lower()
    assert seed.search("negotiat*").hits[0].section_id == NEGOTIATIONS  # runs past the stem "negoti"


def test_or_widens_and_default_and_narrows(seed):
    both = seed.search("Belarus Israel", limit=100).total
    either = seed.search("Belarus OR Israel", limit=100).total
    assert either > both


def test_field_filters(seed):
    assert _sections(seed.search("section:ceasefire", limit=100)) == [CEASEFIRE]
    assert seed.search("title:karabakh").total == len(seed.article(SEED_ID).sections)
    assert seed.search("title:ceasefire").total == 0
    assert seed.search(f"article:{SEED_ID} Shusha").total == seed.search("Shusha").total > 0


def test_an_unknown_article_id_is_an_error_not_zero_results(seed):
    with pytest.raises(UnknownArticleError, match="no-such-article"):
        seed.search("article:no-such-article Shusha")
    with pytest.raises(UnknownArticleError, match="no-such-article"):
        seed.search("Shusha", article_id="no-such-article")


def test_an_unknown_field_name_is_two_words(seed):
    words = seed.search("sniper ceasefire", limit=100)
    assert words.total > 0
    assert seed.search("sniper:ceasefire", limit=100).hits == words.hits


def test_an_empty_field_prefix_falls_back_to_the_plain_words(seed):
    plain = seed.search("ceasefire", limit=100)
    assert plain.total > 0
    for prefix in ("title:", "section:", "article:", "foo:", "in:"):
        results = seed.search(f"ceasefire {prefix}", limit=100)
        assert (results.total, results.hits, results.message) == (plain.total, plain.hits, None), prefix


def test_a_query_with_nothing_to_search_says_so(seed):
    for text in ["***", "title:", "", "   ", "the of", "-", "foo:"]:
        results = seed.search(text)
        assert results.total == 0 and not results.hits
        assert results.message and results.message.startswith(f"nothing to search for in “{text.strip()}”"), text
    assert seed.search('"Lachin corridor').message is None  # an unclosed quote still has words
    assert seed.search("zzzqqq").message is None  # words that find nothing are "0 results", not "nothing to search"


def test_malformed_queries_fall_back_to_words_and_never_fail(seed):
    assert seed.search('"Lachin corridor').hits  # unclosed quote: still a phrase
    assert seed.search("NOT (Lachin").total == seed.search("Lachin").total
    for text in ["(((", "OR", "NOT", "*", "-", "title:", 'x:"', "a OR", "\\\\", "AND AND", "in:", "article:"]:
        results = seed.search(text)
        assert results.total >= 0 and results.query == text


def test_did_you_mean(seed):
    assert seed.search("genocid").corrected == "genocide"
    assert seed.search("genocdie").corrected == "genocide"
    assert seed.search("ceasefire Lachin").corrected is None
    assert seed.search("negotiations").corrected is None
    assert seed.search("peacekeeper").corrected is None  # only "peacekeepers" is written, stemming finds it


def test_limit_and_total(seed):
    results = seed.search("Azerbaijan", limit=3)
    assert len(results.hits) == 3 and results.total > 3
    scores = [h.score for h in results.hits]
    assert scores == sorted(scores, reverse=True)


def test_suggestions_by_prefix_of_titles_and_headings(seed):
    labels = [s.label for s in seed.suggest("nego")]
    assert labels == ["Negotiations and dissolution of Artsakh"]
    assert seed.suggest("nego")[0].section_id == NEGOTIATIONS
    first = seed.suggest("2023 AZER")[0]
    assert (first.section_id, first.article_id) == (None, SEED_ID)  # the title, case-insensitive
    assert [s.label for s in seed.suggest("dissolution")] == ["Negotiations and dissolution of Artsakh"]  # a word inside
    assert len(seed.suggest("a", limit=4)) == 4
    assert seed.suggest("") == [] and seed.suggest("zzzz") == []


def test_suggestions_fold_accents(app_paths, tmp_path):
    from reader.library import Library

    from .conftest import write_article

    write_article(tmp_path, "lodz", "Łódź Fabryczna", {"Ściana": "tekst"})
    lib = Library(app_paths, include_bundled=False)
    lib.add_sources([tmp_path / "lodz.txt"])
    assert [s.label for s in lib.suggest("lodz")] == ["Łódź Fabryczna"]
    assert [s.label for s in lib.suggest("SCIA")] == ["Ściana"]
    lib.close()


def test_did_you_mean_prefers_the_fewest_edits_over_the_commonest_word(app_paths, tmp_path):
    """'lobstr' is one edit from 'lobster' and two from 'lost': the rarer, nearer word wins."""
    from reader.library import Library

    from .conftest import open_index, write_article

    folder = tmp_path / "spell"
    folder.mkdir()
    for n in range(6):
        write_article(folder, f"lost{n}", f"Lost {n}", {"Story": f"The lost key number {n} was lost again."})
    write_article(folder, "lobster", "Homarus", {"Claws": "A lobster has two claws."})
    library = Library(app_paths, include_bundled=False)
    library.add_sources([folder])
    try:
        index = open_index(library)
        assert index.search("lobstr").corrected == "lobster"
    finally:
        library.close()
