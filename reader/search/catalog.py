"""What the index holds, kept beside it: a snapshot and an append-only journal.

Start-up diffs the library's fingerprints against the catalog instead of
reading every document, and a one-article update must not rewrite a file
that names every article (100,000 entries), so the catalog lives in two
files of the generation folder:

* ``catalog.marshal``, a snapshot at generation B, by columns (three lists load several times
  faster than a dict of 100,000 tuples): ``{format, generation, ids: [...], shas: [...],
  titles: [...], notes: {id: fingerprint}}``;
* ``catalog.journal``, one record per update since, each framed as
  ``[length u32][crc32 u32][marshal]``; a record is
  ``{generation, articles: {id: (sha256, title, ((section id, heading), ...)) or None},
  notes: {id: fingerprint or None}, words: [new vocabulary words]}``.

A record is appended *before* Whoosh commits its generation (write-ahead), so
no crash leaves an index newer than its catalog: on opening, the records up
to the index's generation apply; a later one (its commit never happened) is
ignored and cut off by the next append; a torn or damaged one ends the
journal. Anything that does not add up (no snapshot, another format, a gap,
a catalog that ends before the index) means "recompute from the index".

The records also carry what suggestions and the vocabulary need (headings,
new words): the snapshot holds neither, so opening reads only ids, hashes and
titles. :meth:`Catalog.save_snapshot` folds the journal into a new snapshot;
the caller (``SearchIndex._compact``) first writes the suggestion lists and
the vocabulary of that generation, so the journal is only cut once nothing
needs it.
"""

from __future__ import annotations

import marshal
import os
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..atomicfile import file_identity
from . import storage

FORMAT = 4  # 4: snapshot + journal, headings in the records and the suggestion lists (3: catalog + headings files)
_FRAME = struct.Struct("<II")  # record length, crc32 of the record


@dataclass
class Record:
    """One update as the journal keeps it (see the module docstring)."""

    generation: int
    articles: dict = field(default_factory=dict)  # id -> (sha, title, headings) or None (removed)
    notes: dict = field(default_factory=dict)  # id -> fingerprint or None (removed)
    words: list = field(default_factory=list)  # vocabulary words this update added

    def encode(self) -> bytes:
        data = marshal.dumps({"generation": self.generation, "articles": self.articles, "notes": self.notes,
                              "words": self.words})
        return _FRAME.pack(len(data), zlib.crc32(data)) + data

    @classmethod
    def decode(cls, data: bytes) -> "Record | None":
        try:
            raw = marshal.loads(data)
            return cls(int(raw["generation"]), dict(raw["articles"]), dict(raw["notes"]), list(raw["words"]))
        except (EOFError, ValueError, TypeError, KeyError):
            return None


def read_journal(path: Path, upto_generation: int, start: int = 0) -> tuple[list[Record], int]:
    """The journal's records up to ``upto_generation`` (from byte ``start``), and the byte length they
    fill (where the next record goes): a torn, damaged or later record ends it."""
    try:
        data = path.read_bytes()
    except OSError:
        return [], start
    records, pos = [], start
    while pos + _FRAME.size <= len(data):
        length, crc = _FRAME.unpack_from(data, pos)
        body = data[pos + _FRAME.size:pos + _FRAME.size + length]
        if len(body) != length or zlib.crc32(body) != crc:
            break
        record = Record.decode(body)
        if record is None or record.generation > upto_generation:
            break
        records.append(record)
        pos += _FRAME.size + length
    return records, pos


class Catalog:
    """``shas``: article id -> sha256; :meth:`title`; ``notes``: id -> fingerprint; ``generation``: the
    Whoosh generation it describes. ``records``: the journal records read or written since the snapshot
    (``snapshot_generation``), which the suggestions and the vocabulary apply on top of their own files.

    The titles (wanted only for the notes of a changed article) stay as the snapshot's columns until
    one is asked for; later changes sit in ``_title_changes`` on top of them."""

    def __init__(self, generation: int = -1, articles: dict | None = None, notes: dict | None = None):
        """``articles``: id -> (sha256, title)."""
        articles = articles or {}
        self.generation = generation
        self.shas: dict[str, str] = {a: entry[0] for a, entry in articles.items()}
        self.notes: dict[str, str] = notes if notes is not None else {}
        self._titles: dict[str, str] | None = {a: entry[1] for a, entry in articles.items()}
        self._title_columns: tuple[list, list] = ([], [])
        self._title_changes: dict[str, str | None] = {}
        self.snapshot_generation = generation
        self.records: list[Record] = []
        self.journal_bytes = 0  # the journal's valid length: the next record is written there
        self.unsaved_lists = None  # suggestion lists recomputed with it that could not be written
        self.snapshot_file: tuple | None = None  # identity of the snapshot file read or written

    def title(self, article_id: str) -> str | None:
        """The title the index holds for an article, None when it holds no such article."""
        if article_id in self._title_changes:
            return self._title_changes[article_id]
        if self._titles is None:
            self._titles = dict(zip(*self._title_columns))
            self._title_columns = ([], [])
        return self._titles.get(article_id)

    @property
    def articles(self) -> dict[str, tuple[str, str]]:
        """id -> (sha256, title): the whole catalog (to compare two of them)."""
        return {a: (sha, self.title(a)) for a, sha in self.shas.items()}

    # ------------------------------------------------------------------ reading

    @classmethod
    def load(cls, folder: Path, index_generation: int) -> "Catalog | None":
        """The catalog of ``folder`` at ``index_generation``, or None when it must be recomputed."""
        data = storage.read_marshal(folder / storage.CATALOG)
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            return None
        try:
            catalog = cls(int(data["generation"]), None, dict(data["notes"]))
            ids, shas, titles = data["ids"], data["shas"], data["titles"]
            if not (isinstance(ids, list) and isinstance(titles, list) and len(ids) == len(shas) == len(titles)):
                return None
            catalog.shas = dict(zip(ids, shas))
        except (KeyError, TypeError, ValueError):
            return None
        catalog._titles, catalog._title_columns = None, (ids, titles)
        catalog.snapshot_file = file_identity(folder / storage.CATALOG)
        records, catalog.journal_bytes = read_journal(folder / storage.JOURNAL, index_generation)
        for record in records:
            if record.generation <= catalog.snapshot_generation:  # a crash between a snapshot and cutting
                catalog.records.append(record)  # the journal left it: already in the snapshot
            elif record.generation == catalog.generation + 1:  # Whoosh counts commits one by one
                catalog.apply(record)
            else:  # a gap: some commit was not journalled
                return None
        return catalog if catalog.generation == index_generation else None

    def apply(self, record: Record) -> None:
        """Take one committed update into the catalog (in memory)."""
        for article_id, entry in record.articles.items():
            if entry is None:
                self.shas.pop(article_id, None)
                self._title_changes[article_id] = None
            else:
                self.shas[article_id] = entry[0]
                self._title_changes[article_id] = entry[1]
        for note_id, fingerprint in record.notes.items():
            if fingerprint is None:
                self.notes.pop(note_id, None)
            else:
                self.notes[note_id] = fingerprint
        self.generation = record.generation
        self.records.append(record)

    def catch_up(self, folder: Path, index_generation: int) -> bool:
        """Apply the records another process appended since; False when that is not enough (it folded
        the journal into a new snapshot, or the records do not reach ``index_generation``): load anew."""
        if file_identity(folder / storage.CATALOG) != self.snapshot_file:
            return False
        records, end = read_journal(folder / storage.JOURNAL, index_generation, self.journal_bytes)
        for record in records:
            if record.generation != self.generation + 1:
                return False
            self.apply(record)
        self.journal_bytes = end
        return self.generation == index_generation

    def records_after(self, generation: int) -> list[Record]:
        return [r for r in self.records if r.generation > generation]

    # ------------------------------------------------------------------ writing (under the write lock)

    def write_ahead(self, folder: Path, record: Record) -> int:
        """Append ``record`` before its generation is committed; returns the journal's new length.
        Whatever follows the valid records (a torn write, an update whose commit never happened)
        is cut off first."""
        path = folder / storage.JOURNAL
        with open(path, "r+b" if path.exists() else "w+b") as handle:
            handle.truncate(self.journal_bytes)
            handle.seek(self.journal_bytes)
            encoded = record.encode()
            handle.write(encoded)
        return self.journal_bytes + len(encoded)

    def committed(self, record: Record, journal_bytes: int) -> None:
        self.apply(record)
        self.journal_bytes = journal_bytes

    def save_snapshot(self, folder: Path) -> None:
        """Write the snapshot and start an empty journal (the suggestion lists and the vocabulary of
        this generation are written first, by the caller: the records are theirs too)."""
        ids = list(self.shas)
        storage.write_marshal(folder / storage.CATALOG, {
            "format": FORMAT, "generation": self.generation, "ids": ids, "shas": list(self.shas.values()),
            "titles": [self.title(a) for a in ids], "notes": self.notes,
        })
        _truncate(folder / storage.JOURNAL)
        self.snapshot_file = file_identity(folder / storage.CATALOG)
        self.snapshot_generation = self.generation
        self.records = []
        self.journal_bytes = 0


def _truncate(path: Path) -> None:
    try:
        with open(path, "r+b") as handle:
            handle.truncate(0)
    except FileNotFoundError:
        pass


def from_format_3(folder: Path, index_generation: int) -> "tuple[Catalog, dict] | None":
    """The catalog and ``{article id: (title, headings)}`` read from the files of format 3 (a catalog
    and a headings file, both rewritten whole by each update), when they describe ``index_generation``:
    an index of the previous version is taken over in seconds instead of read in full (42 s at
    100,000 articles)."""
    data, heads = storage.read_marshal(folder / storage.CATALOG), storage.read_marshal(folder / storage.OLD_HEADINGS)
    try:
        if data.get("format") != 3 or data["generation"] != index_generation:
            return None
        if heads.get("version") != data["headings_version"]:
            return None
        headings = heads["headings"]
        labels = {a: (title, tuple(headings.get(a, ()))) for a, (sha, title) in data["articles"].items()}
        return Catalog(index_generation, dict(data["articles"]), dict(data["notes"])), labels
    except (AttributeError, KeyError, TypeError, ValueError):
        return None


def remove_old_format(folder: Path) -> None:
    """Drop the headings file of catalog format 3 (its content now lives in the suggestion lists)."""
    try:
        os.unlink(folder / storage.OLD_HEADINGS)
    except OSError:
        pass
