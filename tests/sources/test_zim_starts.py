"""Suggestions' start-of-title matches read from an archive's path order (reader/sources/zim_starts.py).

An archive whose article paths are its titles (``Otter_Bay`` is "Otter Bay", as mwoffliner
writes Wikipedia) answers the titles starting with the typed text by binary search over its
path order, without libzim's title index (Xapian), which is slow for a common prefix; the
title index adds words inside titles when there are fewer start matches than wanted.
"""

from __future__ import annotations

import math

import pytest

from reader.library import Library
from reader.sources import zim_archive, zim_starts
from reader.sources.zim_archive import ZimArchive
from reader.textutil import fold

from .conftest import ZIM_DIR
from .pages import write_archive
from .test_zim_archive import CountingArchive

# articles whose title starts with "otter" in some case, and some with the word inside
STARTS = ["Otter", "Otter (band)", "Otter Bay", "Otterburn", "otter pup", "OTTER LODGE", "Otter Creek",
          "Otter Island", "Otter Lake", "Otterhound", "Otter River", "Otter Tail"]
INSIDE = ["Sea otter", "Giant otter", "River otter"]
OTHERS = ["Anchor Bay", "Bay of Otters", "Bayou", "Badger", "Marten"]
REDIRECTS = [("Otters", "Otters", "Otter"), ("Lutra_lutra", "Lutra lutra", "Otter"), ("Otter_tale", "Otter tale", "Otter_Tail")]


def _path(title: str) -> str:
    return title.replace(" ", "_")


def _page(title: str) -> str:
    return f"<html><head><title>{title}</title></head><body><p>About {title}.</p></body></html>"


@pytest.fixture(scope="module")
def otters(tmp_path_factory):
    """Paths are titles (the mwoffliner way), with redirects and images among the articles."""
    pages = [(_path(title), title, _page(title)) for title in STARTS + INSIDE + OTHERS]
    images = [(f"Otter_photo_{n}.png", "image/png", b"PNG") for n in range(3)]
    return write_archive(tmp_path_factory.mktemp("starts") / "otters.zim", pages, name="otters", main="Otter",
                         redirects=REDIRECTS, files=images)


@pytest.fixture(scope="module")
def scraped(tmp_path_factory):
    """Paths are not titles (a scraped website): the title index answers."""
    pages = [(f"site/page{n:03d}.html", f"Otter {n:03d}", _page(f"Otter {n:03d}")) for n in range(20)]
    return write_archive(tmp_path_factory.mktemp("scraped") / "site.zim", pages, name="site", main=None)


@pytest.fixture
def title_index_calls(monkeypatch):
    """Every prefix asked of libzim's title index (the real one still answers)."""
    asked = []
    real = zim_archive.SuggestionSearcher

    class Spy:
        def __init__(self, archive):
            self._inner = real(getattr(archive, "inner", archive))  # through CountingArchive too

        def suggest(self, prefix):
            asked.append(prefix)
            return self._inner.suggest(prefix)

    monkeypatch.setattr(zim_archive, "SuggestionSearcher", Spy)
    return asked


def _first_starts(typed: str, limit: int) -> list[str]:
    """The articles starting with ``typed`` in folded order, as the archive's titles say (the redirects
    Otters -> Otter and "Otter tale" -> Otter Tail give their targets, which are there already)."""
    folded = fold(zim_starts.typed_text(typed))
    return sorted((t for t in STARTS if fold(t).startswith(folded)), key=fold)[:limit]


def test_a_common_prefix_is_answered_from_the_path_order_in_folded_order(otters, title_index_calls):
    archive = ZimArchive(otters)
    for typed in ("otter", "OTTER", "Otter ", "  otTer   "):
        assert [e.title for e in archive.suggest(typed, 5)] == _first_starts(typed, 5), typed
    assert title_index_calls == []  # five start matches each time: Xapian never asked


def test_every_case_spelling_of_the_typed_text_is_found(otters, title_index_calls):
    archive = ZimArchive(otters)
    assert [e.title for e in archive.suggest("otter l", 2)] == ["Otter Lake", "OTTER LODGE"]
    assert [e.title for e in archive.suggest("OTTER P", 1)] == ["otter pup"]
    assert title_index_calls == []


def test_few_start_matches_are_followed_by_words_inside_titles(otters, title_index_calls):
    archive = ZimArchive(otters)
    found = [e.title for e in archive.suggest("otter", 30)]
    assert found[:len(STARTS)] == _first_starts("otter", 30)  # all start matches first, in folded order
    assert set(INSIDE) <= set(found[len(STARTS):])  # then the title index's matches inside titles
    assert len(found) == len(set(found))
    assert title_index_calls == ["otter"]
    bay = [e.title for e in archive.suggest("bay", 10)]
    assert bay[:2] == ["Bay of Otters", "Bayou"] and set(bay[2:]) >= {"Otter Bay", "Anchor Bay"}


def test_a_redirect_shows_the_title_that_matched_with_its_target(otters, app_paths):
    """As Kiwix does, the redirect's own title is what a suggestion shows (with the article it
    opens), unless the article's own title matches too."""
    archive = ZimArchive(otters)
    [lutra] = archive.suggest("lutra", 5)
    assert (lutra.path, lutra.title, lutra.matched) == ("Otter", "Otter", "Lutra lutra")
    by_path = {e.path: e for e in archive.suggest("otter", 30)}
    assert by_path["Otter"].matched == ""  # "Otters" (a redirect) matched too: the own title wins
    assert by_path["Otter_Tail"].matched == ""  # and "Otter tale"
    library = Library(app_paths, include_bundled=False)
    library.add_sources([otters])
    [shown] = [s for s in library.suggest("lutra", 10) if s.section_id is None]
    assert shown.label == "Lutra lutra \u2192 Otter" and shown.article_id == archive.key("Otter")
    source = next(s for s in library.article_sources() if s.id.startswith("zim:"))
    assert [e.shown for e in source.titles_with_prefix("lutra", 5)] == ["Lutra lutra \u2192 Otter"]
    assert source.find_title("Lutra lutra").id == archive.key("Otter")  # a link to the redirect's title resolves
    library.close()


def test_the_title_index_route_keeps_a_redirects_title_too(tmp_path, title_index_calls):
    pages = [(f"site/page{n:03d}.html", f"Page {n:03d}", _page(f"Page {n:03d}")) for n in range(20)]
    path = write_archive(tmp_path / "site.zim", pages, name="site", main=None,
                         redirects=[("site/alias.html", "Lutra alias", "site/page007.html")])
    archive = ZimArchive(path)
    [found] = archive.suggest("lutra", 5)
    assert title_index_calls == ["lutra"]  # paths are not titles here: the title index answered
    assert (found.path, found.title, found.matched) == ("site/page007.html", "Page 007", "Lutra alias")


def test_redirects_give_their_target_once(otters):
    archive = ZimArchive(otters)
    assert [e.path for e in archive.suggest("lutra", 5)] == ["Otter"]  # matched by the redirect's title
    paths = [e.path for e in archive.suggest("otter", 30)]
    assert len(paths) == len(set(paths)) and paths.count("Otter") == paths.count("Otter_Tail") == 1
    assert not any(path.endswith(".png") for path in paths)


def test_an_archive_whose_paths_are_not_titles_asks_its_title_index(scraped, title_index_calls):
    archive = ZimArchive(scraped)
    assert not archive._title_starts.paths_are_titles
    assert sorted(e.title for e in archive.suggest("otter 01", 10)) == [f"Otter {n:03d}" for n in range(10, 20)]
    assert title_index_calls == ["otter 01"]


@pytest.mark.parametrize("name, mirrors", [
    ("libkiwix/zimfile.zim", True),  # mwoffliner 2020, old A/ layout (one entry in eight may differ)
    ("kiwix-js/foo-zstd.zim", True),  # old layout, numbers as titles and paths
    ("libkiwix/example.zim", False),  # a saved website: paths end in .html
    ("libkiwix/spelling_correction_test.zim", False),
    ("zim-testing-suite/nons/wikibooks_be_all_nopic_2017-02.zim", False),  # "Урок 1" is Урок_1.html
])
def test_real_archives_are_told_apart(zim_dir, name, mirrors):
    assert ZimArchive(zim_dir / name)._title_starts.paths_are_titles is mirrors


def test_the_old_namespace_layout_is_answered_from_its_a_run(zim_dir, title_index_calls):
    archive = ZimArchive(zim_dir / "libkiwix" / "zimfile.zim")  # the Ray Charles "mini" archive, A/ paths
    assert archive.old_namespaces
    found = archive.suggest("ray charles", 10)
    starting = [e.title for e in found if fold(e.title).startswith("ray charles")]
    assert len(starting) >= 8 and starting == sorted(starting, key=fold)  # the rest: targets of "Ray Charles ..." redirects
    assert found[0].title == "Ray Charles" and all(not e.path.startswith("A/") for e in found)
    assert len({e.path for e in found}) == 10 and title_index_calls == []


def test_too_many_case_spellings_leave_it_to_the_title_index(tmp_path, monkeypatch, title_index_calls):
    monkeypatch.setattr(zim_starts, "WALK_PER_TITLE", 1)  # runs of a small archive are never short enough
    monkeypatch.setattr(zim_starts, "WALK_SLACK", 0)  # to stop narrowing early
    spelled = ["abcd", "abcD", "abCd", "aBcd", "Abcd", "ABcd", "AbCd", "aBCD", "ABCD"]  # nine spellings
    titles = [f"{word} {n}" for n, word in enumerate(spelled)] + [f"Filler {n}" for n in range(20)]
    path = write_archive(tmp_path / "cases.zim", [(_path(t), t, _page(t)) for t in titles], name="cases", main=None)
    archive = ZimArchive(path)
    assert archive._title_starts.find("abcd", 2) is None
    assert len(archive.suggest("abcd", 2)) == 2 and title_index_calls == ["abcd"]


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """4,000 articles in 20 runs of 200 titles, and 500 images whose paths start like "Delta_p"."""
    words = ["Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett",
             "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango"]
    titles = [f"{word} {n:03d}" for word in words for n in range(200)]
    images = [(f"Delta_pictures/{n:03d}.png", "image/png", b"PNG") for n in range(500)]
    return write_archive(tmp_path_factory.mktemp("large") / "large.zim",
                         [(_path(t), t, "<p>x</p>") for t in titles], name="large", main=None, indexing=False,
                         files=images)


def _reads_bound(archive: ZimArchive, typed: str, limit: int) -> int:
    """Two case spellings a letter, two binary searches each, per typed character; plus one walk."""
    probes = math.ceil(math.log2(archive._archive.entry_count)) + 1
    return len(typed) * 2 * 2 * probes + limit * zim_starts.WALK_PER_TITLE + zim_starts.WALK_SLACK


@pytest.mark.parametrize("typed, title_index", [("Delta 10", False), ("delta p", True), ("Tango 19", False)])
def test_an_answer_reads_log_n_plus_limit_entries(large, title_index_calls, typed, title_index):
    archive = ZimArchive(large)
    assert archive._title_starts.paths_are_titles  # decided once, before counting
    archive._archive = counting = CountingArchive(archive._archive)
    found = archive.suggest(typed, 10)
    assert counting.reads <= _reads_bound(archive, typed, 10) < archive._archive.entry_count / 8
    if title_index:  # 500 images start like "Delta_p": the walk stops and the title index is asked
        assert title_index_calls == [typed]
    else:
        assert [e.title for e in found] == [f"{typed}{n}" for n in range(10)] and title_index_calls == []


def test_library_suggestions_put_archive_start_matches_before_words_inside(app_paths, otters):
    library = Library(app_paths, include_bundled=False)
    try:
        library.add_sources([otters])
        labels = [s.label for s in library.suggest("bay", 10)]
    finally:
        library.close()
    assert labels[:2] == ["Bay of Otters", "Bayou"] and set(labels[2:]) == {"Anchor Bay", "Otter Bay"}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_answers_match_a_brute_force_reading_of_every_title(tmp_path, seed):
    """Titles of a small case-mixed alphabet: every answer starts with the typed text, in folded order,
    without repeats; and when no more titles match than one walk reads, it is exactly the folded order's
    first ones (what reading every title would give)."""
    import random

    rng = random.Random(seed)
    titles = sorted({" ".join("".join(rng.choice("abAB") for _ in range(rng.randint(1, 3)))
                               for _ in range(rng.randint(1, 3))) for _ in range(150)})
    path = write_archive(tmp_path / "abab.zim", [(_path(t), t, "<p>x</p>") for t in titles], name="abab", main=None,
                         indexing=False)
    starts = ZimArchive(path)._title_starts
    limit = 5
    for typed in ["a", "B", "ab", "Ba ", "ab a", "AAA", "b b", "ba B"]:
        found = starts.find(typed, limit)
        if found is None:  # more case spellings than followed
            continue
        matching = sorted((fold(t), _path(t)) for t in titles if fold(t).startswith(fold(typed)))
        assert [(fold(e.title), e.path) for e in found] == sorted({(fold(e.title), e.path) for e in found})
        if len(matching) <= limit * zim_starts.WALK_PER_TITLE + zim_starts.WALK_SLACK:
            assert [e.path for e in found] == [p for _, p in matching[:limit]], typed
        else:
            assert len(found) == limit and all(fold(e.title).startswith(fold(typed)) for e in found), typed
