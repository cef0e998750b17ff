"""The side panels (search, bookmarks, notes) in dock widgets on the window's right.

Each panel module is optional: a build without it (or without the core part it
needs, such as the search index or the user-data store) still gets a working
reader, and the missing panel is reported once in the status bar.
"""

from __future__ import annotations

import importlib

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QDockWidget, QToolBar, QToolButton, QWidget

from ..errors import LecternError
from . import messages

# (window attribute, module, class, dock title, object name for saveState)
DOCKED_PANELS = (
    ("search_panel", "search_panel", "SearchPanel", "Search", "searchDock"),
    ("bookmarks_panel", "bookmarks_panel", "BookmarksPanel", "Bookmarks", "bookmarksDock"),
    ("notes_panel", "notes_panel", "NotesPanel", "Notes", "notesDock"),
)
PANEL_ATTRIBUTES = tuple(row[0] for row in DOCKED_PANELS)
MIN_PANEL_PX = 200  # how narrow a side panel may be dragged


def _load_panel_class(module: str, name: str):
    """A panel class, or None while that panel is not part of this build."""
    try:
        return getattr(importlib.import_module(f"{__package__}.{module}"), name)
    except ImportError:
        return None


def _make_panel(window, module: str, class_name: str, title: str) -> QWidget | None:
    panel_class = _load_panel_class(module, class_name)
    if panel_class is None:
        return None
    try:
        return panel_class(window.library, window)
    except ImportError as exc:  # its core part (search, user data) is missing
        messages.show_info(f"{title} is unavailable: {exc}")
    except LecternError as exc:  # e.g. an unreadable database: the reader still works
        messages.show_error(exc, f"the {title.lower()} panel could not start")
    return None


def _toolbar_buttons_take_tab(panel: QWidget) -> None:
    """A panel's tool-bar buttons (Add note, Edit, Delete...) are Tab stops: Qt leaves tool-bar
    buttons out of the focus chain, which puts them out of a keyboard user's reach."""
    for bar in panel.findChildren(QToolBar):
        for action in bar.actions():
            button = bar.widgetForAction(action)
            if button is not None:
                button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        overflow = bar.findChild(QToolButton, "qt_toolbar_ext_button")  # "»": the buttons that did not fit
        if overflow is not None:
            overflow.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            overflow.setAccessibleName("More actions")


def build_docks(window) -> tuple[dict[str, QDockWidget], dict[str, QWidget]]:
    """Create the available panels, tabified on the right; their hits open in ``window``."""
    docks: dict[str, QDockWidget] = {}
    panels: dict[str, QWidget] = {}
    previous = None
    for attribute, module, class_name, title, object_name in DOCKED_PANELS:
        panel = _make_panel(window, module, class_name, title)
        if panel is None:
            continue
        panel.open_requested.connect(window.open_article)
        _toolbar_buttons_take_tab(panel)
        # An explicit minimum: otherwise a wide child shown later (a combo box listing a
        # long folder name) raises the panel's minimum and the dock squeezes the article.
        panel.setMinimumWidth(MIN_PANEL_PX)
        for combo in panel.findChildren(QComboBox):  # and such a combo box fits the panel, eliding
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.setMinimumContentsLength(8)
        dock = QDockWidget(title, window)
        dock.setObjectName(object_name)
        dock.setWidget(panel)
        dock.setAccessibleName(f"{title} panel")
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        if previous is not None:
            window.tabifyDockWidget(previous, dock)
        previous = dock
        docks[attribute] = dock
        panels[attribute] = panel
    if "search_panel" in docks:
        docks["search_panel"].raise_()
    return docks, panels
