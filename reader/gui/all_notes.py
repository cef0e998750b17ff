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
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..textutil import fold
from .messages import show_info
from .notes_panel import note_row_html, note_row_text
from .panel_support import HTML_ROLE, PAYLOAD_ROLE, HtmlDelegate, LibraryEvents, panel_action, while_alive
from .search_text import section_label
from .workers import run_in_background

COLUMNS = ("Note", "Article", "Section", "Updated")
SEARCH_LIMIT = 500
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
        self._notes: list = []
        self._titles: dict[str, str] = {}
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
        """Worker: every note, newest first, and the titles of the articles in the library."""
        notes = sorted(self.library.store.notes(), key=lambda n: n.updated, reverse=True)
        return notes, {a.id: a.title for a in self.library.articles()}

    def _loaded(self, seq: int, notes, titles) -> None:
        if seq != self._load_seq:
            return
        self._notes, self._titles = notes, titles
        self._apply_filter()

    def _library_event(self, name: str, _payload: object) -> None:
        if name in ("notes_changed", "articles_changed"):
            self.reload()

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
        haystack = fold(" ".join([note.text, note.quote or "", " ".join(note.tags), self._titles.get(note.article_id, ""),
                                  note.article_id, section_label(note.section_path)]))
        return all(word in haystack for word in words)

    def _apply_filter(self) -> None:
        words = fold(self.filter.text()).split()
        selected = self.selected_note()
        self.tree.clear()
        shown = [n for n in self._notes if self._matches(n, words)]
        for note in shown:
            item = self._row(note)
            if selected is not None and note.id == selected.id:
                self.tree.setCurrentItem(item)
        how = " (full text)" if self._search_ids is not None else ""
        orphans = sum(1 for n in self._notes if n.orphaned)
        self.count.setText(f"{len(shown)} of {len(self._notes)}{how}" + (f" · {orphans} orphaned" if orphans else ""))
        self._selection_changed()
        self.refreshed.emit()

    def _row(self, note) -> QTreeWidgetItem:
        section = section_label(note.section_path) or "Introduction"
        if note.orphaned:
            section = f"{ORPHAN_MARK} (was: {section})"
        title = self._titles.get(note.article_id) or f"{note.article_id} (not in the library)"
        item = QTreeWidgetItem(self.tree, [note_row_text(note), title, section, note.updated[:16].replace("T", " ")])
        item.setData(0, HTML_ROLE, note_row_html(note))
        item.setData(0, PAYLOAD_ROLE, note)
        item.setToolTip(0, note.text)
        if note.orphaned:
            item.setToolTip(2, "This note's place could not be found after the article changed. "
                               "Re-attach it to a section (Ctrl+R).")
        return item

    def shown_notes(self) -> list:
        return [self.tree.topLevelItem(i).data(0, PAYLOAD_ROLE) for i in range(self.tree.topLevelItemCount())]

    def selected_note(self):
        item = self.tree.currentItem()
        return item.data(0, PAYLOAD_ROLE) if item else None

    def select_note(self, note_id: str) -> bool:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, PAYLOAD_ROLE).id == note_id:
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
