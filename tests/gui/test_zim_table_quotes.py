"""Quotes across table cells of an archive page are painted, and a selection across cells becomes a
quote the note anchors to (the model spells a row "cell | cell"; the page marks cells, issue 10)."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextTable

from tests.sources.archive_source import ArchiveSource
from tests.sources.pages import write_archive

from .shell_support import close_window, open_window

RIVERS = "zim:rivers/Rivers"
TABLE_HTML = """<html><body><p>Otters by river.</p>
<table class="wikitable"><caption>Counts</caption>
<tr><th>River</th><th>Otters</th><th>Kits</th></tr>
<tr><td>Thames &lt;b&gt;not bold&lt;/b&gt;</td><td>twelve sleek swimmers</td><td>three</td></tr>
<tr><td colspan="2">Severn and Wye together</td><td>none seen</td></tr>
</table><p>After the table.</p><h2>Notes</h2><p>Otters are counted at dawn.</p></body></html>"""


@pytest.fixture
def window(qtbot, library, app_paths, tmp_path):
    path = write_archive(tmp_path / "rivers_2026-11.zim", [("Rivers", "Rivers", TABLE_HTML)], name="rivers",
                         main="Rivers")
    library.attach_source(ArchiveSource(path))
    win = open_window(qtbot, library, app_paths)
    assert win.view.show_article(RIVERS)
    yield win
    close_window(win)


def _table(view) -> QTextTable:
    [table] = [f for f in view.document().rootFrame().childFrames() if isinstance(f, QTextTable)]
    return table


def _cell_position(table, row: int, column: int, offset: int = 0) -> int:
    return table.cellAt(row, column).firstCursorPosition().position() + offset


def _painted_text(view, start: int, end: int) -> str:
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
    return cursor.selectedText()


def _select(view, start: int, end: int) -> None:
    cursor = view.textCursor()
    cursor.setPosition(start)
    cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)


def test_a_quote_across_two_cells_is_painted_over_both(qtbot, window, library):
    view, table = window.view, _table(window.view)
    assert "Thames <b>not bold</b> | twelve sleek swimmers | three" in library.article(RIVERS).plain_text()
    with qtbot.waitSignal(window.notes_painted, timeout=20_000):
        note = library.store.add_note(RIVERS, "_lead", "both cells", quote="not bold</b> | twelve sleek")
    [(start, end, painted)] = view.painted_notes()
    assert painted.id == note.id
    assert start == _cell_position(table, 1, 0, len("Thames <b>"))
    assert end == _cell_position(table, 1, 1, len("twelve sleek"))


def test_a_quote_across_rows_and_a_spanning_cell_is_painted(qtbot, window, library):
    view, table = window.view, _table(window.view)
    with qtbot.waitSignal(window.notes_painted, timeout=20_000):
        library.store.add_note(RIVERS, "_lead", "rows", quote="three Severn and Wye together | none")
    [(start, end, _)] = view.painted_notes()
    assert start == _cell_position(table, 1, 2) and end == _cell_position(table, 2, 2, len("none"))
    pieces = [_painted_text(view, s.cursor.selectionStart(), s.cursor.selectionEnd()) for s in view.extraSelections()
              if start <= s.cursor.selectionStart() < end]
    assert pieces == ["three", "Severn and Wye together", "none"]  # painted a cell at a time, not as whole cells


def test_a_selection_across_cells_is_quoted_as_the_article_spells_it_and_anchors(qtbot, window, library):
    view, table = window.view, _table(window.view)
    _select(view, _cell_position(table, 1, 1, len("twelve ")), _cell_position(table, 1, 2, len("thr")))
    quote, prefix, suffix = view.selection_context()  # Qt selects whole cells across cells: so does the quote
    assert quote == "twelve sleek swimmers | three"
    assert prefix.endswith("not bold</b> | ") and suffix.startswith("\n\nSevern")
    assert view.selection_problem() is None and view.selection_section_id() == "_lead"
    with qtbot.waitSignal(window.notes_painted, timeout=20_000):
        note = library.store.add_note(RIVERS, view.selection_section_id(), "sel", quote=quote,
                                      prefix=prefix, suffix=suffix)
    assert note.quote == quote and not note.orphaned
    [(start, end, _)] = view.painted_notes()
    assert (start, end) == (_cell_position(table, 1, 1), _cell_position(table, 1, 2, len("three")))


def test_a_selection_of_cells_over_two_rows_quotes_the_cells_qt_shows_selected(window):
    view, table = window.view, _table(window.view)
    _select(view, _cell_position(table, 0, 2, 1), _cell_position(table, 1, 0, 2))  # Qt selects the rectangle
    assert view.textCursor().selectedTableCells() == (0, 2, 0, 3)
    assert view.selection_context()[0] == "River | Otters | Kits\n\nThames <b>not bold</b> | twelve sleek swimmers | three"


def test_quotes_after_a_table_still_land_where_they_are(qtbot, window, library):
    """The separators are longer than the page's cell marks: positions after the table map back."""
    view = window.view
    with qtbot.waitSignal(window.notes_painted, timeout=20_000):
        library.store.add_note(RIVERS, "notes", "dawn", quote="counted at dawn")
    [(start, end, _)] = view.painted_notes()
    assert _painted_text(view, start, end) == "counted at dawn"


GALLERY_HTML = """<html><body><p>Animals of the river.</p>
<table class="gallery"><tr>
<td><figure><img src="./_assets_/otter.png"><figcaption>An otter swimming</figcaption></figure></td>
<td><img src="./_assets_/sett.png" alt="Badger sett"> <p>Badger sett in spring</p></td>
<td><img src="./_assets_/unknown.png" alt="nothing like the text"> <p>Heron</p></td>
</tr></table><p>After the gallery.</p></body></html>"""


@pytest.fixture
def gallery(qtbot, library, app_paths, tmp_path):
    from .test_zim_reading import _png

    images = [(f"_assets_/{name}.png", "image/png", _png(6, 4)) for name in ("otter", "sett", "unknown")]
    path = write_archive(tmp_path / "gallery_2026-11.zim", [("Gallery", "Gallery", GALLERY_HTML)], name="gallery",
                         main="Gallery", files=images)
    library.attach_source(ArchiveSource(path))
    win = open_window(qtbot, library, app_paths)
    assert win.view.show_article("zim:gallery/Gallery")
    yield win
    close_window(win)


def _cell_images(table, row: int, column: int) -> list[str]:
    cell, names = table.cellAt(row, column), []
    block = cell.firstCursorPosition().block()
    while block.isValid() and block.position() <= cell.lastPosition():
        iterator = block.begin()
        while not iterator.atEnd():
            if iterator.fragment().charFormat().isImageFormat():
                names.append(iterator.fragment().charFormat().toImageFormat().name())
            iterator += 1
        block = block.next()
    return names


def test_images_in_table_cells_are_placed_in_the_cell_their_caption_is_in(qtbot, gallery, library):
    view, table = gallery.view, _table(gallery.view)
    assert [_cell_images(table, 0, column) for column in range(3)] == [
        ["zim-image:_assets_/otter.png"], ["zim-image:_assets_/sett.png"], []]  # an alt text found nowhere: no place
    assert "zim-image:_assets_/otter.png" in view.shown_images
    with qtbot.waitSignal(gallery.notes_painted, timeout=20_000):  # the image's character does not break a quote
        library.store.add_note("zim:gallery/Gallery", "_lead", "both", quote="An otter swimming | Badger sett")
    [(start, end, _)] = view.painted_notes()
    assert start == _cell_position(table, 0, 0, 2) and end == _cell_position(table, 0, 1, 2 + len("Badger sett"))


INFOBOX_HTML = """<html><body><table class="infobox"><tr><th colspan="2">Eurasian otter</th></tr>
<tr><td colspan="2" class="infobox-image"><a href="./File:Otter.png"><img src="./_assets_/otter.png" alt=""></a>
<div class="infobox-caption">An otter in 2020</div></td></tr>
<tr><th>Family</th><td>Mustelidae</td></tr></table><p>The Eurasian otter lives by rivers.</p></body></html>"""


def test_an_infobox_picture_without_alt_text_is_placed_on_its_caption_row(qtbot, library, app_paths, tmp_path):
    from .test_zim_reading import _png

    path = write_archive(tmp_path / "box_2026-11.zim", [("Otter", "Eurasian otter", INFOBOX_HTML)], name="box",
                         main="Otter", files=[("_assets_/otter.png", "image/png", _png(6, 4))])
    library.attach_source(ArchiveSource(path))
    window = open_window(qtbot, library, app_paths)
    try:
        assert window.view.show_article("zim:box/Otter")
        infobox = _table(window.view)
        texts = [infobox.cellAt(row, 0).firstCursorPosition().block().text() for row in range(infobox.rows())]
        row = next(r for r, text in enumerate(texts) if "An otter in 2020" in text)
        assert _cell_images(infobox, row, 0) == ["zim-image:_assets_/otter.png"]
    finally:
        close_window(window)
