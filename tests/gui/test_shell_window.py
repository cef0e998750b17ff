"""Main-window workflows: open, contents, back/forward, themes, zoom, find in page."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication

from reader.model import LEAD_SECTION_ID
from tests.conftest import SEED_ID

from .shell_support import data_library, data_window, drain, heading_texts, window  # noqa: F401 - fixtures


def _key(qtbot, window, name):
    """Press an action's first shortcut on the window, as a user would."""
    sequence = window.actions_by_name[name].shortcuts()[0]
    combo = sequence[0]
    qtbot.keyClick(QApplication.focusWidget() or window, combo.key(), combo.keyboardModifiers())


def test_start_up_opens_the_first_article_with_its_headings(window):
    article = window.library.article(SEED_ID)
    assert window.view.article_id == SEED_ID
    assert heading_texts(window.view) == [article.title] + [s.title for s in article.sections[1:]]
    assert window.windowTitle().startswith(article.title)
    assert window.toc.topLevelItemCount() >= 1


def test_first_open_marks_the_lead_as_current_once_laid_out(qtbot, window):
    """restore_reading() runs before show(): every heading is at 0 until the layout exists,
    so the contents must be corrected once the real positions are known."""
    from reader.gui.toc import SECTION_ROLE

    def lead_is_current() -> bool:
        item = window.toc.currentItem()
        return (window.view.current_section_id() == LEAD_SECTION_ID
                and item is not None and item.data(0, SECTION_ROLE) == LEAD_SECTION_ID)

    assert window.view.verticalScrollBar().value() == 0
    qtbot.waitUntil(lambda: window.view.section_top(window.view.article.sections[-1].id) > 0, timeout=5000)
    qtbot.waitUntil(lead_is_current, timeout=5000)


def test_opening_from_the_library_list_by_mouse_and_keyboard(qtbot, data_window):
    panel = data_window.library_panel
    titles = panel.visible_titles()
    target = next(t for t in titles if t.startswith("Homarus"))
    row = titles.index(target)
    rect = panel.list.visualRect(panel.model.index(row, 0))
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: data_window.view.article is not None and data_window.view.article.title == target)
    # keyboard: filter, Enter opens the first match
    panel.focus_filter()
    qtbot.keyClicks(panel.filter_field, "new jersey")
    assert panel.visible_titles() == ["New Jersey Route 29"]
    qtbot.keyClick(panel.filter_field, Qt.Key.Key_Return)
    assert data_window.view.article.title == "New Jersey Route 29"


def test_filter_ignores_case_and_accents(data_window):
    panel = data_window.library_panel
    panel.filter_field.setText("AZERBAİJANİ")  # dotted capital I folds to i
    assert len(panel.visible_titles()) == 1
    panel.filter_field.setText("homárus")
    assert panel.visible_titles() == ["Homarus gammarus"]
    panel.filter_field.clear()
    assert len(panel.visible_titles()) == panel.article_count() == 4


def test_toc_click_scrolls_to_the_section_and_follows_scrolling(qtbot, window):
    view, toc = window.view, window.toc
    article = view.article
    target = article.sections[len(article.sections) // 2]
    item = toc.item_for(target.id)
    toc.scrollToItem(item)
    qtbot.mouseClick(toc.viewport(), Qt.MouseButton.LeftButton, pos=toc.visualItemRect(item).center())
    qtbot.waitUntil(lambda: view.current_section_id() == target.id)
    assert view.verticalScrollBar().value() == view.section_top(target.id) > 0
    # scrolling by hand moves the TOC's current item
    later = article.sections[-1]
    view.verticalScrollBar().setSliderPosition(view.section_top(later.id) or view.verticalScrollBar().maximum())
    qtbot.waitUntil(lambda: toc.currentItem() is not None and toc.currentItem().text(0) in (later.title,)
                    or view.current_section_id() != target.id)
    assert toc.currentItem().data(0, Qt.ItemDataRole.UserRole) == view.current_section_id()


def test_toc_enter_key_jumps(qtbot, window):
    toc, view = window.toc, window.view
    target = view.article.sections[3]
    toc.setFocus()
    toc.setCurrentItem(toc.item_for(target.id))
    qtbot.keyClick(toc, Qt.Key.Key_Return)
    assert view.current_section_id() == target.id


def test_back_and_forward_across_articles_and_sections(qtbot, data_window):
    win = data_window
    seed = win.library.article(SEED_ID)
    other = win.library.find_by_title("Homarus gammarus").id
    section = seed.sections[4].id
    win.open_article(SEED_ID)
    win.open_article(SEED_ID, section)
    win.open_article(other)
    assert win.actions_by_name["back"].isEnabled() and not win.actions_by_name["forward"].isEnabled()
    win.view.setFocus()
    _key(qtbot, win, "back")
    assert (win.view.article_id, win.view.current_section_id()) == (SEED_ID, section)
    win.actions_by_name["back"].trigger()
    assert (win.view.article_id, win.view.current_section_id()) == (SEED_ID, seed.lead.id)
    _key(qtbot, win, "forward")
    _key(qtbot, win, "forward")
    assert win.view.article_id == other
    assert not win.actions_by_name["forward"].isEnabled()
    # a new visit after going back drops the forward entries
    win.go_back()
    win.open_article(SEED_ID, seed.sections[2].id)
    assert not win.history.can_forward()


def test_see_also_link_click_opens_the_article(qtbot, window, tmp_path):
    from .shell_support import add_linked_articles

    alpha, beta = add_linked_articles(qtbot, window, tmp_path / "linked")
    window.open_article(alpha)
    view = window.view
    found = view.document().find("Beta article")
    cursor = view.textCursor()
    cursor.setPosition(found.selectionStart() + 2)
    rect = view.cursorRect(cursor)
    assert view.anchorAt(rect.center())  # the title is a link
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.waitUntil(lambda: view.article_id == beta)
    window.go_back()
    assert view.article_id == alpha


def _background_lightness(view) -> int:
    image = view.viewport().grab().toImage()
    return image.pixelColor(image.width() - 3, image.height() - 3).lightness()


def test_theme_switch_applies_to_the_article(qtbot, window):
    view = window.view
    assert _background_lightness(view) > 200
    window.actions_by_name["theme_dark"].trigger()
    assert "#1b1d21" in view.document().defaultStyleSheet()
    qtbot.waitUntil(lambda: _background_lightness(view) < 60)
    window.actions_by_name["next_theme"].trigger()  # dark -> sepia
    assert window.theme.settings.theme == "sepia"
    assert window.actions_by_name["theme_sepia"].isChecked()
    qtbot.waitUntil(lambda: 150 < _background_lightness(view) < 240)
    assert view.article_id == SEED_ID  # still the same article, re-rendered


def test_find_bar_survives_a_theme_change(qtbot, window):
    bar = window.find_bar
    bar.open_bar()
    qtbot.keyClicks(bar.field, "Karabakh")
    count = bar.count
    window.actions_by_name["theme_dark"].trigger()
    assert bar.count == count and len(window.view.extraSelections()) == count
    assert window.view.textCursor().selectedText() == "Karabakh"


def test_zoom_and_reading_width(qtbot, window):
    view = window.view
    size = view.document().defaultFont().pointSize()
    view.setFocus()
    _key(qtbot, window, "zoom_in")
    _key(qtbot, window, "zoom_in")
    assert view.document().defaultFont().pointSize() == size + 2
    _key(qtbot, window, "zoom_out")
    assert view.document().defaultFont().pointSize() == size + 1
    _key(qtbot, window, "zoom_reset")
    assert view.document().defaultFont().pointSize() == size
    for dock in window.docks.values():
        dock.hide()
    window.actions_by_name["toggle_sidebar"].trigger()  # hide the sidebar: the page gets the room
    assert not window.sidebar.isVisible()
    window.resize(1400, 800)
    qtbot.waitUntil(lambda: view.width() > 900)
    window.actions_by_name["width_narrow"].trigger()
    narrow_margin = view.viewportMargins().left()
    assert view.viewport().width() <= 620 < narrow_margin * 2 + view.viewport().width()
    window.actions_by_name["width_full"].trigger()
    assert view.viewportMargins().left() == 0 < narrow_margin
    _key(qtbot, window, "narrower")
    assert window.theme.settings.width == "wide" and view.viewportMargins().left() > 0


def test_find_in_page_counts_matches_and_steps(qtbot, window):
    view, bar = window.view, window.find_bar
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # the standard Find key
    assert bar.isVisible() and bar.field.hasFocus()
    qtbot.keyClicks(bar.field, "Artsakh")
    expected = view.toPlainText().lower().count("artsakh")
    assert expected > 5
    assert bar.count == expected
    assert bar.count_label.text().endswith(f"of {expected}")
    assert len(view.extraSelections()) == expected  # highlight all
    first = bar.current
    qtbot.keyClick(bar.field, Qt.Key.Key_Return)
    assert bar.current == (first + 1) % expected
    qtbot.keyClick(bar.field, Qt.Key.Key_F3, Qt.KeyboardModifier.ShiftModifier)
    assert bar.current == first
    assert view.textCursor().selectedText().lower() == "artsakh"
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(bar.prev_button, Qt.MouseButton.LeftButton)
    assert bar.current == (first + 1) % expected
    qtbot.mouseClick(bar.highlight_box, Qt.MouseButton.LeftButton)
    assert view.extraSelections() == []
    bar.highlight_box.setChecked(True)
    qtbot.keyClicks(bar.field, "zzz")
    assert bar.count == 0 and bar.count_label.text() == "No matches"
    qtbot.keyClick(bar.field, Qt.Key.Key_Escape)
    assert not bar.isVisible() and view.extraSelections() == []


def test_every_action_is_in_a_menu_with_a_unique_shortcut(window):
    in_menus = set()

    def collect(menu):
        for action in menu.actions():
            in_menus.add(action)
            if action.menu():
                collect(action.menu())

    for top in window.menuBar().actions():
        collect(top.menu())
    seen = {}
    for name, action in window.actions_by_name.items():
        assert action in in_menus, name
        assert action.shortcuts(), f"{name} has no shortcut"
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, f"{name} and {seen.get(text)} share {text}"
            seen[text] = name
    standard = {"find": QKeySequence.StandardKey.Find, "back": QKeySequence.StandardKey.Back,
                "zoom_in": QKeySequence.StandardKey.ZoomIn, "quit": QKeySequence.StandardKey.Quit}
    for name, key in standard.items():  # where the platform defines the standard key, it is used
        for binding in QKeySequence.keyBindings(key):
            assert binding in window.actions_by_name[name].shortcuts(), name


def test_no_window_shortcut_is_ambiguous_with_a_panel_shortcut(window):
    """Qt triggers neither of two actions that share a key in overlapping contexts."""
    from PySide6.QtGui import QAction

    window_keys = {}
    for action in window.actions_by_name.values():
        if action.shortcutContext() in (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut):
            for key in action.shortcuts():
                window_keys[key.toString()] = action
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            owner = window_keys.get(key.toString())
            assert owner is None or owner is action, f"{key.toString()}: {owner.text()} vs {action.text()}"


def test_widgets_have_accessible_names_and_a_sensible_tab_order(qtbot, window):
    from PySide6.QtWidgets import QAbstractButton, QAbstractItemView, QHeaderView, QLineEdit, QTextEdit

    for root in (window.library_panel, window.toc, window.view, window.find_bar, window.activity):
        widgets = [root] + root.findChildren(QLineEdit) + root.findChildren(QAbstractItemView) \
            + root.findChildren(QTextEdit) + root.findChildren(QAbstractButton)
        for widget in widgets:
            if isinstance(widget.parent(), QLineEdit) or isinstance(widget, QHeaderView):
                continue  # the line edit's own clear button; the TOC's hidden header
            assert widget.accessibleName() or (isinstance(widget, QAbstractButton) and widget.text()), widget
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    panel = window.library_panel
    panel.filter_field.setFocus()
    order = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    assert order == [panel.list, window.toc, window.view]


def test_keyboard_reaches_search_bookmarks_and_notes(qtbot, window):
    if window.search_panel is None or window.notes_panel is None or window.bookmarks_panel is None:
        import pytest

        pytest.skip("the side panels are not in this build")
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    view = window.view
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search_panel.query
    window.open_article(SEED_ID, "background")
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: any(b.section_id == "background" for b in window.library.store.bookmarks()))
    # select a passage, Ctrl+Shift+N: the note editor opens with it as the quote
    found = view.document().find("inhabited mostly by ethnic Armenians")
    view.setTextCursor(found)
    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.docks["notes_panel"].isVisible()
    assert window.notes_panel.editor.isVisible()
    assert window.notes_panel.current == (SEED_ID, "background")
    assert "inhabited mostly by ethnic Armenians" in window.notes_panel.editor.quote_label.text()


def test_page_gains_a_link_when_its_target_arrives_and_is_left_alone_otherwise(qtbot, window, tmp_path):
    from .shell_support import article_file

    article_file(tmp_path / "a", "a.txt", "= Alpha article =\n\nLead.\n\n== See also ==\n\n- Beta article\n")
    window.library.add_sources([tmp_path / "a"])
    window.open_article(window.library.find_by_title("Alpha article").id)
    view = window.view
    assert view._rendered.links == 0
    unrelated = view._rendered
    article_file(tmp_path / "c", "c.txt", "= Gamma article =\n\nNothing to do with it.\n")
    with qtbot.waitSignal(window.library_panel.scan_finished, timeout=10_000):
        window.library_panel.add_paths([tmp_path / "c"])
    drain()  # the worker deciding whether the page changed has finished...
    QApplication.processEvents()  # ...and its answer has been delivered
    assert view._rendered is unrelated
    article_file(tmp_path / "b", "b.txt", "= Beta article =\n\nThe target.\n")
    with qtbot.waitSignal(view.rerendered, timeout=10_000):
        window.library_panel.add_paths([tmp_path / "b"])
    assert view._rendered.links == 1


def test_backspace_edits_text_fields_instead_of_going_back(qtbot, data_window):
    win = data_window
    other = win.library.find_by_title("Homarus gammarus").id
    win.open_article(other)  # history: first article, then this one
    field = win.library_panel.filter_field
    field.setFocus()
    qtbot.keyClicks(field, "homx")
    qtbot.keyClick(field, Qt.Key.Key_Backspace)
    assert field.text() == "hom"
    assert win.view.article_id == other  # Backspace (a platform Back key) did not navigate
