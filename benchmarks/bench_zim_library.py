"""Archives in the library: adding, starting with them, paging, prefixes, opening, beside raw libzim.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_zim_library.py --articles 200000 --workdir /tmp/lectern-zim-lib

Writes (once, reused while it exists) an archive of N small generated pages
(tests/sources/pages.py, ``details`` layout, title index, no full-text index)
into --workdir, never the repository. Then measures, in one run, each operation
through the library (a fresh data dir each time where it matters) beside its
floor in raw libzim:

* add: ``Library.add_sources([FILE.zim])`` vs ``libzim.reader.Archive(path)``;
* start: ``Library(paths)`` with the archive in ``archives.json`` vs the same with no archive;
* a page of 200 titles from the start, and at offset N/2 (the first walk, then again);
* ``count_with_prefix`` + the first page with a prefix (the title index);
* one article read and converted (``Library.article``).

Medians and p95 in ms.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from libzim.reader import Archive  # noqa: E402

from reader.library import Library  # noqa: E402
from reader.paths import AppPaths  # noqa: E402
from tests.sources.pages import render, sample_page, write_archive  # noqa: E402


def generate(path: Path, count: int) -> None:
    def pages():
        for number in range(count):
            page = sample_page(number % 50)
            page.title = f"Article {number:07d}"
            yield f"Article_{number:07d}", page.title, render(page, "details")

    write_archive(path, pages(), name="lectern_bench_library", main="Article_0000000", indexing=False, workers=2)


def fresh_paths(root: Path) -> AppPaths:
    base = Path(tempfile.mkdtemp(dir=root))
    return AppPaths(base / "data", base / "cache", base / "config", base / "no-bundle").ensure()


def timed(call, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return times


def row(label: str, times: list[float]) -> None:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(f"| {label:<56} | {statistics.median(times):9.2f} | {p95:9.2f} | {len(times):4d} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "lectern-zim-lib")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    archive_path = args.workdir / f"bench_{args.articles}.zim"
    if not archive_path.exists():
        print(f"writing {archive_path} ({args.articles:,} articles)...", file=sys.stderr)
        generate(archive_path, args.articles)
    scratch = Path(tempfile.mkdtemp(dir=args.workdir))
    try:
        run(archive_path, scratch, args.articles, args.runs)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(archive_path: Path, scratch: Path, articles: int, runs: int) -> None:
    print(f"{archive_path.name}: {articles:,} articles, {archive_path.stat().st_size / 2**20:.0f} MB\n")
    print(f"| {'operation':<56} | {'median ms':>9} | {'p95 ms':>9} | {'runs':>4} |")
    print(f"|{'-' * 58}|{'-' * 11}|{'-' * 11}|{'-' * 6}|")
    row("floor: libzim Archive(path)", timed(lambda: Archive(archive_path), runs))

    def add():
        library = Library(fresh_paths(scratch))
        library.add_sources([archive_path])
        library.close()

    row("Library() + add_sources([FILE.zim]) (fresh data dir)", timed(add, runs))
    empty, added = fresh_paths(scratch), fresh_paths(scratch)
    Library(added).add_sources([archive_path])
    row("baseline: Library() with no archive", timed(lambda: Library(empty).close(), runs))
    row("Library() with the archive in archives.json", timed(lambda: Library(added).close(), runs))
    library = Library(added)
    row("titles(0, 200)", timed(lambda: library.titles(0, 200), runs))
    middle = articles // 2
    row(f"titles({middle:,}, 200), first time (walks to it)", timed(lambda: library.titles(middle, 200), 1))
    row(f"titles({middle:,}, 200), again", timed(lambda: library.titles(middle, 200), runs))
    row("count_with_prefix + titles_with_prefix('Article 00012')",
        timed(lambda: (library.count_with_prefix("Article 00012"), library.titles_with_prefix("Article 00012")), runs))
    ids = [entry.id for entry in library.titles(middle, runs)]
    article_times = []
    for article_id in ids:
        article_times += timed(lambda: library.article(article_id), 1)
    row("article(id): read + convert", article_times)
    library.close()


if __name__ == "__main__":
    main()
