"""All notes in one window: filter as you type, full-text search, orphaned notes re-attached.

* Typing filters the list at once (every word must appear, accent- and
  case-insensitively, in the note, its quote, tags, article or section).
* Enter runs a full-text search over the notes (``library.search(...,
  notes_only=True)``, stemming and the query syntax of docs/search.md) in a
  worker and keeps only the notes it finds.
* Orphaned notes (their place in the article could not be found after it
  changed) are marked; "Re-attach" (Ctrl+R) picks an article and a section for
  the selected one. Nothing is ever dropped.

Keys: Enter opens the note's place (or the re-attach row for an orphan),
Ctrl+R re-attaches, Ctrl+F focuses the filter, Esc closes the re-attach row.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..textutil import fold
from .messages import show_info
from .notes_panel import note_row_html, note_row_text
from .panel_support import (
    HTML_ROLE, PAYLOAD_ROLE, HtmlDelegate, LibraryEvents, panel_action, plain_tooltip, while_alive,
)
from .search_text import section_label
from .workers import run_in_background

COLUMNS = ("Note", "Article", "Section", "Updated")
SEARCH_LIMIT = 500
MAX_ROW_UPDATES = 50  # a bigger change (an import, a restore) reloads everything instead
ORPHAN_MARK = "⚠ orphaned"


class AllNotesView(QWidget):
    open_requested = Signal(str, str, object)
    refreshed = Signal()  # the list was rebuilt (load, filter or search)

    def __init__(self, library, parent: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.library = library
        self.setWindowTitle("All notes · Lectern")
        self.setAccessibleName("All notes")
        self.resize(920, 560)
        self._titles: dict[str, str] = {}
        self._rows: dict[str, _Row] = {}  # note id -> its row, newest first
        self._search_ids: set[str] | None = None  # full-text matches, or None for the word filter
        self._load_seq = self._search_seq = 0
        self._build()
        self._events = LibraryEvents(library, self)
        self._events.event.connect(self._library_event)
        self.reload()

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.filter = QLineEdit(self, clearButtonEnabled=True,
                                placeholderText="Filter notes…   Enter: full-text search (stemming, \"phrases\", tag words)")
        self.filter.setAccessibleName("Filter notes")
        self.filter.textChanged.connect(self._filter_edited)
        self.filter.returnPressed.connect(self.search)
        self.orphaned_only = QCheckBox("&Orphaned only", self)
        self.orphaned_only.setAccessibleName("Show only orphaned notes")
        self.orphaned_only.toggled.connect(self._apply_filter)
        self.count = QLabel(self)
        self.count.setAccessibleName("Notes shown")
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.orphaned_only)
        top.addWidget(self.count)

        self.tree = QTreeWidget(self)
        self.tree.setAccessibleName("Notes")
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(COLUMNS)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.setItemDelegateForColumn(0, HtmlDelegate(self.tree))
        self.tree.setItemDelegateForColumn(COLUMNS.index("Updated"), _TimeDelegate(self.tree))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setColumnWidth(0, 380)
        self.tree.setColumnWidth(1, 190)
        self.tree.setColumnWidth(2, 170)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(COLUMNS.index("Updated"), Qt.SortOrder.DescendingOrder)  # newest first; headers re-sort
        self.tree.itemActivated.connect(self._activated)
        self.tree.currentItemChanged.connect(self._selection_changed)

        self.reattach_action = panel_action(self, "&Re-attach…", "Ctrl+R", self.show_reattach,
                                            "Attach the selected orphaned note to a section")
        panel_action(self, "Filter", QKeySequence.StandardKey.Find, self._focus_filter)
        self._build_reattach_row()

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.reattach_row)
        self.setTabOrder(self.filter, self.orphaned_only)
        self.setTabOrder(self.orphaned_only, self.tree)

    def _build_reattach_row(self) -> None:
        self.reattach_row = QWidget(self, visible=False)
        self.reattach_article = QComboBox(self.reattach_row)
        self.reattach_article.setAccessibleName("Article to attach the note to")
        self.reattach_article.currentIndexChanged.connect(self._fill_sections)
        self.reattach_section = QComboBox(self.reattach_row)
        self.reattach_section.setAccessibleName("Section to attach the note to")
        attach = QPushButton("&Attach", self.reattach_row, clicked=self.apply_reattach)
        cancel = QPushButton("Cancel", self.reattach_row, clicked=self.hide_reattach)
        panel_action(self.reattach_row, "Cancel", "Esc", self.hide_reattach)
        row = QHBoxLayout(self.reattach_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Re-attach to:", self.reattach_row))
        row.addWidget(self.reattach_article, 2)
        row.addWidget(self.reattach_section, 2)
        row.addWidget(attach)
        row.addWidget(cancel)

    def _focus_filter(self) -> None:
        self.filter.setFocus()
        self.filter.selectAll()

    # ------------------------------------------------------------------ loading

    def reload(self) -> None:
        self._load_seq += 1
        seq = self._load_seq
        run_in_background(self._load, on_result=while_alive(self, lambda found: self._loaded(seq, *found)))

    def _load(self):
        """Worker: article titles and a ready row for every note, newest first."""
        titles = {a.id: a.title for a in self.library.articles()}
        notes = sorted(self.library.store.notes(), key=lambda n: n.updated, reverse=True)
        return titles, {n.id: _make_row(n, titles) for n in notes}

    def _loaded(self, seq: int, titles, rows) -> None:
        if seq != self._load_seq:
            return
        self._titles, self._rows = titles, rows
        self._rebuild()

    def _library_event(self, name: str, payload: object) -> None:
        small = hasattr(payload, "changed") and len(payload.changed) + len(payload.deleted) <= MAX_ROW_UPDATES
        if name == "notes_changed" and small:
            self._apply_change(payload)
        elif name in ("notes_changed", "articles_changed"):
            self.reload()  # titles or anchors may have changed everywhere

    def _apply_change(self, change) -> None:
        """Update only the rows of the notes that changed (a full rebuild of thousands of rows stalls)."""
        for note_id in change.deleted:
            self._rows.pop(note_id, None)
            self._remove_item(note_id)
        for note in change.changed:
            self._rows[note.id] = row = _make_row(note, self._titles)
            self._remove_item(note.id)
            self.tree.addTopLevelItem(_NoteItem(row))  # sorted into place
        self._apply_filter()

    def _remove_item(self, note_id: str) -> None:
        for index, item in enumerate(self._items()):
            if item.data(0, PAYLOAD_ROLE).id == note_id:
                self.tree.takeTopLevelItem(index)
                return

    # ------------------------------------------------------------------ filter and search

    def _filter_edited(self, _text: str) -> None:
        self._search_seq += 1  # a search on its way is for an older text
        self._search_ids = None
        self._apply_filter()

    def search(self) -> None:
        """Full-text search over the notes, in a worker; the list keeps only the hits."""
        text = self.filter.text().strip()
        if not text:
            return
        self._search_seq += 1
        seq = self._search_seq
        self.count.setText("Searching…")
        run_in_background(self.library.search, text, limit=SEARCH_LIMIT, notes_only=True,
                          on_result=while_alive(self, lambda results: self._searched(seq, results)))

    def _searched(self, seq: int, results) -> None:
        if seq != self._search_seq:
            return
        self._search_ids = {hit.note_id for hit in results.hits if hit.note_id}
        self._apply_filter()

    def _matches(self, note, words: list[str]) -> bool:
        if self.orphaned_only.isChecked() and not note.orphaned:
            return False
        if self._search_ids is not None:
            return note.id in self._search_ids
        row = self._rows.get(note.id)
        return row is not None and all(word in row.haystack for word in words)

    def _rebuild(self) -> None:
        """One row per note (after a load); the filter then only hides and shows rows."""
        selected = self.selected_note()
        self.tree.setUpdatesEnabled(False)
        self.tree.setSortingEnabled(False)
        self.tree.clear()
        self.tree.addTopLevelItems([_NoteItem(row) for row in self._rows.values()])
        self.tree.setSortingEnabled(True)
        self.tree.setUpdatesEnabled(True)
        if selected is not None:
            self.select_note(selected.id)
        self._apply_filter()

    def _apply_filter(self) -> None:
        words = fold(self.filter.text()).split()
        shown = 0
        self.tree.setUpdatesEnabled(False)
        for item in self._items():
            visible = self._matches(item.data(0, PAYLOAD_ROLE), words)
            if item.isHidden() == visible:  # only rows that change: typing a letter touches few
                item.setHidden(not visible)
            shown += visible
        self.tree.setUpdatesEnabled(True)
        how = " (full text)" if self._search_ids is not None else ""
        orphans = sum(1 for row in self._rows.values() if row.note.orphaned)
        self.count.setText(f"{shown} of {len(self._rows)}{how}" + (f" · {orphans} orphaned" if orphans else ""))
        current = self.tree.currentItem()
        if current is not None and current.isHidden():
            self.tree.setCurrentItem(None)
        self._selection_changed()
        self.refreshed.emit()

    def _items(self) -> list[QTreeWidgetItem]:
        return [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]

    def shown_notes(self) -> list:
        """The notes the list shows, in its current order."""
        return [item.data(0, PAYLOAD_ROLE) for item in self._items() if not item.isHidden()]

    def selected_note(self):
        item = self.tree.currentItem()
        return item.data(0, PAYLOAD_ROLE) if item else None

    def select_note(self, note_id: str) -> bool:
        for item in self._items():
            if item.data(0, PAYLOAD_ROLE).id == note_id and not item.isHidden():
                self.tree.setCurrentItem(item)
                return True
        return False

    def _selection_changed(self, *_args) -> None:
        note = self.selected_note()
        self.reattach_action.setEnabled(note is not None)
        if note is None:
            self.reattach_row.hide()

    # ------------------------------------------------------------------ open and re-attach

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        note = item.data(0, PAYLOAD_ROLE)
        if note.orphaned or note.article_id not in self._titles:
            self.show_reattach()
            return
        self.open_requested.emit(note.article_id, note.section_id, [note.quote] if note.quote else None)

    def show_reattach(self) -> None:
        """Show the article/section pickers for the selected note, preset to its old place when it still exists."""
        note = self.selected_note()
        if note is None:
            return
        self.reattach_article.blockSignals(True)
        self.reattach_article.clear()
        for article_id, title in sorted(self._titles.items(), key=lambda kv: fold(kv[1])):
            self.reattach_article.addItem(title, article_id)
        self.reattach_article.setCurrentIndex(max(0, self.reattach_article.findData(note.article_id)))
        self.reattach_article.blockSignals(False)
        self._fill_sections()
        wanted = self.reattach_section.findData(note.section_id)
        if wanted < 0 and note.section_path:
            wanted = self.reattach_section.findText(section_label(note.section_path))
        self.reattach_section.setCurrentIndex(max(0, wanted))
        self.reattach_row.show()
        self.reattach_article.setFocus()

    def _fill_sections(self, *_args) -> None:
        self.reattach_section.clear()
        article_id = self.reattach_article.currentData()
        if not article_id:
            return
        try:
            article = self.library.article(article_id)
        except Exception as exc:  # noqa: BLE001 - reported, and the row stays usable
            from .messages import show_error

            show_error(exc, "re-attach")
            return
        for section in article.sections:
            self.reattach_section.addItem(section_label(section.path) or "Introduction", section.id)

    def hide_reattach(self) -> None:
        self.reattach_row.hide()
        self.tree.setFocus()

    def apply_reattach(self) -> None:
        note = self.selected_note()
        article_id, section_id = self.reattach_article.currentData(), self.reattach_section.currentData()
        if note is None or not article_id or section_id is None:
            return
        self.hide_reattach()
        run_in_background(self.library.store.reattach_note, note.id, article_id, section_id,
                          on_result=lambda _n: show_info("Note re-attached"))


@dataclass(frozen=True)
class _Row:
    """Everything a note's row shows, built in a worker (no Qt)."""

    note: object
    cells: tuple[str, str, str, str]  # COLUMNS
    html: str
    haystack: str  # folded text the word filter looks in


def _make_row(note, titles: dict[str, str]) -> _Row:
    section = section_label(note.section_path) or "Introduction"
    title = titles.get(note.article_id) or f"{note.article_id} (not in the library)"
    haystack = fold(" ".join([note.text, note.quote or "", " ".join(note.tags), title, note.article_id, section]))
    if note.orphaned:
        section = f"{ORPHAN_MARK} (was: {section})"
    cells = (note_row_text(note), title, section, note.updated)  # the exact time sorts; _TimeDelegate shortens it
    return _Row(note, cells, note_row_html(note), haystack)


class _TimeDelegate(QStyledItemDelegate):
    """Shows an ISO time as "2026-11-25 14:21" while the cell keeps the exact time for sorting."""

    def displayText(self, value, locale) -> str:  # noqa: N802 - Qt's name
        return str(value)[:16].replace("T", " ")


class _NoteItem(QTreeWidgetItem):
    """A note's row, sorted by Qt itself (by cell text: the exact ISO time for "Updated")."""

    def __init__(self, row: _Row):
        super().__init__(list(row.cells))
        self.setData(0, HTML_ROLE, row.html)
        self.setData(0, PAYLOAD_ROLE, row.note)
        self.setToolTip(0, plain_tooltip(row.note.text))
        if row.note.orphaned:
            self.setToolTip(2, "This note's place could not be found after the article changed. "
                               "Re-attach it to a section (Ctrl+R).")
