"""Archive page links and images (kept in the model by the conversion) shown around the text:
escaped, text unchanged (issue 10)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.gui.render import article_href, readable_value, readable_value_links, render_article
from reader.model import Article, BulletList, CellSpan, Link, ListItem, Paragraph, Section, Table


def _article(*blocks, images=()) -> Article:
    return Article("zim:a/P", "P", None, (), (Section("_lead", "P", 1, None, (), tuple(blocks)),),
                   images=images, own_links=True)


def _span(text: str, part: str, target: str, external: bool = False, nth: int = 0) -> Link:
    """A link over the ``nth`` occurrence of ``part`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(part, start + 1)
    return Link(start, start + len(part), target, external)


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.text, self.links, self.images, self.tags = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "a" and dict(attrs).get("href"):
            self.links.append(dict(attrs)["href"])
        if tag == "img":
            self.images.append(dict(attrs)["src"])

    def handle_data(self, data):
        self.text.append(data)


def _parse(html: str) -> _Collect:
    found = _Collect()
    found.feed(html)
    return found


def test_link_spans_become_links_and_the_text_stays_the_same():
    text = "The Otter trust helps the Badger, not the Otterhound."
    links = (_span(text, "Otter trust", 'https://x.org/?a=1&b="2"', external=True), _span(text, "Badger", "zim:a/Badger#Diet"))
    article = _article(Paragraph(text, links=links),
                       BulletList((ListItem("Badger setts", links=(Link(0, 6, "zim:a/Badger"),)),)))
    found = _parse(render_article(article).html)
    assert "".join(found.text).endswith("The Otter trust helps the Badger, not the Otterhound.Badger setts")
    assert found.links == ['https://x.org/?a=1&b="2"', "article:zim%3Aa%2FBadger#Diet", "article:zim%3Aa%2FBadger"]


def test_only_the_spans_the_page_linked_are_links_not_other_occurrences_of_their_text():
    """The page linked the second "the" and one "Badger": other occurrences stay text (wrapping every
    occurrence of a linked common word gave a 70 KB page ten thousand anchors)."""
    text = "the cat and the dog and the Badger"
    article = _article(Paragraph(text, links=(_span(text, "the", "zim:a/The", nth=1), _span(text, "Badger", "zim:a/Badger"))),
                       BulletList((ListItem("the Badger"),)))
    html = render_article(article).html
    found = _parse(html)
    assert "".join(found.text).endswith("the cat and the dog and the Badgerthe Badger")
    assert found.links == ["article:zim%3Aa%2FThe", "article:zim%3Aa%2FBadger"]
    assert 'the cat and <a href="article:zim%3Aa%2FThe">the</a> dog' in html


def test_an_archive_page_looks_no_titles_up_and_shows_its_infobox_links():
    """The page says what it links: no list item or infobox value is looked up as a library title
    (for an archive page that meant its title index, after the first paint)."""
    asked = []
    article = Article("zim:a/P", "P", None, (("Genres", "R&B, soul"), ("Born", ", 1930,")),
                      (Section("_lead", "P", 1, None, (), (BulletList((ListItem("Badger"),)),)),),
                      own_links=True, infobox_links=((Link(5, 9, "zim:a/Soul"),), (Link(2, 6, "zim:a/1930"),)))
    html = render_article(article, lambda title: asked.append(title) or "zim:a/Badger").html
    assert asked == []
    assert _parse(html).links == ["article:zim%3Aa%2FSoul", "article:zim%3Aa%2F1930"]
    assert 'R&amp;B, <a href="article:zim%3Aa%2FSoul">soul</a>' in html
    assert '<td valign="top"><a href="article:zim%3Aa%2F1930">1930</a></td>' in html  # shown trimmed, its link moved


def test_markup_in_link_texts_and_captions_stays_text():
    text = "a <script>x</script> b"
    article = _article(Paragraph("<img src=http://evil.example/i.png>"),
                       Paragraph(text, links=(_span(text, "<script>x</script>", "https://evil.example/", external=True),)),
                       images=(("<img src=http://evil.example/i.png>", "I/pic.png"),))
    found = _parse(render_article(article).html)
    assert "script" not in found.tags
    assert found.images == ["zim-image:I/pic.png"]  # only the archive image, never the one named in text
    assert "<script>x</script>" in "".join(found.text)
    assert found.links == ["https://evil.example/"]
    odd = _article(Paragraph("odd", links=(Link(0, 3, 'zim:a/"><script>'),)))
    assert '<a href="article:zim%3Aa%2F%22%3E%3Cscript%3E">odd</a>' in render_article(odd).html  # quoted, so inert


def test_a_link_inside_another_keeps_the_outer_one():
    text = "Ray Charles Robinson"
    article = _article(Paragraph(text, links=(Link(0, 11, "zim:a/Ray"), Link(4, 11, "zim:a/Charles"), Link(12, 20, "zim:a/R"))))
    found = _parse(render_article(article).html)
    assert found.links == ["article:zim%3Aa%2FRay", "article:zim%3Aa%2FR"] and "".join(found.text).endswith(text)


def test_a_table_is_an_html_table_with_escaped_cells_and_its_cell_links():
    table = Table((("Animal", "Home"), ("Badger <b>x</b>", "sett & burrow"), ("lone",)), caption="Homes <i>",
                  cell_links=((1, 0, (Link(0, 6, "zim:a/Badger"),)),))
    html = render_article(_article(table)).html
    found = _parse(html)
    assert found.tags.count("table") == 1 and found.tags.count("tr") == 3 and found.tags.count("td") == 5
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "sett &amp; burrow" in html
    assert "Homes &lt;i&gt;" in html and "<i>" not in html
    assert "".join(found.text).endswith("Homes <i>AnimalHomeBadger <b>x</b>sett & burrowlone")
    assert found.links == ["article:zim%3Aa%2FBadger"]
    assert '<tr><td valign="top">lone</td></tr>' in html  # a short row stays short: no span the page did not give


def test_table_cells_span_the_columns_and_rows_the_page_gave_them():
    table = Table((("Head", "Side"), ("a", "b"), ("after gap",)),
                  spans=(CellSpan(0, 0, columns=2), CellSpan(0, 1, rows=2), CellSpan(2, 0, skip=1)))
    html = render_article(_article(table)).html
    assert ('<tr><td valign="top" colspan="2">Head</td><td valign="top" rowspan="2">Side</td></tr>'
            '<tr><td valign="top">a</td><td valign="top">b</td></tr>'
            '<tr><td></td><td valign="top">after gap</td></tr>') in html


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_article_hrefs_quote_ids_as_urllib_does(article_id):
    """The fast quoting of ASCII ids (str.translate) gives urllib's answer for every text."""
    assert article_href(article_id, article_id) == f"article:{quote(article_id, safe='')}" + (
        f"#{quote(article_id, safe='')}" if article_id else "")


def _section(title: str, title_links=(), blocks=()) -> Section:
    return Section("h", title, 2, "_lead", (title,), tuple(blocks), title_links=title_links)


def test_heading_caption_and_infobox_header_links_become_links_escaped():
    heading = "Early <life> & times"
    article = Article("zim:a/P", "P", None, (("Single by Ray", ""), ("Label", "Atlantic")),
                      (Section("_lead", "P", 1, None, (), (Table((("a",),), caption="On <Atlantic>",
                                                                 caption_links=(Link(3, 13, "https://x.invalid/?a=1&b=2", True),)),)),
                       _section(heading, (_span(heading, "<life>", "zim:a/Life"),))),
                      own_links=True, infobox_key_links=((_span("Single by Ray", "Ray", "zim:a/Ray"),), (Link(0, 5, "zim:a/Label"),)))
    html = render_article(article).html
    found = _parse(html)
    assert found.links == ["article:zim%3Aa%2FRay", "article:zim%3Aa%2FLabel", "https://x.invalid/?a=1&b=2",
                           "article:zim%3Aa%2FLife"]
    assert '<h2><a name="s-h"></a>Early <a href="article:zim%3Aa%2FLife">&lt;life&gt;</a> &amp; times</h2>' in html
    assert '<b>On <a href="https://x.invalid/?a=1&amp;b=2">&lt;Atlantic&gt;</a></b>' in html
    assert "<life>" not in html and "<Atlantic>" not in html


def test_a_respelled_infobox_key_keeps_a_link_only_when_it_covered_the_whole_key():
    article = Article("zim:a/P", "P", None, (("birth_date", "1930"), ("yearsactive", "1947")),
                      (Section("_lead", "P", 1, None, (), ()),), own_links=True,
                      infobox_key_links=((Link(0, 10, "zim:a/Birth"),), (Link(0, 5, "zim:a/Years"),)))
    html = render_article(article).html
    assert '<a href="article:zim%3Aa%2FBirth">Birth date</a>' in html  # shown respelled, the link over all of it
    assert ">Years active</th>" in html  # a part of a respelled key has no place: text


_FRAGMENTS = st.lists(st.sampled_from(["", " ", ",", ", ", " ,", "1930", "Ray", "a b", "(1 day)"]), max_size=8)


@settings(max_examples=300, deadline=None)
@given(_FRAGMENTS, st.data())
def test_links_of_a_trimmed_infobox_value_follow_their_words(fragments, data):
    """readable_value only deletes characters: a link keeps its words, minus what was deleted."""
    value = "".join(fragments)
    starts = [i for i in range(len(value)) if not value[i].isspace() and value[i] != ","]
    links = ()
    if starts:
        start = data.draw(st.sampled_from(starts))
        end = data.draw(st.integers(start + 1, len(value)))
        links = (Link(start, end, "zim:a/X"),)
    shown = readable_value(value)
    moved = readable_value_links(value, links)
    assert len(moved) == len(links)  # a link over words keeps them
    for before, after in zip(links, moved):
        assert 0 <= after.start < after.end <= len(shown)
        kept, was = shown[after.start:after.end], value[before.start:before.end]
        assert re.sub(r"[\s,]", "", kept) == re.sub(r"[\s,]", "", was)  # every word character, none added
        assert _is_subsequence(kept, was) and after.target == before.target


def _is_subsequence(part: str, whole: str) -> bool:
    rest = iter(whole)
    return all(char in rest for char in part)


def test_images_in_list_items_show_in_their_item_once():
    items = BulletList((ListItem("Otter at dawn", images=("I/otter.png",)), ListItem("Flag", images=("I/flag.png",)),
                        ListItem("Flag again", images=("I/flag.png",))))
    article = _article(items, Paragraph("Otter at dawn"),
                       images=(("Otter at dawn", "I/otter.png"), ("", "I/flag.png"), ("", "I/flag.png")))
    html = render_article(article).html
    assert ('<li><img src="zim-image:I/otter.png" alt="Otter at dawn"><br>Otter at dawn</li>'
            '<li><img src="zim-image:I/flag.png" alt=""><br>Flag</li>'
            '<li><img src="zim-image:I/flag.png" alt=""><br>Flag again</li>') in html
    assert _parse(html).images == ["zim-image:I/otter.png", "zim-image:I/flag.png", "zim-image:I/flag.png"]  # not again above the paragraph


def test_columns_no_cell_with_text_takes_are_left_out():
    """A "nopic" archive keeps the picture cells of a table empty: shown as the page had them they
    are empty strips between the texts, so the view leaves such columns out (and a header over them
    spans the columns left)."""
    table = Table((("Projects",), ("Wikipedia", "Wikibooks"), ("Encyclopedia", "Books")),
                  spans=(CellSpan(0, 0, columns=4), CellSpan(1, 0, skip=1), CellSpan(1, 1, skip=1),
                         CellSpan(2, 0, skip=1), CellSpan(2, 1, skip=1)))
    html = render_article(_article(table)).html
    assert ('<tr><td valign="top" colspan="2">Projects</td></tr><tr><td valign="top">Wikipedia</td>'
            '<td valign="top">Wikibooks</td></tr>') in html and "<td></td>" not in html
