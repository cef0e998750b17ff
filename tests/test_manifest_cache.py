"""The manifest's fast copy (reader/sources/manifest_cache.py): used only while it is the manifest's, never trusted when damaged."""

import json
import marshal
import os

import pytest

import reader.sources.folders as folders
from reader.library import Library
from reader.sources import manifest_cache

from .test_library import write


@pytest.fixture
def added(app_paths, tmp_path):
    """A library that has saved its manifest (and so its fast copy) with two articles."""
    write(tmp_path / "s" / "a.txt", "= Alpha =\nfirst\n")
    write(tmp_path / "s" / "b.txt", "= Beta =\n== Part ==\nsecond\n")
    library = Library(app_paths, include_bundled=False)
    library.add_sources([tmp_path / "s"])
    return library


@pytest.fixture
def json_reads(monkeypatch):
    """How many times the JSON manifest is parsed."""
    calls = []
    real = folders._read_manifest

    def counting(path):
        calls.append(path)
        return real(path)

    monkeypatch.setattr(folders, "_read_manifest", counting)
    return calls


def _view(library):
    return ([(a.id, a.title, a.sections, a.path) for a in library.articles()], library.fingerprints(), library.sources())


def test_a_saved_manifest_opens_from_its_copy_with_the_same_articles(added, app_paths, json_reads):
    expected = _view(added)
    reopened = Library(app_paths, include_bundled=False)
    assert _view(reopened) == expected
    assert json_reads == []  # the copy named the manifest as it is: no parse
    assert app_paths.manifest_cache.is_file()


def test_a_rescan_reads_the_copy_too(added, app_paths, tmp_path, json_reads):
    write(tmp_path / "s" / "c.txt", "= Gamma =\nthird\n")
    report = Library(app_paths, include_bundled=False).rescan()
    assert [a.title for a in report.added] == ["Gamma"] and json_reads == []


def test_a_manifest_saved_by_another_writer_wins_over_the_copy(added, app_paths, json_reads):
    """An older Lectern (or a person) rewrote library.json: the copy no longer names it and is not used."""
    data = json.loads(app_paths.manifest.read_text())
    data["articles"]["alpha"]["title"] = "Alpha Renamed"
    app_paths.manifest.write_text(json.dumps(data), encoding="utf-8")
    reopened = Library(app_paths, include_bundled=False)
    assert reopened.summary("alpha").title == "Alpha Renamed"
    assert len(json_reads) == 1
    assert Library(app_paths, include_bundled=False).summary("alpha").title == "Alpha Renamed"
    assert len(json_reads) == 1  # the parse rewrote the copy: the next open needs none


def _rewrite_copy(app_paths, change):
    data = marshal.loads(app_paths.manifest_cache.read_bytes())
    change(data)
    app_paths.manifest_cache.write_bytes(marshal.dumps(data))


def _set_title(data, value):
    data["columns"]["title"][0] = value


DAMAGED_COPIES = {
    "garbage bytes": lambda path: path.write_bytes(b"\x00not marshal at all" * 10),
    "cut in half": lambda path: path.write_bytes(path.read_bytes()[: path.stat().st_size // 2]),
    "empty": lambda path: path.write_bytes(b""),
    "a list, not a dict": lambda path: path.write_bytes(marshal.dumps([1, 2, 3])),
}

DAMAGED_COLUMNS = {
    "a title that is a number": lambda data: _set_title(data, 5),
    "a size that is a bool": lambda data: data["columns"]["size"].__setitem__(0, True),
    "a column shorter than the ids": lambda data: data["columns"]["sha256"].pop(),
    "a column missing": lambda data: data["columns"].pop("mtime_ns"),
    "an unknown column": lambda data: data["columns"].__setitem__("colour", ["red", "blue"]),
    "an id that is not a string": lambda data: data["ids"].__setitem__(0, 7),
    "another format version": lambda data: data.__setitem__("version", 99),
    "a manifest part of the wrong shape": lambda data: data["manifest"].__setitem__("sources", "not a list"),
    "an order that repeats a row": lambda data: data["order"].__setitem__(0, data["order"][1]),
    "an order without its folded titles": lambda data: data.pop("folded"),
    "a folded title that is a number": lambda data: data["folded"].__setitem__(0, 3),
}


@pytest.mark.parametrize("damage", sorted(DAMAGED_COPIES) + sorted(DAMAGED_COLUMNS))
def test_a_damaged_copy_is_ignored_and_rewritten(added, app_paths, json_reads, damage):
    expected = _view(added)
    if damage in DAMAGED_COPIES:
        DAMAGED_COPIES[damage](app_paths.manifest_cache)
    else:
        _rewrite_copy(app_paths, DAMAGED_COLUMNS[damage])
    reopened = Library(app_paths, include_bundled=False)
    assert _view(reopened) == expected and reopened.messages == []
    assert len(json_reads) == 1
    assert _view(Library(app_paths, include_bundled=False)) == expected and len(json_reads) == 1


def test_a_copy_is_only_used_for_the_manifest_file_it_names(added, app_paths, json_reads):
    """Same bytes, another file (a restored backup, a copied data folder): the copy is not trusted."""
    text = app_paths.manifest.read_bytes()
    os.replace(app_paths.manifest, app_paths.manifest.with_name("old.json"))
    app_paths.manifest.write_bytes(text)
    _rewrite_copy(app_paths, lambda data: _set_title(data, "Only In The Copy"))
    reopened = Library(app_paths, include_bundled=False)
    assert "Only In The Copy" not in [a.title for a in reopened.articles()] and len(json_reads) == 1


def test_a_copy_that_names_the_manifest_is_what_opens(added, app_paths, json_reads):
    """The other side of the rule above: the identity check is what lets the copy replace the parse."""
    _rewrite_copy(app_paths, lambda data: _set_title(data, "Only In The Copy"))
    reopened = Library(app_paths, include_bundled=False)
    assert "Only In The Copy" in [a.title for a in reopened.articles()] and json_reads == []


def test_a_fifo_in_place_of_the_copy_does_not_hang(added, app_paths):
    expected = _view(added)
    app_paths.manifest_cache.unlink()
    os.mkfifo(app_paths.manifest_cache)
    assert _view(Library(app_paths, include_bundled=False)) == expected


def test_an_unwritable_cache_folder_leaves_the_library_working(added, app_paths, tmp_path, monkeypatch):
    expected = _view(added)
    app_paths.manifest_cache.unlink()

    def refuse(self, data):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(app_paths.manifest_cache), "write_bytes", refuse)
    write(tmp_path / "s" / "c.txt", "= Gamma =\nthird\n")
    library = Library(app_paths, include_bundled=False)
    assert _view(library) == expected
    assert [a.title for a in library.rescan().added] == ["Gamma"] and library.messages == []
    assert not app_paths.manifest_cache.exists()


def test_a_newer_manifest_stays_read_only_when_opened_from_its_copy(app_paths, json_reads):
    newer = {"format": "lectern-library", "version": 99, "sources": [], "articles": {}, "skipped": {}}
    app_paths.manifest.write_text(json.dumps(newer), encoding="utf-8")
    assert Library(app_paths).read_only
    assert len(json_reads) == 1
    library = Library(app_paths)
    assert library.read_only and "newer Lectern" in library.messages[0] and len(json_reads) == 1
    library.rescan()
    assert json.loads(app_paths.manifest.read_text()) == newer


def test_the_copy_holds_what_the_manifest_holds(added, app_paths):
    manifest = json.loads(app_paths.manifest.read_text())
    cached = manifest_cache.read(app_paths.manifest_cache, folders.file_identity(app_paths.manifest),
                                 folders._ENTRY_FIELDS, folders.MAX_MANIFEST_BYTES)
    header, columns = cached
    rows = {i: {name: columns.values[name][n] for name in columns.values} for n, i in enumerate(columns.ids)}
    assert rows == manifest["articles"]
    assert header == {k: v for k, v in manifest.items() if k != "articles"}


def test_the_copy_keeps_the_title_order_and_a_wrong_one_is_sorted_again(added, app_paths, tmp_path, json_reads):
    write(tmp_path / "s" / "c.txt", "= gamma =\nthird\n")
    write(tmp_path / "s" / "d.txt", "= Ärger =\nfourth\n")
    added.rescan()
    expected = ["Alpha", "Ärger", "Beta", "gamma"]
    data = marshal.loads(app_paths.manifest_cache.read_bytes())
    assert [data["columns"]["title"][row] for row in data["order"]] == expected
    assert [e.title for e in Library(app_paths, include_bundled=False).titles(0, 10)] == expected

    _rewrite_copy(app_paths, lambda data: data["order"].reverse())  # a permutation, but not sorted
    reopened = Library(app_paths, include_bundled=False)
    assert [e.title for e in reopened.titles(0, 10)] == expected and json_reads == []
    assert [e.title for e in reopened.titles_with_prefix("b", 10)] == ["Beta"]


def test_opening_listing_and_reading_an_article_build_no_entry_of_the_others(added, app_paths, monkeypatch):
    """What the window does before its first frame (list, restore the last article, check it exists)
    reads the manifest's columns; building every entry (~0.15 s at 100,000) waits for a scan."""
    built = []
    real = folders._entries_of
    monkeypatch.setattr(folders, "_entries_of", lambda columns: built.append(len(columns)) or real(columns))
    library = Library(app_paths, include_bundled=False)
    assert [e.title for e in library.titles(0, 10)] == ["Alpha", "Beta"]
    assert library.has_article("beta") and not library.is_hidden("beta") and not library.has_article("gamma")
    assert library.summary("beta").sections == 2 and library.article("beta").sections[1].title == "Part"
    assert library.fingerprint("alpha") == json.loads(app_paths.manifest.read_text())["articles"]["alpha"]["sha256"]
    assert built == []
    library.rescan()
    assert built == [2]
