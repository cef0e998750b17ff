"""The reading view: a QTextBrowser that shows one article and never touches the network.

* ``show_article(article_id, section_id="", highlight_terms=None)`` renders the
  article (text escaped by :mod:`reader.gui.render`), scrolls to the section and
  highlights the terms;
* ``current_section_id()`` follows scrolling (``section_changed`` is emitted
  when it changes);
* titles that name other articles ("See also", list items) are looked up in the
  folders while the page is rendered; those the folders lack are looked up in the
  other sources (an archive's title index) once the page has painted, and the page
  is rendered again if any was found (``late_titles_resolved`` then);
* ``loadResource`` refuses everything but a ``zim-image:`` image of the shown
  article's archive, answered from the archive's bytes: anything else (remote,
  local) is either a bug or hostile, and it is recorded in ``refused_resources``;
* links are never followed by Qt (``setOpenLinks(False)``): an ``article:`` link
  becomes ``link_requested(article_id, section_id)`` and the window navigates; an
  external link (an archive page's ``http(s):``/``mailto:``) is never loaded: a
  click asks whether to copy it or open it in the system browser
  (``QDesktopServices`` only after the user chose that).
"""

from __future__ import annotations

import textwrap
import time
from html import escape
from urllib.parse import unquote

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QDesktopServices, QImage, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QApplication, QMenu, QMessageBox, QTextBrowser, QTextEdit, QToolTip

from ..errors import LecternError
from ..textutil import slugify
from ..model import LEAD_LABEL
from . import messages
from .accessibility import install as install_accessibility
from .blank_resources import blank_resource
from .page_text import CELL_MARK, TABLE_END, PageText
from .panel_support import NOTE_COLORS
from .render import (
    IMAGE_SCHEME, FoldedText, TitleIndex, links_affected, parse_article_href, render_article, render_message,
)
from .theme import ThemeManager, article_css
from .workers import run_in_background

SECTION_SLACK_PX = 12  # a heading this close below the top edge already counts as "current"
MAX_TERM_HITS = 1000
MIN_SIDE_MARGIN = 24
QUOTE_CONTEXT_CHARS = 32  # text kept each side of a quoted selection, to tell repeats apart
DEFAULT_NOTE_COLOR = "yellow"  # a note without a colour is painted like a highlighter pen
MAX_TOOLTIP_CHARS = 600
CELL_MARKS = CELL_MARK + TABLE_END  # a selection's edge is trimmed of them, as of white space
NOTES_PER_STEP = 40  # off-screen passages painted per event-loop turn
LATE_TITLES_STEP_S = 0.02  # titles looked up in archives for at most this long per event-loop turn
TOOLTIP_COLUMNS = 72
EXTERNAL_LINK_SCHEMES = ("http", "https", "ftp", "mailto", "news", "tel", "geo")


class ReadingView(QTextBrowser):
    article_shown = Signal(str, str)  # article id, section id
    section_changed = Signal(str, str)  # article id, section id: follows scrolling
    link_requested = Signal(str, str)  # article id, section id: the window decides (history)
    rerendered = Signal()  # same article, new document (theme, library change): old cursors are stale
    note_clicked = Signal(object)  # the Note whose painted passage was clicked
    notes_painted = Signal(str)  # article id: every quoted passage found on the page is painted
    late_titles_resolved = Signal(str)  # article id: titles the folders lack were looked up elsewhere

    def __init__(self, library, theme: ThemeManager, parent=None):
        super().__init__(parent)
        self.library = library
        self.theme = theme
        self.setObjectName("readingView")
        install_accessibility()  # a screen reader gets a document, its text and its headings
        self.setAccessibleName("Article")
        self.setAccessibleDescription("The text of the open article")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self.document().setDocumentMargin(MIN_SIDE_MARGIN)
        self.refused_resources: list[str] = []
        self.shown_images: list[str] = []  # zim-image: URLs answered from an archive (tests)
        self._media = None  # the source's media (its images) for an archive page
        self._late_titles = ""  # "due": titles wait for the next paint; "scheduled": asked on the next turns
        self._late_found = False  # a title was found in this round of late lookups
        self.context_actions: list = []  # added by the window (bookmark, note...)
        self._article = None
        self._rendered = None
        self._html = ""
        self._titles: TitleIndex | None = None
        self._tops: list[tuple[float, str]] | None = None  # (y, section id) in document order
        self._current_section = ""
        self._highlights: dict[str, list] = {}
        self._terms: list[str] = []
        self._folded: FoldedText | None = None  # the page's text folded, for matching
        self._loading = False
        self._target: tuple[str, int] | None = None  # where to stay while the layout settles
        self._notes: tuple[str, list] = ("", [])  # (article id, its notes with a quote): painted passages
        self._note_spans: list[tuple[int, int, object]] = []  # (start, end, note) in document positions
        self._note_page: PageText | None = None  # the page text the painted spans were found in
        self._note_selections: list = []  # the extra selections painted so far
        self._notes_round = 0  # bumped on every repaint of the notes: late steps of older ones stop
        self.anchorClicked.connect(self._anchor_clicked)
        self.document().documentLayout().documentSizeChanged.connect(self._layout_changed)
        self.verticalScrollBar().valueChanged.connect(self._update_current_section)
        self.verticalScrollBar().actionTriggered.connect(self.release_target)  # wheel, drag, keys
        self.theme.changed.connect(self._theme_changed)
        self._applied_theme = None
        self._apply_theme(rerender=False)

    # ------------------------------------------------------------------ public API

    @property
    def article_id(self) -> str:
        return self._article.id if self._article is not None else ""

    @property
    def article(self):
        return self._article

    def show_article(self, article_id: str, section_id: str = "", highlight_terms=None, offset: int = 0) -> bool:
        """Render an article and go to a section; False (and a message) if it cannot be read."""
        try:
            article = self.library.article(article_id)
        except LecternError as exc:
            messages.show_error(exc, "cannot open the article")
            return False
        if self._article is None or article is not self._article:
            self._article = article
            self._media = self._source_media(article.id)
            self._render(article)
        self._current_section = ""
        self.highlight_terms(highlight_terms or [])
        section_id = section_id or article.lead.id
        if highlight_terms and not offset:
            offset = self._first_term_offset(section_id)
        self.scroll_to_section(section_id, offset)
        self._update_current_section()
        self.article_shown.emit(article.id, self.current_section_id())
        return True

    def show_placeholder(self, title: str, text: str) -> None:
        self._article = None
        self._rendered = None
        self._current_section = ""
        self._set_html(render_message(title, text))

    def selected_text(self) -> str:
        # QTextCursor uses U+2029 between paragraphs
        return self.textCursor().selectedText().replace("\u2029", "\n").replace("\u2028", "\n").strip()

    def selection_context(self) -> tuple[str, str, str]:
        """(quote, prefix, suffix) of the selection: the selected text, stripped, and up to
        :data:`QUOTE_CONTEXT_CHARS` characters of the page just before and after it, which
        tell the store which occurrence of a repeated quote was selected. ("", "", "") with
        no selection.
        """
        _raw, start, end = self._selected_span()
        if start >= end:
            return "", "", ""
        page = PageText(self.document())  # a selection across table cells reads "a | b", as the model's text
        text, start, end = page.text, page.to_text(start), page.to_text(end)
        return (text[start:end], text[max(0, start - QUOTE_CONTEXT_CHARS):start],
                text[end:end + QUOTE_CONTEXT_CHARS])

    def _selected_span(self) -> tuple[str, int, int]:
        """(the page's text, start, end) of the selection without its surrounding white space."""
        cursor = self.textCursor()
        start, end = _selection_bounds(cursor)
        # raw text offsets are document positions; U+2029/U+2028 separate paragraphs and lines
        text = self.document().toRawText().replace("\u2029", "\n").replace("\u2028", "\n")
        while start < end and (text[start].isspace() or text[start] in CELL_MARKS):
            start += 1
        while end > start and (text[end - 1].isspace() or text[end - 1] in CELL_MARKS):
            end -= 1
        return text, start, end

    def selection_problem(self) -> str | None:
        """Why the selection cannot be a note's quote, or None: a quote lives in one section, so a
        selection that runs past a heading is refused here rather than when the note is saved."""
        if self._article is None or not self.textCursor().hasSelection():
            return None
        _text, start, end = self._selected_span()
        names = [LEAD_LABEL] + [s.title for s in self._article.sections[1:]]
        for index, block in enumerate(self._heading_blocks()[1:len(names)], start=1):
            if start < block.position() < end:
                return (f"The selection runs from “{names[index - 1]}” into “{names[index]}”: "
                        "select a passage within one section to quote it")
        return None

    def selection_section_id(self) -> str:
        """The section the selection starts in (the section at the top of the page
        when nothing is selected): where a note on the selection belongs."""
        cursor = self.textCursor()
        if self._article is None or not cursor.hasSelection():
            return self.current_section_id()
        start = cursor.selectionStart()
        current = self._article.lead.id
        for block, section in zip(self._heading_blocks(), self._article.sections):
            if block.position() > start:
                break
            current = section.id
        return current

    def current_section_id(self) -> str:
        if self._article is None:
            return ""
        tops = self._section_tops()
        y = self.verticalScrollBar().value() + SECTION_SLACK_PX
        current = self._article.lead.id
        for top, section_id in tops:
            if top > y:
                break
            current = section_id
        return current

    def section_top(self, section_id: str) -> int | None:
        for top, sid in self._section_tops():
            if sid == section_id:
                return int(top)
        return None

    def scroll_to_section(self, section_id: str, offset: int = 0) -> None:
        """Scroll so the section's heading is at the top; kept there while the layout settles."""
        self._target = (section_id, int(offset))
        top = self.section_top(section_id)
        self._scroll_to(0 if top is None else max(0, top + int(offset)))

    def _first_term_offset(self, section_id: str) -> int:
        """Pixels past the heading that bring the section's first highlighted term into view.

        0 (the heading at the top) when the term is visible from there anyway.
        """
        tops = self._section_tops()
        index = next((i for i, (_, sid) in enumerate(tops) if sid == section_id), None)
        if index is None:
            return 0
        top = tops[index][0]
        end = tops[index + 1][0] if index + 1 < len(tops) else float("inf")
        layout = self.document().documentLayout()
        term_tops = []
        for selection in self._highlights.get("terms", []):
            block = selection.cursor.block()
            line = block.layout().lineForTextPosition(selection.cursor.selectionStart() - block.position())
            y = _block_top(layout, block) + (line.y() if line.isValid() else 0)
            if top <= y < end:
                term_tops.append(y)
        viewport = self.viewport().height()
        if not term_tops or min(term_tops) - top < viewport * 0.75:
            return 0
        return int(min(term_tops) - top - viewport // 3)

    def position(self) -> tuple[str, int]:
        """(section id, pixels scrolled past its heading): survives zoom and width changes roughly."""
        section_id = self.current_section_id()
        top = self.section_top(section_id) or 0
        return section_id, max(0, self.verticalScrollBar().value() - top)

    def library_changed(self, report) -> None:
        """Articles were added, changed or removed: re-render only if this page can change.

        Whether it can (folding thousands of new titles) is worked out in a worker,
        so a big scan never stalls the event loop here.
        """
        self._titles = None  # rebuilt on the next render
        rendered = self._rendered
        if self._article is None or rendered is None:
            return

        def decided(affected: bool) -> None:
            if affected and self._rendered is rendered:  # still the same page
                self.rerender()

        run_in_background(links_affected, rendered, report, on_result=decided)

    def rerender(self) -> None:
        """Render the current article again (theme or library change), keeping the position."""
        if self._article is None:
            return
        section_id, offset = self.position()
        try:
            article = self.library.article(self._article.id)
        except LecternError:
            article = self._article
        self._article = article
        self._render(article)
        self._reapply_highlights()
        self._paint_notes()
        self.scroll_to_section(section_id, offset)
        self.rerendered.emit()

    # ------------------------------------------------------------------ highlights

    def highlight_terms(self, terms) -> int:
        """Highlight every occurrence of the terms (case- and accent-insensitive); returns the count."""
        selections = []
        colour = QColor(self.theme.colors.term)
        for term in [t.strip() for t in terms or [] if t and t.strip()]:
            for cursor in self.find_in_document(term)[: MAX_TERM_HITS - len(selections)]:
                selections.append(self.make_selection(cursor, colour))
        self._terms = list(terms or [])
        self.set_highlights("terms", selections)
        return len(selections)

    def set_highlights(self, kind: str, selections: list) -> None:
        """Extra selections from several sources ("terms", "find") shown together."""
        self._highlights[kind] = selections
        # painted notes first: search terms and find matches are drawn over them
        groups = sorted(self._highlights.items(), key=lambda item: item[0] != "notes")
        self.setExtraSelections([s for _kind, group in groups for s in group])

    @staticmethod
    def make_selection(cursor: QTextCursor, colour: QColor) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        selection.cursor = cursor
        fmt = QTextCharFormat()
        fmt.setBackground(colour)
        selection.format = fmt
        return selection

    def _reapply_highlights(self) -> None:
        self._highlights.pop("find", None)
        self.highlight_terms(self._terms)

    # ------------------------------------------------------------------ painted notes

    def set_note_highlights(self, article_id: str, notes) -> int:
        """Paint every quoted passage of ``notes`` (of ``article_id``) in its note's colour.

        Painted as extra selections over the rendered document (nothing is
        re-rendered), so they follow themes and cost little even with hundreds of
        notes. Returns how many passages were found on the page.
        """
        self._notes = (article_id, [n for n in notes if n.quote and not n.orphaned])
        return self._paint_notes()

    def painted_notes(self) -> list[tuple[int, int, object]]:
        """(start, end, note) of every painted passage, in document order."""
        return list(self._note_spans)

    def note_at(self, position: int):
        """The note painted at a document position (the shortest passage when they overlap), else None."""
        hits = [(end - start, note) for start, end, note in self._note_spans if start <= position < end]
        return min(hits, key=lambda hit: hit[0])[1] if hits else None

    def note_at_point(self, point):
        """The note painted under a viewport point, else None (only an exact hit on a character counts)."""
        offset = QPoint(self.horizontalScrollBar().value(), self.verticalScrollBar().value())
        position = self.document().documentLayout().hitTest(QPointF(point + offset), Qt.HitTestAccuracy.ExactHit)
        return self.note_at(position) if position >= 0 else None

    def _paint_notes(self) -> int:
        """Find every note's passage; paint those within a screen of the view now and the
        rest in small steps from the event loop, so opening a page with hundreds of notes
        is not held up (Qt shapes each painted line of text first). Emits ``notes_painted``
        once all are painted."""
        article_id, notes = self._notes
        self._note_spans = []
        self._notes_round += 1
        if article_id != self.article_id or not notes:
            self.set_highlights("notes", [])
            if article_id == self.article_id:  # (notes of another page say nothing about this one)
                self.notes_painted.emit(article_id)
            return 0
        page = PageText(self.document())  # quotes across table cells are spelt "a | b", as the model's text
        text = page.text
        ranges = {section_id: (page.to_text(first), page.to_text(last))
                  for section_id, (first, last) in self._section_ranges(self.document().characterCount()).items()}
        for note in notes:
            span = locate_quote(text, ranges.get(note.section_id, (0, len(text))), note)
            if span is not None:
                self._note_spans.append((page.to_doc(span[0]), page.to_doc(span[1]), note))
        self._note_spans.sort(key=lambda item: item[0])
        self._note_page = page
        near, later = self._near_and_later(self._note_spans)
        self._note_selections = []
        self._paint_note_step(self._notes_round, near, later)
        return len(self._note_spans)

    def _near_and_later(self, spans: list) -> tuple[list, list]:
        """The passages within a screen of what is shown, and all the others."""
        height, width = self.viewport().height(), self.viewport().width()
        first = self.cursorForPosition(QPoint(0, -height)).position()
        last = self.cursorForPosition(QPoint(width, 2 * height)).position()
        near = [span for span in spans if span[1] >= first and span[0] <= last]
        return near, [span for span in spans if span[1] < first or span[0] > last]

    def _paint_note_step(self, round_: int, batch: list, later: list) -> None:
        if round_ != self._notes_round:
            return  # the page or its notes changed since: a newer round paints
        alpha = self.theme.colors.note_alpha
        self._note_selections += [self._note_selection(first, last, note.color, alpha) for start, end, note in batch
                                  for first, last in self._note_page.pieces(start, end)]  # a cell at a time
        self.set_highlights("notes", self._note_selections)
        if later:
            step, rest = later[:NOTES_PER_STEP], later[NOTES_PER_STEP:]
            QTimer.singleShot(0, lambda: self._paint_note_step(round_, step, rest))
        else:
            self.notes_painted.emit(self.article_id)

    def _section_ranges(self, length: int) -> dict[str, tuple[int, int]]:
        """Section id -> (first, last) document position of its text, from its heading to the next."""
        if self._article is None:
            return {}
        starts = [0] + [b.position() for b in self._heading_blocks()[1:]]
        ids = [s.id for s in self._article.sections][:len(starts)]
        ends = starts[1:len(ids)] + [length]
        return dict(zip(ids, zip(starts, ends)))

    def _note_selection(self, start: int, end: int, color: str | None, alpha: int) -> QTextEdit.ExtraSelection:
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        solid = QColor(NOTE_COLORS.get(color or "", NOTE_COLORS[DEFAULT_NOTE_COLOR]))
        wash = QColor(solid)
        wash.setAlpha(alpha)
        selection = self.make_selection(cursor, wash)
        selection.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        selection.format.setUnderlineColor(solid)
        return selection

    def _clicked_note(self, event) -> bool:
        """A plain left click (no selection made, not on a link) on a painted passage: say which note."""
        if event.button() != Qt.MouseButton.LeftButton or self.textCursor().hasSelection():
            return False
        point = event.position().toPoint()
        if self.anchorAt(point):
            return False
        note = self.note_at_point(point)
        if note is not None:
            self.note_clicked.emit(note)
        return note is not None

    def _show_note_tooltip(self, event) -> bool:
        note = self.note_at_point(event.pos())
        if note is None:
            QToolTip.hideText()
            return False
        QToolTip.showText(event.globalPos(), note_tooltip(note), self.viewport())
        return True

    def reading_column_px(self) -> int:
        """How wide the reading column is now (what the reading-width setting limits)."""
        return self.viewport().width()

    # ------------------------------------------------------------------ caret mode

    def caret_mode(self) -> bool:
        return bool(self.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard)

    def set_caret_mode(self, on: bool) -> None:
        """Caret browsing (F7, as in browsers): a text cursor that arrows move and Shift+arrows
        extend, so a passage can be selected for quoting without a mouse. It starts at the
        top of the page on screen; off again, the keys scroll the page as before."""
        flags = self.textInteractionFlags()
        keyboard = Qt.TextInteractionFlag.TextSelectableByKeyboard
        self.setTextInteractionFlags(flags | keyboard if on else flags & ~keyboard)
        if on:
            self.release_target()  # the caret leads from here: a settling layout must not pull the page back
            cursor = self.textCursor()
            top = self.cursorForPosition(QPoint(0, 0)).position()
            bottom = self.cursorForPosition(QPoint(self.viewport().width(), self.viewport().height())).position()
            if not top <= cursor.position() <= bottom:  # keep a caret on screen where it is
                cursor.setPosition(top)
                self.setTextCursor(cursor)
            self.setCursorWidth(2)
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # ------------------------------------------------------------------ Qt overrides

    def keyPressEvent(self, event) -> None:  # noqa: N802
        if self.caret_mode():
            self.release_target()  # the caret moves the page: stop holding the last jump in view
        super().keyPressEvent(event)

    def mouseReleaseEvent(self, event) -> None:  # noqa: N802
        super().mouseReleaseEvent(event)
        self._clicked_note(event)

    def viewportEvent(self, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip and self._show_note_tooltip(event):
            return True
        return super().viewportEvent(event)

    def loadResource(self, type_: int, url: QUrl):  # noqa: N802 - Qt name
        """Refuse every resource but the shown archive page's own images: nothing in an
        article may be fetched, local or remote.

        The answer is a blank stand-in, not None: with None, Qt reads local files itself.
        """
        image = self._archive_image(type_, url)
        if image is not None:
            self.shown_images.append(url.toString())
            return image
        self.refused_resources.append(url.toString())
        return blank_resource(type_)

    def _archive_image(self, type_: int, url: QUrl) -> QImage | None:
        if url.scheme() != IMAGE_SCHEME or self._media is None or self._article is None:
            return None
        if int(type_) != QTextDocument.ResourceType.ImageResource.value:
            return None
        content = self._media.image(unquote(url.path()))
        image = QImage.fromData(content) if content else QImage()
        return image if not image.isNull() else None

    def _source_media(self, article_id: str):
        """The source's media (``image(path)``) for an archive page; None otherwise."""
        try:
            return self.library.media_of(article_id)
        except LecternError:
            return None  # the text shows; images are extras

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._apply_width()

    def contextMenuEvent(self, event) -> None:  # noqa: N802
        menu: QMenu = self.createStandardContextMenu(event.pos())
        if self.context_actions:
            menu.addSeparator()
            for action in self.context_actions:
                menu.addAction(action)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    # ------------------------------------------------------------------ internals

    def _render(self, article) -> None:
        self._rendered = render_article(article, self._title_index())
        self._set_html(self._rendered.html)
        if self._titles.pending and not self._late_titles:
            self._late_titles = "due"  # after the next paint (paintEvent)

    def _title_index(self) -> TitleIndex:
        """Titles are looked up in the folders while rendering; when the library has other sources
        (archives, whose title index may have to be opened first), in those once the page is shown."""
        if self._titles is None:
            folders = self.library.folders
            others = any(source is not folders for source in self.library.article_sources())
            self._titles = TitleIndex.asking(lambda title: _entry_id(folders.find_title(title)),
                                             later=(lambda title: _entry_id(self.library.find_title(title))) if others else None)
        return self._titles

    def paintEvent(self, event) -> None:  # noqa: N802
        super().paintEvent(event)
        if self._late_titles == "due":
            self._late_titles = "scheduled"
            QTimer.singleShot(0, self._resolve_late_titles)

    def _resolve_late_titles(self) -> None:
        """Look up the titles the folders lack in the other sources, a step per event-loop turn
        (an archive's title index answers in 1-20 ms a title, and a page may name a hundred), then
        render the page again if one was found."""
        titles = self._titles
        if titles is None or self._article is None:
            self._late_titles, self._late_found = "", False
            return
        self._late_found = titles.resolve_pending(time.monotonic() + LATE_TITLES_STEP_S) or self._late_found
        if titles.pending:
            QTimer.singleShot(0, self._resolve_late_titles)  # input and painting go on in between
            return
        self._late_titles = ""
        found, self._late_found = self._late_found, False
        if found:
            self.rerender()
        self.late_titles_resolved.emit(self.article_id)

    def _set_html(self, html: str) -> None:
        self._tops = None
        self._folded = None
        self._highlights.clear()
        self.setExtraSelections([])
        self._html = html
        font = self.theme.settings.font()
        if self.document().defaultFont() != font:  # setting it lays the old page out again first
            self.document().setDefaultFont(font)
        self._loading = True  # one layout pass; positions are read once it is done
        try:
            self.setHtml(html)
        finally:
            self._loading = False
            self._tops = None

    def _apply_width(self) -> None:
        """Centre a reading column: viewport margins, so the text never relayouts twice.

        (Margins inside the document would change with the scroll bar and lay the
        whole article out again; viewport margins are set once per resize.)
        """
        width = self.theme.settings.width_px()
        bar = self.verticalScrollBar().sizeHint().width()
        available = self.width() - 2 * self.frameWidth() - bar
        side = 0 if not width else max(0, (available - width) // 2)
        if self.viewportMargins().left() != side:
            self.setViewportMargins(side, 0, side, 0)

    def _heading_blocks(self) -> list:
        """The heading blocks in document order: the h1 title stands for the lead, every
        other heading is one section, in the article's order."""
        headings, block = [], self.document().begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0:
                headings.append(block)
            block = block.next()
        return headings

    def _section_tops(self) -> list[tuple[float, str]]:
        """Where each section's heading is, from the heading blocks in document order."""
        if self._tops is not None or self._article is None:
            return self._tops or []
        layout = self.document().documentLayout()
        sections = self._article.sections
        self._tops = [(_block_top(layout, b), s.id) for b, s in zip(self._heading_blocks(), sections)]
        if self._tops:
            self._tops[0] = (0.0, sections[0].id)
        return self._tops

    def _scroll_to(self, y: int) -> None:
        bar = self.verticalScrollBar()
        doc_height = int(self.document().size().height())
        # QTextEdit adjusts the range later; set it now so a far target is not clamped
        bar.setRange(0, max(bar.maximum(), doc_height - self.viewport().height()))
        bar.setValue(min(y, bar.maximum()))

    def _layout_changed(self, _size=None) -> None:
        """Heading positions moved (first show, resize, font): forget them, keep the target in view.

        The current section is worked out again too: an article opened before the
        window was shown had every heading at y=0, which made the last section
        "current" while the page showed the top.
        """
        self._tops = None
        if self._loading:
            return
        if self._target is not None and self._article is not None:
            top = self.section_top(self._target[0])
            if top is not None:
                self._scroll_to(max(0, top + self._target[1]))
        self._update_current_section()

    def release_target(self, _action: int = 0) -> None:
        """The reader scrolled: stop holding the last jump's section in view."""
        self._target = None

    def _update_current_section(self, _value: int = 0) -> None:
        if self._article is None:
            return
        section_id = self.current_section_id()
        if section_id != self._current_section:
            self._current_section = section_id
            self.section_changed.emit(self._article.id, section_id)

    def _anchor_clicked(self, url: QUrl) -> None:
        target = parse_article_href(url.scheme(), url.path(), url.fragment())
        if target is not None:
            self.link_requested.emit(target[0], self._section_of_fragment(*target))
        elif not url.scheme() and url.fragment() and self._article is not None:
            self.link_requested.emit(self._article.id, url.fragment())
        elif url.scheme() in EXTERNAL_LINK_SCHEMES:
            self.external_link_clicked(url)
        # anything else (file:, javascript:, ...) is ignored: Lectern is offline by design

    def _section_of_fragment(self, article_id: str, fragment: str) -> str:
        """The section a link's ``#fragment`` names. An archive page's fragment is an HTML id
        (``Early_life``), matched to the section whose heading slugs alike; "" (the top) when
        none does. Other links already name section ids."""
        if not fragment or self.library.media_of(article_id) is None:
            return fragment
        try:
            article = self.library.article(article_id)  # converted once: the archive keeps it for show_article
        except LecternError:
            return ""
        if article.section(fragment) is not None:
            return fragment
        wanted = slugify(fragment.replace("_", " "))
        return next((s.id for s in article.sections if s.path and slugify(s.path[-1]) == wanted), "")

    def external_link_clicked(self, url: QUrl) -> None:
        """Never load it: ask whether to copy the address or open it in the system browser."""
        choice = self.ask_external_link(url.toString())
        if choice == "copy":
            QApplication.clipboard().setText(url.toString())
        elif choice == "open":
            QDesktopServices.openUrl(url)

    def ask_external_link(self, address: str) -> str:
        """"copy", "open" or "" (cancel), asked in a dialog (tests replace this method)."""
        box = QMessageBox(QMessageBox.Icon.Question, "External link",
                          f"This link leads outside the library:\n\n{address}\n\n"
                          "Lectern does not open it. Copy the address, or open it in your web browser?", parent=self)
        copy = box.addButton("&Copy address", QMessageBox.ButtonRole.AcceptRole)
        browser = box.addButton("&Open in browser", QMessageBox.ButtonRole.ActionRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return {copy: "copy", browser: "open"}.get(box.clickedButton(), "")

    def _theme_changed(self) -> None:
        self._apply_theme(rerender=True)

    def _apply_theme(self, rerender: bool) -> None:
        settings = self.theme.settings
        if self._applied_theme != settings.theme:
            self._applied_theme = settings.theme
            self.document().setDefaultStyleSheet(article_css(settings.theme))
            if rerender:
                self.rerender()
                return
        if rerender and self._article is not None:
            section_id, offset = self.position()
            self.document().setDefaultFont(settings.font())
            self._tops = None
            self._apply_width()
            self.scroll_to_section(section_id, offset)
        else:
            self.document().setDefaultFont(settings.font())
            self._apply_width()

    def find_in_document(self, text: str, match_case: bool = False) -> list[QTextCursor]:
        """Every match of ``text`` in the page; ignoring case and accents unless ``match_case``."""
        if not text:
            return []
        doc = self.document()
        if match_case:
            matches, cursor = [], QTextCursor(doc)
            while not (cursor := doc.find(text, cursor, QTextDocument.FindFlag.FindCaseSensitively)).isNull():
                matches.append(cursor)
            return matches
        if self._folded is None:
            self._folded = FoldedText(doc.toRawText())  # raw text offsets are document positions
        matches = []
        for start, end in self._folded.find_all(text):
            cursor = QTextCursor(doc)
            cursor.setPosition(start)
            cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            matches.append(cursor)
        return matches


def _selection_bounds(cursor) -> tuple[int, int]:
    """The selection's first and last document position. A selection across table cells is a cell
    range in Qt (its ``selectionEnd`` is the last cell's start): from the first cell's start to the
    last cell's end, as the text runs (a block of several rows takes the cells between them too)."""
    table = cursor.currentTable() if cursor.hasComplexSelection() else None
    if table is None:
        return cursor.selectionStart(), cursor.selectionEnd()
    row, rows, column, columns = cursor.selectedTableCells()
    return (table.cellAt(row, column).firstPosition(),
            table.cellAt(row + rows - 1, column + columns - 1).lastPosition())


def locate_quote(text: str, section_range: tuple[int, int], note) -> tuple[int, int] | None:
    """Where a note's quote is on the page: in its own section first (the occurrence its
    prefix/suffix point at), else anywhere on the page; None when it is not there."""
    first, last = section_range
    for start, end in ((first, last), (0, len(text))):
        span = _find_quote(text[start:end], note.quote, note.prefix or "", note.suffix or "")
        if span is not None:
            return span[0] + start, span[1] + start
    return None


def _find_quote(text: str, quote: str, prefix: str, suffix: str) -> tuple[int, int] | None:
    try:
        from ..userdata.anchoring import find_quote
    except ImportError:  # a build without user data has no notes to paint either
        return None
    return find_quote(text, quote, prefix, suffix)


def note_tooltip(note) -> str:
    """A painted passage's tooltip: the note's text and tags, escaped, wrapped by us.

    (Left to wrap rich text itself, a tooltip picks a needlessly narrow width.)
    """
    text = note.text.strip() or "(a quote without a note)"
    if len(text) > MAX_TOOLTIP_CHARS:
        text = text[:MAX_TOOLTIP_CHARS - 1] + "…"
    lines = [textwrap.fill(line, TOOLTIP_COLUMNS) if line else "" for line in text.splitlines()]
    if note.tags:
        lines += ["", "  ".join("#" + tag for tag in note.tags)]
    return f"<p style='white-space:pre'>{escape(chr(10).join(lines))}</p>"


def _entry_id(entry) -> str | None:
    return entry.id if entry is not None else None


def _block_top(layout, block) -> float:
    """A top-level block's y: its text layout's position once laid out (cheap), else ask the layout."""
    text_layout = block.layout()
    if text_layout is not None and text_layout.lineCount() > 0:
        return text_layout.position().y()
    return layout.blockBoundingRect(block).top()
