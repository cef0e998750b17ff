"""The Library facade: sources, scans, article ids, bad files, the manifest."""

import json
import re
import shutil

import pytest

import reader.sources.folders as library_module  # the folders source reads and parses the files
from reader.errors import LecternError, SourceNotFoundError, UnknownArticleError
from reader.library import Library

from .conftest import DATA, SEED_ID


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def no_bundled(app_paths):
    return Library(app_paths, include_bundled=False)


def test_bundled_seed_is_listed(library):
    [summary] = library.articles()
    assert summary.id == SEED_ID and summary.bundled and summary.sections == 34
    assert library.article(SEED_ID).title.startswith("2023 Azerbaijani offensive")


def test_unknown_article(library):
    with pytest.raises(UnknownArticleError):
        library.article("nope")


def test_add_folder_with_bad_files_loads_the_rest(no_bundled, tmp_path):
    folder = tmp_path / "src"
    shutil.copytree(DATA / "wikitext", folder)
    (folder / "binary.txt").write_bytes(b"= Bin =\n\x00\x00\x89PNG")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "latin1.txt").write_bytes("= Caf\xe9 =\n\nna\xefve text\n".encode("latin-1"))
    (folder / "ignored.pdf").write_bytes(b"%PDF")
    report = no_bundled.add_sources([folder])
    assert len(report.added) == 4  # 3 real articles + the invalid-UTF-8 one
    reasons = {s.path.rsplit("/", 1)[1]: s.reason for s in report.skipped}
    assert reasons == {"binary.txt": "binary file (contains NUL bytes)", "empty.txt": "empty file"}
    latin = next(a for a in report.added if a.path.endswith("latin1.txt"))
    article = no_bundled.article(latin.id)
    assert article.title == "Caf\ufffd" and "invalid UTF-8" in article.warnings[0].message
    assert {s.reason for s in no_bundled.skipped()} == set(reasons.values())


def test_missing_source_is_a_user_error_and_changes_nothing(no_bundled, tmp_path):
    with pytest.raises(SourceNotFoundError):
        no_bundled.add_sources([DATA / "wikitext", tmp_path / "missing"])
    assert no_bundled.sources() == []


def test_ids_survive_restart_and_duplicate_titles_get_suffixes(app_paths, tmp_path):
    write(tmp_path / "a" / "one.txt", "= Same Title =\nfirst\n")
    write(tmp_path / "b" / "two.txt", "= Same Title =\nsecond\n")
    lib = Library(app_paths, include_bundled=False)
    lib.add_sources([tmp_path / "a", tmp_path / "b"])
    ids = {a.path.rsplit("/", 1)[1]: a.id for a in lib.articles()}
    assert ids == {"one.txt": "same-title", "two.txt": "same-title-2"}
    reopened = Library(app_paths, include_bundled=False)
    reopened.rescan()
    assert {a.path.rsplit("/", 1)[1]: a.id for a in reopened.articles()} == ids


def test_edited_file_keeps_its_id_and_is_reparsed(no_bundled, tmp_path):
    path = write(tmp_path / "src" / "x.txt", "= Old Title =\n== A ==\ntext\n")
    no_bundled.add_sources([tmp_path / "src"])
    [before] = no_bundled.articles()
    write(path, "= New Title =\n== A ==\ntext\n== B ==\nmore\n")
    report = no_bundled.rescan()
    [after] = no_bundled.articles()
    assert [s.id for s in report.updated] == [before.id] and after.id == before.id
    assert after.title == "New Title" and no_bundled.article(after.id).section("b") is not None


def test_moving_a_file_between_folders_keeps_its_id(no_bundled, tmp_path):
    src = write(tmp_path / "a" / "art.txt", "= Moving =\nbody\n")
    (tmp_path / "b").mkdir()
    no_bundled.add_sources([tmp_path / "a", tmp_path / "b"])
    [before] = no_bundled.articles()
    src.rename(tmp_path / "b" / "renamed.txt")
    report = no_bundled.rescan()
    [after] = no_bundled.articles()
    assert after.id == before.id and after.path.endswith("b/renamed.txt")
    assert [m.id for m in report.moved] == [before.id] and report.removed == [] and report.added == []


def test_removed_file_leaves_the_library(no_bundled, tmp_path):
    path = write(tmp_path / "src" / "gone.txt", "= Gone =\nx\n")
    no_bundled.add_sources([tmp_path / "src"])
    path.unlink()
    report = no_bundled.rescan()
    assert report.removed == ["gone"] and no_bundled.articles() == []


def test_remove_source(no_bundled, tmp_path):
    write(tmp_path / "src" / "a.txt", "= A =\nx\n")
    no_bundled.add_sources([tmp_path / "src"])
    report = no_bundled.remove_sources([tmp_path / "src"])
    assert report.removed == ["a"] and no_bundled.sources() == []
    with pytest.raises(LecternError, match="not a source"):
        no_bundled.remove_sources([tmp_path / "src"])


def test_unchanged_rescan_parses_nothing(no_bundled, monkeypatch):
    no_bundled.add_sources([DATA])
    calls = []
    real = library_module.parse_file
    monkeypatch.setattr(library_module, "parse_file", lambda *a, **k: calls.append(a) or real(*a, **k))
    report = no_bundled.rescan()
    assert calls == [] and not report.changed and report.unchanged == len(no_bundled.articles())


def test_touched_but_identical_file_is_not_reparsed(no_bundled, tmp_path, monkeypatch):
    path = write(tmp_path / "src" / "a.txt", "= A =\nx\n")
    no_bundled.add_sources([tmp_path / "src"])
    path.touch()
    import os

    os.utime(path, ns=(1, 1))
    calls = []
    monkeypatch.setattr(library_module, "parse_file", lambda *a, **k: calls.append(a))
    assert not no_bundled.rescan().changed and calls == []


def test_no_bundled_hides_without_forgetting(app_paths, tmp_path):
    Library(app_paths).rescan()
    hidden = Library(app_paths, include_bundled=False)
    hidden.rescan()
    assert hidden.articles() == [] and not hidden.has_article(SEED_ID)
    shown = Library(app_paths)
    shown.rescan()
    assert [a.id for a in shown.articles()] == [SEED_ID]


def test_changes_are_announced(no_bundled, tmp_path):
    events = []
    no_bundled.add_listener(lambda event, payload: events.append((event, [a.id for a in payload.added])))
    write(tmp_path / "src" / "a.txt", "= A =\nx\n")
    no_bundled.add_sources([tmp_path / "src"])
    no_bundled.rescan()  # nothing changed: no event
    assert events == [("articles_changed", ["a"])]


def test_corrupt_manifest_is_kept_aside_and_rebuilt(app_paths):
    app_paths.manifest.write_text("{not json", encoding="utf-8")
    lib = Library(app_paths)
    lib.rescan()
    assert [a.id for a in lib.articles()] == [SEED_ID]
    assert "unreadable" in lib.messages[0]
    kept = list(app_paths.data_dir.glob("library.json.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == "{not json"


def test_newer_manifest_is_never_overwritten(app_paths):
    newer = {"format": "lectern-library", "version": 99, "sources": [], "articles": {}, "skipped": {}, "future": True}
    app_paths.manifest.write_text(json.dumps(newer), encoding="utf-8")
    lib = Library(app_paths)
    lib.rescan()
    assert lib.read_only and "newer Lectern" in lib.messages[0]
    assert json.loads(app_paths.manifest.read_text()) == newer


def test_find_by_title_folds_case_and_accents(no_bundled, tmp_path):
    write(tmp_path / "s" / "l.txt", "= Łódź Voivodeship =\nx\n")
    no_bundled.add_sources([tmp_path / "s"])
    assert no_bundled.find_by_title("lodz voivodeship").id == "łódź-voivodeship"
    assert no_bundled.find_by_title("Kraków") is None


def test_file_that_turns_bad_leaves_and_is_reported(no_bundled, tmp_path):
    path = write(tmp_path / "s" / "a.txt", "= A =\nx\n")
    no_bundled.add_sources([tmp_path / "s"])
    path.write_bytes(b"")
    report = no_bundled.rescan()
    assert report.removed == ["a"] and [s.reason for s in report.skipped] == ["empty file"]
    path.write_text("= A =\nback\n", encoding="utf-8")
    report = no_bundled.rescan()
    assert [a.id for a in report.added] == ["a"] and no_bundled.skipped() == []


def test_article_whose_file_vanished_gives_a_clear_error(no_bundled, tmp_path):
    path = write(tmp_path / "s" / "a.txt", "= A =\nx\n")
    no_bundled.add_sources([tmp_path / "s"])
    path.unlink()
    with pytest.raises(LecternError, match="cannot read article 'a'"):
        no_bundled.article("a")


def test_folder_metadata_files_are_not_articles(no_bundled, tmp_path):
    write(tmp_path / "s" / "README.md", "# About this folder\n")
    write(tmp_path / "s" / "ATTRIBUTION.md", "# Credits\n")
    write(tmp_path / "s" / ".hidden.txt", "= Hidden =\n")
    write(tmp_path / "s" / "real.md", "# Real\n")
    no_bundled.add_sources([tmp_path / "s"])
    assert [a.title for a in no_bundled.articles()] == ["Real"]


def test_article_for_path(no_bundled, tmp_path):
    path = write(tmp_path / "s" / "a.txt", "= A =\nx\n")
    no_bundled.add_sources([tmp_path / "s"])
    assert no_bundled.article_for_path(tmp_path / "s" / ".." / "s" / "a.txt").id == "a"
    assert no_bundled.article_for_path(tmp_path / "s") is None
    assert no_bundled.article_for_path(path.with_name("missing.txt")) is None


def test_unreadable_manifest_is_restored_from_its_copy(app_paths, tmp_path):
    """A damaged library.json must not forget the user's folders (and so their article ids)."""
    write(tmp_path / "s" / "a.txt", "= Same =\nfirst\n")
    write(tmp_path / "s" / "b.txt", "= Same =\nsecond\n")
    Library(app_paths).add_sources([tmp_path / "s"])
    app_paths.manifest.write_text('{"format": "lectern-library", "version": 1, "sources": [', encoding="utf-8")
    lib = Library(app_paths)
    lib.rescan()
    assert lib.sources() == [str(tmp_path / "s")]
    assert {a.path.rsplit("/", 1)[1]: a.id for a in lib.articles() if not a.bundled} == {"a.txt": "same", "b.txt": "same-2"}
    assert "restored from library.json.bak" in lib.messages[0]
    assert len(list(app_paths.data_dir.glob("library.json.corrupt-*"))) == 1


def test_missing_manifest_falls_back_to_its_copy(app_paths, tmp_path):
    write(tmp_path / "s" / "a.txt", "= Kept =\nx\n")
    Library(app_paths).add_sources([tmp_path / "s"])
    app_paths.manifest.unlink()
    lib = Library(app_paths)
    assert lib.sources() == [str(tmp_path / "s")] and lib.has_article("kept")


def test_manifest_with_wrong_shapes_is_unreadable_not_a_crash(app_paths):
    app_paths.manifest.write_text('{"format": "lectern-library", "version": 1, "articles": {"x": {"bogus": 1}}}')
    lib = Library(app_paths)
    lib.rescan()
    assert [a.id for a in lib.articles()] == [SEED_ID] and "unreadable" in lib.messages[0]


def test_articles_sharing_a_title_get_distinct_labels(no_bundled, tmp_path):
    write(tmp_path / "one" / "a.txt", "= Same Title =\nx\n")
    write(tmp_path / "two" / "b.txt", "= same title =\ny\n")
    write(tmp_path / "two" / "c.txt", "= Unique =\nz\n")
    no_bundled.add_sources([tmp_path / "one", tmp_path / "two"])
    labels = {a.id: a.label for a in no_bundled.articles()}
    assert labels == {"same-title": "Same Title · one/a.txt", "same-title-2": "same title · two/b.txt", "unique": "Unique"}


# ------------------------------------------------------------------ issue 13: damaged manifests, read-only folders

DAMAGED_MANIFESTS = {
    "a \\xff byte": lambda good: good[:10] + b"\xff" + good[10:],
    "100k-level nesting": lambda good: b"[" * 100_000 + b"]" * 100_000,
    "version 1e400": lambda good: good.replace(b'"version": 1', b'"version": 1e400'),
    "version true": lambda good: good.replace(b'"version": 1', b'"version": true'),
    "key 5": lambda good: re.sub(rb'"key": "[^"]*"', b'"key": 5', good, count=1),
    "size a string": lambda good: good.replace(b'"size": ', b'"size": "1', 1).replace(b',\n   "mtime_ns"', b'",\n   "mtime_ns"', 1),
    "a source that is a number": lambda good: good.replace(b'"sources": [', b'"sources": [5, ', 1),
    "warnings true": lambda good: good.replace(b'"warnings": 0', b'"warnings": true', 1),
    "an article row that is a list": lambda good: json.dumps({**json.loads(good), "articles": {"kept": [1]}}).encode(),
    "a skipped row without its reason": lambda good: json.dumps(
        {**json.loads(good), "skipped": {"x.bin": {"size": 1, "mtime_ns": 1}}}).encode(),
}


@pytest.mark.parametrize("damage", sorted(DAMAGED_MANIFESTS))
def test_damaged_manifest_is_restored_from_its_copy(app_paths, tmp_path, damage):
    write(tmp_path / "s" / "a.txt", "= Kept =\nx\n")
    Library(app_paths).add_sources([tmp_path / "s"])
    good = app_paths.manifest.read_bytes()
    damaged = DAMAGED_MANIFESTS[damage](good)
    assert damaged != good
    app_paths.manifest.write_bytes(damaged)
    lib = Library(app_paths)
    lib.rescan()
    assert lib.sources() == [str(tmp_path / "s")] and lib.has_article("kept")
    assert len(lib.messages) == 1 and "restored from library.json.bak" in lib.messages[0]
    assert [p.read_bytes() for p in app_paths.data_dir.glob("library.json.corrupt-*")] == [damaged]
    assert json.loads(app_paths.manifest.read_text()) == json.loads(good)


def test_damaged_manifest_and_copy_reset_with_a_notice(app_paths, tmp_path, capsys):
    from reader.cli import main

    write(tmp_path / "s" / "a.txt", "= Kept =\nx\n")
    Library(app_paths).add_sources([tmp_path / "s"])
    app_paths.manifest.write_bytes(b'{"format": "lectern-library", "version": 1e400}')
    app_paths.manifest.with_name("library.json.bak").write_bytes(b"[" * 100_000)
    assert main(["--data-dir", str(app_paths.data_dir), "list"]) == 0
    out, err = capsys.readouterr()
    assert f"{SEED_ID}  " in out and "Traceback" not in err
    assert err.count("\n") == 1 and "being rebuilt from the bundled content" in err


@pytest.fixture
def unwritable_data_dir(app_paths, monkeypatch):
    """The data folder as another user sees it after ``chmod -R go-w``: nothing can be created in it.

    Tests run as root here, where permissions do not stop writes, so the two ways
    the library writes there (the lock file, the manifest) fail as they would.
    """
    import reader.filelock as filelock

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    real_open = open
    monkeypatch.setattr(filelock, "open", lambda path, mode="r", *a, **k: refuse() if "a" in mode or "w" in mode
                        else real_open(path, mode, *a, **k), raising=False)
    monkeypatch.setattr(library_module, "atomic_write_text", refuse)
    return app_paths


def test_read_only_data_folder_reads_and_rescans_and_saves_nothing(app_paths, tmp_path, request):
    write(tmp_path / "s" / "a.txt", "= A =\nx\n")
    Library(app_paths, include_bundled=False).add_sources([tmp_path / "s"])
    (app_paths.data_dir / ".library.lock").unlink()
    before = app_paths.manifest.read_bytes()
    request.getfixturevalue("unwritable_data_dir")
    write(tmp_path / "s" / "b.txt", "= B =\ny\n")
    lib = Library(app_paths, include_bundled=False)
    report = lib.rescan()
    assert [a.id for a in report.added] == ["b"] and [a.id for a in lib.articles()] == ["a", "b"]
    assert lib.read_only and len(lib.messages) == 1
    assert "cannot be written (Permission denied); the library is read-only" in lib.messages[0]
    assert app_paths.manifest.read_bytes() == before
    with pytest.raises(LecternError, match=r"^cannot add .*: the data folder .* cannot be written"):
        lib.add_sources([tmp_path / "s"])


def test_read_only_data_folder_commands_print_one_line(unwritable_data_dir, tmp_path, capsys):
    from reader.cli import main

    data = ["--data-dir", str(unwritable_data_dir.data_dir)]
    assert main(data + ["list"]) == 0
    out, err = capsys.readouterr()
    assert f"{SEED_ID}  " in out and err.count("\n") == 1 and err.startswith("lectern: warning: the data folder")
    assert main(data + ["show", SEED_ID]) == 0
    assert main(data + ["add", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines()[-1].startswith("lectern: error: cannot add") and "Traceback" not in err


def test_adding_an_empty_folder_is_saved_so_later_articles_appear(app_paths, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    Library(app_paths, include_bundled=False).rescan()  # the manifest exists already
    Library(app_paths, include_bundled=False).add_sources([folder])
    write(folder / "later.txt", "= Later =\nx\n")
    lib = Library(app_paths, include_bundled=False)
    assert lib.sources() == [str(folder)]
    assert [a.id for a in lib.rescan().added] == ["later"]


def test_removing_an_empty_folder_is_saved(app_paths, tmp_path):
    folder = tmp_path / "empty"
    folder.mkdir()
    Library(app_paths, include_bundled=False).add_sources([folder])
    Library(app_paths, include_bundled=False).remove_sources([folder])
    assert Library(app_paths, include_bundled=False).sources() == []


def test_files_named_directly_follow_the_folder_rules(no_bundled, tmp_path):
    named = [write(tmp_path / n, t) for n, t in (("notes.json", "{}"), ("README.md", "# About\n"),
                                                  ("dev.sh", "echo\n"), ("real.md", "# Real\n"))]
    report = no_bundled.add_sources(named)
    assert [a.title for a in report.added] == ["Real"]
    reasons = {s.path.rsplit("/", 1)[1]: s.reason for s in report.skipped}
    assert reasons == {
        "notes.json": "not an article file (suffix .json; articles end in .markdown, .md, .text, .txt, .wiki)",
        "README.md": "README.md describes a folder (README, LICENSE...), it is not an article",
        "dev.sh": "not an article file (suffix .sh; articles end in .markdown, .md, .text, .txt, .wiki)",
    }


def test_fingerprints_leave_out_the_bundled_articles_a_library_hides(app_paths, tmp_path):
    write(tmp_path / "s" / "a.txt", "= Kept =\nx\n")
    Library(app_paths).add_sources([tmp_path / "s"])
    shown, hiding = Library(app_paths), Library(app_paths, include_bundled=False)
    opened = shown.fingerprints(), hiding.fingerprints()  # read from the manifest's rows
    shown.articles(), hiding.articles()  # the entries are built now
    assert (shown.fingerprints(), hiding.fingerprints()) == opened
    assert SEED_ID in opened[0] and "kept" in opened[0]
    assert opened[1] == {"kept": opened[0]["kept"]}


@pytest.mark.parametrize("name", ["a.", "a.txt", "A.TXT", ".txt", "notes", "README.md", "readme.txt", "x.tar.gz",
                                  "Licence.MD", "page.markdown", "dir/sub/AUTHORS.txt", "a.b.md", "x.json"])
def test_the_article_file_rule_reads_names_as_paths_do(name):
    """The scan checks names as strings (fast); the answer is the one ``Path.suffix``/``Path.stem`` give."""
    from pathlib import Path

    path = Path(name)
    suffix = path.suffix.lower()
    expected_article = suffix in library_module.ARTICLE_SUFFIXES and path.stem.lower() not in library_module.METADATA_STEMS
    reason = library_module.not_an_article_reason(name)
    assert (reason is None) == expected_article
    assert reason == library_module.not_an_article_reason(path)
    if reason and not suffix:
        assert "no suffix" in reason
