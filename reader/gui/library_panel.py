"""The library sidebar: the articles with a filter box, sources, and skipped files.

* The filter matches titles case- and accent-insensitively as you type.
* Add files or folders through the File menu, the panel's buttons, or by
  dropping them on the panel; remove a source; rescan. Those calls are slow
  (they parse files), so they run in the background via the window's
  activity indicator, and the list refreshes when they finish.
* Files that are not articles are listed under "Skipped files" with the reason.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..textutil import fold
from . import messages
from .panel_support import LibraryEvents, plain_tooltip
from .workers import run_in_background

ID_ROLE = Qt.ItemDataRole.UserRole


class ArticleListModel(QAbstractListModel):
    """The library's articles; rows are summaries, so a reload is one reset, not N items."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.summaries: list = []
        self._folded: list[str] | None = None  # folded titles, computed on the first filter

    def set_summaries(self, summaries: list) -> None:
        self.beginResetModel()
        self.summaries = summaries
        self._folded = None
        self.endResetModel()

    def folded(self, row: int) -> str:
        if self._folded is None:
            self._folded = [fold(s.title) for s in self.summaries]
        return self._folded[row]

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt name
        return 0 if parent.isValid() else len(self.summaries)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        summary = self.summaries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return summary.label or summary.title
        if role == ID_ROLE:
            return summary.id
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole title (the row may be elided) and the file
            return plain_tooltip(f"{summary.title}\n{summary.path}")
        return None


class _FoldFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self._needle = ""

    def set_needle(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt >= 6.9; invalidateRowsFilter is deprecated there
            self.beginFilterChange()
            self._needle = fold(text).strip()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._needle = fold(text).strip()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, row: int, parent) -> bool:  # noqa: N802 - Qt name
        if not self._needle:
            return True
        return self._needle in self.sourceModel().folded(row)

    def best_row(self) -> int:
        """The shown row that best matches the filter: the exact title first, then a title
        starting with it, then the first shown; -1 when nothing is shown."""
        source = self.sourceModel()
        folded = [source.folded(self.mapToSource(self.index(r, 0)).row()).strip() for r in range(self.rowCount())]
        for matches in (lambda title: title == self._needle, lambda title: title.startswith(self._needle)):
            row = next((r for r, title in enumerate(folded) if matches(title)), -1)
            if row >= 0:
                return row
        return 0 if folded else -1


class _ElidingDelegate(QStyledItemDelegate):
    """Rows never wider than the list: a long title is elided ("…") instead of scrolling sideways.

    A list lays its rows out as wide as the viewport or the widest row, whichever is
    more; claiming no width leaves the viewport's, at any sidebar width.
    """

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt name
        return QSize(1, super().sizeHint(option, index).height())


def describe_report(report) -> str:
    parts = []
    for label, items in (("added", report.added), ("updated", report.updated),
                         ("moved", report.moved), ("removed", report.removed)):
        if items:
            parts.append(f"{len(items)} {label}")
    text = ("Articles: " + ", ".join(parts)) if parts else "No article changed"
    if report.skipped:
        first = report.skipped[0]
        more = f" and {len(report.skipped) - 1} more" if len(report.skipped) > 1 else ""
        text += f"; skipped {Path(first.path).name}: {first.reason}{more}"
    return text


class LibraryPanel(QWidget):
    open_requested = Signal(str, str, object)
    scan_finished = Signal(object)  # ScanReport

    def __init__(self, library, start_task, parent=None):
        """``start_task(label, fn, *args, on_result=...)`` runs ``fn`` in the background."""
        super().__init__(parent)
        self.library = library
        self.start_task = start_task
        self.setObjectName("libraryPanel")
        self.setAccessibleName("Library")
        self.setAcceptDrops(True)
        title = QLabel("Library", self)
        title.setObjectName("panelTitle")
        self.filter_field = QLineEdit(self)
        self.filter_field.setPlaceholderText("Filter articles")
        self.filter_field.setAccessibleName("Filter articles")
        self.filter_field.setClearButtonEnabled(True)
        self.model = ArticleListModel(self)
        self.proxy = _FoldFilter(self)
        self.proxy.setSourceModel(self.model)
        self.list = QListView(self)
        self.list.setModel(self.proxy)
        self.list.setAccessibleName("Articles")
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setUniformItemSizes(True)
        self.list.setItemDelegate(_ElidingDelegate(self.list))
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListView.ResizeMode.Adjust)  # rows re-fit when the sidebar is resized
        self.skipped_button = QToolButton(self)
        self.skipped_button.setCheckable(True)
        self.skipped_button.setAutoRaise(True)
        self.skipped_button.setAccessibleName("Show skipped files")
        self.skipped_list = QListWidget(self)
        self.skipped_list.setAccessibleName("Skipped files")
        self.skipped_list.setWordWrap(True)
        self.skipped_list.hide()
        self.skipped_button.toggled.connect(self.skipped_list.setVisible)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.setSpacing(3)
        for widget in (title, self.filter_field, self.list, self.skipped_button, self.skipped_list):
            layout.addWidget(widget)
        layout.setStretchFactor(self.list, 3)
        layout.setStretchFactor(self.skipped_list, 1)
        self._make_actions()
        self._signature: list | None = None
        self.events = LibraryEvents(library, self)
        self.events.event.connect(lambda name, _payload: self.refresh() if name == "articles_changed" else None)
        self.filter_field.textChanged.connect(self._filter)
        self.filter_field.returnPressed.connect(self._open_first)
        self.list.activated.connect(self._open_index)
        self.list.clicked.connect(self._open_index)
        self.setTabOrder(self.filter_field, self.list)
        down = QShortcut(QKeySequence(Qt.Key.Key_Down), self.filter_field, self._enter_list)
        down.setContext(Qt.ShortcutContext.WidgetShortcut)
        self.reload()

    def _make_actions(self) -> None:
        def action(text, shortcut, slot, tip):
            act = QAction(text, self)
            if shortcut:
                act.setShortcut(QKeySequence(shortcut))
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            return act

        self.add_files_action = action("&Add Files…", QKeySequence.StandardKey.Open, self.choose_files,
                                       "Add article files to the library")
        self.add_folder_action = action("Add &Folder…", "Ctrl+Shift+O", self.choose_folder,
                                        "Add a folder of articles to the library")
        self.remove_action = action("&Remove Source…", "Ctrl+Shift+Del", self.choose_source_to_remove,
                                    "Forget an added file or folder (notes are kept)")
        self.rescan_action = action("Re&scan Library", QKeySequence.StandardKey.Refresh, self.rescan,
                                    "Re-read changed files")

    # ------------------------------------------------------------------ list

    def reload(self) -> None:
        """Refill the list now (at start-up: the manifest is in memory)."""
        self._apply(self.library.articles())

    def refresh(self, then=None) -> None:
        """Refill the list from a worker: sorting thousands of titles stays off the GUI thread."""
        def done(summaries):
            self._apply(summaries)
            if then is not None:
                then()

        run_in_background(self.library.articles, on_result=done)

    def _apply(self, summaries: list) -> None:
        signature = [(s.id, s.title, s.path) for s in summaries]
        if signature != self._signature:  # a no-op when nothing visible changed
            self._signature = signature
            current = self.current_article_id()
            self.model.set_summaries(summaries)
            if current:
                self.select(current)
        self._reload_skipped()

    def _reload_skipped(self) -> None:
        skipped = self.library.skipped()
        self.skipped_list.clear()
        for entry in skipped:
            item = QListWidgetItem(f"{Path(entry.path).name}: {entry.reason}")
            item.setToolTip(plain_tooltip(entry.path))
            self.skipped_list.addItem(item)
        self.skipped_button.setText(f"Skipped files ({len(skipped)})")
        self.skipped_button.setVisible(bool(skipped))
        if not skipped:
            self.skipped_button.setChecked(False)

    def article_count(self) -> int:
        return self.model.rowCount()

    def visible_titles(self) -> list[str]:
        return [self.proxy.index(r, 0).data() for r in range(self.proxy.rowCount())]

    def current_article_id(self) -> str:
        index = self.list.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else ""

    def select(self, article_id: str) -> None:
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if index.data(ID_ROLE) == article_id:
                self.list.setCurrentIndex(index)
                self.list.scrollTo(index)
                return

    def set_current(self, article_id: str, section_id: str = "") -> None:
        if article_id != self.current_article_id():
            self.select(article_id)

    def focus_filter(self) -> None:
        self.filter_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_field.selectAll()

    def _filter(self, text: str) -> None:
        self.proxy.set_needle(text)

    def _open_index(self, index) -> None:
        if index.isValid():
            self.open_requested.emit(index.data(ID_ROLE), "", None)

    def _open_first(self) -> None:
        """Enter in the filter: open the best title match (exact title, then prefix, then the first)."""
        row = self.proxy.best_row()
        if row >= 0:
            index = self.proxy.index(row, 0)
            self.list.setCurrentIndex(index)
            self._open_index(index)

    def _enter_list(self) -> None:
        """Down in the filter: into the list, on the best match (or the current row)."""
        current = self.list.currentIndex()
        if not current.isValid() or self.filter_field.text().strip():
            row = self.proxy.best_row()
            if row >= 0:
                self.list.setCurrentIndex(self.proxy.index(row, 0))
        self.list.setFocus(Qt.FocusReason.TabFocusReason)

    # ------------------------------------------------------------------ sources

    def choose_files(self) -> None:
        self._ask_paths("Add articles", QFileDialog.FileMode.ExistingFiles,
                        "Articles (*.txt *.text *.wiki *.md *.markdown);;All files (*)")

    def choose_folder(self) -> None:
        self._ask_paths("Add a folder of articles", QFileDialog.FileMode.Directory, "")

    def _ask_paths(self, title: str, mode, name_filter: str) -> QFileDialog:
        """A file dialog opened with ``open()``: the event loop (and background work) keeps running."""
        dialog = QFileDialog(self, title)
        dialog.setFileMode(mode)
        if name_filter:
            dialog.setNameFilter(name_filter)
        else:
            dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        dialog.filesSelected.connect(lambda files: self.add_paths(files) if files else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def add_paths(self, paths) -> None:
        paths = [str(p) for p in paths]
        label = f"Adding {Path(paths[0]).name}" + (f" and {len(paths) - 1} more" if len(paths) > 1 else "")
        self.start_task(label, self.library.add_sources, paths, on_result=self._scanned, cancellable=False)

    def rescan(self) -> None:
        self.start_task("Rescanning", self.library.rescan, on_result=self._scanned, cancellable=False)

    def choose_source_to_remove(self) -> QInputDialog | None:
        sources = self.library.sources()
        if not sources:
            messages.show_info("Only the bundled articles are in the library: there is no added source to remove")
            return None
        current = self._source_of(self.current_article_id(), sources)
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Remove a source")
        dialog.setLabelText("Forget this file or folder (your notes are kept):")
        dialog.setComboBoxItems(sources)
        dialog.setComboBoxEditable(False)
        dialog.setTextValue(current or sources[0])
        dialog.textValueSelected.connect(self.remove_source)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def remove_source(self, source: str) -> None:
        self.start_task(f"Removing {Path(source).name}", self.library.remove_sources, [source],
                        on_result=self._scanned, cancellable=False)

    def _source_of(self, article_id: str, sources: list[str]) -> str | None:
        if not article_id or not self.library.has_article(article_id):
            return None
        path = Path(self.library.summary(article_id).path)
        for source in sources:
            if path == Path(source) or Path(source) in path.parents:
                return source
        return None

    def _scanned(self, report) -> None:
        def refreshed():
            if report.skipped:
                self.skipped_button.setChecked(True)
            messages.show_info(describe_report(report))
            self.scan_finished.emit(report)

        self.refresh(then=refreshed)

    # ------------------------------------------------------------------ drag and drop

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.add_paths(paths)
