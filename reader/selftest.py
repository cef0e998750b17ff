"""``lectern self-test``: prove that an installed or packaged Lectern works here.

Every check runs against a throw-away directory (``lectern-selftest-*`` in the
system temp dir, removed afterwards): the bundled content is parsed, a search
index is built and queried, a note and a bookmark are written and read back
through a fresh database connection, a bundled Kiwix ZIM archive is opened and
its title index asked (libzim is in the build), a second one is searched through
its full-text index and its page's links and images are read (Xapian, lxml),
"did you mean" and the re-finding of an edited quote run on rapidfuzz's compiled
code, and the main window is rendered (offscreen when there is no display) and
shows that archive page's images, one of each type (Qt's image plugins). The
user's own data directory is never opened.

A packaged build leaves out what Lectern does not use (docs/packaging.md); these
checks reach each part it keeps, so a build that drops one too many fails here.

The report has one line per check: a mark, the check's name, what it found and
how long it took. The exit status is 0 when every check passed, 1 otherwise.
A check whose part of the app is missing (say the search package did not make
it into a build) fails with that reason instead of crashing the run; the
checks that depend on it are reported as not run.

Qt is only reached through ``reader.gui.app`` and only by the window check, so
the other checks work (and fail clearly) even where Qt cannot load.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TextIO

from . import APP_NAME, __version__
from .library import Library
from .paths import AppPaths, bundle_root, is_frozen
from .textutil import fold

# A word the bundled seed article spells with Turkish/Azerbaijani letters; typed
# without them it must still find its section (accent folding end to end).
ACCENTED_PHRASE = "Aşağı Ayrım"
PLAIN_QUERY = "Asagi Ayrim"
WORD_QUERY = "ceasefire"
NOTE_TEXT = "self-test note: lecternselftestmarker"
BOOKMARK_NAME = "self-test bookmark"
ICON = Path("icons") / "lectern.svg"
SMALL_ZIM = Path("zim") / "small.zim"  # a one-article Kiwix test archive (content/ATTRIBUTION.md)
# Written by resources/zim/make_selftest_zim.py: a full-text index, a link and one image of each type.
SEARCH_ZIM = Path("zim") / "selftest.zim"
ZIM_WORD = "lecternzimword"  # in the body of its main page only, so only the full-text index finds it
TYPO_QUERY = "ceasfire"  # one edit from WORD_QUERY, a word of the bundled article


class CheckFailed(Exception):
    """A check found something wrong; the message tells the user what."""


@dataclass
class Outcome:
    name: str
    status: str  # "pass", "fail" or "skip"
    detail: str
    seconds: float = 0.0


@dataclass
class Context:
    """What the checks share: the temp locations and what earlier checks found."""

    root: Path
    paths: AppPaths
    library: Library | None = None
    article_id: str = ""
    section_id: str = ""
    accented_section: str = ""
    note_id: str = ""
    archive_page: str = ""  # the article id of SEARCH_ZIM's main page
    archive_images: tuple[str, ...] = ()  # its images' paths inside the archive

    def open_library(self) -> Library:
        if self.library is None:
            self.library = Library(self.paths)
            self.library.rescan()
        return self.library

    def reopen_library(self) -> Library:
        """Close everything and open again: what was saved must come back from disk."""
        self.close()
        return self.open_library()

    def close(self) -> None:
        if self.library is not None:
            self.library.close()
            self.library = None


# ---------------------------------------------------------------------- checks


def check_bundle(ctx: Context) -> str:
    content, resources = ctx.paths.bundled_content, ctx.paths.resources
    missing = [str(p) for p in (content, resources / ICON) if not p.exists()]
    if missing:
        raise CheckFailed("not in the bundle: " + ", ".join(missing))
    mode = "frozen" if is_frozen() else "from source"
    return f"content and resources found ({mode}, {ctx.paths.bundle_root})"


def check_content(ctx: Context) -> str:
    library = ctx.open_library()
    articles = [a for a in library.folders.summaries() if a.bundled]  # the bundled files: a few
    if not articles:
        raise CheckFailed(f"no bundled articles under {ctx.paths.bundled_content}")
    sections = 0
    for summary in articles:
        article = library.article(summary.id)
        sections += len(article.sections)
        for section in article.sections:
            if not ctx.accented_section and ACCENTED_PHRASE in section.text():
                ctx.article_id, ctx.accented_section = summary.id, section.id
    ctx.article_id = ctx.article_id or articles[0].id
    ctx.section_id = library.article(ctx.article_id).sections[-1].id
    return f"{len(articles)} bundled article(s), {sections} sections parsed"


def check_index(ctx: Context) -> str:
    report = ctx.open_library().update_index(rebuild=True)
    return f"built in the temp dir: {_describe(report)}"


def check_search(ctx: Context) -> str:
    results = ctx.open_library().search(WORD_QUERY)
    if not results.hits:
        raise CheckFailed(f"{WORD_QUERY!r} found nothing")
    return f"{WORD_QUERY!r}: {results.total} hit(s), top {results.hits[0].section_id!r}"


def check_accents(ctx: Context) -> str:
    if not ctx.accented_section:
        raise CheckFailed(f"no bundled section contains {ACCENTED_PHRASE!r} to search for")
    library = ctx.open_library()
    for query in (PLAIN_QUERY, ACCENTED_PHRASE, fold(ACCENTED_PHRASE)):
        hits = library.search(query).hits
        if not any(h.article_id == ctx.article_id and h.section_id == ctx.accented_section for h in hits):
            raise CheckFailed(f"{query!r} did not find section {ctx.accented_section!r}")
    return f"{PLAIN_QUERY!r} and {ACCENTED_PHRASE!r} both find {ctx.accented_section!r}"


def check_user_data(ctx: Context) -> str:
    store = ctx.open_library().store
    note = store.add_note(ctx.article_id, ctx.section_id, NOTE_TEXT, tags=("selftest",))
    bookmark = store.add_bookmark(ctx.article_id, ctx.section_id, name=BOOKMARK_NAME)
    store = ctx.reopen_library().store  # a new connection: the rows must come from the file
    notes = {n.id: n for n in store.notes(ctx.article_id)}
    bookmarks = {b.id: b for b in store.bookmarks()}
    back = notes.get(note.id)
    if back is None or back.text != NOTE_TEXT or back.section_id != ctx.section_id:
        raise CheckFailed(f"the note did not come back from {ctx.paths.database}: {back!r}")
    if bookmarks.get(bookmark.id) is None or bookmarks[bookmark.id].name != BOOKMARK_NAME:
        raise CheckFailed(f"the bookmark did not come back from {ctx.paths.database}")
    ctx.note_id = note.id
    return f"a note and a bookmark written and read back ({ctx.paths.database.name})"


def check_note_search(ctx: Context) -> str:
    library = ctx.open_library()
    library.update_index()
    hits = library.search("lecternselftestmarker", notes_only=True).hits
    if not any(h.note_id == ctx.note_id for h in hits):
        raise CheckFailed("the new note is not searchable")
    return "the note is in the search index"


def check_archive(ctx: Context) -> str:
    """libzim made it into the build: a bundled ZIM is added, its main page read and its title index asked."""
    library = ctx.open_library()
    report = library.add_sources([ctx.paths.resources / SMALL_ZIM])
    if report.skipped:
        raise CheckFailed(f"the test archive was refused: {report.skipped[0].reason}")
    main = library.article_for_path(ctx.paths.resources / SMALL_ZIM)
    article = library.article(main.id) if main is not None else None
    if article is None or not article.plain_text().strip():
        raise CheckFailed("the test archive's main page is empty")
    found = library.titles_with_prefix(article.title[:4])
    if main.id not in {entry.id for entry in found}:
        raise CheckFailed(f"the archive's title index did not find {article.title!r}")
    return f"{SMALL_ZIM.name}: {article.title!r} read and found by its title"


def check_archive_search(ctx: Context) -> str:
    """libzim's full-text search (Xapian) answers, and the page's links and images are found (lxml.etree)."""
    library = ctx.open_library()
    path = ctx.paths.resources / SEARCH_ZIM
    report = library.add_sources([path])
    if report.skipped:
        raise CheckFailed(f"{SEARCH_ZIM.name} was refused: {report.skipped[0].reason}")
    main = library.article_for_path(path)
    if main is None:
        raise CheckFailed(f"{SEARCH_ZIM.name} has no main page")
    if not any(hit.article_id == main.id for hit in library.search(ZIM_WORD).hits):
        raise CheckFailed(f"{ZIM_WORD!r} did not find {main.id!r} through the archive's full-text index")
    page = library.article(main.id)  # converted through lxml, keeping the page's links and images
    linked = [link.target for link in _paragraph_links(page) if not link.external]
    if not linked or not all(library.has_article(target.split("#")[0]) for target in linked):
        raise CheckFailed(f"the links of {main.id!r} were not found or do not lead to its articles: {linked}")
    if not page.images:
        raise CheckFailed(f"no image found in {main.id!r}")
    ctx.archive_page, ctx.archive_images = main.id, tuple(image for _, image in page.images)
    return f"{ZIM_WORD!r} found in {SEARCH_ZIM.name}; {len(linked)} link(s), {len(page.images)} image(s) in its page"


def _paragraph_links(article):
    from .model import Paragraph

    for section in article.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                yield from block.links


def check_fuzzy(ctx: Context) -> str:
    """rapidfuzz's compiled code made it into the build. Its dispatch falls back to pure Python
    without a word when it is missing (hundreds of times slower), so that is checked by name."""
    from .search import spelling
    from .userdata import fuzzy

    calls = (fuzzy.fuzz.ratio, fuzzy.fuzz.partial_ratio_alignment, spelling.Levenshtein.distance)
    slow = sorted({call.__module__ for call in calls if "_cpp" not in call.__module__})
    if slow:
        raise CheckFailed(f"rapidfuzz runs its pure-Python fallback ({', '.join(slow)}): its compiled modules are missing")
    library = ctx.open_library()
    corrected = library.search(TYPO_QUERY).corrected
    if corrected != WORD_QUERY:
        raise CheckFailed(f"did you mean: {TYPO_QUERY!r} was corrected to {corrected!r}, not {WORD_QUERY!r}")
    text = library.article(ctx.article_id).plain_text()
    start = len(text) // 2
    quote = text[start:start + 60]
    edited = quote[:20] + quote[21] + quote[20] + quote[22:]  # two letters swapped: the exact match fails
    found = fuzzy.find_similar(text, edited, text[start - 32:start], text[start + 60:start + 92])
    if found is None or abs(found.span[0] - start) > 2:
        raise CheckFailed(f"an edited quote was not found again at {start}: {found!r}")
    return f"{TYPO_QUERY!r} -> {corrected!r}, an edited quote found again ({calls[0].__module__})"


def check_window(ctx: Context) -> str:
    platform = use_offscreen_without_display(os.environ)
    from .gui.selftest_window import WindowCheckFailed, render_main_window  # the only way into Qt

    try:
        report = render_main_window(ctx.open_library(), ctx.paths, ctx.article_id, ctx.accented_section,
                                    ctx.archive_page, ctx.archive_images)
    except WindowCheckFailed as exc:
        raise CheckFailed(str(exc)) from None
    return f"{report}, platform {platform or 'default'}"


def use_offscreen_without_display(environ) -> str | None:
    """Pick Qt's offscreen platform when nothing says otherwise and there is no display."""
    if environ.get("QT_QPA_PLATFORM"):
        return environ["QT_QPA_PLATFORM"]
    if sys.platform.startswith("linux") and not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        environ["QT_QPA_PLATFORM"] = "offscreen"
        return "offscreen"
    return None


Check = tuple[str, Callable[[Context], str], tuple[str, ...]]

CHECKS: list[Check] = [
    ("bundle", check_bundle, ()),
    ("content", check_content, ("bundle",)),
    ("index", check_index, ("content",)),
    ("search", check_search, ("index",)),
    ("accents", check_accents, ("index",)),
    ("user data", check_user_data, ("content",)),
    ("note search", check_note_search, ("index", "user data")),
    ("archive", check_archive, ("bundle",)),
    ("archive search", check_archive_search, ("index",)),
    ("fuzzy", check_fuzzy, ("index",)),
    ("window", check_window, ("content",)),
]


# ---------------------------------------------------------------------- running


def run_checks(ctx: Context, checks: list[Check], verbose: bool = False,
               report: Callable[[Outcome], None] = lambda outcome: None) -> list[Outcome]:
    """Run the checks in order, skipping those whose prerequisites did not pass; ``report`` each outcome."""
    outcomes: dict[str, Outcome] = {}
    for name, check, needs in checks:
        blocked = [n for n in needs if outcomes.get(n) is None or outcomes[n].status != "pass"]
        if blocked:
            outcomes[name] = Outcome(name, "skip", "not run: needs " + ", ".join(blocked))
        else:
            outcomes[name] = _run_one(ctx, name, check, verbose)
        report(outcomes[name])
    return list(outcomes.values())


def _run_one(ctx: Context, name: str, check: Callable[[Context], str], verbose: bool) -> Outcome:
    started = time.perf_counter()
    try:
        outcome = Outcome(name, "pass", check(ctx))
    except CheckFailed as exc:
        outcome = Outcome(name, "fail", str(exc))
    except Exception as exc:  # noqa: BLE001 - a self-test reports every failure, whatever it is
        outcome = Outcome(name, "fail", _explain(exc))
        if verbose:
            traceback.print_exc()
    outcome.seconds = time.perf_counter() - started
    return outcome


def run_self_test(out: TextIO, verbose: bool = False, keep: bool = False, checks: list[Check] | None = None) -> int:
    """Run every check in a fresh temp dir, printing a line as each finishes; return the exit status."""
    checks = CHECKS if checks is None else checks
    root = Path(tempfile.mkdtemp(prefix="lectern-selftest-"))
    _private_runtime_dir(root)
    ctx = Context(root, AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure())
    line = _report_line(out, width=max(len(name) for name, _, _ in checks + [("clean-up", None, ())]))
    out.write(f"{APP_NAME} {__version__} self-test ({'frozen' if is_frozen() else 'from source'}, Python {sys.version.split()[0]})\n")
    started = time.perf_counter()
    try:
        outcomes = run_checks(ctx, checks, verbose, report=line)
    finally:
        outcomes_after = _clean_up(ctx, root, keep, out)
    for outcome in outcomes_after:
        line(outcome)
    outcomes += outcomes_after
    failed = [o.name for o in outcomes if o.status != "pass"]
    total = _ms(time.perf_counter() - started)
    if failed:
        out.write(f"self-test FAILED: {', '.join(failed)} ({len(outcomes) - len(failed)} of {len(outcomes)} passed, {total})\n")
        return 1
    out.write(f"self-test passed: {len(outcomes)} checks in {total}\n")
    return 0


def _clean_up(ctx: Context, root: Path, keep: bool, out: TextIO) -> list[Outcome]:
    """Close the library and remove the temp dir; a failure to close is a failed check too."""
    try:
        ctx.close()
        failure = []
    except Exception as exc:  # noqa: BLE001
        failure = [Outcome("clean-up", "fail", f"closing the index and database: {_explain(exc)}")]
    if keep:
        out.write(f"kept the temp dir {root}\n")
    else:
        shutil.rmtree(root, ignore_errors=True)
    return failure


def _report_line(out: TextIO, width: int) -> Callable[[Outcome], None]:
    marks = _marks(out)

    def line(o: Outcome) -> None:
        timing = f"  ({_ms(o.seconds)})" if o.status != "skip" else ""
        out.write(f"{marks[o.status]} {o.name:<{width}}  {o.detail}{timing}\n")
        out.flush()

    return line


# ---------------------------------------------------------------------- helpers


def _private_runtime_dir(root: Path) -> None:
    """Qt wants XDG_RUNTIME_DIR (0700); give it a temp one when the environment has none (env -i)."""
    if sys.platform.startswith("linux") and not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = root / "runtime"
        runtime.mkdir(mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def _explain(exc: Exception) -> str:
    if isinstance(exc, ImportError):
        return f"part of the app is missing: {exc}"
    return f"{type(exc).__name__}: {exc}"


def _describe(report: object) -> str:
    """A short description of an IndexReport, whatever fields it has: the ones that say something."""
    fields = getattr(report, "__dataclass_fields__", None)
    if not fields:
        return str(report)
    parts = []
    for name in fields:
        value = getattr(report, name)
        if isinstance(value, (list, tuple, set, dict)):
            value = len(value)
        if value is True:
            parts.append(name)
        elif isinstance(value, float) and value:
            parts.append(f"{name} {value:.2f}")
        elif isinstance(value, int) and not isinstance(value, bool) and value:
            parts.append(f"{name} {value}")
    return ", ".join(parts) or "nothing to do"


def _marks(out: TextIO) -> dict[str, str]:
    """Check marks, or plain words where the console cannot print them (a legacy Windows code page)."""
    try:
        "✓✗–".encode(getattr(out, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        return {"pass": "ok  ", "fail": "FAIL", "skip": "--  "}
    return {"pass": "✓", "fail": "✗", "skip": "–"}


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"
