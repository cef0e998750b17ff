"""Search benchmark: Lectern's Whoosh index beside SQLite FTS5 on the same corpus.

    .venv/bin/python benchmarks/bench_search.py --sizes 2000 10000

For each size N: a deterministic corpus (benchmarks/corpus.py) is written once
under --workdir, added to a fresh Lectern library, then

* full build: Lectern ``update_index(rebuild=True)`` vs parsing the same files
  and inserting every section into an FTS5 table (``porter unicode61
  remove_diacritics 2``); each in its own process so peak RSS is its own
  (Lectern's includes its indexing sub-processes);
* index size on disk;
* queries: a fixed mixed set (rare, common, 2-3 word AND, phrase, prefix,
  accented typed without accents), top 20 with snippets; median and p95 over
  all runs and p95 per kind;
* suggestions: prefixes of titles and headings (1-6 characters);
* incremental update of one changed article (Lectern: ``update_index``;
  FTS5: delete + insert the article's sections + commit);
* cold start: a new process opens the index and runs one query.

Prints one table per size; ratio = Lectern / FTS5 (lower is better for Lectern).

    .venv/bin/python benchmarks/bench_search.py --sizes 100000 --reuse ROOT --corpus DIR [--baseline CHECKOUT]

times only the query set against an existing library root (built by
``--sizes``, or a copy of one) and FTS5 on the same corpus (its table is built
once next to the root if missing). ``--baseline`` runs the same queries with
another checkout's code on the same root, alternated round by round in fresh
processes, so both columns come from the same minutes of a busy machine;
``--kinds phrase,and`` keeps only those kinds of the query set.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))

import corpus as corpus_gen  # noqa: E402

QUERY_RUNS = 3
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
FUNCTION_WORDS = set(corpus_gen._FUNCTION_WORDS)


# ---------------------------------------------------------------- corpus and library

def ensure_corpus(workdir: Path, n: int, seed: int) -> Path:
    folder = workdir / f"corpus-{n}-seed{seed}"
    done = folder / ".complete"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        corpus_gen.generate(n, folder, seed)
        done.write_text("ok")
    return folder


def paths_for(root: Path):
    from reader.paths import AppPaths, bundle_root

    return AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure()


def open_library(root: Path):
    from reader.library import Library

    return Library(paths_for(root), include_bundled=False)


def sections_of(folder: Path):
    """(article key, section id, title, heading, body) rows for FTS5, parsed like Lectern parses."""
    from reader.parser import parse_file
    from reader.search.documents import section_body

    for path in sorted(folder.glob("*.txt")):
        article = parse_file(path, path.stem)
        for section in article.sections:
            heading = "" if section.is_lead else section.title
            yield path.stem, section.id, article.title, heading, section_body(article, section)


# ---------------------------------------------------------------- workers (run in their own process)

def worker_whoosh_build(root: Path) -> dict:
    library = open_library(root)
    with _RssSampler() as rss:
        started, cpu = time.perf_counter(), _cpu_seconds()
        report = library.update_index(rebuild=True)
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    library.close()
    return {"seconds": seconds, "cpu": cpu, "articles": report.added, "rss_mb": rss.peak_mb}


def worker_fts_build(folder: Path, db: Path) -> dict:
    db.unlink(missing_ok=True)
    with _RssSampler() as rss:
        started, cpu = time.perf_counter(), _cpu_seconds()
        con = sqlite3.connect(db)
        con.execute(f"CREATE VIRTUAL TABLE sections USING fts5(article UNINDEXED, section UNINDEXED, title, heading, body, tokenize='{FTS_TOKENIZER}')")
        con.executemany("INSERT INTO sections VALUES (?, ?, ?, ?, ?)", sections_of(folder))
        con.commit()
        con.close()
        seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    return {"seconds": seconds, "cpu": cpu, "rss_mb": rss.peak_mb}


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the indexing sub-processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


class _RssSampler:
    """Peak of (this process + its children) resident memory, sampled every 100 ms from /proc."""

    def __enter__(self):
        import threading

        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, _tree_rss_mb())

    def _run(self):
        while not self._stop.wait(0.1):
            self.peak_mb = max(self.peak_mb, _tree_rss_mb())


def _tree_rss_mb() -> float:
    me = os.getpid()
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid, ppid, rss_pages = int(stat.parent.name), int(fields[1]), int(fields[21])
        if pid == me or ppid == me:
            total += rss_pages * os.sysconf("SC_PAGE_SIZE")
    return total / 1e6


def worker_whoosh_cold(root: Path, query: str) -> dict:
    started = time.perf_counter()
    from reader.library import Library

    library = Library(paths_for(root), include_bundled=False)
    results = library.search(query)
    return {"seconds": time.perf_counter() - started, "hits": len(results.hits)}


def worker_fts_cold(db: Path, query: str) -> dict:
    started = time.perf_counter()
    con = sqlite3.connect(db)
    rows = fts_search(con, query)
    return {"seconds": time.perf_counter() - started, "hits": len(rows)}


def worker_queries(root: Path, folder: Path, db: Path, code: str, seed: str, kinds: str = "") -> dict:
    """Per-kind query times (ms) of Lectern (code imported from ``code``) and FTS5, ``QUERY_RUNS`` runs each."""
    sys.path.insert(0, code)
    for name in [m for m in sys.modules if m == "reader" or m.startswith("reader.")]:
        del sys.modules[name]
    library = open_library(root)
    con = sqlite3.connect(db)
    queries = [(k, q) for k, q in query_set(folder, int(seed)) if not kinds or k in kinds.split(",")]
    library.search("warmup")
    w_times, f_times = _time_queries(library, con, queries)
    library.close()
    con.close()
    return {"lectern": w_times, "fts": f_times}


def run_worker(*args: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True, cwd=REPO)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- queries

def fts_query(query: str) -> str:
    """The same query in FTS5 syntax (words AND, "phrases", prefix*)."""
    if query.startswith('"'):
        return query
    return " ".join(w if w.endswith("*") else f'"{w}"' for w in query.split())


def fts_search(con, query: str, limit: int = 20) -> list:
    sql = ("SELECT article, section, snippet(sections, 4, '<mark>', '</mark>', '…', 24), bm25(sections, 0, 0, 3.0, 2.0, 1.0) "
           "FROM sections WHERE sections MATCH ? ORDER BY bm25(sections, 0, 0, 3.0, 2.0, 1.0) LIMIT ?")
    return con.execute(sql, (fts_query(query), limit)).fetchall()


def fts_suggest(con, prefix: str, limit: int = 10) -> list:
    words = " ".join(f'"{w}"' for w in prefix.split()[:-1])
    last = prefix.split()[-1] if prefix.split() else ""
    match = "{title heading} : (" + (words + " " if words else "") + f'"{last}"*)'
    return con.execute("SELECT article, section FROM sections WHERE sections MATCH ? LIMIT ?", (match, limit)).fetchall()


def query_set(folder: Path, seed: int) -> list[tuple[str, str]]:
    """(kind, query): a fixed mixed set drawn from the corpus's own vocabulary and text."""
    vocabulary = corpus_gen.build_vocabulary(seed)
    rng = random.Random(seed + 99)
    words = [w for w in vocabulary.words if w not in FUNCTION_WORDS]
    ascii_words = [w for w in words if w.isascii()]
    accented = [w for w in words[:20000] if not w.isascii()]
    queries = [("rare", rng.choice(ascii_words[15000:40000])) for _ in range(10)]
    queries += [("common", rng.choice(ascii_words[20:200])) for _ in range(10)]
    queries += [("and", " ".join(rng.sample(ascii_words[50:3000], rng.choice([2, 3])))) for _ in range(10)]
    queries += [("phrase", _phrase_from(folder, rng)) for _ in range(10)]
    queries += [("prefix", rng.choice(ascii_words[30:3000])[: rng.choice([3, 4, 5])] + "*") for _ in range(10)]
    queries += [("accented", _strip_accents(rng.choice(accented))) for _ in range(10)]
    return queries


def _phrase_from(folder: Path, rng: random.Random) -> str:
    files = sorted(folder.glob("*.txt"))
    while True:
        text = rng.choice(files).read_text(encoding="utf-8").split("\n")
        line = rng.choice([t for t in text if len(t) > 200] or [""])
        tokens = [t.strip(".,").lower() for t in line.split()]
        pairs = [(a, b) for a, b in zip(tokens, tokens[1:]) if a.isalpha() and b.isalpha() and a not in FUNCTION_WORDS and b not in FUNCTION_WORDS]
        if pairs:
            return '"%s %s"' % rng.choice(pairs)


def _strip_accents(word: str) -> str:
    from reader.textutil import fold

    return fold(word)


def suggestion_prefixes(library, seed: int, count: int = 300) -> list[str]:
    rng = random.Random(seed + 7)
    labels = [s.title for s in library.articles()]
    prefixes = []
    for _ in range(count):
        label = rng.choice(labels)
        prefixes.append(label[: rng.randint(1, 6)])
    return prefixes


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


# ---------------------------------------------------------------- one size

def bench_size(n: int, workdir: Path, seed: int) -> list[tuple[str, str, str, str]]:
    folder = ensure_corpus(workdir, n, seed)
    corpus_mb = sum(f.stat().st_size for f in folder.glob("*.txt")) / 1e6
    root = workdir / f"lectern-{n}"
    shutil.rmtree(root, ignore_errors=True)
    library = open_library(root)
    started = time.perf_counter()
    library.add_sources([folder])
    scan_s = time.perf_counter() - started
    library.close()
    sections = sum(1 for _ in sections_of(folder))
    print(f"N={n}: corpus {corpus_mb:.1f} MB, {sections} sections, library scan {scan_s:.1f} s", file=sys.stderr)

    w_build = run_worker("whoosh_build", str(root))
    db = workdir / f"fts-{n}.sqlite3"
    f_build = run_worker("fts_build", str(folder), str(db))
    print(f"  built: lectern {w_build['seconds']:.1f} s, fts5 {f_build['seconds']:.1f} s", file=sys.stderr)
    index_mb = _du(root / "cache" / "index") / 1e6
    fts_mb = db.stat().st_size / 1e6

    library = open_library(root)
    con = sqlite3.connect(db)
    queries = query_set(folder, seed)
    library.search("warmup")
    w_times, f_times = _time_queries(library, con, queries)
    w_all = [t for v in w_times.values() for t in v]
    f_all = [t for v in f_times.values() for t in v]

    prefixes = suggestion_prefixes(library, seed)
    first_suggest = timed(library.suggest, prefixes[0])
    w_sugg = [timed(library.suggest, p) for p in prefixes]
    f_sugg = [timed(fts_suggest, con, p) for p in prefixes]

    w_upd, f_upd = incremental_updates(library, con, folder, seed)
    library.close()
    cold_query = queries[0][1]
    w_cold = statistics.median(run_worker("whoosh_cold", str(root), cold_query)["seconds"] for _ in range(3)) * 1000
    f_cold = statistics.median(run_worker("fts_cold", str(db), cold_query)["seconds"] for _ in range(3)) * 1000
    con.close()

    rows = [
        ("full build, wall (s)", w_build["seconds"], f_build["seconds"]),
        ("full build, CPU incl. sub-processes (s)", w_build["cpu"], f_build["cpu"]),
        ("index size (MB)", index_mb, fts_mb),
        ("peak RSS while indexing, all processes (MB)", w_build["rss_mb"], f_build["rss_mb"]),
        ("query median, top 20 + snippets (ms)", statistics.median(w_all), statistics.median(f_all)),
        ("query p95, top 20 + snippets (ms)", p95(w_all), p95(f_all)),
    ]
    rows += [(f"  p95 {kind} (ms)", p95(w_times[kind]), p95(f_times[kind])) for kind in w_times]
    rows += [
        ("suggestion median (ms)", statistics.median(w_sugg), statistics.median(f_sugg)),
        ("suggestion p95 (ms)", p95(w_sugg), p95(f_sugg)),
        ("first suggestion (builds the list) (ms)", first_suggest, float("nan")),
        ("one-article update median (ms)", statistics.median(w_upd), statistics.median(f_upd)),
        ("one-article update max (ms)", max(w_upd), max(f_upd)),
        ("cold start: open + first query (ms)", w_cold, f_cold),
    ]
    return [(name, _fmt(w), _fmt(f), _ratio(w, f)) for name, w, f in rows]


def _time_queries(library, con, queries) -> tuple[dict, dict]:
    """{kind: [ms]} for Lectern and for FTS5, each query run ``QUERY_RUNS`` times, alternated."""
    w_times, f_times = {k: [] for k, _ in queries}, {k: [] for k, _ in queries}
    for _ in range(QUERY_RUNS):
        for kind, query in queries:
            w_times[kind].append(timed(library.search, query))
            f_times[kind].append(timed(fts_search, con, query))
    return w_times, f_times


def bench_queries(n: int, args) -> None:
    """``--reuse``: the query set only, against an existing root; with ``--baseline``, both codes alternated."""
    folder = args.corpus or args.workdir / f"corpus-{n}-seed{args.seed}"
    db = args.fts or args.reuse.parent / f"{args.reuse.name}-fts.sqlite3"
    if not db.exists():
        print(f"building the FTS5 table {db} ...", file=sys.stderr)
        run_worker("fts_build", str(folder), str(db))
    codes = {"Lectern": str(REPO)}
    if args.baseline:
        codes["baseline"] = str(args.baseline.resolve())
    times: dict[str, dict[str, list[float]]] = {name: {} for name in [*codes, "FTS5"]}
    for round_ in range(args.rounds):
        for name, code in codes.items():
            got = run_worker("queries", str(args.reuse), str(folder), str(db), code, str(args.seed), args.kinds)
            for kind, values in got["lectern"].items():
                times[name].setdefault(kind, []).extend(values)
            for kind, values in got["fts"].items():
                times["FTS5"].setdefault(kind, []).extend(values)
            print(f"  round {round_ + 1} {name}: load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    names = list(times)
    print(f"\n### N = {n:,} articles, queries only ({args.rounds} rounds, {', '.join(f'{k}: {v}' for k, v in codes.items())})\n")
    print("| measure | " + " | ".join(names) + " |")
    print("| --- |" + " ---: |" * len(names))
    every = {name: [t for v in times[name].values() for t in v] for name in names}
    print("| query median (ms) | " + " | ".join(_fmt(statistics.median(every[k])) for k in names) + " |")
    print("| query p95 (ms) | " + " | ".join(_fmt(p95(every[k])) for k in names) + " |")
    for kind in times["FTS5"]:
        print(f"|   p95 {kind} (ms) | " + " | ".join(_fmt(p95(times[k][kind])) for k in names) + " |")
        print(f"|   median {kind} (ms) | " + " | ".join(_fmt(statistics.median(times[k][kind])) for k in names) + " |")
    sys.stdout.flush()


def incremental_updates(library, con, folder: Path, seed: int, count: int = 5) -> tuple[list[float], list[float]]:
    """Change ``count`` articles one at a time; time re-indexing each one (the scan is not timed)."""
    from reader.parser import parse_file
    from reader.search.documents import section_body

    rng = random.Random(seed + 3)
    files = sorted(folder.glob("*.txt"))
    whoosh_ms, fts_ms = [], []
    for i in range(count):
        path = rng.choice(files)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"\nAn added paragraph number {i} about benchmarkedits{i}.\n")
        _rescan_without_listeners(library)
        whoosh_ms.append(timed(library.update_index))
        assert library.search(f"benchmarkedits{i}").total == 1

        article = parse_file(path, path.stem)
        rows = [(path.stem, s.id, article.title, "" if s.is_lead else s.title, section_body(article, s)) for s in article.sections]

        def fts_update():
            con.execute("DELETE FROM sections WHERE article = ?", (path.stem,))
            con.executemany("INSERT INTO sections VALUES (?, ?, ?, ?, ?)", rows)
            con.commit()

        fts_ms.append(timed(fts_update))
    return whoosh_ms, fts_ms


def _rescan_without_listeners(library) -> None:
    listeners, library._listeners = library._listeners, []
    try:
        library.rescan()
    finally:
        library._listeners = listeners


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _fmt(value: float) -> str:
    if value != value:  # NaN
        return "-"
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def _ratio(a: float, b: float) -> str:
    if a != a or b != b or b == 0:
        return "-"
    return f"{a / b:.1f}x"


def print_table(n: int, rows) -> None:
    width = max(len(r[0]) for r in rows)
    print(f"\n### N = {n:,} articles\n")
    print(f"| {'measure':<{width}} | Lectern (Whoosh) | SQLite FTS5 | ratio |")
    print(f"| {'-' * width} | ---: | ---: | ---: |")
    for name, w, f, ratio in rows:
        print(f"| {name:<{width}} | {w} | {f} | {ratio} |")
    sys.stdout.flush()


def machine() -> str:
    import platform

    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, {platform.platform()}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, default=Path(os.environ.get("TMPDIR", "/tmp")) / "lectern-bench-search")
    parser.add_argument("--reuse", type=Path, help="time only the queries against this existing library root")
    parser.add_argument("--corpus", type=Path, help="with --reuse: the corpus folder the root was built from")
    parser.add_argument("--fts", type=Path, help="with --reuse: the FTS5 table of that corpus (built if missing)")
    parser.add_argument("--baseline", type=Path, help="with --reuse: another checkout whose code runs the same queries")
    parser.add_argument("--kinds", default="", help="with --reuse: only these query kinds (comma-separated)")
    parser.add_argument("--rounds", type=int, default=3, help="with --reuse: rounds per code (fresh process each)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        name, *rest = args.worker
        result = WORKERS[name](*[Path(r) if i < WORKER_PATH_ARGS[name] else r for i, r in enumerate(rest)])
        print(json.dumps(result))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"Machine: {machine()}")
    for n in args.sizes:
        if args.reuse:
            bench_queries(n, args)
        else:
            print_table(n, bench_size(n, args.workdir, args.seed))
    return 0


WORKERS = {"whoosh_build": worker_whoosh_build, "fts_build": worker_fts_build,
           "whoosh_cold": worker_whoosh_cold, "fts_cold": worker_fts_cold, "queries": worker_queries}
WORKER_PATH_ARGS = {"whoosh_build": 1, "fts_build": 2, "whoosh_cold": 1, "fts_cold": 1, "queries": 3}

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
