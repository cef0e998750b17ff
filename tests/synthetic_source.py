"""A source of any number of articles generated on the fly (nothing on disk), and a
wrapper that counts what every call hands out.

Titles are "<Word> <number>" with the words in alphabetical order (the NATO
alphabet), so row ``i`` is the ``i``-th title in folded order and a prefix is
found by bisection over titles computed on demand.
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass, field

from reader.errors import UnknownArticleError
from reader.parser import parse_text
from reader.sources.base import ChangeSet, TitleEntry
from reader.textutil import fold

WORDS = ("Alfa", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf", "Hotel", "India", "Juliett",
         "Kilo", "Lima", "Mike", "November", "Oscar", "Papa", "Quebec", "Romeo", "Sierra", "Tango",
         "Uniform", "Victor", "Whiskey", "Xray", "Yankee", "Zulu")
ID_PREFIX = "syn-"


class SyntheticSource:
    """``size`` articles; ids ``syn-0000000``...; not in Lectern's full-text index."""

    id = "synthetic"
    label = "Synthetic archive"
    indexed = False

    def __init__(self, size: int = 1_000_000):
        self.size = size
        self._per_word = -(-size // len(WORDS))
        self._folded = _FoldedTitles(self)

    def title_of(self, row: int) -> str:
        return f"{WORDS[row // self._per_word]} {row:07d}"

    def _entry(self, row: int) -> TitleEntry:
        return TitleEntry(f"{ID_PREFIX}{row:07d}", self.title_of(row), "", f"synthetic archive, entry {row}")

    def _row(self, article_id: str) -> int | None:
        digits = article_id[len(ID_PREFIX):] if article_id.startswith(ID_PREFIX) else ""
        row = int(digits) if digits.isdigit() and len(digits) == 7 else -1
        return row if 0 <= row < self.size else None

    def count(self) -> int:
        return self.size

    def titles(self, offset: int, limit: int) -> list[TitleEntry]:
        return [self._entry(row) for row in range(max(0, offset), min(self.size, offset + max(0, limit)))]

    def titles_with_prefix(self, prefix: str, limit: int) -> list[TitleEntry]:
        start = bisect.bisect_left(self._folded, prefix)
        found = []
        for row in range(start, self.size):
            if len(found) >= limit or not self._folded[row].startswith(prefix):
                break
            found.append(self._entry(row))
        return found

    titles_matching = titles_with_prefix  # an archive filters by prefix only

    def find_title(self, title: str) -> TitleEntry | None:
        wanted = fold(title).strip()
        row = bisect.bisect_left(self._folded, wanted)
        return self._entry(row) if row < self.size and self._folded[row] == wanted else None

    def entry(self, article_id: str) -> TitleEntry | None:
        row = self._row(article_id)
        return self._entry(row) if row is not None else None

    def position(self, article_id: str) -> int | None:
        return self._row(article_id)

    def article(self, article_id: str):
        row = self._row(article_id)
        if row is None:
            raise UnknownArticleError(article_id)
        title = self.title_of(row)
        return parse_text(f"= {title} =\n\nGenerated article number {row}.\n\n== Details ==\n\nMore about {title}.\n",
                          article_id)

    def fingerprint(self, article_id: str) -> str | None:
        return "v1" if self._row(article_id) is not None else None

    def version(self) -> str:
        return f"synthetic-{self.size}"

    def changes_since(self, version: str) -> ChangeSet | None:
        return ChangeSet() if version == self.version() else None


class _FoldedTitles:
    """The folded titles as a read-only sequence, computed on demand (for ``bisect``)."""

    def __init__(self, source: SyntheticSource):
        self._source = source

    def __len__(self) -> int:
        return self._source.size

    def __getitem__(self, row: int) -> str:
        return self._source.title_of(row).casefold()


@dataclass
class CallLog:
    """What a :class:`CountingSource` handed out: per call, and in all."""

    page: int
    calls: list[tuple[str, int]] = field(default_factory=list)  # (method, titles yielded)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def total(self) -> int:
        return sum(n for _, n in self.calls)

    @property
    def largest(self) -> int:
        return max((n for _, n in self.calls), default=0)


class CountingSource:
    """Wraps a source; every call that yields titles is logged, and one that asks for more
    than ``page`` titles fails at once (an AssertionError, whoever called)."""

    def __init__(self, inner, page: int):
        self.inner = inner
        self.log = CallLog(page)
        self.id, self.label, self.indexed = inner.id, inner.label, inner.indexed

    def _ask(self, method: str, limit: int, *args) -> list:
        """Refuse a request for more than a page before the source does the work, then count."""
        assert limit <= self.log.page, f"{method} asked for {limit} titles (more than a page)"
        found = getattr(self.inner, method)(*args, limit)
        with self.log.lock:
            self.log.calls.append((method, len(found)))
        return found

    def titles(self, offset: int, limit: int) -> list[TitleEntry]:
        return self._ask("titles", limit, offset)

    def titles_with_prefix(self, prefix: str, limit: int) -> list[TitleEntry]:
        return self._ask("titles_with_prefix", limit, prefix)

    def titles_matching(self, text: str, limit: int) -> list[TitleEntry]:
        return self._ask("titles_matching", limit, text)

    def __getattr__(self, name: str):  # count, find_title, entry, position, article, fingerprint, version...
        return getattr(self.inner, name)
