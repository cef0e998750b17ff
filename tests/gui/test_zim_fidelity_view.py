"""An archive page in the reading view with links outside blocks (a heading, a table caption, an
infobox header cell, a trimmed infobox value, ``pre``), images inside list items and cells spanning
columns and rows (issue 10)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument, QTextTable
from PySide6.QtTest import QTest

from reader.gui.page_text import PageText
from reader.gui.render import render_article
from reader.model import Table
from reader.sources.zim_html import page_to_article
from reader.sources.zim_links import PageLinker
from tests.sources.test_zim_fidelity import _CELLS

from tests.sources.archive_source import ArchiveSource
from tests.sources.pages import write_archive

from .shell_support import close_window, open_window
from .test_zim_reading import _images, _png

PAGE = "zim:fidelity/Otter"
BADGER = "zim:fidelity/Badger"
OTTER_HTML = """<html><body><h1>Otter</h1>
<table class="infobox"><tr><th colspan="2">Species of <a href="Badger">Mustelid</a></th></tr>
<tr><th><a href="Badger">Cousin</a></th><td>, <a href="Badger">Meles</a>,</td></tr></table>
<p>The otter swims.</p>
<h2>Kin of the <a href="Badger">badger</a></h2><p>Otters and badgers are kin.</p>
<table class="wikitable"><caption>Counts from the <a href="https://example.org/survey">survey</a></caption>
<tr><th colspan="2">River and county</th><th rowspan="2">Otters</th></tr>
<tr><td>Thames</td><td>Oxon</td></tr>
<tr><td></td><td>Wye alone</td><td>seven</td></tr></table>
<pre>see <a href="Badger">badger.py</a> for the count</pre>
<ul><li><figure><img src="./_assets_/kit.png" alt=""><figcaption>A kit</figcaption></figure> plays by the water</li>
<li>No picture here</li></ul>
</body></html>"""
BADGER_HTML = "<html><body><p>The badger digs setts.</p></body></html>"


@pytest.fixture
def window(qtbot, library, app_paths, tmp_path):
    path = write_archive(tmp_path / "fidelity_2026-11.zim", [("Otter", "Otter", OTTER_HTML), ("Badger", "Badger", BADGER_HTML)],
                         name="fidelity", main="Otter", files=[("_assets_/kit.png", "image/png", _png(9, 6))])
    library.attach_source(ArchiveSource(path))
    win = open_window(qtbot, library, app_paths)
    assert win.view.show_article(PAGE)
    yield win
    close_window(win)


def _href_at(view, text: str, offset: int = 0) -> str:
    """The link under the first occurrence of ``text`` in the shown page (its ``offset``-th character)."""
    found = view.document().find(text)
    assert not found.isNull(), text
    cursor = view.textCursor()
    cursor.setPosition(found.selectionStart() + offset + 1)
    return cursor.charFormat().anchorHref()


@pytest.mark.parametrize("text, href", [
    ("badger", "article:zim%3Afidelity%2FBadger"),  # in the heading "Kin of the badger"
    ("Mustelid", "article:zim%3Afidelity%2FBadger"),  # an infobox row of one header cell
    ("Cousin", "article:zim%3Afidelity%2FBadger"),  # an infobox header cell
    ("Meles", "article:zim%3Afidelity%2FBadger"),  # a value shown trimmed (", Meles," shows "Meles")
    ("survey", "https://example.org/survey"),  # a table caption, external
    ("badger.py", "article:zim%3Afidelity%2FBadger"),  # preformatted text
])
def test_links_outside_blocks_are_links_in_the_view(window, text, href):
    assert _href_at(window.view, text) == href


def test_a_click_on_a_heading_link_opens_its_target_and_back_returns(qtbot, window):
    view = window.view
    window.open_article(PAGE)
    found = view.document().find("badger")  # the heading's link ("Kin of the badger")
    cursor = view.textCursor()
    cursor.setPosition(found.selectionStart() + 2)
    assert cursor.block().blockFormat().headingLevel() == 2
    point = view.cursorRect(cursor).center()
    with qtbot.waitSignal(view.article_shown, timeout=20_000):
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert view.article_id == BADGER
    window.go_back()
    assert view.article_id == PAGE


def test_an_external_link_in_a_caption_only_asks(qtbot, window, monkeypatch):
    view = window.view
    asked = []
    monkeypatch.setattr(view, "ask_external_link", lambda address: asked.append(address) or "")
    found = view.document().find("survey")
    cursor = view.textCursor()
    cursor.setPosition(found.selectionStart() + 2)
    view.verticalScrollBar().setValue(max(0, view.cursorRect(cursor).top() + view.verticalScrollBar().value() - 20))
    with qtbot.assertNotEmitted(view.link_requested):
        QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(cursor).center())
    assert asked == ["https://example.org/survey"] and view.article_id == PAGE and view.refused_resources == []


def test_an_image_in_a_list_item_shows_in_that_item(window):
    view = window.view
    block = view.document().find("plays by the water").block()
    assert block.textList() is not None and block.text().startswith("\ufffc")  # the image opens its list item
    assert _images(view) == ["zim-image:_assets_/kit.png"] and view.shown_images == ["zim-image:_assets_/kit.png"]


def test_cells_span_as_on_the_page_and_a_quote_across_them_anchors(qtbot, window, library):
    view = window.view
    [table] = [f for f in view.document().rootFrame().childFrames() if isinstance(f, QTextTable)
               and "River and county" in f.firstCursorPosition().block().text()]
    assert (table.rows(), table.columns()) == (3, 3)
    head, otters, gap = table.cellAt(0, 0), table.cellAt(0, 2), table.cellAt(2, 0)
    assert (head.columnSpan(), otters.rowSpan(), table.cellAt(1, 2).row()) == (2, 2, 0)
    assert gap.firstPosition() == gap.lastPosition()  # the page's empty cell before "Wye alone"
    assert table.cellAt(2, 1).firstCursorPosition().block().text() == "Wye alone"
    text = library.article(PAGE).plain_text()
    assert "River and county | Otters\n\nThames | Oxon\n\nWye alone | seven" in text  # the model's spelling, unchanged
    with qtbot.waitSignal(window.notes_painted, timeout=20_000):
        library.store.add_note(PAGE, "kin-of-the-badger", "rows", quote="Oxon\n\nWye alone | seven")
    [(start, end, _)] = view.painted_notes()
    assert start == table.cellAt(1, 1).firstPosition() and end == table.cellAt(2, 2).firstPosition() + len("seven")


def test_a_selection_over_spanning_and_empty_cells_quotes_as_the_model_spells_it(qtbot, window, library):
    view = window.view
    [table] = [f for f in view.document().rootFrame().childFrames() if isinstance(f, QTextTable)
               and "River and county" in f.firstCursorPosition().block().text()]
    cursor = view.textCursor()
    cursor.setPosition(table.cellAt(1, 1).firstPosition() + 1)  # "Oxon", under the spanning header
    cursor.setPosition(table.cellAt(2, 2).firstPosition() + 2, cursor.MoveMode.KeepAnchor)  # "seven", after the empty cell
    view.setTextCursor(cursor)
    assert view.textCursor().selectedTableCells() == (1, 2, 1, 2)
    quote, prefix, suffix = view.selection_context()
    # one run of text from the first cell to the last ("Otters", spanning down from the row above,
    # is before "Oxon" in the page), spelt as the model spells it: the empty cell adds nothing
    assert quote == "Oxon\n\nWye alone | seven"
    with qtbot.waitSignal(window.notes_painted, timeout=20_000):
        note = library.store.add_note(PAGE, view.selection_section_id(), "sel", quote=quote, prefix=prefix, suffix=suffix)
    assert not note.orphaned and len(view.painted_notes()) == 1


@settings(max_examples=150, deadline=None)
@given(st.lists(_CELLS, min_size=1, max_size=6))
def test_the_view_text_of_any_table_reads_as_the_model_spells_it(qapp, rows):
    """Spanning, empty and missing cells: the page text (what quotes are found in) holds the table's
    model text, and its ends map to the document's characters; no column is left without text."""
    page = "<p>Before.</p><table>" + "".join(
        "<tr>" + "".join(f'<td colspan="{c}" rowspan="{r}">{text}</td>' for text, c, r in row) + "</tr>" for row in rows
    ) + "</table><p>After.</p>"
    article = page_to_article(page, linker=PageLinker("A/Page"))
    document = QTextDocument()
    document.setHtml(render_article(article).html)
    text = PageText(document)
    assert " ".join(article.lead.text().split()) in " ".join(text.text.split())  # paragraphs: one line break in the view
    for table in (block for block in article.lead.blocks if isinstance(block, Table)):
        start = text.text.index(table.text)  # rows and cells spelt as the model spells them
        end = start + len(table.text)
        assert document.characterAt(text.to_doc(start)) == table.text[0]  # a quote of it maps to its first
        assert document.characterAt(text.to_doc(end - 1)) == table.text[-1]  # and last characters
    for shown in (frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable)):
        assert all(any(_has_text(shown.cellAt(row, column)) for row in range(shown.rows()))
                   for column in range(shown.columns()))  # no column without text: empty ones are left out


def _has_text(cell) -> bool:
    return cell.lastPosition() > cell.firstPosition()
