"""The search commands, run in-process like `lectern --data-dir D ...`."""

import json

import pytest

from reader.cli import main
from tests.conftest import SEED_ID


@pytest.fixture
def run(tmp_path, capsys):
    data_dir = tmp_path / "lectern"

    def run(*args):
        code = main(["--data-dir", str(data_dir), *args])
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def test_search_json_finds_the_ceasefire_section_first(run):
    code, out, err = run("search", "Asagi Ayrim", "--json")
    data = json.loads(out)
    assert code == 0 and set(data) == {"query", "searched", "total", "corrected", "message", "hits"}
    assert data["searched"] == "Asagi Ayrim" and data["message"] is None
    first = data["hits"][0]
    assert (first["article_id"], first["section_id"]) == (SEED_ID, "aftermath/ceasefire-violations")
    assert first["section_path"] == ["Aftermath", "Ceasefire violations"]
    assert {"article_title", "score", "snippet"} <= set(first)
    assert "building" in err  # the first search built the index and said so


def test_search_text_output_limit_article_and_correction(run):
    code, out, _ = run("search", "genocid", "--limit", "2", "--article", SEED_ID)
    lines = out.splitlines()
    assert code == 0
    assert lines[-1] == "Did you mean: genocide"
    assert "(showing 2)" in lines[-2]
    assert "[Genocide]" in out  # marks shown as brackets when not on a terminal


def test_a_misspelling_that_finds_nothing_shows_the_correction_s_results(run):
    code, out, _ = run("search", "genocdie", "--json")
    data = json.loads(out)
    assert code == 0
    assert (data["query"], data["searched"], data["corrected"]) == ("genocdie", "genocide", "genocide")
    assert data["total"] > 0 and any(h["section_id"] == "risk-of-genocide" for h in data["hits"])
    code, out, _ = run("search", "genocdie")
    assert out.splitlines()[0] == "Showing results for genocide — search instead for genocdie (--as-typed)"
    assert "Did you mean" not in out
    code, out, _ = run("search", "genocdie", "--as-typed", "--json")
    data = json.loads(out)
    assert (data["searched"], data["total"], data["corrected"]) == ("genocdie", 0, "genocide")


def test_an_unknown_article_id_is_a_one_line_error(run):
    for args in (("search", "ceasefire", "--article", "no-such-article"), ("search", "article:no-such-article x"),
                 ("notes", "list", "--article", "no-such-article")):
        code, out, err = run(*args)
        assert code == 1 and out == "", args
        assert err == "lectern: error: no article with id 'no-such-article'\n", args
    code, out, _ = run("notes", "list", "--article", SEED_ID)  # a real article without notes
    assert code == 0 and out == "0 notes\n"


def test_nothing_to_search_is_said_instead_of_zero_results(run):
    for query in ["***", "title:", ""]:
        code, out, _ = run("search", query)
        assert code == 0 and out.startswith(f"nothing to search for in “{query}”") and "0 results" not in out
    code, out, _ = run("search", "***", "--json")
    assert json.loads(out)["message"].startswith("nothing to search for in “***”")


def test_search_notes_only_and_malformed_queries_exit_zero(run):
    code, out, _ = run("search", "ceasefire", "--notes", "--json")
    assert code == 0 and json.loads(out)["hits"] == []
    for query in ['"unclosed', "NOT", "(((", "title:", "-"]:
        assert run("search", query)[0] == 0


def test_suggest_json(run):
    code, out, _ = run("suggest", "nego", "--json")
    assert code == 0
    assert json.loads(out) == [{"article_id": SEED_ID, "section_id": "aftermath/negotiations-and-dissolution-of-artsakh",
                                "label": "Negotiations and dissolution of Artsakh"}]
    code, out, _ = run("suggest", "a", "--limit", "3")
    assert code == 0 and len(out.splitlines()) == 3


def test_index_prints_a_summary_and_rebuild(run):
    code, out, _ = run("index")
    assert code == 0 and out.startswith("search index rebuilt: 1 added")
    code, out, _ = run("index")
    assert out.startswith("search index up to date")
    code, out, _ = run("index", "--rebuild")
    assert out.startswith("search index rebuilt: 1 added")


def test_bad_limit_is_a_usage_error(run):
    with pytest.raises(SystemExit) as exc:
        run("search", "x", "--limit", "0")
    assert exc.value.code == 2
