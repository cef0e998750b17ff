"""The library search panel: results and suggestions as you type, "Did you mean".

Typing restarts a short single-shot timer (150 ms); when it fires,
``library.suggest`` and ``library.search`` run in workers: the titles and
headings found are listed above the hits, which are grouped by article with
their highlighted snippets. Each request carries a number and a result that
comes back after a newer request was made is dropped, so a slow answer can
never overwrite a fresh one; a search still waiting for a worker when a newer
one starts is cancelled before it runs. Nothing here blocks the event loop.

A query that finds nothing but has a correction shows the correction's hits
with "Showing results for X — search instead for Y" (Y searches as typed).

Keyboard: Enter opens the first hit (once the hits of what is typed are in),
Down moves from the field into the list, Up from the first row goes back,
Enter there opens the current row, Esc closes the suggestions.
"""

from __future__ import annotations

import time
from html import escape

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..errors import LecternError
from ..sources.base import searchable_of
from .panel_support import (
    HTML_ROLE, PAYLOAD_ROLE, catch_escape, html_list, muted, plain_tooltip, term_style, Loader,
)
from .search_text import highlight_terms, section_label, snippet_html

TYPING_PAUSE_MS = 150  # suggestions and results once typing pauses this long
SUGGEST_LIMIT = 10
RESULT_LIMIT = 50


class SearchPanel(QWidget):
    open_requested = Signal(str, str, object)  # article id, section id or "", terms to highlight or None
    suggestions_shown = Signal(int)  # rows shown (for tests and the status bar)
    results_shown = Signal(int)  # hits shown

    def __init__(self, library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.setAccessibleName("Library search")
        self.current_article = ""
        self._searcher = Loader(self, self._search_worker, lambda found: self._show_results(*found),
                                on_error=self._search_failed)
        self._suggester = Loader(self, lambda text: self.library.suggest(text, limit=SUGGEST_LIMIT),
                                 self._show_suggestions, on_error=self._suggest_failed)
        self._last_query = ""
        self._shown_query: str | None = None  # the text whose hits the list shows
        self._open_first_when_shown = False  # Enter was pressed before the hits of the text came in
        self._build()
        self._timer = QTimer(self, singleShot=True, interval=TYPING_PAUSE_MS)
        self._timer.timeout.connect(self._typing_paused)

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.query = QLineEdit(self, placeholderText="Search the library  (Ctrl+K)", clearButtonEnabled=True)
        self.query.setAccessibleName("Search query")
        self.query.setToolTip('Words, "exact phrase", OR, -word, prefix*, title:, section:, in:notes')
        self.query.textEdited.connect(self._text_edited)
        self.query.returnPressed.connect(self._return_pressed)
        self.query.installEventFilter(self)

        self.this_article = QCheckBox("This &article only", self, enabled=False)
        self.this_article.setAccessibleName("Limit search to the current article")
        self.notes_only = QCheckBox("&Notes only", self)
        self.notes_only.setAccessibleName("Search notes only")
        for box in (self.this_article, self.notes_only):
            box.toggled.connect(self._filters_changed)
        self.source_filter = QComboBox(self)
        self.source_filter.setAccessibleName("Search in")
        self.source_filter.setToolTip("Search everywhere, or only in one archive or in the files and notes")
        self.refresh_sources()
        self.source_filter.currentIndexChanged.connect(self._filters_changed)
        filters = QHBoxLayout()
        filters.setContentsMargins(0, 0, 0, 0)
        filters.addWidget(self.this_article)
        filters.addWidget(self.notes_only)
        filters.addWidget(self.source_filter)
        filters.addStretch(1)

        self.did_you_mean = QLabel(self, visible=False, textFormat=Qt.TextFormat.RichText)
        self.did_you_mean.setAccessibleName("Did you mean")
        self.did_you_mean.linkActivated.connect(self._correction_link)
        self._corrected = ""
        self._typed = ""
        self.status = QLabel(self)
        self.status.setAccessibleName("Search status")
        self.status.setWordWrap(True)
        self.query.textEdited.connect(self._count_follows_query)

        self.suggestions = self._make_list("Suggestions", self._suggestion_activated)
        self.suggestions.hide()
        self.results = self._make_list("Search results", self._result_activated)
        catch_escape(self, (self.query, self.suggestions), self.close_suggestions,
                     active=lambda: not self.suggestions.isHidden())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.query)
        layout.addLayout(filters)
        layout.addWidget(self.did_you_mean)
        layout.addWidget(self.status)
        layout.addWidget(self.suggestions, 1)
        layout.addWidget(self.results, 1)

    def _make_list(self, name: str, on_open) -> QListWidget:
        """A list whose rows open on one click (as in Kiwix) or on Enter.

        A double click, or a style that also activates on a single click, would
        ask for the same row twice: a repeat within the double-click interval is
        ignored.
        """
        last = {"payload": None, "at": 0.0}

        def open_row(item: QListWidgetItem) -> None:
            payload, now = item.data(PAYLOAD_ROLE), time.monotonic()
            if payload == last["payload"] and now - last["at"] < QApplication.doubleClickInterval() / 1000:
                return
            last.update(payload=payload, at=now)
            on_open(item)

        view = html_list(self, name, open_row)
        view.itemClicked.connect(open_row)
        view.installEventFilter(self)
        return view

    # ------------------------------------------------------------------ the main window's API

    def refresh_sources(self) -> None:
        """Offer one entry per source with its own search (an archive) beside "Everywhere"; hidden
        while the library has none. Call it after attaching or removing an archive."""
        chosen = self.source_filter.currentData()
        self._sources_seen = len(self.library.article_sources())
        self.source_filter.blockSignals(True)
        self.source_filter.clear()
        self.source_filter.addItem("Everywhere", None)
        archives = [s for s in self.library.article_sources()[1:]
                    if searchable_of(s) is not None or s.indexed]  # or in Lectern's index (a small archive)
        if archives:
            self.source_filter.addItem(self.library.folders.label, self.library.folders.id)
        for source in archives:
            self.source_filter.addItem(source.label, source.id)
        self.source_filter.setCurrentIndex(max(0, self.source_filter.findData(chosen)))
        self.source_filter.setVisible(bool(archives))
        self.source_filter.blockSignals(False)

    def set_current(self, article_id: str, section_id: str) -> None:
        changed = article_id != self.current_article
        self.current_article = article_id or ""
        self.this_article.setEnabled(bool(self.current_article))
        if changed and self.this_article.isChecked() and self._last_query:
            self.run_query(self._last_query)

    def index_updated(self, report) -> None:
        """The index caught up (the window's ``index_ready``): results shown for the query
        in the field may be missing what was just indexed, so ask again."""
        if report is None or not report.changed or not self._last_query:
            return
        if self.query.text().strip() == self._last_query and self.suggestions.isHidden():
            self.run_query(self._last_query)

    def focus_search(self) -> None:
        self.query.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.query.selectAll()

    def run_query(self, text: str, autocorrect: bool = True) -> None:
        """Search for ``text`` (shown in the field) and list the hits."""
        self.query.setText(text)
        self._timer.stop()
        self._suggester.drop_pending()  # a suggestion still on its way is stale now
        self.suggestions.hide()
        self._search(text, autocorrect)

    def _search(self, text: str, autocorrect: bool = True) -> None:
        """Start a search in a worker; any older one still waiting is cancelled, any older answer dropped."""
        text = text.strip()
        self._last_query = text
        if not text and not self.notes_only.isChecked():
            self._searcher.drop_pending()
            self._shown_query = None
            self._clear_results("")
            return
        if len(self.library.article_sources()) != self._sources_seen:  # an archive was attached or removed
            self.refresh_sources()
        self.status.setText("Searching…")
        article = self.current_article if self.this_article.isChecked() and self.current_article else None
        self._searcher(text, article, self.notes_only.isChecked(), autocorrect, self.source_filter.currentData())

    def _search_worker(self, text: str, article_id: str | None, notes_only: bool, autocorrect: bool,
                       source: str | None = None, cancel=None):
        """Worker: the query and its results (None when a newer search cancelled it before it ran)."""
        if cancel is not None and cancel.is_set():
            return text, None
        return text, self.library.search(text, limit=RESULT_LIMIT, article_id=article_id, notes_only=notes_only,
                                         autocorrect=autocorrect, source=source)

    # ------------------------------------------------------------------ as you type

    def _text_edited(self, _text: str) -> None:
        self._open_first_when_shown = False
        self._timer.start()

    def _typing_paused(self) -> None:
        self._request_suggestions()
        if self.query.text().strip() != self._last_query or self._shown_query is None:
            self._search(self.query.text())

    def _request_suggestions(self) -> None:
        text = self.query.text().strip()
        if not text:
            self._suggester.drop_pending()
            self.suggestions.hide()
            return
        self._suggester(text)  # an answer to an older text is dropped: the user typed on

    def _show_suggestions(self, found) -> None:
        self.suggestions.clear()
        for suggestion in found:
            kind = "Article" if not suggestion.section_id else "Section"
            item = QListWidgetItem(suggestion.label)
            item.setData(HTML_ROLE, f"{escape(suggestion.label)}<br>{muted(kind)}")
            item.setData(PAYLOAD_ROLE, suggestion)
            item.setToolTip(plain_tooltip(suggestion.label))
            self.suggestions.addItem(item)
        self.suggestions.setVisible(bool(found))
        self.suggestions_shown.emit(len(found))

    def _suggest_failed(self, exc: BaseException) -> None:
        from .messages import show_error

        show_error(exc, "suggestions")

    def close_suggestions(self) -> None:
        self._suggester.drop_pending()  # one still on its way must not reopen the list
        self.suggestions.hide()
        self.results.show()
        self.query.setFocus()

    def _suggestion_activated(self, item: QListWidgetItem) -> None:
        suggestion = item.data(PAYLOAD_ROLE)
        self.suggestions.hide()
        self.results.show()
        self.open_requested.emit(suggestion.article_id, suggestion.section_id or "", None)

    # ------------------------------------------------------------------ results

    def _count_follows_query(self, text: str) -> None:
        """The result count belongs to the query it counted: typing another one clears it."""
        if text.strip() != self._last_query:
            self.status.clear()

    def _return_pressed(self) -> None:
        """Open the first hit of what is typed: now if its hits are shown, else when they come in."""
        text = self.query.text().strip()
        if text and text == self._shown_query and self._open_first_hit():
            return
        self._open_first_when_shown = True
        self.run_query(self.query.text())

    def _open_first_hit(self) -> bool:
        if self.results.count() == 0:
            return False
        self.results.setCurrentRow(1 if self.results.count() > 1 else 0)  # past the first article's header row
        self._result_activated(self.results.currentItem())
        return True

    def _filters_changed(self) -> None:
        if self._last_query:
            self.run_query(self._last_query)

    def _clear_results(self, status: str) -> None:
        self.results.clear()
        self.results.show()
        self.did_you_mean.hide()
        self.status.setText(status)

    def _show_results(self, query: str, results) -> None:
        if results is None:
            return
        self._shown_query = query
        self._clear_results(self._summary(results))
        self._show_correction(results)
        terms = highlight_terms(results)
        for article_id, title, hits in _group_by_article(results.hits):
            self._add_article_row(article_id, title, len(hits), terms)
            for hit in hits:
                self._add_hit_row(hit, terms)
        self.results_shown.emit(len(results.hits))
        if self._open_first_when_shown:
            self._open_first_when_shown = False
            self._open_first_hit()

    @staticmethod
    def _summary(results) -> str:
        if results.message:
            return results.message[:1].upper() + results.message[1:] + "."
        shown = len(results.hits)
        if not shown:
            return "No results."
        more = f" (showing {shown})" if results.total > shown else ""
        return results.total_text() + more  # "about N results" when the total is an estimate

    def _show_correction(self, results) -> None:
        """ "Showing results for X — search instead for Y" after an automatic correction, else "Did you mean"."""
        self._corrected, self._typed = results.corrected or "", results.query
        if results.auto_corrected:
            self.did_you_mean.setText(f"Showing results for <b>{escape(results.searched)}</b> — search instead for "
                                      f'<a href="#as-typed">{escape(results.query)}</a>')
        elif results.corrected:
            self.did_you_mean.setText(f'Did you mean <a href="#correction"><b>{escape(results.corrected)}</b></a>?')
        self.did_you_mean.setVisible(bool(results.corrected))

    def _correction_link(self, link: str) -> None:
        if link == "#as-typed":
            self.run_query(self._typed, autocorrect=False)
        else:
            self.run_query(self._corrected)

    def _add_article_row(self, article_id: str, title: str, count: int, terms: list[str]) -> None:
        item = QListWidgetItem(title)
        item.setData(HTML_ROLE, f"<b>{escape(title)}</b> {muted(f'· {count}')}")
        item.setData(PAYLOAD_ROLE, (article_id, "", terms))
        self.results.addItem(item)

    def _add_hit_row(self, hit, terms: list[str]) -> None:
        where = section_label(hit.section_path) or "Introduction"
        if hit.kind == "note":
            where = f"Note · {where}"
        item = QListWidgetItem(f"{where}: {hit.snippet.text}")
        item.setData(HTML_ROLE, f"&nbsp;&nbsp;{muted(where)}<br>&nbsp;&nbsp;{snippet_html(hit.snippet, term_style())}")
        item.setData(PAYLOAD_ROLE, (hit.article_id, hit.section_id or "", terms))
        item.setToolTip(plain_tooltip(f"{hit.article_title} › {where}"))
        self.results.addItem(item)

    def _search_failed(self, exc: BaseException) -> None:
        self._shown_query = None
        self._open_first_when_shown = False
        if isinstance(exc, LecternError):  # the user's mistake (an unknown article id): say it here
            self._clear_results(str(exc)[:1].upper() + str(exc)[1:] + ".")
            return
        from .messages import show_error

        self._clear_results("Search failed.")
        show_error(exc, "search")

    def _result_activated(self, item: QListWidgetItem) -> None:
        article_id, section_id, terms = item.data(PAYLOAD_ROLE)
        self.open_requested.emit(article_id, section_id, list(terms) or None)

    # ------------------------------------------------------------------ keyboard

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down from the field into the list; Up from the list's first row back to the field."""
        if event.type() == QEvent.Type.KeyPress:
            if watched is self.query and event.key() == Qt.Key.Key_Down:
                return self._enter_list()
            if watched is not self.query and event.key() == Qt.Key.Key_Up and watched.currentRow() <= 0:
                self.query.setFocus()
                return True
        return super().eventFilter(watched, event)

    def _enter_list(self) -> bool:
        view = self.suggestions if not self.suggestions.isHidden() else self.results
        if view.count() == 0:
            return False
        view.setFocus()
        # results start with their article's header row: Down then Enter opens the best hit
        view.setCurrentRow(1 if view is self.results and view.count() > 1 else 0)
        return True


def _group_by_article(hits) -> list[tuple[str, str, list]]:
    """Hits grouped by article, articles in the order of their best hit, hits in rank order."""
    groups: dict[str, tuple[str, list]] = {}
    for hit in hits:
        groups.setdefault(hit.article_id, (hit.article_title, []))[1].append(hit)
    return [(article_id, title, hits) for article_id, (title, hits) in groups.items()]
