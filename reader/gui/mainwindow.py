"""The main window: library sidebar and contents on the left, the article in the middle,
search, bookmarks and notes docked on the right.

The window owns navigation (``open_article``, back/forward history) and wires
the pieces together; each piece lives in its own module. Menus and shortcuts
are built by :mod:`reader.gui.menus`. Slow work goes through ``self.activity``
(status-bar progress with Cancel); library events arrive on worker threads and
are re-emitted on the GUI thread by ``LibraryEvents`` (panels use ``ChangeFeed``: each
event as one ``reader.changes.Changes`` value).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow, QSplitter, QVBoxLayout, QWidget

from ..errors import LecternError
from . import messages
from .accessibility import labels_speak_their_text
from .activity import ActivityIndicator
from .docks import PANEL_ATTRIBUTES, build_docks
from .find_bar import FindBar
from .library_panel import LibraryPanel
from .message_bar import REVIEW_KEY, MessageBar
from .panel_support import LibraryEvents, Loader
from .reading_view import ReadingView
from .state import (
    History,
    Place,
    ReadingPosition,
    ReadingState,
    load_reading_settings,
    open_settings,
    restore_window,
    save_reading_settings,
    save_window,
)
from .theme import ThemeManager
from .toc import TocView, quiet_store_failure
from .workers import run_in_background

POSITION_SAVE_DELAY_MS = 3000
CATCH_UP_DELAY_MS = 200
FIRST_RUN_SIDEBAR_PX = 240  # library list and contents: titles fit, the article keeps the room
FIRST_RUN_DOCK_PX = 280  # at least; a fifth of wider windows
CLOSE_WAIT_MS = 5000
MAX_TAB_SKIPS = 200  # widgets Tab may pass over looking for one on screen


def quiet_index_failure(exc: BaseException) -> None:
    """A catch-up that failed is retried by the next search; its problem is on the notices channel."""
    if not isinstance(exc, (ImportError, LecternError)):
        messages.show_error(exc, "updating the search index")


def _has_focus_inside(widget: QWidget) -> bool:
    focused = QApplication.focusWidget()
    return focused is not None and (focused is widget or widget.isAncestorOf(focused))


class MainWindow(QMainWindow):
    navigated = Signal(str, str)  # article id, section id: after every navigation
    index_ready = Signal(object)  # IndexReport (None if it failed) after each index update: the search panel re-asks
    notes_painted = Signal(str)  # article id: its quoted passages are painted

    def __init__(self, library, paths, parent=None):
        super().__init__(parent)
        self.library = library
        self.paths = paths
        self.setObjectName("mainWindow")
        self.setWindowTitle("Lectern")
        self.setAcceptDrops(True)
        self.settings = open_settings(paths)
        self.theme = ThemeManager(load_reading_settings(self.settings), self)
        self.theme.apply_to_app()
        self.activity = ActivityIndicator(self)
        self.statusBar().addPermanentWidget(self.activity)
        messages.register(self, self.statusBar())
        self.history = History()
        self.reading_state = ReadingState(library)
        self.index_task = None
        self._navigating = False
        self._after_paint: list = []
        self._saving = self._save_again = False
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(POSITION_SAVE_DELAY_MS)
        self._save_timer.timeout.connect(lambda: self.save_reading_position(background=True))
        self._build_centre()
        self.docks, self.panels = build_docks(self)
        for attribute in PANEL_ATTRIBUTES:
            setattr(self, attribute, self.panels.get(attribute))
        self._note_to_select = ""  # a clicked passage's note, selected once the notes panel lists it
        self._paint_timer = QTimer(self)
        self._paint_timer.setSingleShot(True)
        self._paint_timer.setInterval(0)
        self._paint_timer.timeout.connect(self.paint_notes)
        self._catch_up_timer = QTimer(self)  # the index catches up after a burst of changes (an import)
        self._catch_up_timer.setSingleShot(True)
        self._catch_up_timer.setInterval(CATCH_UP_DELAY_MS)
        self._catch_up_timer.timeout.connect(self._catch_up_index)
        self._note_painter = Loader(self, lambda article_id: (article_id, self.library.store.notes(article_id=article_id)),
                                    self._painted_notes, on_error=quiet_store_failure)
        if self.notes_panel is not None:
            self.notes_panel.refreshed.connect(self._select_pending_note)
            # a note kept on its own section while the reader moved on: once it is saved or
            # cancelled, the panel follows the reading position again
            self.notes_panel.saved.connect(lambda _note: self._notes_follow_reading())
            self.notes_panel.editor.cancelled.connect(self._notes_follow_reading)
        if self.search_panel is not None:
            self.index_ready.connect(self.search_panel.index_updated)
        self.events = LibraryEvents(library, self)
        self.events.event.connect(self._library_event)
        from .menus import build_menus

        self.actions_by_name = build_menus(self)
        labels_speak_their_text(self)
        self._set_tab_order()
        self.resize(1180, 760)
        self._first_run = not restore_window(self.settings, self, self.splitters)
        self._update_navigation_actions()

    # ------------------------------------------------------------------ layout

    def _build_centre(self) -> None:
        self.view = ReadingView(self.library, self.theme, self)
        self.find_bar = FindBar(self.view, self)
        reader = QWidget(self)
        reader_layout = QVBoxLayout(reader)
        reader_layout.setContentsMargins(0, 0, 0, 0)
        reader_layout.setSpacing(0)
        self.message_bar = MessageBar(self.library.notices, reader, transient=messages.show_info)  # the notices channel
        reader_layout.addWidget(self.message_bar)
        reader_layout.addWidget(self.view, 1)
        reader_layout.addWidget(self.find_bar)
        self.library_panel = LibraryPanel(self.library, self.activity.start, self)
        self.toc = TocView(self.library, self)
        contents = QWidget(self)
        contents_layout = QVBoxLayout(contents)
        contents_layout.setContentsMargins(4, 0, 0, 0)
        contents_layout.setSpacing(3)
        contents_title = QLabel("Contents", contents)
        contents_title.setObjectName("panelTitle")
        contents_layout.addWidget(contents_title)
        contents_layout.addWidget(self.toc, 1)
        self.sidebar = QSplitter(Qt.Orientation.Vertical, self)
        self.sidebar.setObjectName("sidebarSplitter")
        self.sidebar.addWidget(self.library_panel)
        self.sidebar.addWidget(contents)
        self.sidebar.setSizes([300, 400])
        self.sidebar.setMinimumWidth(180)  # the page gives way first, not the article list
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(reader)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([FIRST_RUN_SIDEBAR_PX, 940])
        self.splitter.setChildrenCollapsible(True)
        self.setCentralWidget(self.splitter)
        self.splitters = {"main": self.splitter, "sidebar": self.sidebar}
        self.view.section_changed.connect(self._section_scrolled)
        self.view.link_requested.connect(self.open_article)
        self.view.rerendered.connect(self._page_rerendered)
        self.view.note_clicked.connect(self.select_note)
        self.view.notes_painted.connect(self.notes_painted)
        self.toc.section_activated.connect(lambda sid: self.open_article(self.view.article_id, sid))
        self.library_panel.open_requested.connect(self.open_article)
        self.library_panel.scan_finished.connect(lambda _report: self._reread_user_data())

    def _set_tab_order(self) -> None:
        chain = [self.library_panel.filter_field, self.library_panel.list, self.toc, self.view,
                 self.find_bar.field]
        chain += [panel for panel in self.panels.values()]
        for first, second in zip(chain, chain[1:]):
            QWidget.setTabOrder(first, second)

    def show_dock(self, attribute: str) -> QWidget | None:
        dock = self.docks.get(attribute)
        if dock is None:
            messages.show_info("That panel is not available in this build")
            return None
        dock.show()
        dock.raise_()
        return self.panels[attribute]

    def announce_reading_width(self) -> None:
        """Say what a reading-width change did: the column's width, and when the panels
        leave less room than asked for, that they are what limits it."""
        settings = self.theme.settings
        wanted = settings.width_px()
        column = self.view.reading_column_px()
        name = settings.width.title()
        if wanted and column < wanted:
            text = (f"Reading width {name} ({wanted} px): only {column} px fit beside the panels; "
                    "hide them (F9, View ▸ Panels) or widen the window for more")
        else:
            text = f"Reading width {name}: {column} px"
        messages.show_info(text)

    def toggle_panel_focus(self, attribute: str) -> None:
        """Show a side panel in front of its tab group and focus it; pressed again from
        inside the panel, focus goes back to the article (the panel stays)."""
        dock = self.docks.get(attribute)
        if dock is not None and dock.isVisible() and _has_focus_inside(dock):
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        panel = self.show_dock(attribute)
        if panel is None:
            return
        if attribute == "search_panel":
            panel.focus_search()
            return
        target = {"bookmarks_panel": "tree", "notes_panel": "list"}.get(attribute, "")
        editor = getattr(panel, "editor", None)
        widget = editor.text if editor is not None and editor.isVisible() else getattr(panel, target, panel)
        widget.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def toggle_library_focus(self) -> None:
        """Show the library and contents and focus the article list; again: back to the article."""
        if self.sidebar.isVisible() and _has_focus_inside(self.sidebar):
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        self.sidebar.show()
        toggle = getattr(self, "sidebar_toggle", None)
        if toggle is not None:
            toggle.setChecked(True)
        if self.splitter.sizes()[0] == 0:  # collapsed by dragging the splitter
            self.splitter.setSizes([FIRST_RUN_SIDEBAR_PX, max(0, sum(self.splitter.sizes()) - FIRST_RUN_SIDEBAR_PX)])
        self.library_panel.list.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------------ navigation

    def open_article(self, article_id: str, section_id: str = "", highlight_terms=None, offset: int = 0,
                     record: bool = True) -> bool:
        """Show an article (at a section, with highlighted terms); recorded in the history."""
        if not article_id:
            return False
        previous = self.view.article_id
        if previous:
            self.history.update_current(Place(previous, self.view.current_section_id()))
        self._navigating = True  # the jump's own scrolling must not rewrite the entry we leave
        try:
            shown = self.view.show_article(article_id, section_id, highlight_terms, offset=offset)
        finally:
            self._navigating = False
        if not shown:
            return False
        if previous != article_id or self.toc.article_id != article_id:
            self.toc.set_article(self.view.article)
            self.paint_notes()
        section = self.view.current_section_id()
        if record:
            self.history.visit(Place(article_id, section_id or section))
        self.setWindowTitle(f"{self.view.article.title} — Lectern")
        self.view.setAccessibleDescription(self.view.article.title)
        self._announce(article_id, section)
        self._update_navigation_actions()
        self._save_timer.start()
        self.navigated.emit(article_id, section)
        return True

    def go_back(self) -> None:
        self._go(self.history.back)

    def go_forward(self) -> None:
        self._go(self.history.forward)

    def _go(self, step) -> None:
        if self.view.article_id:
            self.history.update_current(Place(self.view.article_id, self.view.current_section_id()))
        place = step()
        if place is not None:
            self.open_article(place.article_id, place.section_id, record=False)
        self._update_navigation_actions()

    def go_section(self, delta: int) -> None:
        article = self.view.article
        if article is None:
            return
        ids = [s.id for s in article.sections]
        current = self.view.current_section_id()
        index = ids.index(current) if current in ids else 0
        target = ids[min(max(index + delta, 0), len(ids) - 1)]
        self.open_article(article.id, target)

    def _section_scrolled(self, article_id: str, section_id: str) -> None:
        if self._navigating:
            return  # open_article announces the place once it is there
        self.history.update_current(Place(article_id, section_id))
        self._announce(article_id, section_id)
        self._save_timer.start()

    def _page_rerendered(self) -> None:
        """The file may have changed on disk: its sections too."""
        article = self.view.article
        if article is not None and [s.id for s in article.sections] != self.toc.section_ids():
            self.toc.set_article(article)
            self.toc.set_current(self.view.current_section_id())

    def _announce(self, article_id: str, section_id: str) -> None:
        self.toc.set_current(section_id)
        self.library_panel.set_current(article_id, section_id)
        keep_notes = not self._note_editor_follows(article_id, section_id)
        for attribute, panel in self.panels.items():
            if not (keep_notes and attribute == "notes_panel"):
                panel.set_current(article_id, section_id)

    def _notes_follow_reading(self) -> None:
        if self.notes_panel is not None and self.view.article_id:
            self.notes_panel.set_current(self.view.article_id, self.view.current_section_id())

    def _note_editor_follows(self, article_id: str, section_id: str) -> bool:
        """The reader moved to another section while a note editor is open: an untouched
        editor closes; one with typing in it stays, with the notes panel, on its own section
        (nothing typed is lost), and the status bar says so. True when the panel may follow."""
        editor = getattr(self.notes_panel, "editor", None)
        if editor is None or not editor.isVisible():
            return True
        draft = editor.draft()
        if (draft.article_id, draft.section_id) == (article_id, section_id):
            return True
        if not (editor.text.document().isModified() or editor.tags.isModified()):
            editor.cancel()
            return True
        messages.show_info("The note you are writing stays on its section: save it (Ctrl+Return) or cancel (Esc)")
        return False

    def _update_navigation_actions(self) -> None:
        actions = getattr(self, "actions_by_name", {})
        if "back" in actions:
            actions["back"].setEnabled(self.history.can_back())
            actions["forward"].setEnabled(self.history.can_forward())

    # ------------------------------------------------------------------ actions used by menus

    def bookmark_current(self) -> None:
        panel = self.bookmarks_panel
        if panel is None or not self.view.article_id:
            messages.show_info("Open an article to bookmark it" if panel else "Bookmarks are not available")
            return
        panel.bookmark(self.view.article_id, self.view.current_section_id())

    def add_note_here(self) -> None:
        panel = self.show_dock("notes_panel")
        if panel is None or not self.view.article_id:
            return
        problem = self.view.selection_problem()
        if problem:  # refused now, not when the note is saved
            messages.show_info(problem)
            return
        quote, prefix, suffix = self.view.selection_context()
        panel.add_note(self.view.article_id, self.view.selection_section_id(), quote or None,
                       prefix=prefix, suffix=suffix)

    def focus_search(self) -> None:
        panel = self.show_dock("search_panel")
        if panel is not None:
            panel.focus_search()

    # ------------------------------------------------------------------ painted notes

    def paint_notes(self) -> None:
        """Paint the open article's quoted passages (the store is read in a worker)."""
        article_id = self.view.article_id
        if not article_id:
            return

        self._note_painter(article_id)

    def _painted_notes(self, found) -> None:
        article_id, notes = found
        if self.view.article_id == article_id:  # not a late answer for a previous article
            self.view.set_note_highlights(article_id, notes)  # notes_painted follows

    def select_note(self, note) -> None:
        """A painted passage was clicked: show its note, selected, in the notes panel."""
        panel = self.show_dock("notes_panel")
        if panel is None:
            return
        self._note_to_select = note.id
        if panel.current == (note.article_id, note.section_id) and self._select_pending_note():
            return
        panel.set_current(note.article_id, note.section_id)  # the list reloads, then selects it

    def _select_pending_note(self) -> bool:
        panel, wanted = self.notes_panel, self._note_to_select
        if panel is None or not wanted:
            return False
        for row, note in enumerate(panel.notes_shown()):
            if note.id == wanted:
                self._note_to_select = ""
                panel.list.setCurrentRow(row)
                panel.list.scrollToItem(panel.list.item(row))
                return True
        return False

    def _reread_user_data(self) -> None:
        """After a rescan (F5): read notes and bookmarks again. Another process (``lectern notes add``)
        may have changed them, and no event of this window's store told it."""
        self._paint_timer.start()
        self.toc.refresh_marks()
        for panel in (self.notes_panel, self.bookmarks_panel, getattr(self.notes_panel, "_all_notes", None)):
            if panel is not None:
                panel.reload()

    # ------------------------------------------------------------------ library events

    def _library_event(self, name: str, payload) -> None:
        if name == "articles_changed" and getattr(payload, "archives", None):
            self.update_index()  # an added archive may be indexed into Lectern's index: with progress, cancellable
        elif name in ("articles_changed", "notes_changed", "trash_emptied"):
            self._catch_up_timer.start()
        if name == "articles_changed":
            current = self.view.article_id
            if current and not self.library.has_article(current):
                self.view.show_placeholder("Article removed", "This article is no longer in the library.")
                self.toc.set_article(None)
            elif current:
                self.view.library_changed(payload)
            elif self.library.count():
                self.open_first_article()
        elif name in ("notes_changed", "bookmarks_changed"):
            self.toc.refresh_marks()
            if name == "notes_changed":
                self._paint_timer.start()  # a burst of changes (an import) is read once
        elif name == "anchors_changed":  # a rescan moved or lost quoted passages (docs/data-model.md)
            # In the message bar, not the status bar: the scan's own report would overwrite it there.
            self.library.notices.post("store", str(payload), key=REVIEW_KEY)

    # ------------------------------------------------------------------ start-up and shutdown

    def restore_reading(self) -> None:
        """Reopen the last article at its position, or the first article."""
        try:
            position, history = self.reading_state.load()
        except Exception as exc:  # noqa: BLE001 - a damaged reading state must not stop start-up
            messages.show_error(exc, "could not restore the last reading position")
            position, history = None, History()
        self.history = history
        if position is not None and self.open_article(position.article_id, position.section_id,
                                                      offset=position.offset, record=False):
            self.history.visit(Place(position.article_id, position.section_id))
        else:
            self.open_first_article()
        self._update_navigation_actions()

    def open_first_article(self) -> None:
        first = self.library.titles(0, 1)
        if first:
            self.open_article(first[0].id)
        else:
            self.view.show_placeholder("Your library is empty",
                                       "Add files or folders of articles with File ▸ Add Files or by dropping them here.")

    def after_first_paint(self, fn) -> None:
        """Run ``fn`` once the window has painted, so start-up work never delays the first frame."""
        self._after_paint.append(fn)

    def showEvent(self, event) -> None:  # noqa: N802
        super().showEvent(event)
        if self._first_run:
            self._first_run = False  # once the layout exists; a saved layout wins on later runs
            QTimer.singleShot(0, self._first_run_layout)

    def _first_run_layout(self) -> None:
        """Narrow sidebar and docks: most of the width goes to the reading column."""
        if self.docks:
            self.resizeDocks([next(iter(self.docks.values()))], [max(FIRST_RUN_DOCK_PX, self.width() // 5)],
                             Qt.Orientation.Horizontal)
        total = sum(self.splitter.sizes())
        self.splitter.setSizes([FIRST_RUN_SIDEBAR_PX, max(0, total - FIRST_RUN_SIDEBAR_PX)])

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        while self._after_paint:
            QTimer.singleShot(0, self._after_paint.pop(0))

    def start_background_work(self, rescan: bool = True) -> None:
        """After the window is shown: rescan the sources, then bring the search index up to date.

        Notices (a read-only library, a damaged notes database) are already in the message bar.
        """
        if rescan:
            self.activity.start("Checking library", self.library.rescan, on_result=self._rescanned, cancellable=False)
        else:
            self.update_index()

    def _rescanned(self, _report) -> None:
        self.update_index()  # the scan's own "articles_changed" event refreshes the views

    def update_index(self, rebuild: bool = False) -> None:
        if self.index_task is not None:
            return
        self.index_task = self.activity.start(
            "Rebuilding search index" if rebuild else "Updating search index",
            self.library.update_index, rebuild=rebuild,
            on_result=self._indexed, on_error=self._index_failed,
        )

    def _catch_up_index(self) -> None:
        """Bring the index up to date with what just changed, in a worker: saving stays quick,
        and the next search does not pay for it (the core only marks the index behind)."""
        if self.index_task is None:
            run_in_background(self.library.search_index.catch_up, on_error=quiet_index_failure)

    def _indexed(self, report) -> None:
        self.index_task = None
        self.index_ready.emit(report)

    def _index_failed(self, exc: BaseException) -> None:
        self.index_task = None
        if isinstance(exc, ImportError):
            messages.show_info(f"Search is not available: {exc}")
        else:
            messages.show_error(exc, "updating the search index")
        self.index_ready.emit(None)

    def save_state(self) -> None:
        save_window(self.settings, self, self.splitters)
        save_reading_settings(self.settings, self.theme.settings)
        self.settings.sync()
        self.save_reading_position()

    def save_reading_position(self, background: bool = False) -> None:
        """Last article, position and history to the store: at close, and (in a worker) a few
        seconds after each move, so a crash or a killed session loses at most that.

        Background saves run one at a time, so an older snapshot never lands after a newer one.
        """
        self._save_timer.stop()
        if background and self._saving:
            self._save_again = True
            return
        position = None
        if self.view.article_id:
            section_id, offset = self.view.position()
            position = ReadingPosition(self.view.article_id, section_id, offset)
            self.history.update_current(Place(self.view.article_id, section_id))
        snapshot = History(list(self.history.entries), self.history.index)
        if background:
            self._saving = True
            run_in_background(self.reading_state.save, position, snapshot, on_finished=self._position_saved,
                              on_error=lambda exc: messages.show_error(exc, "could not save the reading position"))
            return
        try:
            self.reading_state.save(position, snapshot)
        except Exception as exc:  # noqa: BLE001 - never lose the close because of reading state
            messages.show_error(exc, "could not save the reading position")

    def _position_saved(self) -> None:
        self._saving = False
        if self._save_again:
            self._save_again = False
            self.save_reading_position(background=True)

    def closeEvent(self, event) -> None:  # noqa: N802
        self.activity.cancel_all()
        if self._saving:  # let a background save finish, so it cannot land after this one
            QThreadPool.globalInstance().waitForDone(CLOSE_WAIT_MS)
        self.save_state()
        messages.unregister(self)
        super().closeEvent(event)

    def focusNextPrevChild(self, next_: bool) -> bool:  # noqa: N802 - Qt name
        """Tab skips widgets that are not on screen (a panel in a background dock tab):
        focus must never land where the user cannot see it."""
        start = QApplication.focusWidget()
        for _ in range(MAX_TAB_SKIPS):
            if not super().focusNextPrevChild(next_):
                return False
            focused = QApplication.focusWidget()
            if focused is None or focused is start or not focused.visibleRegion().isEmpty():
                return True
        return True

    # ------------------------------------------------------------------ drops on the window

    def dragEnterEvent(self, event) -> None:  # noqa: N802
        self.library_panel.dragEnterEvent(event)

    def dropEvent(self, event) -> None:  # noqa: N802
        self.library_panel.dropEvent(event)
