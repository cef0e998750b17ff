"""One channel for what the user must be told (like qutebrowser's message bridge).

The library, the search index and the notes store post their notices here
instead of keeping lists of their own; each front end listens once: the CLI
prints every notice to stderr once, the window shows the active ones in its
message bar.

A notice is either *told once* (a manifest restored from its copy, an index
rebuilt) or a *condition* with a ``key`` (the notes database is damaged or
read-only, the disk is full): a condition stays active until its component
calls :meth:`Notices.clear` with that key, and the window keeps showing it
meanwhile. Listeners are called after the channel's lock is released, on the
thread that posted, which may be inside a component's work (the index posts
"being rebuilt" while it rebuilds, so the window can show it meanwhile): a
notice listener only records or re-emits (the window's ``NoticeBridge`` emits
a queued Qt signal, the CLI prints at the end) and never calls back into the
library, the index or the store.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

WARNING = "warning"
NOTE = "note"  # informational (an index being rebuilt)

POSTED = "posted"
CLEARED = "cleared"


@dataclass(frozen=True)
class Notice:
    source: str  # "library", "index", "store"
    text: str
    key: str = ""  # a lasting condition's name ("store.problem"); empty: told once
    level: str = WARNING

    @property
    def lasting(self) -> bool:
        return bool(self.key)


NoticeListener = Callable[[str, Notice], None]


class Notices:
    """The channel; thread-safe. See the module docstring."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._posted: list[Notice] = []
        self._listeners: list[NoticeListener] = []

    def post(self, source: str, text: str, *, key: str = "", level: str = WARNING) -> None:
        """Tell ``text`` (once: the same text from the same source is not repeated while posted)."""
        notice = Notice(source, text, key, level)
        with self._lock:
            if any(n.source == source and n.text == text for n in self._posted):
                return
            replaced = [n for n in self._posted if key and n.key == key]
            self._posted = [n for n in self._posted if n not in replaced] + [notice]
            listeners = list(self._listeners)
        for old in replaced:
            _call(listeners, CLEARED, old)
        _call(listeners, POSTED, notice)

    def clear(self, key: str) -> None:
        """The condition ``key`` is over (the database was restored, the index rebuilt)."""
        with self._lock:
            gone = [n for n in self._posted if n.key == key]
            self._posted = [n for n in self._posted if n.key != key]
            listeners = list(self._listeners)
        for notice in gone:
            _call(listeners, CLEARED, notice)

    def listen(self, listener: NoticeListener) -> None:
        """``listener(POSTED or CLEARED, notice)`` from now on (see :meth:`posted` for the past)."""
        with self._lock:
            self._listeners.append(listener)

    def posted(self, source: str | None = None) -> list[Notice]:
        """The notices told so far and the conditions still active, oldest first."""
        with self._lock:
            return [n for n in self._posted if source is None or n.source == source]

    def texts(self, source: str | None = None) -> list[str]:
        return [n.text for n in self.posted(source)]

    def active(self) -> list[Notice]:
        """The conditions that still hold."""
        return [n for n in self.posted() if n.lasting]


def _call(listeners: list[NoticeListener], what: str, notice: Notice) -> None:
    for listener in listeners:
        listener(what, notice)
