"""Links and images of a ZIM page, resolved to archive paths.

:class:`PageLinker` tells :func:`reader.sources.zim_html.page_to_article` what
each ``<a href>`` and ``<img src>`` of a page leads to, so the conversion keeps
them in the model in its one walk over the page; :func:`page_links` reads a page
for them on its own (``ZimArchive.links``, the CLI, tests). Each is resolved
relative to the page's own path, as a browser would inside the archive:

* ``Tangerine_Records_(1962)`` on ``A/Ray_Charles`` -> ``A/Tangerine_Records_(1962)``;
* percent-encoding is decoded (``%D0%9D...html`` -> ``Новыя_кнігі.html``);
  ``..`` cannot climb above the archive root; a query string is dropped;
* ``#cite_note-1`` alone is an anchor on the same page;
* ``http:``/``https:``/``mailto:``/``//host`` links are external (never loaded:
  the reader may copy them or open them in the system browser after asking);
* ``javascript:``, ``data:``, ``file:``, ``blob:``, ``about:`` are dropped; any other
  ``name:rest`` is read as a page whose name has a colon (``Help:Contents``);
* remote images are dropped: only images stored in the archive are listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from .zim_html import DROPPED_TAGS, html_parser

_BASE = "http://zim.invalid/"  # a stand-in origin, so urljoin applies RFC 3986 path rules
EXTERNAL_SCHEMES = frozenset({"http", "https", "ftp", "mailto", "news", "tel", "geo"})
DROPPED_SCHEMES = frozenset({"javascript", "vbscript", "data", "file", "blob", "about", "filesystem"})
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class PageLink:
    kind: str  # "link" or "image"
    text: str  # the link's text, or the image's alt text
    target: str  # an archive path (internal) or the URL as written (external)
    fragment: str = ""  # the part after "#", for links into a section
    external: bool = False


# a page name in the page's own folder ("Foo_(bar)", "./Foo#Early_life"): most links of a
# mwoffliner page, resolved without urljoin (a 70 KB page has about a thousand links)
_SAME_FOLDER = re.compile(r"(?:\./)?([^/?#%:;\\\s]+)(?:#([^\t\r\n]*))?")


def resolve(page_path: str, href: str) -> tuple[str, str, bool] | None:
    """``(target, fragment, external)`` for ``href`` on the page at ``page_path``; None to drop."""
    href = href.strip()
    if not href:
        return None
    plain = _SAME_FOLDER.fullmatch(href)
    if plain is not None and plain.group(1) not in (".", ".."):
        folder = page_path.lstrip("/").rpartition("/")[0]
        name = plain.group(1)
        return (f"{folder}/{name}" if folder else name), unquote(plain.group(2) or ""), False
    return _resolve_by_urljoin(page_path, href)


def _resolve_by_urljoin(page_path: str, href: str) -> tuple[str, str, bool] | None:
    """:func:`resolve` for any href (stripped, not empty): RFC 3986 rules through urljoin."""
    scheme = urlsplit(href).scheme.lower()
    if scheme in EXTERNAL_SCHEMES or href.startswith("//"):
        return href, "", True
    if scheme in DROPPED_SCHEMES:
        return None
    if scheme:  # "Help:Contents": a page whose name has a colon, not a scheme we know
        href = "./" + href
    joined = urlsplit(urljoin(_BASE + page_path, href))
    target = unquote(joined.path).lstrip("/")
    return target or page_path, unquote(joined.fragment), False


class PageLinker:
    """The links and images of the page at ``page_path`` for ``page_to_article``.

    ``article_id(path)`` names an internal target (default: the archive path itself);
    ``has_image(path)`` says whether the archive holds an image there (default: any path).
    """

    def __init__(self, page_path: str, article_id: Callable[[str], str] | None = None,
                 has_image: Callable[[str], bool] | None = None):
        self.page_path = page_path
        self._article_id = article_id
        self._has_image = has_image
        self._links: dict[str, tuple[str, bool] | None] = {}  # href -> answer: a page repeats its links

    def link(self, href: str) -> tuple[str, bool] | None:
        """``(target, external)``: an article id with any ``#fragment``, or a URL as written."""
        found = self._links.get(href, self)
        if found is self:
            found = self._links[href] = self._link(href)
        return found

    def _link(self, href: str) -> tuple[str, bool] | None:
        resolved = resolve(self.page_path, href)
        if resolved is None:
            return None
        target, fragment, external = resolved
        if external:
            return target, True
        if self._article_id is not None:
            target = self._article_id(target)
        return (f"{target}#{fragment}" if fragment else target), False

    def image(self, src: str) -> str | None:
        """The image's archive path when the archive holds it (remote images: None)."""
        resolved = resolve(self.page_path, src)
        if resolved is None or resolved[2]:
            return None
        return resolved[0] if self._has_image is None or self._has_image(resolved[0]) else None


def page_links(page: bytes | str, page_path: str) -> list[PageLink]:
    """Every link and archive image of the page's body, in document order."""
    return links_in(page_body(page), page_path)


def page_body(page: bytes | str):
    """The page's parsed ``body`` element, or None (empty or unparsable): parse once, read it twice."""
    data = page.encode("utf-8", "replace") if isinstance(page, str) else bytes(page)
    if not data.strip():
        return None
    try:
        root = etree.fromstring(data, html_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root.find("body") if root is not None else None


def links_in(body, page_path: str) -> list[PageLink]:
    """:func:`page_links` of an already parsed body (None: no links)."""
    if body is None:
        return []
    return [link for element in _visible(body) if (link := _link(element, page_path)) is not None]


def _visible(body):
    """``a`` and ``img`` elements outside dropped subtrees (iterative)."""
    walker = etree.iterwalk(body, events=("start",))
    for _, element in walker:
        if element.tag in DROPPED_TAGS:
            walker.skip_subtree()
        elif element.tag in ("a", "img"):
            yield element


def _link(element, page_path: str) -> PageLink | None:
    is_image = element.tag == "img"
    resolved = resolve(page_path, element.get("src" if is_image else "href", ""))
    if resolved is None or (is_image and resolved[2]):
        return None
    target, fragment, external = resolved
    text = element.get("alt", "") if is_image else "".join(element.itertext())
    return PageLink("image" if is_image else "link", _WS.sub(" ", text).strip(), target, fragment, external)
