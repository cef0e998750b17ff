"""Exceptions that carry a message meant for the user.

Anything derived from :class:`LecternError` is an expected failure (a missing
file, an unknown id, a bad import file): the CLI prints its message without a
traceback and exits 1; the GUI shows it through its one error-reporting place.
Any other exception is a bug.
"""


class LecternError(Exception):
    """An expected failure with a message the user can act on."""


class UnknownArticleError(LecternError):
    def __init__(self, article_id: str):
        super().__init__(f"no article with id {article_id!r}")
        self.article_id = article_id


class SourceNotFoundError(LecternError):
    def __init__(self, path):
        super().__init__(f"no such file or folder: {path}")
        self.path = path
