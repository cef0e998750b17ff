"""Desktop integration files: the .desktop entry and the icon set the window and the build use."""

from __future__ import annotations

import configparser
import struct
import xml.etree.ElementTree as ET

import pytest

from ..conftest import REPO

ICONS = REPO / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])  # IHDR width, height


def test_desktop_entry_launches_lectern_with_its_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # keys are case-sensitive
    entry.read(REPO / "resources" / "lectern.desktop", encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["Name"] == "Lectern"
    assert desktop["Exec"].split()[0] == "lectern" and desktop["Terminal"] == "false"
    assert desktop["Icon"] == "lectern" and (ICONS / "lectern.svg").is_file()
    assert desktop["StartupWMClass"] == "Lectern"  # Qt's WM_CLASS class is the application name


def test_svg_icon_is_square_and_well_formed():
    root = ET.parse(ICONS / "lectern.svg").getroot()
    assert root.tag.endswith("svg") and root.get("viewBox") == "0 0 256 256"


@pytest.mark.parametrize("size", SIZES)
def test_each_png_has_the_size_in_its_name(size):
    assert png_size((ICONS / f"lectern-{size}.png").read_bytes()) == (size, size)


def test_windows_ico_holds_every_size():
    data = (ICONS / "lectern.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, len(SIZES))
    found = []
    for i in range(count):
        width, height, _, _, _, _, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i:22 + 16 * i])
        found.append(png_size(data[offset:offset + length]))
        assert found[-1] == (width or 256, height or 256)
    assert found == [(s, s) for s in SIZES]
