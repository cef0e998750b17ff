"""Exports name the archive and the path of notes on archive articles (issue 10, item 6)."""

from __future__ import annotations

import json
import shutil

from reader.library import Library

from .pages import GenSection, Page, render, write_archive

ARTICLE = "zim:otters/Otter_life"
ORIGIN = "Generated (otters_2026-11.zim) › Otter_life"


def _archive(folder):
    page = Page("Otter life", lead=["Otters swim."], sections=[GenSection("Diet", ["Otters eat fish daily."])])
    return write_archive(folder / "otters_2026-11.zim", [("Otter_life", page.title, render(page, "flat"))],
                         name="otters", main="Otter_life")


def _library_with_note(app_paths, tmp_path):
    path = _archive(tmp_path)
    library = Library(app_paths, include_bundled=False)
    library.add_sources([path])
    diet = library.article(ARTICLE).sections[-1]
    library.store.add_note(ARTICLE, diet.id, "a remark", quote="eat fish")
    return library, path


def test_markdown_and_w3c_exports_name_the_archive_and_the_path(app_paths, tmp_path):
    library, _ = _library_with_note(app_paths, tmp_path)
    try:
        markdown = library.store.export_notes("markdown")
        assert f"[Otter life › Diet · {ORIGIN}](<lectern://{ARTICLE}#diet>)" in markdown
        [item] = json.loads(library.store.export_notes("w3c"))["first"]["items"]
        assert item["target"]["dc:title"] == "Otter life"
        assert item["target"]["dc:source"] == ORIGIN
    finally:
        library.close()


def test_an_export_names_the_archive_while_it_is_missing(app_paths, tmp_path):
    library, path = _library_with_note(app_paths, tmp_path)
    library.close()
    moved = tmp_path / "elsewhere.zim"
    shutil.move(path, moved)
    again = Library(app_paths, include_bundled=False)
    try:
        [item] = json.loads(again.store.export_notes("w3c"))["first"]["items"]
        assert item["target"]["dc:source"] == ORIGIN  # from the remembered archive list
        assert f"· {ORIGIN}](<lectern://{ARTICLE}#diet>)" in again.store.export_notes("markdown")
    finally:
        again.close()


def test_notes_on_files_keep_their_export_as_before(app_paths, tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    (folder / "Jam.txt").write_text("= Jam =\n\nJam is sweet.\n", encoding="utf-8")
    library = Library(app_paths, include_bundled=False)
    try:
        library.add_sources([folder])
        library.store.add_note("jam", "_lead", "tasty")
        assert "[Jam › Introduction](<lectern://jam#_lead>)" in library.store.export_notes("markdown")
        [item] = json.loads(library.store.export_notes("w3c"))["first"]["items"]
        assert item["target"]["dc:source"] == str(folder / "Jam.txt")
    finally:
        library.close()
