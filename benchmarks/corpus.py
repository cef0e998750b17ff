"""A deterministic synthetic corpus in Lectern's sectioned-text format.

``generate(n, folder, seed=1)`` writes ``n`` articles: a Zipf-like vocabulary
(some words accented: "şağı", "vystrčil", "łódź"-style letters), file sizes
between 3 and 60 KB with a mean near 8 KB, nested sections (levels 2-4),
infoboxes, bullet lists and "See also" lists. The same ``n`` and ``seed``
always give byte-identical files, so benchmark runs are comparable.

Run ``python benchmarks/corpus.py N FOLDER`` to write a corpus by hand.
"""

from __future__ import annotations

import bisect
import itertools
import random
import sys
from dataclasses import dataclass
from pathlib import Path

VOCABULARY_SIZE = 60_000
ZIPF_EXPONENT = 1.07
MIN_BYTES, MEAN_BYTES, MAX_BYTES = 3_000, 8_000, 60_000

_ONSETS = ["b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr", "ch", "sh", "gr", "pl", "kr"]
_VOWELS = ["a", "e", "i", "o", "u", "ai", "ou", "ea", "io"]
_CODAS = ["", "", "n", "r", "s", "l", "t", "m", "nd", "st"]
_SUFFIXES = ["", "", "", "s", "ed", "ing", "ation", "ations", "er", "ers", "ly", "ness", "ment", "ments"]
_ACCENTS = {"a": "áàâäąă", "c": "čćç", "e": "éèêëěę", "i": "íìîïı", "o": "óòôöő", "u": "úùûüů", "s": "šşś", "z": "žźż", "n": "ňńñ", "r": "ř", "g": "ğ", "l": "ł", "d": "đ"}
# Real prose is mostly function words at the top of the frequency list.
_FUNCTION_WORDS = "the of and in to a was is for on as by with he that at from his it an were are which be this also or had first has one their its new after but who not they have her she two been other when there all".split()
_INFOBOX_KEYS = ["Born", "Died", "Country", "Capital", "Population", "Area", "Founded", "Leader", "Language", "Currency", "Region", "Type"]


@dataclass(frozen=True)
class Vocabulary:
    """Words ranked by frequency (rank 0 is the most common) with Zipf weights."""

    words: list[str]
    cumulative: list[float]

    def sample(self, rng: random.Random, k: int) -> list[str]:
        total = self.cumulative[-1]
        words, cumulative = self.words, self.cumulative
        return [words[bisect.bisect(cumulative, rng.random() * total)] for _ in range(k)]


def build_vocabulary(seed: int = 1, size: int = VOCABULARY_SIZE) -> Vocabulary:
    rng = random.Random(seed)
    words: list[str] = list(_FUNCTION_WORDS)
    seen: set[str] = set(words)
    while len(words) < size:
        word = _make_word(rng)
        if word not in seen and len(word) > 1:
            seen.add(word)
            words.append(word)
    weights = [1.0 / (rank + 1) ** ZIPF_EXPONENT for rank in range(size)]
    return Vocabulary(words, list(itertools.accumulate(weights)))


def _make_word(rng: random.Random) -> str:
    syllables = rng.choice([1, 2, 2, 3, 3, 4])
    stem = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables))
    word = stem + rng.choice(_SUFFIXES)
    if rng.random() < 0.06:  # an accented word: one or two letters get a diacritic
        letters = list(word)
        for _ in range(rng.choice([1, 2])):
            i = rng.randrange(len(letters))
            if letters[i] in _ACCENTS:
                letters[i] = rng.choice(_ACCENTS[letters[i]])
        word = "".join(letters)
    return word


class _ArticleWriter:
    def __init__(self, vocabulary: Vocabulary, rng: random.Random):
        self.vocabulary = vocabulary
        self.rng = rng

    def words(self, k: int) -> list[str]:
        return self.vocabulary.sample(self.rng, k)

    def sentence(self) -> str:
        words = self.words(self.rng.randint(6, 22))
        words[0] = words[0].capitalize()
        if self.rng.random() < 0.3:
            i = self.rng.randrange(len(words))
            words[i] = words[i].capitalize()
        if self.rng.random() < 0.15:
            words.insert(self.rng.randrange(len(words)), str(self.rng.randint(1, 2030)))
        return " ".join(words) + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 7)))

    def heading(self) -> str:
        return " ".join(self.words(self.rng.randint(1, 4))).capitalize()

    def bullets(self) -> list[str]:
        lines = []
        for _ in range(self.rng.randint(2, 6)):
            lines.append("- " + " ".join(self.words(self.rng.randint(2, 10))))
            if self.rng.random() < 0.3:
                lines.append("  - " + " ".join(self.words(self.rng.randint(2, 8))))
        return lines

    def body(self, target: int) -> list[str]:
        """Blocks of one section, about ``target`` bytes."""
        blocks, size = [], 0
        while size < target:
            block = "\n".join(self.bullets()) if self.rng.random() < 0.15 else self.paragraph()
            blocks.append(block)
            size += len(block.encode("utf-8"))
        return blocks

    def article(self, title: str, titles: list[str]) -> str:
        target = _article_size(self.rng)
        lines = [f"= {title} =", ""]
        if self.rng.random() < 0.6:
            lines.append("Infobox")
            for key in self.rng.sample(_INFOBOX_KEYS, self.rng.randint(3, 8)):
                lines.append(f"- {key}: {' '.join(self.words(self.rng.randint(1, 4)))}")
            lines.append("")
        sections = max(1, min(40, round(target / 1500)))
        per_section = target // (sections + 1)
        lines += self._blocks(per_section)
        level = 2
        for _ in range(sections - 1):
            level = self.rng.choice([2, 2, 3, 3, 4]) if level >= 3 else self.rng.choice([2, 3])
            marks = "=" * level
            lines.append(f"{marks} {self.heading()} {marks}")
            lines += self._blocks(per_section)
        if self.rng.random() < 0.4:
            lines.append("== See also ==")
            lines += [f"- {self.rng.choice(titles)}" for _ in range(self.rng.randint(1, 4))]
        return "\n".join(lines) + "\n"

    def _blocks(self, target: int) -> list[str]:
        out = []
        for block in self.body(target):
            out += [block, ""]
        return out


def _article_size(rng: random.Random) -> int:
    """Log-normal sizes clipped to 3-60 KB; the mean lands near 8 KB."""
    return int(min(MAX_BYTES, max(MIN_BYTES, rng.lognormvariate(8.78, 0.55))))


def titles_for(n: int, vocabulary: Vocabulary, seed: int = 1) -> list[str]:
    rng = random.Random(seed * 7919 + n)
    titles, seen = [], set()
    while len(titles) < n:
        words = vocabulary.sample(rng, rng.randint(1, 4))
        title = " ".join(w.capitalize() for w in words)
        if title.casefold() not in seen:
            seen.add(title.casefold())
            titles.append(title)
    return titles


def generate(n: int, folder: Path, seed: int = 1) -> list[Path]:
    """Write ``n`` articles into ``folder`` (created); returns the files in order."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    vocabulary = build_vocabulary(seed)
    titles = titles_for(n, vocabulary, seed)
    files = []
    for i, title in enumerate(titles):
        writer = _ArticleWriter(vocabulary, random.Random(seed * 1_000_003 + i))
        path = folder / f"{i:05d}.txt"
        path.write_text(writer.article(title, titles), encoding="utf-8")
        files.append(path)
    return files


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python benchmarks/corpus.py N FOLDER", file=sys.stderr)
        return 2
    files = generate(int(argv[0]), Path(argv[1]))
    size = sum(f.stat().st_size for f in files)
    print(f"{len(files)} articles, {size / 1e6:.1f} MB in {argv[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
