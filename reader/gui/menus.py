"""Menus, actions and keyboard shortcuts of the main window.

Every action has a menu entry and a shortcut; standard keys (``QKeySequence``
StandardKey) are used where Qt has one, so they follow each platform's
conventions. ``build_menus(window)`` returns the actions by name (tests and
the shortcuts dialog use that map).

Ctrl+F is the platform's Find key and opens find-in-page (as in browsers and
calibre); library search has Ctrl+K and Ctrl+Shift+F.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QFont, QFontInfo, QKeySequence
from PySide6.QtWidgets import QFontDialog, QMessageBox

from .. import __version__
from . import messages
from .theme import THEMES, WIDTHS

Std = QKeySequence.StandardKey


def _action(window, actions: dict, name: str, text: str, shortcuts, slot, tip: str = "", checkable=False) -> QAction:
    action = QAction(text, window)
    keys = []
    for shortcut in shortcuts if isinstance(shortcuts, (list, tuple)) else [shortcuts]:
        if isinstance(shortcut, Std):
            keys += QKeySequence.keyBindings(shortcut)
        elif shortcut:
            keys.append(QKeySequence(shortcut))
    unique = []
    for key in keys:  # a standard key may already be the fallback we list
        if key not in unique:
            unique.append(key)
    action.setShortcuts(unique)
    action.setStatusTip(tip or text.replace("&", "").rstrip("…"))
    action.setCheckable(checkable)
    action.triggered.connect(slot)
    window.addAction(action)  # shortcuts work even when the menu bar is hidden
    actions[name] = action
    return action


def build_menus(window) -> dict[str, QAction]:
    actions: dict[str, QAction] = {}
    add = partial(_action, window, actions)
    bar = window.menuBar()
    panel = window.library_panel
    view = window.view
    theme = window.theme

    file_menu = bar.addMenu("&File")
    for name, action in (("add_files", panel.add_files_action), ("add_folder", panel.add_folder_action),
                         ("remove_source", panel.remove_action), ("rescan", panel.rescan_action)):
        window.addAction(action)
        actions[name] = action
        file_menu.addAction(action)
    file_menu.addAction(add("update_index", "&Update Search Index", "Ctrl+Shift+U", window.update_index))
    file_menu.addAction(add("rebuild_index", "Re&build Search Index", "Ctrl+Alt+Shift+U",
                            lambda: window.update_index(rebuild=True)))
    file_menu.addSeparator()
    file_menu.addAction(add("import_notes", "&Import Notes…", "Ctrl+Shift+I", partial(_notes_io, window, "import_notes")))
    file_menu.addAction(add("export_notes", "&Export Notes…", "Ctrl+Shift+E", partial(_notes_io, window, "export_notes")))
    file_menu.addAction(add("review_notes", "Re&view Changed Notes…", "Ctrl+Shift+V", partial(_review_notes, window)))
    file_menu.addSeparator()
    file_menu.addAction(add("cancel_task", "&Cancel Background Task", "Ctrl+Shift+X", window.activity.cancel_current))
    file_menu.addAction(add("quit", "&Quit", [Std.Quit, "Ctrl+Q"], window.close))

    edit = bar.addMenu("&Edit")
    _undo_entries(window, actions, edit)
    edit.addAction(add("copy", "&Copy", Std.Copy, view.copy))
    edit.addAction(add("select_all", "Select &All", Std.SelectAll, view.selectAll))
    edit.addAction(add("caret_mode", "Caret &Browsing", "F7", partial(_caret_mode, window),
                       "Move a text cursor in the article with the arrows; Shift+arrows select", checkable=True))
    edit.addSeparator()
    edit.addAction(add("find", "&Find in Page…", Std.Find, window.find_bar.open_bar))
    edit.addAction(add("find_next", "Find &Next", Std.FindNext, window.find_bar.find_next))
    edit.addAction(add("find_previous", "Find &Previous", Std.FindPrevious, window.find_bar.find_previous))
    edit.addSeparator()
    edit.addAction(add("search", "&Search Library…", ["Ctrl+K", "Ctrl+Shift+F"], window.focus_search))
    edit.addAction(add("filter", "Filter &Articles", "Ctrl+L", panel.focus_filter))
    edit.addSeparator()
    edit.addAction(add("bookmark", "&Bookmark This Section", "Ctrl+D", window.bookmark_current))
    edit.addAction(add("add_note", "Add &Note…", "Ctrl+Shift+N", window.add_note_here,
                       "Add a note to this section (quoting the selected text)"))
    edit.addAction(add("requote", "&Quote This Instead", "Ctrl+Shift+Q", partial(_requote, window),
                       "Anchor the note selected in the Notes panel to the selected text"))
    view.context_actions = [actions["bookmark"], actions["add_note"], actions["requote"]]
    if window.notes_panel is not None:
        window.notes_panel.selection_source = partial(_selection, window)

    view_menu = bar.addMenu("&View")
    themes = view_menu.addMenu("&Theme")
    _choices(window, add, themes, "theme", THEMES, 1)
    themes.addSeparator()
    themes.addAction(add("next_theme", "&Next Theme", "Ctrl+Shift+T", partial(_cycle_theme, window)))
    view_menu.addAction(add("zoom_in", "Zoom &In", [Std.ZoomIn, "Ctrl+="], theme.zoom_in))
    view_menu.addAction(add("zoom_out", "Zoom &Out", Std.ZoomOut, theme.zoom_out))
    view_menu.addAction(add("zoom_reset", "&Reset Zoom", "Ctrl+0", theme.zoom_reset))
    view_menu.addAction(add("font", "&Font…", "Ctrl+Shift+P", partial(_choose_font, window)))
    widths = view_menu.addMenu("Reading &Width")
    _choices(window, add, widths, "width", list(WIDTHS), 5)
    widths.addSeparator()
    widths.addAction(add("wider", "&Wider", "Ctrl+]", partial(_step_width, window, +1)))
    widths.addAction(add("narrower", "&Narrower", "Ctrl+[", partial(_step_width, window, -1)))
    view_menu.addSeparator()
    view_menu.addAction(add("toggle_sidebar", "&Library and Contents", "F9",
                            lambda: window.sidebar.setVisible(actions["toggle_sidebar"].isChecked()), checkable=True))
    actions["toggle_sidebar"].setChecked(True)
    window.sidebar_toggle = actions["toggle_sidebar"]
    panels = view_menu.addMenu("&Panels")
    for attribute in ("search_panel", "bookmarks_panel", "notes_panel"):
        dock = window.docks.get(attribute)
        if dock is not None:  # show or hide; the Go menu's keys bring a panel to the front
            panels.addAction(dock.toggleViewAction())
    notes = window.notes_panel
    if notes is not None and hasattr(notes, "all_action"):
        # the panel's own action, made window-wide: two actions on one key would be ambiguous
        all_notes = notes.all_action
        all_notes.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        window.addAction(all_notes)
        actions["all_notes"] = all_notes
        view_menu.addAction(all_notes)
    view_menu.addSeparator()
    view_menu.addAction(add("full_screen", "F&ull Screen", [Std.FullScreen, "F11"], partial(_full_screen, window)))

    go = bar.addMenu("&Go")
    go.addAction(add("back", "&Back", Std.Back, window.go_back))
    go.addAction(add("forward", "&Forward", Std.Forward, window.go_forward))
    go.addSeparator()
    go.addAction(add("next_section", "&Next Section", "Alt+Down", partial(window.go_section, +1)))
    go.addAction(add("previous_section", "&Previous Section", "Alt+Up", partial(window.go_section, -1)))
    go.addAction(add("focus_article", "&Article Text", "Ctrl+Shift+A", view.setFocus))
    go.addAction(add("focus_contents", "&Contents", "Ctrl+Shift+C", window.toc.setFocus))
    go.addSeparator()
    go.addAction(add("focus_library", "&Library", "Ctrl+Shift+L", window.toggle_library_focus,
                     "Show and go to the library (again: back to the article)"))
    for attribute, text, key in (("search_panel", "&Search Panel", "Ctrl+Shift+S"),
                                 ("bookmarks_panel", "&Bookmarks Panel", "Ctrl+Shift+B"),
                                 ("notes_panel", "&Notes Panel", "Ctrl+Shift+M")):
        if attribute in window.docks:
            go.addAction(add(f"focus_{attribute}", text, key, partial(window.toggle_panel_focus, attribute),
                             f"Show and go to the {text.replace('&', '').lower()} (again: back to the article)"))

    help_menu = bar.addMenu("&Help")
    help_menu.addAction(add("shortcuts", "&Keyboard Shortcuts", Std.HelpContents, partial(_show_shortcuts, window)))
    help_menu.addAction(add("about", "&About Lectern", "Ctrl+Shift+F1", partial(_about, window)))
    for action in actions.values():  # shortcuts in tooltips help people learn them
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            action.setToolTip(f"{action.text().replace('&', '')} ({keys})")
    return actions


def _undo_entries(window, actions: dict, menu) -> None:
    """Edit ▸ Undo / Redo of notes and bookmarks (the library's history, shared with All notes).

    A text field's own Ctrl+Z (the note editor, a filter) wins while it has focus.
    """
    from .undo import history_for

    undo, redo = history_for(window.library).actions(window)
    for name, action in (("undo", undo), ("redo", redo)):
        window.addAction(action)
        menu.addAction(action)
        actions[name] = action
    menu.addSeparator()


def _selection(window) -> tuple:
    """(article id, section id, quote, prefix, suffix) of the article's selection."""
    quote, prefix, suffix = window.view.selection_context()
    return window.view.article_id, window.view.selection_section_id(), quote, prefix, suffix


def _requote(window) -> None:
    problem = window.view.selection_problem()
    if problem:  # a quote lives in one section
        messages.show_info(problem)
        return
    panel = window.show_dock("notes_panel")
    if panel is not None:
        panel.requote_from_selection()


def _choices(window, add, menu, setting: str, names, first_digit: int) -> None:
    """Exclusive checkable actions ``SETTING_NAME`` (Ctrl+Alt+digit) that set one reading setting."""
    theme = window.theme
    group = QActionGroup(window)
    by_name = {}
    for digit, name in enumerate(names, start=first_digit):
        act = add(f"{setting}_{name}", f"&{name.title()}", f"Ctrl+Alt+{digit}",
                  partial(theme.update, **{setting: name}), checkable=True)
        if setting == "width":
            act.triggered.connect(window.announce_reading_width)
        act.setChecked(getattr(theme.settings, setting) == name)
        group.addAction(act)
        menu.addAction(act)
        by_name[name] = act
    theme.changed.connect(lambda: by_name[getattr(theme.settings, setting)].setChecked(True))


def _cycle_theme(window) -> None:
    names = list(THEMES)
    window.theme.update(theme=names[(names.index(window.theme.settings.theme) + 1) % len(names)])


def _step_width(window, delta: int) -> None:
    names = list(WIDTHS)
    index = names.index(window.theme.settings.width) + delta
    window.theme.update(width=names[min(max(index, 0), len(names) - 1)])
    window.announce_reading_width()


def _caret_mode(window) -> None:
    on = window.actions_by_name["caret_mode"].isChecked()
    window.view.set_caret_mode(on)
    messages.show_info("Caret browsing on: arrows move the cursor, Shift+arrows select (F7 turns it off)"
                       if on else "Caret browsing off")


def _full_screen(window) -> None:
    window.showNormal() if window.isFullScreen() else window.showFullScreen()


def _choose_font(window) -> QFontDialog:
    """The font dialog, opened on the font the article really uses (the default serif
    resolved to its family, zoom included); OK without a change changes nothing."""
    settings = window.theme.settings
    shown = QFont(QFontInfo(settings.font()).family(), settings.effective_size())
    dialog = QFontDialog(shown, window)
    dialog.setWindowTitle("Article font")
    dialog.setObjectName("fontDialog")

    def chosen(font):
        if font.family() == shown.family() and font.pointSize() == shown.pointSize():
            return  # OK on the font shown: keep the settings (the default serif stays the default)
        family = "" if font.family() == shown.family() else font.family()
        window.theme.update(font_family=family or settings.font_family, font_size=max(6, font.pointSize()), zoom=0)

    dialog.fontSelected.connect(chosen)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()  # never block the event loop
    return dialog


def _notes_io(window, function: str) -> None:
    try:
        from . import notes_io
    except ImportError:
        messages.show_info("Notes import and export are not available in this build")
        return
    getattr(notes_io, function)(window, window.library)


def _review_notes(window) -> None:
    from .review_notes import open_review

    open_review(window)


def _show_shortcuts(window) -> None:
    """The shortcuts dialog (one at a time, non-modal): raised if already open."""
    from .shortcuts_dialog import ShortcutsDialog, shortcut_rows

    dialog = window.findChild(ShortcutsDialog)
    if dialog is None:
        dialog = ShortcutsDialog(shortcut_rows(window.actions_by_name.values(), window.menuBar()), window)
    dialog.show()
    dialog.raise_()
    dialog.activateWindow()
    dialog.filter_field.setFocus()


def _about(window) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "About Lectern",
                      f"Lectern {__version__}\nAn offline reader for sectioned articles, "
                      "with full-text search, bookmarks and notes.",
                      QMessageBox.StandardButton.Close, window)
    box.open()
