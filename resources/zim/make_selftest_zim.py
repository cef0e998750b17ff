"""Write selftest.zim: the archive `lectern self-test` searches and shows, images and all.

Run from anywhere after editing it:  .venv/bin/python resources/zim/make_selftest_zim.py

small.zim (beside it) is a real archive from the openZIM test suite but has no full-text
index and no picture in its page. This one is written with libzim's own writer so that the
self-test reaches every part of the ZIM support a packaged build could lose: libzim's
full-text search (Xapian), the page's links and images (lxml.etree) and one image of each
type Lectern shows (reader.sources.zim_search.IMAGE_TYPES), each needing its Qt image plugin
(JPEG, GIF, WebP, SVG; PNG and BMP are built into QtGui). The images are rendered by Qt
(GIF, which Qt cannot write, is spelt out byte by byte).
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
TARGET = HERE / "selftest.zim"
NAME = "lectern_selftest"
WORD = "lecternzimword"  # in the main page only: the self-test finds it through the full-text index
MAIN = "Otter"
IMAGES = {  # archive path -> (mimetype, Qt format; None: built by hand)
    "_assets_/otter.png": ("image/png", "PNG"),
    "_assets_/otter.jpg": ("image/jpeg", "JPEG"),
    "_assets_/otter.gif": ("image/gif", None),
    "_assets_/otter.webp": ("image/webp", "WEBP"),
    "_assets_/otter.bmp": ("image/bmp", "BMP"),
    "_assets_/otter.svg": ("image/svg+xml", None),
}
SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="6" height="4">'
       b'<rect width="6" height="4" fill="#a0522d"/></svg>')


def main_page() -> str:
    figures = "\n".join(f'<figure><img src="{path}" alt=""><figcaption>An otter ({mimetype})</figcaption></figure>'
                        for path, (mimetype, _) in IMAGES.items())
    return (f"<html><head><title>{MAIN}</title></head><body>\n"
            f"<p>The otter ({WORD}) is a cousin of the <a href=\"Badger\">Badger</a> and lives near rivers.</p>\n"
            f"{figures}\n<h2>Diet</h2><p>Otters eat fish.</p>\n</body></html>")


BADGER_PAGE = "<html><body><p>The badger digs setts. <a href='Otter'>Otter</a> is a cousin.</p></body></html>"


def render(qt_format: str) -> bytes:
    from PySide6.QtCore import QBuffer
    from PySide6.QtGui import QColor, QImage

    image = QImage(6, 4, QImage.Format.Format_RGB32)
    image.fill(QColor("#a0522d"))
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    if not image.save(buffer, qt_format):
        raise SystemExit(f"Qt cannot write {qt_format} here (is its image plugin installed?)")
    return bytes(buffer.data())


def gif() -> bytes:
    """A 6x4 one-colour GIF. Its LZW data starts the code table afresh (clear code 4) before
    every two pixels, so every code stays 3 bits wide: no compression, nothing to get wrong."""
    header = b"GIF89a" + struct.pack("<HHBBB", 6, 4, 0x80, 0, 0) + bytes((0xA0, 0x52, 0x2D, 0, 0, 0))
    image = b"\x2c" + struct.pack("<HHHHB", 0, 0, 6, 4, 0)
    codes = [4, 0, 0] * 12 + [5]  # 24 pixels of colour 0, then the end code
    value = sum(code << (3 * i) for i, code in enumerate(codes))
    data = value.to_bytes((3 * len(codes) + 7) // 8, "little")
    return header + image + bytes((2, len(data))) + data + b"\x00\x3b"


def image_bytes(qt_format: str | None, mimetype: str) -> bytes:
    """The image, checked: Qt must read it back as a 6x4 picture."""
    from PySide6.QtGui import QImage

    data = SVG if mimetype == "image/svg+xml" else gif() if qt_format is None else render(qt_format)
    image = QImage.fromData(data)
    if (image.width(), image.height()) != (6, 4):
        raise SystemExit(f"Qt does not read the {mimetype} image back (is its image plugin installed?)")
    return data


def write(target: Path) -> None:
    from libzim.writer import Creator, Hint, Item, StringProvider

    class _Item(Item):
        def __init__(self, path, title, mimetype, content, front):
            super().__init__()
            self._values = path, title, mimetype, content, front

        def get_path(self):
            return self._values[0]

        def get_title(self):
            return self._values[1]

        def get_mimetype(self):
            return self._values[2]

        def get_contentprovider(self):
            return StringProvider(self._values[3])

        def get_hints(self):
            return {Hint.FRONT_ARTICLE: self._values[4]}

    target.unlink(missing_ok=True)
    creator = Creator(str(target)).config_indexing(True, "eng")
    with creator:
        creator.set_mainpath(MAIN)
        creator.add_item(_Item(MAIN, MAIN, "text/html", main_page(), True))
        creator.add_item(_Item("Badger", "Badger", "text/html", BADGER_PAGE, True))
        for path, (mimetype, qt_format) in IMAGES.items():
            creator.add_item(_Item(path, "", mimetype, image_bytes(qt_format, mimetype), False))
        for key, value in (("Name", NAME), ("Title", "Lectern self-test"), ("Language", "eng"),
                           ("Date", "2026-11-30"), ("Creator", "Lectern"), ("Publisher", "Lectern"),
                           ("Description", "The archive lectern self-test searches and shows")):
            creator.add_metadata(key, value)


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage needs it)
    write(TARGET)
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
