"""Export to Markdown, JSON and W3C; import back with no duplicates and no partial writes."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.errors import LecternError
from reader.paths import AppPaths
from reader.userdata import StoreError, UserStore
from reader.userdata.exchange import SECTION_LEVEL, demote_headings
from tests.conftest import SEED_ID


def _fresh_store(root: Path) -> UserStore:
    return UserStore(AppPaths(root / "data", root / "cache", root / "config", root), auto_backup=False)


@pytest.fixture
def other_store(tmp_path):
    s = _fresh_store(tmp_path / "other")
    yield s
    s.close()


@pytest.fixture
def seed_notes(library):
    store = library.store
    article = library.article(SEED_ID)
    sept = article.section("offensive/19-september")
    notes = [
        store.add_note(SEED_ID, "background", "Context for the *blockade*.", tags=["context"]),
        store.add_note(SEED_ID, sept.id, "Check the casualty figures", quote=sept.text()[20:60], color="#ffcc00"),
        store.add_note(SEED_ID, "_lead", "A note on the lead"),
    ]
    store.add_bookmark(SEED_ID, sept.id, folder="to read")
    return store, notes


def test_markdown_groups_notes_under_section_paths(seed_notes):
    store, notes = seed_notes
    text = store.export_notes("markdown")
    assert "## 2023 Azerbaijani offensive in Nagorno-Karabakh" in text
    lead, background, sept = (text.index(h) for h in ("### Introduction", "### Background", "### Offensive › 19 September"))
    assert lead < background < sept  # document order
    assert text.index("Check the casualty figures") > sept
    assert f"> {notes[1].quote}" in text
    assert f"lectern://{SEED_ID}#offensive/19-september" in text and "#context" in text


def test_json_round_trip_into_an_empty_store(seed_notes, other_store):
    store, _ = seed_notes
    report = other_store.import_notes(store.export_notes("json"))
    assert (report.added, report.skipped_duplicates, report.bookmarks_added) == (3, 0, 1)
    assert other_store.notes() == store.notes()
    assert other_store.note_records() == store.note_records()  # anchors' fingerprints too
    assert other_store.bookmarks() == store.bookmarks()


def test_w3c_round_trip_into_an_empty_store(seed_notes, other_store):
    store, _ = seed_notes
    data = json.loads(store.export_notes("w3c"))
    assert data["type"] == "AnnotationCollection" and data["total"] == 3
    annotation = next(a for a in data["first"]["items"] if len(a["target"]["selector"]) > 1)
    assert annotation["type"] == "Annotation" and annotation["target"]["source"] == f"lectern://{SEED_ID}"
    kinds = [s["type"] for s in annotation["target"]["selector"]]
    assert kinds == ["FragmentSelector", "TextQuoteSelector", "TextPositionSelector"]
    other_store.import_notes(json.dumps(data))
    assert other_store.notes() == store.notes()


@pytest.mark.parametrize("fmt", ["json", "w3c"])
def test_importing_twice_adds_nothing(seed_notes, tmp_path, fmt):
    store, _ = seed_notes
    exported = tmp_path / f"notes.{fmt}"
    exported.write_text(store.export_notes(fmt), encoding="utf-8")
    report = store.import_notes(exported)
    assert (report.added, report.skipped_duplicates) == (0, 3)
    assert len(store.notes()) == 3 and len(store.bookmarks()) == 1


def test_foreign_w3c_annotations_get_stable_ids(store):
    annotation = {
        "@context": "http://www.w3.org/ns/anno.jsonld", "id": "https://example.org/anno/7", "type": "Annotation",
        "body": {"type": "TextualBody", "value": "from another tool"},
        "target": {"source": "https://example.org/page", "selector": {"type": "TextQuoteSelector", "exact": "a passage"}},
    }
    first = store.import_notes(json.dumps(annotation))
    again = store.import_notes(json.dumps(annotation))
    assert (first.added, again.added, again.skipped_duplicates) == (1, 0, 1)
    (note,) = store.notes()
    assert (note.text, note.quote, note.article_id) == ("from another tool", "a passage", "https://example.org/page")


GOOD = {"id": "a1", "article_id": "art", "section_id": "_lead", "text": "fine"}


@pytest.mark.parametrize("content, message", [
    ("not json at all", "not JSON"),
    ('{"format": "something-else"}', "expected a Lectern notes file"),
    (json.dumps({"format": "lectern-notes", "version": 2, "notes": []}), "newer Lectern"),
    (json.dumps({"format": "lectern-notes", "version": 1, "notes": [GOOD, dict(GOOD, id="a2", text=5)]}), "note 2: 'text' must be text"),
    (json.dumps({"format": "lectern-notes", "version": 1, "notes": [GOOD, dict(GOOD, id="a3", created="yesterday")]}), "note 2: 'created'"),
    (json.dumps({"format": "lectern-notes", "version": 1, "notes": [GOOD], "bookmarks": [{"id": "b"}]}), "bookmark 1: 'article_id' is missing"),
    (json.dumps({"type": "AnnotationPage", "items": [{"type": "Annotation", "body": "x"}]}), "annotation 1: 'target'"),
])
def test_malformed_import_is_rejected_and_writes_nothing(store, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LecternError, match=message) as caught:
        store.import_notes(path)
    assert "nothing was imported" in str(caught.value)
    assert store.notes() == [] and store.bookmarks() == []


def test_import_failing_half_way_writes_nothing(store):
    notes = [dict(GOOD, id=f"n{i}", text="x" * 20_000) for i in range(40)]
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages + 20}")  # room for a few notes, not 40
    with pytest.raises(StoreError, match="full"):
        store.import_notes(json.dumps({"format": "lectern-notes", "version": 1, "notes": notes}))
    assert store.notes() == []


MARKUP = ["# ", "## ", "> ", "- ", "\n", "\r\n", "\n\n", '"', "'", "`", "```", "**", "[a](lectern://x#y)",
          "---", "\\", "\t", "\x00", "\u2028", "😀", "é", "ש", "\u0301"]
note_texts = st.one_of(
    st.text(min_size=1),
    st.lists(st.one_of(st.sampled_from(MARKUP), st.text(max_size=6)), min_size=1, max_size=12).map("".join),
).filter(lambda t: t.strip())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(note_texts, min_size=1, max_size=4), quote=st.one_of(st.none(), note_texts),
       tags=st.lists(st.text(min_size=1, max_size=20), max_size=3))
def test_any_text_survives_json_and_w3c(texts, quote, tags):
    with tempfile.TemporaryDirectory() as tmp:
        source = _fresh_store(Path(tmp) / "a")
        for text in texts:
            source.add_note("art", "sec/sub", text, quote=quote, tags=tags)
        exported = {fmt: source.export_notes(fmt) for fmt in ("json", "w3c")}
        markdown = source.export_notes("markdown")
        for fmt, text in exported.items():
            target = _fresh_store(Path(tmp) / fmt)
            assert target.import_notes(text).added == len(texts)
            assert target.notes() == source.notes(), fmt
            assert target.import_notes(text).added == 0
            target.close()
        source.close()
    # Markdown keeps every text, its own headings moved below the section's "###" (demote_headings).
    assert all(demote_headings(t.rstrip("\n"), SECTION_LEVEL) in markdown for t in texts)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)
VALID = {"format": "lectern-notes", "version": 1, "notes": [dict(GOOD)], "bookmarks": []}
W3C_VALID = {"type": "Annotation", "id": "x", "body": "b", "target": {"source": "lectern://a", "selector": []}}


@settings(max_examples=60, deadline=None)
@given(base=st.sampled_from([VALID, W3C_VALID]), path=st.lists(st.sampled_from(["notes", 0, "id", "text", "target", "source", "body", "selector", "version"]), min_size=1, max_size=3), value=json_values)
def test_any_damaged_file_is_accepted_or_rejected_cleanly(base, path, value):
    data = json.loads(json.dumps(base))
    node = data
    for key in path[:-1]:
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    try:
        node[path[-1]] = value
    except (TypeError, IndexError):
        pass
    with tempfile.TemporaryDirectory() as tmp:
        store = _fresh_store(Path(tmp))
        try:
            report = store.import_notes(json.dumps(data))
        except LecternError:
            assert store.notes() == [] and store.bookmarks() == []
        else:
            assert len(store.notes()) == report.added
        store.close()


# ---------------------------------------------------------------- QA 12: CommonMark-safe headings

def _record(**fields) -> dict:
    record = {"id": "n1", "article_id": "art", "section_id": "s", "section_path": ["Use of <unk> [draft]"],
              "quote": None, "text": "body", "tags": [], "orphaned": False, "updated": "2026-01-01T00:00:00Z",
              "anchor_state": "exact", "original_quote": None, "similarity": None}
    return dict(record, **fields)


def test_markdown_headings_escape_what_commonmark_would_read_as_markup():
    from reader.userdata.exchange import to_markdown

    text = to_markdown([_record()], {"art": ("The <unk> token: *bold* _it_ [x] & #1", ["s"])})
    assert "## The \\<unk\\> token: \\*bold\\* \\_it\\_ \\[x\\] \\& \\#1\n" in text
    assert "### Use of \\<unk\\> \\[draft\\]\n" in text
    assert "<unk>" not in text.split("\n## ")[1].split("\n")[0]


@pytest.mark.parametrize("underline, level", [("===", 4), ("---", 5), ("=", 4)])
def test_a_notes_setext_heading_is_demoted_below_the_section(underline, level):
    demoted = demote_headings(f"Intro line\nstill the title\n{underline}\n\nBody.", SECTION_LEVEL)
    assert demoted == f"{'#' * level} Intro line still the title\n\nBody."


def test_a_thematic_break_and_a_list_before_dashes_stay_as_they_are():
    for text in ("Para.\n\n---\n\nMore.", "- item\n---", "> quoted\n---", "```\ncode\n---\n```"):
        assert demote_headings(text, SECTION_LEVEL) == text


def test_markdown_export_of_a_removed_article_says_so(library, tmp_path):
    """QA 13: with its article gone, the notes were headed by the bare id."""
    folder = tmp_path / "gone"
    folder.mkdir()
    (folder / "gone.txt").write_text("= Gone Soon =\n\nLead.\n\n== Part ==\nSome words here.\n", encoding="utf-8")
    library.add_sources([folder])
    aid = library.find_by_title("Gone Soon").id
    library.store.add_note(aid, "part", "kept")
    library.remove_sources([folder])
    assert f"## {aid} (removed)\n" in library.store.export_notes("markdown")
