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
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
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
    view_menu.addAction(add("toggle_sidebar", "&Library and Contents", "Ctrl+Shift+L",
                            lambda: window.sidebar.setVisible(actions["toggle_sidebar"].isChecked()), checkable=True))
    actions["toggle_sidebar"].setChecked(True)
    for attribute, key in (("search_panel", "Ctrl+Shift+S"), ("bookmarks_panel", "Ctrl+Shift+B"),
                           ("notes_panel", "Ctrl+Shift+M")):
        dock = window.docks.get(attribute)
        if dock is not None:
            toggle = dock.toggleViewAction()
            toggle.setShortcut(QKeySequence(key))
            window.addAction(toggle)
            actions[f"toggle_{attribute}"] = toggle
            view_menu.addAction(toggle)
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


def _full_screen(window) -> None:
    window.showNormal() if window.isFullScreen() else window.showFullScreen()


def _choose_font(window) -> None:
    dialog = QFontDialog(window.theme.settings.font(), window)
    dialog.setWindowTitle("Article font")

    def chosen(font):
        window.theme.update(font_family=font.family(), font_size=max(6, font.pointSize()), zoom=0)

    dialog.fontSelected.connect(chosen)
    dialog.open()  # never block the event loop


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


def shortcut_rows(window) -> list[tuple[str, str]]:
    rows = []
    for action in window.actions_by_name.values():
        keys = ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts())
        if keys:
            rows.append((action.text().replace("&", "").rstrip("…"), keys))
    return rows


def _show_shortcuts(window) -> None:
    from html import escape

    table = "".join(f"<tr><td>{escape(a)}</td><td><b>{escape(k)}</b></td></tr>" for a, k in shortcut_rows(window))
    box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table cellpadding=3>{table}</table>",
                      QMessageBox.StandardButton.Close, window)
    box.open()


def _about(window) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, "About Lectern",
                      f"Lectern {__version__}\nAn offline reader for sectioned articles, "
                      "with full-text search, bookmarks and notes.",
                      QMessageBox.StandardButton.Close, window)
    box.open()
