"""ZIM archives through libzim (reader/sources/zim_archive.py): real test archives and generated ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reader.errors import LecternError
from reader.sources.zim_archive import (
    TitlePage,
    ZimArchive,
    ZimError,
    archive_name_from_file,
    parse_key,
)

from .conftest import real_archives
from .pages import LAYOUTS, render, sample_page, write_archive

TRUNCATED = "wikipedia_cr_all_2015-04.zim"


def all_titles(archive: ZimArchive, limit: int = 7) -> list[str]:
    paths, cursor = [], 0
    while cursor is not None:
        page = archive.titles(cursor, limit)
        paths += [entry.path for entry in page.entries]
        cursor = page.next_cursor
    return paths


class CountingArchive:
    """Wraps a libzim Archive and counts entry reads by id (to prove nothing enumerates)."""

    def __init__(self, inner):
        self.inner = inner
        self.reads = 0

    def _get_entry_by_id(self, index):
        self.reads += 1
        return self.inner._get_entry_by_id(index)

    def __getattr__(self, name):
        return getattr(self.inner, name)


# --------------------------------------------------------------------------- generated archives


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_archive_metadata_and_counts(generated_archives, layout):
    archive = ZimArchive(generated_archives[layout])
    meta = archive.metadata
    assert (meta.title, meta.language, meta.date, meta.creator, meta.name) == (
        "Generated", "eng", "2026-11-30", "Lectern tests", f"generated_{layout}")
    assert meta.illustration.startswith(b"\x89PNG")
    assert archive.article_count == 32  # 31 pages + the redirect, as the archive counts front articles
    assert archive.has_fulltext_index and archive.has_title_index
    assert archive.main_path() == "Main_Page"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_article_has_its_sections_and_stable_key(generated_archives, layout):
    archive = ZimArchive(generated_archives[layout])
    path = f"{layout.title()}_article_03"
    article = archive.article(path)
    assert article.id == f"zim:generated_{layout}/{path}" == archive.key(path)
    assert article.title == f"{layout.title()} article 03"
    assert [(s.level, s.path) for s in article.sections] == sample_page(3).expected_outline()
    assert parse_key(article.id) == (f"generated_{layout}", path)


def test_redirects_open_their_target(generated_archives):
    archive = ZimArchive(generated_archives["flat"])
    entry = archive.entry("Otter_redirect")
    assert entry.path == "Flat_article_07"
    assert archive.article("Otter_redirect").id == archive.key("Flat_article_07")


def test_titles_come_page_by_page_without_enumerating(generated_archives):
    archive = ZimArchive(generated_archives["section"])
    every = all_titles(archive)
    assert len(every) == 31 and len(set(every)) == 31  # redirects and images are not listed
    assert every == sorted(every)  # the archive's path order
    archive._archive = counting = CountingArchive(archive._archive)
    first = archive.titles(0, 5)
    assert isinstance(first, TitlePage) and len(first.entries) == 5
    assert counting.reads <= 5 + 40 + 1  # at most the page, the assets before it and one more
    second = archive.titles(first.next_cursor, 5)
    assert [e.path for e in first.entries + second.entries] == every[:10]


def test_titles_at_an_offset_match_the_full_listing(generated_archives, monkeypatch):
    from reader.sources import zim_archive

    monkeypatch.setattr(zim_archive, "CHECKPOINT_EVERY", 7)
    archive = ZimArchive(generated_archives["details"])
    every = all_titles(archive)
    for offset, limit in [(0, 5), (20, 4), (6, 9), (27, 10), (30, 5), (31, 3), (100, 2), (13, 1), (0, 31)]:
        assert [e.path for e in archive.titles_at(offset, limit)] == every[offset:offset + limit], (offset, limit)
    archive._archive = counting = CountingArchive(archive._archive)
    archive.titles_at(29, 1)
    assert counting.reads <= 2 * 7  # from the checkpoint at 28, not from the start


def test_suggestions_by_title_prefix(generated_archives):
    archive = ZimArchive(generated_archives["details"])
    found = archive.suggest("Details article 1", limit=20)
    assert {e.title for e in found} >= {f"Details article 1{n}" for n in range(10)}
    assert all(e.key.startswith("zim:generated_details/") for e in found)
    assert archive.suggest("   ") == []
    assert archive.suggest("zzzz nothing") == []


def test_suggestion_through_a_redirect_gives_the_target_once(generated_archives):
    archive = ZimArchive(generated_archives["flat"])
    assert [e.path for e in archive.suggest("Otter redirect")] == ["Flat_article_07"]
    [found] = archive.suggest("Otter redirect")
    assert found.matched == archive._archive.get_entry_by_path("Otter_redirect").title != found.title


def test_full_text_search_returns_paths(generated_archives):
    archive = ZimArchive(generated_archives["flat"])
    hits = archive.search("Braille", limit=50)
    assert len(hits) == 31 and all(archive.entry(path) for path in hits)
    assert archive.search("xylophoneabsent") == []


def test_search_without_full_text_index_says_so(tmp_path):
    path = write_archive(tmp_path / "noindex.zim", [("A1", "Alpha page", "<p>alpha</p>")], name="noindex", main=None,
                         indexing=False)
    archive = ZimArchive(path)
    assert not archive.has_fulltext_index
    with pytest.raises(ZimError, match="no full-text index"):
        archive.search("alpha")
    assert [e.path for e in archive.suggest("Alph")] == ["A1"]


def test_uncompressed_archive_reads_like_a_compressed_one(tmp_path):
    page = render(sample_page(4), "details")
    plain = ZimArchive(write_archive(tmp_path / "plain.zim", [("P", "P", page)], name="p", main="P", compression="none"))
    packed = ZimArchive(write_archive(tmp_path / "packed.zim", [("P", "P", page)], name="p", main="P"))
    assert plain.path.stat().st_size > packed.path.stat().st_size
    assert plain.article("P") == packed.article("P")


def test_key_survives_a_new_release_and_falls_back_to_the_file_name(tmp_path):
    page = [("Otter", "Otter", "<h1>Otter</h1><p>x</p>")]
    old = ZimArchive(write_archive(tmp_path / "wiki_en_all_2025-01.zim", page, name="wiki_en_all", main=None))
    new = ZimArchive(write_archive(tmp_path / "wiki_en_all_2026-11.zim", page, name="wiki_en_all", main=None))
    assert old.key("Otter") == new.key("Otter") == "zim:wiki_en_all/Otter"
    unnamed = ZimArchive(write_archive(tmp_path / "nameless_2026-11.zim", page, name=None, main=None))
    assert unnamed.key("Otter") == "zim:nameless/Otter"
    assert archive_name_from_file(tmp_path / "wikipedia_en_all_maxi_2024-01.zimaa") == "wikipedia_en_all_maxi"


def test_missing_article_and_non_article_entries(generated_archives):
    archive = ZimArchive(generated_archives["flat"])
    with pytest.raises(ZimError, match="no article 'Nope'"):
        archive.entry("Nope")
    with pytest.raises(ZimError, match="not an article"):
        archive.entry("_assets_/img00001.png")


def test_an_oversized_page_is_refused_with_its_size(generated_archives, monkeypatch):
    from reader.sources import zim_archive

    monkeypatch.setattr(zim_archive, "MAX_PAGE_BYTES", 1024)
    archive = ZimArchive(generated_archives["flat"])
    with pytest.raises(ZimError, match=r"'Flat_article_01' is too large to show \(0 MB, limit 0 MB\)"):
        archive.article("Flat_article_01")


@pytest.mark.parametrize("key", ["Otter", "zim:", "zim:name", "zim:/path", "file:x/y"])
def test_bad_keys_are_refused(key):
    with pytest.raises(ZimError, match="not a ZIM article key"):
        parse_key(key)


# --------------------------------------------------------------------------- bad input


def _one_line_error(path) -> str:
    with pytest.raises(LecternError) as caught:
        ZimArchive(path)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_not_a_zim(tmp_path):
    for name, data in (("random.zim", bytes(range(256)) * 40), ("empty.zim", b""), ("text.zim", b"hello")):
        (tmp_path / name).write_bytes(data)
        assert _one_line_error(tmp_path / name).endswith("not a ZIM archive")


def test_truncated_archive(tmp_path, generated_archives):
    data = generated_archives["flat"].read_bytes()
    (tmp_path / "cut.zim").write_bytes(data[: len(data) // 2])
    assert "damaged or truncated" in _one_line_error(tmp_path / "cut.zim")


def test_missing_file_and_folder(tmp_path):
    assert _one_line_error(tmp_path / "gone.zim").endswith("no such file")
    assert _one_line_error(tmp_path).endswith("a folder, not a ZIM archive")


def test_zero_articles(tmp_path):
    path = write_archive(tmp_path / "hollow.zim", [], name="hollow", main=None, assets=3)
    assert _one_line_error(path).endswith("the archive has no articles")


def test_archive_deleted_while_open_keeps_working(tmp_path, generated_archives):
    copy = tmp_path / "moving.zim"
    shutil.copy(generated_archives["flat"], copy)
    archive = ZimArchive(copy)
    copy.unlink()
    assert archive.article("Flat_article_01").title == "Flat article 01"


# --------------------------------------------------------------------------- the real test archives


def test_every_real_archive_opens_or_says_why(zim_dir):
    """Old and new namespaces, LZMA and zstd clusters, split parts, with and without indexes."""
    archives = real_archives()
    assert len(archives) >= 12
    for path in archives:
        if path.name == TRUNCATED:
            assert "damaged or truncated" in _one_line_error(path)
            continue
        archive = ZimArchive(path)
        titles = all_titles(archive, limit=25)
        assert len(titles) == len(set(titles)) == archive.article_count, path
        main = archive.main_path()
        if main is not None:
            assert archive.article(main).sections[0].is_lead
        article = archive.article(titles[0])
        assert article.id == archive.key(titles[0]) and article.title


def test_real_metadata(zim_dir):
    ray = ZimArchive(zim_dir / "libkiwix/zimfile.zim")
    assert (ray.metadata.title, ray.metadata.language, ray.metadata.date, ray.name) == (
        "Ray Charles", "eng", "2020-03-31", "wikipedia_en_ray_charles")
    assert ray.metadata.creator == "Wikipedia"
    assert ray.metadata.illustration.startswith(b"\x89PNG")  # libzim falls back to the old favicon
    spelling = ZimArchive(zim_dir / "libkiwix/spelling_correction_test.zim")
    assert spelling.metadata.illustration.startswith(b"\x89PNG")
    poor = ZimArchive(zim_dir / "libkiwix/poor.zim")
    assert poor.metadata.title == "poor" and poor.name == "poor"  # no Title, no Name: the file name


def test_both_namespace_layouts_give_the_same_keys(zim_dir):
    old = ZimArchive(zim_dir / "zim-testing-suite/withns/wikibooks_be_all_nopic_2017-02.zim")
    new = ZimArchive(zim_dir / "zim-testing-suite/nons/wikibooks_be_all_nopic_2017-02.zim")
    assert old.old_namespaces and not new.old_namespaces
    for path in ("Эспэранта.html", "A/Эспэранта.html"):
        assert old.entry(path).key == new.entry(path).key == "zim:kiwix.wikibooks_be_all/Эспэранта.html"
    assert all_titles(old) == all_titles(new)
    assert old.article("Эспэранта_Суфіксы.html").sections == new.article("Эспэранта_Суфіксы.html").sections


def test_split_archive_opens_from_its_first_part_or_its_name(zim_dir):
    folder = zim_dir / "zim-testing-suite/nons"
    whole = ZimArchive(folder / "wikibooks_be_all_nopic_2017-02.zim")
    split = ZimArchive(folder / "wikibooks_be_all_nopic_2017-02_splitted.zimaa")
    by_name = ZimArchive(folder / "wikibooks_be_all_nopic_2017-02_splitted.zim")
    assert all_titles(split) == all_titles(whole) == all_titles(by_name)
    message = _one_line_error(folder / "wikibooks_be_all_nopic_2017-02_splitted.zimab")
    assert "open its first part wikibooks_be_all_nopic_2017-02_splitted.zimaa" in message


def test_real_search_and_suggestions(zim_dir):
    ray = ZimArchive(zim_dir / "libkiwix/zimfile.zim")
    assert ray.search("glaucoma", limit=10)[0] == "Ray_Charles"
    suggested = ray.suggest("Ray Charles", limit=5)
    assert suggested and all("Ray" in e.title for e in suggested)
    old = ZimArchive(zim_dir / "zim-testing-suite/withns/wikibooks_be_all_nopic_2017-02.zim")
    assert not old.has_title_index and old.suggest("Эспэранта", limit=3)  # libzim's fallback listing


def test_zstd_archive_with_text_articles(zim_dir):
    archive = ZimArchive(zim_dir / "kiwix-js/foo-zstd.zim")
    titles = all_titles(archive)
    assert len(titles) == 16
    article = archive.article(titles[0])
    assert article.lead.blocks  # text/plain content became paragraphs


def test_opening_an_archive_leaves_the_html_side_unloaded_until_a_page_is_converted(zim_dir):
    """Start-up with an archive imports libzim only: lxml and the converter come with the first page."""
    import subprocess
    import sys

    code = ("import sys; from reader.sources.zim_archive import ZimArchive; "
            f"a = ZimArchive({str(zim_dir / 'libkiwix' / 'zimfile.zim')!r}); a.entry(a.main_path()); "
            "print('lxml' in sys.modules, end=' '); a.article(a.main_path()); print('lxml' in sys.modules)")
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, cwd=repo)
    assert out.stdout.split() == ["False", "True"]
