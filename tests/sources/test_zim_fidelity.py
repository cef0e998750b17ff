"""Page fidelity of archive pages beyond blocks (issue 10): links in headings, table captions,
infobox header cells and ``pre``; images inside list items; table cells' colspan and rowspan."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.model import BulletList, CellSpan, Link, Paragraph, Table, iter_items
from reader.sources.zim_archive import ZimArchive
from reader.sources.zim_html import MAX_COLUMN_SPAN, page_to_article
from reader.sources.zim_links import PageLinker

from .test_zim_html import LAYOUTS, assert_nothing_lost, linked


def _spans(text: str, links) -> list[tuple[str, str, bool]]:
    return [(text[link.start:link.end], link.target, link.external) for link in links]


def _wrapped(layout: str, heading: str, body: str) -> str:
    """One level-2 section of ``body`` under ``heading`` (HTML) in an mwoffliner layout."""
    if layout == "details":
        return (f'<details data-level="2" open><summary class="section-heading"><h2>{heading}</h2></summary>'
                f"<div>{body}</div></details>")
    if layout == "section":
        return f'<section data-mw-section-id="1"><div class="mw-heading mw-heading2"><h2>{heading}</h2></div>{body}</section>'
    return f"<h2>{heading}</h2>{body}"


def _page(layout: str, heading: str, body: str) -> str:
    return f"<html><body><h1>Page</h1><p>Lead.</p>{_wrapped(layout, heading, body)}</body></html>"


def _blocks(article, kind):
    return [block for section in article.sections for block in section.blocks if isinstance(block, kind)]


# --------------------------------------------------------------------------- links outside blocks


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_heading_keeps_its_links(layout):
    page = _page(layout, 'Early <a href="Life">life</a> in <a href="https://x.invalid/a?b=1&amp;c=2">Albany</a>', "<p>x</p>")
    article = linked(page)
    section = article.sections[1]
    assert section.title == "Early life in Albany" and section.id == "early-life-in-albany"
    assert _spans(section.title, section.title_links) == [("life", "A/Life", False),
                                                          ("Albany", "https://x.invalid/a?b=1&c=2", True)]
    assert page_to_article(page).sections[1].title_links == ()  # no linker: no links


@pytest.mark.parametrize("layout", LAYOUTS)
def test_a_table_caption_keeps_its_links(layout):
    page = _page(layout, "Albums", '<table class="wikitable"><caption>Albums on <a href="Atlantic_Records">Atlantic</a>'
                                   "</caption><tr><td>1957</td><td>Ray</td></tr></table>")
    [table] = _blocks(linked(page), Table)
    assert table.caption == "Albums on Atlantic" and table.rows == (("1957", "Ray"),)
    assert _spans(table.caption, table.caption_links) == [("Atlantic", "A/Atlantic_Records", False)]


def test_infobox_header_cells_and_caption_keep_their_links():
    page = b"""<table class="infobox"><caption><a href="Ray_Charles">Ray Charles</a></caption>
    <tr><th colspan="2">Single by <a href="Ray_Charles">Ray Charles</a></th></tr>
    <tr><th><a href="Record_label">Label</a></th><td><a href="Atlantic_Records">Atlantic</a></td></tr></table><p>x</p>"""
    article = linked(page)
    assert article.infobox == (("Ray Charles", ""), ("Single by Ray Charles", ""), ("Label", "Atlantic"))
    assert [_spans(key, links) for (key, _), links in zip(article.infobox, article.infobox_key_links)] == [
        [("Ray Charles", "A/Ray_Charles", False)], [("Ray Charles", "A/Ray_Charles", False)],
        [("Label", "A/Record_label", False)]]
    assert _spans("Atlantic", article.infobox_links[2]) == [("Atlantic", "A/Atlantic_Records", False)]


def test_preformatted_lines_keep_their_links_and_indentation():
    page = ('<pre>import <a href="Os_module">os</a>\n\n    <a href="Print">print</a>(<a href="X">multi\n'
            "  line</a>)   \n</pre>")
    article = linked(page)
    assert [(p.text, _spans(p.text, p.links)) for p in article.lead.blocks] == [
        ("import os", [("os", "A/Os_module", False)]),
        ("    print(multi", [("print", "A/Print", False), ("multi", "A/X", False)]),
        ("  line)", [("line", "A/X", False)]),  # a link over two lines is a span on each, blanks left out
    ]


def test_a_heading_h1_kept_as_the_leads_first_paragraph_keeps_its_links():
    article = linked('<h1>Site of <a href="Otters">otters</a></h1><p>Body.</p>', title="Page")
    first = article.lead.blocks[0]
    assert first.text == "Site of otters" and _spans(first.text, first.links) == [("otters", "A/Otters", False)]


def test_links_inside_formulas_stay_text():
    """A formula is its TeX source (docs/zim.md says why its links are not kept)."""
    page = '<p>Let <math><semantics><mrow><mi href="X">x</mi></mrow><annotation encoding="application/x-tex">x^2</annotation></semantics></math> be.</p>'
    [paragraph] = linked(page).lead.blocks
    assert paragraph.text == "Let x^2 be." and paragraph.links == ()


def test_real_infobox_header_links_are_kept(zim_dir):
    article = ZimArchive(zim_dir / "libkiwix/zimfile.zim").article("A_Fool_for_You")
    keys = {key: links for (key, _), links in zip(article.infobox, article.infobox_key_links)}
    assert _spans("Single by Ray Charles", keys["Single by Ray Charles"]) == [
        ("Ray Charles", "zim:wikipedia_en_ray_charles/Ray_Charles", False)]


def test_real_heading_links_are_kept(zim_dir):
    archive = ZimArchive(zim_dir / "libkiwix/example.zim")
    article = archive.article("FreedomBox for Communities_Offline Wikipedia - Wikibooks, open books for an open world.html")
    section = next(s for s in article.sections if s.title.startswith("Installing Kiwix"))
    assert ("edit", True) in [(text, external) for text, _, external in _spans(section.title, section.title_links)]


# --------------------------------------------------------------------------- images in list items


@pytest.mark.parametrize("layout", LAYOUTS)
def test_images_in_list_items_belong_to_their_item(layout):
    body = ('<ul class="gallery"><li class="gallerybox"><div class="thumb"><img src="../I/otter.png" alt="An otter"></div>'
            '<div class="gallerytext"><p>Otter at dawn</p></div></li>'
            '<li><figure><img src="../I/kit.png" alt=""><figcaption>A kit</figcaption></figure> and its <b>mother</b>'
            '<ul><li><img src="../I/flag.png" alt="">Nested with a flag</li></ul></li>'
            '<li><img src="../I/lonely.png" alt="Lonely"></li></ul><figure><img src="../I/after.png"><figcaption>After</figcaption></figure>')
    article = linked(_page(layout, "Gallery", body))
    [bullets] = _blocks(article, BulletList)
    assert [(item.text, item.images) for item in iter_items(bullets.items)] == [
        ("Otter at dawn", ("I/otter.png",)), ("A kit and its mother", ("I/kit.png",)),
        ("Nested with a flag", ("I/flag.png",))]  # an item without text keeps no image (its caption may place it)
    assert [path for _, path in article.images] == ["I/otter.png", "I/kit.png", "I/flag.png", "I/lonely.png", "I/after.png"]


# --------------------------------------------------------------------------- colspan and rowspan


@pytest.mark.parametrize("layout", LAYOUTS)
def test_cells_keep_their_colspan_rowspan_and_the_empty_cells_before_them(layout):
    body = ('<table class="wikitable"><tr><th colspan="2">Album</th><th rowspan="2">Year</th></tr>'
            "<tr><td>Side A</td><td>Side B</td></tr>"
            "<tr><td></td><td>only B</td><td>1957</td></tr>"
            '<tr><td rowspan="0">to the end</td><td colspan="2px">two</td></tr><tr><td>x</td><td>y</td></tr></table>')
    [table] = _blocks(linked(_page(layout, "Albums", body)), Table)
    assert table.rows == (("Album", "Year"), ("Side A", "Side B"), ("only B", "1957"), ("to the end", "two"), ("x", "y"))
    assert table.text == "Album | Year\n\nSide A | Side B\n\nonly B | 1957\n\nto the end | two\n\nx | y"  # the text is unchanged
    assert table.spans == (CellSpan(0, 0, columns=2), CellSpan(0, 1, rows=2), CellSpan(2, 0, skip=1),
                           CellSpan(3, 0, rows=2), CellSpan(3, 1, columns=2))


def test_spans_are_kept_inside_the_table():
    """A page cannot make a huge grid: a cell spans at most the widest row's columns and the rows left."""
    page = ('<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td colspan="65534" rowspan="65534">all</td></tr>'
            '<tr><td colspan="1000">p</td><td colspan="1000">q</td></tr><tr><td>d</td></tr></table>')
    [table] = _blocks(linked(page), Table)
    assert table.spans == (CellSpan(1, 0, columns=MAX_COLUMN_SPAN, rows=3), CellSpan(2, 0, columns=MAX_COLUMN_SPAN),
                           CellSpan(2, 1, columns=MAX_COLUMN_SPAN))


def test_the_fallback_reader_keeps_the_same_spans():
    from reader.sources import zim_html

    page = '<table><tr><th colspan="2">h</th></tr><tr><td></td><td rowspan="2">r</td></tr><tr><td>z</td></tr></table>'
    converter = zim_html._Converter()
    zim_html._EventDriver(converter).run(page)
    assert _blocks(converter.finish("", ""), Table) == _blocks(page_to_article(page), Table)


def test_real_tables_keep_their_spans(zim_dir):
    archive = ZimArchive(zim_dir / "zim-testing-suite/nons/wikibooks_be_all_nopic_2017-02.zim")
    tables = _blocks(archive.article("Італьянская_мова_Урок_1.html"), Table)
    spans = [span for table in tables for span in table.spans]
    assert any(span.columns > 1 for span in spans) and any(span.rows > 1 for span in spans)
    for table in tables:
        for span in table.spans:
            assert span.cell < len(table.rows[span.row]) and span.row + span.rows <= len(table.rows)


_CELLS = st.lists(st.tuples(st.sampled_from(["", "w", "v x"]), st.sampled_from(["", "0", "1", "2", "3", "9999", "x"]),
                            st.sampled_from(["", "0", "1", "2", "70000"])), min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(_CELLS, min_size=1, max_size=6))
def test_generated_tables_keep_every_word_and_sane_spans(rows):
    page = "<table>" + "".join(
        "<tr>" + "".join(f'<td colspan="{c}" rowspan="{r}">{text}</td>' for text, c, r in row) + "</tr>" for row in rows
    ) + "</table>"
    article = linked(page)
    assert_nothing_lost(page.encode(), article)
    for table in _blocks(article, Table):
        widest = max(sum(min(int(c) if c.isdigit() and c != "0" else 1, MAX_COLUMN_SPAN) for _, c, _ in row) for row in rows)
        for span in table.spans:
            assert 0 <= span.cell < len(table.rows[span.row])
            assert 1 <= span.rows <= len(table.rows) - span.row
            assert 1 <= span.columns <= max(widest, 1) and 0 <= span.skip <= max(widest, 1)


def test_a_real_nopic_tables_empty_picture_columns_are_left_out_when_shown(zim_dir):
    """The Wikibooks main page lays its projects out as (picture, text) cell pairs; the "nopic"
    archive keeps the picture cells empty: the model keeps them (as skips), the view leaves the
    empty columns out."""
    from reader.gui.render import render_article

    archive = ZimArchive(zim_dir / "zim-testing-suite/nons/wikibooks_be_all_nopic_2017-02.zim")
    article = archive.article(archive.main_path())
    [table] = _blocks(article, Table)
    assert table.spans and all(span.skip == 1 for span in table.spans)
    html = render_article(article).html
    assert "<td></td>" not in html and "Вікіпедыя" in html
