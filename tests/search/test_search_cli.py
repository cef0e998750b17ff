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
    assert code == 0 and set(data) == {"query", "total", "corrected", "hits"}
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
