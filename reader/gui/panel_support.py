"""Small pieces the side panels share: library events on the GUI thread, rich-text rows.

* :class:`LibraryEvents` turns ``library.add_listener`` callbacks (which run on
  whatever thread made the change, often a worker) into a Qt signal delivered
  on the GUI thread, so panels never touch widgets from a worker.
* :class:`ChangeFeed` is the one way panels hear about changes: each event as
  one :class:`reader.changes.Changes` value, on the GUI thread.
* :class:`Loader` is the one reload pattern: read in a worker, apply only the
  newest answer, and only while the panel is alive.
* :class:`HtmlDelegate` paints an item's :data:`HTML_ROLE` text as rich text
  (bold titles, highlighted search terms) and wraps it to the view's width.
  Callers build that HTML with :func:`html.escape` on every piece of article or
  note text; the plain ``DisplayRole`` text stays for accessibility and tests.
"""

from __future__ import annotations

import weakref
from html import escape

from shiboken6 import isValid
from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtGui import QAbstractTextDocumentLayout, QAction, QKeySequence, QPalette, QTextDocument
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolBar,
    QTreeView,
    QWidget,
)

from ..changes import Changes
from .workers import run_in_background

HTML_ROLE = Qt.ItemDataRole.UserRole + 100  # item data: rich text to paint instead of DisplayRole
PAYLOAD_ROLE = Qt.ItemDataRole.UserRole + 101  # item data: the object the row stands for

# Named note colours: stored as the name, shown as this swatch.
NOTE_COLORS = {
    "yellow": "#f5d547",
    "green": "#7bc67b",
    "blue": "#6fa8dc",
    "pink": "#e88fb4",
    "purple": "#b08fd8",
}


class LibraryEvents(QObject):
    """Library events re-emitted on the GUI thread (``event(name, payload)``).

    The listener holds only a weak reference, so a closed panel is not kept
    alive by the library (which has no way to remove a listener).
    """

    event = Signal(str, object)

    def __init__(self, library, parent: QObject):
        super().__init__(parent)
        ref = weakref.ref(self)

        def listener(name: str, payload: object) -> None:
            bridge = ref()
            if bridge is None:
                return
            try:
                bridge.event.emit(name, payload)  # queued to the receivers' (GUI) thread
            except RuntimeError:  # the Qt object was deleted with its panel
                pass

        library.add_listener(listener)


class ChangeFeed(QObject):
    """Every library event as one :class:`~reader.changes.Changes` value on the GUI thread (``changed``)."""

    changed = Signal(object)

    def __init__(self, library, parent: QObject):
        super().__init__(parent)
        self._events = LibraryEvents(library, self)
        self._events.event.connect(lambda name, payload: self.changed.emit(Changes.of_event(name, payload)))


class Loader:
    """``loader(*args)`` runs ``load(*args)`` in a worker and ``apply(result)`` on the GUI thread,
    unless a newer call was made meanwhile (or :meth:`drop_pending`), or ``owner`` was deleted.
    ``on_error(exc)`` likewise (only for the newest call); without it errors go to ``messages``.
    A newer call (or :meth:`drop_pending`) also cancels the older task: a ``load`` that takes a
    ``cancel`` argument (a ``threading.Event``) may skip work nobody will see."""

    def __init__(self, owner: QObject, load, apply, on_error=None):
        self._owner, self._load, self._apply, self._on_error = owner, load, apply, on_error
        self._seq = 0
        self._task = None

    def __call__(self, *args) -> None:
        seq = self.drop_pending()
        on_error = self._on_error and while_alive(self._owner, lambda exc: self._answer(seq, exc, self._on_error))
        self._task = run_in_background(
            self._load, *args, on_result=while_alive(self._owner, lambda result: self._answer(seq, result)),
            on_error=on_error)

    def drop_pending(self) -> int:
        """Answers still on their way are stale from now on (their tasks are cancelled); returns the new
        request number."""
        if self._task is not None:
            self._task.cancel()
            self._task = None
        self._seq += 1
        return self._seq

    def _answer(self, seq: int, result, handle=None) -> None:
        if seq == self._seq:
            (handle or self._apply)(result)


def while_alive(owner: QObject, fn):
    """``fn`` made harmless once ``owner`` is deleted: a worker's answer may outlive the panel that asked."""

    def call(*args):
        if isValid(owner):
            fn(*args)

    return call


def panel_action(widget: QWidget, text: str, shortcut, slot, tip: str = "") -> QAction:
    """An action with a shortcut that works while focus is inside ``widget``."""
    action = QAction(text, widget)
    action.setShortcut(QKeySequence(shortcut))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    shown = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
    action.setToolTip(f"{tip or text.replace('&', '')} ({shown})" if shown else (tip or text))
    action.triggered.connect(slot)
    widget.addAction(action)
    return action


class _EscapeCatcher(QObject):
    def __init__(self, owner: QObject, slot, active):
        super().__init__(owner)
        self.slot, self.active = slot, active

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind not in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress) or event.key() != Qt.Key.Key_Escape:
            return False
        if not self.active():
            return False
        if kind == QEvent.Type.ShortcutOverride:
            event.accept()  # the key comes to us as a key press, not to a window-wide Esc shortcut
        else:
            self.slot()
        return True


def catch_escape(owner: QObject, widgets, slot, active=lambda: True) -> None:
    """Esc in any of ``widgets`` calls ``slot`` (while ``active()``), ahead of window-wide Esc shortcuts.

    A window-wide ``QShortcut(Esc)`` (the find bar's) and a panel's own Esc would
    be ambiguous and neither would fire; claiming the key in ShortcutOverride
    from the focused widget makes the innermost Esc win, as users expect.
    """
    catcher = _EscapeCatcher(owner, slot, active)
    for widget in widgets:
        widget.installEventFilter(catcher)


def button_row(parent: QWidget, actions) -> QToolBar:
    """A row of buttons, one per action, named for screen readers.

    A tool bar rather than a box of buttons: when the dock is narrow the
    buttons that do not fit move into its "»" menu, so the row never forces
    the dock (and so squeezes the reading column) to be wider.
    """
    row = QToolBar(parent)
    row.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    row.setMovable(False)
    row.setFloatable(False)
    for action in actions:
        row.addAction(action)
        row.widgetForAction(action).setAccessibleName(action.text().replace("&", "").rstrip("…"))
    return row


def html_list(parent: QWidget, name: str, on_activate) -> QListWidget:
    """A list whose rows paint their :data:`HTML_ROLE` text, wrapped to the list's width."""
    view = QListWidget(parent)
    view.setAccessibleName(name)
    view.setItemDelegate(HtmlDelegate(view))
    view.setWordWrap(True)
    view.setResizeMode(QListWidget.ResizeMode.Adjust)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.itemActivated.connect(on_activate)
    return view


def plain_tooltip(text: str) -> str:
    """A tooltip that shows ``text`` literally, line breaks kept.

    Qt guesses whether a tooltip is rich text (``Qt::mightBeRichText``), so an
    article heading or a note containing ``<font ...>`` would be rendered as
    HTML. Always handing Qt rich text with the content escaped removes the guess.
    """
    return f"<p style='white-space:pre-wrap'>{escape(text)}</p>"


def muted(text: str) -> str:
    """Escaped ``text`` in a secondary colour, for list rows (:class:`HtmlDelegate` styles ``.muted``)."""
    return f'<span class="muted">{escape(text)}</span>'


def muted_label(text: str) -> str:
    """Escaped ``text`` in a secondary colour, for a QLabel (no delegate style sheet there)."""
    return f'<span style="color:{_mix(QApplication.palette(), QPalette.ColorRole.Text, 0.6)}">{escape(text)}</span>'


def term_style() -> str:
    """Inline style of a highlighted search term, readable on a light or a dark palette."""
    dark = QApplication.palette().color(QPalette.ColorRole.Base).lightness() < 128
    return "background-color:#6b5a12; color:#ffffff" if dark else "background-color:#fff0a0; color:#1f2328"


def _mix(palette: QPalette, role: QPalette.ColorRole, weight: float, group=QPalette.ColorGroup.Active) -> str:
    """``role``'s colour blended with the background, ``weight`` parts of the colour."""
    fore = palette.color(group, role)
    back = palette.color(group, QPalette.ColorRole.Highlight if role == QPalette.ColorRole.HighlightedText
                         else QPalette.ColorRole.Base)
    mixed = [round(weight * a + (1 - weight) * b) for a, b in zip(fore.getRgb()[:3], back.getRgb()[:3])]
    return "#{:02x}{:02x}{:02x}".format(*mixed)


def color_swatch(color: str | None) -> str:
    if not color:
        return ""
    value = NOTE_COLORS.get(color, "")
    return f'<span style="color:{value}">&#9632;</span> ' if value else ""


class HtmlDelegate(QStyledItemDelegate):
    """Paints :data:`HTML_ROLE` as wrapped rich text; other rows paint normally.

    Views ask for each row's size several times per layout; laying out rich
    text is the costly part, so sizes are remembered per (html, width, font).
    """

    MAX_CACHED = 4000

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._sizes: dict[tuple, QSize] = {}

    def _document(self, html: str, option: QStyleOptionViewItem, selected: bool = False, column: int = 0) -> QTextDocument:
        doc = QTextDocument()
        doc.setDocumentMargin(3)
        doc.setDefaultFont(option.font)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        doc.setDefaultStyleSheet(f".muted {{ color: {_mix(option.palette, role, 0.7)} }}")
        doc.setHtml(html)
        doc.setTextWidth(max(80, self._width(option, column)))
        return doc

    @staticmethod
    def _width(option: QStyleOptionViewItem, column: int = 0) -> int:
        if option.rect.width() > 0:
            return option.rect.width()
        view = option.widget
        if isinstance(view, QTreeView):
            return view.columnWidth(column) - 8
        return view.viewport().width() - 8 if view is not None else 300

    def paint(self, painter, option, index) -> None:
        html = index.data(HTML_ROLE)
        if not html:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        doc = self._document(html, option, bool(opt.state & QStyle.StateFlag.State_Selected))
        doc.setTextWidth(max(80, rect.width()))
        context = QAbstractTextDocumentLayout.PaintContext()
        group = QPalette.ColorGroup.Active if opt.state & QStyle.StateFlag.State_Active else QPalette.ColorGroup.Inactive
        role = QPalette.ColorRole.HighlightedText if opt.state & QStyle.StateFlag.State_Selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(group, role))
        painter.save()
        painter.translate(rect.topLeft())
        painter.setClipRect(rect.translated(-rect.topLeft()))
        doc.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option, index) -> QSize:
        html = index.data(HTML_ROLE)
        if not html:
            return super().sizeHint(option, index)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        key = (html, self._width(opt, index.column()), opt.font.key())
        size = self._sizes.get(key)
        if size is None:
            if len(self._sizes) >= self.MAX_CACHED:
                self._sizes.clear()
            doc = self._document(html, opt, column=index.column())
            size = self._sizes[key] = QSize(int(doc.textWidth()), int(doc.size().height()) + 2)
        return size
