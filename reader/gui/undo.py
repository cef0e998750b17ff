"""Undo and redo for notes and bookmarks: one history per library, shared by every window.

Every change to notes and bookmarks made in the GUI (add, edit, delete,
change of quote, re-attach, import, the review of a changed note; bookmark remove, rename, move) goes through
:class:`UndoHistory`. The store call runs in a worker; when it succeeds, a
command is pushed whose undo and redo are store calls built from the values
the store returned (the note moved to the trash, the snapshot taken before an
edit, the ids an import added), never from what the widgets showed.

Store calls of the history run one at a time, in order, on their own worker
thread, so Ctrl+Z pressed three times quickly undoes three steps in order.

    history = history_for(library)
    history.delete_notes([note.id])          # to the trash; Ctrl+Z restores them
    history.edit_note(note.id, text="...")   # Ctrl+Z writes the old text, tags and colour back

Deleting asks nothing (as in Foliate and the web annotators): the note goes to
the trash, the status bar says "Note moved to the trash — Undo: Ctrl+Z", and
the trash (All notes ▸ Trash, ``lectern notes trash``) keeps it for 30 days.
"""

from __future__ import annotations

import weakref
from typing import Callable

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from . import messages
from .messages import show_info
from .workers import Task

UNDO_LIMIT = 200  # steps kept; a long session's oldest steps are forgotten (the trash still has deleted notes)
UNDO_HINT = "Undo: Ctrl+Z"
HELP_NAME = "lectern_help_name"  # action property: the name the F1 list gives an action whose text changes
HELP_KEYS = "lectern_help_keys"  # action property: the keys F1 lists ("or"), when more than the first matter

StoreCall = Callable[[object], object]  # fn(store) -> value


class _StoreCommand(QUndoCommand):
    """One step: ``undo_fn(store)`` / ``redo_fn(store)`` run in the history's worker.

    The first ``redo()`` (Qt calls it on push) does nothing: the action was already done.
    """

    def __init__(self, history: "UndoHistory", text: str, undo_fn: StoreCall, redo_fn: StoreCall):
        super().__init__(text)
        self._history, self._undo_fn, self._redo_fn = history, undo_fn, redo_fn
        self._done = True

    def undo(self) -> None:
        self._done = False
        self._history.run(self._undo_fn, lambda _r: self._history.undone.emit(self.text()))

    def redo(self) -> None:
        if self._done:
            return
        self._done = True
        self._history.run(self._redo_fn, lambda _r: self._history.redone.emit(self.text()))


class UndoHistory(QObject):
    """The undo stack of a library's notes and bookmarks (see the module docstring)."""

    performed = Signal(str, object)  # label, the store's answer: an action finished and was pushed
    undone = Signal(str)  # label: an undo's store call finished
    redone = Signal(str)

    def __init__(self, library, parent: QObject | None = None):
        super().__init__(parent)
        self._library = weakref.ref(library)
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(UNDO_LIMIT)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)  # one worker: calls run in the order they were asked
        self._tasks: set[Task] = set()
        self.undone.connect(lambda text: show_info(f"Undone: {text} — Redo: Ctrl+Shift+Z"))
        self.redone.connect(lambda text: show_info(f"Redone: {text}"))

    @property
    def store(self):
        return self._library().store

    # ------------------------------------------------------------------ plumbing

    def run(self, fn: StoreCall, on_result: Callable[[object], None] | None = None) -> Task:
        """``fn(store)`` on the history's worker; ``on_result`` then runs on the GUI thread."""
        task = Task(lambda: fn(self.store), (), {})
        if on_result is not None:
            task.signals.result.connect(on_result)
        task.signals.error.connect(lambda exc: messages.show_error(exc))  # looked up now: tests replace it
        task.signals.finished.connect(lambda: self._tasks.discard(task))
        self._tasks.add(task)
        self._pool.start(task)
        return task

    def perform(self, label: str, action: StoreCall, inverse: Callable[[object], tuple[StoreCall, StoreCall]],
                message: Callable[[object], str] | None = None, on_done: Callable[[object], None] | None = None) -> Task:
        """Run ``action(store)``; on success push a step whose ``(undo, redo) = inverse(answer)``.

        ``message(answer)`` is shown in the status bar; ``on_done(answer)`` runs afterwards.
        """

        def done(answer) -> None:
            undo_fn, redo_fn = inverse(answer)
            self.stack.push(_StoreCommand(self, label, undo_fn, redo_fn))
            if message is not None:
                show_info(message(answer))
            if on_done is not None:
                on_done(answer)
            self.performed.emit(label, answer)

        return self.run(action, done)

    def actions(self, parent: QObject) -> tuple[QAction, QAction]:
        """Undo (Ctrl+Z) and Redo (Ctrl+Shift+Z, Ctrl+Y) actions for ``parent``'s menus and keys;
        their text names the step ("Undo Delete note")."""
        undo = self.stack.createUndoAction(parent, "&Undo")
        undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo = self.stack.createRedoAction(parent, "&Redo")
        redo.setShortcuts(_unique(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
                                  + [QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")]))
        # What F1 lists: a fixed name (the text names the live step) and, for Redo, both usual keys.
        undo.setProperty(HELP_NAME, "Undo")
        redo.setProperty(HELP_NAME, "Redo")
        redo.setProperty(HELP_KEYS, ["Ctrl+Shift+Z", "Ctrl+Y"])
        return undo, redo

    # ------------------------------------------------------------------ notes

    def add_note(self, add: StoreCall, on_done=None) -> Task:
        """A new note (``add(store) -> Note``); undoing it moves it to the trash."""
        return self.perform("Add note", add, lambda note: (_trash([note.id]), _restore([note.id])),
                            on_done=on_done)

    def delete_notes(self, note_ids, on_done=None) -> Task:
        """Move notes to the trash; undo restores them with their ids, dates, tags, colour and anchor."""
        ids = list(note_ids)
        label = "Delete note" if len(ids) == 1 else f"Delete {len(ids)} notes"

        def message(_notes) -> str:
            what = "Note" if len(ids) == 1 else f"{len(ids)} notes"
            return f"{what} moved to the trash — {UNDO_HINT}"

        return self.perform(label, lambda store: [store.delete_note(i) for i in ids],
                            lambda notes: (_restore([n.id for n in notes]), _trash([n.id for n in notes])),
                            message, on_done)

    def edit_note(self, note_id: str, on_done=None, **changes) -> Task:
        """``store.edit_note(note_id, **changes)``; undo writes the note back as it was."""
        return self._note_change("Edit note", note_id, lambda store: store.edit_note(note_id, **changes), on_done)

    def change_quote(self, note_id: str, article_id: str, section_id: str, quote: str,
                     prefix: str = "", suffix: str = "", on_done=None) -> Task:
        return self._note_change("Change quote", note_id, lambda store: store.change_quote(
            note_id, article_id, section_id, quote, prefix, suffix), on_done, "Quote changed")

    def reattach_note(self, note_id: str, article_id: str, section_id: str, on_done=None) -> Task:
        return self._note_change("Re-attach note", note_id, lambda store: store.reattach_note(
            note_id, article_id, section_id), on_done, "Note re-attached")

    def review_note(self, label: str, note_id: str, review: StoreCall, on_done=None) -> Task:
        """A review of a changed note (accept, leave orphaned, re-attach to a selection: ``review(store)``);
        undo writes the note back as it was, still to review."""
        return self._note_change(label, note_id, review, on_done, label)

    def _note_change(self, label: str, note_id: str, change: StoreCall, on_done, done_text: str = "") -> Task:
        def action(store):
            before = store.note_snapshot(note_id)
            change(store)
            return before, store.note_snapshot(note_id)

        return self.perform(label, action, lambda snaps: (_put_note(snaps[0]), _put_note(snaps[1])),
                            (lambda _s: f"{done_text} — {UNDO_HINT}") if done_text else None,
                            on_done=lambda snaps: on_done(snaps[1]) if on_done else None)

    def import_notes(self, source: str, on_done=None) -> Task:
        """Import a file; undo moves the notes it added to the trash and removes the bookmarks it added."""

        def action(store):
            report = store.import_notes(source)
            return report, [store.bookmark(i) for i in report.bookmark_ids]

        def inverse(answer):
            report, marks = answer

            def undo(store):
                _trash(report.note_ids)(store)
                for mark in marks:
                    store.remove_bookmark(mark.id)

            def redo(store):
                _restore(report.note_ids)(store)
                for mark in marks:
                    store.put_bookmark(mark)

            return undo, redo

        return self.perform("Import notes", action, inverse, on_done=lambda answer: on_done and on_done(answer[0]))

    # ------------------------------------------------------------------ bookmarks

    def remove_bookmark(self, bookmark_id: str, on_done=None) -> Task:
        return self.perform("Delete bookmark", lambda store: store.remove_bookmark(bookmark_id),
                            lambda mark: (lambda store: store.put_bookmark(mark),
                                          lambda store: store.remove_bookmark(mark.id)),
                            lambda mark: f"Deleted bookmark “{mark.name}” — {UNDO_HINT}", on_done)

    def rename_bookmark(self, bookmark_id: str, name: str, on_done=None) -> Task:
        return self._bookmark_change("Rename bookmark", bookmark_id,
                                     lambda store: store.rename_bookmark(bookmark_id, name), on_done)

    def move_bookmark(self, bookmark_id: str, folder: str | None, on_done=None) -> Task:
        return self._bookmark_change("Move bookmark", bookmark_id,
                                     lambda store: store.move_bookmark(bookmark_id, folder), on_done)

    def _bookmark_change(self, label: str, bookmark_id: str, change: StoreCall, on_done) -> Task:
        def action(store):
            return store.bookmark(bookmark_id), change(store)

        return self.perform(label, action, lambda pair: (lambda store: store.put_bookmark(pair[0]),
                                                         lambda store: store.put_bookmark(pair[1])),
                            on_done=lambda pair: on_done and on_done(pair[1]))


def _trash(note_ids) -> StoreCall:
    return lambda store: [store.delete_note(i) for i in note_ids]


def _restore(note_ids) -> StoreCall:
    return lambda store: [store.restore_note(i) for i in note_ids]


def _put_note(snapshot: dict) -> StoreCall:
    return lambda store: store.put_note(snapshot)


def _unique(keys: list) -> list:
    unique = []
    for key in keys:
        if not key.isEmpty() and key not in unique:
            unique.append(key)
    return unique


_HISTORIES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def history_for(library) -> UndoHistory:
    """The library's undo history (created on first use, on the GUI thread)."""
    history = _HISTORIES.get(library)
    if history is None:
        history = _HISTORIES[library] = UndoHistory(library)
    return history
