"""Sources of articles: what one source (a set of folders and files, an archive) can do.

:mod:`reader.sources.base` holds the ``Source`` protocol and
:mod:`reader.sources.folders` its first implementation, today's folders and
files (docs/architecture.md, "Sources"). The groundwork for Kiwix ZIM archives
is here too, not yet wired into the library: :mod:`reader.sources.zim_archive`
reads an archive through libzim, :mod:`reader.sources.zim_html` turns its HTML
pages into :class:`reader.model.Article`, :mod:`reader.sources.zim_links` lists
their links and images (docs/zim.md). Nothing here imports Qt.
"""
