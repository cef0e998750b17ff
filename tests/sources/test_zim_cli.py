"""The CLI with ZIM archives: add, archives, list, show, notes and bookmarks, bad archives."""

from __future__ import annotations

import json

import pytest

from reader.cli import main
from tests.sources.pages import write_archive

RAY = "zim:wikipedia_en_ray_charles/Ray_Charles"


@pytest.fixture
def run(tmp_path, capsys):
    data_dir = tmp_path / "data"

    def run(*args):
        code = main(["--data-dir", str(data_dir), "--no-bundled", *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def ray(zim_dir):
    return zim_dir / "libkiwix" / "zimfile.zim"


def test_add_then_archives_lists_metadata_and_counts(run, ray, zim_dir):
    split = zim_dir / "zim-testing-suite" / "nons" / "wikibooks_be_all_nopic_2017-02_splitted.zimaa"
    code, out, err = run("add", ray, split)
    assert code == 0 and err == ""
    assert out.splitlines() == ["added archive 'Ray Charles' (wikipedia_en_ray_charles, 129 articles)",
                                "added archive 'Wikibooks' (kiwix.wikibooks_be_all, 66 articles)"]
    code, out, _ = run("archives", "--json")
    listed = json.loads(out)
    assert [(a["name"], a["title"], a["language"], a["date"], a["creator"], a["articles"]) for a in listed] == [
        ("wikipedia_en_ray_charles", "Ray Charles", "eng", "2020-03-31", "Wikipedia", 129),
        ("kiwix.wikibooks_be_all", "Wikibooks", "bel", "2017-02-13", "Wikibooks", 66),
    ]
    assert listed[1]["path"] == str(split.resolve())
    code, out, _ = run("archives")
    assert code == 0 and "Ray Charles  [wikipedia_en_ray_charles]  129 articles" in out and out.endswith("2 archives\n")


def test_list_pages_through_archive_articles(run, ray):
    run("add", ray)
    code, out, _ = run("list", "--limit", "3", "--offset", "10", "--json")
    page = json.loads(out)
    code, out, _ = run("list", "--limit", "13", "--json")
    assert page == json.loads(out)[10:13] and all(a["id"].startswith("zim:wikipedia_en_ray_charles/") for a in page)
    code, out, _ = run("list", "--prefix", "Ray Charles", "--limit", "2")
    assert code == 0 and "more, use --offset 2" in out


def test_show_notes_and_bookmarks_on_an_archive_article(run, ray):
    run("add", ray)
    code, out, _ = run("show", RAY, "--json")
    article = json.loads(out)
    assert code == 0 and article["title"] == "Ray Charles" and article["id"] == RAY
    lead = article["sections"][0]
    quote = lead["text"].split(".")[0][:30]
    code, out, err = run("notes", "add", RAY, "--section", lead["id"], "--text", "soul", "--quote", quote)
    assert code == 0, err
    code, out, _ = run("notes", "list", "--json")
    assert [(n["article_id"], n["quote"]) for n in json.loads(out)] == [(RAY, quote)]
    code, out, err = run("bookmarks", "add", RAY)
    assert code == 0, err
    code, out, _ = run("bookmarks", "list", "--json")
    assert [b["article_id"] for b in json.loads(out)] == [RAY]


def test_search_shows_the_archive_title_on_a_note_hit(run, ray):
    run("add", ray)
    code, _, err = run("notes", "add", RAY, "--section", "_lead", "--text", "wombat thoughts")
    assert code == 0, err
    code, out, _ = run("search", "wombat")
    assert code == 0 and "note · Ray Charles  [zim:wikipedia_en_ray_charles/Ray_Charles#_lead]" in out
    code, out, _ = run("search", "wombat", "--json")
    assert [(h["kind"], h["article_title"]) for h in json.loads(out)["hits"]] == [("note", "Ray Charles")]


def test_a_bad_archive_is_one_line_and_exit_1_and_the_good_one_is_added(run, ray, tmp_path):
    bad = tmp_path / "bad.zim"
    bad.write_bytes(b"\0" * 4096)
    code, out, err = run("add", bad, ray)
    assert code == 1
    assert err == f"skipped {bad}: not a ZIM archive\n"
    assert "added archive 'Ray Charles'" in out
    code, out, _ = run("remove", ray)
    assert code == 0 and out == "removed archive 'Ray Charles' (wikipedia_en_ray_charles)\n"
    assert json.loads(run("archives", "--json")[1]) == []


def test_adding_a_newer_release_says_how_many_notes_moved_and_were_orphaned(run, tmp_path):
    from .pages import write_archive

    def release(name: str, date: str, body: str):
        html = f"<html><body><h1>Topic</h1><h2>History</h2><p>{body}</p><h2>Design</h2><p>Granite arches.</p></body></html>"
        return write_archive(tmp_path / name, [("Topic", "Topic", html)], name="cli_topics", main="Topic",
                             indexing=False, date=date)

    run("add", release("topics_2024.zim", "2024-01-01", "Built in 1901 by the town."))
    run("notes", "add", "zim:cli_topics/Topic", "--section", "design", "--text", "t", "--quote", "Granite")
    code, out, _ = run("add", release("topics_2025.zim", "2025-01-01", "Built in 1901 by the town, it says."))
    assert code == 0
    assert out.splitlines() == ["archive 'Generated' (cli_topics, 1 article) replaces the release of 2024-01-01"]
    html_gone = "<html><body><h1>Topic</h1><h2>History</h2><p>Built.</p></body></html>"
    write_archive(tmp_path / "topics_2026.zim", [("Topic", "Topic", html_gone)], name="cli_topics", main="Topic",
                  indexing=False, date="2026-01-01")
    code, out, _ = run("add", tmp_path / "topics_2026.zim")
    assert out.splitlines()[1] == "notes re-anchored: 0 moved, 1 orphaned"


def test_show_json_lists_a_table_block_with_its_rows(run, tmp_path):
    page = ("<html><body><p>Lead.</p><table><caption>Discs</caption><tr><th>Year</th><th>Title</th></tr>"
            "<tr><td>1957</td><td>Ray &amp; Co</td></tr></table><ul><li>one<ul><li>two</li></ul></li></ul></body></html>")
    path = write_archive(tmp_path / "discs_2026-11.zim", [("Discs", "Discs", page)], name="discs", main="Discs")
    assert run("add", path)[0] == 0
    code, out, _ = run("show", "zim:discs/Discs", "--json")
    lead = json.loads(out)["sections"][0]
    assert code == 0 and [b["kind"] for b in lead["blocks"]] == ["paragraph", "table", "list"]
    table = lead["blocks"][1]
    assert table["caption"] == "Discs" and table["rows"] == [["Year", "Title"], ["1957", "Ray & Co"]]
    assert [(i["text"], i["depth"]) for i in lead["blocks"][2]["items"]] == [("one", 0), ("two", 1)]
    assert "Discs\n\nYear | Title\n\n1957 | Ray & Co" in lead["text"]


def test_archives_says_what_answers_each_archives_full_text_search(run, ray, zim_dir, tmp_path, monkeypatch):
    """The archive's own index, Lectern's (no index of its own, small), or titles only (none, and too large)."""
    import reader.sources.zim as zim

    monkeypatch.setattr(zim, "MAX_WHOOSH_ARTICLES", 10)  # the 66-article Wikibooks stands for a large archive
    nons = zim_dir / "zim-testing-suite" / "nons" / "wikibooks_be_all_nopic_2017-02.zim"
    small = write_archive(tmp_path / "small.zim", [(f"P{i}", f"Page {i}", f"<p>Page {i}</p>") for i in range(3)],
                          name="small_site", main="P0", indexing=False)
    run("add", ray, nons, small)
    code, out, _ = run("archives", "--json")
    assert code == 0
    assert {a["name"]: a["search"] for a in json.loads(out)} == {
        "wikipedia_en_ray_charles": "archive-index", "kiwix.wikibooks_be_all": "titles-only",
        "small_site": "lectern-index"}
    code, out, _ = run("archives")
    searches = [line.strip() for line in out.splitlines() if line.strip().startswith("search:")]
    assert searches == ["search: full text in the archive's own index",
                        "search: titles only (no full-text index, and over 10 articles for Lectern's index)",
                        "search: full text in Lectern's index (the archive has no index of its own)"]
