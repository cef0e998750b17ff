"""Review changed notes: the notes whose quoted passage re-anchoring moved or lost.

After a rescan or an archive update, fuzzy re-anchoring (docs/data-model.md)
may have moved a note to an edited passage (state ``moved``) or found its
passage gone (``section``, ``orphaned``). Such notes are flagged ``review``
until the user looks. This window lists them with the passage as first quoted
and the passage now, side by side, the differences marked (all text escaped),
and offers:

* **Accept**: the new passage is right; the note's state becomes ``exact`` (a
  "passage gone" note stays on its section as it is: state ``section``, reviewed);
* **Re-attach to Selection**: anchor the note to the passage selected in the
  reading view instead;
* **Leave Orphaned**: the note is kept, orphaned, with the text first quoted.

The list loads in a worker (:func:`run_in_background`); the three actions go
through the undo history (``reader/gui/undo.py``: Ctrl+Z puts the note back as
it was, still to review). ``refreshed`` is emitted after every reload and
``reviewed(note_id)`` after each action.
"""

from __future__ import annotations

import difflib
import re
from html import escape

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QSplitter,
    QTextBrowser, QVBoxLayout, QWidget,
)

from ..model import section_label
from .message_bar import REVIEW_KEY
from .messages import show_info
from .panel_support import ChangeFeed
from .undo import history_for
from .workers import run_in_background

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# (removed, added) word styles on a light and on a dark page: each names its text colour as well as its
# background, so the words stay readable whatever the theme's own text colour is.
DIFF_STYLES = {
    False: ("background-color:#f6c9c9; color:#1a1a1a; text-decoration:line-through",
            "background-color:#c6efc6; color:#1a1a1a; font-weight:bold"),
    True: ("background-color:#6e2a2a; color:#f5f5f5; text-decoration:line-through",
           "background-color:#1f5c2c; color:#f5f5f5; font-weight:bold"),
}
STATE_LABELS = {"moved": "moved", "section": "passage gone", "orphaned": "orphaned"}


def marked_diff(old: str, new: str, dark: bool = False) -> tuple[str, str]:
    """``old`` and ``new`` as escaped HTML, words only in ``old`` struck out, words only in ``new`` in bold
    (colours for a ``dark`` or a light page)."""
    removed_style, added_style = DIFF_STYLES[dark]
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    old_html, new_html = [], []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        old_part, new_part = escape("".join(before[i1:i2])), escape("".join(after[j1:j2]))
        if op == "equal":
            old_html.append(old_part)
            new_html.append(new_part)
            continue
        if old_part:
            old_html.append(f'<span style="{removed_style}">{old_part}</span>')
        if new_part:
            new_html.append(f'<span style="{added_style}">{new_part}</span>')
    return "".join(old_html), "".join(new_html)


def comparison_html(note, dark: bool = False) -> str:
    """The note's passage as first quoted beside the passage now, as a two-column table (``dark``: the
    page is dark)."""
    first = note.original_quote or note.quote or ""
    if note.anchor_state == "moved":
        old_html, new_html = marked_diff(first, note.quote or "", dark)
        similarity = f" ({note.similarity:.0%} alike)" if note.similarity is not None else ""
        heading = f"Re-found after the text changed{similarity}"
    else:
        old_html = escape(first)
        gone = "its section" if note.anchor_state == "orphaned" else "this section"
        new_html = f"<i>no longer in {gone}</i>"
        heading = "The quoted passage was not found"
    where = escape(section_label(note.section_path) or note.section_id)
    body = escape(note.text.strip()) or "<i>(no text)</i>"
    return (f"<p><b>{escape(heading)}</b> · {escape(note.article_id)} › {where}</p>"
            "<table width='100%' cellpadding='6' border='1' cellspacing='0'>"
            "<tr><th align='left'>First quoted</th><th align='left'>Now in the article</th></tr>"
            f"<tr><td valign='top'>{old_html}</td><td valign='top'>{new_html}</td></tr></table>"
            f"<p>{body}</p>")


class ReviewNotesDialog(QDialog):
    """The "Review changed notes" window (see the module docstring)."""

    refreshed = Signal()
    reviewed = Signal(str)  # the note id, after its action was saved

    def __init__(self, library, view=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Review changed notes")
        self.library, self.view = library, view
        self._notes: list = []
        self.summary = QLabel()
        self.list = QListWidget()
        self.list.currentRowChanged.connect(self._show_current)
        self.detail = QTextBrowser()
        self.detail.setOpenLinks(False)  # nothing in a note is followed
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(self.detail)
        splitter.setSizes([260, 520])
        self.accept_button = QPushButton("&Accept")
        self.reattach_button = QPushButton("Re-attach to &Selection")
        self.orphan_button = QPushButton("Leave &Orphaned")
        self.accept_button.clicked.connect(lambda: self._act("Accept changed note", _accept))
        self.reattach_button.clicked.connect(self._reattach_to_selection)
        self.orphan_button.clicked.connect(lambda: self._act("Leave note orphaned", _leave_orphaned))
        actions = QHBoxLayout()
        for button in (self.accept_button, self.reattach_button, self.orphan_button):
            actions.addWidget(button)
        actions.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.close)
        actions.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(actions)
        self.resize(820, 460)
        self._changes = ChangeFeed(library, self)
        self._changes.changed.connect(self._apply_changes)
        self.reload()

    def _apply_changes(self, changes) -> None:
        shown = {n.id for n in self._notes}
        back = any(n.review for n in changes.changed_notes)  # an undone review puts a note back in the list
        if changes.anchors or back or shown.intersection(changes.notes):  # or another rescan moved or lost passages
            self.reload()

    # ------------------------------------------------------------------ list

    def reload(self) -> None:
        run_in_background(self.library.store.notes_to_review, on_result=self._fill)

    def shown_notes(self) -> list:
        return list(self._notes)

    def current_note(self):
        row = self.list.currentRow()
        return self._notes[row] if 0 <= row < len(self._notes) else None

    def _fill(self, notes: list) -> None:
        current = self.current_note()
        self._notes = list(notes)
        self.list.clear()
        for note in self._notes:
            label = STATE_LABELS.get(note.anchor_state, note.anchor_state)
            first = (note.original_quote or note.quote or note.text).strip().replace("\n", " ")
            self.list.addItem(QListWidgetItem(f"[{label}] {first[:60]}"))
        ids = [n.id for n in self._notes]
        self.list.setCurrentRow(ids.index(current.id) if current is not None and current.id in ids else 0)
        moved = sum(1 for n in self._notes if n.anchor_state == "moved")
        self.summary.setText(f"{moved} moved, {len(self._notes) - moved} lost: compare, then accept, "
                             "re-attach to a selection, or leave orphaned." if self._notes
                             else "No changed notes to review.")
        if not self._notes:
            self.library.notices.clear(REVIEW_KEY)  # nothing left to review: the message bar's count goes
        self._show_current()
        self.refreshed.emit()

    def _show_current(self, *_args) -> None:
        note = self.current_note()
        dark = self.detail.palette().color(QPalette.ColorRole.Base).lightness() < 128
        self.detail.setHtml(comparison_html(note, dark) if note is not None else "")
        for button in (self.accept_button, self.reattach_button, self.orphan_button):
            button.setEnabled(note is not None)
        self.accept_button.setEnabled(note is not None and note.anchor_state in ("moved", "section"))

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "orphan_button"):  # the theme changed
            self._show_current()

    # ------------------------------------------------------------------ actions

    def _act(self, label: str, store_call, *args) -> None:
        """``store_call(store, note_id, *args)`` through the undo history (Ctrl+Z puts the note back to review)."""
        note = self.current_note()
        if note is None:
            return
        history_for(self.library).review_note(label, note.id, lambda store, i=note.id: store_call(store, i, *args),
                                              on_done=lambda _n, i=note.id: self._done(i))

    def _done(self, note_id: str) -> None:
        self.reviewed.emit(note_id)
        self.reload()

    def _reattach_to_selection(self) -> None:
        view = self.view
        quote, prefix, suffix = view.selection_context() if view is not None else ("", "", "")
        if not quote or not getattr(view, "article_id", None):
            show_info("Select the passage in the article first, then re-attach the note to it")
            return
        if view.selection_problem():
            show_info(view.selection_problem())
            return
        self._act("Re-attach note to selection", _reattach, view.article_id, view.selection_section_id(),
                  quote, prefix, suffix)


def _accept(store, note_id: str):
    return store.accept_anchor(note_id)


def _leave_orphaned(store, note_id: str):
    return store.leave_orphaned(note_id)


def _reattach(store, note_id: str, *place):
    return store.reattach_note(note_id, *place)


def open_review(window) -> ReviewNotesDialog:
    """Show the review window for ``window`` (a MainWindow), one at a time."""
    dialog = getattr(window, "_review_dialog", None)
    if dialog is None:
        dialog = window._review_dialog = ReviewNotesDialog(window.library, window.view, window)
    else:
        dialog.reload()
    dialog.show()
    dialog.raise_()
    return dialog
