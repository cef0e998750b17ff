"""Archive full-text search with section snippets (issue 10), beside raw libzim and kiwix-search.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_zim_search.py --articles 20000 --workdir /tmp/lectern-zim-bench

Uses (or writes once) bench_zim.py's generated archive of N Wikipedia-like pages in
the three mwoffliner layouts. In one run, for the same queries (single words of
every frequency band and two-word queries), top 20:

* raw libzim ``Searcher`` (paths only): the floor;
* ``kiwix-search`` (Debian kiwix-tools; a process per query, titles only): the peer;
* Lectern: ``reader.search.external.source_hits`` over ``ZimSearch``: the archive's
  index, the top 10 pages read, converted and mapped to their best section with a
  snippet, the rest as article hits; cold (an empty article cache per query) and
  warm (the same query again), plus the merge with an empty own result list;
* the whole ``Library.search``: the bundled articles (Lectern's Whoosh index) and the
  archive (attached through tests/sources/archive_source.py) in one ranked list, cold;
* the old way for comparison: search + read and convert all 20 hit pages.

Medians and p95 in ms; peak RSS of this process at the end.
"""

from __future__ import annotations

import random
import resource
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from libzim.reader import Archive  # noqa: E402
from libzim.search import Query, Searcher  # noqa: E402

from bench_zim import archive_from_arguments, kiwix_search, row, timed  # noqa: E402
from corpus import build_vocabulary  # noqa: E402
from reader.search import external  # noqa: E402
from reader.search.results import SearchResults  # noqa: E402
from reader.sources.zim_archive import ZimArchive  # noqa: E402
from reader.sources.zim_search import ZimSearch  # noqa: E402


def queries_for(count: int, rng: random.Random) -> list[str]:
    vocabulary = build_vocabulary(1)
    bands = ((40, 200), (200, 2000), (2000, 20000))
    found = [vocabulary.words[rng.choice(range(lo, hi))] for lo, hi in bands for _ in range(count // 4)]
    found += [" ".join(vocabulary.words[rng.randint(40, 3000)] for _ in range(2)) for _ in range(count // 4)]
    return found


def lectern_top20(archive: ZimArchive, query: str, cold: bool, search: ZimSearch | None = None) -> int:
    search = ZimSearch(archive) if cold or search is None else search
    wanted = external.archive_query(query)
    hits = external.source_hits(search, wanted, 20)
    merged = external.merge(SearchResults(query, 0, None, []), [hits], wanted, 20)
    return sum(1 for hit in merged.hits if hit.snippet)


def merged_library(path: Path, workdir: Path):
    """A library of the bundled articles, indexed, with the archive attached."""
    from reader.library import Library
    from reader.paths import AppPaths, bundle_root
    from tests.sources.archive_source import ArchiveSource

    root = Path(tempfile.mkdtemp(dir=workdir))
    library = Library(AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure())
    library.rescan()
    library.update_index()
    attached = ArchiveSource(path)
    library.attach_source(attached)
    return library, attached


def primed(queries: list[str], search: ZimSearch, archive: ZimArchive):
    """Each query, once it has been asked (untimed) just before, so its pages are in the cache."""
    for query in queries:
        lectern_top20(archive, query, cold=False, search=search)
        yield query


def main() -> None:
    args, path, _, _ = archive_from_arguments(__doc__.splitlines()[0])
    queries = queries_for(args.queries, random.Random(7))
    archive, raw = ZimArchive(path), Archive(path)
    warm = ZimSearch(archive)
    for query in queries:  # fill libzim's own caches once (the first queries would pay for them)
        lectern_top20(archive, query, cold=True)

    print(f"\n{path.name}: {path.stat().st_size / 1e6:.0f} MB, {args.articles} articles, {len(queries)} queries")
    print(f"{'top 20 for one query':<48}{'median':>10}{'p95':>10}{'runs':>7}")
    row("raw libzim Searcher (paths)", timed(
        lambda q: list(Searcher(raw).search(Query().set_query(q)).getResults(0, 20)), queries))
    if shutil.which("kiwix-search"):
        row("kiwix-search (a process per query, titles)", timed(lambda q: kiwix_search(path, q), queries))
    else:
        print("kiwix-search: not installed (apt-get install kiwix-tools)")
    row("Lectern: sections + snippets, cold cache", timed(lambda q: lectern_top20(archive, q, cold=True), queries),
        f"{external.MAX_PAGES} pages converted")
    row("Lectern: the same query again (pages cached)", timed(
        lambda q: lectern_top20(archive, q, cold=False, search=warm), primed(queries, warm, archive)),
        "typing on, or paging back")
    library, attached = merged_library(path, args.workdir)
    row("Library.search: files + archive merged, cold", timed(
        lambda q: attached.search.clear_cache() or library.search(q, limit=20), queries))
    library.close()
    shutil.rmtree(library.paths.data_dir.parent)  # the library's data, cache and config of this run
    row("old way: read and convert all 20 hit pages", timed(
        lambda q: [archive.article(p) for p in archive.search(q, 20)], queries))
    snippets = [lectern_top20(archive, q, cold=False, search=warm) for q in queries]
    print(f"hits with a section snippet per query: {min(snippets)}-{max(snippets)}")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
