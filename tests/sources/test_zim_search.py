"""Archive search: hits mapped to sections with snippets, merged with files and notes, filters (issue 10)."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from lxml import etree

from reader.errors import LecternError
from reader.library import Library
from reader.model import BulletList, Paragraph, Table, iter_items
from reader.search import external
from reader.sources.zim_archive import OLD_ARTICLE_NAMESPACE, ZimArchive, ZimError
from reader.sources.zim_links import page_links

from .archive_source import ArchiveSource
from .pages import GenSection, Page, render, write_archive

FILE_TEXT = """= Marmalade =

Marmalade is a fruit preserve made from citrus peel. Seville oranges make the best marmalade.

== History ==

The word marmalade came into English in 1480. The quakka is not a fruit.
"""


def _page(number: int, title: str, deep_text: str = "Hits followed.") -> Page:
    return Page(
        title=title,
        lead=[f"The lead paragraph of page {number} is about otters."],
        sections=[
            GenSection("Early life", [f"Born in town {number}.", "Moved away."]),
            GenSection("Career", ["Recorded many albums."], children=[GenSection("Atlantic years", [deep_text])]),
        ],
    )


@pytest.fixture(scope="module")
def otter_archive(tmp_path_factory):
    """25 pages; "quokka" only in the deep section of pages 0..14, one page titled "Marmalade"."""
    pages = []
    for number in range(25):
        deep = f"The quokka sessions of {number} were recorded quickly." if number < 15 else "Hits followed."
        page = _page(number, f"Otter page {number:02d}", deep)
        pages.append((f"Otter_page_{number:02d}", page.title, render(page, ("details", "section", "flat")[number % 3])))
    page = _page(99, "Marmalade", "Jam and marmalade differ.")
    pages.append(("Marmalade", "Marmalade", render(page, "section")))
    return write_archive(tmp_path_factory.mktemp("zs") / "otters_2026-11.zim", pages, name="otters", main="Marmalade")


@pytest.fixture(scope="module")
def other_archive(tmp_path_factory):
    page = _page(7, "Quokka island", "A quokka colony lives here.")
    return write_archive(tmp_path_factory.mktemp("zs2") / "islands_2026-11.zim",
                         [("Quokka_island", page.title, render(page, "flat"))], name="islands", main=None)


@pytest.fixture
def library_with_archive(app_paths, otter_archive, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "Marmalade.txt").write_text(FILE_TEXT, encoding="utf-8")
    library = Library(app_paths, include_bundled=False)
    library.add_sources([folder])
    source = ArchiveSource(otter_archive)
    library.attach_source(source)
    library.update_index()
    yield library, source
    library.close()


def test_a_hit_maps_to_the_section_holding_the_query_words(otter_archive):
    source = ArchiveSource(otter_archive)
    hits = external.source_hits(source.search, external.archive_query("quokka sessions"), limit=5)
    assert hits and all(hit.article_id.startswith("zim:otters/Otter_page_") for hit in hits)
    for hit in hits:
        assert hit.section_path == ("Career", "Atlantic years")
        assert [w.lower() for w in hit.snippet.marked()] == ["quokka", "sessions"]


def test_lead_words_map_to_the_lead_and_title_words_count_for_it(otter_archive):
    source = ArchiveSource(otter_archive)
    hit = external.source_hits(source.search, external.archive_query("otters"), limit=1)[0]
    assert hit.section_path == () and hit.snippet.marked() == ["otters"]


def test_each_page_is_converted_at_most_once_and_only_the_top_pages(otter_archive):
    source = ArchiveSource(otter_archive)
    wanted = external.archive_query("quokka")
    hits = external.source_hits(source.search, wanted, limit=20)
    assert len(hits) == 15  # every page holding the word
    assert source.search.conversions == external.MAX_PAGES
    assert all(hit.snippet for hit in hits[:external.MAX_PAGES])
    assert not any(hit.snippet or hit.section_id for hit in hits[external.MAX_PAGES:])
    external.source_hits(source.search, wanted, limit=20)  # again: the converted pages come from the cache
    assert source.search.conversions == external.MAX_PAGES


def test_excluded_words_drop_archive_hits(otter_archive):
    source = ArchiveSource(otter_archive)
    kept = external.source_hits(source.search, external.archive_query("quokka -sessions"), limit=20)
    assert external.source_hits(source.search, external.archive_query("quokka"), limit=20)
    assert kept == []  # every page holding "quokka" also holds "sessions"
    other = external.source_hits(source.search, external.archive_query("recorded -quokka"), limit=30)
    assert other and all("quokka" not in source.search.article(h.article_id).plain_text() for h in other)


def test_archive_hits_and_file_hits_come_in_one_list(library_with_archive):
    library, source = library_with_archive
    results = library.search("recorded", limit=20)
    ids = [hit.article_id for hit in results.hits]
    assert any(i.startswith("zim:otters/") for i in ids)
    both = library.search("marmalade", limit=20)
    kinds = {hit.article_id.startswith("zim:") for hit in both.hits}
    assert kinds == {True, False}
    assert both.total >= len(both.hits)


def test_exact_title_matches_come_first_from_any_source(library_with_archive):
    library, _ = library_with_archive
    hits = library.search("marmalade", limit=20).hits
    first_two = {(hit.article_id.startswith("zim:"), hit.article_title) for hit in hits[:2]}
    assert first_two == {(True, "Marmalade"), (False, "Marmalade")}
    assert all(hit.article_title != "Marmalade" or hits.index(hit) < 2 or hit.article_id in {h.article_id for h in hits[:2]}
               for hit in hits)


def test_search_filters_by_source(library_with_archive, other_archive):
    library, source = library_with_archive
    islands = ArchiveSource(other_archive)
    library.attach_source(islands)
    everywhere = {hit.article_id.split("/")[0] for hit in library.search("quokka", limit=30).hits}
    assert everywhere == {"zim:otters", "zim:islands"}
    only = library.search("quokka", limit=30, source=islands.id).hits
    assert only and {hit.article_id for hit in only} == {"zim:islands/Quokka_island"}
    files = library.search("marmalade", limit=30, source=library.folders.id).hits
    assert files and not any(hit.article_id.startswith("zim:") for hit in files)
    with pytest.raises(LecternError, match="no source 'nowhere'"):
        library.search("quokka", source="nowhere")


def test_title_and_article_filters_work_across_sources(library_with_archive):
    library, _ = library_with_archive
    titled = library.search("title:marmalade", limit=30).hits
    assert titled and all(hit.article_title == "Marmalade" for hit in titled)
    assert {hit.article_id.startswith("zim:") for hit in titled} == {True, False}
    inside = library.search("article:zim:otters/Otter_page_03 quokka", limit=30).hits
    assert inside and {hit.article_id for hit in inside} == {"zim:otters/Otter_page_03"}
    assert inside[0].section_path == ("Career", "Atlantic years")
    scoped = library.search("quokka", article_id="zim:otters/Otter_page_04", limit=30).hits
    assert {hit.article_id for hit in scoped} == {"zim:otters/Otter_page_04"}


def test_notes_only_searches_no_archive(library_with_archive):
    library, _ = library_with_archive
    assert not any(hit.article_id.startswith("zim:") for hit in library.search("quokka in:notes").hits)


def test_suggestions_come_from_the_archive_title_index(library_with_archive):
    library, _ = library_with_archive
    labels = [s.label for s in library.suggest("Otter page 1", limit=5)]
    assert labels and all(label.startswith("Otter page 1") for label in labels)


def test_or_queries_find_either_word_in_archives(otter_archive):
    source = ArchiveSource(otter_archive)
    titles = {hit.article_title for hit in external.source_hits(source.search, external.archive_query("jam OR quokka"), 30)}
    assert "Marmalade" in titles and "Otter page 00" in titles


def test_notes_on_archive_articles_are_found_with_the_article_filter(library_with_archive):
    library, _ = library_with_archive
    article = library.article("zim:otters/Otter_page_05")
    library.store.add_note(article.id, article.sections[-1].id, "wombat remark")
    library.update_index()
    hits = library.search("wombat", article_id=article.id).hits
    assert [(hit.kind, hit.article_id) for hit in hits] == [("note", article.id)]


def test_note_hits_on_archive_articles_show_the_article_title(library_with_archive):
    library, _ = library_with_archive
    article = library.article("zim:otters/Otter_page_05")
    library.store.add_note(article.id, article.sections[-1].id, "wombat remark")
    library.update_index()
    hits = library.search("wombat").hits
    assert [(hit.kind, hit.article_title) for hit in hits] == [("note", "Otter page 05")]
    # the title is indexed with the note, so title: finds it among Lectern's own hits
    titled = library.search("title:otter wombat", source=library.folders.id).hits
    assert [(hit.kind, hit.article_id) for hit in titled] == [("note", article.id)]


def test_a_note_indexed_while_its_archive_was_unreadable_gets_its_title_when_shown(library_with_archive,
                                                                                  monkeypatch):
    library, _ = library_with_archive
    article = library.article("zim:otters/Otter_page_06")
    from reader.coordinator import ArticleView

    monkeypatch.setattr(ArticleView, "title", lambda self, article_id: "")  # the archive could not be read
    library.store.add_note(article.id, article.sections[0].id, "numbat remark")
    library.update_index()
    monkeypatch.undo()
    assert [hit.article_title for hit in library.search("numbat").hits] == ["Otter page 06"]


def test_an_archive_without_full_text_index_is_searched_by_title(app_paths, tmp_path):
    pages = [(f"Plain_{n}", f"Plain page {n}", render(_page(n, f"Plain page {n}"), "flat")) for n in range(3)]
    pages.append(("Other", "Other things", render(_page(9, "Other things", "plain words"), "flat")))
    path = write_archive(tmp_path / "plain_2026-11.zim", pages, name="plain", main=None, indexing=False)
    library = Library(app_paths, include_bundled=False)
    try:
        source = ArchiveSource(path)
        assert not source.archive.has_fulltext_index
        library.attach_source(source)
        hits = library.search("plain page", source="zim:plain").hits
        assert {hit.article_title for hit in hits} == {"Plain page 0", "Plain page 1", "Plain page 2"}
        assert all(hit.snippet.marked() for hit in hits)  # mapped to a section like full-text hits
    finally:
        library.close()


def test_real_archive_hits_have_snippets_marking_the_query(zim_dir):
    source = ArchiveSource(zim_dir / "libkiwix" / "zimfile.zim")  # Ray Charles, mwoffliner 2020
    hits = external.source_hits(source.search, external.archive_query("piano blues"), limit=20)
    assert len(hits) >= 5
    for hit in hits[:external.MAX_PAGES]:  # the words may be in the infobox ("Genre: ... blues"): the lead's
        marked = {word.lower() for word in hit.snippet.marked()}
        assert marked and marked <= {"piano", "blues"}, hit


def _model_links(article) -> list[tuple[str, str]]:
    """(link text as the block's text has it, target) of every link of the article, in document order."""
    found = []
    for section in article.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                found += [(block.text[link.start:link.end], link.target) for link in block.links]
            elif isinstance(block, BulletList):
                found += [(item.text[link.start:link.end], link.target) for item in iter_items(block.items) for link in item.links]
            elif isinstance(block, Table):
                found += [(block.rows[row][cell][link.start:link.end], link.target)
                          for row, cell, links in block.cell_links for link in links]
    return found


def _real_html_pages(zim_dir):
    """(archive, entry, page bytes) of every HTML article of the real test archives that open."""
    for path in sorted(zim_dir.rglob("*.zim*")):
        try:
            archive = ZimArchive(path)
        except ZimError:
            continue  # the truncated archive and later parts of a split one
        cursor = 0
        while cursor is not None:
            page = archive.titles(cursor, 500)
            cursor = page.next_cursor
            for entry in page.entries:
                _, content, mimetype = archive.html(entry.path)
                if mimetype.startswith("text/html"):
                    yield archive, entry, content


def test_real_archive_pages_keep_their_links_and_images_from_one_parse(zim_dir, monkeypatch):
    """The conversion keeps what a separate read of the page for its links and images gave
    (``page_links``, which ``page_media`` used): the same archive images in order, the page's links in
    order in its blocks and infobox, except those in a heading or table caption (the model keeps no links there)."""
    checked = links_kept = infobox_links = 0
    for archive, entry, content in _real_html_pages(zim_dir):
        page_path = OLD_ARTICLE_NAMESPACE + entry.path if archive.old_namespaces else entry.path
        separate = page_links(content, page_path)
        wanted_links = [(link.text, link.target if link.external else archive.key(link.target) + (f"#{link.fragment}" if link.fragment else ""))
                        for link in separate if link.kind == "link" and link.text]
        wanted_images = [link.target for link in separate if link.kind == "image" and archive.has_image(link.target)]
        parses = []
        real_parse = etree.fromstring
        monkeypatch.setattr(etree, "fromstring", lambda *args: parses.append(1) or real_parse(*args))
        article = archive.article(entry.path)
        monkeypatch.setattr(etree, "fromstring", real_parse)
        assert len(parses) == (1 if content.strip() else 0), entry.path  # the conversion is the only parse
        assert [path for _, path in article.images] == wanted_images, entry.path
        in_infobox = Counter((value[link.start:link.end], link.target)
                             for (_, value), links in zip(article.infobox, article.infobox_links) for link in links)
        assert not in_infobox - Counter(wanted_links), entry.path  # the infobox's links are the page's
        kept, left = _model_links(article), iter(wanted_links)
        missing = []
        for link in kept:  # the blocks' links are the page's links in order, a few left out
            missing += list(itertools.takewhile(lambda wanted: wanted != link, left))
        missing += list(left)
        missing = list((Counter(missing) - in_infobox).elements())
        elsewhere = " ".join([article.title, *(s.title for s in article.sections), *(k for k, _ in article.infobox),
                              *(b.caption for s in article.sections for b in s.blocks if isinstance(b, Table))])
        assert len(kept) + len(missing) + in_infobox.total() == len(wanted_links), entry.path
        assert all(text in elsewhere for text, _ in missing), (entry.path, missing)
        checked += 1
        links_kept += len(kept)
        infobox_links += in_infobox.total()
    assert checked > 300 and links_kept > 1500 and infobox_links > 20


def test_real_archive_images_have_their_captions_and_links_lead_into_the_archive(zim_dir):
    example = ZimArchive(zim_dir / "libkiwix" / "example.zim")
    article = example.article(example.main_path())
    assert len(article.images) >= 10 and all(example.has_image(path) for _, path in article.images)
    paragraphs = {block.text for section in article.sections for block in section.blocks if isinstance(block, Paragraph)}
    assert any(caption in paragraphs for caption, _ in article.images)  # a figure's caption: the image goes before it
    ray = ArchiveSource(zim_dir / "libkiwix" / "zimfile.zim")
    internal = [target for _, target in _model_links(ray.archive.article("index")) if target.startswith("zim:")]
    assert len(internal) > 100 and all(ray.entry(target.partition("#")[0]) for target in internal)


def test_an_archive_that_fails_is_told_and_the_rest_still_answers(library_with_archive, monkeypatch):
    library, source = library_with_archive

    def broken(query, limit):
        raise ZimError(source.archive.path, "cannot read cluster 7: bad data")

    monkeypatch.setattr(source.search, "fulltext", broken)
    hits = library.search("marmalade", limit=20).hits
    assert hits and not any(hit.article_id.startswith("zim:") for hit in hits)
    assert any("zim:otters was not searched" in text and "bad data" in text for text in library.messages)


def test_archive_hits_for_the_typed_query_replace_a_files_correction(library_with_archive):
    library, _ = library_with_archive
    alone = library.search("quokka", limit=20, source=library.folders.id)
    assert alone.searched == "quakka" and alone.hits  # no file has "quokka": Lectern's index corrects it
    results = library.search("quokka", limit=20)
    assert results.searched == "quokka" and results.corrected is None and results.hits
    assert all(hit.article_id.startswith("zim:") for hit in results.hits)


def test_cli_search_source_filter(tmp_path, capsys):
    from reader.cli import main

    data = ["--data-dir", str(tmp_path / "data")]
    assert main([*data, "search", "ceasefire", "--source", "folders", "--json"]) == 0
    hits = __import__("json").loads(capsys.readouterr().out)["hits"]
    assert hits and not any(hit["article_id"].startswith("zim:") for hit in hits)
    assert main([*data, "search", "ceasefire", "--source", "nowhere"]) == 1
    err = capsys.readouterr().err
    assert "lectern: error: no source 'nowhere' to search (sources: folders)" in err and "Traceback" not in err


def test_no_files_correction_is_offered_when_the_archives_found_the_typed_words(library_with_archive):
    """The files' vocabulary does not know the archives' words: a query the archives answer
    as typed gets no "did you mean" from it."""
    library, _ = library_with_archive
    alone = library.search("quokka recorded", limit=20, source=library.folders.id)
    results = library.search("quokka recorded", limit=20)
    assert results.hits and any(hit.article_id.startswith("zim:") for hit in results.hits)
    assert alone.corrected  # the files alone would correct it
    assert results.corrected is None
