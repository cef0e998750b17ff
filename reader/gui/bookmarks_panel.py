"""The bookmarks panel: a tree by folder; add, rename, move, delete, jump.

Every store call runs in a worker (SQLite with ``synchronous=FULL`` may fsync);
the tree is rebuilt when the store reports ``"bookmarks_changed"``, whoever made
the change (this panel, the CLI in another window, an import).

Keys (while the panel has focus): Enter opens, F2 renames in place,
Ctrl+M moves to a folder, Delete removes. The main window's Ctrl+D calls
:meth:`BookmarksPanel.bookmark` with the current section. Rename, move and
delete go through the library's undo history (Ctrl+Z, :mod:`reader.gui.undo`).
"""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..model import LEAD_SECTION_ID
from .messages import show_info
from .panel_support import (
    PAYLOAD_ROLE, ChangeFeed, Loader, button_row, catch_escape, panel_action, plain_tooltip, while_alive,
)
from .undo import history_for
from .workers import run_in_background

NO_FOLDER = ""
_ADDING = threading.Lock()  # "is it bookmarked? if not, add it" as one step, however fast Ctrl+D repeats


def _bookmark_once(store, article_id: str, section_id: str | None):
    """Worker: (the bookmark of this exact place, whether it existed already); adds one only if not."""
    target = section_id or LEAD_SECTION_ID  # an article's bookmark and its lead's open the same place
    with _ADDING:
        for mark in store.bookmarks():
            if mark.article_id == article_id and (mark.section_id or LEAD_SECTION_ID) == target:
                return mark, True
        return store.add_bookmark(article_id, section_id), False


class BookmarksPanel(QWidget):
    open_requested = Signal(str, str, object)  # article id, section id or "", None
    refreshed = Signal()  # the tree was rebuilt from the store

    def __init__(self, library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.setAccessibleName("Bookmarks")
        self.current = ("", "")
        self._select_after: str | None = None
        self._filling = False
        self._build()
        self._loader = Loader(self, lambda: self.library.store.bookmarks(), self._fill)
        self._changes = ChangeFeed(library, self)
        self._changes.changed.connect(lambda changes: changes.bookmarks and self.reload())
        self.reload()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Bookmarks by folder")
        self.tree.setHeaderHidden(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemChanged.connect(self._item_changed)
        self.tree.currentItemChanged.connect(self._update_actions)

        self.add_action = panel_action(self, "&Bookmark this section", "", self.bookmark_current,
                                       "Bookmark the section you are reading (Ctrl+D)")
        self.rename_action = panel_action(self, "&Rename", "F2", self.rename_selected)
        self.move_action = panel_action(self, "&Move to folder…", "Ctrl+M", self.show_move_row)
        self.delete_action = panel_action(self, "&Delete", "Delete", self.delete_selected)
        buttons = button_row(self, (self.add_action, self.rename_action, self.move_action, self.delete_action))

        self.move_row = QWidget(self, visible=False)
        self.folder_box = QComboBox(self.move_row, editable=True)
        self.folder_box.setAccessibleName("Folder to move the bookmark to")
        self.folder_box.lineEdit().setPlaceholderText("Folder (empty: no folder)")
        self.folder_box.lineEdit().returnPressed.connect(self.apply_move)
        move_ok = QPushButton("Move", self.move_row, clicked=self.apply_move)
        move_cancel = QPushButton("Cancel", self.move_row, clicked=self.hide_move_row, toolTip="Cancel (Esc)")
        catch_escape(self, (self.folder_box, move_ok, move_cancel), self.hide_move_row)
        row = QHBoxLayout(self.move_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Folder:", self.move_row))
        row.addWidget(self.folder_box, 1)
        row.addWidget(move_ok)
        row.addWidget(move_cancel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(buttons)
        layout.addWidget(self.move_row)
        layout.addWidget(self.tree, 1)
        self._update_actions()

    # ------------------------------------------------------------------ the main window's API

    def set_current(self, article_id: str, section_id: str) -> None:
        self.current = (article_id or "", section_id or "")
        self.add_action.setEnabled(bool(article_id))

    def bookmark(self, article_id: str, section_id: str) -> None:
        """Bookmark a section (or the article when ``section_id`` is empty); selects it once saved.

        A section that is bookmarked already gets no second bookmark: the existing
        one is selected and the status bar says so.
        """
        if not article_id:
            show_info("Open an article to bookmark it.")
            return

        def answered(result) -> None:
            mark, existed = result
            self._select_after = mark.id
            item = self.item_for(mark.id)
            if item is not None:  # no reload is coming for an existing bookmark
                self.tree.setCurrentItem(item)
                self.tree.scrollToItem(item)  # opens its folder too
                self._select_after = None
            show_info(f"Already bookmarked as “{mark.name}”" if existed else f"Bookmarked “{mark.name}”")

        run_in_background(_bookmark_once, self.library.store, article_id, section_id or None,
                          on_result=while_alive(self, answered))

    def bookmark_current(self) -> None:
        self.bookmark(*self.current)

    # ------------------------------------------------------------------ the tree

    def reload(self) -> None:
        """Re-read the bookmarks in a worker and rebuild the tree (stale answers are dropped)."""
        self._loader()

    def _fill(self, marks) -> None:
        selected = self.selected_bookmark()
        keep = self._select_after or (selected.id if selected else None)
        collapsed = {self._folder_of(self.tree.topLevelItem(i)) for i in range(self.tree.topLevelItemCount())
                     if self.tree.topLevelItem(i).childCount() and not self.tree.topLevelItem(i).isExpanded()}
        self._filling = True
        self.tree.clear()
        folders: dict[str, QTreeWidgetItem] = {}
        for name in sorted({m.folder for m in marks if m.folder}, key=str.casefold):
            folders[name] = self._folder_item(name, collapsed)
        for mark in sorted(marks, key=lambda m: (m.name.casefold(), m.created)):
            parent = folders.get(mark.folder) if mark.folder else None
            item = self._bookmark_item(mark, parent)
            if mark.id == keep:
                self.tree.setCurrentItem(item)
        self._filling = False
        if keep == self._select_after:
            self._select_after = None
        self._update_actions()
        self.refreshed.emit()

    def _folder_item(self, name: str, collapsed: set) -> QTreeWidgetItem:
        item = QTreeWidgetItem(self.tree, [name])
        item.setData(0, PAYLOAD_ROLE, ("folder", name))
        font = QFont(item.font(0))
        font.setBold(True)
        item.setFont(0, font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        item.setExpanded(name not in collapsed)
        return item

    def _bookmark_item(self, mark, parent: QTreeWidgetItem | None) -> QTreeWidgetItem:
        item = QTreeWidgetItem([mark.name])
        (parent.addChild(item) if parent else self.tree.addTopLevelItem(item))
        item.setData(0, PAYLOAD_ROLE, mark)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        target = mark.article_id + (f"#{mark.section_id}" if mark.section_id else "")
        item.setToolTip(0, plain_tooltip(f"{mark.name}\n{target}"))
        return item

    @staticmethod
    def _folder_of(item: QTreeWidgetItem) -> str | None:
        data = item.data(0, PAYLOAD_ROLE)
        return data[1] if isinstance(data, tuple) else None

    def selected_bookmark(self):
        item = self.tree.currentItem()
        data = item.data(0, PAYLOAD_ROLE) if item else None
        return None if data is None or isinstance(data, tuple) else data

    def item_for(self, bookmark_id: str) -> QTreeWidgetItem | None:
        for item in self._all_items():
            data = item.data(0, PAYLOAD_ROLE)
            if getattr(data, "id", None) == bookmark_id:
                return item
        return None

    def _all_items(self):
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop(0)
            yield item
            stack[:0] = [item.child(i) for i in range(item.childCount())]

    def _update_actions(self, *_args) -> None:
        has = self.selected_bookmark() is not None
        for action in (self.rename_action, self.move_action, self.delete_action):
            action.setEnabled(has)
        self.add_action.setEnabled(bool(self.current[0]))

    # ------------------------------------------------------------------ actions

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        mark = item.data(0, PAYLOAD_ROLE)
        if mark is not None and not isinstance(mark, tuple):
            self.open_requested.emit(mark.article_id, mark.section_id or "", None)

    def rename_selected(self) -> None:
        """Edit the name in place; Enter saves it (see :meth:`_item_changed`)."""
        if self.selected_bookmark() is not None:
            self.tree.editItem(self.tree.currentItem(), 0)

    def _item_changed(self, item: QTreeWidgetItem, _column: int) -> None:
        mark = item.data(0, PAYLOAD_ROLE)
        if self._filling or mark is None or isinstance(mark, tuple):
            return
        name = item.text(0).strip()
        if not name or name == mark.name:
            item.setText(0, mark.name)
            return
        self._select_after = mark.id
        history_for(self.library).rename_bookmark(mark.id, name)

    def show_move_row(self) -> None:
        mark = self.selected_bookmark()
        if mark is None:
            return
        self.folder_box.clear()
        names = sorted({self._folder_of(i) for i in self._all_items()} - {None}, key=str.casefold)
        self.folder_box.addItems(names)
        self.folder_box.setEditText(mark.folder or NO_FOLDER)
        self.move_row.show()
        self.folder_box.setFocus()
        self.folder_box.lineEdit().selectAll()

    def hide_move_row(self) -> None:
        self.move_row.hide()
        self.tree.setFocus()

    def apply_move(self) -> None:
        mark = self.selected_bookmark()
        folder = self.folder_box.currentText().strip() or None
        self.hide_move_row()
        if mark is not None and folder != mark.folder:
            self._select_after = mark.id
            history_for(self.library).move_bookmark(mark.id, folder)

    def delete_selected(self) -> None:
        mark = self.selected_bookmark()
        if mark is not None:
            history_for(self.library).remove_bookmark(mark.id)
