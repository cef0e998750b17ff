"""The library sidebar: the articles with a filter box, sources, and skipped files.

* Kiwix archives are groups of their own (archive_groups.py) above the flat list of
  the other articles: an archive's millions of titles never flood that list.
* The filter matches titles case- and accent-insensitively as you type; in an
  archive group, titles starting with the typed text.
* Add files or folders through the File menu, the panel's buttons, or by
  dropping them on the panel; remove a source; rescan. Those calls are slow
  (they parse files), so they run in the background via the window's
  activity indicator, and the list refreshes when they finish.
* Files that are not articles are listed under "Skipped files" with the reason.
"""

from __future__ import annotations

from pathlib import Path

from collections import OrderedDict

from PySide6.QtCore import QAbstractListModel, QEvent, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..sources.base import PAGE_SIZE
from ..textutil import fold
from . import messages
from .archive_groups import ArchiveTree, flat_sources
from .panel_support import LibraryEvents, muted_label, plain_tooltip
from .workers import run_in_background

ID_ROLE = Qt.ItemDataRole.UserRole
KEPT_PAGES = 20  # pages of titles the list keeps; others are read again when scrolled back to
FILTER_LIMIT = 1000  # rows the filter shows at most: type more to narrow it


class ArticleListModel(QAbstractListModel):
    """The library's titles but the archives' (``flat_sources``), fetched a page at a time
    (``canFetchMore``/``fetchMore``).

    Unfiltered, the rows are the library's listing: the view asks for more rows as
    it scrolls, and a row's title is read from a page fetched from the sources
    when the row is shown (the last :data:`KEPT_PAGES` pages are kept), so a
    source of a million articles costs the pages on screen. Filtered, the rows
    are the sources' answer for the typed text (at most :data:`FILTER_LIMIT`).
    """

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.library = library
        self.total = 0  # rows of the listing (library.count() when it was last read)
        self._loaded = 0  # rows of the listing the view has been given so far
        self._pages: OrderedDict[int, list] = OrderedDict()  # page number -> TitleEntry list
        self._matches: list | None = None  # the filter's answer, or None when unfiltered
        self._needle = ""

    # ------------------------------------------------------------------ filling

    def set_listing(self, total: int, first_page: list) -> None:
        """Show the listing from its first page (read by the caller, perhaps off the GUI thread)."""
        self.beginResetModel()
        self.total, self._pages, self._matches, self._needle = total, OrderedDict(), None, ""
        self._pages[0] = first_page
        self._loaded = min(total, PAGE_SIZE)
        self.endResetModel()

    def set_matches(self, needle: str, matches: list) -> None:
        self.beginResetModel()
        self._needle, self._matches = needle, matches
        self.endResetModel()

    @property
    def filtered(self) -> bool:
        return self._matches is not None

    def canFetchMore(self, parent=QModelIndex()) -> bool:  # noqa: N802 - Qt name
        return not parent.isValid() and self._matches is None and self._loaded < self.total

    def fetchMore(self, parent=QModelIndex()) -> None:  # noqa: N802 - Qt name
        """As many rows again as the view has (at least a page): dragging the scroll bar to the
        end reaches the millionth title in a score of steps, not five thousand. A row's title is
        read (with its page) only when the row is shown."""
        if self.canFetchMore(parent):
            self._extend_to(self._loaded + max(PAGE_SIZE, self._loaded))

    def _extend_to(self, rows: int) -> None:
        """Give the view the listing's rows up to ``rows``."""
        rows = min(rows, self.total)
        if rows > self._loaded:
            self.beginInsertRows(QModelIndex(), self._loaded, rows - 1)
            self._loaded = rows
            self.endInsertRows()

    def _page(self, number: int) -> list:
        page = self._pages.get(number)
        if page is None:
            page = self.library.titles(number * PAGE_SIZE, PAGE_SIZE, flat_sources(self.library))
            self._pages[number] = page
            while len(self._pages) > KEPT_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        return page

    def entry(self, row: int):
        """The TitleEntry on a row, or None (the library shrank since the listing was read)."""
        if self._matches is not None:
            return self._matches[row] if 0 <= row < len(self._matches) else None
        if not 0 <= row < self._loaded:
            return None
        page = self._page(row // PAGE_SIZE)
        return page[row % PAGE_SIZE] if row % PAGE_SIZE < len(page) else None

    # ------------------------------------------------------------------ finding rows

    def row_of(self, article_id: str) -> int | None:
        """The row showing an article (giving the view the listing's rows up to it), or None."""
        if self._matches is not None:
            return next((row for row, e in enumerate(self._matches) if e.id == article_id), None)
        row = self.library.position(article_id, flat_sources(self.library))
        if row is None or row >= self.total:
            return None
        self._extend_to(row + 1)
        return row

    def best_row(self) -> int:
        """The row that best matches the filter: the exact title first, then a title
        starting with it, then the first row; -1 when nothing is shown."""
        if self._matches is None:
            return 0 if self._loaded else -1
        folded = [fold(e.title).strip() for e in self._matches]
        for matches in (lambda title: title == self._needle, lambda title: title.startswith(self._needle)):
            row = next((r for r, title in enumerate(folded) if matches(title)), -1)
            if row >= 0:
                return row
        return 0 if folded else -1

    # ------------------------------------------------------------------ Qt

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt name
        if parent.isValid():
            return 0
        return len(self._matches) if self._matches is not None else self._loaded

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.shown
        if role == ID_ROLE:
            return entry.id
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole title (the row may be elided) and the file
            return plain_tooltip(f"{entry.title}\n{entry.where}" if entry.where else entry.title)
        return None


def describe_report(report) -> str:
    """One status line for a scan: the files' counts, what happened to each archive, notes orphaned."""
    parts = []
    for label, items in (("added", report.added), ("updated", report.updated),
                         ("moved", report.moved), ("removed", report.removed)):
        items = [i for i in items if not _archive_id(i)]  # an archive's main page: its own line tells it
        if items:
            parts.append(f"{len(items)} {label}")
    text = ("Articles: " + ", ".join(parts)) if parts else ""
    archives = "; ".join(line[:1].upper() + line[1:] for line in report.archives)
    text = "; ".join(t for t in (text, archives) if t) or "No article changed"
    if report.notes_orphaned:
        text += f"; {report.notes_orphaned} note{'' if report.notes_orphaned == 1 else 's'} kept as orphaned"
    if report.skipped:
        first = report.skipped[0]
        more = f" and {len(report.skipped) - 1} more" if len(report.skipped) > 1 else ""
        text += f"; skipped {Path(first.path).name}: {first.reason}{more}"
    return text


def _archive_id(item) -> bool:
    return str(getattr(item, "id", item)).startswith("zim:")


class TitleList(QTableView):
    """The list of titles: a one-column table without headers or grid.

    A QListView lays out every row it has been given (2.5 s for a million rows,
    again on every resize or style change); a table with fixed row heights lays
    out the rows on screen only, whatever the count.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self.horizontalHeader().hide()
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.setShowGrid(False)
        self.setCornerButtonEnabled(False)
        for corner in self.findChildren(QAbstractButton):  # hidden with the headers; named all the same
            corner.setAccessibleName("Select all articles")
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the list, as it does a list view
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._fit_rows()

    def _fit_rows(self) -> None:
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)

    def changeEvent(self, event) -> None:  # noqa: N802 - Qt name
        super().changeEvent(event)
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self._fit_rows()


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
        self.model = ArticleListModel(library, self)
        self.list = TitleList(self)
        self.list.setModel(self.model)
        self.list.setAccessibleName("Articles")
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
        self.more_note = QLabel(self)  # the filter matched more titles than the list shows
        self.more_note.setWordWrap(True)
        self.more_note.hide()
        self.archives = ArchiveTree(library, self)  # one group per archive (archive_groups.py)
        for widget in (title, self.filter_field, self.more_note, self.archives, self.list, self.skipped_button,
                       self.skipped_list):
            layout.addWidget(widget)
        layout.setStretchFactor(self.archives, 2)
        layout.setStretchFactor(self.list, 3)
        layout.setStretchFactor(self.skipped_list, 1)
        self._make_actions()
        self._version: str | None = None  # the library's version the list shows
        self._shown_article = ""  # the article the window shows (set_current), from the list or a group
        self.events = LibraryEvents(library, self)
        self.events.event.connect(lambda name, _payload: self.refresh() if name == "articles_changed" else None)
        self.filter_field.textChanged.connect(self._filter)
        self.filter_field.returnPressed.connect(self._open_first)
        self.list.activated.connect(self._open_index)
        self.list.clicked.connect(self._open_index)
        self.archives.activated.connect(self._open_index)
        self.archives.clicked.connect(self._open_index)
        self.archives.remove_requested.connect(lambda path: self.choose_source_to_remove(chosen=path))
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
                                       "Add article files or Kiwix ZIM archives (.zim, split .zimaa) to the library")
        self.add_folder_action = action("Add &Folder…", "Ctrl+Shift+O", self.choose_folder,
                                        "Add a folder of articles to the library")
        self.remove_action = action("&Remove Source…", "Ctrl+Shift+Del", self.choose_source_to_remove,
                                    "Forget an added file, folder or Kiwix archive (notes are kept)")
        self.rescan_action = action("Re&scan Library", QKeySequence.StandardKey.Refresh, self.rescan,
                                    "Re-read changed files")

    # ------------------------------------------------------------------ list

    def reload(self) -> None:
        """Refill the list now (at start-up: the manifest is in memory; one page is read)."""
        self._apply(_first_page(self.library))

    def refresh(self, then=None) -> None:
        """Refill the list from a worker: sorting thousands of titles stays off the GUI thread."""
        def done(snapshot):
            self._apply(snapshot)
            if then is not None:
                then()

        run_in_background(_first_page, self.library, on_result=done)

    def _apply(self, snapshot: tuple) -> None:
        version, total, first_page = snapshot
        if version != self._version:  # a no-op when nothing visible changed
            self._version = version
            current = self.current_article_id()
            self.model.set_listing(total, first_page)
            self.archives.reload(fold(self.filter_field.text()).strip())
            if self.filter_field.text().strip():
                self._filter(self.filter_field.text())
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
        """Articles in the library (not only the rows fetched or shown)."""
        return self.model.total

    def visible_titles(self) -> list[str]:
        """The rows the list holds now (the filter's matches, or the pages fetched so far)."""
        return [self.model.index(r, 0).data() for r in range(self.model.rowCount())]

    def current_article_id(self) -> str:
        index = self.list.currentIndex()
        return index.data(ID_ROLE) if index.isValid() else ""

    def select(self, article_id: str) -> bool:
        """Make the flat list's row of an article current; False when the list does not show it."""
        row = self.model.row_of(article_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.list.setCurrentIndex(index)
        self.list.scrollTo(index)
        return True

    def set_current(self, article_id: str, section_id: str = "") -> None:
        """Show the article shown in the window as current in the flat list or in its archive group;
        the other one keeps no highlighted row (it would read as the article shown)."""
        self._shown_article = article_id
        if article_id == self.current_article_id():
            return
        if self.archives.select(article_id):
            self.list.selectionModel().clear()
        elif self.select(article_id):
            self.archives.selectionModel().clear()
        else:
            self.list.selectionModel().clear()
            self.archives.selectionModel().clear()

    def focus_filter(self) -> None:
        self.filter_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_field.selectAll()

    def _filter(self, text: str) -> None:
        """Ask the sources for the typed text; an empty filter shows the listing again."""
        needle, matches = fold(text).strip(), []
        self.archives.reload(needle)
        if needle:
            matches = self.library.titles_matching(needle, FILTER_LIMIT, flat_sources(self.library))
            self.model.set_matches(needle, matches)
        elif self.model.filtered:
            self._version = None
            self.reload()
        more = len(matches) >= FILTER_LIMIT
        self.more_note.setText(muted_label(f"The first {FILTER_LIMIT:,} matches are shown: type more to narrow them")
                               if more else "")
        self.more_note.setVisible(more)

    def _open_index(self, index) -> None:
        if index.isValid() and index.data(ID_ROLE):  # an archive without a main page: only expands
            self.open_requested.emit(index.data(ID_ROLE), "", None)

    def _open_first(self) -> None:
        """Enter in the filter: open the best title match (exact title, then prefix, then the first)."""
        view, index = self._best_match()
        if index.isValid():
            view.setCurrentIndex(index)
            self._open_index(index)

    def _enter_list(self) -> None:
        """Down in the filter: into the list (or an archive group), on the best match (or the current row)."""
        view, index = self.list, self.list.currentIndex()
        if not index.isValid() or self.filter_field.text().strip():
            view, index = self._best_match()
            if index.isValid():
                view.setCurrentIndex(index)
        view.setFocus(Qt.FocusReason.TabFocusReason)

    def _best_match(self) -> tuple:
        """(view, index) of the best match for the filter: an exact title in the flat list, then in an
        archive group, then a title starting with the typed text (likewise; an archive group shows only
        such titles while filtered), then the flat list's first row. The index is invalid when nothing is shown."""
        row = self.model.best_row()
        needle = fold(self.filter_field.text()).strip()
        if needle and (row < 0 or not fold(self.model.entry(row).title).strip() == needle):
            children = self.archives.model_.children()
            exact = next((index for index, entry in children if fold(entry.title).strip() == needle), None)
            flat_prefix = row >= 0 and fold(self.model.entry(row).title).strip().startswith(needle)
            if exact is not None or (children and not flat_prefix):
                return self.archives, exact if exact is not None else children[0][0]
        return self.list, self.model.index(row, 0) if row >= 0 else QModelIndex()

    # ------------------------------------------------------------------ sources

    def choose_files(self) -> QFileDialog:
        """Articles and Kiwix ZIM archives (a split archive is added by its first part, ``.zimaa``)."""
        return self._ask_paths("Add articles or archives", QFileDialog.FileMode.ExistingFiles, ADD_FILES_FILTER)

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

    def choose_source_to_remove(self, chosen: str = "") -> QInputDialog | None:
        """Ask which added file, folder or Kiwix archive to forget (OK confirms; notes are kept). The
        choice offered is ``chosen`` (a path: an archive group's menu), else the shown article's source."""
        choices = self._removable()
        if not choices:
            messages.show_info("Only the bundled articles are in the library: there is no added source to remove")
            return None
        current = next((label for label, path in choices.items() if chosen and path == chosen), None)
        current = current or self._source_of(self._shown_article or self.current_article_id(), choices)
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Remove a source")
        dialog.setLabelText("Forget this file, folder or archive (your notes are kept):")
        dialog.setComboBoxItems(list(choices))
        dialog.setComboBoxEditable(False)
        dialog.setTextValue(current or next(iter(choices)))
        dialog.textValueSelected.connect(lambda label: self.remove_source(choices[label]) if label in choices else None)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _removable(self) -> dict[str, str]:
        """{label shown: path} of what the user added: files and folders by path, then each archive
        (open or missing) by its path with its title."""
        choices = {source: source for source in self.library.sources()}
        for archive in self.library.archive_list():
            state = f"missing: {archive.missing}" if archive.missing else archive.name
            choices[f"{archive.title or archive.name} — Kiwix archive, {state} ({archive.path})"] = archive.path
        return choices

    def remove_source(self, source: str) -> None:
        self.start_task(f"Removing {Path(source).name}", self.library.remove_sources, [source],
                        on_result=self._scanned, cancellable=False)

    def _source_of(self, article_id: str, choices: dict[str, str]) -> str | None:
        """The label of the choice the article comes from (its archive, or the file or folder), or None."""
        if not article_id:
            return None
        for archive in self.library.archive_list():
            if article_id.startswith(f"zim:{archive.name}/"):
                return next((label for label, path in choices.items() if path == archive.path), None)
        if not self.library.has_article(article_id):
            return None
        path = Path(self.library.summary(article_id).path)
        for label, source in choices.items():
            if path == Path(source) or Path(source) in path.parents:
                return label
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


ADD_FILES_FILTER = ("Articles and archives (*.txt *.text *.wiki *.md *.markdown *.zim *.zimaa);;"
                    "Articles (*.txt *.text *.wiki *.md *.markdown);;Kiwix ZIM archives (*.zim *.zimaa);;All files (*)")


def _first_page(library) -> tuple:
    """(version, count, first page of titles): what the flat list needs to show the library (the
    version is the whole library's: an archive added or removed redraws its groups too)."""
    listed = flat_sources(library)
    return library.version(), library.count(listed), library.titles(0, PAGE_SIZE, listed)
