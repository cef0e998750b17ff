"""Suggestions as you type: article titles and section headings by prefix.

No Whoosh here: four sorted lists of folded keys searched with ``bisect``
answer in microseconds. Ranking: a title starting with the typed text, then a
heading starting with it, then titles and headings with a *word* starting with
it; alphabetical within each group.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Iterable

from ..textutil import fold
from .results import Suggestion

MAX_KEY = 48  # characters of a label kept in a key: enough to tell labels apart
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")  # a letter or digit after a non-word character


class SuggestionIndex:
    def __init__(self, entries: Iterable[tuple[str, str, str | None]]):
        """``entries``: (label, article id, section id or None for the title)."""
        self._payload: list[tuple[str, str, str | None]] = []
        groups: list[list[tuple[str, int]]] = [[], [], [], []]
        for label, article_id, section_id in entries:
            index = len(self._payload)
            self._payload.append((label, article_id, section_id))
            folded = label.casefold() if label.isascii() else fold(label)  # same result, 10x faster
            heading = section_id is not None
            groups[heading].append((folded[:MAX_KEY], index))
            for match in _WORD_START.finditer(folded):
                if match.start() > 0:
                    groups[2 + heading].append((folded[match.start():match.start() + MAX_KEY], index))
        self._keys: list[list[str]] = []
        self._rows: list[list[int]] = []
        for group in groups:
            group.sort()
            self._keys.append([key for key, _ in group])
            self._rows.append([row for _, row in group])

    def __len__(self) -> int:
        return len(self._payload)

    def lookup(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        wanted = fold(prefix).strip()[:MAX_KEY]
        if not wanted or limit <= 0:
            return []
        found: list[Suggestion] = []
        seen: set[int] = set()
        for keys, rows in zip(self._keys, self._rows):
            i = bisect_left(keys, wanted)
            while i < len(keys) and keys[i].startswith(wanted) and len(found) < limit:
                row = rows[i]
                if row not in seen:
                    seen.add(row)
                    label, article_id, section_id = self._payload[row]
                    found.append(Suggestion(article_id, section_id, label))
                i += 1
            if len(found) >= limit:
                break
        return found
