"""Sources at scale: a library with a source of 1,000,000 generated articles (issue 9).

    .venv/bin/python benchmarks/bench_sources.py [--runs 7] [--size 1000000] [--folder-articles 2000]

Every figure is the median of ``--runs`` and is printed beside a baseline taken
in the same run:

1. Window shown: ``create_main_window`` + ``show()`` until the main window's
   first paint, in process (offscreen), on a library of the bundled article
   plus the 1,000,000-article source. Baseline: the same library without it.
2. Library filter: typing a prefix into the library panel's filter until the
   list holds the answer (the sources are asked; the folders scan their
   titles). Baseline: the same filter on the folders only.
3. Scroll to the end: ``scrollToBottom`` until nothing more can be fetched
   (fetchMore doubles the rows given to the view; titles are read a page at a
   time when shown). Baseline: one ``scrollToBottom`` on the folders only.
4. Suggestions: ``Library.suggest`` for a prefix of the archive's titles (the
   folders from the search index, the archive by prefix). Baseline: the same
   call without the archive.
5. Folder library of ``--folder-articles`` generated files (benchmarks/corpus.py):
   the first page the list shows (``Library.titles(0, 200)`` after a change,
   which sorts the titles once and keeps them) against what the list used to
   read, every summary sorted and labelled (the old ``Library.articles()``).

Targets (issue 9): window shown <= 0.5 s, prefix filter < 50 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

SHOWN_TARGET_S, FILTER_TARGET_MS = 0.5, 50
FILTER_TEXT = "kilo 04"  # 10,000 titles start with it; the list shows the first FILTER_LIMIT


def _median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def _paths(root: Path):
    from reader.paths import AppPaths, bundle_root

    return AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure()


def _library(root: Path, size: int):
    from reader.library import Library
    from tests.synthetic_source import SyntheticSource

    library = Library(_paths(root))
    library.rescan()
    if size:
        library.attach_source(SyntheticSource(size))
    return library


def _until(app, done, timeout_s: float = 60) -> None:
    deadline = time.perf_counter() + timeout_s
    while not done():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not answer")
        app.processEvents()


def _shown(app, library, paths) -> tuple[float, object]:
    """Seconds from creating the window to its first paint; the window."""
    from PySide6.QtCore import QEvent, QObject

    from reader.gui.app import create_main_window

    painted = []

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):  # noqa: N802 - Qt name
            if event.type() == QEvent.Type.Paint and obj is window and not painted:
                painted.append(time.perf_counter())
            return False

    watcher = FirstPaint()
    app.installEventFilter(watcher)
    start = time.perf_counter()
    window = create_main_window(library, paths)
    window.show()
    _until(app, lambda: painted)
    app.removeEventFilter(watcher)
    return painted[0] - start, window


def _close(app, window, library) -> None:
    from PySide6.QtCore import QThreadPool

    QThreadPool.globalInstance().waitForDone(60_000)
    window.close()
    window.deleteLater()
    app.processEvents()
    QThreadPool.globalInstance().waitForDone(60_000)
    library.close()


def _filter_seconds(app, panel, text: str) -> float:
    panel.filter_field.clear()
    app.processEvents()
    start = time.perf_counter()
    panel.filter_field.setText(text)
    _until(app, lambda: panel.model.filtered and panel.model.rowCount() > 0)
    return time.perf_counter() - start


def _scroll_to_end(app, panel) -> tuple[float, int]:
    panel.filter_field.clear()
    app.processEvents()
    start, steps = time.perf_counter(), 0
    panel.list.scrollToBottom()
    app.processEvents()
    while panel.model.canFetchMore():
        panel.list.scrollToBottom()
        app.processEvents()
        steps += 1
    last = panel.model.index(panel.model.rowCount() - 1, 0).data()
    assert last, "the last row has no title"
    return time.perf_counter() - start, steps


def measure_window(runs: int, size: int) -> dict:
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    found: dict[str, dict[str, list[float]]] = {}
    steps = 0
    for _ in range(runs):
        for label, articles in (("archive", size), ("baseline", 0)):
            with tempfile.TemporaryDirectory(prefix="lectern-bench-sources-") as tmp:
                library = _library(Path(tmp), articles)
                seconds, window = _shown(app, library, library.paths)
                row = found.setdefault(label, {"shown": [], "filter": [], "scroll": [], "suggest": []})
                row["shown"].append(seconds)
                row["filter"].append(_filter_seconds(app, window.library_panel, FILTER_TEXT if articles else "2023"))
                scrolled, steps_now = _scroll_to_end(app, window.library_panel)
                row["scroll"].append(scrolled)
                steps = max(steps, steps_now)
                _close(app, window, library)
    found["steps"] = steps
    return found


def measure_suggest(runs: int, size: int) -> dict:
    found = {}
    for label, articles in (("archive", size), ("baseline", 0)):
        with tempfile.TemporaryDirectory(prefix="lectern-bench-suggest-") as tmp:
            library = _library(Path(tmp), articles)
            library.update_index()
            library.suggest("zulu 09", limit=10)  # the suggestion lists are built once
            samples = []
            for _ in range(runs):
                start = time.perf_counter()
                library.suggest("zulu 0999", limit=10)
                samples.append(time.perf_counter() - start)
            found[label] = samples
            library.close()
    return found


def measure_folders(runs: int, count: int) -> dict:
    from benchmarks.corpus import generate
    from reader.library import Library

    with tempfile.TemporaryDirectory(prefix="lectern-bench-folders-") as tmp:
        root = Path(tmp)
        generate(count, root / "corpus")
        library = Library(_paths(root), include_bundled=False)
        library.add_sources([root / "corpus"])
        page, every = [], []
        for _ in range(runs):
            library.folders._changed()  # as after a scan: the sorted list is rebuilt
            start = time.perf_counter()
            library.titles(0, 200)
            page.append(time.perf_counter() - start)
            start = time.perf_counter()
            _old_listing(library.folders)
            every.append(time.perf_counter() - start)
        library.close()
    return {"page": page, "every": every}


def _old_listing(folders) -> list:
    """What ``Library.articles()`` did before the sources layer: every summary, sorted and labelled."""
    from reader.sources.folders import _sorted_and_labelled

    with folders._lock:
        visible = [folders._summary(i, e) for i, e in folders._entries.items() if folders._visible(e)]
    return _sorted_and_labelled(visible)[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--folder-articles", type=int, default=2000)
    args = parser.parse_args(argv)
    window = measure_window(args.runs, args.size)
    suggest = measure_suggest(args.runs * 5, args.size)
    folders = measure_folders(args.runs, args.folder_articles)
    archive, base = window["archive"], window["baseline"]
    rows = [
        ("window shown (first paint)", archive["shown"], base["shown"], SHOWN_TARGET_S * 1000),
        (f"library filter {FILTER_TEXT!r}", archive["filter"], base["filter"], FILTER_TARGET_MS),
        (f"scroll to the end ({window['steps']} fetches)", archive["scroll"], base["scroll"], None),
        ("suggest 'zulu 0999'", suggest["archive"], suggest["baseline"], None),
        (f"folders: first page of {args.folder_articles} (vs all at once)", folders["page"], folders["every"], None),
    ]
    print(f"\n{args.size:,} generated articles; median of {args.runs} runs (suggest: {args.runs * 5}); ms\n")
    print(f"{'measure':<52} {'with archive':>13} {'baseline':>10} {'target':>8}")
    for name, ours, baseline, target in rows:
        verdict = "" if target is None else (" ok" if _median_ms(ours) <= target else " SLOW")
        target_text = "" if target is None else f"{target:.0f}"
        print(f"{name:<52} {_median_ms(ours):>13.1f} {_median_ms(baseline):>10.1f} {target_text:>8}{verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
