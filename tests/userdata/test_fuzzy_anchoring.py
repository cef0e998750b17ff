"""Fuzzy re-anchoring: each kind of edit, deleted text never attached elsewhere, repeated text.

Every test re-anchors a note on an edited copy of an article (pure functions,
no store) and checks the state, the section and the passage found. The
exact-only matcher (``fuzzy=False``, the algorithm before fuzzy matching) is
run beside it where fuzzy matching is what makes the difference.
"""

from __future__ import annotations

import pytest

from reader.parser import parse_text
from reader.userdata.anchoring import EXACT, MOVED, SECTION, ArticleText, anchor_to, locate, reanchor

ARTICLE = """= Harbour History =

The harbour was built by the town council in the year of the great storm.

== Trade ==
Merchants brought copper kettles and woollen cloth from the northern ports every spring.
The customs house recorded each cargo in a ledger kept by the harbour master himself.

== Fishing ==
Fishing boats left before dawn and returned with herring, cod and the occasional salmon.
The fish market opened at six and closed when the last crate was sold to the inns.

=== Boats ===
The oldest boat still afloat was built of oak in a yard beside the river mouth.
"""

QUOTE = "recorded each cargo in a ledger kept by the harbour master"


def _anchor(section_id: str, quote: str):
    return anchor_to(parse_text(ARTICLE, "h").section(section_id), quote)


def _edited(old: str, new: str):
    assert old in ARTICLE
    return parse_text(ARTICLE.replace(old, new), "h")


@pytest.mark.parametrize("old, new, passage", [
    ("each cargo", "each carg", "recorded each carg in a ledger kept by the harbour master"),  # one typo
    ("recorded each cargo in a ledger", "recoded each cargo in a ldger", "recoded each cargo in a ldger kept by the harbour master"),  # three typos
    ("in a ledger kept", "in a register kept", "recorded each cargo in a register kept by the harbour master"),  # a word
    ("recorded each", "wrote down each", "wrote down each cargo in a ledger kept by the harbour master"),  # the first words
    ("harbour master himself", "harbourmaster himself", "recorded each cargo in a ledger kept by the harbourmaster"),  # the last word
])
def test_an_edited_quote_is_found_as_moved_with_its_new_text(old, new, passage):
    anchor = _anchor("trade", QUOTE)
    edited = _edited(old, new)
    placed = reanchor(edited, anchor)
    assert (placed.section_id, placed.state, placed.quote) == ("trade", MOVED, passage)
    assert 0.6 < placed.similarity < 1.0
    assert placed.prefix.endswith("The customs house ") and placed.suffix.startswith(" himself.")
    before = reanchor(edited, anchor, fuzzy=False)  # the exact-only matcher loses it
    assert (before.state, before.quote) == (SECTION, QUOTE)


def test_unchanged_quote_after_edits_elsewhere_is_exact():
    anchor = _anchor("trade", QUOTE)
    edited = _edited("Merchants brought", "Traders from far away brought")
    placed = reanchor(edited, anchor)
    assert (placed.state, placed.similarity, placed.quote) == (EXACT, None, QUOTE)
    assert placed.prefix.endswith("The customs house ")


def test_edited_quote_in_a_paragraph_moved_to_another_section_follows_it():
    anchor = _anchor("trade", QUOTE)
    sentence = "The customs house recorded each cargo in a ledger kept by the harbour master himself.\n"
    moved = ARTICLE.replace(sentence, "").replace(
        "=== Boats ===\n", "=== Boats ===\n" + sentence.replace("ledger", "big book"))
    placed = reanchor(parse_text(moved, "h"), anchor)
    assert (placed.section_id, placed.state) == ("fishing/boats", MOVED)
    assert placed.quote == "recorded each cargo in a big book kept by the harbour master"


def test_a_deleted_quote_is_reported_lost_not_attached_to_similar_text():
    text = ARTICLE.replace("The fish market opened", "The customs house recorded each crate in a book kept by the harbour. The fish market opened")
    anchor = anchor_to(parse_text(text, "h").section("trade"), QUOTE)
    without = parse_text(text.replace(QUOTE + " ", ""), "h")
    placed = reanchor(without, anchor)
    assert (placed.section_id, placed.state, placed.quote) == ("trade", SECTION, QUOTE)


def test_a_deleted_section_orphans_the_note_even_if_similar_text_remains():
    anchor = _anchor("fishing/boats", "The oldest boat still afloat was built of oak")
    text = ARTICLE.replace("=== Boats ===\nThe oldest boat still afloat was built of oak in a yard beside the river mouth.\n", "")
    text = text.replace("The fish market", "An old boat, still afloat, was built of pine. The fish market")
    assert reanchor(parse_text(text, "h"), anchor) is None


def test_a_completely_rewritten_quote_is_not_attached():
    anchor = _anchor("trade", QUOTE)
    edited = _edited(QUOTE, "noted what every ship unloaded, in books the port authority held")
    placed = reanchor(edited, anchor)
    assert placed.state == SECTION and placed.quote == QUOTE


def test_repeated_text_picks_the_occurrence_with_the_right_context():
    text = ARTICLE.replace("== Fishing ==\n", "== Fishing ==\nThe customs house recorded each cargo in a ledger kept by the harbour clerk, not the master.\n")
    section = parse_text(text, "h").section("fishing")
    # The note is on the second occurrence (in Fishing): its context says so.
    anchor = anchor_to(section, "recorded each cargo in a ledger kept by the harbour clerk")
    edited = parse_text(text.replace("harbour clerk", "harbour clerc"), "h")
    placed = reanchor(edited, anchor)
    assert (placed.section_id, placed.state) == ("fishing", MOVED)
    assert placed.quote == "recorded each cargo in a ledger kept by the harbour clerc"
    assert placed.suffix.startswith(", not the master")


def test_a_note_still_to_be_reviewed_stays_moved_when_its_passage_is_found_again():
    anchor = _anchor("trade", QUOTE)
    first = reanchor(_edited("each cargo", "each carg"), anchor)
    later = parse_text(ARTICLE.replace("each cargo", "each carg").replace("Merchants", "Traders"), "h")
    again = reanchor(later, first)
    assert (again.state, again.quote) == (MOVED, first.quote)
    assert again.similarity == pytest.approx(first.similarity)


def test_a_bookmark_like_anchor_without_quote_is_exact_or_none():
    anchor = _anchor("fishing", None)
    placed = locate(ArticleText(_edited("== Fishing ==", "== Fishing and boats ==")), anchor)
    assert (placed.section.id, placed.state) == ("fishing-and-boats", EXACT)


def test_a_long_quote_with_a_typo_and_retouched_context_is_found_by_its_head_and_tail():
    sentence = "Ships of every flag {} moored along the quay to unload their cargo for the town. "
    body = "".join(sentence.format(i) for i in range(60))  # about 5,000 characters
    text = f"= Port =\n\nIntro.\n\n== Quay ==\nBefore it all. {body}After it all.\n"
    quote = body.strip()
    anchor = anchor_to(parse_text(text, "p").section("quay"), quote)
    # The context changes just enough that neither side's exact key survives.
    edited = text.replace("flag 30 moored", "flag 30 mored").replace("Before it all.", "Before it all!").replace(
        "After it all.", "After, it all.")
    placed = reanchor(parse_text(edited, "p"), anchor)
    assert (placed.state, placed.section_id) == (MOVED, "quay")
    assert placed.quote == quote.replace("flag 30 moored", "flag 30 mored")


def test_a_huge_edited_quote_is_reported_lost_not_matched():
    body = "".join(f"Line {i} of a very long passage about the harbour. " for i in range(200))  # ~10,000 characters
    text = f"= Port =\n\nIntro.\n\n== Quay ==\nBefore. {body}After.\n"
    anchor = anchor_to(parse_text(text, "p").section("quay"), body.strip())
    placed = reanchor(parse_text(text.replace("Line 100 of", "Line 100 off"), "p"), anchor)
    assert (placed.state, placed.quote) == (SECTION, body.strip())
