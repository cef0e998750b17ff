"""Archives as other scrapers than mwoffliner write them: warc2zim websites and zimwriterfs folders.

The pages are a small society's website as a browser saw it: navigation, a banner,
a footer, scripts (warc2zim's ``_zim_static/`` replay scripts and inline ones),
styles in the head and the body, inline ``style`` attributes, headings wrapped in
divs, one page without any ``<h1>``-``<h6>``, and one whose only heading is its
``<title>``. Each page's own words (``UNIQUE``) are made up so that a search for one
finds that page only.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .pages import write_archive

SITE = "www.riverbank.example"
# page file -> (the <title>, the body between the site's chrome, the page's own words)
SITE_PAGES = {
    "index.html": ("Riverbank Allotments",
                   "<div class='hero'><div class='big' style='font-size:3em'>Welcome gardeners</div>"
                   "<p>Our plots grow marrowfat peas and kohlrabiquix.</p></div>"
                   "<div class='card'><span class='card-title'>Opening hours</span><p>Saturdays from nine.</p></div>",
                   "kohlrabiquix"),
    "about.html": ("About the society",
                   "<div class='heading-wrap'><h2 class='t'>History</h2></div><p>Founded by quinceberry growers in 1921.</p>"
                   "<div class='x'><h3>Committee</h3><p>The committee meets monthly in the quinceberry shed.</p></div>",
                   "quinceberry"),
    "plots.html": ("Plot waiting list",
                   "<p>There are currently <b>forty</b> people waiting for a plot of zucchiniwort.</p>"
                   "<style>.plots td { padding: 2px }</style>"
                   "<table class='plots'><tr><td>Plot</td><td>Size</td></tr><tr><td>7a</td><td>250 m²</td></tr></table>",
                   "zucchiniwort"),
}
NO_HEADINGS = "plots.html"  # neither the chrome nor the body has an <h1>-<h6>
TITLE_ONLY = "index.html"  # its only heading is the <title> (the banner is a div)

# a zimwriterfs page with neither <title> nor any heading: titled by its path, one section
UNTITLED = "notes/plain.html"
UNTITLED_PAGE = "<html><body><div>Just a line of xylophonequark text, no title.</div></body></html>"

_WARC_HEAD = ("<head><meta charset='utf-8'><title>{title}</title>"
              "<script src='../_zim_static/__wb_module_decl.js'></script>"
              "<script src='../_zim_static/wombat.js'></script>"
              "<script>window.WB_wombat_init && WB_wombat_init({{prefix: '../', wombatScheme: 'https'}});"
              " var scriptonlyword = 1;</script>"
              "<style>body {{ font-family: styleonlyword }}</style>"
              "<link rel='stylesheet' href='static/site.css'></head>")
_CHROME_TOP = ("<div id='top' style='background:#eee'><div class='logo'>Riverbank Allotments</div>"
               "<nav><ul><li><a href='index.html'>Home</a></li><li><a href='about.html'>About</a></li>"
               "<li><a href='https://social.example/riverbank'>Follow us</a></li></ul></nav>"
               "<button onclick='toggle()'>Menu</button></div>")
_FOOTER = ("<footer><p style='font-size:80%'>© 2024 Riverbank society</p>"
           "<script>track('scriptonlyword')</script></footer>")


def site_page(title: str, body: str, *, head: str = _WARC_HEAD) -> str:
    return (f"<!DOCTYPE html><html>{head.format(title=escape(title))}<body>{_CHROME_TOP}"
            f"<main>{body}</main>{_FOOTER}</body></html>")


def write_warc2zim_site(path: Path) -> Path:
    """A warc2zim 2.x archive: pages under the site's host name, replay scripts under ``_zim_static/``,
    titles from ``<title>``, a full-text and title index; one page stored as ``text/html; charset=utf-8``."""
    pages = [(f"{SITE}/{name}", title, site_page(title, body), "text/html; charset=utf-8" if name == "about.html"
              else "text/html") for name, (title, body, _) in SITE_PAGES.items()]
    files = [("_zim_static/wombat.js", "application/javascript", b"var wombat = 'scriptonlyword';"),
             ("_zim_static/__wb_module_decl.js", "application/javascript", b"var decl = 1;"),
             (f"{SITE}/static/site.css", "text/css", b"body { color: black }")]
    return write_archive(path, pages, name="riverbank.example_en_all", main=f"{SITE}/index.html", files=files)


def write_zimwriterfs_site(path: Path) -> Path:
    """A zimwriterfs archive of the same site as a folder: plain paths, no full-text index, and entry
    titles left empty as zimwriterfs leaves them for pages it could not title (libzim then gives the
    path as the title): the page's ``<title>`` must title the article."""
    head = "<head><meta charset='utf-8'><title>{title}</title><script src='js/menu.js'></script></head>"
    pages = [(name, "", site_page(title, body, head=head)) for name, (title, body, _) in SITE_PAGES.items()]
    pages.append((UNTITLED, "", UNTITLED_PAGE))
    files = [("js/menu.js", "application/javascript", b"function toggle() {}")]
    return write_archive(path, pages, name="riverbank_folder", main="index.html", files=files, indexing=False)
