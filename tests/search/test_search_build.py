"""The build codec (reader/search/schema.py BuildCodec) writes the same index Whoosh's own codec does."""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec
from whoosh.filedb.filestore import FileStorage

from reader.search import documents, schema
from reader.search.schema import BuildCodec

from .conftest import write_article


def _build(folder, library, codec) -> dict:
    FileStorage(str(folder)).create()
    ix = FileStorage(str(folder)).create_index(schema.build_schema())
    writer = ix.writer(codec=codec) if codec else ix.writer()
    for summary in library.articles():
        for doc in documents.section_documents(library.article(summary.id), "sha"):
            writer.add_document(**doc)
    writer.commit()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        lengths = {(d, f): reader.doc_field_length(d, f) for d in reader.all_doc_ids() for f in schema.TEXT_FIELDS}
        postings = {(f, t): _posting_list(reader, f, t) for f, t in reader.all_terms() if f in schema.TEXT_FIELDS}
        codecs = {type(s.codec()) for s in ix._segments()}
    ix.close()
    return {"lengths": lengths, "postings": postings, "codecs": codecs}


def _posting_list(reader, fieldname, term):
    """Positions, plus the block statistics the codec writes from the field lengths (used to skip blocks)."""
    matcher = reader.postings(fieldname, term)
    stats = (matcher.block_min_length(), matcher.block_max_length(), matcher.block_max_weight())
    return stats, list(reader.postings(fieldname, term).items_as("positions"))


def test_the_build_codec_writes_what_whoosh_writes(tmp_path, corpus_library):
    filler = " ".join(f"word{i % 37}" for i in range(3000))  # repeated words: postings with many positions
    write_article(tmp_path, "long", "A long article", {"Body": filler + " otter kelp otter"})
    corpus_library.add_sources([tmp_path / "long.txt"])
    plain = _build(tmp_path / "plain", corpus_library, None)
    fast = _build(tmp_path / "fast", corpus_library, BuildCodec())
    assert fast["lengths"] == plain["lengths"] and any((v or 0) > 1000 for v in fast["lengths"].values())
    assert fast["postings"] == plain["postings"]
    assert fast["codecs"] == {W3Codec}  # the segments never name BuildCodec: any reader opens them


def test_posting_runs_spilled_in_marshalled_batches_come_back_sorted_and_complete(tmp_path):
    import random

    from whoosh.writing import PostingPool

    from reader.search import runs

    runs.install()
    storage = FileStorage(str(tmp_path))
    storage.create()
    pool = PostingPool(storage, None, limitmb=1)
    rng = random.Random(5)
    items = [(rng.choice(["body", "title"]), f"term{rng.randrange(5000)}".encode(), n, float(rng.randrange(1, 4)),
              rng.choice([None, b"\x00\x01pos"])) for n in range(30_000)]
    for item in items:
        pool.add(item)
    assert len(pool.runs) >= 2  # spilled to disk more than once
    assert list(pool.items()) == sorted(items)
    assert not [name for name in storage.list() if name.endswith(".run")]  # run files removed
