"""What the reading view and the note preview give Qt instead of any resource a text names.

Returning None from ``QTextBrowser.loadResource`` is not a refusal: Qt then
reads local files itself (``QTextDocument::loadResource`` falls back to the
file, and the image handler to ``QImage::load``). A non-empty answer stops
both, so every request gets a blank one: a transparent 1 × 1 image, or empty
text. Nothing named in an article or a note is read from disk or the network.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray
from PySide6.QtGui import QImage, QTextDocument


def blank_resource(type_: int):
    """A harmless stand-in for a resource of ``type_`` (a ``QTextDocument.ResourceType`` value)."""
    if int(type_) == QTextDocument.ResourceType.ImageResource.value:
        image = QImage(1, 1, QImage.Format.Format_ARGB32)
        image.fill(0)
        return image
    return QByteArray()
