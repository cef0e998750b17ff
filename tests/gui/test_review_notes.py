"""Review changed notes: a rescan that moved a quoted passage is announced, the review
window shows old and new passage side by side, and accepting updates the note."""

from __future__ import annotations

import os

import pytest

from reader.gui.review_notes import ReviewNotesDialog, marked_diff
from tests.gui.shell_support import close_window, open_window

WAIT = 20_000  # ms; generous: other work may load this machine (never a sleep)
ARTICLE = """= Harbour <Log> =

A lead paragraph.

== Trade ==
The customs house recorded each cargo in a ledger kept by the harbour master himself.

== Fishing ==
Boats left before dawn & came back with <herring>.
"""
QUOTE = "recorded each cargo in a ledger kept by the harbour master"


def _write(path, text: str) -> None:
    old = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(old + 10**9, old + 10**9))  # a distinct mtime: the scan reads the content


@pytest.fixture
def harbour(tmp_path, library):
    """(library, article file, note) with the note's passage already edited and rescanned."""
    folder = tmp_path / "articles"
    folder.mkdir()
    path = folder / "harbour.txt"
    _write(path, ARTICLE)
    library.add_sources([folder])
    article_id = next(a.id for a in library.articles() if a.title.startswith("Harbour"))
    note = library.store.add_note(article_id, "trade", "who kept it?", quote=QUOTE)
    return library, path, note


def _rescan_with_typo(library, path) -> None:
    _write(path, ARTICLE.replace("in a ledger", "in a <big> ledgr"))
    library.rescan()


def test_marked_diff_escapes_and_marks_changed_words():
    old, new = marked_diff("a <ledger> kept", "a <big> ledgr kept")
    assert old.startswith("a &lt;") and "line-through\">ledger</span>&gt; kept" in old and "<ledger>" not in old
    assert "bold\">big</span>&gt;" in new and "bold\">ledgr </span>kept" in new and "<big>" not in new


def test_review_shows_a_moved_note_and_accepting_updates_it(qtbot, harbour):
    library, path, note = harbour
    _rescan_with_typo(library, path)
    assert library.store.note(note.id).anchor_state == "moved"
    dialog = ReviewNotesDialog(library)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.refreshed, timeout=WAIT):
        dialog.show()
    assert [n.id for n in dialog.shown_notes()] == [note.id]
    html = dialog.detail.toHtml()
    assert "First quoted" in html and "ledger" in html and "ledgr" in html and "&lt;big&gt;" in html
    assert "1 moved" in dialog.summary.text() and dialog.accept_button.isEnabled()
    with qtbot.waitSignal(dialog.reviewed, timeout=WAIT) as done:
        dialog.accept_button.click()
    assert done.args == [note.id]
    accepted = library.store.note(note.id)
    assert (accepted.anchor_state, accepted.review) == ("exact", False)
    assert accepted.quote == "recorded each cargo in a <big> ledgr kept by the harbour master"
    qtbot.waitUntil(lambda: dialog.shown_notes() == [], timeout=WAIT)
    assert "No changed notes" in dialog.summary.text()


def test_leave_orphaned_keeps_the_note_with_the_text_first_quoted(qtbot, harbour):
    library, path, note = harbour
    _rescan_with_typo(library, path)
    dialog = ReviewNotesDialog(library)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.shown_notes()) == 1, timeout=WAIT)
    with qtbot.waitSignal(dialog.reviewed, timeout=WAIT):
        dialog.orphan_button.click()
    left = library.store.note(note.id)
    assert (left.orphaned, left.quote, left.review) == (True, QUOTE, False)


def test_the_window_says_how_many_moved_and_the_menu_opens_the_review(qtbot, harbour, app_paths):
    library, path, note = harbour
    window = open_window(qtbot, library, app_paths)
    try:
        _write(path, ARTICLE.replace("in a ledger", "in a <big> ledgr"))
        with qtbot.waitSignal(window.library_panel.scan_finished, timeout=WAIT):
            window.actions_by_name["rescan"].trigger()  # F5
        # QA 5: the scan's own report ("Articles: 1 updated") once overwrote the count in the status bar
        assert "updated" in window.statusBar().currentMessage()
        told = [t for t in window.message_bar.texts() if "1 moved" in t]
        assert told and "Review Changed Notes" in told[0] and window.message_bar.isVisible()
        window.actions_by_name["review_notes"].trigger()
        dialog = window._review_dialog
        qtbot.waitUntil(lambda: [n.id for n in dialog.shown_notes()] == [note.id], timeout=WAIT)
        assert dialog.isVisible()
        with qtbot.waitSignal(dialog.reviewed, timeout=WAIT):
            dialog.accept_button.click()
        qtbot.waitUntil(lambda: not any("moved" in t for t in window.message_bar.texts()), timeout=WAIT)
    finally:
        close_window(window)


def test_reattach_to_the_selection_in_the_reading_view(qtbot, harbour, app_paths):
    library, path, note = harbour
    window = open_window(qtbot, library, app_paths)
    try:
        _rescan_with_typo(library, path)
        window.open_article(note.article_id, "fishing")
        cursor = window.view.document().find("came back with")
        assert not cursor.isNull()
        window.view.setTextCursor(cursor)
        window.actions_by_name["review_notes"].trigger()
        dialog = window._review_dialog
        qtbot.waitUntil(lambda: len(dialog.shown_notes()) == 1, timeout=WAIT)
        with qtbot.waitSignal(dialog.reviewed, timeout=WAIT):
            dialog.reattach_button.click()
        placed = library.store.note(note.id)
        assert (placed.section_id, placed.quote, placed.anchor_state) == ("fishing", "came back with", "exact")
        assert placed.original_quote == QUOTE and not placed.review
    finally:
        close_window(window)


def test_an_open_review_window_picks_up_a_later_rescan(qtbot, harbour):
    library, path, note = harbour
    dialog = ReviewNotesDialog(library)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.refreshed, timeout=WAIT):
        dialog.show()
    assert dialog.shown_notes() == [] and not dialog.accept_button.isEnabled()
    _rescan_with_typo(library, path)
    qtbot.waitUntil(lambda: [n.id for n in dialog.shown_notes()] == [note.id], timeout=WAIT)


@pytest.mark.parametrize("button", ["accept_button", "orphan_button"])
def test_a_review_action_is_undone_by_ctrl_z_not_an_older_step(qtbot, harbour, button):
    """QA 4: Accept / Leave Orphaned once bypassed the undo stack (Ctrl+Z undid an older, unrelated step)."""
    from reader.gui.undo import history_for

    library, path, note = harbour
    other = library.store.add_note(note.article_id, "fishing", "an unrelated note")
    history = history_for(library)
    with qtbot.waitSignal(history.performed, timeout=WAIT):
        history.edit_note(other.id, text="edited before the review")
    _rescan_with_typo(library, path)
    before = library.store.note(note.id)
    dialog = ReviewNotesDialog(library)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.shown_notes()) == 1, timeout=WAIT)
    with qtbot.waitSignal(dialog.reviewed, timeout=WAIT):
        getattr(dialog, button).click()
    assert not library.store.note(note.id).review
    assert history.stack.undoText() != "Edit note"
    with qtbot.waitSignal(history.undone, timeout=WAIT):
        history.stack.undo()
    back = library.store.note(note.id)
    assert (back.anchor_state, back.review, back.orphaned, back.quote) == ("moved", True, False, before.quote)
    assert library.store.note(other.id).text == "edited before the review"  # the older step is untouched
    qtbot.waitUntil(lambda: [n.id for n in dialog.shown_notes()] == [note.id], timeout=WAIT)  # back in the list


def _luminance(color) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(color.redF()) + 0.7152 * channel(color.greenF()) + 0.0722 * channel(color.blueF())


def _contrast(a, b) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("theme", ["light", "dark", "sepia"])
def test_changed_words_are_readable_in_every_theme(qtbot, harbour, theme):
    """QA 7: in the dark theme the changed words were light text on pale red and green."""
    from PySide6.QtGui import QColor, QTextCharFormat, QTextFormat

    from reader.gui.theme import palette_for

    library, path, note = harbour
    _rescan_with_typo(library, path)
    dialog = ReviewNotesDialog(library)
    qtbot.addWidget(dialog)
    dialog.setPalette(palette_for(theme))
    qtbot.waitUntil(lambda: len(dialog.shown_notes()) == 1, timeout=WAIT)
    text_color = dialog.detail.palette().color(dialog.detail.foregroundRole())
    marked = []
    block = dialog.detail.document().begin()
    while block.isValid():
        for fragment in (it.fragment() for it in _fragments(block)):
            fmt: QTextCharFormat = fragment.charFormat()
            if fmt.hasProperty(QTextFormat.Property.BackgroundBrush) and fragment.text().strip():
                fg = fmt.foreground().color() if fmt.hasProperty(QTextFormat.Property.ForegroundBrush) else text_color
                marked.append((fragment.text(), _contrast(fg, QColor(fmt.background().color()))))
        block = block.next()
    assert {t.strip() for t, _ in marked} == {"ledger", "<big> ledgr"}
    assert all(ratio >= 4.5 for _, ratio in marked), marked


def _fragments(block):
    it = block.begin()
    while not it.atEnd():
        yield it
        it += 1


def test_a_note_whose_passage_is_gone_can_be_accepted_on_its_section(qtbot, harbour):
    """QA 10: Accept was disabled for a "passage gone" note; accepting keeps it on its section, reviewed."""
    library, path, note = harbour
    _write(path, ARTICLE.replace("The customs house recorded each cargo in a ledger kept by the harbour master himself.",
                                 "The customs house burned down."))
    library.rescan()
    assert library.store.note(note.id).anchor_state == "section"
    dialog = ReviewNotesDialog(library)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: len(dialog.shown_notes()) == 1, timeout=WAIT)
    assert dialog.accept_button.isEnabled()
    with qtbot.waitSignal(dialog.reviewed, timeout=WAIT):
        dialog.accept_button.click()
    accepted = library.store.note(note.id)
    assert (accepted.anchor_state, accepted.review, accepted.section_id, accepted.orphaned) == ("section", False, "trade", False)
    assert accepted.quote == QUOTE
