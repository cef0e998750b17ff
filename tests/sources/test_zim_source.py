"""ZIM archives wired into the library: ZimSource, the archive shelf, notes on archive articles."""

from __future__ import annotations

import json
import shutil

import pytest

from reader.errors import UnknownArticleError
from reader.library import Library
from reader.paths import AppPaths
from reader.sources.base import Source
from reader.sources.zim import ARCHIVES_FILE, ZimSource, open_archive
from reader.textutil import fold

from .pages import write_archive

RAY = "zim:wikipedia_en_ray_charles/Ray_Charles"
MAIN = "zim:wikipedia_en_ray_charles/index"  # the archive's main page


def _paths(tmp_path) -> AppPaths:
    base = tmp_path / "lectern"
    return AppPaths(base / "data", base / "cache", base / "config", tmp_path / "no-bundle").ensure()


@pytest.fixture
def ray(zim_dir):
    return zim_dir / "libkiwix" / "zimfile.zim"


def _page(title: str, sections: dict[str, str]) -> str:
    body = "".join(f"<h2>{heading}</h2><p>{text}</p>" for heading, text in sections.items())
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"


def _release(path, date: str, sections: dict[str, str], extra_pages=()):
    pages = [("Topic", "Topic", _page("Topic", sections)),
             *((p, p, _page(p, {"Only": "A page of one release."})) for p in extra_pages)]
    return write_archive(path, pages, name="lectern_test_topics", main="Topic", indexing=False, date=date)


def test_zim_source_is_a_source_with_stable_keys(ray):
    source = ZimSource(open_archive(ray))
    assert isinstance(source, Source)
    assert source.id == "zim:wikipedia_en_ray_charles" and source.label == "Ray Charles"
    assert source.indexed is False
    assert source.count() == 129
    assert source.entry(RAY).title == "Ray Charles"
    assert source.article(RAY).title == "Ray Charles"
    assert source.entry("zim:other_archive/Ray_Charles") is None
    with pytest.raises(UnknownArticleError):
        source.article("zim:wikipedia_en_ray_charles/No_such_page")
    assert source.fingerprint(RAY) == source.version() == "zim-6f1d19d0-633f-087b-fb55-7ac324ff9baf"
    assert source.changes_since(source.version()) is not None and not source.changes_since(source.version())
    assert source.changes_since("zim-another-release") is None


def test_pages_of_titles_neither_overlap_nor_skip(ray):
    source = ZimSource(open_archive(ray))
    pages = [source.titles(offset, 50) for offset in (0, 50, 100)]
    ids = [entry.id for page in pages for entry in page]
    assert [len(p) for p in pages] == [50, 50, 29]
    assert len(set(ids)) == 129


def test_titles_with_prefix_are_folded_matches_in_order(ray):
    source = ZimSource(open_archive(ray))
    found = source.titles_with_prefix("ray charles", 50)
    assert found and all(fold(e.shown).startswith("ray charles") for e in found)  # a redirect's title as shown
    assert [fold(e.shown) for e in found] == sorted(fold(e.shown) for e in found)
    assert RAY in {e.id for e in found}
    assert source.find_title("RAY CHARLES").id in {e.id for e in found}
    aliases = [e for e in found if e.label]
    assert aliases and all(" \u2192 " in e.label and e.label.endswith(" \u2192 " + e.title) for e in aliases)


def test_an_added_archive_comes_after_the_folders_and_is_back_after_a_restart(tmp_path, ray):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "zebra.md").write_text("# Zebra\n\nStripes.\n")
    library = Library(_paths(tmp_path))
    report = library.add_sources([folder, ray])
    assert report.added[-1].id == MAIN  # the main page: `lectern FILE.zim` opens it
    assert "129 articles" in report.archives[0]
    assert library.count() == 130
    first = library.titles(0, 2)
    assert [e.title for e in first][0] == "Zebra" and first[1].id.startswith("zim:")
    saved = json.loads((library.paths.data_dir / ARCHIVES_FILE).read_text())
    assert [a["name"] for a in saved["archives"]] == ["wikipedia_en_ray_charles"]
    library.close()

    again = Library(_paths(tmp_path))
    assert again.count() == 130
    assert again.article(RAY).title == "Ray Charles"
    assert again.article_for_path(ray).id == MAIN
    assert again.count_with_prefix("ray charles") == len(again.titles_with_prefix("ray charles", 200))
    again.close()


def test_notes_and_bookmarks_on_an_archive_article_survive_a_restart(tmp_path, ray):
    library = Library(_paths(tmp_path))
    library.add_sources([ray])
    section = library.article(RAY).sections[0]
    quote = section.text().split(".")[0][:40]
    note = library.store.add_note(RAY, section.id, "a note", quote=quote)
    library.store.add_bookmark(RAY, section.id)
    library.close()

    again = Library(_paths(tmp_path))
    notes = again.store.notes(RAY)
    assert [(n.id, n.quote, n.orphaned) for n in notes] == [(note.id, quote, False)]
    assert [b.article_id for b in again.store.bookmarks()] == [RAY]
    again.close()


def test_a_missing_archive_keeps_its_notes_and_says_so_in_one_line(tmp_path, ray):
    copy = tmp_path / "ray.zim"
    shutil.copy(ray, copy)
    library = Library(_paths(tmp_path))
    library.add_sources([copy])
    note = library.store.add_note(RAY, library.article(RAY).sections[0].id, "kept")
    library.close()
    copy.unlink()

    again = Library(_paths(tmp_path))
    [notice] = [t for t in again.notices.texts("library") if "ray.zim" in t]
    assert "\n" not in notice and "no such file" in notice and "notes are kept" in notice
    assert again.is_hidden(RAY) and again.count() == 0
    assert [(n.id, n.orphaned) for n in again.store.notes(RAY)] == [(note.id, False)]
    [info] = again.archive_list()
    assert info.articles is None and info.missing == "no such file"
    again.close()


def test_bad_archives_are_refused_with_a_reason_and_the_rest_is_added(tmp_path, zim_dir, ray):
    not_zim = tmp_path / "text.zim"
    not_zim.write_text("hello, not an archive\n" * 20)
    truncated = tmp_path / "cut.zim"
    truncated.write_bytes(ray.read_bytes()[:50_000])
    empty = write_archive(tmp_path / "empty.zim", [], name="empty_one", main=None, indexing=False)
    later_part = zim_dir / "zim-testing-suite" / "nons" / "wikibooks_be_all_nopic_2017-02_splitted.zimab"
    library = Library(_paths(tmp_path))
    report = library.add_sources([not_zim, truncated, empty, later_part, tmp_path / "gone.zim", ray])
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in report.skipped}
    assert reasons == {
        "text.zim": "not a ZIM archive",
        "cut.zim": "damaged or truncated ZIM archive (its size does not match its header)",
        "empty.zim": "the archive has no articles",
        later_part.name: "a later part of a split archive; open its first part "
                         "wikibooks_be_all_nopic_2017-02_splitted.zimaa",
        "gone.zim": "no such file",
    }
    assert [a.name for a in library.archive_list()] == ["wikipedia_en_ray_charles"]
    assert library.article(RAY).title == "Ray Charles"
    library.close()


def test_a_second_archive_with_the_same_name_is_refused_unless_newer(tmp_path):
    first = _release(tmp_path / "a.zim", "2024-06-01", {"History": "Old text."})
    same_date = _release(tmp_path / "b.zim", "2024-06-01", {"History": "Other text."})
    library = Library(_paths(tmp_path))
    library.add_sources([first])
    report = library.add_sources([same_date])
    [skipped] = report.skipped
    assert "an archive named 'lectern_test_topics' is already in the library" in skipped.reason
    assert "\n" not in skipped.reason
    assert library.add_sources([first]).skipped[0].reason == "already in the library"
    assert [a.path for a in library.archive_list()] == [str(first)]
    library.close()


def test_a_newer_release_re_anchors_the_notes_and_counts_moved_and_orphaned(tmp_path):
    old = _release(tmp_path / "topics_2024-01.zim", "2024-01-01", {
        "History": "The bridge was opened in 1901 by the mayor of the town.",
        "Design": "Its arches are made of red granite from the northern quarry.",
    }, extra_pages=["Dropped"])
    library = Library(_paths(tmp_path))
    library.add_sources([old])
    article_id = "zim:lectern_test_topics/Topic"
    article = library.article(article_id)
    kept = library.store.add_note(article_id, article.sections[1].id, "moves", quote="opened in 1901 by the mayor")
    gone = library.store.add_note(article_id, article.sections[2].id, "goes", quote="red granite")
    dropped = library.store.add_note("zim:lectern_test_topics/Dropped", "_lead", "page gone")

    new = _release(tmp_path / "topics_2025-01.zim", "2025-01-01", {
        "Background": "Long ago the bridge was opened in 1901 by the mayor of the town, people say.",
    })
    report = library.add_sources([new])
    assert report.skipped == [] and "replaces the release of 2024-01-01" in report.archives[0]
    assert (report.notes_moved, report.notes_orphaned, report.sources_changed) == (1, 2, ["zim:lectern_test_topics"])
    assert [n.orphaned for n in library.store.notes("zim:lectern_test_topics/Dropped")] == [True]
    assert library.store.notes("zim:lectern_test_topics/Dropped")[0].id == dropped.id
    notes = {n.id: n for n in library.store.notes(article_id)}
    assert notes[gone.id].orphaned and not notes[kept.id].orphaned
    assert notes[kept.id].section_id == library.article(article_id).sections[1].id
    assert [a.path for a in library.archive_list()] == [str(new)]
    library.close()


def test_an_archive_replaced_in_place_re_anchors_at_the_next_start(tmp_path):
    path = tmp_path / "topics.zim"
    _release(path, "2024-01-01", {"History": "Built in 1901.", "Design": "Granite arches."})
    library = Library(_paths(tmp_path))
    library.add_sources([path])
    article_id = "zim:lectern_test_topics/Topic"
    note = library.store.add_note(article_id, library.article(article_id).sections[2].id, "gone", quote="Granite")
    library.close()
    path.unlink()
    _release(path, "2025-01-01", {"History": "Built in 1901."})

    again = Library(_paths(tmp_path))
    assert any("replaced by its release of 2025-01-01" in t for t in again.notices.texts("library"))
    assert again.store.notes(article_id)[0].id == note.id and again.store.notes(article_id)[0].orphaned
    again.close()


def test_removing_an_archive_forgets_it_and_orphans_nothing_silently(tmp_path, ray):
    library = Library(_paths(tmp_path))
    library.add_sources([ray])
    note = library.store.add_note(RAY, library.article(RAY).sections[0].id, "stays")
    report = library.remove_sources([ray])
    assert report.archives == ["removed archive 'Ray Charles' (wikipedia_en_ray_charles)"]
    assert library.archive_list() == [] and library.count() == 0
    [kept] = library.store.notes(RAY)
    assert kept.id == note.id and kept.orphaned  # like a removed folder: kept, listed as orphaned
    library.close()


def test_two_libraries_on_one_data_dir_keep_each_others_archives(tmp_path, ray):
    other = write_archive(tmp_path / "other.zim", [("Page", "Page", _page("Page", {"A": "Text."}))],
                          name="lectern_other", main="Page", indexing=False)
    first, second = Library(_paths(tmp_path)), Library(_paths(tmp_path))
    first.add_sources([ray])
    second.add_sources([other])  # re-reads the list first: the first one's archive is not lost
    assert [a.name for a in second.archive_list()] == ["wikipedia_en_ray_charles", "lectern_other"]
    first.close(), second.close()
    assert [a.name for a in Library(_paths(tmp_path)).archive_list()] == ["wikipedia_en_ray_charles", "lectern_other"]


def test_every_real_test_archive_is_added_and_opens_at_its_main_page(tmp_path, zim_dir):
    """Old and new namespace layouts, zstd and lzma clusters, split parts, no index, no counter."""
    from .conftest import real_archives

    library = Library(_paths(tmp_path))
    for path in real_archives():
        report = library.add_sources([path])
        if path.name == "wikipedia_cr_all_2015-04.zim":  # truncated upstream
            assert "damaged or truncated" in report.skipped[0].reason
            continue
        if report.skipped:  # the same Name as an archive added before (a variant of Wikibooks)
            assert "is already in the library" in report.skipped[0].reason, (path, report.skipped)
            continue
        main = library.article_for_path(path)
        assert main is not None and library.article(main.id).plain_text().strip(), path
    assert len(library.archive_list()) >= 6
    library.close()


def test_adding_reads_no_title_page_however_large_the_archive(tmp_path, monkeypatch):
    from reader.sources.zim_archive import ZimArchive

    pages = [(f"P{n:05d}", f"Page {n}", _page(f"Page {n}", {"A": "Text."})) for n in range(3000)]
    big = write_archive(tmp_path / "big.zim", pages, name="lectern_big", main="P00000", indexing=False)
    walked = []
    monkeypatch.setattr(ZimArchive, "titles", lambda self, *a, **k: walked.append(a) or pytest.fail("walked"))
    library = Library(_paths(tmp_path))
    report = library.add_sources([big])
    assert walked == [] and report.archives == ["added archive 'Generated' (lectern_big, 3,000 articles)"]
    library.close()


def test_a_damaged_archive_list_is_kept_aside_and_the_library_still_opens(tmp_path, ray):
    paths = _paths(tmp_path)
    (paths.data_dir / ARCHIVES_FILE).write_text('{"format": "lectern-archives", "archives": [{"path": 3}]')
    library = Library(paths)
    [notice] = [t for t in library.notices.texts("library") if ARCHIVES_FILE in t]
    assert "unreadable" in notice and "kept as archives.json.corrupt-" in notice
    assert library.archive_list() == [] and len(list(paths.data_dir.glob("archives.json.corrupt-*"))) == 1
    library.add_sources([ray])
    assert [a.name for a in Library(paths).archive_list()] == ["wikipedia_en_ray_charles"]
    library.close()


def test_an_added_archive_is_searched_through_its_own_index_and_offers_its_media(tmp_path, ray):
    library = Library(_paths(tmp_path))
    library.add_sources([ray])
    source = library.article_sources()[-1]
    assert source.searchable() is source.media() and source.media().info().title == "Ray Charles"
    hits = library.search("glaucoma").hits
    assert hits and all(h.article_id.startswith("zim:wikipedia_en_ray_charles/") for h in hits)
    assert RAY in {h.article_id for h in library.search("Ray Charles Robinson").hits}
    library.close()
