"""Archive page links and images put back around the text: escaped, text unchanged (issue 10)."""

from __future__ import annotations

from html.parser import HTMLParser

from reader.gui.render import render_article
from reader.model import Article, BulletList, ListItem, Paragraph, Section, Table
from reader.sources.base import PageMedia


def _article(*blocks) -> Article:
    return Article("zim:a/P", "P", None, (), (Section("_lead", "P", 1, None, (), tuple(blocks)),))


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


def test_link_texts_become_links_and_the_text_stays_the_same():
    media = PageMedia(links=(("Badger", "zim:a/Badger#Diet", "article"), ("Otter trust", "https://x.org/?a=1&b=\"2\"", "external"),
                             ("Otter", "zim:a/Otter", "article")))
    article = _article(Paragraph("The Otter trust helps the Badger, not the Otterhound."),
                       BulletList((ListItem("Badger setts"),)))
    found = _parse(render_article(article, None, media).html)
    assert "".join(found.text).endswith("The Otter trust helps the Badger, not the Otterhound.Badger setts")
    # the longest text wins ("Otter trust", not "Otter"); "Otterhound" is not "Otter"; the page links
    # "Badger" once, so only its first occurrence is a link
    assert found.links == ["https://x.org/?a=1&b=\"2\"", "article:zim%3Aa%2FBadger#Diet"]


def test_a_text_is_a_link_as_many_times_as_the_page_links_it():
    """A page that links a common word a few times must not get every occurrence of it wrapped
    (a 70 KB page became ten thousand anchors; docs/performance.md, ZIM archives at 200,000)."""
    media = PageMedia(links=(("the", "zim:a/The", "article"), ("the", "zim:a/Other", "article"),
                             ("Badger", "zim:a/Badger", "article")))
    article = _article(Paragraph("the cat and the dog and the Badger"), BulletList((ListItem("the Badger"),)))
    found = _parse(render_article(article, None, media).html)
    assert "".join(found.text).endswith("the cat and the dog and the Badgerthe Badger")
    assert found.links == ["article:zim%3Aa%2FThe", "article:zim%3Aa%2FThe", "article:zim%3Aa%2FBadger"]


def test_markup_in_link_texts_and_captions_stays_text():
    media = PageMedia(links=(("<script>x</script>", "https://evil.example/", "external"),),
                      images=(("<img src=http://evil.example/i.png>", "I/pic.png"),))
    article = _article(Paragraph("<img src=http://evil.example/i.png>"), Paragraph("a <script>x</script> b"))
    found = _parse(render_article(article, None, media).html)
    assert "script" not in found.tags
    assert found.images == ["zim-image:I/pic.png"]  # only the archive image, never the one named in text
    assert "<script>x</script>" in "".join(found.text)


def test_a_table_is_an_html_table_with_escaped_cells_and_linked_like_list_items():
    media = PageMedia(links=(("Badger", "zim:a/Badger", "article"),))
    table = Table((("Animal", "Home"), ("Badger <b>x</b>", "sett & burrow"), ("lone",)), caption="Homes <i>")
    html = render_article(_article(table), None, media).html
    found = _parse(html)
    assert found.tags.count("table") == 1 and found.tags.count("tr") == 3 and found.tags.count("td") == 5
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "sett &amp; burrow" in html
    assert "Homes &lt;i&gt;" in html and "<i>" not in html
    assert "".join(found.text).endswith("Homes <i>AnimalHomeBadger <b>x</b>sett & burrowlone")
    assert found.links == ["article:zim%3Aa%2FBadger"]
    assert 'colspan="2">lone</td>' in html  # a short row spans the missing columns
