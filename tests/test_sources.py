"""The sources layer: the folders source speaks the Source protocol, and the Library
pages, filters and routes lookups across sources without listing every article."""

from __future__ import annotations

import json
import threading

import pytest

from reader.cli import main
from reader.errors import UnknownArticleError
from reader.library import Library
from reader.sources.base import ChangeSet, Source, TitleEntry

from .synthetic_source import CountingSource, SyntheticSource

TITLES = ("Émile Zola", "Alpha", "alpha", "Beta Ray", "Gamma ray burst", "Delta")


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def folders(app_paths, tmp_path):
    library = Library(app_paths, include_bundled=False)
    for number, title in enumerate(TITLES):
        write(tmp_path / "s" / f"{number}.txt", f"= {title} =\n\nText {number}.\n")
    library.add_sources([tmp_path / "s"])
    return library


def test_the_folders_source_is_a_source(folders):
    assert isinstance(folders.folders, Source) and folders.article_sources() == [folders.folders]


def test_pages_cover_the_sorted_titles_once(folders):
    pages = [folders.titles(offset, 4) for offset in range(0, 8, 4)]
    listed = [entry.title for page in pages for entry in page]
    assert listed == ["Alpha", "alpha", "Beta Ray", "Delta", "Émile Zola", "Gamma ray burst"]
    assert [e.title for e in folders.titles(4, 4)] == ["Émile Zola", "Gamma ray burst"]
    assert folders.count() == 6 and folders.titles(6, 4) == []


def test_same_titles_are_told_apart_in_the_entry_label(folders):
    first, second = folders.titles(0, 2)
    assert first.label == "Alpha · s/1.txt" and second.label == "alpha · s/2.txt"
    assert first.where.endswith("/s/1.txt")


def test_prefix_folds_case_and_accents_and_stops_at_the_limit(folders):
    assert [e.title for e in folders.titles_with_prefix("EMI")] == ["Émile Zola"]
    assert [e.title for e in folders.titles_with_prefix("alpha", limit=1)] == ["Alpha"]
    assert [e.title for e in folders.titles_matching("ray")] == ["Beta Ray", "Gamma ray burst"]  # inside titles


def test_find_title_position_and_entry(folders):
    zola = folders.find_title(" emile zola ")
    assert zola is not None and folders.position(zola.id) == 4
    assert folders.title_entry(zola.id) == zola and folders.find_title("Zola") is None
    assert folders.position("no-such-article") is None and folders.title_entry("no-such-article") is None


def test_version_and_changes_since(folders, tmp_path):
    source = folders.folders
    before = source.version()
    assert source.version() == before and source.changes_since(before) == ChangeSet()
    write(tmp_path / "s" / "0.txt", "= Émile Zola =\n\nRewritten.\n")
    write(tmp_path / "s" / "9.txt", "= Omega =\n\nNew.\n")
    (tmp_path / "s" / "5.txt").unlink()
    folders.rescan()
    changes = source.changes_since(before)
    assert changes.added == ("omega",) and changes.removed == ("delta",)
    assert changes.changed == ("émile-zola",) and source.version() != before
    assert source.changes_since("unknown") is None


def test_the_list_is_read_while_a_scan_runs_and_rebuilt_after(folders, tmp_path, monkeypatch):
    import reader.sources.folders as folders_module

    parsing, release = threading.Event(), threading.Event()
    real = folders_module.parse_file

    def slow_parse(*args, **kwargs):
        parsing.set()
        assert release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(folders_module, "parse_file", slow_parse)
    assert folders.count() == 6  # the panel shows the list before the user presses F5
    write(tmp_path / "s" / "9.txt", "= Omega =\n\nNew.\n")
    scan = threading.Thread(target=folders.rescan)
    scan.start()
    assert parsing.wait(10)
    try:
        assert folders.count() == 6 and "Omega" not in [e.title for e in folders.titles(0, 10)]  # no wait
    finally:
        release.set()
        scan.join(10)
    assert [e.title for e in folders.titles(6, 10)] == ["Omega"]


def test_a_rescan_builds_the_sorted_list_only_for_a_reader_that_uses_it(folders, tmp_path, monkeypatch):
    """A CLI ``search`` rescans but never lists titles: at 100,000 articles sorting them cost ~1 s of it."""
    import reader.sources.folders as folders_module

    built = []
    real = folders_module._Listing
    monkeypatch.setattr(folders_module, "_Listing", lambda *args: built.append(1) or real(*args))
    reopened = Library(folders.paths, include_bundled=False)
    write(tmp_path / "s" / "9.txt", "= Omega =\n\nNew.\n")
    assert [s.title for s in reopened.rescan().added] == ["Omega"] and built == []
    assert reopened.count() == 7 and len(built) == 1  # the first reader builds it
    write(tmp_path / "s" / "10.txt", "= Psi =\n\nNewer.\n")
    reopened.rescan()
    assert len(built) == 2  # in use: rebuilt by the scan, so readers do not wait for it
    assert [e.title for e in reopened.titles(6, 10)] == ["Omega", "Psi"] and len(built) == 2


@pytest.fixture
def mixed(folders):
    archive = CountingSource(SyntheticSource(1000), page=200)
    folders.attach_source(archive)
    return folders, archive


def test_pages_continue_from_one_source_into_the_next(mixed):
    library, _ = mixed
    assert library.count() == 1006
    page = library.titles(4, 4)
    assert [e.title for e in page] == ["Émile Zola", "Gamma ray burst", "Alfa 0000000", "Alfa 0000001"]
    assert [e.id for e in library.titles(1005, 10)] == ["syn-0000999"]
    assert library.position("syn-0000010") == 16


def test_lookups_go_to_the_owning_source(mixed):
    library, _ = mixed
    assert library.article("syn-0000041").title == "Bravo 0000041"  # 39 titles per word for 1,000
    assert library.summary("syn-0000041").title == "Bravo 0000041" and library.has_article("syn-0000041")
    assert library.find_by_title("bravo 0000041").id == "syn-0000041"
    assert library.find_title("delta").id == "delta"  # the folders come first
    assert library.fingerprint("syn-0000041") == "v1" and library.fingerprint("delta")
    assert library.fingerprints_of(["syn-0000041", "delta", "gone"]) == {
        "syn-0000041": "v1", "delta": library.fingerprints()["delta"]}
    with pytest.raises(UnknownArticleError):
        library.article("syn-0001000")


def test_the_index_is_given_only_indexed_sources(mixed):
    library, archive = mixed
    assert set(library.fingerprints()) == {e.id for e in library.folders.titles(0, 10)}
    assert archive.log.calls == []


def test_a_prefix_is_paged_and_counted_across_sources_a_title_at_a_time(mixed):
    library, archive = mixed
    assert library.count_with_prefix("D") == 40  # "Delta" and the archive's 39 "Delta ..." titles
    page = library.titles_with_prefix("d", limit=3, offset=1)
    assert [e.title for e in page] == ["Delta 0000117", "Delta 0000118", "Delta 0000119"]
    assert [e.title for e in library.titles_with_prefix("delta 00001", limit=5, offset=37)] == ["Delta 0000154", "Delta 0000155"]
    assert library.titles_with_prefix("d", limit=3, offset=40) == []
    assert archive.log.largest <= 3 and len(archive.log.calls) < 100  # bisection, not a listing


def test_a_filter_spans_sources_and_each_asks_for_at_most_the_limit(mixed):
    library, archive = mixed
    found = library.titles_matching("de", limit=5)
    assert [e.title for e in found] == ["Delta", "Delta 0000117", "Delta 0000118", "Delta 0000119", "Delta 0000120"]
    assert archive.log.calls == [("titles_matching", 4)]


def test_cli_list_pages_with_limit_offset_and_prefix(app_paths, tmp_path, capsys):
    folder = tmp_path / "many"
    for number in range(7):
        write(folder / f"{number}.txt", f"= Topic {number} =\n\nText.\n")
    base = ["--data-dir", str(app_paths.data_dir), "--no-bundled"]
    assert main([*base, "add", str(folder)]) == 0
    capsys.readouterr()

    def listed(*args):
        assert main([*base, "list", *args]) == 0
        return capsys.readouterr()

    out, _ = listed("--limit", "3")
    assert out.splitlines()[-1] == "3 articles of 7 shown; 4 more, use --offset 3"
    assert [line.split()[0] for line in out.splitlines()[:-1]] == ["topic-0", "topic-1", "topic-2"]
    out, _ = listed("--limit", "3", "--offset", "6")
    assert out.splitlines() == ["topic-6  Topic 6  (1 section)", "7 articles"]
    out, err = listed("--json", "--limit", "2", "--prefix", "TOPIC")
    assert [a["id"] for a in json.loads(out)] == ["topic-0", "topic-1"]
    assert err == "2 articles of 7 shown; 5 more, use --offset 2\n"
    out, _ = listed("--prefix", "topic 5")
    assert out.splitlines() == ["topic-5  Topic 5  (1 section)", "1 article starting with 'topic 5'"]


def test_cli_list_refuses_a_negative_limit(app_paths, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--data-dir", str(app_paths.data_dir), "list", "--limit", "-1"])
    assert exc.value.code == 2 and "invalid whole number value: '-1'" in capsys.readouterr().err


def test_title_entry_shows_its_label_or_title():
    assert TitleEntry("a", "A").shown == "A" and TitleEntry("a", "A", "A · x/a.txt").shown == "A · x/a.txt"


def test_the_folders_source_tells_its_notices_to_a_listener_once(app_paths):
    from reader.sources.folders import FolderSource

    newer = {"format": "lectern-library", "version": 99, "sources": [], "articles": {}, "skipped": {}}
    app_paths.manifest.write_text(json.dumps(newer), encoding="utf-8")
    told = []
    source = FolderSource(app_paths, tell=lambda message, key: told.append((key, message)))
    source.rescan()  # the manifest is read again: the notice is not repeated
    assert len(told) == 1 and told[0][0] == "library.read_only" and "newer Lectern" in told[0][1]
    assert source.messages == [told[0][1]]


def test_the_library_hears_the_folders_notices_on_its_one_channel(app_paths):
    newer = {"format": "lectern-library", "version": 99, "sources": [], "articles": {}, "skipped": {}}
    app_paths.manifest.write_text(json.dumps(newer), encoding="utf-8")
    library = Library(app_paths)
    library.rescan()
    [notice] = library.notices.posted()
    assert (notice.source, notice.key) == ("library", "library.read_only") and "newer Lectern" in notice.text
    assert library.notices.active() == [notice] and library.messages == [notice.text] and library.read_only


def test_the_store_and_the_index_see_the_fingerprint_of_an_article_of_any_source(mixed):
    library, _ = mixed
    articles = library._coordinator.articles  # what the store stamps on a note's anchor
    assert articles.fingerprint("syn-0000041") == "v1"
    assert articles.fingerprint("delta") == library.fingerprints()["delta"] and articles.fingerprint("gone") == ""


def test_a_note_on_an_archive_article_survives_a_rescan_of_the_folders(mixed, tmp_path):
    library, _ = mixed
    note = library.store.add_note("syn-0000041", "details", "Kept", quote="More about Bravo 0000041")
    write(tmp_path / "s" / "0.txt", "= Émile Zola =\n\nRewritten.\n")
    report = library.rescan()  # the store re-anchors the notes of changed articles
    kept = library.store.note(note.id)
    assert report.updated and not kept.orphaned
    assert kept.article_id == "syn-0000041" and kept.section_id == "details"
    assert library.is_hidden("syn-0000041")  # what tells the store: outside fingerprints(), not gone


def test_no_part_of_lectern_lists_every_article():
    """``Library.articles()`` is kept for tests only: a source may hold millions of articles."""
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "reader"
    callers = [str(path.relative_to(package)) for path in sorted(package.rglob("*.py"))
               if ".articles()" in path.read_text(encoding="utf-8")]
    assert callers == []
