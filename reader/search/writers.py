"""Whoosh's multi-process writer, made to fail cleanly.

A full build indexes in two worker processes (``procs=2``). When a worker
fails (its build folder was deleted under it, the disk filled up), Whoosh's
own worker prints a traceback and dies; its parent then either blocks forever
putting jobs on a full queue nobody reads, or commits without that worker's
documents. Here a failing worker prints nothing, keeps taking jobs off the
queue until it is told to stop (so the parent never blocks), and raises a
flag; :func:`check` turns the flag into an error after the commit, so the
incomplete build is thrown away instead of published. Cancelling stops the
workers (Whoosh leaves them waiting for jobs).
"""

from __future__ import annotations

import logging
import multiprocessing

from whoosh.multiproc import MpWriter, SubWriterTask

log = logging.getLogger(__name__)


class IndexWorkerFailed(OSError):
    """An indexing worker process failed; the build is incomplete."""


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
            super().run()
        except BaseException:  # noqa: BLE001 - reported through the flag, never as a traceback
            self.failed.set()
            while not jobs.stopped:
                jobs.get()


class QuietMpWriter(MpWriter):
    """``MpWriter`` whose workers report failure through :attr:`failed` instead of dying loudly."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self.failed = multiprocessing.Event()

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
                            self.multisegment, failed=self.failed)
        self.tasks.append(task)
        task.start()
        return task


def bulk_writer(ix, procs: int = 1, **options):
    """A writer for a full build: the quiet multi-process one when ``procs`` > 1."""
    if procs > 1:
        return QuietMpWriter(ix, procs=procs, **options)
    return ix.writer(**options)


def check(writer) -> None:
    """Raise :class:`IndexWorkerFailed` if a worker of ``writer`` failed (call after ``commit``)."""
    failed = getattr(writer, "failed", None)
    if failed is not None and failed.is_set():
        raise IndexWorkerFailed("an indexing process could not write its part of the index "
                                "(was the index folder deleted or the disk filled?)")
