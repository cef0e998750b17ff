"""Find in page (Ctrl+F): match count, next/previous, highlight all, Esc closes.

The bar searches the reading view's page as the user types, ignoring case and
accents ("asagi" finds "Aşağı") unless "Match case" is on, and shows "3 of 12". Matches are
highlighted through the view's ``set_highlights("find", ...)`` so they coexist
with search-term highlights.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from .reading_view import ReadingView

MAX_HIGHLIGHTS = 2000


class FindBar(QWidget):
    closed = Signal()

    def __init__(self, view: ReadingView, parent=None):
        super().__init__(parent)
        self.view = view
        self.setObjectName("findBar")
        self.setAccessibleName("Find in page")
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("Find in page")
        self.field.setAccessibleName("Find in page text")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(140)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Match count")
        self.count_label.setMinimumWidth(60)
        self.prev_button = self._button("▲", "Previous match (Shift+F3, Shift+Enter)", self.find_previous, "Previous match")
        self.next_button = self._button("▼", "Next match (F3, Enter)", self.find_next, "Next match")
        self.highlight_box = QCheckBox("Highlight all", self)
        self.highlight_box.setChecked(True)
        self.case_box = QCheckBox("Match case", self)
        self.case_box.setToolTip("Match upper/lower case and accents exactly")
        self.close_button = self._button("✕", "Close (Esc)", self.close_bar, "Close find bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 3, 6, 3)
        layout.addWidget(self.field, 2)
        for widget in (self.count_label, self.prev_button, self.next_button, self.highlight_box, self.case_box):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addWidget(self.close_button)
        self.matches: list = []
        self.current = -1
        self._arrived = False  # the page moved since the last step: the current match was not visited
        self.field.textChanged.connect(self.refresh)
        self.field.returnPressed.connect(self.find_next)
        self.highlight_box.toggled.connect(lambda _=None: self._paint())
        self.case_box.toggled.connect(lambda _=None: self.refresh())
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close_bar)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shift_enter = QShortcut(QKeySequence("Shift+Return"), self.field, self.find_previous)
        shift_enter.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.view.article_shown.connect(self._page_moved)
        self.view.rerendered.connect(lambda: self.refresh() if self.isVisible() else None)
        self.setTabOrder(self.field, self.prev_button)
        self.setTabOrder(self.prev_button, self.next_button)
        self.setTabOrder(self.next_button, self.highlight_box)
        self.setTabOrder(self.highlight_box, self.case_box)
        self.setTabOrder(self.case_box, self.close_button)
        self.hide()

    def _button(self, text: str, tip: str, slot, name: str = "") -> QToolButton:
        button = QToolButton(self)
        button.setText(text)
        button.setToolTip(tip)
        button.setAccessibleName(name or text)
        button.clicked.connect(slot)
        return button

    # ------------------------------------------------------------------ actions

    def open_bar(self) -> None:
        selected = self.view.selected_text()
        if selected and "\n" not in selected and len(selected) < 100:
            self.field.setText(selected)
        self.show()
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()
        self.refresh()

    def close_bar(self) -> None:
        self.hide()
        self.view.set_highlights("find", [])
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.closed.emit()

    def find_next(self) -> None:
        self._step(+1)

    def find_previous(self) -> None:
        self._step(-1)

    @property
    def count(self) -> int:
        return len(self.matches)

    def refresh(self, _text: str = "") -> None:
        self._recount(arrived=False)
        if self.current >= 0:
            self._select_current()

    # ------------------------------------------------------------------ internals

    def _page_moved(self, *_args) -> None:
        """The window went to another place (Contents, Alt+Up, a link): count and paint the
        matches there, but never pull the page back to a match: the bar must not pin the view."""
        if self.isVisible():
            self._recount(arrived=True)  # F3 goes to the first match here, Shift+F3 to the one before

    def _recount(self, arrived: bool) -> None:
        self.matches = self.view.find_in_document(self.field.text(), match_case=self.case_box.isChecked())
        self.current = self._first_visible() if self.matches else -1
        self._arrived = arrived
        self._paint()

    def _first_visible(self) -> int:
        """The first match at or below the top of the viewport (so typing does not jump back)."""
        top = self.view.cursorForPosition(self.view.viewport().rect().topLeft()).position()
        for i, cursor in enumerate(self.matches):
            if cursor.selectionStart() >= top:
                return i
        return 0

    def _step(self, delta: int) -> None:
        if not self.matches:
            self.refresh()
        if not self.matches:
            return
        if self._arrived and delta > 0:
            delta = 0
        self._arrived = False
        self.current = (self.current + delta) % len(self.matches)
        self._paint()
        self._select_current()

    def _select_current(self) -> None:
        cursor = self.matches[self.current]
        self.view.release_target()
        self.view.setTextCursor(cursor)
        self.view.ensureCursorVisible()

    def _paint(self) -> None:
        text = self.field.text()
        if not text:
            self.count_label.setText("")
        elif not self.matches:
            self.count_label.setText("No matches")
        else:
            self.count_label.setText(f"{self.current + 1} of {len(self.matches)}")
        colors = self.view.theme.colors
        selections = []
        if self.highlight_box.isChecked():
            for i, cursor in enumerate(self.matches[:MAX_HIGHLIGHTS]):
                colour = colors.find_current if i == self.current else colors.find
                selections.append(self.view.make_selection(cursor, QColor(colour)))
        self.view.set_highlights("find", selections)
