"""Render lectern.svg to the PNG sizes desktops and PyInstaller want.

Run from anywhere after editing the SVG:  .venv/bin/python resources/icons/render_pngs.py
Writes lectern-<size>.png (16..256) beside this script, plus lectern.ico (the
Windows executable icon: the same PNGs in one file, which Windows reads since
Vista). Uses Qt's own SVG renderer, so the PNGs look exactly like the window icon
Qt draws from the SVG.
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

SIZES = (16, 24, 32, 48, 64, 128, 256)
HERE = Path(__file__).resolve().parent


def render(svg: Path, size: int, target: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(svg)).render(painter)
    painter.end()
    if not image.save(str(target)):
        raise SystemExit(f"could not write {target}")


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (QImage/QPainter need it)
    svg = HERE / "lectern.svg"
    pngs = [HERE / f"lectern-{size}.png" for size in SIZES]
    for size, png in zip(SIZES, pngs):
        render(svg, size, png)
        print(f"wrote {png.name}")
    write_ico(HERE / "lectern.ico", [(size, png.read_bytes()) for size, png in zip(SIZES, pngs)])
    print("wrote lectern.ico")
    return 0


def write_ico(target: Path, images: list[tuple[int, bytes]]) -> None:
    """An ICO file holding PNG images: a 6-byte header, one 16-byte entry per image, the data."""
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, data in images:
        side = size if size < 256 else 0  # 0 means 256 in an ICO entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(data), offset + len(blobs))
        blobs += data
    target.write_bytes(header + entries + blobs)


if __name__ == "__main__":
    sys.exit(main())
