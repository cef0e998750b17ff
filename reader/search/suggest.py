"""Suggestions as you type: article titles and section headings by prefix.

No Whoosh here: four sorted lists of folded keys searched with ``bisect``
answer in microseconds. Ranking: a title starting with the typed text, then a
heading starting with it, then titles and headings with a *word* starting with
it; alphabetical within each group (then by article id and order in the article).

Building the lists costs ~13 µs per label (2.5 s for the 650,000 titles and
headings of 100,000 articles), so they are built when the index is built and
kept on disk (:func:`write_lists`, one ``suggest-<generation>.bin`` per
generation folder); a process maps the file (:class:`DiskSuggestions`) on its
first suggestion and reads only the keys its lookups touch. Articles changed
since (the catalog journal's records) are a small in-memory
:class:`SuggestionIndex` laid over it (:class:`LayeredSuggestions`), their
old rows in the file skipped.
"""

from __future__ import annotations

import heapq
import marshal
import mmap
import os
import re
import shutil
import struct
from array import array
from bisect import bisect_left
from itertools import accumulate
from pathlib import Path
from typing import Iterable, Iterator

from ..textutil import fold
from .results import Suggestion

MAX_KEY = 48  # characters of a label kept in a key: enough to tell labels apart
GROUPS = 4  # titles, headings, titles by an inner word, headings by an inner word
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")  # a letter or digit after a non-word character

Entry = tuple[str, str, "str | None"]  # (label, article id, section id or None for the title)
Match = tuple[str, str, int, int, str, "str | None"]  # (key, article id, row, source, label, section id)


class SuggestionIndex:
    def __init__(self, entries: Iterable[Entry]):
        """``entries``: (label, article id, section id or None for the title), by article id.

        Kept lean: one pass appending to bound methods, then each group sorted
        as row numbers by key (a stable sort keeps equal keys in entry order,
        as sorting (key, row) pairs did, at half the cost).
        """
        self._payload: list[Entry] = []
        keys: list[list[str]] = [[] for _ in range(GROUPS)]
        rows: list[list[int]] = [[] for _ in range(GROUPS)]
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
        return _collect([self], prefix, limit)

    def entries(self) -> Iterator[Entry]:
        return iter(self._payload)

    def close(self) -> None:
        """Nothing to release (the lists file's :meth:`DiskSuggestions.close` does)."""

    def matches(self, group: int, wanted: str, source: int = 0) -> Iterator[Match]:
        """The entries of ``group`` whose key starts with ``wanted`` (folded), in order."""
        keys, rows = self._keys[group], self._rows[group]
        i = bisect_left(keys, wanted)
        while i < len(keys) and keys[i].startswith(wanted):
            row = rows[i]
            label, article_id, section_id = self._payload[row]
            yield keys[i], article_id, row, source, label, section_id
            i += 1


def _collect(lists: list, prefix: str, limit: int, skip: frozenset | set = frozenset()) -> list[Suggestion]:
    """The first ``limit`` suggestions of ``lists`` (each with ``matches``) for ``prefix``, group by
    group, the lists' matches merged in order; entries of the articles in ``skip`` of the first list
    (the file, when a newer list of those articles is laid over it) are left out."""
    wanted = fold(prefix).strip()[:MAX_KEY]
    if not wanted or limit <= 0:
        return []
    found: list[Suggestion] = []
    seen: set[tuple[int, int]] = set()
    for group in range(GROUPS):
        streams = [source.matches(group, wanted, number) for number, source in enumerate(lists)]
        for key, article_id, row, source, label, section_id in heapq.merge(*streams) if len(streams) > 1 else streams[0]:
            if (source, row) in seen or (source == 0 and article_id in skip):
                continue
            seen.add((source, row))
            found.append(Suggestion(article_id, section_id, label))
            if len(found) >= limit:
                return found
    return found


# ---------------------------------------------------------------------- on disk

_MAGIC = b"LSUG"
_FORMAT = 1
_HEAD = struct.Struct("<4sIqI")  # magic, format, generation, length of the marshalled table that follows


def lists_file(folder: Path, generation: int) -> Path:
    return folder / f"suggest-{generation}.bin"


def write_lists(folder: Path, generation: int, index: SuggestionIndex) -> Path:
    """Write ``index`` as the suggestion lists of ``generation`` (atomically: a temporary file renamed);
    older lists files of the folder are removed (where the OS lets: a mapped file on Windows stays)."""
    return _write(folder, generation, index._payload, lambda group: (index._keys[group], index._rows[group]))


def write_entry_lists(folder: Path, generation: int, entries: list[Entry]) -> Path:
    """Write the lists of ``entries`` (as :class:`SuggestionIndex` takes them) without building that
    index: each group's keys are made, sorted, written and dropped in turn. At the end of a full
    build of 100,000 articles the whole index in memory (~2.5 million keys) was the build's peak."""
    return _write(folder, generation, entries, lambda group: _group_keys(entries, group))


def _group_keys(entries: list[Entry], group: int) -> tuple[list[str], list[int]]:
    """The sorted keys of one group of :class:`SuggestionIndex` and their entries' rows (the same
    lists: keys appended in entry order, then a stable sort)."""
    headings, inner = group % 2 == 1, group >= 2
    keys: list[str] = []
    rows: list[int] = []
    add_key, add_row, word_starts = keys.append, rows.append, _WORD_START.finditer
    for index, (label, _, section_id) in enumerate(entries):
        if (section_id is not None) != headings:
            continue
        folded = label.casefold() if label.isascii() else fold(label)
        if not inner:
            add_key(folded[:MAX_KEY])
            add_row(index)
            continue
        for match in word_starts(folded, 1):
            start = match.start()
            add_key(folded[start:start + MAX_KEY])
            add_row(index)
    order = sorted(range(len(keys)), key=keys.__getitem__)
    return [keys[i] for i in order], [rows[i] for i in order]


def _write(folder: Path, generation: int, payload: list[Entry], group_lists) -> Path:
    """The lists file of ``payload`` and ``group_lists(group) -> (sorted keys, rows)``. The parts are
    encoded one at a time into a scratch file, then copied behind the header (whose table of offsets
    is known only at the end), so no two groups' encoded keys are held at once."""
    path = lists_file(folder, generation)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    scratch = tmp.with_name(tmp.name + ".parts")
    table, position = {"count": len(payload)}, 0
    try:
        with open(scratch, "w+b") as parts:
            for name, data, typecode in _parts(payload, group_lists):
                table[name] = (position, len(data), typecode)
                position += len(data)
                parts.write(data)
            head = marshal.dumps(table)
            parts.seek(0)
            with open(tmp, "wb") as handle:
                handle.write(_HEAD.pack(_MAGIC, _FORMAT, generation, len(head)) + head)
                shutil.copyfileobj(parts, handle, 1 << 20)
    finally:
        scratch.unlink(missing_ok=True)
    os.replace(tmp, path)
    remove_lists(folder, keep=path)
    return path


def _parts(entries: list[Entry], group_lists) -> Iterator[tuple[str, bytes, str]]:
    """(name, bytes, array typecode or "") of each part of a lists file, in file order, made one by one."""
    payload = [marshal.dumps(entry) for entry in entries]
    yield "payload", b"".join(payload), ""
    yield ("payload_at", *_offsets(payload))
    del payload
    for group in range(GROUPS):
        keys, rows = group_lists(group)
        encoded = [key.encode("utf-8") for key in keys]
        del keys
        yield f"keys{group}", b"".join(encoded), ""
        yield (f"keys_at{group}", *_offsets(encoded))
        del encoded
        yield (f"rows{group}", *_packed(rows))


def _offsets(chunks: list[bytes]) -> tuple[bytes, str]:
    """Where each chunk starts in their concatenation, and where the last ends."""
    return _packed(list(accumulate((len(c) for c in chunks), initial=0)))


def _packed(numbers: list[int]) -> tuple[bytes, str]:
    typecode = "I" if not numbers or max(numbers) < 2 ** 32 else "Q"
    return array(typecode, numbers).tobytes(), typecode


def remove_lists(folder: Path, keep: Path | None = None) -> None:
    for path in folder.glob("suggest-*.bin"):
        if path != keep:
            try:
                path.unlink()
            except OSError:  # Windows: mapped by a process that still reads it; removed next time
                pass


def newest_lists(folder: Path, at_most: int) -> "tuple[int, Path] | None":
    """(generation, path) of the newest lists file for a generation up to ``at_most``."""
    found = []
    for path in folder.glob("suggest-*.bin"):
        number = path.stem.partition("-")[2]
        if number.isdigit() and int(number) <= at_most:
            found.append((int(number), path))
    return max(found, default=None)


class DiskSuggestions:
    """A lists file mapped into memory; lookups read only the keys they compare."""

    def __init__(self, path: Path):
        """Raises ``ValueError`` (or ``OSError``) when the file is not a complete lists file."""
        with open(path, "rb") as handle:
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        try:
            magic, version, self.generation, head_length = _HEAD.unpack_from(self._map, 0)
            if magic != _MAGIC or version != _FORMAT:
                raise ValueError(f"{path.name} is not a suggestion lists file of format {_FORMAT}")
            table = marshal.loads(self._map[_HEAD.size:_HEAD.size + head_length])
            start = _HEAD.size + head_length
            self._views: list[memoryview] = []
            self._payload = self._part(table, "payload", start)
            self._payload_at = self._part(table, "payload_at", start)
            self._keys = [self._part(table, f"keys{g}", start) for g in range(GROUPS)]
            self._keys_at = [self._part(table, f"keys_at{g}", start) for g in range(GROUPS)]
            self._rows = [self._part(table, f"rows{g}", start) for g in range(GROUPS)]
            self._count = table["count"]
        except (struct.error, KeyError, TypeError, EOFError):
            self.close()
            raise ValueError(f"{path.name} is damaged") from None
        except BaseException:
            self.close()
            raise

    def _part(self, table: dict, name: str, start: int) -> memoryview:
        position, length, typecode = table[name]
        if start + position + length > len(self._map):
            raise ValueError("the lists file ends early")
        view = memoryview(self._map)[start + position:start + position + length]
        self._views.append(view)
        if typecode:
            view = view.cast(typecode)
            self._views.append(view)
        return view

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        """Unmap (a view still held elsewhere keeps it mapped until it is collected)."""
        for view in reversed(getattr(self, "_views", [])):
            view.release()
        try:
            self._map.close()
        except BufferError:
            pass

    def entry(self, row: int) -> Entry:
        return marshal.loads(self._payload[self._payload_at[row]:self._payload_at[row + 1]])

    def entries(self) -> Iterator[Entry]:
        for row in range(self._count):
            yield self.entry(row)

    def matches(self, group: int, wanted: str, source: int = 0) -> Iterator[Match]:
        keys, starts, rows = self._keys[group], self._keys_at[group], self._rows[group]
        target = wanted.encode("utf-8")
        i = bisect_left(range(len(rows)), target, key=lambda n: keys[starts[n]:starts[n + 1]].tobytes())
        while i < len(rows):
            key = keys[starts[i]:starts[i + 1]].tobytes()
            if not key.startswith(target):
                break
            row = rows[i]
            label, article_id, section_id = self.entry(row)
            yield key.decode("utf-8"), article_id, row, source, label, section_id
            i += 1


class LayeredSuggestions:
    """The lists file with the articles changed since laid over it (their rows in the file skipped)."""

    def __init__(self, base: "DiskSuggestions | SuggestionIndex | None", changed: dict):
        """``changed``: article id -> (title, ((section id, heading), ...)), or None when removed."""
        self.base = base
        self.skip = set(changed)
        self._changed = sorted((a, e) for a, e in changed.items() if e is not None)
        self.delta = SuggestionIndex(article_entries(self._changed))

    def lookup(self, prefix: str, limit: int = 10) -> list[Suggestion]:
        if self.base is None:
            return self.delta.lookup(prefix, limit)
        return _collect([self.base, self.delta], prefix, limit, skip=self.skip)

    def entries(self) -> Iterator[Entry]:
        """Every entry, by article id (what a new lists file is built from)."""
        kept = (e for e in (self.base.entries() if self.base else ()) if e[1] not in self.skip)
        return heapq.merge(kept, article_entries(self._changed), key=lambda entry: entry[1])

    def close(self) -> None:
        if self.base is not None:
            self.base.close()


def article_entries(articles: Iterable[tuple[str, tuple]]) -> Iterator[Entry]:
    """(article id, (title, headings)) pairs, by article id, as entries: the title, then each heading."""
    for article_id, (title, headings) in articles:
        yield title, article_id, None
        for section_id, heading in headings:
            yield heading, article_id, section_id
