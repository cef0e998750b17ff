"""The coordinator: one direction, ordered steps, no listener inside a lock (issue 9, "One coordinator").

The thread joins below only guard against a hang; they are not speed assertions.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from reader.changes import Changes
from reader.library import Library

HANG_GUARD_SECONDS = 30
ARTICLE = "= Edit Me =\n\nalpha\n== Part ==\ndelta\n"
EDITED = "= Edit Me =\n\nalpha changed\n== Part ==\nnew delta\n"


def _edit(path: Path, text: str) -> None:
    old = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(old + 10**9, old + 10**9))


def _annotated(app_paths, tmp_path) -> tuple[Path, str]:
    source = tmp_path / "s"
    source.mkdir()
    (source / "e.txt").write_text(ARTICLE, encoding="utf-8")
    first = Library(app_paths, include_bundled=False)
    first.add_sources([source])
    note = first.store.add_note("edit-me", "part", "kittiwake", quote="delta")
    first.update_index()
    first.close()
    return source / "e.txt", note.id


def _database_files(app_paths) -> dict[str, tuple[int, int]]:
    folder = app_paths.database.parent
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir() if p.name.startswith(app_paths.database.name)}


def test_a_search_on_a_current_index_does_not_open_the_notes_database_for_writing(app_paths, tmp_path):
    _annotated(app_paths, tmp_path)
    backups_before = sorted(app_paths.backups_dir.glob("*")) if app_paths.backups_dir.exists() else []
    files_before = _database_files(app_paths)
    library = Library(app_paths, include_bundled=False)
    library.rescan()  # nothing changed on disk
    assert library.search("kittiwake", notes_only=True).total == 1  # the notes were read...
    assert not library._coordinator.store_is_open  # ...without opening the store (migration, backup, re-anchoring)
    assert _database_files(app_paths) == files_before
    after = sorted(app_paths.backups_dir.glob("*")) if app_paths.backups_dir.exists() else []
    assert after == backups_before
    library.close()


def test_a_scan_re_anchors_before_the_index_is_brought_up_to_date(app_paths, tmp_path):
    path, note_id = _annotated(app_paths, tmp_path)
    _edit(path, EDITED)
    library = Library(app_paths, include_bundled=False)
    order = []
    library.add_listener(lambda event, payload: order.append(event))
    library.rescan()
    assert order.index("notes_changed") < order.index("articles_changed")  # re-anchored, then announced
    assert library.store.note(note_id).section_id == "part"
    hits = library.search("kittiwake", notes_only=True).hits
    assert [h.note_id for h in hits] == [note_id]
    assert library.search("changed").total == 1
    library.close()


def test_listeners_run_after_every_lock_is_released(app_paths, tmp_path):
    """A listener that asks another thread to read the store and search gets its answer:
    no lock of the store, the index or the library is held while it runs."""
    path, note_id = _annotated(app_paths, tmp_path)
    _edit(path, EDITED)
    library = Library(app_paths, include_bundled=False)
    library.search("alpha")  # the index is open: a change marks it behind
    answers, stuck = [], []

    def listener(event, payload):
        worker = threading.Thread(target=lambda: answers.append(
            (len(library.store.notes()), library.search("alpha").total)), daemon=True)
        worker.start()
        worker.join(HANG_GUARD_SECONDS)
        if worker.is_alive():
            stuck.append(event)

    library.add_listener(listener)
    library.rescan()
    library.store.add_bookmark("edit-me", "part")
    assert stuck == []
    assert answers and all(answer == (1, 1) for answer in answers)
    library.close()


def test_every_event_reads_as_one_changes_value(app_paths, tmp_path):
    path, note_id = _annotated(app_paths, tmp_path)
    library = Library(app_paths, include_bundled=False)
    seen: list[Changes] = []
    library.add_listener(lambda event, payload: seen.append(Changes.of_event(event, payload)))
    library.store.edit_note(note_id, text="puffin")
    library.store.add_bookmark("edit-me")
    _edit(path, EDITED)
    library.rescan()
    combined = Changes()
    for changes in seen:
        combined |= changes
    assert combined.notes == (note_id,) and combined.bookmarks and combined.articles == ("edit-me",)
    assert combined.touches("edit-me") and not combined.touches("another")
    library.close()


def test_adding_and_indexing_an_article_parses_its_file_once(app_paths, tmp_path, monkeypatch):
    """The parse a scan does to learn the title is the one the index reads (issue 9, "work done twice")."""
    import reader.sources.folders as library_module  # the folders source reads and parses the files

    parsed = []
    real = library_module.parse_file
    monkeypatch.setattr(library_module, "parse_file", lambda path, *a, **k: parsed.append(Path(path).name) or real(path, *a, **k))
    source = tmp_path / "s"
    source.mkdir()
    (source / "once.txt").write_text("= Parsed Once =\n\nalpha\n== Part ==\nbeta\n", encoding="utf-8")
    library = Library(app_paths, include_bundled=False)
    library.add_sources([source])
    library.update_index()
    assert library.search("beta").total == 1
    assert parsed == ["once.txt"]
    _edit(source / "once.txt", "= Parsed Once =\n\nalpha\n== Part ==\ngamma\n")
    library.rescan()
    assert library.search("gamma").total == 1
    assert parsed == ["once.txt", "once.txt"]
    library.close()


def test_a_search_that_needs_the_store_opens_it_before_the_index_update(app_paths, tmp_path, monkeypatch):
    """Notes that cannot be read as they are (a schema to migrate, simulated) make the coordinator open
    the store first, outside the index's lock: a listener that hears the store's re-anchoring and searches
    from the same thread answers instead of waiting for that lock forever."""
    import reader.userdata as userdata
    from reader.userdata.db import connect

    _annotated(app_paths, tmp_path)
    conn = connect(app_paths.database)
    conn.execute("UPDATE notes SET article_sha = 'old', section_id = 'gone'")  # opening the store re-places it
    conn.close()
    monkeypatch.setattr(userdata, "notes_readable", lambda path: False)
    monkeypatch.setattr(userdata, "read_notes", lambda path: None)
    library = Library(app_paths, include_bundled=False)
    heard = []
    library.add_listener(lambda event, payload: heard.append((event, library.search("alpha").total)))
    finished = []
    worker = threading.Thread(target=lambda: finished.append(library.search("kittiwake", notes_only=True).total),
                              daemon=True)
    worker.start()
    worker.join(HANG_GUARD_SECONDS)
    assert finished == [1], "the search hung (a listener waited for the index's write lock) or missed the note"
    assert ("notes_changed", 1) in heard
    library.close()


# ------------------------------------------------------------------ issue 11: an update compares what the scan changed

def _indexed_library(app_paths, tmp_path, *names: str) -> tuple[Library, Path]:
    source = tmp_path / "s"
    source.mkdir()
    for name in names:
        (source / f"{name}.txt").write_text(f"= {name.title()} =\n\nabout {name}\n", encoding="utf-8")
    library = Library(app_paths, include_bundled=False)
    library.add_sources([source])
    library.update_index()  # the first update in a process compares every article
    return library, source


def test_an_update_after_a_scan_compares_only_the_articles_the_scan_changed(app_paths, tmp_path, monkeypatch):
    library, source = _indexed_library(app_paths, tmp_path, "auk", "murre", "puffin")
    _edit(source / "auk.txt", "= Auk =\n\nabout kittiwake\n")
    (source / "puffin.txt").unlink()
    library.rescan()
    every, asked = [], []
    monkeypatch.setattr(library, "fingerprints", lambda: every.append(1) or {})  # {} would drop every article
    real = library.indexed_fingerprints_of
    monkeypatch.setattr(library, "indexed_fingerprints_of", lambda ids: asked.append(sorted(ids)) or real(ids))
    report = library.update_index()
    assert every == [] and asked == [["auk", "puffin"]]
    assert (report.updated, report.removed) == (1, 1)
    assert [h.article_id for h in library.search("kittiwake").hits] == ["auk"]
    assert [h.article_id for h in library.search("murre").hits] == ["murre"]  # untouched, still indexed
    assert library.search("puffin").total == 0
    library.close()


def test_a_scan_reading_another_processs_manifest_has_the_index_compare_every_article(app_paths, tmp_path):
    library, source = _indexed_library(app_paths, tmp_path, "auk")
    (source / "gannet.txt").write_text("= Gannet =\n\nabout gannet\n", encoding="utf-8")
    other = Library(app_paths, include_bundled=False)
    assert [a.id for a in other.rescan().added] == ["gannet"]  # saved by the other process, not indexed there
    other.close()
    report = library.rescan()  # finds gannet already in the manifest: nothing listed as added
    assert not report.added and report.unlisted_changes
    assert library.update_index().added == 1
    assert [h.article_id for h in library.search("gannet").hits] == ["gannet"]
    library.close()


def test_an_index_told_of_no_ids_compares_every_article(app_paths, tmp_path):
    library, source = _indexed_library(app_paths, tmp_path, "auk", "murre")
    _edit(source / "murre.txt", "= Murre =\n\nabout guillemot\n")
    library.folders.rescan()  # behind the coordinator's back: nothing marked
    library.search_index.mark_behind()  # a change that does not say which articles
    assert library.update_index().updated == 1
    assert [h.article_id for h in library.search("guillemot").hits] == ["murre"]
    library.close()
