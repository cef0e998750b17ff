"""The search panel with an archive attached: its hits in the list, and the per-source filter (issue 10)."""

from __future__ import annotations

import pytest

from reader.gui.panel_support import PAYLOAD_ROLE
from reader.gui.search_panel import SearchPanel
from tests.sources.archive_source import ArchiveSource
from tests.sources.pages import GenSection, Page, render, write_archive

WAIT = 20_000


@pytest.fixture
def archive_library(library, tmp_path):
    page = Page("Quokka island", lead=["Quokkas live on the island of Rottnest."],
                sections=[GenSection("Ceasefire", ["A ceasefire between the quokkas held."])])
    path = write_archive(tmp_path / "islands_2026-11.zim", [("Quokka_island", page.title, render(page, "flat"))],
                         name="islands", main=None)
    source = ArchiveSource(path)
    library.attach_source(source)
    library.update_index()
    return library, source


def _hit_articles(panel):
    payloads = [panel.results.item(i).data(PAYLOAD_ROLE) for i in range(panel.results.count())]
    return {p[0] for p in payloads if isinstance(p, tuple) and p}


def test_the_source_filter_keeps_one_archive_or_the_files(qtbot, archive_library):
    library, source = archive_library
    panel = SearchPanel(library)
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.source_filter.isHidden()
    assert [panel.source_filter.itemData(i) for i in range(panel.source_filter.count())] == [None, "folders", source.id]
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("ceasefire")
    everywhere = _hit_articles(panel)
    assert "zim:islands/Quokka_island" in everywhere and len(everywhere) > 1
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.source_filter.setCurrentIndex(panel.source_filter.findData(source.id))
    assert _hit_articles(panel) == {"zim:islands/Quokka_island"}
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.source_filter.setCurrentIndex(panel.source_filter.findData("folders"))
    assert _hit_articles(panel) and "zim:islands/Quokka_island" not in _hit_articles(panel)


def test_without_archives_there_is_no_source_filter(qtbot, library):
    panel = SearchPanel(library)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.source_filter.isHidden()


def test_an_archive_attached_later_joins_the_source_filter(qtbot, library, tmp_path):
    library.update_index()
    panel = SearchPanel(library)
    qtbot.addWidget(panel)
    panel.show()
    assert panel.source_filter.isHidden()
    page = Page("Quokka island", lead=["Quokkas live on the island."])
    path = write_archive(tmp_path / "late_2026-11.zim", [("Quokka_island", page.title, render(page, "flat"))],
                         name="late", main=None)
    library.attach_source(ArchiveSource(path))
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("quokkas")
    assert not panel.source_filter.isHidden() and panel.source_filter.findData("zim:late") > 0
    assert _hit_articles(panel) == {"zim:late/Quokka_island"}


def test_a_note_on_an_archive_article_is_listed_under_the_article_title(qtbot, archive_library):
    library, _ = archive_library
    library.store.add_note("zim:islands/Quokka_island", "_lead", "wombat remark")
    panel = SearchPanel(library)
    qtbot.addWidget(panel)
    panel.show()
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("wombat")
    rows = [panel.results.item(i) for i in range(panel.results.count())]
    assert [row.text() for row in rows if row.data(PAYLOAD_ROLE)[1] == ""][:1] == ["Quokka island"]
    assert any(">Quokka island › Note · " in row.toolTip() for row in rows)


def test_an_archive_in_lecterns_index_is_offered_in_the_source_filter(qtbot, library, tmp_path):
    page = Page("Quokka island", lead=["Quokkas live on the island."],
                sections=[GenSection("Habits", ["The quokkas held a ceasefire."])])
    path = write_archive(tmp_path / "plain_2026-11.zim", [("Quokka_island", page.title, render(page, "flat"))],
                         name="plain", main=None, indexing=False)
    library.add_sources([path])
    library.update_index()
    panel = SearchPanel(library)
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.source_filter.isHidden() and panel.source_filter.findData("zim:plain") > 0
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.run_query("ceasefire")
    everywhere = _hit_articles(panel)
    assert "zim:plain/Quokka_island" in everywhere and len(everywhere) > 1  # the seed article too
    with qtbot.waitSignal(panel.results_shown, timeout=WAIT):
        panel.source_filter.setCurrentIndex(panel.source_filter.findData("zim:plain"))
    assert _hit_articles(panel) == {"zim:plain/Quokka_island"}
