"""Themes (light, dark, sepia) for the window chrome and the article, plus reading settings.

A theme is a Qt palette (set on the application, Fusion style, so every widget
follows it), a small style sheet for chrome details (``resources/styles/NAME.qss``)
and the article's CSS (``resources/styles/article.css`` filled with the theme's colours), which the reading
view installs as the document's default style sheet: the article changes colour
with the window, unlike Kiwix's long-standing complaint.

:class:`ReadingSettings` holds the font, size, zoom and reading width; the
:class:`ThemeManager` owns the current theme and settings and emits
``changed`` when either changes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from pathlib import Path
from string import Template

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

THEMES = ("light", "dark", "sepia")
WIDTHS = {"narrow": 620, "medium": 760, "wide": 960, "full": 0}  # reading column in px (0 = no limit)
ZOOM_MIN, ZOOM_MAX = -6, 20  # points added to the base size


@dataclass(frozen=True)
class Colors:
    window: str
    base: str  # text fields, lists, the page
    alternate: str
    text: str
    muted: str
    button: str
    accent: str  # selection, links
    accent_text: str
    term: str  # search-term highlight
    find: str  # find-in-page highlight
    find_current: str
    heading: str
    link: str  # in the article (the accent may be too dark on a dark page)
    border: str
    note_alpha: int = 115  # painted notes: the note's colour over the page, this opaque (0-255)


COLORS = {
    "light": Colors("#f3f4f6", "#ffffff", "#f6f8fa", "#1f2328", "#59636e", "#eceef1",
                    "#0b5cad", "#ffffff", "#fff0a0", "#ffe27a", "#ffab40",
                    "#111418", "#0b5cad", "#d0d7de"),
    "dark": Colors("#202328", "#1b1d21", "#24272d", "#d6d9de", "#9aa3ad", "#2b2f36",
                   "#3d7bd9", "#ffffff", "#6b5a12", "#5c4d0e", "#a3661a",
                   "#eef0f3", "#7ab7ff", "#3a3f47", note_alpha=95),
    "sepia": Colors("#ebe0c6", "#f4ecd8", "#ede2c8", "#4a3a2c", "#6b5540", "#e4d7b8",
                    "#8a4b08", "#fff8ea", "#f3d77a", "#f0cf6a", "#e59a3c",
                    "#3b2c1f", "#8a4b08", "#d8c8a4"),
}


@dataclass(frozen=True)
class ReadingSettings:
    theme: str = "light"
    font_family: str = ""  # "" = the platform's default serif
    font_size: int = 12  # points, before zoom
    zoom: int = 0  # points added by zoom in/out
    width: str = "medium"

    def effective_size(self) -> int:
        return max(4, self.font_size + self.zoom)

    def font(self) -> QFont:
        font = QFont(self.font_family) if self.font_family else QFont()
        if not self.font_family:
            font.setStyleHint(QFont.StyleHint.Serif)
            font.setFamilies(["Noto Serif", "DejaVu Serif", "Georgia", "Times New Roman", "serif"])
        font.setPointSize(self.effective_size())
        return font

    def width_px(self) -> int:
        return WIDTHS.get(self.width, WIDTHS["medium"])


def styles_dir() -> Path:
    from ..paths import bundle_root

    return bundle_root() / "resources" / "styles"


def _read_style(name: str) -> str:
    try:
        return (styles_dir() / name).read_text(encoding="utf-8")
    except OSError:
        return ""  # a missing style file leaves Qt's defaults: ugly, never fatal


def article_css(theme: str) -> str:
    """The article's style sheet in this theme's colours."""
    return Template(_read_style("article.css")).safe_substitute(asdict(COLORS[theme]))


def focus_css(colors: Colors) -> str:
    """A visible focus ring on every Tab stop, in the theme's accent colour.

    Scroll areas (the article, lists, trees) keep a transparent border of the same
    width when unfocused, so focus never changes their size (the article would be
    laid out again on every focus change); small controls get a rounded frame.
    """
    ring = colors.accent
    areas = "QListView, QTreeView, QTableView, QTextEdit, QPlainTextEdit"
    controls = "QToolButton:focus, QCheckBox:focus"  # Fusion rings line edits, push buttons, combo boxes itself
    return (
        f"\n{areas} {{ border: 2px solid transparent; }}\n"
        f"{areas.replace(',', ':focus,')}:focus {{ border: 2px solid {ring}; }}\n"
        f"QTextBrowser#readingView {{ border: 2px solid transparent; }}\n"
        f"QTextBrowser#readingView:focus {{ border: 2px solid {ring}; }}\n"
        f"QCheckBox {{ border: 1px solid transparent; border-radius: 3px; padding: 1px; }}\n"
        f"{controls} {{ border: 1px solid {ring}; border-radius: 3px; padding: 1px; }}\n"
        f"QTabBar::tab:selected:focus {{ text-decoration: underline; color: {ring}; }}\n"
    )


def palette_for(theme: str) -> QPalette:
    c = COLORS[theme]
    pal = QPalette()
    roles = QPalette.ColorRole
    for role, value in (
        (roles.Window, c.window), (roles.WindowText, c.text), (roles.Base, c.base),
        (roles.AlternateBase, c.alternate), (roles.Text, c.text), (roles.Button, c.button),
        (roles.ButtonText, c.text), (roles.Highlight, c.accent), (roles.HighlightedText, c.accent_text),
        (roles.Link, c.accent), (roles.ToolTipBase, c.base), (roles.ToolTipText, c.text),
        (roles.PlaceholderText, c.muted), (roles.BrightText, "#ff5555"),
    ):
        pal.setColor(role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        pal.setColor(disabled, role, QColor(c.muted))
    return pal


class ThemeManager(QObject):
    """The current theme and reading settings; applies the theme to the application."""

    changed = Signal()

    def __init__(self, settings: ReadingSettings | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.settings = settings or ReadingSettings()

    @property
    def colors(self) -> Colors:
        return COLORS[self.settings.theme]

    def apply_to_app(self) -> None:
        app = QApplication.instance()
        if app is None:
            return
        app.setStyle("Fusion")
        app.setPalette(palette_for(self.settings.theme))
        app.setStyleSheet(_read_style(f"{self.settings.theme}.qss") + focus_css(self.colors))

    def update(self, **changes) -> None:
        """Change settings (``theme=``, ``font_family=``, ``font_size=``, ``zoom=``, ``width=``)."""
        if "theme" in changes and changes["theme"] not in THEMES:
            raise ValueError(f"unknown theme {changes['theme']!r}")
        if "zoom" in changes:
            changes["zoom"] = min(ZOOM_MAX, max(ZOOM_MIN, int(changes["zoom"])))
        new = replace(self.settings, **changes)
        if new == self.settings:
            return
        theme_changed = new.theme != self.settings.theme
        self.settings = new
        if theme_changed:
            self.apply_to_app()
        self.changed.emit()

    def zoom_in(self) -> None:
        self.update(zoom=self.settings.zoom + 1)

    def zoom_out(self) -> None:
        self.update(zoom=self.settings.zoom - 1)

    def zoom_reset(self) -> None:
        self.update(zoom=0)
