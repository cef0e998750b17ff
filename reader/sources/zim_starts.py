"""Titles that start with typed text, read from an archive's path order instead of its title index.

libzim's title index (Xapian) answers a very common prefix ("The") slowly: it
expands the prefix to every indexed word that starts with it and ranks them
all, 17-20 ms at 200,000 articles (docs/zim.md, "Suggestions"). The Python
binding has no title-ordered lookup, but entries are stored in path order and
``_get_entry_by_id`` reads them by position, so in an archive whose article
paths are its titles with spaces as underscores (mwoffliner's Wikipedia and
the rest: ``The_Beatles`` is "The Beatles") the titles starting with some text
are a few runs of positions: one per case spelling of the text ("the b" is
``The_B``, ``The_b``, ``THE_B``...). Each run is found by binary search, one
character at a time so that only spellings the archive holds are followed, and
walked forward for at most a few entries per title wanted.

So an answer touches O(spellings x length x log n + limit) entries, never the
archive. :class:`TitleStarts` gives up (``None``: the title index answers) when
the archive's paths are not its titles (warc2zim, zimwriterfs: decided once per
archive from a sample) or when the text has more than ``MAX_SPELLINGS``
spellings in the archive. It is exact about case; text typed without an accent
does not find titles spelled with one (``fold`` would match them), which the
title index then adds when the runs give fewer titles than wanted.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

from ..errors import LecternError
from ..textutil import fold

if TYPE_CHECKING:
    from .zim_archive import ZimArchive, ZimEntry

MIRROR_SAMPLES = 16  # articles looked at (spread over the archive) to tell whether paths are titles
SAMPLE_WALK = 64  # entries walked from each sample point to its next article
MAX_SPELLINGS = 8  # case spellings followed at once; more and the title index answers
WALK_PER_TITLE = 4  # entries walked per title wanted in one run (skipping images and repeats)...
WALK_SLACK = 32  # ...plus this many
_SPACES = re.compile(r"\s+")


def typed_text(typed: str) -> str:
    """Typed text as titles spell it: leading spaces dropped, a run of spaces as one."""
    return _SPACES.sub(" ", typed.lstrip())


def spellings(char: str) -> list[str]:
    """The case spellings of one typed character, as typed first: ``t`` -> ``t``, ``T``."""
    found: list[str] = []
    for spelling in (char, char.upper(), char.lower()):
        if spelling not in found:
            found.append(spelling)
    return found


def _order(match: tuple[str, "ZimEntry"]) -> tuple[str, str]:
    """Folded title order; the path breaks ties (two spellings of one title)."""
    return match[0], match[1].path


def _preferred(match: tuple[str, "ZimEntry"]) -> tuple[bool, str, str]:
    """Which of the matches of one article to keep: its own title before a redirect's, then order."""
    return bool(match[1].matched), *_order(match)


class TitleStarts:
    """Start-of-title matches of one archive found in its path order (see the module's docstring)."""

    def __init__(self, archive: "ZimArchive"):
        self.archive = archive
        self._mirrors: bool | None = None

    @property
    def paths_are_titles(self) -> bool:
        """Whether the archive's article paths are their titles with ``_`` for spaces: all but
        one in eight of ``MIRROR_SAMPLES`` articles spread over the archive (decided once)."""
        if self._mirrors is None:
            sampled = self._sample()
            mirrored = sum(1 for path, title in sampled if path == title.replace(" ", "_"))
            self._mirrors = bool(sampled) and mirrored * 8 >= len(sampled) * 7
        return self._mirrors

    def find(self, typed: str, limit: int) -> list["ZimEntry"] | None:
        """Up to ``limit`` articles whose title starts with ``typed`` (folded), in folded title order;
        redirects give their target, once. None when the path order cannot answer."""
        text = typed_text(typed)
        if not text or limit <= 0 or not self.paths_are_titles:
            return None
        paths: dict[int, str] = {}  # the positions read by this answer's binary searches
        budget = limit * WALK_PER_TITLE + WALK_SLACK
        runs = self._runs(text.replace(" ", "_"), lambda index: self._path_at(index, paths), budget)
        if runs is None:
            return None
        folded = fold(text)
        found: dict[str, tuple[str, "ZimEntry"]] = {}
        for low, high in runs:
            for path, match in self._walk(low, min(high, low + budget), folded).items():
                found[path] = min(found.get(path, match), match, key=_preferred)
        return [entry for _, entry in sorted(found.values(), key=_order)[:limit]]

    def _runs(self, path: str, path_at: Callable[[int], str], budget: int) -> list[tuple[int, int]] | None:
        """The runs of positions whose path starts with a case spelling of ``path``, narrowed one
        character at a time; narrowing stops early once the runs are short enough to walk whole."""
        prefix = "A/" if self.archive.old_namespaces else ""
        first, end = self.archive._range
        runs = [(prefix, first, end)]
        for char in path:
            if sum(high - low for _, low, high in runs) <= budget:
                break  # walking them (their titles checked) costs less than narrowing further
            narrowed = []
            for start, low, high in runs:
                for spelling in spellings(char):
                    key = start + spelling
                    first = self.archive._bisect_ids(low, high, lambda index: path_at(index) < key)
                    end = self.archive._bisect_ids(first, high, lambda index: path_at(index).startswith(key))
                    if first < end:
                        narrowed.append((key, first, end))
            if len(narrowed) > MAX_SPELLINGS:
                return None
            runs = narrowed
        return [(low, high) for _, low, high in runs]

    def _walk(self, low: int, high: int, folded: str) -> dict[str, tuple[str, "ZimEntry"]]:
        """{path: (folded title, article)} of the entries in ``low..high`` whose own title starts with
        ``folded``; a redirect gives its target (once: by its own title when that matches too,
        else by the redirect's title, kept as ``matched``).

        The whole window is walked, not just until ``limit`` titles: path order puts ``OTTER_LODGE``
        before ``Otter``, so the folded order's first titles are picked from all that was read."""
        found: dict[str, tuple[str, "ZimEntry"]] = {}
        for index in range(low, high):
            entry = self.archive._guard(lambda: self.archive._archive._get_entry_by_id(index), f"entry {index}")
            title = fold(entry.title)
            if not title.startswith(folded):
                continue
            try:
                article = self.archive._article_of(entry)
            except LecternError:  # ZimError
                continue  # a redirect loop, a damaged entry: the title index would not give it either
            if article is not None:
                match = (title, self.archive.redirected(entry, self.archive._entry(article)))
                found[match[1].path] = min(found.get(match[1].path, match), match, key=_preferred)
        return found

    def _path_at(self, index: int, paths: dict[int, str]) -> str:
        if index not in paths:
            paths[index] = self.archive._guard(lambda: self.archive._archive._get_entry_by_id(index).path,
                                               "entry index")
        return paths[index]

    def _sample(self) -> list[tuple[str, str]]:
        """(path without namespace, stored title) of up to ``MIRROR_SAMPLES`` articles spread over the archive."""
        first, end = self.archive._range
        sampled: dict[str, str] = {}
        for number in range(MIRROR_SAMPLES):
            start = first + (end - first) * number // MIRROR_SAMPLES
            for index in range(start, min(end, start + SAMPLE_WALK)):
                entry = self.archive._guard(lambda: self.archive._archive._get_entry_by_id(index), f"entry {index}")
                if not entry.is_redirect and self.archive._is_article(entry):
                    sampled[self.archive._strip_namespace(entry.path)] = entry.title
                    break
        return list(sampled.items())
