"""The message bar above the article: the window's end of the notices channel (``reader/notices.py``).

Library, index and store notices (a damaged, read-only or newer-version notes
database, a read-only library, a full disk, an index being rebuilt) are posted
on whatever thread found them; :class:`NoticeBridge` re-emits them on the GUI
thread. A condition (a notice with a key) stays in the bar until its component
clears it; a warning told once stays until the user closes it; a note told
once ("the search index is missing; building it") only passes through the
status bar (``transient``).
"""

from __future__ import annotations

import weakref

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from ..notices import CLEARED, NOTE, POSTED, Notice, Notices


# The window's own condition: notes re-anchoring moved or lost, until none is left to review
# (posted on ``anchors_changed``, cleared by the review window when its list is empty).
REVIEW_KEY = "store.review"


class NoticeBridge(QObject):
    """Notices re-emitted on the GUI thread; the channel holds only a weak reference to it."""

    notice = Signal(str, object)  # POSTED or CLEARED, Notice

    def __init__(self, notices: Notices, parent: QObject):
        super().__init__(parent)
        ref = weakref.ref(self)

        def listener(what: str, notice: Notice) -> None:
            bridge = ref()
            if bridge is None:
                return
            try:
                bridge.notice.emit(what, notice)
            except RuntimeError:  # deleted with its window
                pass

        notices.listen(listener)


class MessageBar(QFrame):
    """One row per notice shown; hidden when there is none."""

    def __init__(self, notices: Notices, parent: QWidget | None = None, transient=None):
        super().__init__(parent)
        self._transient = transient
        self.setObjectName("messageBar")
        self.setAccessibleName("Messages")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#messageBar { background: palette(alternate-base); border: 1px solid #d6b656; }")
        self._rows: dict[Notice, QWidget] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(6, 3, 6, 3)
        self._layout.setSpacing(2)
        self.bridge = NoticeBridge(notices, self)
        self.bridge.notice.connect(self._notice)
        for notice in notices.posted():
            self._show(notice)
        self._update_visibility()

    def texts(self) -> list[str]:
        """What the bar shows now, oldest first."""
        return [notice.text for notice in self._rows]

    def _notice(self, what: str, notice: Notice) -> None:
        if what == POSTED:
            self._show(notice)
        elif what == CLEARED:
            self._dismiss(notice)
        self._update_visibility()

    def _show(self, notice: Notice) -> None:
        if notice in self._rows:
            return
        if notice.level == NOTE and not notice.lasting and self._transient is not None:
            self._transient(notice.text)
            return
        row = QWidget(self)
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        label = QLabel(("" if notice.level == NOTE else "⚠ ") + notice.text, row)
        label.setTextFormat(Qt.TextFormat.PlainText)  # paths and file names are shown, never interpreted
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(label, 1)
        if not notice.lasting:  # a condition leaves when it ends; a one-off notice when the user closes it
            close = QToolButton(row, text="×", autoRaise=True)
            close.setAccessibleName("Close message")
            close.setToolTip("Close this message")
            close.clicked.connect(lambda _=False, n=notice: self._notice(CLEARED, n))
            layout.addWidget(close)
        self._layout.addWidget(row)
        self._rows[notice] = row

    def _dismiss(self, notice: Notice) -> None:
        row = self._rows.pop(notice, None)
        if row is not None:
            row.hide()
            row.deleteLater()

    def _update_visibility(self) -> None:
        self.setVisible(bool(self._rows))
