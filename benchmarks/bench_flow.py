"""The change flow of issue 9: what a search on a current index and a saved note cost, beside the old flow.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_flow.py [--articles 1000] [--notes 300] [--runs 7]

Measured in one run on the same data:

* **search on a current index** (what ``lectern search`` does after opening the
  library and rescanning): the new flow reads the notes on a read-only
  connection; the baseline opens the notes store first, as the old flow did
  (probe, quick_check, migration check, daily backup, re-anchoring);
* **save a note**: the new flow commits the note and marks the index behind
  (the window then catches the index up in a worker of its own: timed as
  "catch-up"); the baseline also brings the index up to date inside the same
  call, as the old listener did in the saving worker; then the next search is
  timed for both.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.corpus import generate  # noqa: E402
from reader.library import Library  # noqa: E402
from reader.paths import AppPaths, bundle_root  # noqa: E402


def _paths(root: Path) -> AppPaths:
    return AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure()


def _median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.1f}"


def _timed(call) -> float:
    began = time.perf_counter()
    call()
    return time.perf_counter() - began


def prepare(root: Path, articles: int, notes: int) -> tuple[AppPaths, list[str]]:
    folder = root / "articles"
    folder.mkdir()
    generate(articles, folder)
    paths = _paths(root)
    library = Library(paths, include_bundled=False)
    library.add_sources([folder])
    ids = [a.id for a in library.articles()]
    for k in range(notes):
        library.store.add_note(ids[k % len(ids)], "_lead", f"benchmark note {k} walrus")
    library.update_index()
    library.close()
    return paths, ids


def search_on_a_current_index(paths: AppPaths, runs: int) -> tuple[list[float], list[float]]:
    new, old = [], []
    for _ in range(runs):
        for samples, open_store_first in ((new, False), (old, True)):
            def run() -> None:
                library = Library(paths, include_bundled=False)
                library.rescan()
                if open_store_first:
                    library.store  # the old flow: the index asked the store for the notes
                assert library.search("walrus", notes_only=True).total > 0
                library.close()
            samples.append(_timed(run))
    return new, old


def save_a_note(paths: AppPaths, article_id: str, runs: int) -> dict[str, list[float]]:
    times = {"new save": [], "old save": [], "new catch-up": [], "old catch-up": [],
             "new next search": [], "old next search": []}
    library = Library(paths, include_bundled=False)
    library.search("walrus")  # the index is open and current
    for k in range(runs):
        for flow in ("new", "old"):
            def save() -> None:
                library.store.add_note(article_id, "_lead", f"{flow} note {k} narwhal{k}{flow}")
                if flow == "old":
                    library.update_index()  # what the old listener did inside the save
            times[f"{flow} save"].append(_timed(save))
            times[f"{flow} catch-up"].append(_timed(library.search_index.catch_up))  # the window's worker
            times[f"{flow} next search"].append(_timed(lambda: library.search(f"narwhal{k}{flow}")))
    library.close()
    return times


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        paths, ids = prepare(Path(tmp), args.articles, args.notes)
        new, old = search_on_a_current_index(paths, args.runs)
        saves = save_a_note(paths, ids[0], args.runs)
    print(f"\n{args.articles} articles, {args.notes} notes; median of {args.runs} runs (ms)")
    print("| measure | new flow | old flow (baseline) | ratio |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| open + rescan + search on a current index | {_median_ms(new)} | {_median_ms(old)} | "
          f"{statistics.median(new) / statistics.median(old):.2f} |")
    for what in ("save", "catch-up", "next search"):
        n, o = saves[f"new {what}"], saves[f"old {what}"]
        ratio = f"{statistics.median(n) / statistics.median(o):.2f}" if statistics.median(o) > 0.0005 else "-"
        print(f"| {what} (note) | {_median_ms(n)} | {_median_ms(o)} | {ratio} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
