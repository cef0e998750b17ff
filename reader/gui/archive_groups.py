"""The library panel's archives: one expandable group per archive, its articles page by page.

A group row shows the archive's title with its 48x48 icon, and its language, date and
creator (``ArchiveInfo``, from the source's ``media().info()``); selecting it opens the
archive's main page. Its children are the archive's titles in the source's order,
fetched a page at a time as the view scrolls (``canFetchMore``/``fetchMore`` per group),
or, while the panel's filter holds text, the titles starting with it (the source's
``titles_with_prefix``, at most a page's worth per group).
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeView

from ..sources.base import PAGE_SIZE, media_of
from .panel_support import plain_tooltip

ID_ROLE = Qt.ItemDataRole.UserRole
_GROUP = 0xFFFFFFFF  # internalId of a group row (a child row's internalId is its group's number)


def is_archive(source) -> bool:
    """A source shown as a group here (its ``media()`` tells its metadata), not in the flat list."""
    media = media_of(source)
    return media is not None and hasattr(media, "info")


def flat_sources(library) -> list:
    """The sources the panel's flat list shows: the folders and any source that is not an archive."""
    return [source for source in library.article_sources() if not is_archive(source)]


class _Group:
    def __init__(self, source, info):
        self.source, self.info = source, info
        self.rows: list = []  # TitleEntry of the children given to the view so far
        self.done = False  # every child given (or the filter's answer is complete)

    def label(self) -> str:
        facts = " · ".join(f for f in (self.info.language, self.info.date) if f)
        return f"{self.info.title} ({facts})" if facts else self.info.title


class ArchiveModel(QAbstractItemModel):
    """Archives as groups, their titles as children (two levels, no recursion)."""

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.library = library
        self.groups: list[_Group] = []
        self._prefix = ""

    def reload(self, prefix: str = "") -> None:
        """Re-read the attached archives; ``prefix`` (folded) keeps the titles starting with it."""
        self.beginResetModel()
        self._prefix = prefix
        self.groups = []
        for source in self.library.article_sources()[1:]:
            if is_archive(source):
                self.groups.append(_Group(source, media_of(source).info()))
        if prefix:
            for group in self.groups:
                group.rows, group.done = group.source.titles_with_prefix(prefix, PAGE_SIZE), True
        self.endResetModel()

    def children(self) -> list[tuple[QModelIndex, object]]:
        """(index, TitleEntry) of every title the groups hold now, group after group."""
        return [(self.index(row, 0, self.index(number, 0)), entry)
                for number, group in enumerate(self.groups) for row, entry in enumerate(group.rows)]

    # ------------------------------------------------------------------ Qt

    def index(self, row, column=0, parent=QModelIndex()):
        if column != 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, _GROUP) if 0 <= row < len(self.groups) else QModelIndex()
        if parent.internalId() != _GROUP:
            return QModelIndex()
        group = self.groups[parent.row()]
        return self.createIndex(row, 0, parent.row()) if 0 <= row < len(group.rows) else QModelIndex()

    def parent(self, index=QModelIndex()):  # noqa: A003 - Qt name
        if not index.isValid() or index.internalId() == _GROUP:
            return QModelIndex()
        return self.createIndex(index.internalId(), 0, _GROUP)

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt name
        if not parent.isValid():
            return len(self.groups)
        return len(self.groups[parent.row()].rows) if parent.internalId() == _GROUP else 0

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 1

    def hasChildren(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt name
        if not parent.isValid():
            return bool(self.groups)
        group = self._group_of(parent)
        return group is not None and (bool(group.rows) or not group.done)

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt name
        group = self._group_of(parent)
        return group is not None and not group.done

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt name
        """The group's next page of titles."""
        group = self._group_of(parent)
        if group is None or group.done:
            return
        page = group.source.titles(len(group.rows), PAGE_SIZE)
        group.done = len(page) < PAGE_SIZE or len(group.rows) + len(page) >= group.source.count()
        if page:
            self.beginInsertRows(parent, len(group.rows), len(group.rows) + len(page) - 1)
            group.rows += page
            self.endInsertRows()

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if index.internalId() == _GROUP:
            return self._group_data(self.groups[index.row()], role)
        entry = self.groups[index.internalId()].rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.shown
        if role == ID_ROLE:
            return entry.id
        if role == Qt.ItemDataRole.ToolTipRole:
            return plain_tooltip(f"{entry.title}\n{entry.where}" if entry.where else entry.title)
        return None

    def _group_data(self, group: _Group, role):
        info = group.info
        if role == Qt.ItemDataRole.DisplayRole:
            return group.label()
        if role == ID_ROLE:
            return info.main_article_id
        if role == Qt.ItemDataRole.DecorationRole and info.icon:
            pixmap = QPixmap()
            return QIcon(pixmap) if pixmap.loadFromData(info.icon) else None
        if role == Qt.ItemDataRole.ToolTipRole:
            facts = [info.title, f"Language: {info.language}" if info.language else "",
                     f"Date: {info.date}" if info.date else "", f"Creator: {info.creator}" if info.creator else "",
                     f"{group.source.count():,} articles"]
            return plain_tooltip("\n".join(f for f in facts if f))
        return None

    def _group_of(self, index):
        if index.isValid() and index.internalId() == _GROUP and index.row() < len(self.groups):
            return self.groups[index.row()]
        return None


class ArchiveTree(QTreeView):
    """The view of :class:`ArchiveModel`: hidden while the library has no archive. A group's context
    menu offers "Remove Archive…" (``remove_requested`` with the archive's path)."""

    remove_requested = Signal(str)

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._show_menu)
        self.model_ = ArchiveModel(library, self)
        self.setModel(self.model_)
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setAccessibleName("Archives")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.reload()

    def reload(self, prefix: str = "") -> None:
        self.model_.reload(prefix)
        self.setVisible(bool(self.model_.groups))
        if prefix:
            self.expandAll()

    def context_menu(self, index) -> QMenu | None:
        """The menu of the group at ``index`` (or of a title's group), or None outside any group."""
        if index.isValid() and index.internalId() != _GROUP:
            index = index.parent()
        group = self.model_._group_of(index)
        path = getattr(group.source, "path", None) if group is not None else None
        if path is None:
            return None
        menu = QMenu(self)
        remove = menu.addAction(f"&Remove Archive “{group.info.title}”…")
        remove.triggered.connect(lambda: self.remove_requested.emit(str(path)))
        menu.aboutToHide.connect(menu.deleteLater)
        return menu

    def _show_menu(self, position) -> None:
        menu = self.context_menu(self.indexAt(position))
        if menu is not None:
            menu.popup(self.viewport().mapToGlobal(position))

    def select(self, article_id: str) -> bool:
        """Make the row of an archive article current when its group holds it (it is never fetched for
        this: finding a row of an archive costs a walk); False when no row shows it."""
        found = next((index for index, entry in self.model_.children() if entry.id == article_id), None)
        if found is None:
            return False
        self.setCurrentIndex(found)
        self.scrollTo(found)
        return True
