"""Archive page links and images (kept in the model by the conversion) shown around the text:
escaped, text unchanged (issue 10)."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st

from reader.gui.render import article_href, render_article
from reader.model import Article, BulletList, Link, ListItem, Paragraph, Section, Table


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
    assert _parse(html).links == ["article:zim%3Aa%2FSoul"]  # "1930" is shown trimmed: its span no longer fits
    assert 'R&amp;B, <a href="article:zim%3Aa%2FSoul">soul</a>' in html and ">1930</td>" in html


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
    assert 'colspan="2">lone</td>' in html  # a short row spans the missing columns


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_article_hrefs_quote_ids_as_urllib_does(article_id):
    """The fast quoting of ASCII ids (str.translate) gives urllib's answer for every text."""
    assert article_href(article_id, article_id) == f"article:{quote(article_id, safe='')}" + (
        f"#{quote(article_id, safe='')}" if article_id else "")
