"""An inline (never modal) editor for one note: Markdown text, tags, colour, and its quote.

The editor only collects input; the panel that owns it saves through the store.
``saved`` carries a :class:`NoteDraft`; Ctrl+Return saves, Esc cancels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from .blank_resources import blank_resource
from .panel_support import NOTE_COLORS, catch_escape, panel_action

MAX_QUOTE_SHOWN = 300
# GitHub Markdown without raw HTML: a note can never inject markup into the preview.
PREVIEW_FEATURES = QTextDocument.MarkdownFeature(
    QTextDocument.MarkdownFeature.MarkdownDialectGitHub.value | QTextDocument.MarkdownFeature.MarkdownNoHTML.value
)


_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.DOTALL)
_IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)


@lru_cache(maxsize=4096)
def markdown_html(text: str) -> str:
    """A note's Markdown as HTML: the one rendering of notes (editor preview and note cards).

    GitHub Markdown without raw HTML (a note's ``<script>`` is shown as text);
    images become "[image]", so showing a note never loads a file or a URL.
    """
    document = QTextDocument()
    document.setMarkdown(text, PREVIEW_FEATURES)
    found = _BODY.search(document.toHtml())
    return _IMAGE.sub("[image]", found.group(1) if found else "").strip()


class MarkdownPreview(QTextBrowser):
    """Rendered Markdown that never loads anything (images, links) on its own."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setSearchPaths([])
        self.setAccessibleName("Note preview")

    def show_markdown(self, text: str) -> None:
        self.setHtml(markdown_html(text))

    def loadResource(self, type_: int, _name):  # noqa: N802 - Qt's name
        return blank_resource(type_)  # None would let Qt read a local file named in the note itself


@dataclass(frozen=True)
class NoteDraft:
    note_id: str | None  # None: a new note
    article_id: str
    section_id: str
    quote: str | None
    text: str
    tags: tuple[str, ...]
    color: str | None
    prefix: str = ""  # text just before the quote on the page: which occurrence was selected
    suffix: str = ""


def parse_tags(text: str) -> tuple[str, ...]:
    """"history, to check ,#war" -> ("history", "to check", "war"), duplicates dropped."""
    tags: list[str] = []
    for raw in text.split(","):
        tag = raw.strip().lstrip("#").strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


class NoteEditor(QWidget):
    saved = Signal(object)  # NoteDraft
    cancelled = Signal()
    requote_requested = Signal()  # "Quote selection instead": the owner re-anchors the note being edited

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAccessibleName("Note editor")
        self._target = (None, "", "", None)  # note id, article id, section id, quote
        self._context = ("", "")  # prefix, suffix of a new note's quote
        self.heading = QLabel(self)
        self.quote_label = QLabel(self, wordWrap=True, textFormat=Qt.TextFormat.PlainText)
        self.quote_label.setAccessibleName("Quoted passage")
        self.quote_label.setStyleSheet("QLabel { font-style: italic; border-left: 3px solid palette(mid); padding-left: 6px; }")
        self.requote_button = QPushButton("&Quote selection instead", self, clicked=lambda: self.requote_requested.emit(),
                                          toolTip="Select the passage in the article, then press this to "
                                                  "anchor the note to it (Ctrl+Shift+Q)")
        self.text = QPlainTextEdit(self, placeholderText="Write a note (Markdown)…", tabChangesFocus=True)
        self.text.setAccessibleName("Note text (Markdown)")
        self.preview = MarkdownPreview(self)
        self.pages = QStackedWidget(self)
        self.pages.addWidget(self.text)
        self.pages.addWidget(self.preview)
        self.preview_button = QPushButton("&Preview", self, checkable=True, toggled=self.set_preview,
                                          toolTip="Show the note as formatted Markdown (Alt+P)")
        self.tags = QLineEdit(self, placeholderText="tags, comma separated")
        self.tags.setAccessibleName("Note tags")
        self.color = QComboBox(self)
        self.color.setAccessibleName("Note colour")
        self.color.addItem("No colour", None)
        for name in NOTE_COLORS:
            self.color.addItem(name.capitalize(), name)
        save_action = panel_action(self, "Save note", "Ctrl+Return", self.save)
        self.save_button = QPushButton("&Save", self, clicked=self.save, toolTip=save_action.toolTip())
        self.cancel_button = QPushButton("Cancel", self, clicked=self.cancel, toolTip="Discard changes (Esc)")
        catch_escape(self, (self.text, self.preview, self.tags, self.color, self.save_button, self.cancel_button,
                            self.preview_button, self.requote_button), self.cancel)

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Tags:", self.tags)
        form.addRow("C&olour:", self.color)
        buttons = QHBoxLayout()
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.quote_label)
        layout.addWidget(self.requote_button, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.pages, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)

    def start_new(self, article_id: str, section_id: str, quote: str | None,
                  prefix: str | None = None, suffix: str | None = None) -> None:
        self._start((None, article_id, section_id, quote or None), "New note", "", (), None)
        self._context = (prefix or "", suffix or "") if quote else ("", "")

    def start_edit(self, note) -> None:
        self._start((note.id, note.article_id, note.section_id, note.quote), "Edit note", note.text, note.tags, note.color)

    def _start(self, target, heading: str, text: str, tags, color) -> None:
        self._target = target
        self._context = ("", "")
        quote = target[3]
        self.heading.setText(f"<b>{heading}</b>")
        self.quote_label.setText(_shorten(quote) if quote else "")
        self.quote_label.setVisible(bool(quote))
        self.requote_button.setVisible(target[0] is not None)  # a saved note's quote can be changed
        self.text.setPlainText(text)
        self.tags.setText(", ".join(tags))
        self.color.setCurrentIndex(max(0, self.color.findData(color)))
        self.preview_button.setChecked(False)
        self.show()
        self.text.setFocus()

    def set_quote(self, quote: str | None) -> None:
        """Show the note's new quote (after "Quote this instead") without touching the draft."""
        self._target = self._target[:3] + (quote,)
        self.quote_label.setText(_shorten(quote) if quote else "")
        self.quote_label.setVisible(bool(quote))

    def set_preview(self, on: bool) -> None:
        if on:
            self.preview.show_markdown(self.text.toPlainText())
        self.pages.setCurrentWidget(self.preview if on else self.text)
        (self.preview if on else self.text).setFocus()

    @property
    def note_id(self) -> str | None:
        return self._target[0]

    def draft(self) -> NoteDraft:
        note_id, article_id, section_id, quote = self._target
        return NoteDraft(note_id, article_id, section_id, quote, self.text.toPlainText().strip(),
                         parse_tags(self.tags.text()), self.color.currentData(), *self._context)

    def save(self) -> None:
        self.saved.emit(self.draft())

    def cancel(self) -> None:
        self.hide()
        self.cancelled.emit()


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_QUOTE_SHOWN else text[: MAX_QUOTE_SHOWN - 1] + "…"
