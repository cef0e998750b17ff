"""Exports that paste cleanly: a note's headings stay below its section, readable links, W3C targets
that name the article, files that follow the umask, and a file round trip into an empty data dir."""

from __future__ import annotations

import json
import os
import stat

import pytest

from reader.paths import AppPaths
from reader.userdata import UserStore
from reader.userdata.exchange import demote_headings, write_export
from tests.conftest import SEED_ID, SEED_FILE

SECTION = "aftermath/ceasefire-violations"


@pytest.fixture
def burial(library):
    return library.store.add_note(SEED_ID, SECTION, "## Burial\n\nWhere **exactly**?\n\n# Top\n\n```\n# not a heading\n```",
                                  tags=["graves"])


def _heading_levels(markdown: str) -> list[int]:
    lines, fenced = [], False
    for line in markdown.splitlines():
        fenced ^= line.startswith("```")
        if not fenced and line.startswith("#") and " " in line and set(line.split(" ")[0]) == {"#"}:
            lines.append(len(line.split(" ")[0]))
    return lines


def test_markdown_keeps_a_notes_headings_below_its_section(library, burial):
    text = library.store.export_notes("markdown")
    assert "\n##### Burial\n" in text and "\n#### Top\n" in text
    assert "\n## Burial" not in text
    assert "# not a heading" in text  # fenced code is left as written
    levels = _heading_levels(text)
    section_at = text.splitlines().index("### Aftermath › Ceasefire violations")
    after = _heading_levels("\n".join(text.splitlines()[section_at:]))
    assert after[0] == 3 and all(level > 3 for level in after[1:]), levels


def test_demote_headings_turns_too_deep_ones_into_bold():
    assert demote_headings("#### Deep ####\n#hashtag\n   ## Indented", 3) == "**Deep**\n#hashtag\n   ##### Indented"


def test_markdown_links_read_as_title_and_section(library, burial):
    text = library.store.export_notes("markdown")
    link = f"lectern://{SEED_ID}#{SECTION}"
    assert f"[2023 Azerbaijani offensive in Nagorno-Karabakh › Aftermath › Ceasefire violations](<{link}>)" in text
    assert f"[{link}]" not in text


def test_w3c_target_names_the_title_and_the_file(library, burial):
    data = json.loads(library.store.export_notes("w3c"))
    [annotation] = data["first"]["items"]
    target = annotation["target"]
    assert target["source"] == f"lectern://{SEED_ID}"
    assert target["dc:title"] == "2023 Azerbaijani offensive in Nagorno-Karabakh"
    assert target["dc:source"].endswith(SEED_FILE.name)


def test_exported_files_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        written = write_export(tmp_path / "notes.md", "# x\n")
    finally:
        os.umask(old)
    assert stat.S_IMODE(written.stat().st_mode) == 0o644
    written.chmod(0o600)  # a file the user made private stays private when exported over
    write_export(written, "# y\n")
    assert stat.S_IMODE(written.stat().st_mode) == 0o600 and written.read_text() == "# y\n"


@pytest.mark.parametrize("fmt", ["json", "w3c"])
def test_file_round_trip_into_an_empty_data_dir_gives_the_same_notes(library, burial, tmp_path, fmt):
    store = library.store
    store.add_note(SEED_ID, "background", "", quote="Nagorno", color="blue")
    store.add_note(SEED_ID, "_lead", "lead note", tags=["a", "b"])
    path = write_export(tmp_path / f"notes.{fmt}", store.export_notes(fmt))
    root = tmp_path / "empty"
    fresh = UserStore(AppPaths(root / "data", root / "cache", root / "config", root), auto_backup=False)
    try:
        report = fresh.import_notes(path)
        assert report.added == 3
        assert fresh.notes() == store.notes()
    finally:
        fresh.close()
