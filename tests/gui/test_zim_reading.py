"""Reading archive pages (issue 10): images from the archive, remote images refused, internal
links open their target with back/forward, external links only ask."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QBuffer, QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument

from tests.conftest import SHARED_CONTENT
from tests.sources.archive_source import ArchiveSource
from tests.sources.pages import write_archive

from .shell_support import close_window, open_window

OTTER = "zim:otters/Otter"
BADGER = "zim:otters/Badger"


def _png(width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor("red"))
    buffer = QBuffer()
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


OTTER_HTML = """<html><head><title>Otter</title></head><body>
<p>The otter is a cousin of the <a href="Badger">Badger</a> and lives near rivers.</p>
<figure><img src="./_assets_/otter.png" alt=""><figcaption>An otter swimming</figcaption></figure>
<figure><img src="http://example.invalid/remote.png"><figcaption>A remote picture</figcaption></figure>
<p>See the <a href="https://example.org/otters">Otter trust</a> for more.</p>
<h2>Diet</h2><p>Otters eat fish.</p>
</body></html>"""
BADGER_HTML = ("<html><body><p>The badger digs setts. <a href='Otter'>Otter</a> is a cousin.</p>"
               "<p>What do they eat? See <a href='Otter#Diet'>otter food</a>.</p></body></html>")


@pytest.fixture
def otter_window(qtbot, library, app_paths, tmp_path):
    path = write_archive(tmp_path / "otters_2026-11.zim",
                         [("Otter", "Otter", OTTER_HTML), ("Badger", "Badger", BADGER_HTML)],
                         name="otters", main="Otter", files=[("_assets_/otter.png", "image/png", _png(7, 5))])
    library.attach_source(ArchiveSource(path))
    window = open_window(qtbot, library, app_paths)
    yield window
    close_window(window)


def _images(view) -> list[str]:
    names, block = [], view.document().begin()
    while block.isValid():
        iterator = block.begin()
        while not iterator.atEnd():
            fmt = iterator.fragment().charFormat()
            if fmt.isImageFormat():
                names.append(fmt.toImageFormat().name())
            iterator += 1
        block = block.next()
    return names


def test_an_archive_image_shows_from_the_archive_and_a_remote_one_never_loads(qtbot, otter_window):
    view = otter_window.view
    assert view.show_article(OTTER)
    assert _images(view) == ["zim-image:_assets_/otter.png"]  # the remote image is not even in the page
    image = view.document().resource(QTextDocument.ResourceType.ImageResource.value, QUrl("zim-image:_assets_/otter.png"))
    assert (image.width(), image.height()) == (7, 5)
    assert view.shown_images == ["zim-image:_assets_/otter.png"]
    blank = view.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl("http://example.invalid/remote.png"))
    assert (blank.width(), blank.height()) == (1, 1)
    missing = view.loadResource(QTextDocument.ResourceType.ImageResource.value, QUrl("zim-image:_assets_/nothing.png"))
    assert (missing.width(), missing.height()) == (1, 1)
    assert view.refused_resources == ["http://example.invalid/remote.png", "zim-image:_assets_/nothing.png"]
    assert "An otter swimming" in view.toPlainText() and "A remote picture" in view.toPlainText()  # captions stay


def test_an_internal_link_opens_its_target_and_back_returns(qtbot, otter_window):
    window, view = otter_window, otter_window.view
    window.open_article(OTTER)
    assert 'href="article:zim%3Aotters%2FBadger"' in view._rendered.html
    with qtbot.waitSignal(view.article_shown, timeout=20_000):
        view.anchorClicked.emit(QUrl("article:zim%3Aotters%2FBadger"))
    assert view.article_id == BADGER
    window.go_back()
    assert view.article_id == OTTER
    window.go_forward()
    assert view.article_id == BADGER


def test_an_external_link_is_never_loaded_only_copied_or_opened_after_asking(qtbot, otter_window, monkeypatch):
    view = otter_window.view
    view.show_article(OTTER)
    assert 'href="https://example.org/otters"' in view._rendered.html
    opened, answers = [], iter(["", "copy", "open"])
    monkeypatch.setattr(view, "ask_external_link", lambda address: next(answers))
    monkeypatch.setattr("reader.gui.reading_view.QDesktopServices.openUrl", lambda url: opened.append(url.toString()))
    url = QUrl("https://example.org/otters")
    with qtbot.assertNotEmitted(view.link_requested):
        view.anchorClicked.emit(url)  # cancelled
    assert opened == [] and view.article_id == OTTER
    view.anchorClicked.emit(url)  # copy
    from PySide6.QtWidgets import QApplication
    assert QApplication.clipboard().text() == "https://example.org/otters" and opened == []
    view.anchorClicked.emit(url)  # open, after the user chose it
    assert opened == ["https://example.org/otters"]
    assert view.refused_resources == [] and view.article_id == OTTER


def test_a_nopic_archive_shows_captions_only(qtbot, library, app_paths, tmp_path):
    path = write_archive(tmp_path / "otters_nopic_2026-11.zim", [("Otter", "Otter", OTTER_HTML)],
                         name="otters_nopic", main="Otter")
    library.attach_source(ArchiveSource(path))
    window = open_window(qtbot, library, app_paths)
    try:
        assert window.view.show_article("zim:otters_nopic/Otter")
        assert _images(window.view) == [] and "An otter swimming" in window.view.toPlainText()
    finally:
        close_window(window)


def test_a_real_maxi_page_shows_its_archive_images(qtbot, library, app_paths):
    path = SHARED_CONTENT / "zim" / "libkiwix" / "example.zim"
    if not path.is_file():
        pytest.skip("../shared/content/zim is not present")
    source = ArchiveSource(path)
    library.attach_source(source)
    window = open_window(qtbot, library, app_paths)
    try:
        view = window.view
        assert view.show_article(source.archive.key(source.archive.main_path()))
        shown = _images(view)
        assert len(shown) >= 10 and all(name.startswith("zim-image:") for name in shown)
        assert not any(url.startswith("zim-image:") for url in view.refused_resources)
    finally:
        close_window(window)


def test_a_link_to_a_section_of_another_page_opens_at_that_section(qtbot, otter_window):
    window, view = otter_window, otter_window.view
    window.open_article(BADGER)
    assert 'href="article:zim%3Aotters%2FOtter#Diet"' in view._rendered.html
    requested = []
    view.link_requested.connect(lambda article_id, section_id: requested.append((article_id, section_id)))
    with qtbot.waitSignal(view.article_shown, timeout=20_000):
        view.anchorClicked.emit(QUrl("article:zim%3Aotters%2FOtter#Diet"))
    assert requested == [(OTTER, "diet")]  # the page's HTML id "Diet" is the section "diet"
    assert view.article_id == OTTER and window.history.entries[-1].section_id == "diet"


TABLE_HTML = """<html><body><p>Otters by river.</p>
<table class="wikitable"><caption>Counts</caption>
<tr><th>River</th><th>Otters</th></tr>
<tr><td>Thames &lt;b&gt;not bold&lt;/b&gt;</td><td>twelve sleek swimmers</td></tr>
</table><p>After the table.</p></body></html>"""


def _tables(document) -> list:
    from PySide6.QtGui import QTextTable
    return [frame for frame in document.rootFrame().childFrames() if isinstance(frame, QTextTable)]


def test_a_page_table_shows_as_a_table_with_escaped_cells_and_a_quote_in_a_cell_is_painted(
        qtbot, library, app_paths, tmp_path):
    path = write_archive(tmp_path / "rivers_2026-11.zim", [("Rivers", "Rivers", TABLE_HTML)], name="rivers", main="Rivers")
    library.attach_source(ArchiveSource(path))
    window = open_window(qtbot, library, app_paths)
    try:
        view = window.view
        assert view.show_article("zim:rivers/Rivers")
        [table] = _tables(view.document())
        assert (table.rows(), table.columns()) == (2, 2)
        cells = [table.cellAt(r, c).firstCursorPosition().block().text() for r in range(2) for c in range(2)]
        assert cells == ["River", "Otters", "Thames <b>not bold</b>", "twelve sleek swimmers"]  # markup stays text
        assert "Counts" in view.toPlainText()
        with qtbot.waitSignal(window.notes_painted, timeout=20_000):
            note = library.store.add_note("zim:rivers/Rivers", "_lead", "many", quote="sleek swimmers")
        [(start, end, painted)] = view.painted_notes()
        cursor = view.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
        assert painted.id == note.id and cursor.selectedText() == "sleek swimmers"
        assert table.firstPosition() <= start < end <= table.lastPosition()
    finally:
        close_window(window)


def test_opening_an_archive_page_parses_it_once(qtbot, otter_window, monkeypatch):
    """The conversion keeps the page's links and images: the view reads them from the article,
    not from a second parse of the page (docs/zim.md, "Reading")."""
    from lxml import etree

    parses = []
    real_parse = etree.fromstring
    monkeypatch.setattr(etree, "fromstring", lambda *args: parses.append(1) or real_parse(*args))
    view = otter_window.view
    assert view.show_article(BADGER)
    assert len(parses) == 1
    assert 'href="article:zim%3Aotters%2FOtter"' in view._rendered.html
    assert 'href="article:zim%3Aotters%2FOtter#Diet"' in view._rendered.html


class _PaintLog:
    """Records "paint" in ``events`` for each paint of the widget it filters."""

    def __init__(self, events):
        from PySide6.QtCore import QObject

        class Filter(QObject):
            def eventFilter(self, obj, event):  # noqa: N802
                if event.type() == event.Type.Paint:
                    events.append("paint")
                return False

        self.filter = Filter()


BUNDLED = "2023-azerbaijani-offensive-in-nagorno-karabakh"
ALIYEV_LINK = 'href="article:zim%3Aleaders%2FIlham_Aliyev"'


def test_titles_the_folders_lack_are_looked_up_in_an_archive_after_the_first_paint(qtbot, library, app_paths, tmp_path):
    """The start article names "Ilham Aliyev", which only an archive holds: the window paints first,
    then asks the archive's title index, and the page gains the link (docs/zim.md, window ready)."""
    from reader.gui.app import create_main_window

    path = write_archive(tmp_path / "leaders_2026-11.zim",
                         [("Ilham_Aliyev", "Ilham Aliyev", "<html><body><p>President of Azerbaijan.</p></body></html>")],
                         name="leaders", main="Ilham_Aliyev")
    source = ArchiveSource(path)
    library.attach_source(source)
    events = []
    asked = source.find_title
    source.find_title = lambda title: events.append("lookup") or asked(title)
    window = create_main_window(library, app_paths)  # the first article is rendered before the window shows
    qtbot.addWidget(window)
    view = window.view
    assert view.article_id == BUNDLED and ALIYEV_LINK not in view._rendered.html and "lookup" not in events
    log = _PaintLog(events)
    view.viewport().installEventFilter(log.filter)
    try:
        with qtbot.waitSignal(view.late_titles_resolved, timeout=20_000):
            window.show()
        assert ALIYEV_LINK in view._rendered.html
        assert "paint" in events and events.index("paint") < events.index("lookup")
        lookups = events.count("lookup")
        view.rerender()  # the answers are remembered: nothing waits for another round
        assert ALIYEV_LINK in view._rendered.html and not view._title_index().pending
        assert events.count("lookup") == lookups
    finally:
        close_window(window)


def test_late_titles_are_looked_up_a_step_per_event_loop_turn_and_the_page_renders_once(
        qtbot, library, app_paths, tmp_path, monkeypatch):
    """With no time to spare per turn, each turn asks the archive about one title; the page gains
    every link the archive has, rendered again once at the end."""
    from reader.gui import reading_view

    leaders = [("Ilham_Aliyev", "Ilham Aliyev"), ("Artsakh", "Artsakh"), ("Azerbaijan", "Azerbaijan")]
    path = write_archive(tmp_path / "leaders_2026-11.zim",
                         [(p, t, f"<html><body><p>About {t}.</p></body></html>") for p, t in leaders],
                         name="leaders", main="Artsakh")
    source = ArchiveSource(path)
    library.attach_source(source)
    asked = []
    find_title = source.find_title
    source.find_title = lambda title: asked.append(title) or find_title(title)
    monkeypatch.setattr(reading_view, "LATE_TITLES_STEP_S", 0.0)
    window = open_window(qtbot, library, app_paths)
    try:
        view = window.view
        qtbot.waitUntil(lambda: not view._late_titles, timeout=20_000)  # the start page's round is over
        steps, rerenders = [], []
        resolve = view._resolve_late_titles
        monkeypatch.setattr(view, "_resolve_late_titles", lambda: steps.append(len(asked)) or resolve())
        view.rerendered.connect(lambda: rerenders.append(1))
        view._titles = None  # as after a library change: every title is asked again
        asked.clear()
        with qtbot.waitSignal(view.late_titles_resolved, timeout=20_000):
            view.rerender()
            view.viewport().update()
        assert len(asked) > 3 and steps == list(range(len(asked)))  # one title a turn
        html = view._rendered.html
        assert all(f'href="article:zim%3Aleaders%2F{p}"' in html for p, _ in leaders)
        assert len(rerenders) == 2  # the one asked for, and one when the lookups were done
    finally:
        close_window(window)
