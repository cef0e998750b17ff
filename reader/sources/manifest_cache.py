"""A fast copy of ``library.json`` for opening the library: its article rows by column, in marshal.

Why: at 100,000 articles the JSON manifest is 29 MB; parsing and checking it
took ~0.3 s and its rows 84 MB, on the way to the window and to a CLI
``search`` (which re-reads the manifest before its rescan). The same rows as
eight lists load in ~45 ms and take about half the memory.

``library.json`` stays the record (atomic writes, its ``.bak`` copy, readable
by a person and by older versions). This copy is derived data in the cache
folder and is used only while it names the manifest file exactly as it is now
(:func:`~reader.atomicfile.file_identity`: inode, size, mtime; every save
replaces the file). It is written after each save and after a parse of the
JSON. A missing, stale, damaged or foreign copy is ignored: the JSON is read
and the copy rewritten. Losing it costs one parse, never data.

Its content: ``{"format": CACHE_FORMAT, "version": CACHE_VERSION, "identity":
[inode, size, mtime], "manifest": {the manifest without "articles"}, "ids":
[article id, ...], "columns": {field: [value per id, ...]}, "folded": [folded title per id, ...],
"order": [row, ...] (by folded title, then id)}``; the last two may be missing.
"""

from __future__ import annotations

import logging
import marshal
from dataclasses import dataclass
from pathlib import Path

from ..atomicfile import replace_derived
from ..regularfile import read_regular_bytes

log = logging.getLogger(__name__)

CACHE_FORMAT = "lectern-manifest-columns"
CACHE_VERSION = 1  # bump when the columns or the title folding (textutil.fold) change: old copies are then ignored
_PYTHON_TYPES = {"str": str, "int": int}


@dataclass
class Columns:
    """Manifest article rows by field: ``values[field][n]`` belongs to ``ids[n]``.

    ``folded`` (each title case- and accent-folded) and ``order`` (the rows by folded title, then
    id) are kept with them when known: the sorted title list is built from them at every start,
    and folding and sorting 100,000 titles took ~0.2 s of it.
    """

    ids: list[str]
    values: dict[str, list]
    folded: list[str] | None = None
    order: list[int] | None = None

    @classmethod
    def from_rows(cls, rows: dict[str, dict], defaults: dict[str, object]) -> "Columns":
        """From the JSON manifest's ``{id: {field: value}}`` (checked); ``defaults``: every field, with
        the value a row may leave out (None: required)."""
        return cls(list(rows), {name: [row.get(name, default) for row in rows.values()]
                                for name, default in defaults.items()})

    def __len__(self) -> int:
        return len(self.ids)


def read(path: Path, identity: tuple | None, fields: dict[str, str], limit: int) -> tuple[dict, Columns] | None:
    """(the manifest without its articles, the articles' columns) if the copy at ``path`` is of the
    manifest file ``identity`` and every value has its declared type (``fields``: name -> "str"/"int");
    else None."""
    if identity is None:
        return None
    try:
        data = marshal.loads(read_regular_bytes(path, limit))
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not _is_current(data, identity) or not _has_shape(data, fields):
        return None
    return data["manifest"], Columns(data["ids"], data["columns"], data.get("folded"), data.get("order"))


def write(path: Path, identity: tuple | None, manifest: dict, columns: Columns) -> None:
    """Replace the copy (atomically, without fsync: it is derived data); a failure is only logged."""
    if identity is None:
        return
    data = {"format": CACHE_FORMAT, "version": CACHE_VERSION, "identity": list(identity),
            "manifest": {k: v for k, v in manifest.items() if k != "articles"},
            "ids": columns.ids, "columns": columns.values}
    if columns.order is not None:
        data.update(folded=columns.folded, order=columns.order)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        replace_derived(path, marshal.dumps(data))
    except (OSError, ValueError) as exc:  # a read-only or full cache folder: the next open parses the JSON
        log.info("cannot write the manifest cache %s: %r", path, exc)


def _is_current(data: object, identity: tuple) -> bool:
    return (isinstance(data, dict) and data.get("format") == CACHE_FORMAT and data.get("version") == CACHE_VERSION
            and data.get("identity") == list(identity) and isinstance(data.get("manifest"), dict))


def _has_shape(data: dict, fields: dict[str, str]) -> bool:
    """Every column present, as long as the ids, every value of its type (an int is not a bool)."""
    ids, columns = data.get("ids"), data.get("columns")
    if not isinstance(ids, list) or not set(map(type, ids)) <= {str} or not isinstance(columns, dict):
        return False
    for name, declared in fields.items():
        column = columns.get(name)
        if not isinstance(column, list) or len(column) != len(ids):
            return False
        if not set(map(type, column)) <= {_PYTHON_TYPES[declared]}:
            return False
    return set(columns) == set(fields) and _has_title_order(data, len(ids))


def _has_title_order(data: dict, count: int) -> bool:
    """No title order, or folded titles (strings) and an order that is a permutation of the rows."""
    folded, order = data.get("folded"), data.get("order")
    if folded is None and order is None:
        return True
    if not isinstance(folded, list) or not isinstance(order, list) or len(folded) != count or len(order) != count:
        return False
    return set(map(type, folded)) <= {str} and set(map(type, order)) <= {int} and sorted(order) == list(range(count))
