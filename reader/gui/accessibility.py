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
* after the widget's own children (viewport, scroll bars), the page's parts in
  document order, so a screen reader can list and move between them:
  one child per heading (role ``Heading``, its title as name, its level as an
  attribute), per table (the infobox: role ``Table`` with ``Cell`` children named by
  their text, row and column in their description), per bullet list (role ``List``
  with ``ListItem`` children) and per link (role ``Link``, named by its text, its
  target as description, a press action that follows it).

The parts are built only when a screen reader asks for the children, once per
document revision.

Combo boxes with an accessible name get :class:`NamedComboAccessible` (named by
their label, their choice as the value), and :func:`labels_speak_their_text` makes
status labels announce what they show.

What PySide6 does not let us do (see docs/architecture.md): a hypertext interface
on the text itself (links are children instead) and Qt's table interfaces (cells
carry their row and column in their description).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QUrl
from PySide6.QtGui import (
    QAccessible, QAccessibleActionInterface, QAccessibleAttributesInterface, QAccessibleInterface,
    QAccessibleTextInterface, QTextCursor, QTextTable,
)
from PySide6.QtWidgets import QAccessibleWidget, QComboBox, QLabel, QTextBrowser

from .render import parse_article_href

READING_VIEW_NAME = "readingView"
_installed = False
_interfaces: dict[int, "DocumentAccessible"] = {}  # id(widget) -> interface: Python keeps what Qt points at
# Part objects (headings, links, ...) of earlier pages: Qt's accessibility cache may still point at them,
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
        self._parts: list[PartAccessible] = []
        self._parts_of = None  # the document revision the part objects describe
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
        return QAccessibleWidget.childCount(self) + len(self.parts())

    def child(self, index: int):
        own = QAccessibleWidget.childCount(self)
        if index < own:
            return QAccessibleWidget.child(self, index)
        parts = self.parts()
        return parts[index - own] if 0 <= index - own < len(parts) else None

    def indexOfChild(self, child) -> int:
        parts = self.parts()
        if child in parts:
            return QAccessibleWidget.childCount(self) + parts.index(child)
        return QAccessibleWidget.indexOfChild(self, child)

    def headings(self) -> list["HeadingAccessible"]:
        return [part for part in self.parts() if isinstance(part, HeadingAccessible)]

    def parts(self) -> list["PartAccessible"]:
        """The page's headings, tables, lists and links in document order, rebuilt when the
        document changes (the old objects are retired, never freed under Qt's cache)."""
        document = self.widget().document()
        revision = (id(document), document.revision(), document.blockCount())
        if revision != self._parts_of:
            self._parts_of = revision
            _retired.extend(self._parts)
            self._parts = _PartsBuilder(self).build(document)
        return self._parts

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


class _PartsBuilder:
    """One walk over the document's blocks: a heading, the first block of a table or a
    list, and every fragment with a link target make a part."""

    def __init__(self, document: DocumentAccessible):
        self.document = document
        self.parts: list[PartAccessible] = []
        self.seen_tables: set[int] = set()
        self.seen_lists: set[int] = set()

    def build(self, text_document) -> list["PartAccessible"]:
        block = text_document.begin()
        while block.isValid():
            self.block(block)
            block = block.next()
        return self.parts

    def block(self, block) -> None:
        table = QTextCursor(block).currentTable()
        if table is not None and table.firstPosition() not in self.seen_tables:
            self.seen_tables.add(table.firstPosition())
            self.parts.append(table_part(self.document, table))
        text_list = block.textList()
        if text_list is not None and table is None and text_list.item(0).position() not in self.seen_lists:
            self.seen_lists.add(text_list.item(0).position())
            self.parts.append(list_part(self.document, text_list))
        level = block.blockFormat().headingLevel()
        if level > 0:
            self.parts.append(HeadingAccessible(self.document, block.position(), block.text(), level))
        self.links(block)

    def links(self, block) -> None:
        """Adjacent fragments with the same target (a link split by formatting) are one link."""
        fragments = block.begin()
        while not fragments.atEnd():
            fragment = fragments.fragment()
            href = fragment.charFormat().anchorHref() if fragment.isValid() else ""
            last = self.parts[-1] if self.parts else None
            if href and isinstance(last, LinkAccessible) and last.href == href and last.end == fragment.position():
                last.extend(fragment.text(), fragment.position() + fragment.length())
            elif href:
                self.parts.append(LinkAccessible(self.document, fragment.position(), fragment.text(), href,
                                                 fragment.position() + fragment.length()))
            fragments += 1


def _cell_text(document, start: int, end: int) -> str:
    cursor = QTextCursor(document)
    cursor.setPosition(start)
    cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    return cursor.selectedText().replace("\u2029", "\n").strip()


def table_part(document: DocumentAccessible, table: QTextTable) -> "PartAccessible":
    """A table (the infobox) with one Cell child per cell, row and column in its description."""
    text_document = document.widget().document()
    part = PartAccessible(document, QAccessible.Role.Table, table.firstPosition(), table.lastPosition(),
                          "", f"table, {table.rows()} rows, {table.columns()} columns")
    for row in range(table.rows()):
        for column in range(table.columns()):
            cell = table.cellAt(row, column)
            if cell.row() != row or cell.column() != column:
                continue  # the spanned part of a merged cell
            start, end = cell.firstPosition(), cell.lastPosition()
            part.children.append(PartAccessible(
                part, QAccessible.Role.Cell, start, end, _cell_text(text_document, start, end),
                f"row {row + 1}, column {column + 1}"))
    return part


def list_part(document: DocumentAccessible, text_list) -> "PartAccessible":
    """A bullet or numbered list with one ListItem child per item."""
    count = text_list.count()
    first, last = text_list.item(0), text_list.item(count - 1)
    part = PartAccessible(document, QAccessible.Role.List, first.position(), last.position() + last.length() - 1,
                          "", f"list, {count} items")
    for index in range(count):
        item = text_list.item(index)
        part.children.append(PartAccessible(
            part, QAccessible.Role.ListItem, item.position(), item.position() + item.length() - 1, item.text(),
            f"{text_list.itemText(item) or '•'} item {index + 1} of {count}"))
    return part


class PartAccessible(QAccessibleInterface):
    """A part of the page (a table, a cell, a list, an item, ...): its role, its name, a
    description, its children, and where it is on screen (document positions start..end)."""

    def __init__(self, parent, role, start: int, end: int, name: str, description: str = ""):
        QAccessibleInterface.__init__(self)
        self._parent, self._role = parent, role
        self.position, self.end, self.name, self.description = start, end, name, description
        self.children: list[PartAccessible] = []

    def _view(self):
        parent = self._parent
        while isinstance(parent, PartAccessible):
            parent = parent._parent
        return parent.widget()

    def isValid(self) -> bool:  # noqa: N802 - Qt names
        return self._parent.isValid()

    def object(self):
        return None

    def parent(self):
        return self._parent

    def child(self, index: int):
        return self.children[index] if 0 <= index < len(self.children) else None

    def childCount(self) -> int:
        return len(self.children)

    def indexOfChild(self, child) -> int:
        return self.children.index(child) if child in self.children else -1

    def childAt(self, x: int, y: int):
        return next((child for child in self.children if child.rect().contains(x, y)), None)

    def focusChild(self):
        return None

    def relations(self, _match=None):
        return []

    def role(self):
        return self._role

    def text(self, kind):
        if kind == QAccessible.Text.Name:
            return self.name
        if kind == QAccessible.Text.Description:
            return self.description
        return ""

    def setText(self, _kind, _text) -> None:
        return None

    def rect(self) -> QRect:
        """The blocks from ``position`` to ``end``, in screen coordinates."""
        view = self._view()
        document = view.document()
        layout = document.documentLayout()
        block, last = document.findBlock(self.position), document.findBlock(self.end)
        box = layout.blockBoundingRect(block)
        while block.isValid() and block != last and block.position() < self.end:
            block = block.next()
            box = box.united(layout.blockBoundingRect(block))
        return self._on_screen(view, box.toRect())

    @staticmethod
    def _on_screen(view, box: QRect) -> QRect:
        box.translate(-view.horizontalScrollBar().value(), -view.verticalScrollBar().value())
        return QRect(view.viewport().mapToGlobal(box.topLeft()), box.size())

    def state(self):
        return QAccessible.State()


class HeadingAccessible(PartAccessible, QAccessibleAttributesInterface):
    """A heading of the page: role Heading, named by its title, its level as an attribute."""

    def __init__(self, document: DocumentAccessible, position: int, title: str, level: int):
        PartAccessible.__init__(self, document, QAccessible.Role.Heading, position, position, title,
                                f"heading level {level}")
        QAccessibleAttributesInterface.__init__(self)
        self.title, self.level = title, level

    def interface_cast(self, kind):
        return self if kind == QAccessible.InterfaceType.AttributesInterface else None

    def attributeKeys(self):  # noqa: N802 - Qt names
        return [QAccessible.Attribute.Level]

    def attributeValue(self, key):  # noqa: N802
        return self.level if key == QAccessible.Attribute.Level else None


class LinkAccessible(PartAccessible, QAccessibleActionInterface):
    """A link: named by its text, its target (an article's title or "external link") as the
    description, and a press action that follows it as a click would."""

    def __init__(self, document: DocumentAccessible, position: int, text: str, href: str, end: int):
        PartAccessible.__init__(self, document, QAccessible.Role.Link, position, end, text)
        QAccessibleActionInterface.__init__(self)
        self.href = href
        self.description = None  # worked out when first asked: it may look up a title

    def extend(self, text: str, end: int) -> None:
        self.name, self.end = self.name + text, end

    def text(self, kind):
        if kind == QAccessible.Text.Description and self.description is None:
            self.description = link_target_description(self._view(), self.href)
        if kind == QAccessible.Text.Value:
            return self.href
        return PartAccessible.text(self, kind)

    def interface_cast(self, kind):
        return self if kind == QAccessible.InterfaceType.ActionInterface else None

    def rect(self) -> QRect:
        view = self._view()
        cursor = QTextCursor(view.document())
        cursor.setPosition(self.position)
        first = view.cursorRect(cursor)
        cursor.setPosition(self.end)
        box = first.united(view.cursorRect(cursor)) if view.cursorRect(cursor).top() == first.top() else first
        return QRect(view.viewport().mapToGlobal(box.topLeft()), box.size())

    def state(self):
        state = QAccessible.State()
        state.linked = True
        state.focusable = True
        return state

    def actionNames(self) -> list[str]:  # noqa: N802 - Qt names
        return [QAccessibleActionInterface.pressAction()]

    def localizedActionName(self, name: str) -> str:  # noqa: N802
        return "Follow link" if name in self.actionNames() else ""

    def localizedActionDescription(self, name: str) -> str:  # noqa: N802
        return f"Follow the link to {self.text(QAccessible.Text.Description)}" if name in self.actionNames() else ""

    def keyBindingsForAction(self, _name: str) -> list[str]:  # noqa: N802
        return []

    def doAction(self, name: str) -> None:  # noqa: N802
        if name in self.actionNames():
            self._view().anchorClicked.emit(QUrl(self.href))


def link_target_description(view, href: str) -> str:
    """Where a link goes, as a screen reader says it: "article Beta", "section Early life",
    "external link example.org"."""
    url = QUrl(href)
    target = parse_article_href(url.scheme(), url.path(), url.fragment())
    if target is not None:
        entry = view.library.title_entry(target[0]) if getattr(view, "library", None) is not None else None
        return f"article {entry.title}" if entry is not None else "article"
    if not url.scheme() and url.fragment():
        return "section of this page"
    return f"external link {url.host() or url.toString()}"
