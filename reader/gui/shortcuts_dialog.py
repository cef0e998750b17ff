"""Help ▸ Keyboard Shortcuts (F1): every action and its key, searchable, scrollable.

One readable binding per action: the first of its shortcuts, in the platform's
own notation (``QKeySequence.NativeText``: "Ctrl+C" here, "⌘C" on macOS), so
fallbacks such as "Ctrl+Ins, F16, Copy" never clutter the list. The dialog is
sized to fit a 1366 × 768 laptop screen and scrolls; it is deleted when closed,
so it leaves nothing behind for screen readers.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout,
)

from ..textutil import fold
from .undo import HELP_KEYS, HELP_NAME

MAX_WIDTH, MAX_HEIGHT = 560, 620  # px: fits 1366 × 768 with the panel and title bar to spare


def shortcut_rows(actions, menu_bar=None) -> list[tuple[str, str]]:
    """(what the action does, its first key in the platform's notation) for every action with a key.

    An action in a submenu is named with it ("Theme: Dark", not "Dark").
    """
    submenu_of = _submenus(menu_bar) if menu_bar is not None else {}
    rows = []
    for action in actions:
        keys = action.shortcuts()
        if keys:
            text = action.property(HELP_NAME) or _plain(action.text())  # Undo's text names the live step
            if action in submenu_of:
                text = f"{submenu_of[action]}: {text}"
            shown = [QKeySequence(k) for k in action.property(HELP_KEYS) or ()] or keys[:1]
            rows.append((text, " or ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in shown)))
    return rows


def _plain(text: str) -> str:
    return text.replace("&", "").rstrip("…")


def _submenus(menu_bar) -> dict:
    """action -> the title of the submenu holding it (actions of top-level menus are left out)."""
    found = {}
    for top in menu_bar.actions():
        for entry in top.menu().actions() if top.menu() else ():
            if entry.menu() is not None:
                for action in entry.menu().actions():
                    found[action] = _plain(entry.text())
    return found


class ShortcutsDialog(QDialog):
    def __init__(self, rows: list[tuple[str, str]], parent=None):
        super().__init__(parent)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.setAccessibleName("Keyboard shortcuts")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.filter_field = QLineEdit(self, placeholderText="Filter shortcuts", clearButtonEnabled=True)
        self.filter_field.setAccessibleName("Filter shortcuts")
        self.table = QTreeWidget(self)
        self.table.setAccessibleName("Shortcuts")
        self.table.setColumnCount(2)
        self.table.setHeaderLabels(["Action", "Key"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.table.header().setStretchLastSection(False)
        for action, keys in rows:
            item = QTreeWidgetItem([action, keys])
            item.setData(0, Qt.ItemDataRole.AccessibleTextRole, f"{action}: {keys}")
            self.table.addTopLevelItem(item)
        self.count_label = QLabel(self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_field)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        layout.addWidget(buttons)
        self.filter_field.textChanged.connect(self.apply_filter)
        self.apply_filter("")
        self._fit_screen()

    def apply_filter(self, text: str) -> None:
        """Show the rows whose action or key contains ``text`` (case and accents ignored)."""
        needle = fold(text).strip()
        shown = 0
        for row in range(self.table.topLevelItemCount()):
            item = self.table.topLevelItem(row)
            hidden = bool(needle) and needle not in fold(f"{item.text(0)} {item.text(1)}")
            item.setHidden(hidden)
            shown += not hidden
        total = self.table.topLevelItemCount()
        self.count_label.setText(f"{shown} of {total} shortcuts" if needle else f"{total} shortcuts")
        self.count_label.setAccessibleName(self.count_label.text())

    def visible_rows(self) -> list[tuple[str, str]]:
        items = (self.table.topLevelItem(r) for r in range(self.table.topLevelItemCount()))
        return [(i.text(0), i.text(1)) for i in items if not i.isHidden()]

    def _fit_screen(self) -> None:
        screen = (self.parentWidget() or self).screen()
        available = screen.availableGeometry() if screen is not None else None
        width, height = MAX_WIDTH, MAX_HEIGHT
        if available is not None:
            width, height = min(width, available.width() - 40), min(height, available.height() - 80)
        self.resize(width, height)
