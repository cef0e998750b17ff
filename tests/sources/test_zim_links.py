"""Links and images of ZIM pages resolved to archive paths (reader/sources/zim_links.py)."""

from __future__ import annotations

import pytest

from reader.sources.zim_archive import ZimArchive
from reader.sources.zim_links import PageLink, page_links, resolve

from .pages import LAYOUTS, render, sample_page


@pytest.mark.parametrize("page, href, expected", [
    ("A/Ray_Charles", "Tangerine_Records_(1962)", ("A/Tangerine_Records_(1962)", "", False)),
    ("A/Ray_Charles", "../I/photo.jpg", ("I/photo.jpg", "", False)),
    ("Першая_старонка.html", "%D0%A7%D0%B0%D1%80%D0%BD%D0%B0%D0%B2%D1%96%D0%BA.html", ("Чарнавік.html", "", False)),
    ("a/b/c.html", "../d.html#Early_life", ("a/d.html", "Early_life", False)),
    ("a/b/c.html", "../../../../../etc/passwd", ("etc/passwd", "", False)),
    ("Foo", "#cite_note-1", ("Foo", "cite_note-1", False)),
    ("Foo", "./Bar?action=edit", ("Bar", "", False)),
    ("Foo", "Help:Contents", ("Help:Contents", "", False)),
    ("Foo", "https://en.wikipedia.org/wiki/Foo", ("https://en.wikipedia.org/wiki/Foo", "", True)),
    ("Foo", "//upload.wikimedia.org/x.png", ("//upload.wikimedia.org/x.png", "", True)),
    ("Foo", "mailto:someone@example.org", ("mailto:someone@example.org", "", True)),
    ("Foo", "javascript:alert(1)", None),
    ("Foo", " JavaScript:alert(1)", None),
    ("Foo", "data:text/html,<script>x</script>", None),
    ("Foo", "file:///etc/passwd", None),
    ("Foo", "   ", None),
])
def test_resolve(page, href, expected):
    assert resolve(page, href) == expected


@pytest.mark.parametrize("layout", LAYOUTS)
def test_generated_page_links_and_images(layout):
    links = page_links(render(sample_page(1), layout), "Sample_1")
    assert {(link.kind, link.target, link.external) for link in links} == {
        ("link", "Other", False), ("link", "File:X.png", False), ("link", "Sample_1", False)}  # the last: #cite_ref backlinks
    assert "stylesheet" not in str(links)  # head links are not page links; the remote figure image is not listed
    page = ("<p><a href='Otter#Diet'>otters</a><img src='../I/otter.png' alt='An otter'>"
            "<img src='http://example.invalid/x.png'><form><a href='Hidden'>no</a></form>"
            "<script>document.write(\"<a href='Scripted'>x</a>\")</script></p>")
    assert page_links(page, "A/Sea") == [
        PageLink("link", "otters", "A/Otter", "Diet"),
        PageLink("image", "An otter", "I/otter.png"),
    ]


def test_empty_and_broken_pages_have_no_links():
    assert page_links(b"", "x") == [] and page_links(b"</p>", "x") == []


@pytest.mark.parametrize("archive_path", [
    "libkiwix/zimfile.zim",
    "zim-testing-suite/nons/wikibooks_be_all_nopic_2017-02.zim",
    "zim-testing-suite/withns/wikibooks_be_all_nopic_2017-02.zim",
])
def test_every_internal_link_of_real_archives_opens_its_article(zim_dir, archive_path):
    archive = ZimArchive(zim_dir / archive_path)
    checked, cursor = 0, 0
    while cursor is not None:
        page = archive.titles(cursor, 50)
        cursor = page.next_cursor
        for entry in page.entries:
            for link in archive.links(entry.path):
                if link.kind == "link" and not link.external:
                    assert archive.entry(link.target).key.startswith("zim:"), (entry.path, link)
                    checked += 1
    assert checked > 100
