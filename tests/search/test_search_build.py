"""The build writer (reader/search/writers.py BuildSegmentWriter, runs.py) writes the index Whoosh's own writer does."""

from __future__ import annotations

import random

import pytest

from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import SegmentWriter

from reader.search import documents, runs, schema, writers

from .conftest import FakeNotes, open_index, write_article


def _documents(library) -> list[dict]:
    return [doc for summary in library.articles() for doc in documents.section_documents(library.article(summary.id), "sha")]


def _build(folder, docs, writer_for) -> dict:
    """Everything a reader sees of an index: stored fields, lengths, term infos, postings and block statistics."""
    ix = FileStorage(str(folder)).create().create_index(schema.build_schema())
    writer = writer_for(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        seen = {
            "stored": [reader.stored_fields(d) for d in reader.all_doc_ids()],
            "lengths": {(d, f): reader.doc_field_length(d, f) for d in reader.all_doc_ids() for f in schema.TEXT_FIELDS},
            "terms": {key: _term_info(reader.term_info(*key)) for key in reader.all_terms()},
            "postings": {key: _posting_list(reader, *key) for key in reader.all_terms()},
            "codecs": {type(s.codec()) for s in ix._segments()},
        }
    ix.close()
    return seen


def _term_info(info) -> tuple:
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
            info.min_id(), info.max_id())


def _posting_list(reader, fieldname, term) -> list:
    """Every block's statistics (used to skip blocks) and every posting's document, weight and value."""
    matcher, seen = reader.postings(fieldname, term), []
    new_block = True
    while matcher.is_active():
        if new_block:
            seen.append((matcher.block_min_id(), matcher.block_max_id(), matcher.block_min_length(),
                         matcher.block_max_length(), matcher.block_max_weight()))
        seen.append((matcher.id(), matcher.weight(), matcher.value()))
        new_block = matcher.next()
    return seen


def _library_with_long_article(corpus_library, tmp_path):
    folder = tmp_path / "more"
    folder.mkdir()
    filler = " ".join(f"word{i % 37}" for i in range(3000))  # many positions, more than one block of postings
    write_article(folder, "long", "A long article", {"Body": filler + " otter kelp otter"})
    rng = random.Random(3)
    for n in range(300):  # "otter" and "common" in 300+ sections: posting lists of several blocks
        words = " ".join(rng.choice(["otter", "kelp", "urchin", "stone", "common"]) for _ in range(rng.randrange(1, 40)))
        write_article(folder, f"a{n}", f"Article {n}", {"Body": words + " common"}, lead=f"lead {n} {words[:30]}")
    corpus_library.add_sources([folder])
    return corpus_library


def test_the_build_writer_writes_what_whoosh_writes(tmp_path, corpus_library):
    docs = _documents(_library_with_long_article(corpus_library, tmp_path))
    plain = _build(tmp_path / "plain", docs, lambda ix: SegmentWriter(ix))
    fast = _build(tmp_path / "fast", docs, lambda ix: writers.BuildSegmentWriter(ix))
    assert any((v or 0) > 1000 for v in fast["lengths"].values())
    assert any(len(postings) > 2 * runs.BLOCK_LIMIT for postings in fast["postings"].values())  # several blocks
    assert fast["stored"] == plain["stored"] and fast["lengths"] == plain["lengths"]
    assert fast["terms"] == plain["terms"]
    assert fast["postings"] == plain["postings"]
    assert fast["codecs"] == {W3Codec}  # plain W3 segments: any reader opens them


def test_a_build_spilled_to_many_runs_writes_the_same_index(tmp_path, corpus_library, monkeypatch):
    docs = _documents(_library_with_long_article(corpus_library, tmp_path))
    spilled = []
    monkeypatch.setattr(runs.PostingBuffer, "spill", _counting(runs.PostingBuffer.spill, spilled))
    monkeypatch.setattr(runs, "RUN_BATCH_TERMS", 7)  # batches end inside a field's terms too
    in_memory = _build(tmp_path / "memory", docs, lambda ix: writers.BuildSegmentWriter(ix))
    assert spilled == []
    monkeypatch.setattr(writers, "POSTINGS_PER_MB", 300)
    in_runs = _build(tmp_path / "runs", docs, lambda ix: writers.BuildSegmentWriter(ix, limitmb=1))
    assert len(spilled) >= 5
    assert in_runs == in_memory
    assert not [p for p in (tmp_path / "runs").rglob("*.terms")]  # run files removed


def _counting(method, calls: list):
    def counted(self, *args):
        calls.append(self.count)
        return method(self, *args)
    return counted


QUERIES = ["otter", "kelp otter", '"sea otter"', "urch*", "common", "title:article", "word5 word6", "москва", "lodz",
           "stone common", "stone common -urchin", "heading:diet", "article 12"]


def test_an_index_built_in_two_processes_answers_as_one_built_an_article_at_a_time(tmp_path, corpus_library, monkeypatch):
    library = _library_with_long_article(corpus_library, tmp_path)
    monkeypatch.setattr(writers, "POSTINGS_PER_MB", 500)  # runs spilled in both workers
    built = open_index(library)
    assert built.update(rebuild=True).rebuilt
    full = {q: _answers(built, q) for q in QUERIES}
    built.close()

    one_by_one = open_index(library, notes=FakeNotes())  # the incremental path, Whoosh's own writer
    one_by_one._articles = _Growing(library)
    one_by_one.update(rebuild=True)  # empty
    while added := one_by_one._articles.grow():
        one_by_one.mark_behind([added])  # as the coordinator tells it after a scan
        assert one_by_one.update().added == 1
    assert {q: _answers(one_by_one, q) for q in QUERIES} == full
    assert all(full[q] for q in ("otter", "common", '"sea otter"', "urch*"))
    one_by_one.close()


def test_a_build_keeps_its_headings_on_disk_and_suggests_what_an_update_by_update_index_does(tmp_path, corpus_library,
                                                                                              monkeypatch):
    """The headings of a full build wait in a scratch file (the build's memory peak was holding them),
    in batches, and come back in order for the suggestion lists; nothing of it is left in the index."""
    from reader.search import index as index_module

    library = _library_with_long_article(corpus_library, tmp_path)
    monkeypatch.setattr(index_module._BuildChanges, "BATCH", 7)  # many batches
    held = []
    save = index_module._save_generation

    def saving(folder, generation, changes, vocabulary, order):
        held.extend(entry[2] for entry in changes.articles.values())
        assert (folder / index_module.HEADINGS_SPILL).stat().st_size > 0 or not changes.articles
        return save(folder, generation, changes, vocabulary, order)

    monkeypatch.setattr(index_module, "_save_generation", saving)
    built = open_index(library)
    assert built.update(rebuild=True).rebuilt
    assert len(held) == len(library.fingerprints()) and set(held) == {None}  # no headings held in memory
    assert not list(library.paths.index_dir.rglob(index_module.HEADINGS_SPILL))
    prefixes = ["di", "ha", "ec", "bo", "ис", "article 1", "sea", "a long"]
    full = {p: built.suggest(p, 50) for p in prefixes}
    built.close()

    one_by_one = open_index(library, notes=FakeNotes())
    one_by_one._articles = _Growing(library)
    one_by_one.update(rebuild=True)  # empty
    while added := one_by_one._articles.grow():
        one_by_one.mark_behind([added])
        one_by_one.update()
    assert {p: one_by_one.suggest(p, 50) for p in prefixes} == full
    assert {s.label for s in full["di"] + full["ис"]} == {"Diet", "История"} and len(full["article 1"]) == 50
    one_by_one.close()


def test_headings_asked_for_out_of_the_order_they_were_added_are_an_error(tmp_path):
    from reader.search.index import _BuildChanges

    with _BuildChanges(tmp_path / "spill") as changes:
        changes.add_article("a", "sha-a", "A", (("s1", "One"),))
        changes.add_article("b", "sha-b", "B", ())
        assert list(changes.titles_and_headings(["a", "b"])) == [("a", ("A", (("s1", "One"),))), ("b", ("B", ()))]
        with pytest.raises(ValueError, match="order"):
            list(changes.titles_and_headings(["b", "a"]))
    assert not (tmp_path / "spill").exists()


def _answers(index, query) -> list:
    """Hits with their scores; hits of equal score in either order (their document numbers differ)."""
    results = index.search(query, limit=1000, autocorrect=False)
    return sorted(((-round(hit.score, 4), hit.article_id, hit.section_id) for hit in results.hits)), results.total


class _Growing:
    """The library's articles, offered one more at a time (each ``grow`` is an update of one article)."""

    def __init__(self, library):
        self.library, self.shown = library, {}
        self.waiting = sorted(library.fingerprints().items())

    def grow(self) -> str:
        """The id of the article now offered too ("" when all are)."""
        if not self.waiting:
            return ""
        key, sha = self.waiting.pop(0)
        self.shown[key] = sha
        return key

    def fingerprints(self):
        return dict(self.shown)

    def fingerprints_of(self, article_ids):
        return {a: self.shown[a] for a in article_ids if a in self.shown}

    def __getattr__(self, name):
        return getattr(self.library, name)


def test_the_indexing_processes_collect_the_did_you_mean_words_of_titles_headings_and_bodies(tmp_path, corpus_library,
                                                                                               monkeypatch):
    from reader.search import analysis, spelling, storage
    from reader.search.documents import section_body

    library = _library_with_long_article(corpus_library, tmp_path)
    monkeypatch.setattr(writers, "POSTINGS_PER_MB", 500)
    index = open_index(library)
    assert index.update(rebuild=True).rebuilt
    pieces = []
    for summary in library.articles():
        article = library.article(summary.id)
        pieces += analysis.chunks(article.title)
        for section in article.sections:
            pieces += analysis.chunks(section_body(article, section)) + analysis.chunks("" if section.is_lead else section.title)
    expected = spelling.Vocabulary()
    expected.add_words(analysis.words_of_chunks(pieces))
    built = storage.read_marshal(index._open.path / storage.VOCABULARY)
    assert built == expected.words and {"urchin", "word36", "москва"} <= set(built)
    assert not list(index._open.path.glob("*" + writers.WORDS_SUFFIX))  # the workers' word files are gone
    index.close()


def test_a_script_without_a_main_guard_is_not_run_again_by_the_indexing_processes(tmp_path, corpus):
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = tmp_path / "unguarded.py"  # no `if __name__ == "__main__"`: a spawned worker would run it again
    script.write_text(f"""
from pathlib import Path
from reader.library import Library
from reader.paths import AppPaths, bundle_root
from reader.search import SearchIndex
root = Path({str(tmp_path / 'root')!r})
library = Library(AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure(), include_bundled=False)
library.add_sources([Path({str(corpus)!r})])
index = SearchIndex(library.paths.index_dir, library)
print("built", index.update(rebuild=True).rebuilt, index.search("urchins").total, flush=True)
""")
    repo = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env=dict(os.environ, PYTHONPATH=str(repo)))
    assert out.stdout.splitlines() == ["built True 2"], out.stderr[-2000:]


def test_cancelling_while_the_indexing_processes_run_keeps_the_old_index_and_stops_them(tmp_path, corpus_library):
    import multiprocessing
    import threading

    index = open_index(corpus_library)
    index.update()  # the three small articles
    library = _library_with_long_article(corpus_library, tmp_path)
    cancel, seen = threading.Event(), []

    def progress(done, total):
        seen.append(multiprocessing.active_children())
        if done == 250:  # 1,000 and more documents handed to the workers by now
            cancel.set()

    report = index.update(rebuild=True, progress=progress, cancel=cancel)
    assert report.cancelled and not report.rebuilt
    assert any(seen) and not multiprocessing.active_children()  # the workers ran and are gone
    assert index.search("urchins").total == 2 and index.search("word36").total == 0  # the old index
    assert not [p for p in library.paths.index_dir.iterdir() if p.name.startswith("build-")]
    index.update()  # and the next update brings it up to date
    assert index.search("word36").total == 1
    index.close()


def test_the_term_table_file_is_byte_for_byte_whooshs(tmp_path):
    from whoosh.filedb.filetables import OrderedHashWriter

    rng = random.Random(9)
    keys = sorted({bytes(rng.randrange(1, 255) for _ in range(rng.randrange(1, 12))) for _ in range(3000)})
    files = {}
    for name, adopt in (("whoosh", lambda table: table), ("compact", runs._CompactTermTable.adopt)):
        storage = FileStorage(str(tmp_path / name)).create()
        table = adopt(OrderedHashWriter(storage.create_file("t")))
        for key in keys:
            table.add(key, key[::-1] * 3)
        table.close()  # closes the file too
        files[name] = storage.open_file("t").read()
    assert files["compact"] == files["whoosh"] and len(files["whoosh"]) > 30_000
