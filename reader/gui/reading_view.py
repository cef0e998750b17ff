"""The reading view: a QTextBrowser that shows one article and never touches the network.

* ``show_article(article_id, section_id="", highlight_terms=None)`` renders the
  article (text escaped by :mod:`reader.gui.render`), scrolls to the section and
  highlights the terms;
* ``current_section_id()`` follows scrolling (``section_changed`` is emitted
  when it changes);
* ``loadResource`` refuses everything: articles carry no images, so any request
  is either a bug or hostile, and it is recorded in ``refused_resources``;
* links are never followed by Qt (``setOpenLinks(False)``): an ``article:`` link
  becomes ``link_requested(article_id, section_id)`` and the window navigates.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextDocument
from PySide6.QtWidgets import QMenu, QTextBrowser, QTextEdit

from ..errors import LecternError
from . import messages
from .blank_resources import blank_resource
from .render import FoldedText, TitleIndex, links_affected, parse_article_href, render_article, render_message
from .theme import ThemeManager, article_css
from .workers import run_in_background

SECTION_SLACK_PX = 12  # a heading this close below the top edge already counts as "current"
MAX_TERM_HITS = 1000
MIN_SIDE_MARGIN = 24
QUOTE_CONTEXT_CHARS = 32  # text kept each side of a quoted selection, to tell repeats apart


class ReadingView(QTextBrowser):
    article_shown = Signal(str, str)  # article id, section id
    section_changed = Signal(str, str)  # article id, section id: follows scrolling
    link_requested = Signal(str, str)  # article id, section id: the window decides (history)
    rerendered = Signal()  # same article, new document (theme, library change): old cursors are stale

    def __init__(self, library, theme: ThemeManager, parent=None):
        super().__init__(parent)
        self.library = library
        self.theme = theme
        self.setObjectName("readingView")
        self.setAccessibleName("Article")
        self.setAccessibleDescription("The text of the open article")
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setSearchPaths([])
        self.document().setDocumentMargin(MIN_SIDE_MARGIN)
        self.refused_resources: list[str] = []
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
            self._rendered = render_article(article, self._title_index())
            self._set_html(self._rendered.html)
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
        cursor = self.textCursor()
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        # raw text offsets are document positions; U+2029/U+2028 separate paragraphs and lines
        text = self.document().toRawText().replace("\u2029", "\n").replace("\u2028", "\n")
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start >= end:
            return "", "", ""
        return (text[start:end], text[max(0, start - QUOTE_CONTEXT_CHARS):start],
                text[end:end + QUOTE_CONTEXT_CHARS])

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
        self._rendered = render_article(article, self._title_index())
        self._set_html(self._rendered.html)
        self._reapply_highlights()
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
        self.setExtraSelections([s for group in self._highlights.values() for s in group])

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

    # ------------------------------------------------------------------ Qt overrides

    def loadResource(self, type_: int, url: QUrl):  # noqa: N802 - Qt name
        """Refuse every resource: nothing in an article may be fetched, local or remote.

        The answer is a blank stand-in, not None: with None, Qt reads local files itself.
        """
        self.refused_resources.append(url.toString())
        return blank_resource(type_)

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

    def _title_index(self) -> TitleIndex:
        if self._titles is None:
            self._titles = TitleIndex(self.library.articles())
        return self._titles

    def _set_html(self, html: str) -> None:
        self._tops = None
        self._folded = None
        self._highlights.clear()
        self.setExtraSelections([])
        self._html = html
        self.document().setDefaultFont(self.theme.settings.font())
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
            self.link_requested.emit(*target)
        elif not url.scheme() and url.fragment() and self._article is not None:
            self.link_requested.emit(self._article.id, url.fragment())
        # anything else (http:, file:, ...) is ignored: Lectern is offline by design

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


def _block_top(layout, block) -> float:
    """A top-level block's y: its text layout's position once laid out (cheap), else ask the layout."""
    text_layout = block.layout()
    if text_layout is not None and text_layout.lineCount() > 0:
        return text_layout.position().y()
    return layout.blockBoundingRect(block).top()
