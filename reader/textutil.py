"""Small text helpers shared by the core: slugs and accent/case folding."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[\W_]+")

# Letters that Unicode does not decompose into base + combining mark, so NFKD
# alone would keep them ("Łódź" must fold to "lodz", "Øresund" to "oresund").
_EXTRA_FOLDS = str.maketrans({
    "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d", "ħ": "h", "Ħ": "h",
    "ı": "i", "ŀ": "l", "Ŀ": "l", "ß": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe",
    "þ": "th", "Þ": "th", "ð": "d", "Ð": "d",
})


def fold(text: str) -> str:
    """Case- and accent-fold ``text`` for matching ("Aşağı Ayrım" -> "asagi ayrim").

    Only combining marks are dropped, so Cyrillic and CJK letters survive
    (Belarusian "й" -> "и" is the one lossy but harmless effect). Folded titles are kept on
    disk (the manifest's fast copy, ``reader.sources.manifest_cache``): a change here bumps its
    ``CACHE_VERSION``.
    """
    text = text.translate(_EXTRA_FOLDS)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold().translate(_EXTRA_FOLDS)


def slugify(text: str, default: str = "section") -> str:
    """A readable, stable id fragment: lower case, letters and digits joined by "-".

    Letters of any script are kept (a Cyrillic heading gives a Cyrillic slug);
    the result never starts with "_" (ids such as ``_lead`` are reserved).
    """
    text = unicodedata.normalize("NFKC", text).casefold()
    slug = _NON_ALNUM.sub("-", text).strip("-")
    return slug[:80].rstrip("-") or default


def plural(count: int, word: str) -> str:
    """``1 note``, ``2 notes``."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"
