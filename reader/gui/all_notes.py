"""All notes in one window: filter as you type, full-text search, orphaned notes re-attached.

* Typing filters the list at once (every word must appear, accent- and
  case-insensitively, in the note, its quote, tags, article or section).
* Enter runs a full-text search over the notes (``library.search(...,
  notes_only=True)``, stemming and the query syntax of docs/search.md) in a
  worker and keeps only the notes it finds.
* Orphaned notes (their place in the article could not be found after it
  changed) are marked; "Re-attach" (Ctrl+R) picks an article and a section for
  the selected one, proposing its own or the most similar section first.
  Nothing is ever dropped.
* A manager: edit (F2, inline editor), delete to the trash (Delete; several
  rows can be selected), export what the filter shows (Ctrl+E), a context
  menu with all of these, Undo/Redo (Ctrl+Z / Ctrl+Shift+Z, the same history
  as the main window). "Trash" lists deleted notes: Restore (Ctrl+Shift+R)
  and Empty trash.
* It is a window of its own (not kept above the main window): opening a note
  raises and activates the main window.

Keys: Enter opens the note's place (or the re-attach row for an orphan),
Ctrl+R re-attaches, Ctrl+F focuses the filter, Esc closes the re-attach row
or the editor, else the window (as does Ctrl+W).
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
    QMenu,
    QMessageBox,
    QPushButton,
    QStyledItemDelegate,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..textutil import fold
from .messages import show_info
from .note_editor import NoteDraft, NoteEditor
from .notes_panel import note_row_html, note_row_text
from .panel_support import (
    HTML_ROLE, PAYLOAD_ROLE, ChangeFeed, HtmlDelegate, Loader, catch_escape, panel_action, plain_tooltip, while_alive,
)
from .search_text import section_label
from .undo import history_for
from .workers import run_in_background

COLUMNS = ("Note", "Article", "Section", "Updated")
SEARCH_LIMIT = 500
REATTACH_CHOICES = 5000  # articles the re-attach picker lists (a folder library: all of them)
MAX_ROW_UPDATES = 50  # a bigger change (an import, a restore) reloads everything instead
ORPHAN_MARK = "⚠ orphaned"


class AllNotesView(QWidget):
    open_requested = Signal(str, str, object)
    refreshed = Signal()  # the list was rebuilt (load, filter or search)

    def __init__(self, library, parent: QWidget | None = None, main_window: QWidget | None = None):
        super().__init__(parent, Qt.WindowType.Window)
        self.library = library
        self.main_window = main_window  # raised when a note is opened from here
        # A window of its own, so the main window can come in front of it; closing
        # the main window still ends the app.
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setWindowTitle("All notes · Lectern")
        self.setAccessibleName("All notes")
        self.resize(920, 560)
        self._titles = ArticleTitles(library)
        self._rows: dict[str, _Row] = {}  # note id -> its row, newest first
        self._search_ids: set[str] | None = None  # full-text matches, or None for the word filter
        self._build()
        self._searcher = Loader(self, lambda text: self.library.search(text, limit=SEARCH_LIMIT, notes_only=True),
                                self._searched)
        self._loader = Loader(self, self._load, lambda found: self._loaded(*found))
        self._changes = ChangeFeed(library, self)
        self._changes.changed.connect(self._apply_changes)
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
        self.trash_mode = QCheckBox("&Trash", self)
        self.trash_mode.setAccessibleName("Show the notes in the trash")
        self.trash_mode.setToolTip("Deleted notes: restore them, or empty the trash "
                                   "(notes are deleted for good 30 days after they were deleted)")
        self.trash_mode.toggled.connect(self._trash_toggled)
        self.count = QLabel(self)
        self.count.setAccessibleName("Notes shown")
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.orphaned_only)
        top.addWidget(self.trash_mode)
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
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(lambda pos: self.context_menu().popup(
            self.tree.viewport().mapToGlobal(pos)))
        self.tree.setColumnWidth(0, 380)
        self.tree.setColumnWidth(1, 190)
        self.tree.setColumnWidth(2, 170)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(COLUMNS.index("Updated"), Qt.SortOrder.DescendingOrder)  # newest first; headers re-sort
        self.tree.itemActivated.connect(self._activated)
        self.tree.currentItemChanged.connect(self._selection_changed)
        self.tree.itemSelectionChanged.connect(self._selection_changed)

        self._build_actions()
        self._build_reattach_row()
        self.editor = NoteEditor(self)
        self.editor.hide()
        self.editor.saved.connect(self._save_draft)
        self.editor.cancelled.connect(self.tree.setFocus)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.reattach_row)
        layout.addWidget(self.editor)
        self.setTabOrder(self.filter, self.orphaned_only)
        self.setTabOrder(self.orphaned_only, self.trash_mode)
        self.setTabOrder(self.trash_mode, self.tree)

    def _build_actions(self) -> None:
        self.open_action = panel_action(self, "&Open", "", self.open_selected, "Show the note in its article (Enter)")
        self.edit_action = panel_action(self, "&Edit…", "F2", self.edit_selected)
        self.delete_action = panel_action(self, "&Delete", QKeySequence.StandardKey.Delete, self.delete_selected,
                                          "Move the selected notes to the trash (Ctrl+Z brings them back)")
        self.reattach_action = panel_action(self, "&Re-attach…", "Ctrl+R", self.show_reattach,
                                            "Attach the selected note to another section")
        self.export_action = panel_action(self, "E&xport shown…", "Ctrl+E", self.export_shown,
                                          "Export the notes the filter shows")
        self.restore_action = panel_action(self, "Re&store", "Ctrl+Shift+R", self.restore_selected,
                                           "Take the selected notes out of the trash")
        self.empty_trash_action = panel_action(self, "Empty &trash…", "", self.empty_trash,
                                               "Delete the notes in the trash for good")
        panel_action(self, "Filter", QKeySequence.StandardKey.Find, self._focus_filter)
        close = panel_action(self, "Close", "Esc", self.close)
        close.setShortcuts([QKeySequence(Qt.Key.Key_Escape), QKeySequence("Ctrl+W")])
        for action in history_for(self.library).actions(self):
            self.addAction(action)  # Ctrl+Z here undoes what the main window would

    def context_menu(self) -> QMenu:
        """The tree's context menu: what can be done with the selected notes here."""
        menu = QMenu(self.tree)
        trash = self.trash_mode.isChecked()
        names = ((self.restore_action, self.empty_trash_action) if trash else
                 (self.open_action, self.edit_action, self.reattach_action, self.delete_action, None, self.export_action))
        for action in names:
            menu.addSeparator() if action is None else menu.addAction(action)
        menu.aboutToHide.connect(menu.deleteLater)
        return menu

    def _build_reattach_row(self) -> None:
        self.reattach_row = QWidget(self, visible=False)
        self.reattach_article = QComboBox(self.reattach_row)
        self.reattach_article.setAccessibleName("Article to attach the note to")
        self.reattach_article.currentIndexChanged.connect(self._fill_sections)
        self.reattach_section = QComboBox(self.reattach_row)
        self.reattach_section.setAccessibleName("Section to attach the note to")
        self.reattach_article.currentIndexChanged.connect(self._suggest_section)
        attach = QPushButton("&Attach", self.reattach_row, clicked=self.apply_reattach)
        cancel = QPushButton("Cancel", self.reattach_row, clicked=self.hide_reattach)
        catch_escape(self, (self.reattach_article, self.reattach_section, attach, cancel), self.hide_reattach)
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
        self._loader(self.trash_mode.isChecked())

    def _load(self, trash: bool = False):
        """Worker: article titles and a ready row for every note (or every trashed one), newest first."""
        titles = ArticleTitles(self.library)
        notes = self.library.store.trash() if trash else self.library.store.notes()
        notes = sorted(notes, key=lambda n: n.updated, reverse=True)
        return titles, {n.id: _make_row(n, titles) for n in notes}

    def _loaded(self, titles, rows) -> None:
        self._titles, self._rows = titles, rows
        self._rebuild()

    def _apply_changes(self, changes) -> None:
        notes_only = (changes.notes or changes.deleted_notes) and not (changes.articles or changes.anchors)
        small = len(changes.changed_notes) + len(changes.deleted_notes) <= MAX_ROW_UPDATES
        if notes_only and small and not self.trash_mode.isChecked():
            self._apply_note_rows(changes)
        elif changes.notes or changes.deleted_notes or changes.articles:
            self.reload()  # titles or anchors may have changed everywhere; the trash is small

    def _apply_note_rows(self, changes) -> None:
        """Update only the rows of the notes that changed (a full rebuild of thousands of rows stalls)."""
        for note_id in changes.deleted_notes:
            self._rows.pop(note_id, None)
            self._remove_item(note_id)
        for note in changes.changed_notes:
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
        self._searcher.drop_pending()  # a search on its way is for an older text
        self._search_ids = None
        self._apply_filter()

    def search(self) -> None:
        """Full-text search over the notes, in a worker; the list keeps only the hits."""
        text = self.filter.text().strip()
        if not text:
            return
        self.count.setText("Searching…")
        self._searcher(text)

    def _searched(self, results) -> None:
        self._search_ids = {hit.note_id for hit in results.hits if hit.note_id}
        self._apply_filter()

    def _matches(self, note, words: list[str]) -> bool:
        if self.orphaned_only.isChecked() and not note.orphaned and not self.trash_mode.isChecked():
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

    def selected_notes(self) -> list:
        """The selected (shown) notes, in list order; the current one when none is selected."""
        chosen = [item.data(0, PAYLOAD_ROLE) for item in self._items() if item.isSelected() and not item.isHidden()]
        current = self.selected_note()
        return chosen or ([current] if current is not None else [])

    def _selection_changed(self, *_args) -> None:
        note = self.selected_note()
        trash = self.trash_mode.isChecked()
        for action in (self.open_action, self.edit_action, self.reattach_action):
            action.setEnabled(note is not None and not trash)
        self.delete_action.setEnabled(bool(self.selected_notes()) and not trash)
        self.restore_action.setEnabled(bool(self.selected_notes()) and trash)
        self.empty_trash_action.setEnabled(trash and bool(self._rows))
        self.export_action.setEnabled(not trash)
        if note is None:
            self.reattach_row.hide()

    # ------------------------------------------------------------------ open and re-attach

    def _activated(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        note = item.data(0, PAYLOAD_ROLE)
        if note.deleted:
            return
        if note.orphaned or note.article_id not in self._titles:
            self.show_reattach()
            return
        self.open_requested.emit(note.article_id, note.section_id, [note.quote] if note.quote else None)
        self._raise_main_window()

    def _raise_main_window(self) -> None:
        """The article is shown in the main window: bring it in front of this one."""
        main = self.main_window or self.parentWidget()
        if main is None:
            return
        main = main.window()
        if main.isMinimized():
            main.showNormal()
        main.raise_()
        main.activateWindow()

    def open_selected(self) -> None:
        item = self.tree.currentItem()
        if item is not None and not item.isHidden():
            self._activated(item)

    # ------------------------------------------------------------------ edit, delete, export, trash

    def edit_selected(self) -> None:
        note = self.selected_note()
        if note is not None and not note.deleted:
            self.reattach_row.hide()
            self.editor.start_edit(note)

    def _save_draft(self, draft: NoteDraft) -> None:
        if not draft.text and not draft.quote:
            show_info("A note needs some text or a quote.")
            return

        def saved(_snapshot) -> None:
            self.editor.hide()
            self.tree.setFocus()
            show_info("Note saved — Undo: Ctrl+Z")

        history_for(self.library).edit_note(draft.note_id, text=draft.text, tags=draft.tags,
                                            color=draft.color or "", on_done=while_alive(self, saved))

    def delete_selected(self) -> None:
        """The selected notes to the trash; nothing is asked, Ctrl+Z brings them back."""
        notes = [n for n in self.selected_notes() if not n.deleted]
        if notes:
            if self.editor.note_id in {n.id for n in notes}:
                self.editor.hide()
            history_for(self.library).delete_notes([n.id for n in notes])

    def restore_selected(self) -> None:
        notes = [n for n in self.selected_notes() if n.deleted]
        if notes:
            history_for(self.library).run(lambda store: [store.restore_note(n.id) for n in notes],
                                          lambda _r: show_info(f"Restored {len(notes)} note" + ("s" if len(notes) > 1 else "")))

    def empty_trash(self) -> None:
        """Delete the trash for good, after asking (the one step that cannot be undone)."""
        box = QMessageBox(QMessageBox.Icon.Warning, "Empty the trash",
                          f"Delete the {len(self._rows)} notes in the trash for good? This cannot be undone.",
                          QMessageBox.StandardButton.Cancel, self)
        delete = box.addButton("Delete for good", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _r: box.clickedButton() is delete and self._empty_trash_now())
        box.finished.connect(box.deleteLater)
        box.open()
        self._confirm = box  # for tests

    def _empty_trash_now(self) -> None:
        history_for(self.library).run(lambda store: store.empty_trash(),
                                      lambda count: show_info(f"Deleted {count} notes for good"))

    def _trash_toggled(self, on: bool) -> None:
        self.orphaned_only.setEnabled(not on)
        self.editor.hide()
        self.reattach_row.hide()
        self.setWindowTitle("Trash · All notes · Lectern" if on else "All notes · Lectern")
        self.reload()

    def export_shown(self) -> None:
        """Export the notes the list shows (the current filter or search), asking for a file."""
        from .notes_io import export_notes

        ids = [n.id for n in self.shown_notes()]
        if not ids:
            show_info("No notes shown to export.")
            return
        return export_notes(self, self.library, note_ids=ids)

    def _reattach_choices(self, current_id: str) -> list[tuple[str, str]]:
        """(id, title) of the articles a note can move to: the library's first titles (every
        article of a folder library) and the note's own article, by title."""
        choices = {e.id: e.shown for e in self.library.titles(0, REATTACH_CHOICES)}
        if current_id in self._titles:
            choices.setdefault(current_id, self._titles.get(current_id))
        return sorted(choices.items(), key=lambda kv: fold(kv[1]))

    def show_reattach(self) -> None:
        """Show the article/section pickers for the selected note, preset to its old place when it still exists."""
        note = self.selected_note()
        if note is None:
            return
        self.reattach_article.blockSignals(True)
        self.reattach_article.clear()
        for article_id, title in self._reattach_choices(note.article_id):
            self.reattach_article.addItem(title, article_id)
        self.reattach_article.setCurrentIndex(max(0, self.reattach_article.findData(note.article_id)))
        self.reattach_article.blockSignals(False)
        self._fill_sections()
        wanted = self.reattach_section.findData(note.section_id)
        if wanted < 0 and note.section_path:
            wanted = self.reattach_section.findText(section_label(note.section_path))
        self.reattach_section.setCurrentIndex(max(0, wanted))
        self.editor.hide()
        self.reattach_row.show()
        self.reattach_article.setFocus()
        self._suggest_section()

    def _suggest_section(self, *_args) -> None:
        """Select the section the store proposes: the note's own, else the most similar one."""
        note, article_id = self.selected_note(), self.reattach_article.currentData()
        if note is None or not article_id:
            return

        def suggested(section_id: str) -> None:
            if self.reattach_article.currentData() == article_id:
                index = self.reattach_section.findData(section_id)
                if index >= 0:
                    self.reattach_section.setCurrentIndex(index)

        run_in_background(self.library.store.suggest_section, note.id, article_id,
                          on_result=while_alive(self, suggested))

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
        history_for(self.library).reattach_note(note.id, article_id, section_id)


@dataclass(frozen=True)
class _Row:
    """Everything a note's row shows, built in a worker (no Qt)."""

    note: object
    cells: tuple[str, str, str, str]  # COLUMNS
    html: str
    haystack: str  # folded text the word filter looks in


class ArticleTitles:
    """Article titles looked up by id as rows need them (never the whole library), remembered."""

    def __init__(self, library):
        self._library = library
        self._known: dict[str, str | None] = {}

    def get(self, article_id: str, default: str | None = None) -> str | None:
        if article_id not in self._known:
            entry = self._library.title_entry(article_id)
            self._known[article_id] = entry.title if entry is not None else None
        return self._known[article_id] or default

    def __contains__(self, article_id: str) -> bool:
        return self.get(article_id) is not None


def _make_row(note, titles: ArticleTitles) -> _Row:
    section = section_label(note.section_path) or "Introduction"
    title = titles.get(note.article_id) or f"{note.article_id} (not in the library)"
    haystack = fold(" ".join([note.text, note.quote or "", " ".join(note.tags), title, note.article_id, section]))
    if note.orphaned:
        section = f"{ORPHAN_MARK} (was: {section})"
    if note.deleted:
        section += f" · deleted {note.deleted[:16].replace('T', ' ')}"
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
