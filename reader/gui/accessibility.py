"""What screen readers get from the reading view: a *document*, its text without Qt's
private separators, and its headings as objects to move between.

Qt exposes a read-only QTextBrowser as static text whose text interface reads the
document's raw characters, so a table (the infobox) reaches a screen reader with
U+FDD0/U+FDD1 frame markers between its cells. :func:`install` registers an
accessibility factory (``QAccessible.installFactory``) that gives the reading view
(object name ``readingView``) :class:`DocumentAccessible` instead:

* role ``Document``, named and described like the widget;
* a text interface over ``QTextDocument.toPlainText()`` (same length as the raw
  text, so offsets are document positions; frame markers and paragraph separators
  become line breaks), with the caret and the selection of the view;
* one child per heading (role ``Heading``, its title as name, its place on screen),
  after the widget's own children (viewport, scroll bars), so a screen reader can
  list and move between sections.

Combo boxes with an accessible name get :class:`NamedComboAccessible` (named by
their label, their choice as the value), and :func:`labels_speak_their_text` makes
status labels announce what they show.

What PySide6 does not let us do (see docs/architecture.md): links as a hypertext
interface and lists and the infobox as list/table objects; they are read as lines.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import (
    QAccessible, QAccessibleActionInterface, QAccessibleAttributesInterface, QAccessibleInterface,
    QAccessibleTextInterface, QTextCursor,
)
from PySide6.QtWidgets import QAccessibleWidget, QComboBox, QLabel, QTextBrowser

READING_VIEW_NAME = "readingView"
_installed = False
_interfaces: dict[int, "DocumentAccessible"] = {}  # id(widget) -> interface: Python keeps what Qt points at
# Heading objects of earlier pages: Qt's accessibility cache may still point at them,
# so they are never freed under it (a few dozen small objects per page shown to a screen reader).
_retired: list = []


def install() -> None:
    """Register the factory once per process (Qt asks it only while accessibility is active)."""
    global _installed
    if not _installed:
        QAccessible.installFactory(_factory)
        _installed = True


def _factory(_class_name: str, obj):
    if isinstance(obj, QComboBox) and obj.accessibleName() and not obj.isEditable():
        return _kept(obj, NamedComboAccessible)
    if isinstance(obj, QTextBrowser) and obj.objectName() == READING_VIEW_NAME:
        return _kept(obj, DocumentAccessible)
    return None


def _kept(widget, interface_class):
    """One interface per widget, referenced from Python for as long as the widget lives."""
    interface = _interfaces.get(id(widget))
    if interface is None or not isinstance(interface, interface_class) or interface.widget() is not widget:
        interface = interface_class(widget)
        _interfaces[id(widget)] = interface
        widget.destroyed.connect(lambda *_a, key=id(widget): _interfaces.pop(key, None))
    return interface


def labels_speak_their_text(root) -> None:
    """Labels under ``root`` that carry a fixed accessible name ("Match count") are named by
    what they show instead ("3 of 12"); the fixed name becomes their description."""
    for label in root.findChildren(QLabel):
        name = label.accessibleName()
        if name:
            label.setAccessibleDescription(label.accessibleDescription() or name)
            label.setAccessibleName("")


def plain_text(view) -> str:
    """The page's text as a screen reader gets it: one character per document position."""
    return view.document().toPlainText()


class DocumentAccessible(QAccessibleWidget, QAccessibleTextInterface):
    def __init__(self, view):
        QAccessibleWidget.__init__(self, view, QAccessible.Role.Document)
        QAccessibleTextInterface.__init__(self)
        self._headings: list[HeadingAccessible] = []
        self._headings_of = None  # the document revision the heading objects describe
        self._text: tuple = (None, "")  # (document revision, its plain text): Qt asks for it often

    # ---------------------------------------------------------------- the object

    def role(self):
        return QAccessible.Role.Document

    def text(self, *args):
        if len(args) == 2:  # the text interface's text(start, end)
            start, end = args
            return self._plain()[max(0, start):max(0, end)]
        kind = args[0]
        view = self.widget()
        if kind == QAccessible.Text.Name:
            return view.accessibleName()
        if kind == QAccessible.Text.Description:
            return view.accessibleDescription()
        return ""

    def interface_cast(self, kind):
        if kind == QAccessible.InterfaceType.TextInterface:
            return self
        return None

    def childCount(self) -> int:  # noqa: N802 - Qt names from here on
        return QAccessibleWidget.childCount(self) + len(self.headings())

    def child(self, index: int):
        own = QAccessibleWidget.childCount(self)
        if index < own:
            return QAccessibleWidget.child(self, index)
        headings = self.headings()
        return headings[index - own] if 0 <= index - own < len(headings) else None

    def indexOfChild(self, child) -> int:
        headings = self.headings()
        if child in headings:
            return QAccessibleWidget.childCount(self) + headings.index(child)
        return QAccessibleWidget.indexOfChild(self, child)

    def headings(self) -> list["HeadingAccessible"]:
        """One object per heading block, rebuilt when the document changes."""
        document = self.widget().document()
        revision = (id(document), document.revision(), document.blockCount())
        if revision != self._headings_of:
            self._headings_of = revision
            _retired.extend(self._headings)
            self._headings = []
            block = document.begin()
            while block.isValid():
                level = block.blockFormat().headingLevel()
                if level > 0:
                    self._headings.append(HeadingAccessible(self, block.position(), block.text(), level))
                block = block.next()
        return self._headings

    # ---------------------------------------------------------------- the text interface

    def _plain(self) -> str:
        document = self.widget().document()
        revision = (id(document), document.revision(), document.characterCount())
        if self._text[0] != revision:
            self._text = (revision, plain_text(self.widget()))
        return self._text[1]

    def characterCount(self) -> int:
        return self.widget().document().characterCount() - 1  # without the final paragraph separator

    def cursorPosition(self) -> int:
        return self.widget().textCursor().position()

    def setCursorPosition(self, position: int) -> None:
        cursor = self.widget().textCursor()
        cursor.setPosition(self._clamp(position))
        self.widget().setTextCursor(cursor)

    def selectionCount(self) -> int:
        return 1 if self.widget().textCursor().hasSelection() else 0

    def selection(self, _index: int):
        cursor = self.widget().textCursor()
        return cursor.selectionStart(), cursor.selectionEnd()

    def setSelection(self, _index: int, start: int, end: int) -> None:
        cursor = self.widget().textCursor()
        cursor.setPosition(self._clamp(start))
        cursor.setPosition(self._clamp(end), QTextCursor.MoveMode.KeepAnchor)
        self.widget().setTextCursor(cursor)

    def addSelection(self, start: int, end: int) -> None:
        self.setSelection(0, start, end)

    def removeSelection(self, _index: int) -> None:
        cursor = self.widget().textCursor()
        cursor.clearSelection()
        self.widget().setTextCursor(cursor)

    def offsetAtPoint(self, point: QPoint) -> int:
        view = self.widget()
        return view.cursorForPosition(view.viewport().mapFromGlobal(point)).position()

    def characterRect(self, offset: int) -> QRect:
        view = self.widget()
        cursor = QTextCursor(view.document())
        cursor.setPosition(self._clamp(offset))
        rect = view.cursorRect(cursor)
        return QRect(view.viewport().mapToGlobal(rect.topLeft()), rect.size())

    def scrollToSubstring(self, start: int, end: int) -> None:
        self.setSelection(0, start, end)
        self.widget().ensureCursorVisible()

    def attributes(self, offset: int):
        return "", offset, offset + 1

    def _clamp(self, position: int) -> int:
        return min(max(0, position), self.characterCount())


class NamedComboAccessible(QAccessibleWidget):
    """A combo box named by its label ("Note colour"), its choice as the value.

    On Linux Qt names a combo box by its current text ("No colour"), so a screen
    reader announces the value twice and never what the control is for.
    """

    def __init__(self, combo):
        super().__init__(combo, QAccessible.Role.ComboBox)

    def role(self):
        return QAccessible.Role.ComboBox

    def text(self, kind):
        combo = self.widget()
        if kind == QAccessible.Text.Name:
            return combo.accessibleName()
        if kind == QAccessible.Text.Value:
            return combo.currentText()
        if kind == QAccessible.Text.Description:
            return combo.accessibleDescription() or combo.toolTip()
        return super().text(kind)

    def actionNames(self) -> list[str]:  # noqa: N802 - Qt name
        return [QAccessibleActionInterface.showMenuAction(), *super().actionNames()]

    def doAction(self, name: str) -> None:  # noqa: N802 - Qt name
        if name in (QAccessibleActionInterface.showMenuAction(), QAccessibleActionInterface.pressAction()):
            self.widget().showPopup()
        else:
            super().doAction(name)


class HeadingAccessible(QAccessibleInterface, QAccessibleAttributesInterface):
    """A heading of the page: role Heading, named by its title, its level as an attribute,
    where it is on screen."""

    def __init__(self, document: DocumentAccessible, position: int, title: str, level: int):
        QAccessibleInterface.__init__(self)
        QAccessibleAttributesInterface.__init__(self)
        self._document, self.position, self.title, self.level = document, position, title, level

    def interface_cast(self, kind):
        return self if kind == QAccessible.InterfaceType.AttributesInterface else None

    def attributeKeys(self):  # noqa: N802 - Qt names
        return [QAccessible.Attribute.Level]

    def attributeValue(self, key):  # noqa: N802
        return self.level if key == QAccessible.Attribute.Level else None

    def isValid(self) -> bool:  # noqa: N802 - Qt names
        return self._document.isValid()

    def object(self):
        return None

    def parent(self):
        return self._document

    def child(self, _index: int):
        return None

    def childCount(self) -> int:
        return 0

    def indexOfChild(self, _child) -> int:
        return -1

    def childAt(self, _x: int, _y: int):
        return None

    def focusChild(self):
        return None

    def relations(self, _match=None):
        return []

    def role(self):
        return QAccessible.Role.Heading

    def text(self, kind):
        if kind == QAccessible.Text.Name:
            return self.title
        if kind == QAccessible.Text.Description:
            return f"heading level {self.level}"
        return ""

    def setText(self, _kind, _text) -> None:
        return None

    def rect(self) -> QRect:
        view = self._document.widget()
        block = view.document().findBlock(self.position)
        box = view.document().documentLayout().blockBoundingRect(block).toRect()
        box.translate(-view.horizontalScrollBar().value(), -view.verticalScrollBar().value())
        return QRect(view.viewport().mapToGlobal(box.topLeft()), box.size())

    def state(self):
        return QAccessible.State()
