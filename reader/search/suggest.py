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
        """``entries``: (label, article id, section id or None for the title).

        Built on the first suggestion after the index changed, so it is kept
        lean: one pass appending to bound methods, then each group sorted as
        row numbers by key (a stable sort keeps equal keys in entry order,
        as sorting (key, row) pairs did, at half the cost).
        """
        self._payload: list[tuple[str, str, str | None]] = []
        keys: list[list[str]] = [[], [], [], []]
        rows: list[list[int]] = [[], [], [], []]
        add_key = [k.append for k in keys]
        add_row = [r.append for r in rows]
        add_payload, word_starts = self._payload.append, _WORD_START.finditer
        for index, (label, article_id, section_id) in enumerate(entries):
            add_payload((label, article_id, section_id))
            folded = label.casefold() if label.isascii() else fold(label)  # same result, 10x faster
            heading = section_id is not None
            add_key[heading](folded[:MAX_KEY])
            add_row[heading](index)
            for match in word_starts(folded, 1):
                start = match.start()
                add_key[2 + heading](folded[start:start + MAX_KEY])
                add_row[2 + heading](index)
        self._keys: list[list[str]] = []
        self._rows: list[list[int]] = []
        for group_keys, group_rows in zip(keys, rows):
            order = sorted(range(len(group_keys)), key=group_keys.__getitem__)
            self._keys.append([group_keys[i] for i in order])
            self._rows.append([group_rows[i] for i in order])

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
