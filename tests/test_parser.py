"""Parser behaviour on the seed article, real articles and hand-made edge cases."""

from pathlib import Path

import pytest

from reader.model import LEAD_SECTION_ID, BulletList, Paragraph, iter_items
from reader.parser import SkippedFile, decode, parse_file, parse_text

from .conftest import DATA, SEED_FILE


def bullet_items(article, include_lead=True):
    return [
        item
        for section in article.sections
        for block in section.blocks
        if isinstance(block, BulletList)
        for item in iter_items(block.items)
    ]


@pytest.fixture(scope="module")
def seed():
    return parse_file(SEED_FILE, "seed")


def test_seed_structure(seed):
    assert seed.title == "2023 Azerbaijani offensive in Nagorno-Karabakh"
    assert len(seed.infobox) == 12
    assert seed.infobox[2] == ("Date", ", (1 day)")
    assert len(seed.sections) == 34
    assert seed.sections[0].id == LEAD_SECTION_ID and seed.sections[0].level == 1
    assert max(s.level for s in seed.sections) == 5
    assert len(bullet_items(seed)) == 40
    see_also = seed.section("see-also")
    assert [i.text for i in bullet_items_of(see_also)][:1] == ["2016 Nagorno-Karabakh conflict"]
    assert len(bullet_items_of(see_also)) == 4
    assert seed.warnings == ()


def bullet_items_of(section):
    return [i for b in section.blocks if isinstance(b, BulletList) for i in iter_items(b.items)]


def test_repeated_headings_get_distinct_path_ids(seed):
    turkeys = [s for s in seed.sections if s.title == "Turkey"]
    assert [s.id for s in turkeys] == [
        "international-aspects/reactions/turkey",
        "international-aspects/foreign-involvement/turkey",
    ]
    assert turkeys[1].path == ("International aspects", "Foreign involvement", "Turkey")
    assert seed.section(turkeys[1].parent_id).title == "Foreign involvement"
    assert len({s.id for s in seed.sections}) == len(seed.sections)


def test_heading_directly_followed_by_text(seed):
    foreign = seed.section("international-aspects/foreign-involvement")
    assert foreign.blocks == () and [c.title for c in seed.children(foreign.id)][0] == "Belarus"
    offensive_day = seed.section("offensive/19-september")
    assert offensive_day.blocks[0].text.startswith("On 19 September 2023")


def test_section_text_format():
    article = parse_text("= T =\n\n== A ==\nfirst\nsecond\n\n- one\n  - nested\n- two\n")
    assert article.section("a").text() == "first\n\nsecond\n\n- one\n  - nested\n- two"


def test_ids_are_stable_when_sections_are_added_elsewhere():
    before = parse_text("= T =\n== A ==\nx\n=== B ===\ny\n")
    after = parse_text("= T =\n== New ==\nz\n== A ==\nx\n=== B ===\ny\n")
    assert before.section("a/b") is not None and after.section("a/b") is not None


def test_same_path_twice_gets_a_suffix():
    article = parse_text("= T =\n== Notes ==\na\n== Notes ==\nb\n")
    assert [s.id for s in article.sections] == [LEAD_SECTION_ID, "notes", "notes~2"]


def test_warnings_name_lines():
    text = "Intro line\n== Unbalanced =\nx\n== A ==\n==== Deep ====\ny\n== Empty ==\n"
    article = parse_text(text, source=Path("my_file.txt"))
    messages = {(w.line, w.message.split(" (")[0].split(";")[0]) for w in article.warnings}
    assert article.title == "my file"
    assert (1, "no '= Title =' line") in messages
    assert (2, "unbalanced heading markup") in messages
    assert (5, "heading level skipped") in messages
    assert (7, "empty section 'Empty'") in messages


def test_nested_bullets_and_odd_indentation():
    article = parse_text("= T =\n- a\n      - jumps three levels\n  - b\n- c\n")
    items = article.lead.blocks[0].items
    assert [i.text for i in items] == ["a", "c"]
    assert [c.text for c in items[0].children] == ["jumps three levels", "b"]


def test_every_plain_line_is_a_paragraph():
    article = parse_text("= T =\nline one\nline two\n\nline three\n")
    assert [b.text for b in article.lead.blocks] == ["line one", "line two", "line three"]


def test_infobox_only_right_after_title():
    article = parse_text("= T =\n\nInfobox\n- Key: Value: with colon\n- NoColon\n\nInfobox\n")
    assert article.infobox == (("Key", "Value: with colon"), ("NoColon", ""))
    assert article.lead.blocks == (Paragraph("Infobox", 7),)
    assert any("without 'Key:'" in w.message for w in article.warnings)


def test_markdown():
    text = "# Title\n\nIntro that is\nwrapped.\n\n## Part *one*\n\n- item\n  * sub\n+ plus\n\n### Deeper ###\ntext\n"
    article = parse_text(text, markdown=True)
    assert article.title == "Title"
    assert article.lead.blocks[0].text == "Intro that is wrapped."
    part = article.section("part-one")
    assert part.title == "Part *one*"
    items = part.blocks[0].items
    assert [i.text for i in items] == ["item", "plus"] and items[0].children[0].text == "sub"
    assert article.section("part-one/deeper").blocks[0].text == "text"


def test_markdown_file_suffix(tmp_path):
    path = tmp_path / "note.md"
    path.write_text("# Hello\n\n## World\nx\n", encoding="utf-8")
    assert [s.id for s in parse_file(path).sections] == [LEAD_SECTION_ID, "world"]


@pytest.mark.parametrize("text", ["", "=", "==", "= =", "====\n====", "- ", "Infobox", "\x0b\x0c", "== ==\n- -\n"])
def test_degenerate_text_never_raises(text):
    article = parse_text(text)
    assert article.sections[0].id == LEAD_SECTION_ID


def test_real_articles_parse_cleanly():
    files = sorted(DATA.rglob("*.txt"))
    assert len(files) >= 6
    for path in files:
        article = parse_file(path, "x")
        assert article.title and not any("no '= Title ='" in w.message for w in article.warnings)
        assert len({s.id for s in article.sections}) == len(article.sections)


def test_all_shared_articles(shared_content):
    files = sorted(shared_content.rglob("*.txt"))
    assert len(files) == 126
    for path in files:
        article = parse_file(path, "x")
        assert len(article.sections) >= 1
        assert not any("unbalanced" in w.message for w in article.warnings), path


# ---------------------------------------------------------------- decoding


def test_decode_rejects_binary_empty_and_huge(tmp_path):
    p = tmp_path / "f.txt"
    with pytest.raises(SkippedFile, match="binary"):
        decode(b"= T =\n\x00\x01", p)
    with pytest.raises(SkippedFile, match="empty"):
        decode(b" \n\n\t", p)
    with pytest.raises(SkippedFile, match="too large"):
        decode(b"x" * (20 * 1024 * 1024 + 1), p)


def test_decode_invalid_utf8_keeps_the_rest(tmp_path):
    text, warnings = decode(b"= T =\nok\n\xff\xfe bad \xc3\n", tmp_path / "f.txt")
    assert "ok" in text and "\ufffd" in text and " bad " in text
    assert warnings[0].line == 3 and "invalid UTF-8" in warnings[0].message


def test_decode_bom_and_line_endings(tmp_path):
    text, _ = decode("\ufeff= T =\r\nline\rnext".encode(), tmp_path / "f.txt")
    assert text == "= T =\nline\nnext"


def test_parse_file_refuses_huge_file_without_reading_it(tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as handle:
        handle.truncate(20 * 1024 * 1024 + 10)
    with pytest.raises(SkippedFile, match="too large"):
        parse_file(big)
