"""The table of contents: the open article's section tree.

Clicking (or Enter on) a section emits ``section_activated``; the window scrolls
the reading view there. ``set_current`` follows the reading view's scrolling
without emitting anything. Sections with notes or bookmarks carry a small mark
(an icon, a tooltip and ``MARKS_ROLE`` data), refreshed from the store.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QTreeWidget, QTreeWidgetItem

from ..errors import LecternError
from ..model import LEAD_SECTION_ID, Article
from . import messages
from .panel_support import plain_tooltip
from .workers import run_in_background

SECTION_ROLE = Qt.ItemDataRole.UserRole
MARKS_ROLE = Qt.ItemDataRole.UserRole + 1  # frozenset of "note" / "bookmark"
INDENT_PX = 12
_MARK_COLOURS = {"bookmark": "#e5534b", "note": "#e0a526"}  # red ribbon, yellow note; never the selection blue


class _Blank:
    """The empty mark icon, made once (a QPixmap needs the QApplication)."""

    _icon = None

    def icon(self) -> QIcon:
        if _Blank._icon is None:
            _Blank._icon = _mark_icon(frozenset())
        return _Blank._icon


_BLANK = _Blank()


def _mark_icon(marks: frozenset[str]) -> QIcon:
    pixmap = QPixmap(QSize(20, 10))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    for slot, kind in enumerate(("bookmark", "note")):
        if kind in marks:
            painter.setBrush(QColor(_MARK_COLOURS[kind]))
            painter.drawEllipse(1 + slot * 10, 1, 8, 8)
    painter.end()
    return QIcon(pixmap)


def quiet_store_failure(exc: BaseException) -> None:
    """Marks (and painted notes) are a hint: no store in this build, or an unreadable one, leaves them off quietly."""
    if not isinstance(exc, (ImportError, LecternError)):
        messages.show_error(exc, "marking sections with notes and bookmarks")


class TocView(QTreeWidget):
    section_activated = Signal(str)

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.library = library
        self.setObjectName("toc")
        self.setAccessibleName("Table of contents")
        self.setHeaderHidden(True)
        self.setUniformRowHeights(True)
        self.setExpandsOnDoubleClick(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setIconSize(QSize(20, 10))
        # a narrow sidebar: small even steps per level, long headings end in "…" (the
        # tooltip has them whole), never a sideways scroll bar
        self.setIndentation(INDENT_PX)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.header().setStretchLastSection(True)
        self.article_id = ""
        self._items: dict[str, QTreeWidgetItem] = {}
        self._following = False
        self.itemClicked.connect(self._activate)
        self.itemActivated.connect(self._activate)

    def set_article(self, article: Article | None) -> None:
        self.clear()
        self._items.clear()
        self.article_id = article.id if article else ""
        if article is None:
            return
        for section in article.sections:
            # top-level sections sit beside the title, not under it: one level less to indent
            top = section.parent_id in (None, article.lead.id)
            parent = None if top else self._items.get(section.parent_id)
            label = article.title if section.is_lead else section.title
            item = QTreeWidgetItem([label])
            item.setData(0, SECTION_ROLE, section.id)
            item.setData(0, MARKS_ROLE, frozenset())
            item.setIcon(0, _BLANK.icon())
            item.setToolTip(0, plain_tooltip(label))
            if parent is None:
                self.addTopLevelItem(item)
            else:
                parent.addChild(item)
            self._items[section.id] = item
        self.expandAll()
        self.refresh_marks()

    def section_ids(self) -> list[str]:
        return list(self._items)

    def item_for(self, section_id: str) -> QTreeWidgetItem | None:
        return self._items.get(section_id)

    def set_current(self, section_id: str) -> None:
        item = self._items.get(section_id)
        if item is None or item is self.currentItem():
            return
        self._following = True
        try:
            self.setCurrentItem(item)
            self.scrollToItem(item)
        finally:
            self._following = False

    def refresh_marks(self) -> None:
        """Mark sections that have notes or bookmarks (the store is queried in a worker)."""
        article_id = self.article_id
        if not article_id:
            return

        def query(library=self.library):
            store = library.store
            noted = {n.section_id for n in store.notes(article_id=article_id) if not n.orphaned}
            marked = {b.section_id or LEAD_SECTION_ID for b in store.bookmarks() if b.article_id == article_id}
            return article_id, noted, marked

        def answered(result) -> None:
            if result[0] == self.article_id:  # not a late answer for a previous article
                self.set_marks(result[1], result[2])

        run_in_background(query, on_result=answered, on_error=quiet_store_failure)

    def set_marks(self, note_sections: set[str], bookmark_sections: set[str]) -> None:
        for section_id, item in self._items.items():
            marks = frozenset(k for k, ids in (("note", note_sections), ("bookmark", bookmark_sections)) if section_id in ids)
            item.setData(0, MARKS_ROLE, marks)
            item.setIcon(0, _mark_icon(marks))  # a blank icon keeps unmarked titles aligned
            label = item.text(0)
            extra = ", ".join(sorted({"note": "has notes", "bookmark": "bookmarked"}[m] for m in marks))
            item.setToolTip(0, plain_tooltip(f"{label} ({extra})" if extra else label))

    def marks(self, section_id: str) -> frozenset[str]:
        item = self._items.get(section_id)
        return item.data(0, MARKS_ROLE) if item else frozenset()

    def _activate(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        if not self._following:
            self.section_activated.emit(item.data(0, SECTION_ROLE))
