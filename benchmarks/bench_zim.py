"""ZIM archive operations through reader.sources.zim_archive, beside raw libzim and kiwix-search.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_zim.py --articles 20000 --workdir /tmp/lectern-zim-bench

Writes (once, reused while it exists) an archive of N Wikipedia-like pages in the
three mwoffliner layouts (tests/sources/pages.py with a Zipf vocabulary from
benchmarks/corpus.py, ~10 KB each), with full-text and title indexes, into
--workdir (never the repository). Then, in one run:

* open: ``libzim.reader.Archive(path)`` (floor) vs ``ZimArchive(path)``;
* a title page of 100 from the start and from the middle (cursor);
* suggestions: title prefixes of 2-8 characters, top 10: raw ``SuggestionSearcher``
  vs ``ZimArchive.suggest`` (redirects resolved, duplicates dropped);
* full-text: single words of every frequency and two-word queries, top 20: raw
  ``Searcher`` paths vs ``ZimArchive.search`` vs search + reading and converting
  the 20 hit pages (what mapping hits to sections will cost at least) vs
  ``kiwix-search`` (Debian kiwix-tools; a process per query, titles only);
* opening an article: read + ``page_to_article``;
* peak RSS of this process.

This is the wrapper-level part of the issue's bench_zim.py; window, rendering
and snippet figures need the wiring (docs/zim.md). Medians and p95 in ms.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from libzim.reader import Archive  # noqa: E402
from libzim.search import Query, Searcher  # noqa: E402
from libzim.suggestion import SuggestionSearcher  # noqa: E402

from corpus import build_vocabulary, titles_for  # noqa: E402
from reader.sources.zim_archive import ZimArchive  # noqa: E402
from tests.sources.pages import LAYOUTS, GenSection, Item, Page, render, write_archive  # noqa: E402


def _sentence(vocabulary, rng, words: int) -> str:
    return " ".join(vocabulary.sample(rng, words)).capitalize() + "."


def _page(title: str, vocabulary, rng: random.Random) -> Page:
    def paragraph() -> str:
        return " ".join(_sentence(vocabulary, rng, rng.randint(8, 20)) for _ in range(rng.randint(2, 5)))

    sections = [
        GenSection(
            " ".join(vocabulary.sample(rng, rng.randint(1, 3))).capitalize(),
            [paragraph() for _ in range(rng.randint(1, 3))],
            [Item(_sentence(vocabulary, rng, 5)) for _ in range(rng.randint(0, 4))],
            [GenSection(_sentence(vocabulary, rng, 2)[:-1], [paragraph()]) for _ in range(rng.randint(0, 2))],
        )
        for _ in range(rng.randint(2, 6))
    ]
    return Page(title, [paragraph(), paragraph()], sections,
                infobox=[("Born", _sentence(vocabulary, rng, 3)), ("Region", _sentence(vocabulary, rng, 2))])


def generated_names(count: int) -> tuple[list[str], list[str], list[str]]:
    """(vocabulary, titles, paths) of ``count`` generated pages, the same in every run (seed 1)."""
    vocabulary = build_vocabulary(1)
    titles = titles_for(count, vocabulary, 1)
    return vocabulary, titles, [title.replace(" ", "_") for title in titles]


def generate(path: Path, count: int) -> tuple[list[str], list[str]]:
    """Write the archive unless it exists; returns (titles, paths) in generation order."""
    vocabulary, titles, paths = generated_names(count)
    if path.exists():
        return titles, paths

    def pages():
        for index, (title, page_path) in enumerate(zip(titles, paths)):
            rng = random.Random(index)
            yield page_path, title, render(_page(title, vocabulary, rng), LAYOUTS[index % 3])

    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    write_archive(partial, pages(), name="bench_zim", main=paths[0], workers=2)
    partial.rename(path)
    print(f"wrote {count} articles, {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.0f} s")
    return titles, paths


def timed(call, runs) -> list[float]:
    times = []
    for argument in runs:
        start = time.perf_counter()
        call(argument)
        times.append((time.perf_counter() - start) * 1000)
    return times


def row(label: str, times: list[float], note: str = "") -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
    print(f"{label:<48}{statistics.median(times):>10.2f}{p95:>10.2f}{len(times):>7}  {note}")


def kiwix_search(path: Path, query: str) -> None:
    subprocess.run(["kiwix-search", str(path), query], capture_output=True, check=False)


def archive_from_arguments(description: str):
    """``(args, path, titles, paths)``: the command line read and the archive generated once."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/lectern-zim-bench"))
    parser.add_argument("--queries", type=int, default=60)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / f"bench_zim_{args.articles}.zim"
    titles, paths = generate(path, args.articles)
    return args, path, titles, paths


def main() -> None:
    args, path, titles, paths = archive_from_arguments(__doc__.splitlines()[0])
    rng = random.Random(5)
    vocabulary = build_vocabulary(1)

    print(f"\n{path.name}: {path.stat().st_size / 1e6:.0f} MB, {args.articles} articles")
    print(f"{'operation':<48}{'median':>10}{'p95':>10}{'runs':>7}")
    row("open: libzim Archive()", timed(lambda _: Archive(path), range(20)))
    row("open: ZimArchive()", timed(lambda _: ZimArchive(path), range(20)))
    archive, raw = ZimArchive(path), Archive(path)

    middle = archive.titles(0, 1).next_cursor + args.articles // 2
    row("titles: first page of 100", timed(lambda _: archive.titles(0, 100), range(20)))
    row("titles: a page of 100 from the middle (cursor)", timed(lambda _: archive.titles(middle, 100), range(20)))

    prefixes = [t[: rng.randint(2, 8)] for t in rng.sample(titles, args.queries)]
    row("suggest top 10: raw SuggestionSearcher", timed(
        lambda p: list(SuggestionSearcher(raw).suggest(p).getResults(0, 10)), prefixes))
    row("suggest top 10: ZimArchive.suggest", timed(lambda p: archive.suggest(p, 10), prefixes))

    ranks = [rng.choice(range(lo, hi)) for lo, hi in ((40, 200), (200, 2000), (2000, 20000)) for _ in range(args.queries // 4)]
    queries = [vocabulary.words[r] for r in ranks]
    queries += [" ".join(vocabulary.words[rng.randint(40, 3000)] for _ in range(2)) for _ in range(args.queries // 4)]
    row("search top 20: raw Searcher (paths)", timed(
        lambda q: list(Searcher(raw).search(Query().set_query(q)).getResults(0, 20)), queries))
    row("search top 20: ZimArchive.search (paths)", timed(lambda q: archive.search(q, 20), queries))
    row("search top 20 + read and convert each hit", timed(
        lambda q: [archive.article(p) for p in archive.search(q, 20)], queries[: args.queries // 2]),
        "the floor under hit -> best section mapping")
    if shutil.which("kiwix-search"):
        row("kiwix-search (a process per query, titles)", timed(lambda q: kiwix_search(path, q), queries[:30]))
    else:
        print("kiwix-search: not installed (apt-get install kiwix-tools)")

    sample = rng.sample(paths, min(200, len(paths)))
    row("open an article: read + page_to_article", timed(lambda p: archive.article(p), sample))
    sizes = [len(archive.html(p)[1]) for p in sample[:50]]
    print(f"{'':<48}pages {statistics.mean(sizes) / 1024:.1f} KB on average")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
