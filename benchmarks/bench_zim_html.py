"""Speed of ZIM HTML -> article model (reader/sources/zim_html.py), with its floor in the same run.

    PYTHONPATH=$PWD .venv/bin/python benchmarks/bench_zim_html.py [--rounds 5]

Pages: every HTML article of the real test archives in ../shared/content/zim
(mwoffliner Ray Charles "mini", Belarusian Wikibooks, zimwriterfs pages), and
generated Wikipedia-like pages of each mwoffliner layout (tests/sources/pages.py,
about 70 KB each, as the issue's "open an article" target).

Columns, per page set: MB/s and ms per page of CPU time (best of --rounds; the cores are shared) for

* ``lxml parse``: ``lxml.html.document_fromstring`` alone (the floor);
* ``lxml + text``: parse and ``text_content()`` of the body (a flat text dump);
* ``page_to_article``: the converter (parse, walk, sections, infobox, lists);
* ``fallback``: the converter fed by the standard library's event parser (only
  used for pages nested deeper than libxml2's 2048 levels).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from lxml import html as lxml_html  # noqa: E402

from reader.sources import zim_html  # noqa: E402
from tests.sources.pages import LAYOUTS, GenSection, render, sample_page  # noqa: E402

ZIM_DIR = REPO.parent / "shared" / "content" / "zim"


def real_pages() -> list[bytes]:
    from libzim.reader import Archive

    pages = []
    for path in sorted(p for p in ZIM_DIR.rglob("*") if p.suffix == ".zim"):
        try:
            archive = Archive(path)
        except RuntimeError:
            continue
        if "withns" in str(path) or "noTitleListing" in str(path):
            continue  # the same pages as nons/: count them once
        for index in range(archive.entry_count):
            entry = archive._get_entry_by_id(index)
            if not entry.is_redirect and entry.get_item().mimetype.startswith("text/html"):
                content = bytes(entry.get_item().content)
                if content.strip():  # empty.html pages: nothing to measure
                    pages.append(content)
    return pages


def big_page(layout: str, number: int) -> bytes:
    """A page of about 70 KB: the sample page with 16 more sections."""
    page = sample_page(number)
    extra = [GenSection(f"Part {i}", [f"Paragraph {i}.{j} about otters, kelp and the Pacific coast " * 4 for j in range(4)],
                        children=[GenSection(f"Detail {i}", ["A detail paragraph with words " * 6])]) for i in range(16)]
    page.sections = page.sections + extra
    return render(page, layout).encode()


def _parse(page: bytes):
    return lxml_html.document_fromstring(page, parser=lxml_html.HTMLParser(encoding="utf-8", remove_comments=True))


def _parse_text(page: bytes):
    body = _parse(page).find("body")
    return body.text_content() if body is not None else ""


def _fallback(page: bytes):
    converter = zim_html._Converter()
    zim_html._EventDriver(converter).run(page.decode("utf-8", "replace"))
    return converter.finish("", "")


METHODS = {
    "lxml parse": _parse,
    "lxml + text": _parse_text,
    "page_to_article": zim_html.page_to_article,
    "fallback": _fallback,
}


def measure(pages: list[bytes], method, rounds: int) -> tuple[float, float]:
    total = sum(len(p) for p in pages)
    times = []
    for _ in range(rounds):
        start = time.process_time()
        for page in pages:
            method(page)
        times.append(time.process_time() - start)
    best = min(times)  # CPU time of this process, best round: the least disturbed by the shared cores
    return total / best / 1e6, best / len(pages) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    sets = {}
    if ZIM_DIR.is_dir():
        sets["real ZIM pages"] = real_pages()
    for layout in LAYOUTS:
        sets[f"generated {layout}"] = [big_page(layout, n) for n in range(10)]
    print(f"{'pages':<22}{'count':>6}{'KB/page':>9}  " + "".join(f"{name:>26}" for name in METHODS))
    print(f"{'':<39}" + "".join(f"{'MB/s   ms/page':>26}" for _ in METHODS))
    for label, pages in sets.items():
        size = sum(len(p) for p in pages) / len(pages) / 1024
        cells = []
        for method in METHODS.values():
            rate, per_page = measure(pages, method, args.rounds)
            cells.append(f"{rate:>17.1f} {per_page:>8.2f}")
        print(f"{label:<22}{len(pages):>6}{size:>9.1f}  " + "".join(cells))


if __name__ == "__main__":
    main()
