"""Painted notes: every quoted passage of the open article in its note's colour, in every
theme; a click on one selects its note in the notes panel; a hover shows its text."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QEvent, QPoint, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from reader.gui.panel_support import NOTE_COLORS
from reader.gui.render import infobox_rows, readable_key, readable_value
from tests.conftest import SEED_ID

from .shell_support import window  # noqa: F401 - fixture

WAIT = 20_000
SECTION = "aftermath/ceasefire-violations"
QUOTE = "continued to shell Stepanakert"
OTHER_SECTION = "background"
OTHER_QUOTE = "inhabited mostly by ethnic Armenians"


def _painted(view) -> dict[str, tuple[str, QColor]]:
    """Painted text -> its background colour, from the view's extra selections."""
    found = {}
    for start, end, note in view.painted_notes():
        for selection in view.extraSelections():
            cursor = selection.cursor
            if (cursor.selectionStart(), cursor.selectionEnd()) == (start, end):
                found[note.id] = (cursor.selectedText(), selection.format.background().color())
    return found


def _add_notes(qtbot, window):
    store = window.library.store
    with qtbot.waitSignal(window.notes_painted, timeout=WAIT):
        first = store.add_note(SEED_ID, SECTION, "shelling after the ceasefire <b>not bold</b>", quote=QUOTE,
                               color="green", tags=["ceasefire"])
    with qtbot.waitSignal(window.notes_painted, timeout=WAIT):
        second = store.add_note(SEED_ID, OTHER_SECTION, "who lived there", quote=OTHER_QUOTE)
    return first, second


@pytest.mark.parametrize("theme", ["light", "dark", "sepia"])
def test_saved_quotes_stay_painted_in_the_notes_colour(qtbot, window, theme):
    window.actions_by_name[f"theme_{theme}"].trigger()
    first, second = _add_notes(qtbot, window)
    painted = _painted(window.view)
    assert painted[first.id][0] == QUOTE and painted[second.id][0] == OTHER_QUOTE
    green, yellow = QColor(NOTE_COLORS["green"]), QColor(NOTE_COLORS["yellow"])  # no colour: yellow
    assert painted[first.id][1].rgb() == green.rgb() and painted[second.id][1].rgb() == yellow.rgb()
    assert 0 < painted[first.id][1].alpha() < 255  # a wash: the text stays readable


def test_painted_passages_survive_a_theme_change_and_a_deletion(qtbot, window):
    first, second = _add_notes(qtbot, window)
    with qtbot.waitSignal(window.view.notes_painted, timeout=WAIT):
        window.actions_by_name["theme_dark"].trigger()  # re-renders the page
    assert set(_painted(window.view)) == {first.id, second.id}
    with qtbot.waitSignal(window.notes_painted, timeout=WAIT):
        window.library.store.delete_note(first.id)
    assert set(_painted(window.view)) == {second.id}


def _point_of(view, text: str) -> QPoint:
    cursor = view.document().find(text)
    middle = view.document().find(text)
    middle.setPosition(cursor.selectionStart() + len(text) // 2)
    return view.cursorRect(middle).center()


def test_clicking_a_painted_passage_selects_its_note(qtbot, window):
    first, _second = _add_notes(qtbot, window)
    view = window.view
    window.open_article(SEED_ID, OTHER_SECTION)  # the notes panel shows another section
    window.open_article(SEED_ID, SECTION)
    point = _point_of(view, QUOTE)
    assert view.note_at_point(point).id == first.id
    window.docks["notes_panel"].hide()
    with qtbot.waitSignal(view.note_clicked, timeout=WAIT):
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    panel = window.notes_panel
    assert window.docks["notes_panel"].isVisible()
    qtbot.waitUntil(lambda: panel.selected_note() is not None and panel.selected_note().id == first.id, timeout=WAIT)


def test_hovering_a_painted_passage_shows_its_text_plainly(qtbot, window):
    _add_notes(qtbot, window)
    view = window.view
    window.open_article(SEED_ID, SECTION)
    point = _point_of(view, QUOTE)
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    qtbot.waitUntil(QToolTip.isVisible, timeout=WAIT)
    text = QToolTip.text()
    assert "shelling after the ceasefire" in text and "&lt;b&gt;not bold&lt;/b&gt;" in text and "#ceasefire" in text
    QToolTip.hideText()


def test_passages_off_screen_are_painted_after_the_ones_on_screen(qtbot, window):
    view = window.view
    sections = view.article.sections
    notes = [window.library.store.add_note(SEED_ID, "_lead", "on screen", quote="large-scale military offensive")]
    for number, section in enumerate(sections[1:], start=1):  # one note per section, far down the page
        words = section.text().split()
        if len(words) > 4:
            notes.append(window.library.store.add_note(SEED_ID, section.id, f"n{number}", quote=" ".join(words[1:4])))
    window.open_article(SEED_ID)  # the top of the page: most passages are screens away
    with qtbot.waitSignal(view.notes_painted, timeout=WAIT):
        found = view.set_note_highlights(SEED_ID, notes)
        first = len(view.extraSelections())
        assert 0 < first < found  # the near ones at once, the others in later steps
    assert len(view.extraSelections()) == found == len(view.painted_notes())


def test_a_quote_that_left_the_page_is_not_painted(qtbot, window):
    view = window.view
    note = type("N", (), {"id": "x", "quote": "words that are nowhere on this page", "prefix": "", "suffix": "",
                          "section_id": SECTION, "orphaned": False, "color": None, "text": "", "tags": ()})()
    assert view.set_note_highlights(SEED_ID, [note]) == 0 and view.painted_notes() == []


def test_infobox_keys_are_readable_and_empty_fragments_dropped(window):
    assert [readable_key(k) for k in ("Partof", "Combatant1", "Casualties2", "birth_date", "ISBN")] == \
        ["Part of", "Combatant 1", "Casualties 2", "Birth date", "ISBN"]
    assert [readable_value(v) for v in (", (1 day)", "a, , b", "1,000 people", " , ")] == \
        ["(1 day)", "a, b", "1,000 people", ""]
    assert infobox_rows([("Date", ", "), ("Partof", "x")]) == [("Part of", "x")]
    text = window.view.toPlainText()
    assert "Part of" in text and "Combatant 1" in text and "Partof" not in text
    assert "(1 day)" in text and ", (1 day)" not in text
    stored = window.library.article(SEED_ID).infobox  # the stored text is unchanged
    assert ("Partof", "the Nagorno-Karabakh conflict") in stored


def test_infobox_keys_written_as_prose_stay_as_they_are():
    """Archive infoboxes carry keys a person wrote ("Songwriter(s)") and caption rows with no
    value ("Single by Ray Charles"): neither is respelled nor dropped."""
    rows = infobox_rows([("Single by Ray Charles", ""), ("Songwriter(s)", "Ray Charles"),
                         ("Image", ""), ("Producer(s)", "Jerry Wexler")])
    assert rows == [("Single by Ray Charles", ""), ("Songwriter(s)", "Ray Charles"), ("Producer(s)", "Jerry Wexler")]
    assert readable_key("Ray Charles  singles chronology") == "Ray Charles singles chronology"


def test_f5_paints_a_note_added_by_another_process(qtbot, window, app_paths):
    """QA 14: a note added from the CLI while the window was open was painted only after reopening."""
    from reader.userdata import UserStore

    window.open_article(SEED_ID, SECTION)
    other = UserStore(app_paths)  # another process's store (`lectern notes add`): no event reaches the window
    try:
        note = other.add_note(SEED_ID, SECTION, "from the command line", quote=QUOTE)
    finally:
        other.close()
    assert note.id not in _painted(window.view)
    with qtbot.waitSignal(window.notes_painted, timeout=WAIT):
        window.actions_by_name["rescan"].trigger()  # F5
    assert _painted(window.view)[note.id][0] == QUOTE
