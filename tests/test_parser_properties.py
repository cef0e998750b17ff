"""Property tests: the parser never raises and is lossless.

"Lossless" here: every non-whitespace character of the input that is not a
markup character ends up in the model exactly once and in document order. The
markup characters are the heading/bullet/infobox punctuation ``= - * + # :``
and the letters of the ``Infobox`` keyword line when the article has one.
"""

from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.model import BulletList, iter_items
from reader.parser import parse_text

from .conftest import DATA, SEED_FILE

MARKUP = set("=-*+#:")
REAL_TEXTS = [SEED_FILE.read_text(encoding="utf-8")] + [p.read_text(encoding="utf-8") for p in sorted(DATA.rglob("*.txt"))]


def model_strings(article, include_title: bool):
    if include_title:
        yield article.title
    for key, value in article.infobox:
        yield key
        yield value
    for section in article.sections:
        if not section.is_lead:
            yield section.title
        for block in section.blocks:
            if isinstance(block, BulletList):
                yield from (item.text for item in iter_items(block.items))
            else:
                yield block.text


def significant(text: str) -> str:
    return "".join(c for c in text if not c.isspace() and c not in MARKUP)


def assert_lossless(text: str, markdown: bool = False) -> None:
    article = parse_text(text, source=Path("fallback_name.txt"), markdown=markdown)
    title_from_text = not any("no '= Title ='" in w.message for w in article.warnings)
    out = significant("".join(model_strings(article, title_from_text)))
    expected = Counter(significant(text))
    if article.has_infobox:
        expected.subtract(Counter("Infobox"))
    assert Counter(out) == +expected
    # order: the model's characters form a subsequence of the input's
    remaining = iter(significant(text))
    assert all(ch in remaining for ch in out)
    assert len({s.id for s in article.sections}) == len(article.sections)


LINE_PIECES = st.sampled_from(
    ["= ", " =", "== ", " ==", "=== ", "=====", "- ", "  - ", "* ", "Infobox", "Key: v", "#", "## ", "\t", " ", ":", "Łódź", "杜甫", "й", "\ufffd"]
)
LINES = st.lists(st.one_of(st.text(max_size=30), LINE_PIECES), max_size=6).map("".join)
DOCUMENTS = st.lists(LINES, max_size=25).map("\n".join)


@settings(max_examples=300, deadline=None)
@given(DOCUMENTS)
def test_random_text_is_lossless(text):
    assert_lossless(text)


@settings(max_examples=150, deadline=None)
@given(DOCUMENTS)
def test_random_markdown_is_lossless(text):
    assert_lossless(text, markdown=True)


MUTATIONS = st.lists(
    st.tuples(st.sampled_from(["delete", "duplicate", "swap", "insert", "indent"]), st.integers(0, 10_000), st.sampled_from(
        ["== X ==", "= Y =", "==== Z", "- item", "    - deep", "Infobox", "- K: V", "", "=====  =====", "text \x00 nul"]
    )),
    max_size=8,
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(REAL_TEXTS), MUTATIONS)
def test_mutated_real_articles_are_lossless(text, mutations):
    lines = text.split("\n")
    for kind, position, piece in mutations:
        i = position % max(len(lines), 1)
        if kind == "delete" and lines:
            del lines[i]
        elif kind == "duplicate" and lines:
            lines.insert(i, lines[i])
        elif kind == "swap" and len(lines) > 1:
            j = (i + 1) % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "insert":
            lines.insert(i, piece)
        elif kind == "indent" and lines:
            lines[i] = "  " + lines[i]
    assert_lossless("\n".join(lines))


def test_the_property_detects_a_lost_character():
    """Guard the checker itself: a model missing a character must fail it."""
    text = "= T =\n== A ==\nhello\n"
    article = parse_text(text)
    out = significant("".join(model_strings(article, True)))
    assert Counter(out) == Counter(significant(text))
    assert Counter(out[:-1]) != Counter(significant(text))
