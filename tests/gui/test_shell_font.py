"""The font dialog opens on the article's font; OK without a change keeps it."""

from __future__ import annotations

from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QFontDialog

from .shell_support import window  # noqa: F401 - fixture


def _dialog(window) -> QFontDialog:
    window.actions_by_name["font"].trigger()
    [dialog] = [d for d in window.findChildren(QFontDialog) if d.isVisible()]
    return dialog


def test_font_dialog_opens_on_the_articles_font_and_ok_keeps_it(qtbot, window):
    view = window.view
    window.theme.zoom_in()
    article_font = QFontInfo(view.document().defaultFont())
    before = window.theme.settings
    dialog = _dialog(window)
    assert dialog.currentFont().family() == article_font.family()
    assert dialog.currentFont().pointSize() == article_font.pointSize()
    dialog.accept()
    assert window.theme.settings == before
    assert QFontInfo(view.document().defaultFont()).family() == article_font.family()


def test_font_dialog_applies_a_new_size_keeping_the_family(qtbot, window):
    view = window.view
    family = QFontInfo(view.document().defaultFont()).family()
    dialog = _dialog(window)
    font = dialog.currentFont()
    font.setPointSize(font.pointSize() + 3)
    dialog.setCurrentFont(font)
    dialog.accept()
    assert view.document().defaultFont().pointSize() == font.pointSize()
    assert QFontInfo(view.document().defaultFont()).family() == family
