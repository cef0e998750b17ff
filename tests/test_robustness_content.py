"""Hostile article files (issue 13, items 1-4): FIFOs, devices, repeated headings, deep lists.

Each test here failed (or hung) before the fix it covers: a FIFO blocked the scan
in ``open``, a symlink to /dev/zero was read until memory ran out, the ``~2``,
``~3`` id suffixes were found by trying every number from 2 again (quadratic),
and a list nested ~1000 deep raised RecursionError in text, search and HTML.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from pathlib import Path

import pytest

import reader.parser as parser
from reader.cli import main
from reader.gui.render import render_article
from reader.library import Library
from reader.model import BulletList, iter_items
from reader.parser import MAX_LIST_DEPTH, SkippedFile, parse_text, read_article_bytes

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")


@contextlib.contextmanager
def fifo_unblocker(fifo: Path):
    """Open the FIFO's write end as soon as a reader waits on it, so a regression fails instead of hanging.

    A non-blocking open for writing succeeds only while some reader has the FIFO
    open: after the fix nobody ever does, and this thread just gives up at the end.
    """
    done = threading.Event()

    def unblock() -> None:
        while not done.is_set():
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                done.wait(0.05)

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


# ------------------------------------------------------------------ 1. FIFOs


def test_fifo_in_an_added_folder_is_skipped_unopened(app_paths, tmp_path):
    source = tmp_path / "s"
    source.mkdir()
    (source / "good.txt").write_text("= Good =\nText.\n", encoding="utf-8")
    fifo = source / "p.txt"
    os.mkfifo(fifo)
    library = Library(app_paths, include_bundled=False)
    with fifo_unblocker(fifo):
        report = library.add_sources([source])
        again = Library(app_paths, include_bundled=False).rescan()
    assert [a.title for a in report.added] == ["Good"]
    assert [(s.path, s.reason) for s in report.skipped] == [(str(fifo), "a named pipe (FIFO); only regular files are read")]
    assert [s.path for s in again.skipped] == [str(fifo)] and again.unchanged == 1


def test_fifo_named_directly_is_skipped_with_the_reason(app_paths, tmp_path):
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    with fifo_unblocker(fifo):
        report = Library(app_paths, include_bundled=False).add_sources([fifo])
    assert report.added == []
    assert [(s.path, s.reason) for s in report.skipped] == [(str(fifo), "a named pipe (FIFO); only regular files are read")]


def test_a_fifo_that_passes_the_first_check_is_still_never_read(tmp_path, monkeypatch):
    """O_NONBLOCK and the check on the open descriptor: a file swapped for a FIFO after the stat."""
    fifo = tmp_path / "p.txt"
    os.mkfifo(fifo)
    real_stat = os.stat
    regular = os.stat_result((stat.S_IFREG | 0o644,) + tuple(real_stat(fifo))[1:])
    monkeypatch.setattr(parser.os, "stat", lambda path, *a, **k: regular if str(path) == str(fifo) else real_stat(path, *a, **k))
    with fifo_unblocker(fifo), pytest.raises(SkippedFile, match="FIFO"):
        read_article_bytes(fifo)


# ------------------------------------------------------------------ 2. devices


def test_symlink_to_dev_zero_is_skipped_not_read(app_paths, tmp_path):
    source = tmp_path / "s"
    source.mkdir()
    (source / "z.txt").symlink_to("/dev/zero")
    report = Library(app_paths, include_bundled=False).add_sources([source])
    assert report.added == []
    assert [(Path(s.path).name, s.reason) for s in report.skipped] == [("z.txt", "a character device; only regular files are read")]


def test_reads_are_capped_whatever_st_size_says(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    big.write_bytes(b"= T =\n" + b"x" * 2000)
    monkeypatch.setattr(parser, "MAX_FILE_BYTES", 1000)
    real_fstat = os.fstat
    monkeypatch.setattr(parser.os, "fstat", lambda fd: os.stat_result((stat.S_IFREG | 0o644,) + tuple(real_fstat(fd))[1:6] + (0,) + tuple(real_fstat(fd))[7:]))
    with pytest.raises(SkippedFile, match="too large"):
        read_article_bytes(big)


# ------------------------------------------------------------------ 3. repeated headings


def test_repeated_headings_keep_their_ids():
    text = "= T =\n" + "".join(f"== Same ==\nBody {i}.\n" for i in range(5)) + "== Same 2 ==\nx\n== Other ==\n=== Same ===\ny\n"
    ids = [s.id for s in parse_text(text).sections]
    assert ids == ["_lead", "same", "same~2", "same~3", "same~4", "same~5", "same-2", "other", "other/same"]


def test_many_identical_headings_build_a_linear_number_of_candidate_ids(monkeypatch):
    """Each id tried once: the old loop tried ``same~2`` .. ``same~n`` again for the n-th repeat."""
    built = []
    real = parser._suffixed
    monkeypatch.setattr(parser, "_suffixed", lambda base, n: built.append(n) or real(base, n))
    count = 3000
    article = parse_text("= T =\n" + "== Same ==\nx\n" * count)
    assert article.sections[-1].id == f"same~{count}"
    assert len({s.id for s in article.sections}) == count + 1
    assert len(built) <= 2 * count


# ------------------------------------------------------------------ 4. deep lists

DEPTH = 1200


def deep_list_text(depth: int = DEPTH) -> str:
    """A list nested ``depth`` deep (tabs count as two spaces, so each line is one level deeper)."""
    return "= Deep =\nIntro.\n\n" + "".join("\t" * level + f"- word{level}\n" for level in range(depth))


def test_deep_list_is_flattened_beyond_the_limit_with_every_word_kept():
    article = parse_text(deep_list_text())
    [block] = [b for b in article.lead.blocks if isinstance(b, BulletList)]
    items = list(iter_items(block.items))
    assert [i.text for i in items] == [f"word{level}" for level in range(DEPTH)]
    text = article.lead.text()
    assert all(f"word{level}" in text for level in range(DEPTH))
    assert text.splitlines()[-1] == "  " * MAX_LIST_DEPTH + f"- word{DEPTH - 1}"
    assert [w.message for w in article.warnings] == [
        f"list nested deeper than {MAX_LIST_DEPTH} levels; deeper items shown at level {MAX_LIST_DEPTH}"
    ]
    assert article == parse_text(deep_list_text()) and hash(article.lead.blocks[1])  # no recursion in eq/hash
    html = render_article(article).html
    assert html.count("<ul>") == html.count("</ul>") == MAX_LIST_DEPTH + 1 and f"word{DEPTH - 1}" in html


def test_normal_nesting_is_unchanged():
    text = "= T =\n- a\n  - b\n    - c\n  - d\n- e\n"
    article = parse_text(text)
    assert article.lead.text() == "- a\n  - b\n    - c\n  - d\n- e" and article.warnings == ()
    html = render_article(article).html
    assert "<ul><li>a<ul><li>b<ul><li>c</li></ul></li><li>d</li></ul></li><li>e</li></ul>" in html


def test_deep_list_shows_indexes_and_is_found(tmp_path, capsys):
    source = tmp_path / "s"
    source.mkdir()
    (source / "deep.txt").write_text(deep_list_text(), encoding="utf-8")
    data = ["--data-dir", str(tmp_path / "d"), "--no-bundled"]
    assert main(data + ["add", str(source)]) == 0
    assert main(data + ["show", "deep"]) == 0
    assert f"- word{DEPTH - 1}" in capsys.readouterr().out
    assert main(data + ["index", "--rebuild"]) == 0
    assert main(data + ["search", f"word{DEPTH - 1}"]) == 0
    out = capsys.readouterr().out
    assert "[deep#_lead]" in out and "RecursionError" not in out
