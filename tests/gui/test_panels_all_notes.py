"""All-notes view (filter, full-text search, orphaned notes re-attached) and notes import/export."""

from __future__ import annotations

import json
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from reader.gui.all_notes import ORPHAN_MARK, AllNotesView
from reader.gui.notes_io import export_notes, format_for, import_notes
from reader.gui.notes_panel import NotesPanel
from reader.library import Library
from reader.paths import AppPaths, bundle_root
from reader.userdata.models import utc_now
from tests.conftest import SEED_ID

from .shell_support import library_of_one_file

WAIT = 20_000  # ms; generous: other work may load this machine (never a sleep)

CEASEFIRE = "aftermath/ceasefire-violations"
FIELD_NOTES = """= Field notes =

A lead paragraph.

== Alpha ==
Alpha has its own words about otters.

== Beta ==
Beta talks about herons.
"""


@pytest.fixture
def view(qtbot, library):
    widget = AllNotesView(library)
    qtbot.addWidget(widget)
    widget.show()
    with qtbot.waitSignal(widget.refreshed, timeout=WAIT):
        pass  # the first load
    return widget


def _texts(view):
    return [n.text for n in view.shown_notes()]


def test_lists_every_note_and_filters_as_you_type(qtbot, view, library):
    library.store.add_note(SEED_ID, CEASEFIRE, "Ceasefire broken twice", tags=["war"])
    library.store.add_note(SEED_ID, "background", "Read the Bishkek protocol", quote="tripartite ceasefire agreement")
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 2, timeout=WAIT)
    qtbot.keyClicks(view.filter, "bishkek")
    assert _texts(view) == ["Read the Bishkek protocol"]
    view.filter.clear()
    qtbot.keyClicks(view.filter, "#war")  # tags and accents fold like the rest
    assert _texts(view) == []
    view.filter.setText("WAR")
    assert _texts(view) == ["Ceasefire broken twice"]
    assert view.count.text().startswith("1 of 2")


def test_enter_runs_a_full_text_search_over_notes(qtbot, view, library):
    library.update_index()
    library.store.add_note(SEED_ID, CEASEFIRE, "The negotiations stalled")
    library.store.add_note(SEED_ID, "background", "Unrelated")
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 2, timeout=WAIT)
    view.filter.setText("negotiation")  # the word filter finds nothing: the text says "negotiations"...
    assert _texts(view) == ["The negotiations stalled"]
    view.filter.setText("negotiate")
    assert _texts(view) == []
    with qtbot.waitSignal(view.refreshed, timeout=WAIT):
        qtbot.keyClick(view.filter, Qt.Key.Key_Return)  # ...stemming does
    assert _texts(view) == ["The negotiations stalled"]
    assert "(full text)" in view.count.text()


def test_orphaned_note_is_shown_and_reattached(qtbot, tmp_path, app_paths):
    library, article = library_of_one_file(app_paths, tmp_path / "sources" / "field-notes.txt", FIELD_NOTES)
    try:
        note = library.store.add_note("field-notes", "alpha", "About the otters", quote="about otters")
        article.write_text(FIELD_NOTES.replace("== Alpha ==\nAlpha has its own words about otters.\n\n", ""), encoding="utf-8")
        library.rescan()
        assert library.store.note(note.id).orphaned

        view = AllNotesView(library)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: len(view.shown_notes()) == 1, timeout=WAIT)
        row = view.tree.topLevelItem(0)
        assert row.text(2).startswith(ORPHAN_MARK)
        view.orphaned_only.setChecked(True)
        assert len(view.shown_notes()) == 1

        row = view.tree.topLevelItem(0)  # the filter rebuilt the rows
        view.tree.setCurrentItem(row)
        view.tree.setFocus()
        qtbot.keyClick(view.tree, Qt.Key.Key_Return)  # an orphan opens the re-attach row
        assert view.reattach_row.isVisible()
        assert view.reattach_article.currentData() == "field-notes"
        view.reattach_section.setCurrentIndex(view.reattach_section.findData("beta"))
        view.apply_reattach()
        qtbot.waitUntil(lambda: not library.store.note(note.id).orphaned, timeout=WAIT)
        assert library.store.note(note.id).section_id == "beta"
        qtbot.waitUntil(lambda: view.shown_notes() == [], timeout=WAIT)  # "orphaned only" is still on
        view.orphaned_only.setChecked(False)
        assert view.tree.topLevelItem(0).text(2) == "Beta"
    finally:
        library.close()


def test_activating_a_placed_note_opens_it_and_the_panel_relays_it(qtbot, library):
    library.store.add_note(SEED_ID, CEASEFIRE, "jump here", quote="continued to shell Stepanakert")
    panel = NotesPanel(library)
    qtbot.addWidget(panel)
    panel.all_action.trigger()
    view = panel._all_notes
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 1, timeout=WAIT)
    view.tree.setCurrentItem(view.tree.topLevelItem(0))
    with qtbot.waitSignal(panel.open_requested, timeout=WAIT) as opened:
        view.tree.itemActivated.emit(view.tree.topLevelItem(0), 0)
    assert opened.args == [SEED_ID, CEASEFIRE, ["continued to shell Stepanakert"]]


def test_export_then_import_json_into_another_data_dir(qtbot, tmp_path, library):
    library.store.add_note(SEED_ID, CEASEFIRE, "Line one\n\n**bold** “quoted” <tag>", quote="continued to shell Stepanakert",
                           tags=["war", "to-check"], color="yellow")
    library.store.add_note(SEED_ID, "background", "Second note")
    library.store.add_bookmark(SEED_ID, CEASEFIRE, folder="Trip")
    target = tmp_path / "export" / "notes.json"
    written = []
    export_notes(None, library, target, on_done=written.append)
    qtbot.waitUntil(lambda: written == [target], timeout=WAIT)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert (data["format"], data["version"]) == ("lectern-notes", 1)

    root = tmp_path / "other"
    other = Library(AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure())
    other.rescan()
    try:
        reports = []
        import_notes(None, other, target, on_done=reports.append)
        qtbot.waitUntil(lambda: len(reports) == 1, timeout=WAIT)
        assert (reports[0].added, reports[0].bookmarks_added) == (2, 1)

        def key(note):
            return note.id, note.section_id, note.quote, note.text, note.tags, note.color, note.created

        assert sorted(map(key, other.store.notes())) == sorted(map(key, library.store.notes()))
        assert [(b.name, b.folder) for b in other.store.bookmarks()] == [(b.name, b.folder) for b in library.store.bookmarks()]

        import_notes(None, other, target, on_done=reports.append)  # twice: adds nothing
        qtbot.waitUntil(lambda: len(reports) == 2, timeout=WAIT)
        assert (reports[1].added, reports[1].skipped_duplicates) == (0, 2)
        assert len(other.store.notes()) == 2
    finally:
        other.close()


@pytest.mark.parametrize("fmt, needle", [("markdown", "## 2023 Azerbaijani"), ("w3c", "AnnotationCollection")])
def test_export_markdown_and_w3c(qtbot, tmp_path, library, fmt, needle):
    library.store.add_note(SEED_ID, CEASEFIRE, "exported", quote="continued to shell Stepanakert")
    target = tmp_path / f"notes.{ {'markdown': 'md', 'w3c': 'jsonld'}[fmt] }"
    assert format_for(target) == fmt
    written = []
    export_notes(None, library, target, on_done=written.append)
    qtbot.waitUntil(lambda: bool(written), timeout=WAIT)
    text = target.read_text(encoding="utf-8")
    assert needle in text and "exported" in text


def test_a_malformed_import_is_reported_and_changes_nothing(qtbot, tmp_path, library, monkeypatch):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "lectern-notes", "version": 1, "notes": [{"id": 3}]}', encoding="utf-8")
    errors = []
    monkeypatch.setattr("reader.gui.messages.show_error", lambda exc, context="": errors.append(exc))
    import_notes(None, library, bad)
    qtbot.waitUntil(lambda: bool(errors), timeout=WAIT)
    assert "bad.json" in str(errors[0]) or "note" in str(errors[0]).lower()
    assert library.store.notes() == []


def test_newest_first_and_sortable_by_article(qtbot, view, library):
    older = library.store.add_note(SEED_ID, CEASEFIRE, "older")
    qtbot.waitUntil(lambda: utc_now() > older.updated)  # times have millisecond resolution
    library.store.add_note(SEED_ID, "background", "newer")
    qtbot.waitUntil(lambda: _texts(view) == ["newer", "older"], timeout=WAIT)
    view.tree.sortByColumn(2, Qt.SortOrder.AscendingOrder)  # by section: "Aftermath › …" before "Background"
    assert _texts(view) == ["older", "newer"]


def test_qt_void_calls_keep_none_alive(qtbot):
    """The installed PySide6 must not leak references to None.

    PySide6 6.12.0 drops one on every call of a void method under Python < 3.12
    (None is not immortal there) and the app aborts with 'none_dealloc' after a
    few hundred navigations; pyproject.toml pins below it. This fails if the pin
    is loosened to a broken version.
    """
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(200):
        label.setText("x")
    assert sys.getrefcount(None) > before - 100


def test_edits_and_deletions_update_their_rows(qtbot, view, library):
    keep = library.store.add_note(SEED_ID, CEASEFIRE, "first words")
    gone = library.store.add_note(SEED_ID, "background", "to be deleted")
    qtbot.waitUntil(lambda: len(view.shown_notes()) == 2, timeout=WAIT)
    view.filter.setText("words")
    library.store.edit_note(keep.id, text="second words")
    qtbot.waitUntil(lambda: _texts(view) == ["second words"], timeout=WAIT)  # the filter still applies
    library.store.delete_note(gone.id)
    view.filter.clear()
    qtbot.waitUntil(lambda: _texts(view) == ["second words"], timeout=WAIT)
    assert view.count.text().startswith("1 of 1")


def test_a_library_change_after_the_view_was_opened_reloads_it(qtbot, tmp_path, app_paths):
    """QA 1: a rescan with an edited file once raised "object of type 'bool' has no len()"."""
    library, article = library_of_one_file(app_paths, tmp_path / "sources" / "field-notes.txt", FIELD_NOTES)
    try:
        library.store.add_note("field-notes", "alpha", "About the otters", quote="about otters")
        view = AllNotesView(library)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitUntil(lambda: len(view.shown_notes()) == 1, timeout=WAIT)
        view.close()  # Esc: hidden, still listening
        article.write_text(FIELD_NOTES.replace("= Field notes =", "= Field notes, revised ="), encoding="utf-8")
        with qtbot.waitSignal(view.refreshed, timeout=WAIT):
            report = library.rescan()
        assert report.changed
        assert view.tree.topLevelItem(0).text(1) == "Field notes, revised"  # the row shows the new title
    finally:
        library.close()
