"""The catalog journal, the suggestion lists on disk and the vocabulary beside the index: what each
update writes, and that a crash at any point leaves an index that opens and answers right."""

from __future__ import annotations

import marshal
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from reader.search import catalog as catalog_module
from reader.search import index as index_module
from reader.search import storage, suggest
from reader.search.suggest import DiskSuggestions, LayeredSuggestions, SuggestionIndex

from .conftest import FakeNote, FakeNotes, open_index, write_article

REPO = Path(__file__).resolve().parents[2]


def _live(index) -> Path:
    return storage.IndexDirectory(index.index_dir).current()


def _state(index):
    cat = index._open.catalog
    return dict(cat.articles), dict(cat.notes), cat.generation


def _no_recompute(monkeypatch):
    """Make recomputing the catalog from the index fail the test (it must not be needed)."""
    def refuse(*args):
        raise AssertionError("the catalog was recomputed from the index")

    monkeypatch.setattr(index_module, "_catalog_from_index", refuse)


# ---------------------------------------------------------------------- what an update writes

def test_a_one_article_update_appends_to_the_journal_and_leaves_the_snapshot(corpus_library, corpus, monkeypatch):
    index = open_index(corpus_library)
    index.update()
    live = _live(index)
    snapshot = (live / storage.CATALOG).read_bytes()
    lists = sorted(p.name for p in live.glob("suggest-*.bin"))
    write_article(corpus, "kelp", "Kelp forest", {"Grazers": "Abalone graze the kelp."})
    corpus_library.rescan()
    assert index.update().updated == 1
    assert (live / storage.CATALOG).read_bytes() == snapshot
    assert sorted(p.name for p in live.glob("suggest-*.bin")) == lists
    records, end = catalog_module.read_journal(live / storage.JOURNAL, 10**9)
    assert [sorted(r.articles) for r in records] == [["kelp-forest"]] and end == (live / storage.JOURNAL).stat().st_size
    assert "abalone" in records[0].words
    index.close()
    _no_recompute(monkeypatch)
    reopened = open_index(corpus_library)
    assert not reopened.update().changed
    assert [s.label for s in reopened.suggest("graz")] == ["Grazers"] and reopened.suggest("ecol") == []
    assert reopened.search("abalon").corrected == "abalone"  # the journal's word is in the vocabulary
    reopened.close()


def test_notes_changes_are_journalled_and_reopen_without_recomputing(corpus_library, monkeypatch):
    notes = FakeNotes([FakeNote("n1", "kelp-forest", "ecology", ["Ecology"], "Otters like kelp")])
    index = open_index(corpus_library, notes)
    index.update()
    notes.items.append(FakeNote("n2", "sea-otter", "diet", ["Diet"], "Pelicans nearby"))
    notes.items[0].text = "Otters love kelp"
    assert index.update().notes_indexed == 2
    notes.items.pop(0)
    assert index.update().notes_removed == 1
    expected = _state(index)
    index.close()
    _no_recompute(monkeypatch)
    reopened = open_index(corpus_library, notes)
    assert not reopened.update().changed
    assert _state(reopened) == expected and set(expected[1]) == {"n2"}
    assert [h.note_id for h in reopened.search("pelicans", notes_only=True).hits] == ["n2"]
    reopened.close()


def test_a_long_journal_is_folded_into_a_new_snapshot(corpus_library, corpus, monkeypatch):
    monkeypatch.setattr(index_module, "JOURNAL_COMPACT_BYTES", 1)
    index = open_index(corpus_library)
    index.update()
    live = _live(index)
    write_article(corpus, "walrus", "Walrus", {"Tusks": "Walruses haul out."})
    corpus_library.rescan()
    assert index.update().added == 1
    generation = index._open.catalog.generation
    assert (live / storage.JOURNAL).stat().st_size == 0
    assert marshal.loads((live / storage.CATALOG).read_bytes())["generation"] == generation
    assert [p.name for p in live.glob("suggest-*.bin")] == [f"suggest-{generation}.bin"]
    assert [s.label for s in index.suggest("tusk")] == ["Tusks"]
    expected = _state(index)
    index.close()
    _no_recompute(monkeypatch)
    reopened = open_index(corpus_library)
    assert not reopened.update().changed and _state(reopened) == expected
    assert [s.label for s in reopened.suggest("walr")] == ["Walrus"]
    assert reopened.search("walrusses").corrected == "walruses"
    reopened.close()


# ---------------------------------------------------------------------- crashes

def _run_update_killed_in_commit(app_paths) -> None:
    """Another process updates the index and is killed (os._exit) when Whoosh starts its commit,
    after the journal record was written."""
    code = textwrap.dedent(f"""
        import os
        from pathlib import Path
        from whoosh.writing import SegmentWriter
        from reader.library import Library
        from reader.paths import AppPaths
        paths = AppPaths(Path({str(app_paths.data_dir)!r}), Path({str(app_paths.cache_dir)!r}),
                         Path({str(app_paths.config_dir)!r}), Path({str(app_paths.bundle_root)!r}))
        SegmentWriter.commit = lambda self, *a, **k: os._exit(9)
        Library(paths, include_bundled=False).update_index()
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 9, done.stderr


def test_a_kill_after_the_journal_record_before_the_commit_leaves_the_old_index(corpus_library, corpus, app_paths,
                                                                                 monkeypatch):
    index = open_index(corpus_library)
    index.update()
    before = _state(index)
    index.close()
    wordy = " ".join(f"word{n}x" for n in range(40))  # new words: a long record
    write_article(corpus, "walrus", "Walrus", {"Tusks": f"Walruses haul out. {wordy}"})
    corpus_library.rescan()
    _run_update_killed_in_commit(app_paths)
    live = storage.IndexDirectory(app_paths.index_dir).current()
    assert catalog_module.read_journal(live / storage.JOURNAL, 10**9)[0][-1].generation == before[2] + 1  # written
    write_article(corpus, "walrus", "Walrus", {"Tusks and teeth": "Walruses haul out."})  # a shorter record now
    corpus_library.rescan()
    _no_recompute(monkeypatch)
    reopened = open_index(corpus_library)
    report = reopened.update()  # the record is ignored (its generation was never committed): redone
    assert (report.added, report.rebuilt) == (1, False)
    assert reopened.search("walruses").total == 1
    assert [s.label for s in reopened.suggest("tusk")] == ["Tusks and teeth"]
    after = _state(reopened)
    reopened.close()
    last = open_index(corpus_library)
    assert not last.update().changed and _state(last) == after
    records, end = catalog_module.read_journal(live / storage.JOURNAL, 10**9)  # the orphan was cut off
    assert end == (live / storage.JOURNAL).stat().st_size and [r.generation for r in records] == [after[2]]
    last.close()


def test_a_kill_after_the_commit_before_anything_else_is_not_noticed(corpus_library, corpus, monkeypatch):
    index = open_index(corpus_library)
    index.update()
    monkeypatch.setattr(index_module.SearchIndex, "_after_commit", lambda self, state, record, end: None)
    write_article(corpus, "walrus", "Walrus", {"Tusks": "Walruses haul out."})
    corpus_library.rescan()
    index.update()  # committed and journalled; the process "dies" before taking it in
    index.close()
    monkeypatch.undo()
    _no_recompute(monkeypatch)
    reopened = open_index(corpus_library)
    assert not reopened.update().changed
    assert reopened.search("walruses").total == 1 and [s.label for s in reopened.suggest("tusk")] == ["Tusks"]
    reopened.close()


def test_a_torn_journal_record_means_the_catalog_is_recomputed(corpus_library, corpus):
    index = open_index(corpus_library)
    index.update()
    write_article(corpus, "walrus", "Walrus", {"Tusks": "Walruses haul out."})
    corpus_library.rescan()
    index.update()
    expected = _state(index)
    live = _live(index)
    index.close()
    journal = live / storage.JOURNAL
    journal.write_bytes(journal.read_bytes()[:-5])  # the end of the last record never reached the disk
    reopened = open_index(corpus_library)
    assert not reopened.update().changed
    assert _state(reopened) == expected
    assert [s.label for s in reopened.suggest("tusk")] == ["Tusks"]
    assert journal.stat().st_size == 0  # recomputed and written as a new snapshot
    reopened.close()


def _write_format_3(live: Path, state: tuple, generation: int, labels: dict) -> None:
    """The catalog and headings files as the previous version wrote them."""
    storage.write_marshal(live / storage.CATALOG, {"format": 3, "generation": generation, "headings_version": 2,
                                                   "articles": state[0], "notes": state[1]})
    storage.write_marshal(live / storage.OLD_HEADINGS, {"version": 2, "headings": labels})
    for path in live.glob("suggest-*.bin"):
        path.unlink()


def test_a_catalog_of_the_previous_format_is_converted_without_reading_the_index(corpus_library, monkeypatch):
    index = open_index(corpus_library)
    index.update()
    expected = _state(index)
    live = _live(index)
    index.close()
    headings = {"kelp-forest": (("ecology", "Ecology"),), "sea-otter": (("diet", "Diet"), ("habitat", "Habitat"))}
    _write_format_3(live, expected, expected[2], headings)
    _no_recompute(monkeypatch)
    reopened = open_index(corpus_library)
    assert not reopened.update().changed and _state(reopened) == expected
    assert [s.label for s in reopened.suggest("ecol")] == ["Ecology"]
    assert [s.label for s in reopened.suggest("habi")] == ["Habitat"]
    assert not (live / storage.OLD_HEADINGS).exists()
    assert marshal.loads((live / storage.CATALOG).read_bytes())["format"] == catalog_module.FORMAT
    reopened.close()


def test_a_previous_format_catalog_of_another_generation_is_recomputed_not_crashed_on(corpus_library):
    index = open_index(corpus_library)
    index.update()
    expected = _state(index)
    live = _live(index)
    index.close()
    _write_format_3(live, ({"kelp-forest": ("stale", "Kelp")}, {}), expected[2] - 1, {})
    reopened = open_index(corpus_library)
    assert not reopened.update().changed and _state(reopened) == expected
    assert [s.label for s in reopened.suggest("ecol")] == ["Ecology"]
    assert not (live / storage.OLD_HEADINGS).exists()
    reopened.close()


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_missing_or_damaged_suggestion_lists_are_rebuilt_from_the_index(corpus_library, damage):
    index = open_index(corpus_library)
    index.update()
    live = _live(index)
    index.close()
    (lists,) = live.glob("suggest-*.bin")
    if damage == "missing":
        lists.unlink()
    else:
        lists.write_bytes(lists.read_bytes()[:40])
    reopened = open_index(corpus_library)
    assert [s.label for s in reopened.suggest("ecol")] == ["Ecology"]
    assert [s.label for s in reopened.suggest("sea")] == ["Sea otter"]
    reopened.close()
    assert DiskSuggestions(lists).generation >= 0  # written again, whole


def test_a_journal_with_a_gap_is_not_trusted(tmp_path):
    folder = tmp_path
    snapshot = catalog_module.Catalog(4, {"a": ("sha-a", "A")})
    snapshot.save_snapshot(folder)
    skipped = catalog_module.Record(6, {"b": ("sha-b", "B", ())})  # generation 5 is missing
    snapshot.journal_bytes = snapshot.write_ahead(folder, skipped)
    assert catalog_module.Catalog.load(folder, 6) is None
    assert catalog_module.Catalog.load(folder, 4).articles == {"a": ("sha-a", "A")}  # the later record is ignored


# ---------------------------------------------------------------------- suggestion lists on disk

def _labels(rng: random.Random) -> dict:
    words = ["ray", "Ray", "charles", "Élan", "elan", "georgia", "mind", "on", "(live)", "1962", "tribute",
             "x", "the", "Ōsaka", "jazz", "soul", "-", "blues"]
    articles = {}
    for n in range(120):
        def label() -> str:
            return " ".join(rng.choice(words) for _ in range(rng.randint(1, 4)))
        headings = tuple((f"s{k}", label()) for k in range(rng.randint(0, 4)))
        articles[f"article-{n:03d}"] = (label(), headings)
    return articles


PREFIXES = ["r", "ra", "ray", "ray c", "ch", "e", "é", "ela", "g", "1", "(", "x", "the", "ō", "osa", "-", "b", "zz"]


def test_suggestions_read_from_disk_equal_the_ones_built_in_memory(tmp_path):
    articles = _labels(random.Random(7))
    in_memory = SuggestionIndex(suggest.article_entries(sorted(articles.items())))
    path = suggest.write_lists(tmp_path, 5, in_memory)
    on_disk = LayeredSuggestions(DiskSuggestions(path), {})
    for prefix in PREFIXES:
        for limit in (1, 10, 1000):
            assert on_disk.lookup(prefix, limit) == in_memory.lookup(prefix, limit), (prefix, limit)
    assert list(on_disk.entries()) == list(in_memory.entries())
    on_disk.close()


def test_changed_articles_laid_over_the_file_equal_a_fresh_build(tmp_path):
    rng = random.Random(11)
    articles = _labels(rng)
    path = suggest.write_lists(tmp_path, 5, SuggestionIndex(suggest.article_entries(sorted(articles.items()))))
    changed = {"article-003": None, "article-050": ("Ray Charles", (("s1", "Early life"),)),
               "article-500": ("Ray of light", ()), "article-000": ("Georgia on my mind", ())}
    now = {a: e for a, e in {**articles, **changed}.items() if e is not None}
    fresh = SuggestionIndex(suggest.article_entries(sorted(now.items())))
    layered = LayeredSuggestions(DiskSuggestions(path), changed)
    for prefix in PREFIXES + ["early", "georgia on"]:
        for limit in (1, 10, 1000):
            assert layered.lookup(prefix, limit) == fresh.lookup(prefix, limit), (prefix, limit)
    assert list(layered.entries()) == list(fresh.entries())
    layered.close()


def test_a_newer_lists_file_replaces_the_older_one(tmp_path):
    first = suggest.write_lists(tmp_path, 3, SuggestionIndex([("Ray", "a", None)]))
    second = suggest.write_lists(tmp_path, 8, SuggestionIndex([("Ray", "a", None), ("Rain", "b", None)]))
    assert not first.exists() and suggest.newest_lists(tmp_path, 10) == (8, second)
    assert suggest.newest_lists(tmp_path, 7) is None  # lists newer than the catalog are not used
    nonsense = tmp_path / "suggest-9.bin"
    nonsense.write_bytes(b"nonsense, not a lists file")
    with pytest.raises(ValueError):
        DiskSuggestions(nonsense)


# ---------------------------------------------------------------------- another process's updates

@pytest.mark.parametrize("folded", [False, True])
def test_an_open_index_takes_in_another_writers_update(corpus_library, corpus, monkeypatch, folded):
    if folded:  # the other writer folds its journal into a new snapshot: read anew
        monkeypatch.setattr(index_module, "JOURNAL_COMPACT_BYTES", 1)
    reader = open_index(corpus_library)
    reader.update()
    assert reader.suggest("tusk") == []
    loads = []
    original_load = catalog_module.Catalog.load.__func__
    monkeypatch.setattr(catalog_module.Catalog, "load",
                        classmethod(lambda cls, *args: loads.append(args) or original_load(cls, *args)))
    write_article(corpus, "walrus", "Walrus", {"Tusks": "Walruses haul out with their tusks."})
    corpus_library.rescan()
    writer = open_index(corpus_library)  # stands for another process
    assert writer.update().added == 1
    expected = _state(writer)
    writer.close()
    assert reader.search("walruses").total == 1  # the search takes the other writer's commit in
    assert _state(reader) == expected and [s.label for s in reader.suggest("tusk")] == ["Tusks"]
    assert reader.search("walrusses").corrected == "walruses"
    assert len(loads) == (2 if folded else 1)  # the writer's own opening, and the reader's reload if folded
    reader.close()


def test_the_update_diff_finds_changes_in_the_same_or_another_order():
    indexed = {f"a{n}": f"sha{n}" for n in range(50)}
    library = dict(indexed)
    library["a7"] = "new"  # changed
    library["a99"] = "sha99"  # added
    del library["a3"]  # removed
    expected = (["a7", "a99"], ["a3"])
    assert index_module._diff(library, indexed) == expected
    assert index_module._diff(dict(reversed(library.items())), indexed) == expected
    same_order = dict(indexed, a7="new")
    assert index_module._diff(same_order, indexed) == (["a7"], [])
    assert index_module._diff(dict(indexed), indexed) == ([], [])


def test_the_snapshot_keeps_the_library_order_so_the_first_diff_compares_pairwise(corpus_library, corpus):
    for name in ("zebra", "aardvark", "mole"):  # ids whose sorted order differs from the folder's
        write_article(corpus, name, name.title(), {"Facts": f"The {name} is an animal."})
    corpus_library.rescan()
    index = open_index(corpus_library)
    index.update(rebuild=True)
    index.close()
    reopened = open_index(corpus_library)
    live = _live(reopened)
    ids = marshal.loads((live / storage.CATALOG).read_bytes())["ids"]
    assert ids == list(corpus_library.fingerprints())
    assert not reopened.update().changed
    reopened.close()


def test_lists_written_group_by_group_are_the_lists_of_the_whole_index(tmp_path):
    """A full build writes its suggestion lists a group at a time (write_entry_lists) to bound its memory:
    the file must be byte for byte the one written from a SuggestionIndex of the same entries."""
    from reader.search import suggest

    entries = list(suggest.article_entries([
        ("a", ("Łódź Voivodeship", (("history", "Early history"), ("x", "Łódź today")))),
        ("b", ("Ray Charles", (("career", "Career"), ("songs", "Songs: Georgia on My Mind")))),
        ("c", ("ray charles discography", ())),
        ("d", ("Ω and ß", (("s", "Straße " * 20),))),
    ]))
    (tmp_path / "whole").mkdir()
    (tmp_path / "groups").mkdir()
    whole = suggest.write_lists(tmp_path / "whole", 7, suggest.SuggestionIndex(entries))
    by_group = suggest.write_entry_lists(tmp_path / "groups", 7, entries)
    assert by_group.read_bytes() == whole.read_bytes()
    lists = suggest.DiskSuggestions(by_group)
    assert [s.label for s in suggest._collect([lists], "lodz", 10)] == ["Łódź Voivodeship", "Łódź today"]
    assert [s.label for s in suggest._collect([lists], "georgia", 10)] == ["Songs: Georgia on My Mind"]
    assert not list(tmp_path.glob("*/*.parts"))  # the scratch file is gone
    lists.close()
