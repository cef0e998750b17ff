"""The issue 10 speed targets at 200,000 articles, in one run, beside kiwix-search and raw libzim.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_zim_targets.py --articles 200000 --workdir /tmp/lectern-zim-200k

Writes once (reused while it exists) an archive of N small Wikipedia-like pages
(~1-2 KB, the three mwoffliner layouts in turn, so 200k fit in minutes with two
writer workers) plus LARGE_PAGES pages of ~70 KB for the open-article measure,
with full-text and title indexes. Then prints one table: each issue target, the
measure (median, p95), the floor (raw libzim) or the peer (kiwix-search), and
met / not met. Window figures run offscreen (QT_QPA_PLATFORM=offscreen).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

from libzim.reader import Archive  # noqa: E402
from libzim.search import Query, Searcher  # noqa: E402
from libzim.suggestion import SuggestionSearcher  # noqa: E402

from bench_gui import _CHILD  # noqa: E402
from bench_zim import _page, generated_names, kiwix_search, timed  # noqa: E402
from bench_zim_search import queries_for  # noqa: E402
from tests.sources.pages import LAYOUTS, GenSection, Page, render, write_archive  # noqa: E402

LARGE_PAGES = 20
# bench_gui's child (the real entry point, offscreen), also printing the process's CPU time at the first paint
_CHILD_LECTERN = (_CHILD % {"name": "mainWindow", "body": "from reader.cli import main\nsys.exit(main(['--data-dir', sys.argv[2]]))"}).replace(
    'print(f"SHOWN {time.time() - t0:.4f}", flush=True)',
    'import resource; use = resource.getrusage(resource.RUSAGE_SELF); '
    'print(f"SHOWN {time.time() - t0:.4f} CPU {use.ru_utime + use.ru_stime:.4f}", flush=True)')


def _spawn(code: str, *args: str) -> tuple[float, float]:
    """(wall s from spawn to the first paint, CPU s of the child until then)."""
    t0 = time.time()
    out = subprocess.run([sys.executable, "-c", code, f"{t0:.6f}", *args], capture_output=True, text=True,
                         cwd=REPO, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"}, timeout=120)
    for line in out.stdout.splitlines():
        if line.startswith("SHOWN "):
            fields = line.split()
            return float(fields[1]), float(fields[3])
    raise RuntimeError(f"the child never showed its window:\n{out.stdout}\n{out.stderr}")


def _small_page(title: str, vocabulary, rng: random.Random) -> Page:
    """~1-2 KB of HTML: a lead and two short sections."""
    def sentence(words: int) -> str:
        return " ".join(vocabulary.sample(rng, words)).capitalize() + "."

    sections = [GenSection(sentence(2)[:-1], [sentence(rng.randint(8, 16))]) for _ in range(2)]
    return Page(title, [sentence(rng.randint(10, 20))], sections, infobox=[("Region", sentence(2))])


def _large_page(title: str, vocabulary, rng: random.Random, layout: str, target: int = 70_000) -> str:
    """About ``target`` bytes of HTML: bench_zim's ~10-20 KB pages' sections, joined until large enough."""
    page, more = _page(title, vocabulary, rng), []
    while len(render(page, layout)) < target:  # one section at a time: the page ends within ~2 KB of target
        more = more or _page(title, vocabulary, rng).sections
        page.sections.append(more.pop())
    return render(page, layout)


def large_paths(count: int = LARGE_PAGES) -> list[str]:
    return [f"Large_article_{index:02d}" for index in range(count)]


def generate(path: Path, count: int) -> tuple[list[str], list[str]]:
    """Write the archive unless it exists; returns (titles, paths) of the small pages."""
    vocabulary, titles, paths = generated_names(count)
    if path.exists():
        return titles, paths

    def pages():
        for index, large in enumerate(large_paths()):
            yield large, large.replace("_", " "), _large_page(large, vocabulary, random.Random(-index), LAYOUTS[index % 3])
        started = time.perf_counter()
        for index, (title, page_path) in enumerate(zip(titles, paths)):
            if index % 20_000 == 0:
                print(f"  {index} pages handed to the writer, {time.perf_counter() - started:.0f} s", flush=True)
            yield page_path, title, render(_small_page(title, vocabulary, random.Random(index)), LAYOUTS[index % 3])

    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    started = time.perf_counter()
    write_archive(partial, pages(), name="bench_zim_targets", main=paths[0], workers=2)
    partial.rename(path)
    print(f"wrote {count} + {LARGE_PAGES} articles, {path.stat().st_size / 1e6:.0f} MB "
          f"in {time.perf_counter() - started:.0f} s", flush=True)
    return titles, paths


def arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/lectern-zim-200k"))
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--only", default="adding,window,open,rest",
                        help="comma-separated parts to measure: adding, window, open, rest (suggestions, search, browsing, RSS)")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    return args


def percentiles(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


class Table:
    """Rows of (measure, median, p95, runs, target, met) printed as one Markdown table at the end."""

    def __init__(self):
        self.rows: list[str] = []

    def add(self, label: str, times: list[float], target: str = "", met: bool | None = None, unit: str = "ms") -> float:
        median, p95 = percentiles(times)
        verdict = "" if met is None else ("yes" if met else "**no**")
        self.rows.append(f"| {label} | {median:.2f} | {p95:.2f} | {len(times)} | {target} | {verdict} |".replace(" ms |", f" {unit} |"))
        print(f"  {label}: median {median:.2f}, p95 {p95:.2f} ({len(times)} runs)", flush=True)
        return p95

    def note(self, label: str, value: str, target: str = "", met: bool | None = None) -> None:
        verdict = "" if met is None else ("yes" if met else "**no**")
        self.rows.append(f"| {label} | {value} | | | {target} | {verdict} |")
        print(f"  {label}: {value}", flush=True)

    def print(self) -> None:
        print("\n| measure | median ms | p95 ms | runs | target | met? |")
        print("| --- | ---: | ---: | ---: | --- | --- |")
        print("\n".join(self.rows))


def rss_mb() -> float:
    """This process's resident set now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def fresh_paths(root: Path):
    from reader.paths import AppPaths, bundle_root

    base = Path(tempfile.mkdtemp(dir=root))
    return AppPaths(base / "data", base / "cache", base / "config", bundle_root()).ensure()


def measure_adding(table: Table, path: Path, scratch: Path, runs: int) -> None:
    from reader.library import Library

    table.add("floor: libzim `Archive(path)`", timed(lambda _: Archive(path), range(runs)))

    def add(_):
        library = Library(fresh_paths(scratch), include_bundled=False)
        library.add_sources([path])
        library.close()

    p95 = table.add("adding: `Library()` + `add_sources([FILE.zim])`, fresh data dir", timed(add, range(runs)), "< 1 s")
    table.rows[-1] = table.rows[-1].rsplit("|", 2)[0] + f"| {'yes' if p95 < 1000 else '**no**'} |"


def measure_window(table: Table, path: Path, scratch: Path, runs: int) -> None:
    """Spawn -> first paint of the main window (real entry point, offscreen), with and without the archive."""
    with_archive, without = Path(tempfile.mkdtemp(dir=scratch)), Path(tempfile.mkdtemp(dir=scratch))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    subprocess.run([sys.executable, "-m", "reader", "--data-dir", str(with_archive), "add", str(path)],
                   check=True, capture_output=True, cwd=REPO, env=env)
    for data in (with_archive, without):  # the first start scans the bundled content: not what is measured
        _spawn(_CHILD_LECTERN, str(data))
    shown, baseline = [], []
    for _ in range(runs):
        shown.append([x * 1000 for x in _spawn(_CHILD_LECTERN, str(with_archive))])
        baseline.append([x * 1000 for x in _spawn(_CHILD_LECTERN, str(without))])
    table.add("baseline: window ready, no archive (spawn -> first paint)", [wall for wall, _ in baseline])
    p95 = table.add("window ready with the archive (spawn -> first paint)", [wall for wall, _ in shown], "<= 0.5 s")
    median = percentiles([wall for wall, _ in shown])[0]
    table.rows[-1] = table.rows[-1].rsplit("|", 2)[0] + f"| {'yes' if median <= 500 else '**no**'} (median; p95 {p95:.0f} ms) |"
    table.add("  CPU time of the process until its first paint, no archive", [cpu for _, cpu in baseline])
    table.add("  CPU time of the process until its first paint, with the archive", [cpu for _, cpu in shown])


def main() -> None:
    args = arguments()
    path = args.workdir / f"bench_zim_targets_{args.articles}.zim"
    titles, paths = generate(path, args.articles)
    if args.generate_only:
        return
    print(f"{path.name}: {path.stat().st_size / 1e6:.0f} MB, {args.articles:,} + {LARGE_PAGES} articles; "
          f"load average {os.getloadavg()[0]:.2f}", flush=True)
    scratch = Path(tempfile.mkdtemp(dir=args.workdir))
    table = Table()
    try:
        parts = set(args.only.split(","))
        if "adding" in parts:
            measure_adding(table, path, scratch, args.runs)
        if "window" in parts:
            measure_window(table, path, scratch, max(5, args.runs // 2))
        if parts & {"open", "rest"}:
            measure_in_window(table, path, scratch, titles, args, parts)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(f"\nload average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    table.print()



def _laid_out(view) -> None:
    """Force the layout of the whole document (what the first frame of a long page needs at most)."""
    document = view.document()
    document.documentLayout().blockBoundingRect(document.lastBlock())


def measure_open(table: Table, window, source, raw: Archive) -> None:
    """Opening the 70 KB pages: read, convert (with the page's links and images), render, and the whole
    ``show_article``, cold. Runs on main's code too (where links came from a second parse, ``page_media``)."""
    from reader.gui.render import render_article
    from reader.sources.zim_html import page_to_article

    zim, view, cache = source.archive, window.view, source.searchable()
    large = [zim.entry(p) for p in large_paths()]
    rounds = [entry for _ in range(3) for entry in large]
    table.add("floor: raw libzim read of a 70 KB page", timed(
        lambda e: bytes(raw.get_entry_by_path(e.path).get_item().content), rounds))
    table.add("  read (`ZimArchive.html`)", timed(lambda e: zim.html(e.path), rounds))
    pages = {e.path: zim.html(e.path)[1] for e in large}
    linker = getattr(zim, "linker", None)  # the page's links and images resolved in the conversion (not on main)
    table.add("  convert (`page_to_article`" + (" with links and images" if linker else "") + "), CPU ms", cpu_timed(
        lambda e: page_to_article(pages[e.path], e.key, e.title, *([linker(e.path)] if linker else [])), rounds))
    articles = {e.key: zim.article(e.path) for e in large}
    page_media = getattr(cache, "page_media", None)  # main: a second parse of the page for its links and images
    if page_media is not None:
        def media_cold(entry):
            cache.clear_cache()
            page_media(entry.key)

        table.add("  links and images (`page_media`, a second parse), CPU ms", cpu_timed(media_cold, rounds))
    media = {e.key: page_media(e.key) for e in large} if page_media is not None else {}

    def render(entry):
        extra = [media[entry.key]] if page_media is not None else []
        view.setHtml(render_article(articles[entry.key], view._title_index(), *extra).html)
        _laid_out(view)

    table.add("  render (`render_article` + `setHtml` + layout), CPU ms", cpu_timed(render, rounds))

    def show_cold(entry):
        cache.clear_cache()
        view._article = None
        view.show_article(entry.key)
        _laid_out(view)

    sizes = [len(p) / 1024 for p in pages.values()]
    cpu: list[float] = []
    p95 = table.add(f"open a {statistics.mean(sizes):.0f} KB article: `show_article` (read + convert + links/images + render + layout), cold",
                    timed(lambda entry: cpu.append(on_cpu(show_cold, entry)), rounds), "p95 < 50 ms")
    table.rows[-1] = table.rows[-1].rsplit("|", 2)[0] + f"| {'yes' if p95 < 50 else '**no**'} |"
    table.add("  the same, CPU ms of the thread (steadier than wall time on a loaded machine)", cpu)


def cpu_timed(call, runs) -> list[float]:
    return [on_cpu(call, argument) for argument in runs]


def on_cpu(call, argument) -> float:
    """Milliseconds of this thread's CPU time that ``call(argument)`` takes."""
    start = time.thread_time()
    call(argument)
    return (time.thread_time() - start) * 1000


def measure_in_window(table: Table, path: Path, scratch: Path, titles: list[str], args, parts=("open", "rest")) -> None:
    """One process: the real window on a library with the bundled articles and the archive; then
    opening, suggesting, searching and browsing in it, with the process's RSS sampled throughout."""
    from reader.gui.app import create_main_window, ensure_app
    from reader.library import Library

    app = ensure_app()
    library = Library(fresh_paths(scratch))
    library.rescan()
    library.update_index()
    library.add_sources([path])
    source = next(s for s in library.article_sources() if s.id.startswith("zim:"))
    zim, raw = source.archive, Archive(path)
    window = create_main_window(library, library.paths)
    window.resize(1200, 800)
    window.show()
    app.processEvents()
    rss = [rss_mb()]
    table.note("RSS: the window shown with the archive", f"{rss[0]:.0f} MB")
    view, cache = window.view, source.searchable()

    if "open" in parts:
        measure_open(table, window, source, raw)
    rss.append(rss_mb())
    if "rest" not in parts:
        window.close()
        library.close()
        return

    rng = random.Random(11)
    prefixes = [t[: rng.randint(2, 8)] for t in rng.sample(titles, args.queries)]
    table.add("floor: raw `SuggestionSearcher` top 10", timed(
        lambda p: list(SuggestionSearcher(raw).suggest(p).getResults(0, 10)), prefixes))
    table.add("peer: `kiwix-search -s` (a process per query)", timed(
        lambda p: subprocess.run(["kiwix-search", "-s", str(path), p], capture_output=True, check=False), prefixes[:30]))
    p95 = table.add("suggestions: `Library.suggest` top 10 (bundled titles + archive title index)",
                    timed(lambda p: library.suggest(p, 10), prefixes), "p95 < 20 ms")
    table.rows[-1] = table.rows[-1].rsplit("|", 2)[0] + f"| {'yes' if p95 < 20 else '**no**'} |"

    queries = queries_for(args.queries, random.Random(7))
    for query in queries[:5]:  # libzim's own caches (dirents, Xapian) are filled by the first queries
        library.search(query, limit=20)
    table.add("floor: raw libzim `Searcher` top 20 (paths)", timed(
        lambda q: list(Searcher(raw).search(Query().set_query(q)).getResults(0, 20)), queries))
    peer = table.add("peer: `kiwix-search` top 20 (a process per query, titles)", timed(
        lambda q: kiwix_search(path, q), queries))
    hits = []

    def search_cold(query):
        cache.clear_cache()
        hits.append(sum(1 for hit in library.search(query, limit=20).hits if hit.snippet))

    p95 = table.add("full text: `Library.search` top 20, section snippets, files + archive merged, cold",
                    timed(search_cold, queries), "p95 < 150 ms, <= 5x kiwix-search")
    table.rows[-1] = table.rows[-1].rsplit("|", 2)[0] + (
        f"| {'yes' if p95 < 150 and p95 <= 5 * peer else '**no**'} ({p95 / peer:.1f}x kiwix-search p95; "
        f"{min(hits)}-{max(hits)} snippets a query) |")
    rss.append(rss_mb())

    def browse_page(offset):
        source.titles(offset, 200)
        rss.append(rss_mb())

    table.add("browse: `titles(offset, 200)` paging on, 100 pages", timed(browse_page, range(0, 20_000, 200)))
    walk = timed(lambda _: source.titles(args.articles // 2, 200), range(1))
    table.add(f"browse: `titles({args.articles // 2:,}, 200)`, first time (walks there)", walk)
    table.add(f"browse: `titles({args.articles // 2:,}, 200)`, again", timed(
        lambda _: source.titles(args.articles // 2, 200), range(args.runs)))
    sample = [zim.entry(p).key for p in random.Random(3).sample([t.replace(" ", "_") for t in titles], 200)]

    def show_small(article_id):
        view._article = None
        view.show_article(article_id)
        app.processEvents()
        rss.append(rss_mb())

    table.add("browse: `show_article` of a small page (~1.5 KB), 200 pages", timed(show_small, sample))
    for query in queries:
        library.search(query, limit=20)
        rss.append(rss_mb())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table.note("RSS while browsing and searching (max sampled VmRSS / peak ru_maxrss)",
               f"{max(rss):.0f} / {peak:.0f} MB", "< 300 MB", peak < 300)
    window.close()
    library.close()


if __name__ == "__main__":
    main()
