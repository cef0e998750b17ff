"""The full build's writers: Lectern's segment writer, in Whoosh's multi-process writer made to fail cleanly.

A full build indexes in two worker processes (``procs=2``). When a worker
fails (its build folder was deleted under it, the disk filled up), Whoosh's
own worker prints a traceback and dies; its parent then either blocks forever
putting jobs on a full queue nobody reads, or commits without that worker's
documents. Here a failing worker prints nothing, keeps taking jobs off the
queue until it is told to stop (so the parent never blocks), and raises a
flag; :func:`check` turns the flag into an error after the commit, so the
incomplete build is thrown away instead of published. Cancelling stops the
workers (Whoosh leaves them waiting for jobs).

Each worker (and a one-process build) writes its segment with a
:class:`BuildSegmentWriter`: postings gathered per term
(:class:`runs.PostingBuffer`) instead of Whoosh's per-posting pool.
"""

from __future__ import annotations

import logging
import marshal
import multiprocessing
import pickle
import sys
from array import array
from contextlib import contextmanager

from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.util import random_name
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

from . import analysis, runs

log = logging.getLogger(__name__)


POSTINGS_PER_MB = 20_000  # postings a PostingBuffer holds per MB of ``limitmb`` (~40 bytes each, measured)
WORDS_SUFFIX = ".words"
WORDS_FILE = "words-%s" + WORDS_SUFFIX  # a segment's words as written (not a Whoosh file name: Whoosh leaves it alone)
STORED_COMPRESSION = 0  # zlib level of stored fields: their body is compressed already (level 3: index -6%, CPU +~10%)


class IndexWorkerFailed(OSError):
    """An indexing worker process failed; the build is incomplete."""


class BuildSegmentWriter(SegmentWriter):
    """A ``SegmentWriter`` whose postings go to a :class:`runs.PostingBuffer` (one segment, plain W3 files).

    Documents are added as Whoosh adds them (stored fields and lengths through
    the codec's per-document writer); only the inverted index is written
    differently. Underscore arguments (``_boost``, ``_stored_x``) and vectors
    are not supported: Lectern's documents have none.
    """

    def __init__(self, ix, limitmb: int = 64, words_from: tuple[str, ...] = (), **kwargs):
        """``words_from``: fields whose words as written are collected (:func:`collected_words`)."""
        super().__init__(ix, limitmb=limitmb, **kwargs)
        self.words_from, self.chunks_seen = frozenset(words_from), set()
        self.postings = runs.PostingBuffer(self._tempstorage, limit=limitmb * POSTINGS_PER_MB)
        self.length_bytes: dict[str, array] = {}  # field -> each document's length byte
        stored = self.perdocwriter._colwriters["_stored"]._child  # Whoosh's CompressedBytesColumn writer
        stored._compress, stored._level = runs.compress, STORED_COMPRESSION

    def add_document(self, **fields):
        self._check_state()
        names = sorted(fields)
        self._check_fields(self.schema, names)
        docnum, schema, perdoc = self.docnum, self.schema, self.perdocwriter
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is None:
                    continue
                field = schema[name]
                length = self._index_field(name, field, value, docnum) if field.indexed else 0
                perdoc.add_field(name, field, value if field.stored else None, length)
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self.postings.maybe_spill()
        self._added = True
        self.docnum += 1

    def _index_field(self, name: str, field, value, docnum: int) -> int:
        if name.startswith("_") or field.vector or field.column_type or field.separate_spelling():
            raise ValueError(f"the build writer does not index field {name!r} of this kind")
        postings = getattr(field.format, "postings", None)  # schema.FastPositions: str terms in lists
        if postings is not None:
            terms, weights, values, length = postings(value, self.chunks_seen if name in self.words_from else None)
            self.postings.add_postings(name, docnum, terms, weights, values)
        else:
            length = self.postings.add(name, docnum, field.index(value))
        if not field.scorable:
            return 0
        lengths = self.length_bytes.get(name)
        if lengths is None:
            lengths = self.length_bytes[name] = array("B")
        if len(lengths) < docnum:
            lengths.extend(bytes(docnum - len(lengths)))
        lengths.append(length_to_byte(length) if length else 0)
        return length

    def _flush_segment(self):
        self.perdocwriter.close()
        self.postings.write(self.fieldwriter, self.schema, self.length_bytes)
        self.fieldwriter.close()
        if self.words_from:
            with self.storage.create_file(WORDS_FILE % self.newsegment.segment_id()) as f:
                f.write(marshal.dumps(sorted(analysis.words_of_chunks(self.chunks_seen))))
            self.chunks_seen = set()


def collected_words(storage) -> set[str]:
    """The words the build's writers collected (``words_from``); their files are removed."""
    words = set()
    for name in [n for n in storage.list() if n.endswith(WORDS_SUFFIX)]:
        with storage.open_file(name) as f:
            words.update(marshal.loads(f.read()))
        storage.delete_file(name)
    return words


class _JobsSeen:
    """The job queue as a worker sees it, remembering whether the stop signal (None) was taken."""

    def __init__(self, jobs):
        self.jobs = jobs
        self.stopped = False

    def get(self, *args, **kwargs):
        job = self.jobs.get(*args, **kwargs)
        self.stopped |= job is None
        return job


class _QuietWorker(SubWriterTask):
    def __init__(self, *args, failed, **kwargs):
        super().__init__(*args, **kwargs)
        self.failed = failed

    def run(self):
        jobs = self.jobqueue = _JobsSeen(self.jobqueue)
        try:
            self._run()
        except BaseException:  # noqa: BLE001 - reported through the flag, never as a traceback
            self.failed.set()
            while not jobs.stopped:
                jobs.get()

    def _run(self):
        """Whoosh's ``SubWriterTask.run`` for a multi-segment build, with a :class:`BuildSegmentWriter`."""
        ix = self.storage.open_index(self.indexname)
        writer = self.writer = BuildSegmentWriter(ix, _lk=False, **self.kwargs)
        while self.running:
            job = self.jobqueue.get()
            if job is None:
                break
            self._process_file(*job)
        if not self.running:
            writer.cancel()
            return
        segment = writer._finalize_segment()
        self.resultqueue.put((None, set(), segment), timeout=5)


class QuietMpWriter(MpWriter):
    """``MpWriter`` whose workers report failure through :attr:`failed` instead of dying loudly."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **{**kwargs, "multisegment": True})  # one segment per process: no merge
        self.context = _worker_context()
        self.jobqueue, self.resultqueue = self.context.Queue(self.procs * 4), self.context.Queue()
        self.failed = self.context.Event()

    def cancel(self):
        """Stop the workers too (Whoosh's ``cancel`` only flags its own copies of them, so they
        would wait on the job queue forever and keep the process from exiting)."""
        try:
            for task in self.tasks:
                task.terminate()
            for task in self.tasks:
                task.join()
        finally:
            super().cancel()

    def _new_task(self):
        task = _QuietWorker(self.storage, self.indexname, self.jobqueue, self.resultqueue, self.subargs,
                            True, failed=self.failed)
        task._Popen = self.context.Process._Popen
        self.tasks.append(task)
        with _main_script_hidden():
            task.start()
        return task

    def _enqueue(self):
        """Whoosh's ``_enqueue`` with the newest pickle protocol (Whoosh's protocol 2 pickles bytes, such
        as each section's compressed text, through ``codecs.encode``: 2-3 times slower both ways)."""
        name = "%s.doclist" % random_name()
        with self.temp_storage().create_file(name).raw_file() as f:
            for item in self.docbuffer:
                pickle.dump(item, f, pickle.HIGHEST_PROTOCOL)
        if len(self.tasks) < self.procs:
            self._new_task()
        self.jobqueue.put((name, len(self.docbuffer)))
        self.docbuffer = []


def _worker_context():
    """How indexing processes start: a fresh interpreter ("spawn") from source.

    A forked worker starts as a copy of the app (a library of 100,000 articles
    is ~150 MB of it), which its resident memory counts again; a spawned one
    holds only Whoosh and the index's own modules. A frozen app keeps the
    platform's default (fork on Linux, spawn on macOS): its launcher calls
    ``multiprocessing.freeze_support`` (build.spec) so a spawned worker runs
    the worker, not the app.
    """
    if getattr(sys, "frozen", False):
        return multiprocessing.get_context()
    return multiprocessing.get_context("spawn")


@contextmanager
def _main_script_hidden():
    """Start a spawned worker without the program's ``__main__``.

    A spawned process imports the parent's main script again before it runs
    (as ``__mp_main__``); a script without an ``if __name__ == "__main__"``
    guard would run again in every worker. The workers need only this module.
    """
    main = sys.modules.get("__main__")
    saved = {name: main.__dict__[name] for name in ("__spec__", "__file__") if main is not None and name in main.__dict__}
    try:
        if main is not None:
            main.__spec__ = None
            main.__dict__.pop("__file__", None)
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


def bulk_writer(ix, procs: int = 1, **options):
    """A writer for a full build: the quiet multi-process one (one segment per process) when ``procs`` > 1."""
    if procs > 1:
        return QuietMpWriter(ix, procs=procs, **options)
    return BuildSegmentWriter(ix, **options)


def check(writer) -> None:
    """Raise :class:`IndexWorkerFailed` if a worker of ``writer`` failed (call after ``commit``)."""
    failed = getattr(writer, "failed", None)
    if failed is not None and failed.is_set():
        raise IndexWorkerFailed("an indexing process could not write its part of the index "
                                "(was the index folder deleted or the disk filled?)")
