"""Article rendering: escaping, links, anchors, and no resource ever loaded."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from reader.gui.panel_support import PAYLOAD_ROLE
from reader.gui.render import TitleIndex, parse_article_href, render_article, section_from_anchor
from reader.parser import parse_text

from .shell_support import article_file, data_window, window  # noqa: F401 - fixtures

HOSTILE = """= Hostile <b>page</b> =

Before <script>alert("x")</script> after.

An image: <img src=http://example.com/track.png> and <a href="http://example.com">a link</a>.

== <h1>Injected</h1> heading ==

- <img src="http://example.com/list.png">
- &amp; stays &amp;
"""


def _parse(text, article_id="a"):
    return parse_text(text, article_id)


def test_text_is_escaped_in_the_html():
    rendered = render_article(_parse(HOSTILE))
    assert "<script>" not in rendered.html and "<img" not in rendered.html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in rendered.html
    assert "&amp;amp; stays" in rendered.html  # an entity in the text is text, not an entity


def test_titles_of_library_articles_become_links_and_others_do_not():
    article = _parse("= Alpha =\n\nLead.\n\n== See also ==\n\n- Beta topic\n- Nowhere\n- alpha\n")
    titles = TitleIndex([type("S", (), {"title": "Béta Topic", "id": "beta-topic"})(),
                         type("S", (), {"title": "Alpha", "id": "a"})()])
    rendered = render_article(article, titles)
    assert rendered.links == 1  # "alpha" is the article itself: no self-link
    assert '<a href="article:beta-topic">Beta topic</a>' in rendered.html
    assert ">Nowhere<" in rendered.html and 'href="article:a"' not in rendered.html


def test_every_section_has_an_anchor():
    article = _parse("= T =\n\nLead.\n\n== One ==\n\nx\n\n=== Two/three ===\n\ny\n")
    rendered = render_article(article)
    for section in article.sections:
        name = rendered.anchors[section.id]
        assert f'name="{name}"' in rendered.html
        assert section_from_anchor(name) == section.id
    assert parse_article_href("article", "beta%20x", "s%2Ft") == ("beta x", "s/t")
    assert parse_article_href("http", "example.com", "") is None


def test_hostile_article_renders_as_text_and_loads_nothing(qtbot, window, tmp_path):
    path = article_file(tmp_path / "hostile", "hostile.txt", HOSTILE)
    window.library.add_sources([path])
    [summary] = [a for a in window.library.articles() if a.path == str(path)]
    assert window.open_article(summary.id)
    view = window.view
    plain = view.toPlainText()
    assert '<script>alert("x")</script>' in plain
    assert "<img src=http://example.com/track.png>" in plain
    assert "<h1>Injected</h1> heading" in plain
    assert view.refused_resources == []  # Qt never even asked for a resource
    block = view.document().begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            fmt = it.fragment().charFormat()
            assert not fmt.isImageFormat()
            assert not fmt.anchorHref().startswith("http")
            it += 1
        block = block.next()


TAGGED_HEADING = "<font color=red size=7>BIG</font>"


def _assert_escaped(tip: str, raw: str) -> None:
    assert "&lt;" in tip and raw not in tip, tip
    doc = QTextDocument()
    doc.setHtml(tip)  # what the tooltip shows: the tags as text
    assert raw in doc.toPlainText()


def test_tooltips_show_article_and_note_text_literally(qtbot, window, tmp_path):
    path = article_file(tmp_path / "tagged", "tagged.txt",
                        f"= Tagged =\n\nLead.\n\n== {TAGGED_HEADING} ==\n\nBody.\n")
    window.library.add_sources([path])
    [summary] = [a for a in window.library.articles() if a.path == str(path)]
    assert window.open_article(summary.id)
    [section] = [s for s in window.view.article.sections if not s.is_lead]
    _assert_escaped(window.toc.item_for(section.id).toolTip(0), "<font")
    window.toc.set_marks({section.id}, set())  # the tooltip rebuilt with "(has notes)"
    _assert_escaped(window.toc.item_for(section.id).toolTip(0), "<font")
    panel = window.notes_panel
    panel.set_current(summary.id, section.id)
    with qtbot.waitSignal(panel.refreshed, timeout=20_000):
        window.library.store.add_note(summary.id, section.id, "<b>bold?</b>")
    qtbot.waitUntil(lambda: panel.list.count() == 1, timeout=20_000)
    _assert_escaped(panel.list.item(0).toolTip(), "<b>")
    mark = window.library.store.add_bookmark(summary.id, section.id, name="<i>mine</i>")
    bookmarks = window.bookmarks_panel
    qtbot.waitUntil(lambda: any(i.data(0, PAYLOAD_ROLE) == mark for i in bookmarks._all_items()), timeout=20_000)
    [item] = [i for i in bookmarks._all_items() if i.data(0, PAYLOAD_ROLE) == mark]
    _assert_escaped(item.toolTip(0), "<i>")


def test_load_resource_refuses_remote_and_local_urls(window):
    view = window.view
    for url in ("http://example.com/x.png", "file:///etc/passwd", "x.png"):
        blank = view.loadResource(int(QTextDocument.ResourceType.ImageResource.value), QUrl(url))
        assert (blank.width(), blank.height()) == (1, 1)  # a stand-in: None would make Qt read the file itself
    assert view.refused_resources == ["http://example.com/x.png", "file:///etc/passwd", "x.png"]


def test_clicking_an_external_link_url_only_asks(qtbot, window, monkeypatch):
    before, asked = window.view.article_id, []
    monkeypatch.setattr(window.view, "ask_external_link", lambda address: asked.append(address) or "")
    with qtbot.assertNotEmitted(window.view.link_requested):
        window.view.anchorClicked.emit(QUrl("http://example.com/"))
    assert window.view.article_id == before and asked == ["http://example.com/"]


def test_folded_text_maps_matches_back_to_the_original_offsets():
    from reader.gui.render import FoldedText

    text = "Straße to Łódź and STRASSE, then e\u0301clair"
    folded = FoldedText(text)
    assert [text[a:b] for a, b in folded.find_all("strasse")] == ["Straße", "STRASSE"]
    assert [text[a:b] for a, b in folded.find_all("LODZ")] == ["Łódź"]
    assert [text[a:b] for a, b in folded.find_all("eclair")] == ["e\u0301clair"]
    assert folded.find_all("") == [] and folded.find_all("absent") == []


def test_find_in_page_ignores_accents_unless_asked(qtbot, window):
    bar = window.find_bar
    bar.open_bar()
    qtbot.keyClicks(bar.field, "asagi ayrim")
    assert bar.count >= 1
    assert window.view.textCursor().selectedText() == "Aşağı Ayrım"
    bar.case_box.setChecked(True)
    assert bar.count == 0
    bar.field.setText("Aşağı Ayrım")
    assert bar.count >= 1


def test_search_terms_are_highlighted_without_accents_too(window):
    count = window.view.highlight_terms(["asagi"])
    assert count >= 1
    assert all(s.cursor.selectedText().casefold() == "aşağı" for s in window.view.extraSelections())
