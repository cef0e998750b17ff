"""A small archive without a full-text index indexed into Lectern's index (issue 10, item 5).

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_zim_whoosh.py --articles 5000 --workdir /tmp/lectern-zim-whoosh

Writes once (into --workdir) an archive of N Wikipedia-like pages (bench_zim.py's page
generator, the three mwoffliner layouts) WITHOUT a full-text index, then in one run:

* the floor: reading and converting every page once (what any indexing must do);
* Lectern: listing the article ids (``ZimSource.fingerprints``) and building the index
  (``Library.update_index``), in seconds, with the peak RSS;
* per query (words from a body paragraph, not from titles), top 20: the title search the
  archive had before (libzim's suggestions mapped to sections, ``external.source_hits``)
  beside ``Library.search`` on Lectern's index now: median and p95 ms, and how many queries
  found the page whose body holds the word.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from bench_zim import _page, row, timed  # noqa: E402
from corpus import build_vocabulary, titles_for  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.paths import AppPaths, bundle_root  # noqa: E402
from reader.search import external  # noqa: E402
from reader.sources.zim_archive import ZimArchive  # noqa: E402
from reader.sources.zim_search import ZimSearch  # noqa: E402
from tests.sources.pages import LAYOUTS, render, write_archive  # noqa: E402


def generate(path: Path, count: int) -> tuple[list[str], list]:
    """(paths, pages) of the archive, written unless it exists (no full-text index)."""
    vocabulary = build_vocabulary(1)
    titles = titles_for(count, vocabulary, 1)
    pages = [_page(title, vocabulary, random.Random(index)) for index, title in enumerate(titles)]
    paths = [title.replace(" ", "_") for title in titles]
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        items = ((p, page.title, render(page, LAYOUTS[i % 3])) for i, (p, page) in enumerate(zip(paths, pages)))
        write_archive(partial, items, name="bench_whoosh", main=paths[0], indexing=False, workers=2)
        partial.rename(path)
    return paths, pages


def _body_words(page) -> set[str]:
    return {w.strip(".,").lower() for s in page.sections for p in s.paragraphs for w in p.split()}


def body_queries(pages, rng: random.Random, count: int) -> list[tuple[str, int]]:
    """(the rarest word of a body paragraph that is in no title, the page's number), for ``count`` pages."""
    title_words = {w.lower() for page in pages for w in page.title.split()}
    frequency = Counter(w for page in pages for w in _body_words(page))
    found = []
    for number in rng.sample(range(len(pages)), count):
        words = sorted((frequency[w], w) for w in _body_words(pages[number]) if len(w) > 3 and w not in title_words)
        if words:
            found.append((words[0][1], number))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/lectern-zim-whoosh"))
    parser.add_argument("--queries", type=int, default=40)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / f"bench_whoosh_{args.articles}.zim"
    paths, pages = generate(path, args.articles)
    archive = ZimArchive(path)
    assert not archive.has_fulltext_index
    print(f"\n{path.name}: {path.stat().st_size / 1e6:.0f} MB, {archive.article_count} articles, no full-text index")

    started = time.perf_counter()
    for page_path in paths:
        archive.article(page_path)
    floor = time.perf_counter() - started

    data = Path(tempfile.mkdtemp(prefix="lectern-whoosh-"))
    library = Library(AppPaths(data / "data", data / "cache", data / "config", bundle_root()).ensure(),
                      include_bundled=False)
    try:
        library.add_sources([path])
        started = time.perf_counter()
        ids = library.fingerprints()
        listing = time.perf_counter() - started
        started = time.perf_counter()
        report = library.update_index()
        building = time.perf_counter() - started
        print(f"{'indexing':<48}{'seconds':>10}")
        print(f"{'floor: read + convert every page':<48}{floor:>10.1f}")
        print(f"{'Lectern: list the article ids':<48}{listing:>10.2f}  {len(ids)} ids")
        print(f"{'Lectern: build the index (Whoosh)':<48}{building:>10.1f}  {report.added} articles")

        queries = body_queries(pages, random.Random(3), args.queries)
        search = ZimSearch(archive, "zim:bench_whoosh")
        before = timed(lambda q: external.source_hits(search, external.archive_query(q[0]), 20), queries)
        now = timed(lambda q: library.search(q[0], limit=20), queries)
        found_before = sum(any(h.article_id.endswith("/" + paths[n]) for h in
                               external.source_hits(search, external.archive_query(w), 20)) for w, n in queries)
        found_now = sum(any(h.article_id.endswith("/" + paths[n]) for h in library.search(w, limit=20).hits)
                        for w, n in queries)
        print(f"\n{'top 20 for a word of a body paragraph':<48}{'median':>10}{'p95':>10}{'runs':>7}")
        row("before: title search mapped to sections", before, f"found the page {found_before}/{len(queries)}")
        row("now: Lectern's index", now, f"found the page {found_now}/{len(queries)}")
    finally:
        library.close()
        shutil.rmtree(data, ignore_errors=True)
    print(f"\npeak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
