"""Nothing named in a note or an article is read from disk (issue 13, item 14).

Returning None from ``loadResource`` let Qt read local files itself; each test
names a real image file and checks it never reached the document.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument

from reader.gui.note_editor import MarkdownPreview

from .shell_support import window  # noqa: F401 - fixture

IMAGE = int(QTextDocument.ResourceType.ImageResource.value)
SIZE = (400, 300)


@pytest.fixture
def picture(tmp_path):
    """A real 400 × 300 PNG on disk."""
    path = tmp_path / "secret.png"
    image = QImage(*SIZE, QImage.Format.Format_RGB32)
    image.fill(QColor("red"))
    assert image.save(str(path))
    return path


def _names(path) -> list[str]:
    return [str(path), path.as_uri()]


def _loaded_sizes(document: QTextDocument, names) -> list[tuple[int, int]]:
    """Sizes of the images the document holds for ``names`` (what Qt read, if it read anything)."""
    sizes = []
    for name in names:
        resource = document.resource(IMAGE, QUrl(name))
        if hasattr(resource, "size"):
            sizes.append((resource.size().width(), resource.size().height()))
    return sizes


def test_the_note_preview_does_not_read_an_image_the_note_names(qtbot, picture):
    preview = MarkdownPreview()
    qtbot.addWidget(preview)
    preview.resize(500, 500)
    preview.show()
    names = _names(picture)
    preview.show_markdown("Look: " + " ".join(f"![x]({name})" for name in names))
    qtbot.waitUntil(lambda: preview.document().size().height() > 0)
    assert SIZE not in _loaded_sizes(preview.document(), names)
    assert preview.document().size().height() < SIZE[1]  # no 300 px picture was laid out


def test_the_reading_view_does_not_read_an_image_its_html_names(qtbot, window, picture):
    view = window.view
    names = _names(picture)
    view.setHtml("<p>text</p>" + "".join(f'<img src="{name}">' for name in names))
    qtbot.waitUntil(lambda: view.document().size().height() > 0)
    assert SIZE not in _loaded_sizes(view.document(), names)
    assert view.document().size().height() < SIZE[1]
    assert set(names) <= set(view.refused_resources)  # asked, refused, and Qt did not read it anyway
