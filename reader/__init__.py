"""Lectern: an offline reader for sectioned articles.

The package is split in two: everything directly under ``reader`` is the core
(content parsing, the library, search, the user-data store, exports) and must
never import Qt; ``reader.gui`` is a thin presentation layer over the
:class:`reader.library.Library` facade.
"""

__version__ = "0.1.0"
APP_NAME = "Lectern"
