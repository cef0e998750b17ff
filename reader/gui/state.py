"""What the window remembers between runs, and the back/forward history.

* Window geometry, dock and toolbar state, splitter sizes and the reading
  settings (theme, font, zoom, width) go to ``paths.settings_file`` (an INI
  file; never Qt's default location under HOME).
* The last article, its scroll position and the history are reading state,
  kept by ``library.store`` (the user-data database), so they survive with the
  user's data and are shared with the CLI.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow, QSplitter

from .theme import THEMES, WIDTHS, ZOOM_MAX, ZOOM_MIN, ReadingSettings

HISTORY_LIMIT = 200
FONT_SIZE_MIN, FONT_SIZE_MAX = 6, 72  # points: what a saved settings file may ask for


def open_settings(paths) -> QSettings:
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    return QSettings(str(paths.settings_file), QSettings.Format.IniFormat)


# --------------------------------------------------------------------------- history


@dataclass(frozen=True)
class Place:
    article_id: str
    section_id: str = ""


class History:
    """Back/forward over places (article + section), like a browser's."""

    def __init__(self, entries: list[Place] | None = None, index: int = -1, limit: int = HISTORY_LIMIT):
        self.entries = list(entries or [])
        self.limit = limit
        self.index = min(max(index, -1), len(self.entries) - 1)
        if self.entries and self.index < 0:
            self.index = len(self.entries) - 1

    @property
    def current(self) -> Place | None:
        return self.entries[self.index] if 0 <= self.index < len(self.entries) else None

    def visit(self, place: Place) -> None:
        """A new place: drops the forward entries; the same place twice is one entry."""
        if self.current == place:
            return
        del self.entries[self.index + 1:]
        self.entries.append(place)
        if len(self.entries) > self.limit:
            del self.entries[: len(self.entries) - self.limit]
        self.index = len(self.entries) - 1

    def update_current(self, place: Place) -> None:
        """Remember where the reader scrolled to, so Back returns there."""
        if self.current is not None and self.current.article_id == place.article_id:
            self.entries[self.index] = place

    def can_back(self) -> bool:
        return self.index > 0

    def can_forward(self) -> bool:
        return self.index < len(self.entries) - 1

    def back(self) -> Place | None:
        if not self.can_back():
            return None
        self.index -= 1
        return self.current

    def forward(self) -> Place | None:
        if not self.can_forward():
            return None
        self.index += 1
        return self.current

    def forget(self, valid) -> None:
        """Drop places whose article is gone (``valid(article_id) -> bool``)."""
        current = self.current
        self.entries = [p for p in self.entries if valid(p.article_id)]
        self.index = self.entries.index(current) if current in self.entries else len(self.entries) - 1


# --------------------------------------------------------------------------- reading state (store)


@dataclass(frozen=True)
class ReadingPosition:
    article_id: str
    section_id: str
    offset: int


class ReadingState:
    """Last article, position and history through ``library.store`` (None-safe if it fails)."""

    def __init__(self, library):
        self.library = library

    def _store(self):
        try:
            return self.library.store
        except ImportError:  # user data not built into this copy
            return None

    def save(self, position: ReadingPosition | None, history: History) -> None:
        store = self._store()
        if store is None:
            return
        if position is not None and position.article_id:
            store.set_last_article(position.article_id)
            store.set_position(position.article_id, position.section_id, int(position.offset))
        store.set_history([(p.article_id, p.section_id) for p in history.entries], history.index)

    def load(self) -> tuple[ReadingPosition | None, History]:
        store = self._store()
        if store is None:
            return None, History()
        history = History(*_history_from(store.history()))
        history.forget(self.library.has_article)
        last = store.last_article()
        if not last or not self.library.has_article(last):
            return None, history
        section_id, offset = _position_from(store.position(last))
        return ReadingPosition(last, section_id, offset), history


def _history_from(raw) -> tuple[list[Place], int]:
    """``store.history()`` is ``([(article_id, section_id), ...], index)``."""
    entries, index = raw if raw else ([], -1)
    places = [Place(entry[0], entry[1] or "") for entry in entries if entry and entry[0]]
    return places, index if len(places) == len(entries) else -1


def _position_from(raw) -> tuple[str, int]:
    """``store.position()`` is ``(section_id, offset)`` or None."""
    return (raw[0] or "", int(raw[1] or 0)) if raw else ("", 0)


# --------------------------------------------------------------------------- window and reading settings


def save_window(settings: QSettings, window: QMainWindow, splitters: dict[str, QSplitter]) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    for name, splitter in splitters.items():
        settings.setValue(f"splitters/{name}", splitter.saveState())


def restore_window(settings: QSettings, window: QMainWindow, splitters: dict[str, QSplitter]) -> bool:
    """Restore what was saved; False when there was nothing (first run)."""
    geometry = settings.value("window/geometry")
    if isinstance(geometry, QByteArray) and not geometry.isEmpty():
        window.restoreGeometry(geometry)
    state = settings.value("window/state")
    if isinstance(state, QByteArray) and not state.isEmpty():
        window.restoreState(state)
    for name, splitter in splitters.items():
        value = settings.value(f"splitters/{name}")
        if isinstance(value, QByteArray) and not value.isEmpty():
            splitter.restoreState(value)
    return isinstance(geometry, QByteArray) and not geometry.isEmpty()


def load_reading_settings(settings: QSettings) -> ReadingSettings:
    """The saved reading settings; a value of the wrong kind is ignored, a number out of range clamped.

    The settings file is a text file anyone can edit: ``font_size=99999999999``
    must not stop the window from starting (Qt raises OverflowError on it).
    """
    defaults = ReadingSettings()
    values = {}
    for f in fields(ReadingSettings):
        default = getattr(defaults, f.name)
        values[f.name] = _setting_value(settings.value(f"reading/{f.name}", default), default)
    if values["theme"] not in THEMES:
        values["theme"] = defaults.theme
    if values["width"] not in WIDTHS:
        values["width"] = defaults.width
    values["font_size"] = min(FONT_SIZE_MAX, max(FONT_SIZE_MIN, values["font_size"]))
    values["zoom"] = min(ZOOM_MAX, max(ZOOM_MIN, values["zoom"]))
    return ReadingSettings(**values)


def _setting_value(raw: object, default: str | int) -> str | int:
    """``raw`` as the type of ``default`` (an INI file gives strings, or a list for "a, b"), else ``default``."""
    if isinstance(default, str):
        return raw if isinstance(raw, str) else default
    try:
        return int(str(raw).strip())
    except ValueError:
        return default


def save_reading_settings(settings: QSettings, reading: ReadingSettings) -> None:
    for f in fields(ReadingSettings):
        settings.setValue(f"reading/{f.name}", getattr(reading, f.name))
