"""Which section of an article a note most likely belongs to (the re-attach proposal).

Re-attaching a note should start from its own place, not from the article's
first section: the re-anchoring rules first (same id, same heading path, a
section holding the quote, a section with the same text), then the section
whose heading and words are most like the note's heading path, quote, context
and text. Pure functions on ``model.Article``; no I/O.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..model import Article, Section
from ..textutil import fold
from .anchoring import Anchor, reanchor
from .models import Note

_WORD = re.compile(r"\w{3,}")
CLOSE_TITLE = 0.75  # a heading this similar to the old one (difflib ratio) was probably reworded


def most_similar_section(article: Article, note: Note) -> str:
    """The id of the section to propose for ``note`` in ``article`` (never empty)."""
    placed = reanchor(article, Anchor(note.section_id, tuple(note.section_path), note.quote, note.prefix, note.suffix))
    if placed is not None:
        return placed.section_id
    words = _words(" ".join([note.quote or "", note.prefix, note.suffix, note.text]))
    old_path = [fold(title) for title in note.section_path]
    scored = [(_score(section, words, old_path), -index, section.id)
              for index, section in enumerate(article.sections)]
    return max(scored)[2]


def _score(section: Section, words: set[str], old_path: list[str]) -> float:
    """Shared words (0..1) + the old heading path's titles found in this one's (0..1)
    + how close the old heading is to this one when it looks reworded (0..1)."""
    shared = len(words & _words(section.text())) / len(words) if words else 0.0
    if not old_path or section.is_lead:
        return shared
    path = [fold(title) for title in section.path]
    in_path = sum(1 for title in old_path if title in path) / len(old_path)
    ratio = SequenceMatcher(None, old_path[-1], path[-1]).ratio()
    return shared + in_path + (ratio if ratio >= CLOSE_TITLE else 0.0)


def _words(text: str) -> set[str]:
    return set(_WORD.findall(fold(text)))
