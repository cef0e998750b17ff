"""Notes panel and note editor against the real store: add, quote anchor, edit, delete, restart."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import QVBoxLayout, QWidget

from reader.gui.note_editor import parse_tags
from reader.gui.notes_panel import NotesPanel, card_markdown, note_row_html
from reader.library import Library
from tests.conftest import SEED_ID

WAIT = 20_000  # ms; generous: other work may load this machine (never a sleep)

SECTION = "aftermath/ceasefire-violations"
QUOTE = "continued to shell Stepanakert"


def _panel(qtbot, library) -> NotesPanel:
    widget = NotesPanel(library)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT):
        widget.set_current(SEED_ID, SECTION)
    return widget


@pytest.fixture
def panel(qtbot, library):
    return _panel(qtbot, library)


def _write_note(qtbot, panel, text: str, tags: str = "", color_index: int = 0) -> None:
    editor = panel.editor
    assert editor.isVisible()
    editor.text.selectAll()
    qtbot.keyClicks(editor.text, text)
    editor.tags.setText(tags)
    editor.color.setCurrentIndex(color_index)
    with qtbot.waitSignal(panel.saved, timeout=WAIT):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)


def test_add_note_attached_to_selected_text(qtbot, panel, library):
    assert "Ceasefire violations" in panel.heading.text()
    panel.add_note(SEED_ID, SECTION, f"  {QUOTE} ")
    assert panel.editor.quote_label.text() == QUOTE
    _write_note(qtbot, panel, "Shelling **after** the ceasefire", tags="ceasefire, #to check", color_index=1)
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    [note] = library.store.notes(article_id=SEED_ID)
    assert (note.section_id, note.quote, note.text) == (SECTION, QUOTE, "Shelling **after** the ceasefire")
    assert note.prefix.endswith("violated the ceasefire and ") and note.suffix.startswith(' "with')
    assert set(note.tags) == {"ceasefire", "to-check"}
    assert note.color == "yellow"
    assert not panel.editor.isVisible()
    row = panel.list.item(0)
    assert QUOTE in row.text()
    assert _bold_words(note_row_html(note)) == ["after"]


def test_edit_note_text_tags_and_colour(qtbot, panel, library):
    note = library.store.add_note(SEED_ID, SECTION, "first draft", tags=["a"])
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.list.setCurrentRow(0)
    panel.edit_action.trigger()
    assert panel.editor.text.toPlainText() == "first draft"
    assert panel.editor.tags.text() == "a"
    _write_note(qtbot, panel, "second thoughts", tags="b", color_index=2)
    edited = library.store.note(note.id)
    assert (edited.text, edited.tags, edited.color) == ("second thoughts", ("b",), "green")
    qtbot.waitUntil(lambda: panel.notes_shown()[0].text == "second thoughts", timeout=WAIT)


def test_choosing_no_colour_clears_it(qtbot, panel, library):
    note = library.store.add_note(SEED_ID, SECTION, "coloured", color="green")
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.list.setCurrentRow(0)
    panel.edit_action.trigger()
    assert panel.editor.color.currentData() == "green"
    _write_note(qtbot, panel, "coloured", color_index=0)  # "No colour"
    assert not library.store.note(note.id).color


def test_cancel_leaves_the_note_alone(qtbot, panel, library):
    note = library.store.add_note(SEED_ID, SECTION, "keep me")
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.list.setCurrentRow(0)
    panel.edit_action.trigger()
    panel.editor.text.setPlainText("thrown away")
    qtbot.mouseClick(panel.editor.cancel_button, Qt.MouseButton.LeftButton)
    assert not panel.editor.isVisible()
    assert library.store.note(note.id).text == "keep me"


def test_only_this_sections_notes_and_follow_the_reader(qtbot, panel, library):
    library.store.add_note(SEED_ID, SECTION, "here")
    library.store.add_note(SEED_ID, "background", "elsewhere")
    qtbot.waitUntil(lambda: [n.text for n in panel.notes_shown()] == ["here"], timeout=WAIT)
    with qtbot.waitSignal(panel.refreshed, timeout=WAIT):
        panel.set_current(SEED_ID, "background")
    assert [n.text for n in panel.notes_shown()] == ["elsewhere"]
    assert "Background" in panel.heading.text()


def test_activate_note_jumps_to_its_quote(qtbot, panel, library):
    library.store.add_note(SEED_ID, SECTION, "x", quote=QUOTE)
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.list.setCurrentRow(0)
    panel.list.setFocus()
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT) as jumped:
        qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    assert jumped.args == [SEED_ID, SECTION, [QUOTE]]


def test_delete_note(qtbot, panel, library):
    library.store.add_note(SEED_ID, SECTION, "short-lived")
    qtbot.waitUntil(lambda: len(panel.notes_shown()) == 1, timeout=WAIT)
    panel.list.setCurrentRow(0)
    panel.delete_action.trigger()
    qtbot.waitUntil(lambda: panel.list.count() == 0, timeout=WAIT)
    assert library.store.notes() == []


def test_notes_restored_after_restart_on_the_same_data_dir(qtbot, app_paths, library):
    first = _panel(qtbot, library)
    first.add_note(SEED_ID, SECTION, QUOTE)
    _write_note(qtbot, first, "survives a restart", tags="kept")
    first.close()
    library.close()

    reopened = Library(app_paths)
    reopened.rescan()
    try:
        second = _panel(qtbot, reopened)
        [note] = second.notes_shown()
        assert (note.text, note.quote, note.tags) == ("survives a restart", QUOTE, ("kept",))
    finally:
        reopened.close()


def _bold_words(html: str) -> list[str]:
    document = QTextDocument()
    document.setHtml(html)
    words, block = [], document.begin()
    while block.isValid():
        for fragment in _fragments(block):
            if fragment.charFormat().fontWeight() >= 600:
                words += fragment.text().split()
        block = block.next()
    return words


def _fragments(block):
    it = block.begin()
    while not it.atEnd():
        yield it.fragment()
        it += 1


def test_note_text_is_escaped_in_rows(qapp):
    html = card_markdown("<img src=http://example.com/x.png> **b** ![pic](/etc/x.png)")
    assert "&lt;img src=http://example.com/x.png&gt;" in html
    assert "<img" not in html and _bold_words(html) == ["b"]


def test_parse_tags():
    assert parse_tags(" war, #history ,, war ") == ("war", "history")


def test_escape_cancels_the_editor_even_beside_a_window_wide_escape(qtbot, library):
    """The find bar owns a window-wide Esc; inside the note editor Esc must still cancel the note."""
    host = QWidget()
    qtbot.addWidget(host)
    window_escapes = []
    QShortcut(QKeySequence(Qt.Key.Key_Escape), host, lambda: window_escapes.append(1))
    panel = NotesPanel(library, host)
    QVBoxLayout(host).addWidget(panel)
    host.show()
    host.activateWindow()
    qtbot.waitUntil(host.isActiveWindow, timeout=WAIT)
    panel.add_note(SEED_ID, SECTION, None)
    qtbot.keyClicks(panel.editor.text, "draft")
    qtbot.keyClick(panel.editor.text, Qt.Key.Key_Escape)
    assert not panel.editor.isVisible()
    assert window_escapes == []
    qtbot.keyClick(panel.list, Qt.Key.Key_Escape)  # outside the editor the window's Esc still works
    assert window_escapes == [1]
    assert library.store.notes() == []


def test_preview_renders_markdown_and_shows_html_as_text(qtbot, panel):
    panel.add_note(SEED_ID, SECTION, None)
    panel.editor.text.setPlainText("**strong** <script>alert(1)</script> <img src=http://example.com/x.png>")
    qtbot.mouseClick(panel.editor.preview_button, Qt.MouseButton.LeftButton)
    preview = panel.editor.preview
    assert panel.editor.pages.currentWidget() is preview
    assert "<script>alert(1)</script>" in preview.toPlainText()  # shown, not run or parsed
    cursor = preview.document().find("strong")
    assert cursor.charFormat().fontWeight() >= 600
    assert preview.document().find("alert").charFormat().fontWeight() < 600
    assert not preview.document().toHtml().count("<img")
    qtbot.mouseClick(panel.editor.preview_button, Qt.MouseButton.LeftButton)
    assert panel.editor.pages.currentWidget() is panel.editor.text
