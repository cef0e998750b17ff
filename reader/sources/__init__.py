"""Content sources: where articles come from.

Today this package holds the groundwork for Kiwix ZIM archives
(:mod:`reader.sources.zim_archive` reads an archive through libzim,
:mod:`reader.sources.zim_html` turns its HTML pages into
:class:`reader.model.Article`, :mod:`reader.sources.zim_links` lists their
links and images). The ``Source`` protocol that folders and archives
will both implement, and the wiring into the library, come next (docs/zim.md).
Nothing here imports Qt.
"""
