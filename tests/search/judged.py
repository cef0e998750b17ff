"""Judged query sets for search ranking, and the same queries run through SQLite FTS5.

Used by tests/search/test_search_ranking.py (floors) and benchmarks/bench_relevance.py
(the side-by-side table in docs/performance.md). Built deterministically from the
test content: ../shared/content (seed, wikitext-valid, wikibooks-be) and tests/data.

* navigational: an article's title as typed (accents stripped for every other
  one) -- the article must be first; or the title plus one word of one of its
  headings -- that section must be first;
* known-item: two words from one paragraph that occur in 3-40 sections of the
  collection, accents stripped -- that paragraph's section should be in the top 3;
* heading: a heading that no other section carries (and that is no article's
  title), as typed -- that section must be first.

An answer is a set of (article id, section id): tests/data repeats a few
wikitext articles word for word, and either copy is the right answer.
"""

from __future__ import annotations

import os
import random
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from reader.library import Library
from reader.paths import AppPaths, bundle_root
from reader.search import analysis
from reader.search.documents import section_body
from reader.textutil import fold

REPO = Path(__file__).resolve().parents[2]
TOP = 20
SEED = 2026
PARAGRAPHS_PER_ARTICLE = 4
HEADINGS_PER_ARTICLE = 3
MIN_DF, MAX_DF = 3, 40
_WORD = re.compile(r"[^\W\d_]{4,}")


def content_folders() -> list[Path]:
    """The folders of the judged library; [] when ../shared/content is absent."""
    shared = REPO.parent / "shared" / "content"
    if not shared.is_dir():
        shared = Path(os.environ.get("LECTERN_SHARED_CONTENT", "/nonexistent"))
    if not shared.is_dir():
        return []
    return [shared / "seed", shared / "wikitext-valid", shared / "wikibooks-be",
            REPO / "tests" / "data" / "wikitext", REPO / "tests" / "data" / "wikibooks"]


def open_judged_library(root: Path) -> Library:
    paths = AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure()
    library = Library(paths, include_bundled=False)
    library.add_sources(content_folders())
    return library


@dataclass
class Query:
    kind: str  # "navigational" | "known-item" | "heading"
    text: str
    answers: frozenset  # (article id, section id) pairs; section id None: any section of the article


@dataclass
class Collection:
    """Every section of the library, parsed once."""

    sections: list = field(default_factory=list)  # (article, section, body)
    copies: dict = field(default_factory=dict)  # article id -> ids of articles with the same title and text

    @classmethod
    def of(cls, library: Library) -> "Collection":
        found = cls()
        by_content = defaultdict(list)
        for summary in library.articles():
            article = library.article(summary.id)
            by_content[(article.title, tuple(s.text() for s in article.sections))].append(article.id)
            found.sections += [(article, s, section_body(article, s)) for s in article.sections]
        for ids in by_content.values():
            for article_id in ids:
                found.copies[article_id] = tuple(ids)
        return found

    def answers(self, article_id: str, section_id: str | None) -> frozenset:
        return frozenset((a, section_id) for a in self.copies[article_id])

    def articles(self):
        seen = {}
        for article, _, _ in self.sections:
            if article.id not in seen and self.copies[article.id][0] == article.id:
                seen[article.id] = article
        return list(seen.values())


def _clean(text: str) -> str:
    """WikiText-2 replaced rare words with "<unk>": no user types that."""
    return text.replace("<unk>", " ")


def _typed(text: str, rng: random.Random) -> str:
    """What a user types: lower case, accents kept or stripped, punctuation dropped."""
    words = " ".join(analysis.words(_clean(text))).lower()
    return fold(words) if rng.random() < 0.5 else words


def navigational(collection: Collection, rng: random.Random) -> list[Query]:
    articles = collection.articles()
    title_keys = Counter(tuple(analysis.terms(_clean(a.title))) for a in articles)
    queries = []
    for article in articles:
        key = tuple(analysis.terms(_clean(article.title)))
        if not key or title_keys[key] > 1:
            continue  # two different articles with one title: no single right answer
        queries.append(Query("navigational", _typed(article.title, rng), collection.answers(article.id, None)))
        queries += _title_plus_heading(collection, article, set(key), rng)
    return queries


def _title_plus_heading(collection: Collection, article, title_terms: set, rng: random.Random) -> list[Query]:
    """The title plus a word that only one heading of the article has."""
    headings = [s for s in article.sections if not s.is_lead]
    counts = Counter(t for s in headings for t in set(analysis.terms(s.title)))
    chosen = []
    for section in rng.sample(headings, len(headings)):
        words = [w for w in analysis.words(_clean(section.title))
                 if analysis.term(w) and counts[analysis.term(w)] == 1 and analysis.term(w) not in title_terms]
        if words:
            word = rng.choice(words)
            chosen.append(Query("navigational", _typed(f"{article.title} {word}", rng),
                                collection.answers(article.id, section.id)))
        if len(chosen) == 2:
            break
    return chosen


def _words(text: str) -> set[str]:
    return {fold(w.lower()) for w in _WORD.findall(text) if analysis.term(w)} - {"unk"}


def known_item(collection: Collection, rng: random.Random) -> list[Query]:
    df = Counter(w for _, _, body in collection.sections for w in _words(body))
    by_article = defaultdict(list)
    for article, section, _ in collection.sections:
        if collection.copies[article.id][0] == article.id:
            by_article[article.id] += [(section, b.text) for b in section.blocks
                                      if hasattr(b, "text") and len(_words(b.text)) >= 8]
    queries = []
    for article_id in sorted(by_article):
        paragraphs = by_article[article_id]
        for section, text in rng.sample(paragraphs, min(PARAGRAPHS_PER_ARTICLE, len(paragraphs))):
            pool = sorted(w for w in _words(text) if MIN_DF <= df[w] <= MAX_DF)
            if len(pool) >= 2:
                queries.append(Query("known-item", " ".join(rng.sample(pool, 2)),
                                     collection.answers(article_id, section.id)))
    return queries


def heading(collection: Collection, rng: random.Random) -> list[Query]:
    """Headings whose words no other heading holds all of, and no title holds as a phrase
    (by docs/search.md such a title's article comes first)."""
    originals = [(a, s) for a, s, _ in collection.sections if not s.is_lead and collection.copies[a.id][0] == a.id]
    heading_terms = [set(analysis.terms(_clean(s.title))) for _, s in originals]
    titles = [" ".join(analysis.terms(_clean(a.title))) for a in collection.articles()]
    per_article = defaultdict(list)
    for (article, section), terms in zip(originals, heading_terms):
        phrase = " ".join(analysis.terms(_clean(section.title)))
        if not terms or sum(terms <= other for other in heading_terms) > 1:
            continue
        if any(f" {phrase} " in f" {title} " for title in titles):
            continue
        per_article[article.id].append(section)
    queries = []
    for article_id in sorted(per_article):
        sections = per_article[article_id]
        for section in rng.sample(sections, min(HEADINGS_PER_ARTICLE, len(sections))):
            queries.append(Query("heading", _typed(section.title, rng), collection.answers(article_id, section.id)))
    return queries


def judged_sets(library: Library) -> dict[str, list[Query]]:
    collection = Collection.of(library)
    return {
        "navigational": navigational(collection, random.Random(SEED)),
        "known-item": known_item(collection, random.Random(SEED + 1)),
        "heading": heading(collection, random.Random(SEED + 2)),
    }


def ray_charles_library(folder: Path) -> None:
    """An article titled "Ray Charles" among many whose titles and texts say "Ray Charles" more often."""
    def write(name: str, title: str, lead: str, sections: dict) -> None:
        lines = [f"= {title} =", "", lead, ""]
        for head, text in sections.items():
            lines += [f"== {head} ==", text, ""]
        (folder / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")

    write("ray", "Ray Charles", "Ray Charles Robinson was an American singer, songwriter and pianist.",
          {"Early life": "He was born in Albany, Georgia, and lost his sight as a child.",
           "Career": "He played the piano in Seattle clubs before signing with Atlantic Records."})
    songs = ["Here We Go Again (Ray Charles song)", "Georgia on My Mind (Ray Charles recording)",
             "Hit the Road Jack (Ray Charles single)", "I Got a Woman (Ray Charles song)",
             "Ray Charles discography", "Ray Charles Robinson Jr.", "Tribute to Ray Charles",
             "What'd I Say (Ray Charles song)", "Unchain My Heart (Ray Charles song)", "Ray Charles in Paris"]
    for i, title in enumerate(songs):
        write(f"song{i}", title, f"{title} is a work by Ray Charles. Ray Charles sang it; Ray Charles played piano. "
              f"Critics praised Ray Charles, and Ray Charles toured with it.",
              {"Reception": f"Ray Charles fans loved it. Ray Charles. Ray Charles piano. Ray Charles {i}."})


# ---------------------------------------------------------------- evaluation

def lectern_rankings(library: Library, queries: list[Query]) -> list[list[tuple]]:
    return [[(h.article_id, h.section_id) for h in library.search(q.text, limit=TOP).hits] for q in queries]


def fts5_rankings(library: Library, queries: list[Query]) -> list[list[tuple]]:
    """FTS5 BM25 (porter unicode61 remove_diacritics 2, weights title 3, heading 2, body 1), same words ANDed."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE s USING fts5(article UNINDEXED, section UNINDEXED, title, heading, body, "
                "tokenize='porter unicode61 remove_diacritics 2')")
    for article, section, body in Collection.of(library).sections:
        con.execute("INSERT INTO s VALUES (?, ?, ?, ?, ?)",
                    (article.id, section.id, article.title, "" if section.is_lead else section.title, body))
    rankings = []
    for query in queries:
        match = " ".join(f'"{w}"' for w in analysis.words(query.text) if analysis.term(w))
        rows = con.execute("SELECT article, section FROM s WHERE s MATCH ? ORDER BY bm25(s, 0, 0, 3.0, 2.0, 1.0) "
                           "LIMIT ?", (match, TOP)).fetchall() if match else []
        rankings.append([tuple(r) for r in rows])
    con.close()
    return rankings


def _rank(ranking: list[tuple], answers: frozenset) -> int | None:
    for position, (article_id, section_id) in enumerate(ranking, 1):
        if (article_id, section_id) in answers or (article_id, None) in answers:
            return position
    return None


def measures(rankings: list[list[tuple]], queries: list[Query]) -> dict[str, float]:
    """success@1, success@3 and MRR (0 when not in the top 20)."""
    ranks = [_rank(r, q.answers) for r, q in zip(rankings, queries)]
    count = len(queries) or 1
    return {
        "success@1": sum(r == 1 for r in ranks) / count,
        "success@3": sum(r is not None and r <= 3 for r in ranks) / count,
        "MRR": sum(1 / r for r in ranks if r) / count,
    }


def misses(rankings, queries, at: int = 1) -> list[tuple[str, int | None]]:
    """The queries whose answer is not in the first ``at`` (for reading a failure)."""
    out = []
    for ranking, query in zip(rankings, queries):
        rank = _rank(ranking, query.answers)
        if rank is None or rank > at:
            out.append((query.text, rank))
    return out
