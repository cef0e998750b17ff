"""Postings of a full build, gathered per term and written as whole posting lists.

Whoosh's own segment writer turns every posting into a tuple, puts it in a
pool, sorts the pool into runs, merges the runs posting by posting through a
heap and hands each posting to a block writer one call at a time: most of a
full build's CPU. A :class:`PostingBuffer` keeps, per field and term, the
document numbers, weights and encoded positions in one list; when it holds
``limit`` postings it spills them to a run file sorted by term, and writing
the segment merges the runs term by term (a heap step per term and run, not
per posting) and writes each term's posting list in Whoosh's W3 block format
(:func:`write_posting_list`). The files are plain W3 segment files: reading
never depends on this module.
"""

from __future__ import annotations

import heapq
import marshal
import zlib
from array import array
from collections import defaultdict, deque
from itertools import islice, repeat
from operator import sub
from pickle import dumps

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3TermInfo
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.filetables import _lengths as _KEY_VALUE_LENGTHS
from whoosh.filedb.filetables import _pointer as _HASH_SLOT
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util import random_name

_TERM_INFO = W3TermInfo._struct  # flags (inlined), total weight, doc count, min/max length byte, max weight, first/last doc
BLOCK_LIMIT = 128  # postings per block, as Whoosh's W3 codec writes them
BLOCK_COMPRESSION = 3  # zlib level of posting blocks (Whoosh's default; reading takes any level)
SMALL_BLOCK_BYTES = 120  # blocks smaller than this (most terms: one or two postings) are stored uncompressed
RUN_BATCH_TERMS = 128  # terms per marshalled batch of a run file: each open run holds one batch while runs merge


class PostingBuffer:
    """field -> term -> postings, spilled to sorted runs at ``limit`` postings.

    A term's postings are one flat list ``[doc, weight, value, doc, weight,
    value, ...]``: appending a document's postings is then a C-level
    ``map(list.extend, ...)`` (no Python per posting), and a posting costs
    three list slots (document numbers and weights are shared objects).
    Terms may be ``str`` (Lectern's text fields: encoded to UTF-8 once per
    term when written, and UTF-8 sorts like code points) or ``bytes`` (Whoosh's
    own fields); one field holds one kind.
    """

    def __init__(self, tempstorage, limit: int):
        self.tempstorage = tempstorage
        self.limit = limit
        self.fields: dict[str, defaultdict] = {}
        self.count = 0
        self.runs: list[str] = []

    def _terms(self, fieldname: str) -> defaultdict:
        terms = self.fields.get(fieldname)
        if terms is None:
            terms = self.fields[fieldname] = defaultdict(list)
        return terms

    def add_postings(self, fieldname: str, docnum: int, terms: list, weights: list, values: list) -> None:
        """One document's postings in one field: distinct ``terms`` with their weights and encoded values."""
        deque(map(list.extend, map(self._terms(fieldname).__getitem__, terms), zip(repeat(docnum), weights, values)), 0)
        self.count += len(terms)

    def add(self, fieldname: str, docnum: int, items) -> int:
        """Add one document's ``(term, freq, weight, value)`` items of one field; returns the field length."""
        terms = self._terms(fieldname)
        length = 0
        for term, freq, weight, value in items:
            terms[term].extend((docnum, weight, value))
            length += freq
            self.count += 1
        return length

    def maybe_spill(self) -> None:
        """Write the buffer to a run once it holds ``limit`` postings (call between documents)."""
        if self.count >= self.limit:
            self.spill()

    def spill(self) -> None:
        path = "%s.terms" % random_name()
        with self.tempstorage.create_file(path).raw_file() as f:
            sorted_terms = self._sorted_terms(as_bytes=True)
            while True:
                batch = list(islice(sorted_terms, RUN_BATCH_TERMS))
                if not batch:
                    break
                marshal.dump(batch, f)
        self.runs.append(path)
        self.fields, self.count = {}, 0

    def _sorted_terms(self, as_bytes: bool):
        """``(field, term bytes, docs, weights, values)`` in Whoosh's order; arrays as bytes for a run file."""
        for fieldname in sorted(self.fields):
            terms = self.fields.pop(fieldname)
            for term in sorted(terms):
                postings = terms.pop(term)
                docs, weights, values = array("I", postings[0::3]), array("f", postings[1::3]), postings[2::3]
                tbytes = term.encode("utf-8") if isinstance(term, str) else term
                if as_bytes:
                    yield fieldname, tbytes, docs.tobytes(), weights.tobytes(), values
                else:
                    yield fieldname, tbytes, docs, weights, values

    def _read_run(self, number: int, path: str):
        with self.tempstorage.open_file(path).raw_file() as f:
            while True:
                try:
                    batch = marshal.load(f)
                except EOFError:
                    break
                for fieldname, tbytes, docs, weights, values in batch:
                    yield fieldname, tbytes, number, docs, weights, values
        self.tempstorage.delete_file(path)

    def merged_terms(self):
        """Every ``(field, term bytes, docs, weights, values)`` in order, runs merged (docs ascending)."""
        if not self.runs:
            yield from self._sorted_terms(as_bytes=False)
            return
        self.spill()
        sources = [self._read_run(n, path) for n, path in enumerate(self.runs)]
        current = None
        for fieldname, tbytes, _, docs, weights, values in heapq.merge(*sources):
            if current is not None and current[0] == fieldname and current[1] == tbytes:
                current[2].frombytes(docs)
                current[3].frombytes(weights)
                current[4].extend(values)
                continue
            if current is not None:
                yield current
            current = (fieldname, tbytes, _array("I", docs), _array("f", weights), values)
        if current is not None:
            yield current

    def write(self, fieldwriter, schema, lengths: dict) -> None:
        """Write every posting list through ``fieldwriter`` (a ``W3FieldWriter``'s files and term table).

        ``lengths``: field -> ``array("B")`` of each document's length byte.
        """
        fieldmap = fieldwriter._fieldmap
        tindex, postfile = _CompactTermTable.adopt(fieldwriter._tindex), fieldwriter._postfile
        no_lengths = array("B")
        for fieldname, tbytes, docs, weights, values in self.merged_terms():
            fieldid = fieldmap.setdefault(fieldname, len(fieldmap))
            fixed_size = schema[fieldname].format.fixed_value_size()
            terminfo = write_posting_list(postfile, docs, weights, values, lengths.get(fieldname, no_lengths), fixed_size)
            tindex.add(pack_ushort(fieldid) + tbytes, terminfo)


class _CompactTermTable(OrderedHashWriter):
    """Whoosh's term table writer, keeping each hash bucket's (hash, offset) pairs in two arrays.

    Whoosh keeps a tuple per term until the table is closed (~120 bytes a
    term: tens of MB per indexing process at 100,000 articles, at the end of
    the build when memory peaks). The file written is the same.
    """

    @classmethod
    def adopt(cls, table: OrderedHashWriter) -> "_CompactTermTable":
        """``table`` (nothing added yet), now writing through this class."""
        assert not any(table.buckets)
        table.__class__ = cls
        table.hashes = [array("I") for _ in range(256)]
        table.offsets = [array("q") for _ in range(256)]
        return table

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError("Keys must increase: %r..%r" % (self.lastkey, key))
        dbfile = self.dbfile
        offset = dbfile.tell()
        self.index.append(offset)
        dbfile.write(_KEY_VALUE_LENGTHS.pack(len(key), len(value)) + key + value)
        hashed = self.hashfn(key)
        self.hashes[hashed & 255].append(hashed)
        self.offsets[hashed & 255].append(offset)
        self.lastkey = key

    def _write_hashes(self) -> None:
        """``HashWriter._write_hashes`` over the arrays: per bucket an open-addressing table of twice its size
        (an empty slot is offset 0: no key starts there, the header does)."""
        dbfile = self.dbfile
        for hashes, offsets in zip(self.hashes, self.offsets):
            slots = 2 * len(hashes)
            self.directory.append((dbfile.tell(), slots))
            table_hashes, table_offsets = [0] * slots, [0] * slots
            for hashed, offset in zip(hashes, offsets):
                slot = (hashed >> 8) % slots
                while table_offsets[slot]:
                    slot = (slot + 1) % slots
                table_hashes[slot], table_offsets[slot] = hashed, offset
            dbfile.write(b"".join(map(_HASH_SLOT.pack, table_hashes, table_offsets)))


def _array(typecode: str, data: bytes) -> array:
    found = array(typecode)
    found.frombytes(data)
    return found


def write_posting_list(postfile, docs: array, weights: array, values: list, lengths: array, fixed_size) -> bytes:
    """One term's postings in W3 blocks (what ``W3PostingsWriter`` writes posting by posting); its term info
    as ``W3TermInfo.to_bytes`` encodes it."""
    start = postfile.tell()
    count = len(docs)
    min_byte, max_byte, header = 0, 0, WHOOSH3_HEADER_MAGIC
    for begin in range(0, count, BLOCK_LIMIT):
        end = min(begin + BLOCK_LIMIT, count)
        block_min, block_max = _write_block(postfile, header, docs[begin:end].tolist(), weights[begin:end],
                                            values[begin:end], lengths, fixed_size, last=end == count)
        min_byte = min(min_byte, block_min) if min_byte and block_min else (min_byte or block_min)
        max_byte, header = max(max_byte, block_max), b""
    stats = _TERM_INFO.pack(False, float(sum(weights)), count, min_byte, max_byte, max(weights), docs[0], docs[-1])
    return stats + pack_long(start) + pack_int(postfile.tell() - start)


def _length_bytes(docs, lengths: array) -> tuple[int, int]:
    """(smallest non-zero, largest) length byte of the documents (0, 0 when the field keeps no lengths)."""
    if not lengths:
        return 0, 0
    found = [lengths[d] for d in docs]
    nonzero = [b for b in found if b] if 0 in found else found
    return (min(nonzero) if nonzero else 0), max(found)


def compress(data: bytes, level: int) -> bytes:
    """``zlib.compress`` with a 4 KB window: Whoosh's blocks and stored documents are a few KB, and zlib's
    default state (256 KB, set up on every call) costs ~40 µs before the first byte; ``zlib.decompress`` reads either."""
    packer = zlib.compressobj(level, zlib.DEFLATED, 12, 4)
    return packer.compress(data) + packer.flush()


def _write_block(postfile, header: bytes, ids: list, weights: array, values: list, lengths: array, fixed_size,
                 last: bool) -> tuple[int, int]:
    """One block (after ``header``); returns its smallest non-zero and largest length byte."""
    deltas = (ids[0],) + tuple(map(sub, ids[1:], ids[:-1]))
    first = weights[0]
    if first == 1.0 and weights.count(1.0) == len(weights):
        mini_weights = None
    elif weights.count(first) == len(weights):
        mini_weights = first
    else:
        mini_weights = tuple(weights)
    if fixed_size is None or fixed_size < 0:
        mini_values = tuple(v for v in values if v)
    elif fixed_size == 0:
        mini_values = None
    else:
        mini_values = b"".join(v for v in values if v)
    data = dumps((deltas, mini_weights, mini_values), 2)
    level = BLOCK_COMPRESSION if len(data) >= SMALL_BLOCK_BYTES else 0  # zlib costs ~20 µs even for 30 bytes
    if level:
        data = compress(data, level)
    min_byte, max_byte = _length_bytes(ids, lengths)
    info = dumps((len(ids), ids[-1], max(weights), level, min_byte, max_byte), 2)
    size = len(info) + len(data)
    postfile.write(header + pack_int(-size if last else size) + info + data)
    return min_byte, max_byte
