"""The one place that shows errors and notices to the user.

Expected failures (:class:`reader.errors.LecternError`) become a status-bar
message when a main window is registered, or a warning box otherwise; anything
else is a bug and gets a dialog with the details (the app keeps running).
"""

from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QStatusBar, QWidget

from ..errors import LecternError

_status_bar: QStatusBar | None = None
_parent: QWidget | None = None
STATUS_TIMEOUT_MS = 8000
_open_boxes: list[QMessageBox] = []  # for tests and to keep boxes alive


def register(parent: QWidget, status_bar: QStatusBar | None) -> None:
    global _parent, _status_bar
    _parent, _status_bar = parent, status_bar


def unregister(parent: QWidget) -> None:
    """Forget ``parent`` (a closing window) so no message goes to a deleted status bar."""
    global _parent, _status_bar
    if _parent is parent:
        _parent, _status_bar = None, None


def show_info(text: str, timeout_ms: int = STATUS_TIMEOUT_MS) -> None:
    if _status_bar is not None:
        _status_bar.showMessage(text, timeout_ms)
    else:
        print(f"lectern: {text}", file=sys.stderr)


def show_error(exc: BaseException, context: str = "") -> None:
    prefix = f"{context}: " if context else ""
    if isinstance(exc, LecternError):
        message = prefix + str(exc)
        if _status_bar is not None:
            _status_bar.showMessage(message, STATUS_TIMEOUT_MS * 2)
        else:
            print(f"lectern: error: {message}", file=sys.stderr)
        return
    details = getattr(exc, "__lectern_traceback__", None) or "".join(
        traceback.format_exception(type(exc), exc, exc.__traceback__)
    )
    print(details, file=sys.stderr)
    if QApplication.instance() is None:
        return
    box = QMessageBox(QMessageBox.Icon.Critical, "Lectern: unexpected error",
                      prefix + f"Something went wrong: {exc}\n\nYour data is safe; the app keeps running.",
                      QMessageBox.StandardButton.Ok, _parent)
    box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # not exec(): never block the event loop (or a test) on a bug report
    _open_boxes.append(box)
    box.finished.connect(lambda _=None, b=box: _open_boxes.remove(b) if b in _open_boxes else None)


def install_excepthook() -> None:
    """Route uncaught exceptions on the GUI thread to :func:`show_error` instead of aborting."""
    sys.excepthook = lambda exc_type, exc, tb: show_error(exc.with_traceback(tb))
