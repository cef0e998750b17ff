"""Archives written by other scrapers than mwoffliner (warc2zim websites, zimwriterfs folders) open,
give sections, are searched by title and full text, and take notes (issue 10, item 2)."""

from __future__ import annotations

import pytest

from reader.library import Library
from reader.paths import AppPaths

from .scraped_sites import (NO_HEADINGS, SITE, SITE_PAGES, TITLE_ONLY, UNTITLED, write_warc2zim_site,
                            write_zimwriterfs_site)

WARC = "zim:riverbank.example_en_all/"
FOLDER = "zim:riverbank_folder/"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scraped")
    return {"warc2zim": write_warc2zim_site(folder / "riverbank.example_en_all_2024-05.zim"),
            "zimwriterfs": write_zimwriterfs_site(folder / "riverbank_folder_2024-05.zim")}


def _library(tmp_path, *archives) -> Library:
    base = tmp_path / "lectern"
    library = Library(AppPaths(base / "data", base / "cache", base / "config", tmp_path / "no-bundle").ensure())
    report = library.add_sources(archives)
    assert not report.skipped
    return library


def _ids(prefix: str) -> dict[str, str]:
    """Page file -> article id in the archive written with ``prefix`` (warc2zim pages live under the host)."""
    return {name: f"{prefix}{SITE}/{name}" if prefix == WARC else f"{prefix}{name}" for name in SITE_PAGES}


@pytest.mark.parametrize("scraper, prefix", [("warc2zim", WARC), ("zimwriterfs", FOLDER)])
def test_every_page_opens_titled_by_its_title_element_with_its_sections(tmp_path, sites, scraper, prefix):
    library = _library(tmp_path, sites[scraper])
    listed = {entry.id for entry in library.titles(0, 50)}
    for name, article_id in _ids(prefix).items():
        title, _, word = SITE_PAGES[name]
        assert article_id in listed  # the charset-suffixed page too; no script or stylesheet is listed
        article = library.article(article_id)
        text = article.plain_text()
        assert article.title == title
        assert word in text and "Follow us" in text and "© 2024 Riverbank society" in text
        assert "scriptonlyword" not in text and "styleonlyword" not in text and "padding" not in text
        assert "Menu" not in text.split()  # a button is a control, not text
    for name in (NO_HEADINGS, TITLE_ONLY):  # no heading in the body: one section, the whole page
        [lead] = library.article(_ids(prefix)[name]).sections
        assert lead.is_lead and SITE_PAGES[name][2] in lead.text()
    about = library.article(_ids(prefix)["about.html"])
    assert [s.path for s in about.sections] == [(), ("History",), ("History", "Committee")]
    library.close()


def test_a_page_with_neither_title_nor_heading_is_one_section_titled_by_its_path(tmp_path, sites):
    library = _library(tmp_path, sites["zimwriterfs"])
    article = library.article(FOLDER + UNTITLED)
    [lead] = article.sections
    assert article.title == UNTITLED and "xylophonequark" in lead.text()
    library.close()


def test_a_warc2zim_site_is_searched_in_its_own_index_by_full_text_and_title(tmp_path, sites):
    library = _library(tmp_path, sites["warc2zim"])
    ids = _ids(WARC)
    for name, (title, _, word) in SITE_PAGES.items():
        hits = library.search(word).hits
        assert hits and hits[0].article_id == ids[name] and word in hits[0].snippet.text
        assert [s.article_id for s in library.suggest(title[:8])][:1] == [ids[name]]
    assert [h.article_id for h in library.search("title:waiting").hits] == [ids["plots.html"]]
    assert [(h.article_id, h.section_id) for h in library.search("quinceberry shed").hits][:1] == [
        (ids["about.html"], "history/committee")]
    assert library.search("scriptonlyword").hits == []
    library.close()


def test_a_zimwriterfs_site_without_an_index_is_searched_in_lecterns(tmp_path, sites):
    library = _library(tmp_path, sites["zimwriterfs"])
    library.update_index()
    ids = _ids(FOLDER)
    for name, (title, _, word) in SITE_PAGES.items():
        hits = library.search(word).hits
        assert hits and hits[0].article_id == ids[name] and hits[0].article_title == title
    assert [h.article_id for h in library.search("title:waiting").hits] == [ids["plots.html"]]
    library.close()


@pytest.mark.parametrize("scraper, prefix", [("warc2zim", WARC), ("zimwriterfs", FOLDER)])
def test_notes_on_a_page_without_headings_stay_anchored_after_a_restart(tmp_path, sites, scraper, prefix):
    library = _library(tmp_path, sites[scraper])
    article_id = _ids(prefix)[NO_HEADINGS]
    [lead] = library.article(article_id).sections
    note = library.store.add_note(article_id, lead.id, "ask about plot 7a", quote="waiting for a plot of zucchiniwort")
    library.store.add_bookmark(article_id, lead.id)
    library.close()

    base = tmp_path / "lectern"
    again = Library(AppPaths(base / "data", base / "cache", base / "config", tmp_path / "no-bundle").ensure())
    [kept] = again.store.notes(article_id)
    assert (kept.id, kept.section_id, kept.quote, kept.orphaned) == (
        note.id, "_lead", "waiting for a plot of zucchiniwort", False)
    assert [b.article_id for b in again.store.bookmarks()] == [article_id]
    assert again.origin(article_id).endswith(f"› {NO_HEADINGS}" if prefix == FOLDER else f"› {SITE}/{NO_HEADINGS}")
    again.close()
