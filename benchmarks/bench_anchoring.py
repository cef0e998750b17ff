"""Edit benchmark for re-anchoring quoted notes: fuzzy matching beside the exact-only matcher.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_anchoring.py [--quotes 300] [--seed 1]

Quotes of 20-200 characters (whole words, occurring once in their article) are
taken from the paragraphs of the sample content (/work/shared/content: seed,
wikitext-valid, wikibooks-be; tests/data). For each of 11 edit types, every
quote gets its own edited copy of its article (one edit at a time) and is
re-anchored twice in the same run: with fuzzy matching ("fuzzy", the shipped
matcher) and without ("exact-only", the matcher before fuzzy matching:
exact, then white-space tolerant, then the section).

A re-anchored note counts as

* **correct**: on the expected section with its span covering >= 80 % of the
  expected passage and >= 80 % of it inside the passage; for "quote deleted"
  and "section deleted", correct means reported lost;
* **wrong**: attached (state exact/moved) anywhere else;
* **lost**: reported ``section`` / ``orphaned`` (the note stays, flagged).

Then: 1,000 notes on one large article re-anchored through the store after a
revision (several edits at once), and a library of 10,000 articles where one
changed (only that article is read and re-anchored).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reader.model import Article, Paragraph, Section  # noqa: E402
from reader.parser import parse_file  # noqa: E402
from reader.userdata.anchoring import (  # noqa: E402
    Placement,
    EXACT, MOVED, Anchor, ArticleText, anchor_to, locate,
)

CONTENT_DIRS = [Path("/work/shared/content/seed"), Path("/work/shared/content/wikitext-valid"),
                Path("/work/shared/content/wikibooks-be"), REPO / "tests/data/wikitext", REPO / "tests/data/wikibooks"]
EDITS = ["inserted earlier in section", "inserted in another section", "1-3 typos in quote",
         "one word rewritten", "half the quote rewritten", "context rewritten", "paragraph duplicated",
         "paragraph moved to another section", "section renamed and moved", "quote deleted", "section deleted"]
LOST_EXPECTED = {"quote deleted", "section deleted"}
WORD = re.compile(r"\w+")
RUNS = 5  # timings: the median of this many runs


# ---------------------------------------------------------------- corpus and quotes

def load_articles() -> list[Article]:
    seen, articles = set(), []
    for folder in CONTENT_DIRS:
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else ():
            if path.name in seen:
                continue
            seen.add(path.name)
            article = parse_file(path, article_id=path.stem)
            if len(article.sections) > 2:
                articles.append(article)
    return articles


@dataclasses.dataclass(frozen=True)
class Sample:
    article: Article
    section_index: int
    block_index: int
    start: int  # the quote in the paragraph's text
    end: int

    @property
    def section(self) -> Section:
        return self.article.sections[self.section_index]

    @property
    def paragraph(self) -> str:
        return self.section.blocks[self.block_index].text


def pick_samples(articles: list[Article], count: int, rng: random.Random) -> list[Sample]:
    """Quotes of 20-200 characters, whole words, inside one paragraph, once in their article."""
    places = [(a, si, bi) for a in articles for si, s in enumerate(a.sections) if not s.is_lead
              for bi, b in enumerate(s.blocks) if isinstance(b, Paragraph) and len(b.text) >= 60]
    samples: list[Sample] = []
    while len(samples) < count:
        article, si, bi = rng.choice(places)
        text = article.sections[si].blocks[bi].text
        words = list(WORD.finditer(text))
        length = rng.randint(20, min(200, len(text)))
        first = rng.randrange(len(words))
        last = first
        while last + 1 < len(words) and words[last + 1].end() - words[first].start() <= length:
            last += 1
        start, end = words[first].start(), words[last].end()
        quote = text[start:end]
        if 20 <= len(quote) <= 200 and _joined(article).count(quote) == 1:
            samples.append(Sample(article, si, bi, start, end))
    return samples


def _joined(article: Article) -> str:
    return "\n\n".join(s.text() for s in article.sections)


def old_anchor(sample: Sample) -> Anchor:
    section = sample.section
    offset = block_offset(section, sample.block_index)
    text = section.text()
    start, end = offset + sample.start, offset + sample.end
    return anchor_to(section, text[start:end], text[max(0, start - 32):start], text[end:end + 32])


def block_offset(section: Section, block_index: int) -> int:
    if block_index == 0:
        return 0
    return len(dataclasses.replace(section, blocks=section.blocks[:block_index]).text()) + 2


# ---------------------------------------------------------------- edits (on the model, one at a time)

def rebuilt(article: Article, sections: list[Section]) -> Article:
    return Article(article.id, article.title, article.source, article.infobox, tuple(sections))


def with_blocks(section: Section, blocks) -> Section:
    return dataclasses.replace(section, blocks=tuple(blocks))


def with_paragraph(sample: Sample, new_text: str) -> list[Section]:
    sections = list(sample.article.sections)
    blocks = list(sample.section.blocks)
    blocks[sample.block_index] = Paragraph(new_text)
    sections[sample.section_index] = with_blocks(sample.section, blocks)
    return sections


def other_section_index(sample: Sample, rng: random.Random) -> int:
    choices = [i for i, s in enumerate(sample.article.sections) if i != sample.section_index]
    return rng.choice(choices)


class Editor:
    """Applies one edit; returns the edited article and the expected (section id, spans) or None (lost)."""

    def __init__(self, rng: random.Random, words: list[str], fillers: list[str]):
        self.rng, self.words, self.fillers = rng, words, fillers

    def expected_at(self, sections, si, bi, start, end):
        offset = block_offset(sections[si], bi)
        return sections[si].id, [(offset + start, offset + end)]

    def apply(self, kind: str, s: Sample):
        method = getattr(self, "_" + re.sub(r"\W+", "_", kind).strip("_"))
        return method(s)

    def _inserted_earlier_in_section(self, s):
        sections = list(s.article.sections)
        sections[s.section_index] = with_blocks(s.section, (Paragraph(self.rng.choice(self.fillers)),) + s.section.blocks)
        return rebuilt(s.article, sections), self.expected_at(sections, s.section_index, s.block_index + 1, s.start, s.end)

    def _inserted_in_another_section(self, s):
        sections = list(s.article.sections)
        other = other_section_index(s, self.rng)
        sections[other] = with_blocks(sections[other], (Paragraph(self.rng.choice(self.fillers)),) + sections[other].blocks)
        return rebuilt(s.article, sections), self.expected_at(sections, s.section_index, s.block_index, s.start, s.end)

    def _1_3_typos_in_quote(self, s):
        quote = s.paragraph[s.start:s.end]
        for _ in range(self.rng.randint(1, 3)):
            quote = typo(quote, self.rng)
        return self._quote_replaced(s, quote)

    def _one_word_rewritten(self, s):
        return self._quote_replaced(s, rewrite_words(s.paragraph[s.start:s.end], 1, self.words, self.rng))

    def _half_the_quote_rewritten(self, s):
        quote = s.paragraph[s.start:s.end]
        count = max(1, len(WORD.findall(quote)) // 2)
        return self._quote_replaced(s, rewrite_words(quote, count, self.words, self.rng, consecutive=True))

    def _quote_replaced(self, s, quote):
        text = s.paragraph[:s.start] + quote + s.paragraph[s.end:]
        sections = with_paragraph(s, text)
        return rebuilt(s.article, sections), self.expected_at(sections, s.section_index, s.block_index,
                                                              s.start, s.start + len(quote))

    def _context_rewritten(self, s):
        before = s.paragraph[max(0, s.start - 32):s.start]
        after = s.paragraph[s.end:s.end + 32]
        new_before = rewrite_words(before, len(WORD.findall(before)), self.words, self.rng) if WORD.search(before) else before
        new_after = rewrite_words(after, len(WORD.findall(after)), self.words, self.rng) if WORD.search(after) else after
        head = s.paragraph[:max(0, s.start - 32)] + new_before
        text = head + s.paragraph[s.start:s.end] + new_after + s.paragraph[s.end + 32:]
        sections = with_paragraph(s, text)
        return rebuilt(s.article, sections), self.expected_at(sections, s.section_index, s.block_index,
                                                              len(head), len(head) + s.end - s.start)

    def _paragraph_duplicated(self, s):
        sections = list(s.article.sections)
        blocks = list(s.section.blocks)
        blocks.insert(s.block_index + 1, blocks[s.block_index])
        sections[s.section_index] = with_blocks(s.section, blocks)
        first = self.expected_at(sections, s.section_index, s.block_index, s.start, s.end)
        second = self.expected_at(sections, s.section_index, s.block_index + 1, s.start, s.end)
        return rebuilt(s.article, sections), (first[0], first[1] + second[1])  # either copy is the passage

    def _paragraph_moved_to_another_section(self, s):
        sections = list(s.article.sections)
        other = other_section_index(s, self.rng)
        blocks = list(s.section.blocks)
        moved = blocks.pop(s.block_index)
        sections[s.section_index] = with_blocks(s.section, blocks)
        sections[other] = with_blocks(sections[other], sections[other].blocks + (moved,))
        return rebuilt(s.article, sections), self.expected_at(sections, other, len(sections[other].blocks) - 1,
                                                              s.start, s.end)

    def _section_renamed_and_moved(self, s):
        sections = list(s.article.sections)
        old = sections.pop(s.section_index)
        title = "Renamed " + old.title
        renamed = dataclasses.replace(old, id="renamed-" + old.id.replace("/", "-"), title=title, level=2,
                                      parent_id=None, path=(title,))
        sections.append(renamed)
        return rebuilt(s.article, sections), self.expected_at(sections, len(sections) - 1, s.block_index, s.start, s.end)

    def _quote_deleted(self, s):
        text = (s.paragraph[:s.start].rstrip() + " " + s.paragraph[s.end:].lstrip()).strip()
        sections = list(s.article.sections)
        blocks = list(s.section.blocks)
        if text:
            blocks[s.block_index] = Paragraph(text)
        else:
            blocks.pop(s.block_index)
        sections[s.section_index] = with_blocks(s.section, blocks)
        return rebuilt(s.article, sections), None

    def _section_deleted(self, s):
        sections = list(s.article.sections)
        sections.pop(s.section_index)
        return rebuilt(s.article, sections), None


def typo(text: str, rng: random.Random) -> str:
    """One typo inside a word: a letter replaced, dropped, doubled, or two letters swapped."""
    letters = [i for i, c in enumerate(text) if c.isalpha()]
    i = rng.choice(letters)
    kind = rng.choice(["replace", "drop", "double", "swap"])
    if kind == "replace":
        return text[:i] + rng.choice([c for c in "etaoinshrdlu" if c != text[i].lower()]) + text[i + 1:]
    if kind == "drop":
        return text[:i] + text[i + 1:]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    j = i + 1 if i + 1 < len(text) else i - 1
    a, b = sorted((i, j))
    return text[:a] + text[b] + text[a] + text[b + 1:]


def rewrite_words(text: str, count: int, words: list[str], rng: random.Random, consecutive: bool = False) -> str:
    """``count`` words of ``text`` replaced by different words from the corpus."""
    spans = [m.span() for m in WORD.finditer(text)]
    if consecutive:
        first = rng.randrange(len(spans) - count + 1)
        chosen = spans[first:first + count]
    else:
        chosen = rng.sample(spans, count)
    for start, end in sorted(chosen, reverse=True):
        old = text[start:end]
        new = rng.choice(words)
        while new.casefold() == old.casefold():
            new = rng.choice(words)
        text = text[:start] + new + text[end:]
    return text


# ---------------------------------------------------------------- scoring

def verdict(found, expected) -> str:
    """"correct", "wrong" or "lost" for one re-anchored note (see the module docstring)."""
    attached = found is not None and found.state in (EXACT, MOVED) and found.span is not None
    if not attached:
        return "correct" if expected is None else "lost"
    if expected is None:
        return "wrong"
    section_id, spans = expected
    if found.section.id != section_id:
        return "wrong"
    return "correct" if any(_covers(found.span, span) for span in spans) else "wrong"


def _covers(found: tuple[int, int], expected: tuple[int, int]) -> bool:
    overlap = max(0, min(found[1], expected[1]) - max(found[0], expected[0]))
    return overlap >= 0.8 * (expected[1] - expected[0]) and overlap >= 0.8 * (found[1] - found[0])


def run_edits(samples: list[Sample], editor: Editor) -> dict:
    results = {}
    for kind in EDITS:
        counts = {mode: {"correct": 0, "wrong": 0, "lost": 0, "seconds": 0.0} for mode in ("fuzzy", "exact")}
        for sample in samples:
            anchor = old_anchor(sample)
            article, expected = editor.apply(kind, sample)
            for mode in ("fuzzy", "exact"):
                began = time.perf_counter()
                found = locate(ArticleText(article), anchor, fuzzy=mode == "fuzzy")
                counts[mode]["seconds"] += time.perf_counter() - began
                counts[mode][verdict(found, expected)] += 1
        results[kind] = counts
    return results


def print_edit_table(results: dict, total: int) -> None:
    print(f"\nEdit benchmark: {total} quotes per edit type (20-200 characters), one edit at a time")
    print("| edit | fuzzy: correct | wrong | lost | ms/note | exact-only: correct | wrong | lost | ms/note |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    wrong_all = {"fuzzy": 0, "exact": 0}
    for kind, counts in results.items():
        cells = []
        for mode in ("fuzzy", "exact"):
            c = counts[mode]
            wrong_all[mode] += c["wrong"]
            cells += [pct(c["correct"], total), pct(c["wrong"], total), pct(c["lost"], total),
                      f"{1000 * c['seconds'] / total:.2f}"]
        label = kind + (" (correct = reported lost)" if kind in LOST_EXPECTED else "")
        print(f"| {label} | " + " | ".join(cells) + " |")
    every = total * len(results)
    print(f"| **wrongly attached, all edits** | | {pct(wrong_all['fuzzy'], every)} | | | | "
          f"{pct(wrong_all['exact'], every)} | | |")


def pct(n: int, total: int) -> str:
    return f"{100 * n / total:.1f} %"


# ---------------------------------------------------------------- 1,000 notes through the store

class StubLibrary:
    """Just what ``UserStore.reanchor`` asks of its article lookup (``articles=``)."""

    def __init__(self, articles: dict[str, Article], fingerprints: dict[str, str]):
        self.articles, self.prints, self.reads = articles, fingerprints, 0

    def fingerprint(self, article_id: str) -> str:
        return self.prints.get(article_id, "")

    def fingerprints(self) -> dict[str, str]:
        return self.prints

    def is_hidden(self, article_id: str) -> bool:
        return False

    def article(self, article_id: str) -> Article:
        self.reads += 1
        return self.articles[article_id]


def revision(article: Article, samples: list[Sample], editor: Editor, rng: random.Random) -> Article:
    """A realistic revision of a whole article: typos fixed in 10 quoted passages, 3 paragraphs
    inserted, one section renamed, one paragraph deleted."""
    sections = list(article.sections)
    for sample in rng.sample(samples, 10):
        section = sections[sample.section_index]
        blocks = list(section.blocks)
        text = blocks[sample.block_index].text
        blocks[sample.block_index] = Paragraph(text[:sample.start] + typo(text[sample.start:sample.end], rng) + text[sample.end:])
        sections[sample.section_index] = with_blocks(section, blocks)
    for _ in range(3):
        i = rng.randrange(len(sections))
        sections[i] = with_blocks(sections[i], (Paragraph(rng.choice(editor.fillers)),) + sections[i].blocks)
    i = rng.randrange(1, len(sections))
    sections[i] = dataclasses.replace(sections[i], id=sections[i].id + "-renamed",
                                      path=sections[i].path[:-1] + (sections[i].title + " (renamed)",))
    j = rng.choice([k for k, s in enumerate(sections) if len(s.blocks) > 1])
    sections[j] = with_blocks(sections[j], sections[j].blocks[1:])
    return rebuilt(article, sections)


def _medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def _ms(wall: float, cpu: float) -> str:
    return f"{1000 * wall:.0f} / {1000 * cpu:.0f} ms"


def leading_sections(article: Article, size: int) -> Article:
    """The article cut after the first sections holding ``size`` bytes of text."""
    kept, total = [], 0
    for section in article.sections:
        kept.append(section)
        total += len(section.text().encode("utf-8")) + 2
        if total >= size:
            break
    return rebuilt(article, kept)


def bench_store(big: Article, editor: Editor, rng: random.Random, notes: int = 1000) -> None:
    from reader.userdata import UserStore
    from reader.userdata.records import insert_note

    samples = pick_samples([big], notes, rng)
    changed = revision(big, samples, editor, rng)
    size_kb = len(_joined(big).encode("utf-8")) / 1024
    anchors = [old_anchor(s) for s in samples]
    store_runs, states = [], {}
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            library = StubLibrary({big.id: big}, {big.id: "v1"})
            store = UserStore(_paths(Path(tmp)), articles=library, auto_backup=False)
            with store._writing() as conn:  # 1,000 add_note() calls would be 1,000 fsyncs
                for k, anchor in enumerate(anchors):
                    insert_note(conn, _bench_record(f"n{k}", big.id, anchor, "v1"))
            library.articles[big.id], library.prints[big.id] = changed, "v2"
            began, cpu = time.perf_counter(), time.process_time()
            store.reanchor()
            store_runs.append((time.perf_counter() - began, time.process_time() - cpu))
            states = {}
            for note in store.notes():
                states[note.anchor_state] = states.get(note.anchor_state, 0) + 1
            store.close()
    pure = {}
    for mode in ("fuzzy", "exact"):
        runs = []
        for _ in range(RUNS):
            began, cpu = time.perf_counter(), time.process_time()
            shared = ArticleText(changed)
            for anchor in anchors:
                locate(shared, anchor, fuzzy=mode == "fuzzy")
            runs.append((time.perf_counter() - began, time.process_time() - cpu))
        pure[mode] = _medians(runs)
    store_wall, store_cpu = _medians(store_runs)
    print(f"\n{notes} notes on one changed article (median of {RUNS} runs) ({big.title}, {size_kb:.0f} KB of text; revision: "
          "typos fixed in 10 quoted passages, 3 paragraphs inserted, a section renamed, a paragraph deleted)")
    print("| measure (wall / CPU) | fuzzy | exact-only |")
    print("| --- | ---: | ---: |")
    print(f"| matching only (all {notes} notes) | {_ms(*pure['fuzzy'])} | {_ms(*pure['exact'])} |")
    print(f"| store.reanchor() incl. SQLite transaction | {_ms(store_wall, store_cpu)} | |")
    print(f"| states after | {', '.join(f'{k} {v}' for k, v in sorted(states.items()))} | |")


def _paths(root: Path):
    from reader.paths import AppPaths, bundle_root
    return AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure()


def bench_many_articles(template: Article, count: int = 10_000, per_article: int = 2) -> None:
    """A library of ``count`` articles, one changes: only its notes are re-anchored."""
    from reader.userdata import UserStore
    from reader.userdata.records import insert_note

    articles = {f"a{i:05d}": dataclasses.replace(template, id=f"a{i:05d}", _by_id={}) for i in range(count)}
    prints = {aid: "v1" for aid in articles}
    section = next(s for s in template.sections if s.text())
    anchor = anchor_to(section, section.text()[:40])
    with tempfile.TemporaryDirectory() as tmp:
        library = StubLibrary(articles, prints)
        store = UserStore(_paths(Path(tmp)), articles=library, auto_backup=False)
        with store._writing() as conn:
            for aid in articles:
                for k in range(per_article):
                    insert_note(conn, _bench_record(f"{aid}-{k}", aid, anchor))
        store.reanchor()  # every note's article_sha is "v1": nothing to do
        library.reads = 0
        prints["a00042"] = "v2"
        began = time.perf_counter()
        changed = store.reanchor()
        seconds = time.perf_counter() - began
        store.close()
    print(f"\nLibrary of {count:,} articles, {count * per_article:,} notes; one article changed:")
    print(f"articles read {library.reads} (its {per_article} notes re-checked; {len(changed)} of them changed place), "
          f"store.reanchor() {1000 * seconds:.0f} ms")


def _bench_record(note_id: str, article_id: str, anchor: Anchor, article_sha: str = "v1") -> dict:
    return {"id": note_id, "article_id": article_id, "section_id": anchor.section_id,
            "section_path": list(anchor.section_path), "quote": anchor.quote, "prefix": anchor.prefix,
            "suffix": anchor.suffix, "text": "n", "tags": [], "color": None, "created": "2026-01-01T00:00:00.000Z",
            "updated": "2026-01-01T00:00:00.000Z", "orphaned": False, "article_sha": article_sha,
            "section_sha": anchor.section_sha, "anchor_state": EXACT, "similarity": None,
            "original_quote": anchor.quote, "review": False}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=300, help="quotes per edit type")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-store", action="store_true", help="only the edit table")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    articles = load_articles()
    words = sorted({w for a in articles for s in a.sections for w in WORD.findall(s.text()) if len(w) > 2})
    fillers = [b.text for a in articles for s in a.sections for b in s.blocks
               if isinstance(b, Paragraph) and 80 <= len(b.text) <= 400]
    editor = Editor(rng, words, fillers)
    samples = pick_samples(articles, args.quotes, rng)
    print(f"{len(articles)} articles, {args.quotes} quotes, median length "
          f"{statistics.median(s.end - s.start for s in samples):.0f} characters")
    print_edit_table(run_edits(samples, editor), len(samples))
    if not args.skip_store:
        big = max(articles, key=lambda a: len(_joined(a)))
        bench_store(leading_sections(big, 70 * 1024), editor, rng)  # the "70 KB article"
        bench_store(big, editor, rng)
        bench_many_articles(big)


if __name__ == "__main__":
    main()
