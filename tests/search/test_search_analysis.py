"""Analysis and query parsing: pure functions, no index needed."""

from reader.search import analysis, querying
from reader.search.snippets import make_snippet


def test_accents_and_case_fold_to_the_same_terms():
    assert analysis.terms("Aşağı Ayrım") == analysis.terms("asagi ayrim") == ["asagi", "ayrim"]
    assert analysis.terms("Miloš Vystrčil") == analysis.terms("milos vystrcil")
    assert analysis.terms("Łódź") == ["lodz"]


def test_english_words_are_stemmed_and_stop_words_dropped():
    assert analysis.terms("negotiations") == analysis.terms("negotiation")
    assert analysis.terms("the peacekeepers of the corridor") == analysis.terms("peacekeeping corridors")


def test_cyrillic_words_and_cjk_characters_are_terms():
    assert analysis.terms("Москва — столица") == ["москва", "столица"]
    assert analysis.terms("杜甫是唐代诗人") == ["杜", "甫", "是", "唐", "代", "诗", "人"]


def test_parse_words_or_not_phrase_prefix_and_fields():
    parsed = querying.parse('ceasefire OR truce -Russia NOT Turkey "Lachin corridor" peacekeep* title:war section:aftermath article:x-1 in:notes')
    kinds = [[(c.kind, c.text, c.fields) for c in group] for group in parsed.groups]
    assert kinds == [
        [("word", "ceasefire", querying.DEFAULT_FIELDS), ("word", "truce", querying.DEFAULT_FIELDS)],
        [("phrase", "Lachin corridor", querying.DEFAULT_FIELDS)],
        [("prefix", "peacekeep", querying.DEFAULT_FIELDS)],
        [("word", "war", ("title",))],
        [("word", "aftermath", ("path",))],
        [("id", "x-1", ("article_id",))],
    ]
    assert [c.text for c in parsed.negated] == ["Russia", "Turkey"]
    assert parsed.notes_only


def test_malformed_queries_parse_to_something_or_nothing_without_errors():
    for text in ['"unclosed phrase', "title:", "a OR", "OR", "NOT", "-", "*", "(((", "foo:bar:baz", 'x:"', "\\", "a**"]:
        parsed = querying.parse(text)
        assert isinstance(parsed, querying.ParsedQuery)
    assert [c.text for g in querying.parse('"unclosed phrase').groups for c in g] == ["unclosed phrase"]
    assert [[(c.text, c.kind) for c in g] for g in querying.parse("foo:bar").groups] == [[("foo", "word")], [("bar", "word")]]
    assert [c.text for g in querying.parse("ceasefire title: section:").groups for c in g] == ["ceasefire"]
    assert [c.text for g in querying.fallback("NOT (russia OR").groups for c in g] == ["russia"]


def test_snippet_is_plain_text_with_the_matched_words_spans():
    text = "Before <b>bold</b> & after: the negotiations stalled near Aşağı Ayrım."
    snippet = make_snippet(text, set(analysis.terms("negotiation asagi")))
    assert snippet.text == text  # as written: each front end escapes it once, for its own output
    assert snippet.marked() == ["negotiations", "Aşağı"]
    assert snippet.render("[", "]") == "Before <b>bold</b> & after: the [negotiations] stalled near [Aşağı] Ayrım."


def test_long_snippet_is_cut_around_the_matches():
    text = " ".join(["filler"] * 200 + ["otter"] + ["filler"] * 200)
    snippet = make_snippet(text, {"otter"})
    assert snippet.text.startswith("…") and snippet.text.endswith("…") and snippet.marked() == ["otter"]
    assert len(snippet.text) < 300


def test_suggestion_lists_keep_entry_order_for_equal_keys_and_find_inner_words():
    from reader.search.suggest import SuggestionIndex

    entries = [("Tribute (Ray)", "b", None), ("Ray", "a", "s1"), ("Ray", "c", None), ("(Ray) tribute", "d", "s2")]
    index = SuggestionIndex(entries)
    assert [(s.article_id, s.section_id) for s in index.lookup("ray")] == [("c", None), ("a", "s1"), ("b", None), ("d", "s2")]
    assert [s.article_id for s in index.lookup("trib")] == ["b", "d"]
