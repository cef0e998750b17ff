"""What a screen reader gets, read in-process through Qt's accessibility interfaces (offscreen)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleActionInterface
from PySide6.QtWidgets import QApplication, QLabel, QToolBar, QToolButton

from tests.conftest import SEED_ID

from .shell_support import window  # noqa: F401 - fixture

Name, Value, Description = QAccessible.Text.Name, QAccessible.Text.Value, QAccessible.Text.Description


def _interface(widget):
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None and interface.isValid()
    return interface


def test_the_article_is_a_document_with_clean_text(window):
    doc = _interface(window.view)
    assert doc.role() == QAccessible.Role.Document
    assert doc.text(Name) == "Article"
    assert window.view.article.title in doc.text(Description)
    text_interface = doc.textInterface()
    text = text_interface.text(0, text_interface.characterCount())
    assert "Part of" in text and "Azerbaijani offensive in Nagorno-Karabakh" in text
    for private in ("\ufdd0", "\ufdd1", "\u2029", "\ufffc"):
        assert private not in text
    assert text_interface.characterCount() == len(window.view.toPlainText())
    start = text.index("Part of")
    text_interface.setSelection(0, start, start + len("Part of"))
    assert window.view.textCursor().selectedText() == "Part of"
    window.view.show_placeholder("Gone", "Nothing here")  # a new page: the text follows
    assert text_interface.text(0, text_interface.characterCount()) == "Gone\nNothing here"


def test_headings_are_objects_a_screen_reader_can_move_between(window):
    doc = _interface(window.view)
    headings = [doc.child(i) for i in range(doc.childCount()) if doc.child(i).role() == QAccessible.Role.Heading]
    titles = [h.text(Name) for h in headings]
    article = window.view.article
    assert titles[0] == article.title
    assert titles[1:] == [s.title for s in article.sections[1:]]
    second = headings[1]
    attributes = second.attributesInterface()
    if attributes is not None:  # Qt >= 6.8: the heading level as an attribute
        assert attributes.attributeValue(QAccessible.Attribute.Level) == 2
    assert second.parent().role() == QAccessible.Role.Document
    assert doc.indexOfChild(second) == [doc.child(i) for i in range(doc.childCount())].index(second)
    before = second.rect().top()
    window.open_article(SEED_ID, article.sections[1].id)  # scrolled to it: its place on screen moves up
    assert second.rect().top() < before


def test_status_labels_say_what_they_show(qtbot, window):
    bar = window.find_bar
    bar.open_bar()
    qtbot.keyClicks(bar.field, "Artsakh")
    count = _interface(bar.count_label)
    assert count.text(Name) == bar.count_label.text() and "of" in count.text(Name)
    assert count.text(Description) == "Match count"
    for label in window.findChildren(QLabel):  # none announces a fixed name instead of its text
        assert not label.accessibleName(), label.accessibleDescription()


def test_colour_combo_is_named_by_its_label_not_its_value(qtbot, window):
    if window.notes_panel is None:
        import pytest

        pytest.skip("no notes panel in this build")
    window.add_note_here()
    combo = window.notes_panel.editor.color
    combo.setCurrentIndex(2)
    interface = _interface(combo)
    assert interface.role() == QAccessible.Role.ComboBox
    assert interface.text(Name) == "Note colour"
    assert interface.text(Value) == combo.currentText() != "Note colour"


def _tab_through(qtbot, window, steps: int = 40) -> list:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.library_panel.filter_field.setFocus()
    reached = []
    for _ in range(steps):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    return reached


def test_hidden_panels_take_no_focus_and_panel_buttons_take_tab(qtbot, window):
    if window.notes_panel is None or window.bookmarks_panel is None:
        import pytest

        pytest.skip("the side panels are not in this build")
    window.docks["search_panel"].raise_()  # bookmarks and notes are background tabs
    reached = _tab_through(qtbot, window)
    assert all(not w.visibleRegion().isEmpty() for w in reached)
    assert window.bookmarks_panel.tree not in reached and window.notes_panel.list not in reached
    window.docks["notes_panel"].raise_()
    bar = window.notes_panel.findChild(QToolBar)
    more = bar.findChild(QToolButton, "qt_toolbar_ext_button")
    all_notes = bar.widgetForAction(window.notes_panel.all_action)
    # the tool bar has laid out: "All notes" on screen, or in the "»" menu (then shown)
    qtbot.waitUntil(lambda: more.isVisible() or not all_notes.visibleRegion().isEmpty())
    reached = _tab_through(qtbot, window)
    names = {w.accessibleName() for w in reached}
    assert window.notes_panel.list in reached and "Add note" in names
    # the buttons that fit, and the "»" menu holding those that do not
    assert "All notes" in names or "More actions" in names


def test_focus_is_visible_on_every_tab_stop(qtbot, window):
    window.find_bar.open_bar()
    seen = set()
    for widget in _tab_through(qtbot, window, 25):
        if widget in seen or widget is None:
            continue
        seen.add(widget)
        widget.setFocus(Qt.FocusReason.TabFocusReason)
        QApplication.processEvents()  # the style follows focus when the widget repaints
        focused = widget.grab().toImage()
        widget.clearFocus()
        QApplication.processEvents()
        unfocused = widget.grab().toImage()
        assert focused != unfocused, f"{type(widget).__name__} {widget.accessibleName()!r} shows no focus"
    assert len(seen) > 8


def _parts(doc, role) -> list:
    return [doc.child(i) for i in range(doc.childCount()) if doc.child(i).role() == role]


def test_the_infobox_is_a_table_of_named_cells(window):
    doc = _interface(window.view)
    tables = _parts(doc, QAccessible.Role.Table)
    assert len(tables) == 1
    table = tables[0]
    assert table.parent() is doc or table.parent().role() == QAccessible.Role.Document
    cells = [table.child(i) for i in range(table.childCount())]
    assert all(cell.role() == QAccessible.Role.Cell for cell in cells)
    names = [cell.text(Name) for cell in cells]
    assert "Part of" in names
    part_of = cells[names.index("Part of")]
    assert names[names.index("Part of") + 1] == "the Nagorno-Karabakh conflict"  # its value follows the key
    row = part_of.text(Description).split(",")[0]
    assert row.startswith("row ") and cells[names.index("Part of") + 1].text(Description).startswith(row + ",")
    assert part_of.parent().role() == QAccessible.Role.Table and table.indexOfChild(part_of) == names.index("Part of")
    for private in ("\ufdd0", "\ufdd1", "\u2029"):
        assert not any(private in name for name in names)
    assert table.rect().contains(part_of.rect().center())


def test_see_also_items_are_list_items(window):
    doc = _interface(window.view)
    lists = _parts(doc, QAccessible.Role.List)
    items_of = {lst: [lst.child(i) for i in range(lst.childCount())] for lst in lists}
    see_also = next(lst for lst, items in items_of.items()
                    if any(item.text(Name) == "Armenia–Azerbaijan relations" for item in items))
    items = items_of[see_also]
    assert [item.text(Name) for item in items] == [
        "2016 Nagorno-Karabakh conflict", "2023 Artsakhian presidential election",
        "Armenia–Azerbaijan relations", "List of conflicts between Armenia and Azerbaijan"]
    assert all(item.role() == QAccessible.Role.ListItem and item.parent().role() == QAccessible.Role.List
               for item in items)
    assert "item 3 of 4" in items[2].text(Description)
    assert len(lists) >= 3  # the reactions lists are lists too, not flattened lines


def test_links_are_children_named_by_their_text_that_can_be_followed(qtbot, window, tmp_path):
    from .shell_support import add_linked_articles

    alpha, beta = add_linked_articles(qtbot, window, tmp_path / "linked")
    window.open_article(alpha)
    doc = _interface(window.view)
    links = _parts(doc, QAccessible.Role.Link)
    assert [link.text(Name) for link in links] == ["Beta article"]  # "Gamma" names no article: no link
    link = links[0]
    assert link.text(Description) == "article Beta article"
    actions = link.actionInterface()
    assert actions.actionNames() == [QAccessibleActionInterface.pressAction()]
    with qtbot.waitSignal(window.view.article_shown, timeout=20_000):
        actions.doAction(QAccessibleActionInterface.pressAction())
    assert window.view.article_id == beta
    assert not _parts(_interface(window.view), QAccessible.Role.Link)  # the new page has none
