"""HTML of Kiwix archives -> Lectern's article model (reader/sources/zim_html.py)."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from reader.model import BulletList, Link, Paragraph, Table, iter_items
from reader.sources.zim_html import MAX_LIST_DEPTH, page_to_article
from reader.sources.zim_links import PageLinker

from .conftest import real_archives
from .pages import LAYOUTS, GenSection, Item, Page, render, sample_page

_WORD = re.compile(r"\w+")
# What docs/zim.md says is dropped with its content; everything else of the body must survive.
DROPPED = (
    "script", "style", "template", "noembed", "head", "title", "link", "meta", "base",
    "iframe", "frame", "frameset", "object", "embed", "applet", "canvas", "audio", "video",
    "form", "input", "select", "textarea", "button", "datalist", "output",
)
_WS = re.compile(r"\s+")


def model_text(article) -> str:
    return _WS.sub(" ", article.plain_text())


def model_words(article) -> Counter:
    return Counter(_WORD.findall(article.plain_text()))


def paragraphs(section) -> list[str]:
    return [b.text for b in section.blocks if isinstance(b, Paragraph)]


def tables(section) -> list[Table]:
    return [b for b in section.blocks if isinstance(b, Table)]


def bullet_lists(section) -> list[BulletList]:
    return [b for b in section.blocks if isinstance(b, BulletList)]


def body_text_nodes(page: bytes) -> list[str]:
    """Each text node of the body, read straight from the tree: outside the dropped tags
    (scripts, styles, forms, frames, media); a formula by its TeX annotation when it has one."""
    if not page.strip():
        return []
    parser = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True)
    root = etree.fromstring(page, parser)
    body = root.find("body") if root is not None else None
    if body is None:
        return []
    etree.strip_elements(body, *DROPPED, with_tail=False)
    for math in body.iter("math"):
        tex = [a for a in math.iter("annotation") if _is_tex(a)
               and not any(up.tag == "annotation" and _is_tex(up) for up in a.iterancestors())]  # an outer one holds it
        if tex:
            sources = (_WS.sub(" ", "".join(a.itertext())).strip() for a in tex)
            source = " ".join(re.sub(r"^\{\\displaystyle\s*(.*)\}$", r"\1", s, flags=re.S) for s in sources)
            for child in list(math):
                math.remove(child)
            math.text = source
    nodes = []
    for element in body.iter():
        for text in (element.text, element.tail if element is not body else None):
            text = _WS.sub(" ", text or "").strip()
            if text:
                nodes.append(text)
    return nodes


def _is_tex(annotation) -> bool:
    return "tex" in annotation.get("encoding", "")


def assert_nothing_lost(page: bytes, article) -> None:
    text = model_text(article)
    missing = [node for node in body_text_nodes(page) if node not in text]
    assert missing == [], f"{len(missing)} text nodes not in the model, e.g. {missing[:3]}"


def linked(page, article_id: str = "", title: str = ""):
    """The page converted with its links and images (as archives convert), checked against the
    conversion without them: the same text, and every link a span of words of its block."""
    article = page_to_article(page, article_id, title, linker=PageLinker("A/Page"))
    assert article.plain_text() == page_to_article(page, article_id, title).plain_text()
    for text, links in _texts_with_links(article):
        for link in links:
            assert 0 <= link.start < link.end <= len(text), (text, link)
            span = text[link.start:link.end]
            assert span == span.strip(), (text, link)
        assert [link.start for link in links] == sorted(link.start for link in links)
    return article


def _texts_with_links(article):
    """Every text of the article that carries links, with them: blocks, headings, table captions,
    infobox header cells and values."""
    yield from zip((key for key, _ in article.infobox), article.infobox_key_links or [()] * len(article.infobox), strict=True)
    yield from zip((value for _, value in article.infobox), article.infobox_links or [()] * len(article.infobox), strict=True)
    for section in article.sections:
        yield section.title, section.title_links
        for block in section.blocks:
            if isinstance(block, Paragraph):
                yield block.text, block.links
            elif isinstance(block, BulletList):
                yield from ((item.text, item.links) for item in iter_items(block.items))
            elif isinstance(block, Table):
                yield block.caption, block.caption_links
                yield from ((block.rows[row][cell], links) for row, cell, links in block.cell_links)


# --------------------------------------------------------------------------- the three layouts


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_gives_the_section_tree(layout):
    page = sample_page(7)
    article = page_to_article(render(page, layout), "id-7")
    assert article.title == "Sample article 7"
    assert [(s.level, s.path) for s in article.sections] == page.expected_outline()
    by_path = {s.path: s for s in article.sections}
    school = by_path[("Early life", "Childhood", "School")]
    assert school.parent_id == by_path[("Early life", "Childhood")].id == "early-life/childhood"
    assert paragraphs(by_path[("Early life",)]) == ["Born in town 7.", "Moved away."]
    [bullets] = bullet_lists(by_path[("Early life",)])
    assert [(i.text, [c.text for c in i.children]) for i in bullets.items] == [("piano", ["organ"]), ("voice", [])]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_lead_keeps_infobox_table_figure_and_math(layout):
    article = page_to_article(render(sample_page(5), layout))
    assert article.has_infobox and article.infobox == (("Born", "1 May 1905"), ("Genre", "jazz"))
    assert paragraphs(article.lead) == [
        "The lead paragraph of sample 5 mentions otters and Łódź.", "A second lead paragraph.",
        "An otter photographed in 5", "E = mc^{2}",
    ]
    [table] = tables(article.lead)
    assert table.rows == (("Year", "Album"), ("1905", "Blue"))
    assert [type(b).__name__ for b in article.lead.blocks] == ["Paragraph", "Paragraph", "Table", "Paragraph", "Paragraph"]
    references = article.section_by_path(("References",))
    assert [i.text for i in bullet_lists(references)[0].items] == ["↑ Reference one of 5", "↑ Reference two"]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_scripts_styles_handlers_and_remote_urls_do_not_reach_the_model(layout):
    text = page_to_article(render(sample_page(1), layout)).plain_text()
    for leaked in ("scriptword", "stylerule", "steal", "alert", "example.invalid", "http", "onclick"):
        assert leaked not in text


def test_frames_forms_media_and_their_text_are_dropped():
    page = (b"<h1>T</h1><p onmouseover='evil()'>kept</p><iframe src='http://x.invalid'>framefallback</iframe>"
            b"<form action='http://x.invalid'><label>formlabel</label><input value='inputvalue'></form>"
            b"<video src='v.webm'>videofallback</video><object data='x.swf'>objectfallback</object>"
            b"<noscript>noscripttext</noscript><button>buttontext</button><img src='http://x.invalid/i.png' alt='alttext'>")
    text = page_to_article(page).plain_text()
    assert "kept" in text and "noscripttext" in text
    for dropped in ("evil", "framefallback", "formlabel", "inputvalue", "videofallback", "objectfallback",
                    "buttontext", "alttext", "invalid"):
        assert dropped not in text


_word = st.text(alphabet="abcxyzéłжЖßø&<>\"'0", min_size=1, max_size=6).filter(lambda w: w.strip() == w and w)
_sentence = st.lists(_word, min_size=1, max_size=5).map(" ".join)
_items = st.lists(st.builds(Item, _sentence, st.lists(st.builds(Item, _sentence), max_size=2)), max_size=3)


def _sections(depth: int):
    children = st.just([]) if depth == 4 else st.lists(st.deferred(lambda: _sections(depth + 1)), max_size=2)
    return st.builds(GenSection, _sentence, st.lists(_sentence, max_size=2), _items, children)


_pages = st.builds(
    Page, _sentence, st.lists(_sentence, max_size=2), st.lists(_sections(2), max_size=3),
    st.lists(st.tuples(_sentence, _sentence), max_size=2), st.lists(st.lists(_sentence, min_size=1, max_size=3), max_size=2),
    st.one_of(st.just(""), _sentence), st.one_of(st.just(""), st.just("a^{2} + b")), st.lists(_sentence, max_size=2),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_pages)
def test_generated_pages_keep_structure_and_every_word(page):
    for layout in LAYOUTS:
        html = render(page, layout)
        article = linked(html, "gen")
        assert [(s.level, s.path) for s in article.sections] == page.expected_outline(), layout
        words = model_words(article)
        wanted = Counter(w for text in page.words() for w in _WORD.findall(text))
        assert not wanted - words, (layout, wanted - words)
        assert_nothing_lost(html.encode(), article)
        expected_sections = _flatten(page.sections)
        for section, expected in zip(article.sections[1:], expected_sections):
            assert paragraphs(section) == [_WS.sub(" ", p) for p in expected.paragraphs]
            if expected.bullets:
                [bullets] = bullet_lists(section)
                assert [(i.text, [c.text for c in i.children]) for i in bullets.items] == [
                    (i.text, [c.text for c in i.children]) for i in expected.bullets
                ]


def _flatten(sections: list[GenSection]) -> list[GenSection]:
    out, stack = [], list(reversed(sections))
    while stack:
        section = stack.pop()
        out.append(section)
        stack.extend(reversed(section.children))
    return out


# --------------------------------------------------------------------------- rules


def test_page_without_headings_is_one_section():
    article = page_to_article(b"<html><body><p>Only <i>one</i> part.</p><div>And a div.</div></body></html>", "x", title="Entry")
    assert article.title == "Entry"
    assert len(article.sections) == 1
    assert paragraphs(article.lead) == ["Only one part.", "And a div."]


def test_title_is_the_entry_title_then_h1_then_head():
    assert page_to_article(b"<title>Head</title><h1>Entry</h1><p>x</p>", title="Entry").title == "Entry"
    assert page_to_article(b"<title>Head</title><h1>Shown</h1><p>x</p>").title == "Shown"
    assert page_to_article(b"<title>Head</title><p>x</p>").title == "Head"
    assert page_to_article(b"").title == "Untitled"


def test_an_h1_that_is_not_the_title_is_kept_in_the_lead():
    article = page_to_article(b"<h1>Site banner</h1><p>Body.</p><h2>Part</h2><p>y</p>", title="Page")
    assert article.title == "Page"
    assert paragraphs(article.lead) == ["Site banner", "Body."]
    assert [s.title for s in article.sections] == ["Page", "Part"]


def test_empty_and_garbage_pages_never_raise():
    for page in (b"", b"   ", b"\x00\xff\xfe", "<<<>>>&&&", b"<p>caf\xe9</p>", b"</div></p><td>x"):
        article = page_to_article(page)
        assert article.sections[0].is_lead


def test_heading_levels_are_clamped_like_the_text_parser():
    article = page_to_article(b"<h1>T</h1><h2>A</h2><h6>Deep</h6><h1>Second one</h1><p>x</p>")
    assert [(s.level, s.path) for s in article.sections] == [(1, ()), (2, ("A",)), (5, ("A", "Deep")), (2, ("Second one",))]


def test_text_after_a_wrapper_belongs_to_the_parent_section():
    page = (b"<h1>T</h1><details data-level='2'><summary><h2>A</h2></summary><p>in a</p>"
            b"<details data-level='3'><summary><h3>B</h3></summary><p>in b</p></details><p>back in a</p></details>")
    article = page_to_article(page)
    assert paragraphs(article.section_by_path(("A",))) == ["in a", "back in a"]
    assert paragraphs(article.section_by_path(("A", "B"))) == ["in b"]


def test_summary_without_heading_is_the_heading_at_its_data_level():
    article = page_to_article(b"<details data-level='3'><summary>Plain summary</summary><p>x</p></details>")
    assert [(s.level, s.title) for s in article.sections[1:]] == [(3, "Plain summary")]


def test_references_in_the_lead_become_a_section():
    article = page_to_article(b"<h1>T</h1><p>Text.</p><ol class='references'><li>Smith 2001</li></ol>")
    assert [s.title for s in article.sections] == ["T", "References"]
    assert bullet_lists(article.sections[1])[0].items[0].text == "Smith 2001"


def test_second_infobox_is_a_table_and_one_cell_rows_are_kept():
    page = (b"<table class='infobox'><tr><th colspan=2>Header</th></tr><tr><th>K</th><td>V<br>W</td></tr></table>"
            b"<table class='infobox'><tr><th>K2</th><td>V2</td></tr></table>")
    article = page_to_article(page)
    assert article.infobox == (("Header", ""), ("K", "V; W"))
    assert [t.rows for t in tables(article.lead)] == [(("K2", "V2"),)]


def test_a_table_keeps_its_caption_and_rows_and_reads_as_the_old_row_paragraphs():
    page = (b"<p>Before.</p><table class='wikitable'><caption>Albums &amp; years</caption>"
            b"<tr><th>Year</th><th>Album</th></tr><tr><td>1957</td><td>Ray <b>Charles</b></td></tr>"
            b"<tr><td></td><td>Only one</td></tr></table><p>After.</p>")
    article = page_to_article(page)
    [table] = tables(article.lead)
    assert table.caption == "Albums & years"
    assert table.rows == (("Year", "Album"), ("1957", "Ray Charles"), ("Only one",))
    # the section text is what one paragraph per row gave before tables were kept
    assert article.lead.text() == "Before.\n\nAlbums & years\n\nYear | Album\n\n1957 | Ray Charles\n\nOnly one\n\nAfter."


def test_lists_in_cells_are_joined_with_commas():
    page = b"<table class='infobox'><tr><th>Genres</th><td><div class='hlist'><ul><li>R&amp;B</li>\n<li>soul</li></ul></div></td></tr></table>"
    assert page_to_article(page).infobox == (("Genres", "R&B, soul"),)


def test_preformatted_text_keeps_its_lines():
    article = page_to_article(b"<pre>line one\n  indented two\n\nthree</pre>")
    assert paragraphs(article.lead) == ["line one", "  indented two", "three"]


def test_mathml_without_tex_keeps_its_tokens():
    article = page_to_article(b"<p>Let <math><mi>x</mi><mo>+</mo><mn>1</mn></math> be.</p>")
    assert paragraphs(article.lead) == ["Let x + 1 be."]


def test_a_formula_inside_an_annotation_of_no_formula_keeps_its_text():
    """Tag soup the property test found: the inner annotation is no formula's source (an outer TeX
    annotation holds it), so the formula's own text stays; a real formula still reads as its TeX."""
    soup = "<annotation encoding='application/x-tex'><math>;;<annotation encoding='application/x-tex'>;"
    assert paragraphs(page_to_article(soup).lead) == [";; ;"]
    assert body_text_nodes(soup.encode()) == [";;", ";"]
    formula = ('<p>Let <math><semantics><mrow><mi>x</mi></mrow><annotation encoding="application/x-tex">'
               '{\\displaystyle x^2}</annotation></semantics></math> be.</p><p>After.</p>')
    assert paragraphs(page_to_article(formula).lead) == ["Let x^2 be.", "After."]


def test_deeply_nested_lists_stop_nesting_but_keep_every_item():
    depth = 400
    page = "".join(f"<ul><li>item{i}" for i in range(depth)) + "</li></ul>" * depth
    article = page_to_article(page)
    [bullets] = bullet_lists(article.lead)
    nesting, items = 0, bullets.items
    while items:
        nesting += 1
        items = items[0].children
    assert nesting == MAX_LIST_DEPTH
    assert all(f"item{i}" in article.plain_text().split() for i in range(depth))


@pytest.mark.parametrize("depth", [3000, 100_000])
def test_html_deeper_than_the_parser_limit_loses_nothing(depth):
    """libxml2 silently drops everything below depth 2048; the fallback reader keeps it."""
    page = ("<h1>Deep</h1><p>before</p>" + "<div>" * depth + "<h2>Inside</h2><p>deep text</p>"
            + "</div>" * depth + "<p>after</p>")
    article = page_to_article(page)
    assert [s.title for s in article.sections] == ["Deep", "Inside"]
    assert paragraphs(article.lead) == ["before"]
    assert paragraphs(article.sections[1]) == ["deep text", "after"]
    assert article.warnings and "fallback" in article.warnings[0].message


def test_fallback_reader_agrees_with_lxml_on_a_normal_page():
    from reader.sources import zim_html

    for layout in LAYOUTS:
        html = render(sample_page(2), layout)
        converter = zim_html._Converter()
        zim_html._EventDriver(converter).run(html)
        fallback = converter.finish("", "")
        normal = page_to_article(html)
        assert [(s.path, s.blocks) for s in fallback.sections] == [(s.path, s.blocks) for s in normal.sections]
        assert fallback.infobox == normal.infobox


# --------------------------------------------------------------------------- real pages


def _real_pages():
    from libzim.reader import Archive

    for path in real_archives():
        try:
            archive = Archive(path)
        except RuntimeError:
            continue  # the truncated test archive; its error path is tested in test_zim_archive
        for index in range(archive.entry_count):
            entry = archive._get_entry_by_id(index)
            if not entry.is_redirect and entry.get_item().mimetype.startswith("text/html"):
                yield path.name, entry.path, entry.title, bytes(entry.get_item().content)


def test_real_pages_lose_no_text(zim_dir):
    checked = 0
    for archive, path, title, page in _real_pages():
        article = linked(page, title=title)
        assert article.title
        try:
            assert_nothing_lost(page, article)
        except AssertionError as error:
            raise AssertionError(f"{archive} {path}: {error}") from None
        checked += 1
    assert checked > 300  # the Ray Charles and Wikibooks pages at least


def test_real_wikibooks_page_has_its_heading_tree(zim_dir):
    from reader.sources.zim_archive import ZimArchive

    archive = ZimArchive(zim_dir / "zim-testing-suite/nons/wikibooks_be_all_nopic_2017-02.zim")
    article = archive.article("Эспэранта_Суфіксы.html")
    assert len(article.sections) > 20
    assert all(s.level == 2 for s in article.sections[1:5])
    assert article.sections[1].title == "aĉ"
    assert "Суфікс -aĉ- паказвае дрэнную якасьць" in article.sections[1].text()


def test_real_infobox_becomes_the_article_infobox(zim_dir):
    from reader.sources.zim_archive import ZimArchive

    article = ZimArchive(zim_dir / "libkiwix/zimfile.zim").article("Ray_Charles")
    infobox = dict(article.infobox)
    assert infobox["Birth name"] == "Ray Charles Robinson"
    assert infobox["Instruments"] == "Vocals, piano"
    assert paragraphs(article.lead)[0].startswith("Ray Charles Robinson (September 23, 1930")


# --------------------------------------------------------------------------- tag soup

_SOUP_TAGS = ["p", "div", "span", "b", "ul", "ol", "li", "table", "tr", "td", "th", "caption", "h1", "h2", "h3",
              "h6", "details", "summary", "section", "pre", "math", "mi", "annotation", "br", "figure",
              "figcaption", "dl", "dd", "script", "style", "form", "iframe", "blockquote", "sup"]
_soup_token = st.one_of(
    st.sampled_from(_SOUP_TAGS).map(lambda t: f"<{t}>"),
    st.sampled_from(_SOUP_TAGS).map(lambda t: f"</{t}>"),
    st.sampled_from(["<table class='infobox'>", "<details data-level='3'>", "<ol class='references'>",
                     "<annotation encoding='application/x-tex'>", "<section data-mw-section-id='2'>",
                     "<a href='Foo'>", "<a href='http://x.invalid/'>", "</a>", "<img src='i.png' alt='pic'>",
                     "<td colspan='3'>", "<th rowspan='0'>", "<td colspan='70000' rowspan='2'>"]),
    st.text(alphabet="abcdeéж &;<>\n\t", min_size=1, max_size=12),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_soup_token, max_size=60).map("".join))
def test_tag_soup_never_raises_and_loses_no_text(soup):
    """Misnested, unclosed and stray tags in any order: a model always comes out, with every text node."""
    article = linked(soup, "soup", title="Soup")
    assert article.sections[0].is_lead
    for table in (b for s in article.sections for b in s.blocks if isinstance(b, Table)):
        assert all(span.cell < len(table.rows[span.row]) and span.row + span.rows <= len(table.rows) for span in table.spans)
    assert all(2 <= s.level <= 5 for s in article.sections[1:])
    assert_nothing_lost(soup.encode(), article)


@settings(max_examples=200, deadline=None)
@given(st.lists(_soup_token, max_size=60).map("".join))
def test_tag_soup_through_the_fallback_reader_never_raises(soup):
    from reader.sources import zim_html

    converter = zim_html._Converter("Soup")
    zim_html._EventDriver(converter).run(soup)
    article = converter.finish("soup", "")
    assert article.title == "Soup" and all(2 <= s.level <= 5 for s in article.sections[1:])


def test_paragraphs_carry_the_line_where_their_text_starts():
    article = page_to_article(b"<html><body>\n<p>one</p>\n\n<div>\n<b>two</b></div>\n<h2>H</h2>\n<p>three</p></body></html>")
    assert [(p.text, p.line) for s in article.sections for p in s.blocks] == [("one", 2), ("two", 5), ("three", 7)]


# --------------------------------------------------------------------------- links and images

def _spans(text: str, links) -> list[tuple[str, str, bool]]:
    return [(text[link.start:link.end], link.target, link.external) for link in links]


def test_links_are_kept_as_spans_of_the_blocks_text_with_their_targets():
    page = b"""<html><body><p>The otter is a cousin of the <a href="Badger">Badger</a> and lives
    <a href="https://x.invalid/r"> near  <i>rivers</i> </a>.</p>
    <ul><li>See <a href="Otter#Diet">otter <b>food</b></a></li><li><a href="Empty"> </a>none</li></ul>
    <table><tr><td>a <a href="Z">zed</a></td><td></td><td><a href="../Y">why</a></td></tr></table>
    <p><a href="javascript:alert(1)">script</a> <a href="Q">across <div>two</div> blocks</a> after</p>
    <h2>Head <a href="H">link</a></h2><p>x</p></body></html>"""
    article = page_to_article(page, linker=PageLinker("A/Otter"))
    first, items, table, across, two, blocks = article.lead.blocks
    assert _spans(first.text, first.links) == [("Badger", "A/Badger", False), ("near rivers", "https://x.invalid/r", True)]
    assert [(i.text, _spans(i.text, i.links)) for i in items.items] == [
        ("See otter food", [("otter food", "A/Otter#Diet", False)]), ("none", [])]  # a link without text is none
    assert table.rows == (("a zed", "why"),)  # the empty cell is dropped; the links follow their cells
    assert [(r, c, _spans(table.rows[r][c], links)) for r, c, links in table.cell_links] == [
        (0, 0, [("zed", "A/Z", False)]), (0, 1, [("why", "Y", False)])]
    assert _spans(across.text, across.links) == [("across", "A/Q", False)]  # javascript: is no link
    assert _spans(two.text, two.links) == [("two", "A/Q", False)]  # a link over blocks goes on in each
    assert _spans(blocks.text, blocks.links) == [("blocks", "A/Q", False)]
    heading = article.sections[1]
    assert heading.title == "Head link" and article.own_links
    assert _spans(heading.title, heading.title_links) == [("link", "A/H", False)]


def test_images_the_archive_holds_are_kept_with_their_caption():
    page = b"""<html><body><figure><img src="./_assets_/otter.png" alt="alt text"><figcaption>An otter
    <b>swimming</b></figcaption></figure><p><img src="../I/badger.png" alt="A badger"></p>
    <img src="http://remote.invalid/x.png" alt="remote"><img src="missing.png" alt="gone"><script><img src="s.png"></script>
    </body></html>"""
    held = {"A/_assets_/otter.png", "I/badger.png"}
    article = page_to_article(page, linker=PageLinker("A/Otter", has_image=held.__contains__))
    assert article.images == (("An otter swimming", "A/_assets_/otter.png"), ("A badger", "I/badger.png"))
    assert paragraphs(article.lead) == ["An otter swimming"]
    assert page_to_article(page).images == () and not page_to_article(page).own_links  # no linker: text only


def test_a_page_too_deep_for_lxml_keeps_its_links_and_images_through_the_fallback_reader():
    page = ("<p>A <a href='Top'>top link</a></p>" + "<div>" * 3000
            + "<p>see <a href='Deep#Part'>deep link</a> <img src='../I/d.png' alt='Deep picture'></p>" + "</div>" * 3000)
    article = page_to_article(page, linker=PageLinker("A/Page"))
    assert article.warnings and "fallback" in article.warnings[0].message
    first, second = article.lead.blocks
    assert _spans(first.text, first.links) == [("top link", "A/Top", False)]
    assert _spans(second.text, second.links) == [("deep link", "A/Deep#Part", False)]
    assert article.images == (("Deep picture", "I/d.png"),)  # no tree to find a figure in: the alt text


def test_infobox_values_keep_their_links():
    page = b"""<table class="infobox"><tr><th>Genres</th><td><ul><li><a href="R%26B">R&amp;B</a></li><li>
    <a href="Soul_music">soul</a></li></ul></td><td>more <a href="Jazz">jazz</a></td></tr>
    <tr><th>Born</th><td>1930</td></tr><tr><th colspan="2"><a href="Caption">One cell</a></th></tr></table><p>x</p>"""
    article = page_to_article(page, linker=PageLinker("A/Ray"))
    assert article.infobox == (("Genres", "R&B, soul | more jazz"), ("Born", "1930"), ("One cell", ""))
    value = article.infobox[0][1]
    assert _spans(value, article.infobox_links[0]) == [("R&B", "A/R&B", False), ("soul", "A/Soul_music", False),
                                                       ("jazz", "A/Jazz", False)]
    assert article.infobox_links[1:] == ((), ())
    assert article.infobox_key_links == ((), (), (Link(0, 8, "A/Caption"),))  # a header cell's links are spans of the key
