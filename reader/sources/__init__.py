"""Sources of articles: what one source (a set of folders and files, an archive) can do.

See :mod:`reader.sources.base` for the protocol and docs/architecture.md ("Sources").
"""
