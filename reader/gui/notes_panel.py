"""The notes panel: the notes of the section being read, and an inline editor.

The main window calls :meth:`NotesPanel.set_current` as the reader moves and
:meth:`NotesPanel.add_note` with the selected text (the quote anchor). Store
calls run in workers; the list is rebuilt on ``"notes_changed"``.

Keys (while the panel has focus): Enter jumps to the note's place, F2 edits
it, Delete moves it to the trash (Ctrl+Z brings it back), Ctrl+Alt+N opens
all notes; in the editor Ctrl+Return saves, Esc cancels. The main window's
Ctrl+Shift+N calls :meth:`add_note`. "Quote this instead" re-anchors the
selected (or edited) note to the text selected in the article, read through
``selection_source`` (set by the main window's menus).

Every change goes through the library's undo history (:mod:`reader.gui.undo`).
Note cards render the note's Markdown with :func:`note_editor.markdown_html`,
the editor preview's own rendering.
"""

from __future__ import annotations

import re
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QListWidgetItem, QVBoxLayout, QWidget

from .messages import show_info
from .note_editor import NoteDraft, NoteEditor, markdown_html
from .panel_support import (
    HTML_ROLE, PAYLOAD_ROLE, ChangeFeed, Loader, button_row, color_swatch, html_list, muted, muted_label, panel_action,
    plain_tooltip, while_alive,
)
from .undo import history_for

EXCERPT_CHARS = 400  # of a note's Markdown shown on its card (cut at a line end when it can be)
_BIG_HEADING = re.compile(r"font-size:\s*x{1,2}-large")
ALL_NOTES_SHORTCUT = "Ctrl+Alt+N"  # also for the main window's menu entry


def note_row_html(note, where: str = "") -> str:
    """A note as list-row HTML: colour, quote, the start of the text, tags (all escaped)."""
    parts = []
    if where:
        parts.append(muted(where))
    if note.quote:
        parts.append(f"<i>“{escape(_excerpt(note.quote, 160))}”</i>")
    if note.text.strip():
        parts.append(color_swatch(note.color) + card_markdown(note.text))
    else:
        parts.append(color_swatch(note.color) + muted("(no text)"))
    if note.tags:
        parts.append(muted("  ".join("#" + t for t in note.tags)))
    return "<br>".join(parts)


def card_markdown(text: str) -> str:
    """The start of a note's Markdown rendered as on the editor's preview (headings, lists, emphasis),
    its headings one size smaller so a card stays a card."""
    return _BIG_HEADING.sub("font-size:large", markdown_html(_markdown_excerpt(text, EXCERPT_CHARS)))


def _markdown_excerpt(text: str, limit: int) -> str:
    """At most ``limit`` characters of ``text``, cut at a line end when there is one, lines kept."""
    text = text.strip()
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + " …"


def note_row_text(note) -> str:
    """The plain line for a note (accessibility, tooltips, tests)."""
    quote = f"“{_excerpt(note.quote, 80)}” " if note.quote else ""
    return quote + _excerpt(note.text, 120)


def _excerpt(text: str, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class NotesPanel(QWidget):
    open_requested = Signal(str, str, object)  # article id, section id, [quote] or None
    refreshed = Signal()  # the list was rebuilt from the store
    saved = Signal(object)  # the Note just added or edited

    def __init__(self, library, parent: QWidget | None = None):
        super().__init__(parent)
        self.library = library
        self.setAccessibleName("Notes")
        self.current = ("", "")
        self._all_notes = None
        self._build()
        self._loader = Loader(self, self._load, lambda found: self._fill(*found))
        self._changes = ChangeFeed(library, self)
        self._changes.changed.connect(self._apply_changes)
        self._show_heading("")

    # ------------------------------------------------------------------ layout

    def _build(self) -> None:
        self.heading = QLabel(self, wordWrap=True)
        self.heading.setAccessibleName("Section of these notes")
        self.list = html_list(self, "Notes for this section", self._activated)
        self.list.currentItemChanged.connect(self._update_actions)

        # The main window's Ctrl+Shift+N adds a note quoting the selection; a second
        # binding of the same key here would make both ambiguous.
        self.add_action = panel_action(self, "&Add note", "", self.add_note_here,
                                       "Add a note to this section (Ctrl+Shift+N)")
        self.edit_action = panel_action(self, "&Edit", "F2", self.edit_selected)
        self.delete_action = panel_action(self, "&Delete", "Delete", self.delete_selected,
                                          "Move the note to the trash (Ctrl+Z brings it back)")
        self.requote_action = panel_action(self, "&Quote this instead", "", self.requote_from_selection,
                                           "Anchor the selected note to the text selected in the article")
        self.all_action = panel_action(self, "All &notes…", ALL_NOTES_SHORTCUT, self.show_all_notes,
                                       "Every note, with filter, search, re-attach and the trash")
        buttons = button_row(self, (self.add_action, self.edit_action, self.delete_action, self.requote_action,
                                    self.all_action))
        self.selection_source = None  # () -> (article id, section id, quote, prefix, suffix); set by the menus

        self.editor = NoteEditor(self)
        self.editor.hide()
        self.editor.saved.connect(self._save_draft)
        self.editor.cancelled.connect(self.list.setFocus)
        self.editor.requote_requested.connect(self.requote_from_selection)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(buttons)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.editor, 1)
        self._update_actions()

    # ------------------------------------------------------------------ the main window's API

    def set_current(self, article_id: str, section_id: str) -> None:
        current = (article_id or "", section_id or "")
        if current != self.current:
            self.current = current
            self.reload()
        self._update_actions()

    def add_note(self, article_id: str, section_id: str, quote: str | None,
                 prefix: str | None = None, suffix: str | None = None) -> None:
        """Open the editor for a new note on this section, anchored to ``quote`` when given.

        ``prefix``/``suffix`` are the page text just before and after the selected
        quote: they pick the occurrence the user selected when the quote repeats.
        """
        if not article_id:
            show_info("Open an article to add a note.")
            return
        self.set_current(article_id, section_id)
        self.editor.start_new(article_id, section_id, (quote or "").strip() or None, prefix, suffix)

    def add_note_here(self) -> None:
        self.add_note(*self.current, None)

    # ------------------------------------------------------------------ the list

    def reload(self) -> None:
        """Re-read this section's notes in a worker (stale answers are dropped)."""
        article_id, section_id = self.current
        if not article_id:
            self._loader.drop_pending()
            self._fill("", [])
            return
        self._loader(article_id, section_id)

    def _load(self, article_id: str, section_id: str):
        """Worker: the section's heading and its notes, oldest first."""
        notes = [n for n in self.library.store.notes(article_id=article_id)
                 if n.section_id == section_id and not n.orphaned]
        return _section_title(self.library, article_id, section_id), sorted(notes, key=lambda n: n.created)

    def _apply_changes(self, changes) -> None:
        if not (changes.notes or changes.deleted_notes):
            return
        if self.editor.note_id and self.editor.note_id in changes.deleted_notes:
            self.editor.hide()
        self.reload()

    def _fill(self, title: str, notes) -> None:
        selected = self.selected_note()
        self.list.clear()
        for note in notes:
            item = QListWidgetItem(note_row_text(note))
            item.setData(HTML_ROLE, note_row_html(note))
            item.setData(PAYLOAD_ROLE, note)
            item.setToolTip(plain_tooltip(note.text))
            self.list.addItem(item)
            if selected is not None and note.id == selected.id:
                self.list.setCurrentItem(item)
        self._show_heading(title, len(notes))
        self._update_actions()
        self.refreshed.emit()

    def _show_heading(self, title: str, count: int = 0) -> None:
        if not self.current[0]:
            self.heading.setText(muted_label("Open an article to see and add notes."))
        elif count:
            self.heading.setText(f"<b>{escape(title)}</b> {muted_label(f'· {count} note' + ('s' if count > 1 else ''))}")
        else:
            self.heading.setText(f"<b>{escape(title)}</b><br>{muted_label('No notes here yet: select text and add one.')}")

    def selected_note(self):
        item = self.list.currentItem()
        return item.data(PAYLOAD_ROLE) if item else None

    def notes_shown(self) -> list:
        return [self.list.item(i).data(PAYLOAD_ROLE) for i in range(self.list.count())]

    def _update_actions(self, *_args) -> None:
        has = self.selected_note() is not None
        self.edit_action.setEnabled(has)
        self.delete_action.setEnabled(has)
        self.requote_action.setEnabled(has or bool(self.editor.note_id and self.editor.isVisible()))
        self.add_action.setEnabled(bool(self.current[0]))

    # ------------------------------------------------------------------ actions

    def _activated(self, item: QListWidgetItem) -> None:
        note = item.data(PAYLOAD_ROLE)
        self.open_requested.emit(note.article_id, note.section_id, [note.quote] if note.quote else None)

    def edit_selected(self) -> None:
        note = self.selected_note()
        if note is not None:
            self.editor.start_edit(note)

    def _save_draft(self, draft: NoteDraft) -> None:
        if not draft.text and not draft.quote:
            show_info("A note needs some text or a quote.")
            return
        history = history_for(self.library)
        saved = while_alive(self, self._draft_saved)
        if draft.note_id:
            # edit_note(color=None) means "leave the colour alone"; "" clears it.
            history.edit_note(draft.note_id, text=draft.text, tags=draft.tags, color=draft.color or "", on_done=saved)
        else:
            history.add_note(lambda store: store.add_note(
                draft.article_id, draft.section_id, draft.text, quote=draft.quote, tags=draft.tags,
                color=draft.color, prefix=draft.prefix, suffix=draft.suffix), on_done=saved)

    def _draft_saved(self, note) -> None:
        self.editor.hide()
        self.list.setFocus()
        show_info("Note saved")
        self.saved.emit(note)

    def delete_selected(self) -> None:
        """To the trash, asking nothing: the status bar offers Ctrl+Z (docs/data-model.md, Trash)."""
        note = self.selected_note()
        if note is not None:
            if self.editor.note_id == note.id:
                self.editor.hide()
            history_for(self.library).delete_notes([note.id])

    def requote_from_selection(self) -> None:
        """"Quote this instead": the note being edited (else the selected one) quotes the article's selection."""
        source = self.selection_source() if self.selection_source is not None else None
        if not source or not source[2]:
            show_info("Select the passage in the article first, then choose “Quote this instead”.")
            return
        self.requote(*source)

    def requote(self, article_id: str, section_id: str, quote: str, prefix: str = "", suffix: str = "") -> None:
        editing = self.editor.note_id if self.editor.isVisible() else None
        note_id = editing or getattr(self.selected_note(), "id", None)
        if note_id is None:
            show_info("Select a note in the Notes panel first, then choose “Quote this instead”.")
            return

        def done(snapshot) -> None:
            if self.editor.note_id == snapshot["id"]:
                self.editor.set_quote(snapshot["quote"])

        history_for(self.library).change_quote(note_id, article_id, section_id, quote, prefix, suffix,
                                               on_done=while_alive(self, done))

    def show_all_notes(self) -> None:
        """The all-notes window (one, created on first use, non-modal)."""
        from .all_notes import AllNotesView

        if self._all_notes is None:
            # No parent: a window of its own that the main window can come in front of.
            self._all_notes = AllNotesView(self.library, main_window=self.window())
            self._all_notes.open_requested.connect(self.open_requested)
            self.destroyed.connect(self._all_notes.close)
        self._all_notes.show()
        self._all_notes.raise_()
        self._all_notes.activateWindow()


def _section_title(library, article_id: str, section_id: str) -> str:
    """"Article › Heading" for the panel's header; the ids when the article cannot be read."""
    try:
        article = library.article(article_id)
    except Exception:  # noqa: BLE001 - a heading is cosmetic; the notes still show
        return f"{article_id} › {section_id}"
    section = article.section(section_id)
    if section is None or section.is_lead:
        return article.title
    return f"{article.title} › {' › '.join(section.path)}"
