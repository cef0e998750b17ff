"""Run slow core calls off the GUI thread and get the result back by signal.

    task = run_in_background(library.rescan, on_result=self._scanned, on_error=report_error)

``fn`` runs in the global ``QThreadPool``; ``on_result(value)`` or
``on_error(exc)`` then runs on the GUI thread (the signals are delivered by a
queued connection to a QObject that lives there). ``on_progress(done, total)``
is available to functions that accept a ``progress`` keyword argument, and
``task.cancel()`` sets the ``cancel`` event passed to functions that accept it.
"""

from __future__ import annotations

import inspect
import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


PROGRESS_INTERVAL_S = 0.05


class _Signals(QObject):
    result = Signal(object)
    error = Signal(object)
    progress = Signal(int, int)
    finished = Signal()


class Task(QRunnable):
    def __init__(self, fn: Callable[..., Any], args: tuple, kwargs: dict):
        super().__init__()
        self.setAutoDelete(False)  # Python keeps the reference; Qt must not delete it under us
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = _Signals()
        self.cancel_event = threading.Event()
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}
        if "progress" in params:
            self.kwargs.setdefault("progress", self._progress)
        self._last_progress = 0.0
        if "cancel" in params:
            self.kwargs.setdefault("cancel", self.cancel_event)

    def _progress(self, done: int, total: int) -> None:
        """Forward progress at most every PROGRESS_INTERVAL_S (and always the last step).

        A worker may report thousands of steps a second; each is a queued signal
        the GUI thread has to process, so unthrottled progress can itself stall it.
        """
        now = time.monotonic()
        if done >= total or now - self._last_progress >= PROGRESS_INTERVAL_S:
            self._last_progress = now
            self.signals.progress.emit(int(done), int(total))

    def cancel(self) -> None:
        self.cancel_event.set()

    def run(self) -> None:  # runs on a pool thread
        try:
            value = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # noqa: BLE001 - handed to the GUI thread, never swallowed
            exc.__lectern_traceback__ = traceback.format_exc()
            self.signals.error.emit(exc)
        else:
            self.signals.result.emit(value)
        finally:
            self.signals.finished.emit()


_running: set[Task] = set()  # keep tasks (and their signal objects) alive until they finish


def run_in_background(
    fn: Callable[..., Any],
    *args: Any,
    on_result: Callable[[Any], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    on_finished: Callable[[], None] | None = None,
    **kwargs: Any,
) -> Task:
    task = Task(fn, args, kwargs)
    if on_result:
        task.signals.result.connect(on_result)
    if on_error is None:
        from .messages import show_error

        on_error = show_error
    task.signals.error.connect(on_error)
    if on_progress:
        task.signals.progress.connect(on_progress)
    if on_finished:
        task.signals.finished.connect(on_finished)
    task.signals.finished.connect(lambda: _running.discard(task))
    _running.add(task)
    QThreadPool.globalInstance().start(task)
    return task
