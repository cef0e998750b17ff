"""Search relevance: Lectern beside SQLite FTS5 on the judged query sets of tests/search/judged.py.

    .venv/bin/python benchmarks/bench_relevance.py [--misses]

Builds a library of the test content (../shared/content: seed, wikitext-valid,
wikibooks-be; tests/data), runs every judged query through Lectern's search
and through FTS5 BM25 (same words ANDed, weights title 3, heading 2, body 1),
and prints success@1, success@3 and MRR per set for both, plus the "Ray
Charles" case. ``--misses`` lists the queries Lectern gets wrong.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.search import judged  # noqa: E402


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the queries Lectern ranks wrong")
    parser.add_argument("--workdir", type=Path, help="keep the library here (reused when it exists)")
    args = parser.parse_args(argv)
    if not judged.content_folders():
        print("../shared/content is missing (or set LECTERN_SHARED_CONTENT)", file=sys.stderr)
        return 1
    root = args.workdir or Path(tempfile.mkdtemp(prefix="lectern-relevance-"))
    library = judged.open_judged_library(root)
    library.update_index()
    sets = judged.judged_sets(library)
    print(f"| set (queries) | measure | Lectern | SQLite FTS5 | difference |")
    print("| --- | --- | ---: | ---: | ---: |")
    for kind, queries in sets.items():
        started = time.perf_counter()
        ours = judged.lectern_rankings(library, queries)
        elapsed = (time.perf_counter() - started) * 1000 / max(1, len(queries))
        theirs = judged.fts5_rankings(library, queries)
        mine, base = judged.measures(ours, queries), judged.measures(theirs, queries)
        for name in mine:
            print(f"| {kind} ({len(queries)}) | {name} | {mine[name]:.3f} | {base[name]:.3f} | "
                  f"{mine[name] - base[name]:+.3f} |")
        print(f"  ({kind}: Lectern {elapsed:.1f} ms per query)", file=sys.stderr)
        if kind == "known-item":
            print_by_script(library, queries, ours)
        if args.misses:
            for text, rank in judged.misses(ours, queries, at=1 if kind != "known-item" else 3):
                print(f"    miss {kind}: {text!r} -> {rank}", file=sys.stderr)
    library.close()
    print(ray_charles())
    if args.workdir is None:
        shutil.rmtree(root, ignore_errors=True)
    return 0


def print_by_script(library, queries, ours) -> None:
    """Known-item figures for Latin-script and other queries apart (FTS5 does not fold Cyrillic like Lectern)."""
    for label, keep in (("Latin script", str.isascii), ("other scripts", lambda text: not text.isascii())):
        picked = [i for i, q in enumerate(queries) if keep(q.text)]
        subset = [queries[i] for i in picked]
        mine = judged.measures([ours[i] for i in picked], subset)
        base = judged.measures(judged.fts5_rankings(library, subset), subset)
        print(f"| known-item, {label} ({len(subset)}) | success@3 / MRR | {mine['success@3']:.3f} / {mine['MRR']:.3f} "
              f"| {base['success@3']:.3f} / {base['MRR']:.3f} | |")


def ray_charles() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        judged.ray_charles_library(folder)
        paths_root = Path(tmp) / "lectern"
        from reader.library import Library
        from reader.paths import AppPaths, bundle_root

        library = Library(AppPaths(paths_root / "d", paths_root / "c", paths_root / "f", bundle_root()).ensure(),
                          include_bundled=False)
        library.add_sources([folder])
        first = [h.article_title for h in library.search("Ray Charles").hits[:3]]
        piano = [h.article_title for h in library.search("ray charles piano").hits[:1]]
        library.close()
    return f"\n'Ray Charles' first three: {first}; 'ray charles piano' first: {piano}"


if __name__ == "__main__":
    os.environ.setdefault("LECTERN_SHARED_CONTENT", "")
    sys.exit(main(sys.argv[1:]))
