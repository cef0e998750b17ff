"""A large library's cold start and one-article update, this checkout beside a baseline checkout.

    .venv/bin/python benchmarks/bench_library_open.py --root COPY-OF-ROOT --baseline CHECKOUT [--rounds 2]

``COPY-OF-ROOT``: a ``bench_search.py`` root (data/cache/config with an index
built), e.g. a copy of /work/bench100k/root-main; it is changed: a small folder
of articles (``ROOT/extra``) is added to its library and edited. Each round runs,
in fresh processes, this code then the baseline's (so both columns come from the
same minutes of a busy machine):

* cold start: imports, ``Library()``, the first search (``bench_search``'s
  ``worker_whoosh_cold``), with ``Library()`` timed on its own;
* one-article update: append a paragraph to one extra article, ``rescan()``,
  time ``update_index()`` (``UPDATES`` times per process, after a first update).

Prints medians (ms) and the CPU time of the same calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

UPDATES = 7
EXTRA_ARTICLES = 3
QUERY = "river"


def worker_cold(code: str, root: str) -> dict:
    started, cpu = time.perf_counter(), time.process_time()
    sys.path.insert(0, code)
    from reader.library import Library
    from reader.paths import AppPaths, bundle_root

    paths = AppPaths(Path(root) / "data", Path(root) / "cache", Path(root) / "config", bundle_root()).ensure()
    opening = time.perf_counter()
    library = Library(paths, include_bundled=False)
    opened = time.perf_counter()
    library.search(QUERY)
    return {"cold": time.perf_counter() - started, "cold_cpu": time.process_time() - cpu, "library": opened - opening}


def worker_update(code: str, root: str) -> dict:
    sys.path.insert(0, code)
    from reader.library import Library
    from reader.paths import AppPaths, bundle_root

    paths = AppPaths(Path(root) / "data", Path(root) / "cache", Path(root) / "config", bundle_root()).ensure()
    library = Library(paths, include_bundled=False)
    extra = Path(root) / "extra"
    if str(extra) not in library.sources():
        library.add_sources([extra])
    library.rescan()
    library.update_index()
    walls, cpus = [], []
    for run in range(UPDATES):
        with (extra / f"tern{run % EXTRA_ARTICLES}.txt").open("a", encoding="utf-8") as file:
            file.write(f"\nAnother paragraph, run {time.time_ns()}.\n")
        library.rescan()
        started, cpu = time.perf_counter(), time.process_time()
        report = library.update_index()
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
        if report.updated != 1:
            raise SystemExit(f"the update did not re-index the edited article: {report}")
    return {"update": statistics.median(walls), "update_cpu": statistics.median(cpus)}


def _run(worker: str, code: Path, root: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--worker", worker, str(code), str(root)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _write_extra(root: Path) -> None:
    extra = root / "extra"
    extra.mkdir(exist_ok=True)
    for n in range(EXTRA_ARTICLES):
        path = extra / f"tern{n}.txt"
        if not path.exists():
            path.write_text(f"= Extra Tern {n} =\n\nTerns over the harbour.\n\n== Feeding ==\nSand eels.\n",
                            encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--baseline", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    _write_extra(args.root)
    here = Path(__file__).resolve().parent.parent
    rows: dict[str, list[dict]] = {"this": [], "baseline": []}
    for _ in range(args.rounds):
        for name, code in (("this", here), ("baseline", args.baseline.resolve())):
            rows[name].append({**_run("cold", code, args.root), **_run("update", code, args.root)})
    print(f"{'measure (median ms)':<28}{'this':>10}{'baseline':>10}")
    for key in ("cold", "cold_cpu", "library", "update", "update_cpu"):
        this, base = (statistics.median(r[key] for r in rows[n]) * 1000 for n in ("this", "baseline"))
        print(f"{key:<28}{this:>10.0f}{base:>10.0f}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--worker":
        worker = {"cold": worker_cold, "update": worker_update}[sys.argv[2]]
        print(json.dumps(worker(sys.argv[3], sys.argv[4])))
    else:
        main()
