"""Parse time of hostile articles: many identical headings, deeply nested lists.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_parser.py [--sizes 5000 10000 20000 40000]

For each size it times ``parse_text`` on an article of N ``== Same ==`` headings,
and, as the baseline in the same run, the section-id step as it was before
issue 13 (every repeat tried ``same~2``, ``same~3``... from the start again:
quadratic). Time per heading should stay flat when N doubles. It also parses a
list nested N/10 deep (flattened below ``MAX_LIST_DEPTH``) and renders it.
"""

from __future__ import annotations

import argparse
import time

from reader import parser
from reader.gui.render import render_article
from reader.textutil import slugify


def quadratic_ids(sections) -> dict[int, str]:
    """The pre-fix id suffixing, kept only as this benchmark's baseline."""
    ids, used = {}, set()
    for section in sections:
        base = "_lead" if section.parent is None else "/".join(slugify(t) for t in section.path)
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}~{n}"
        used.add(candidate)
        ids[id(section)] = candidate
    return ids


def timed(function, *args) -> float:
    started = time.perf_counter()
    function(*args)
    return time.perf_counter() - started


def parse_with(ids_function, text: str) -> None:
    saved = parser._section_ids
    parser._section_ids = ids_function
    try:
        parser.parse_text(text)
    finally:
        parser._section_ids = saved


def main() -> None:
    options = argparse.ArgumentParser()
    options.add_argument("--sizes", type=int, nargs="+", default=[5000, 10000, 20000])
    sizes = options.parse_args().sizes
    print(f"{'headings':>9} {'now s':>8} {'µs/heading':>11} {'before s':>9} {'µs/heading':>11} {'deep list s':>12}")
    for size in sizes:
        text = "= T =\n" + "== Same ==\nx\n" * size
        now = timed(parse_with, parser._section_ids, text)
        before = timed(parse_with, quadratic_ids, text)
        deep = "= D =\n" + "".join("\t" * level + f"- w{level}\n" for level in range(size // 10))
        deep_s = timed(lambda: render_article(parser.parse_text(deep)))
        print(f"{size:>9} {now:>8.2f} {now / size * 1e6:>11.1f} {before:>9.2f} {before / size * 1e6:>11.1f} {deep_s:>12.2f}")


if __name__ == "__main__":
    main()
