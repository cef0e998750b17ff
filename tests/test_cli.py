"""The CLI over the facade: JSON shapes, readable output, exit codes."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from reader import __version__
from reader.cli import main

from .conftest import DATA, SEED_ID


@pytest.fixture
def run(tmp_path, capsys):
    data_dir = tmp_path / "data"

    def run(*args):
        code = main(["--data-dir", str(data_dir), *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_show_json_of_the_seed(run):
    code, out, _ = run("show", SEED_ID, "--json")
    data = json.loads(out)
    assert code == 0
    assert data["id"] == SEED_ID and data["title"] == "2023 Azerbaijani offensive in Nagorno-Karabakh"
    assert len(data["infobox"]) == 12 and data["infobox"][0] == ["Conflict", "Azerbaijani offensive in Nagorno-Karabakh"]
    sections = data["sections"]
    assert len(sections) == 34 and max(s["level"] for s in sections) == 5
    assert sections[0]["level"] == 1 and sections[0]["path"] == []
    assert sum(line.startswith("- ") for s in sections for line in s["text"].split("\n")) == 40
    diaspora = next(s for s in sections if s["title"] == "Armenian diaspora")
    assert diaspora["path"] == ["International aspects", "Reactions", "Armenia", "Armenian diaspora"]
    see_also = sections[-1]
    assert see_also["title"] == "See also" and see_also["text"].count("\n- ") == 3
    assert data["warnings"] == []


def test_show_readable(run):
    code, out, _ = run("show", SEED_ID)
    assert code == 0 and "==== Turkey" not in out
    assert "#### Turkey   [international-aspects/foreign-involvement/turkey]" in out
    assert "Casualties1  192 killed, 511 wounded" in out


def test_add_then_list_json(run, shared_content):
    code, out, err = run("--no-bundled", "add", shared_content / "wikibooks-be")
    assert code == 0 and out.startswith("65 added") and err == ""
    code, out, _ = run("--no-bundled", "list", "--json")
    listed = json.loads(out)
    assert len(listed) == 65 and set(listed[0]) == {"id", "title", "path", "sections"}
    assert len({a["id"] for a in listed}) == 65


def test_add_reports_each_skipped_file(run, tmp_path):
    folder = tmp_path / "mixed"
    shutil.copytree(DATA / "wikibooks", folder)
    (folder / "bin.txt").write_bytes(b"\x00\x01")
    (folder / "empty.txt").write_text("")
    (folder / "bad.txt").write_bytes(b"= Bad =\n\xff\n")
    code, out, err = run("--no-bundled", "add", folder)
    assert code == 0 and out.startswith("4 added")
    assert f"skipped {folder / 'bin.txt'}: binary file" in err
    assert f"skipped {folder / 'empty.txt'}: empty file" in err
    _, out, _ = run("--no-bundled", "list")
    assert "Bad" in out and out.strip().endswith("4 articles")


def test_remove_and_rescan(run, tmp_path):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "a.txt").write_text("= Alpha =\nx\n")
    run("add", folder)
    (folder / "a.txt").write_text("= Alpha =\nchanged\n")
    code, out, _ = run("rescan")
    assert code == 0 and out.startswith("0 added, 1 updated")
    code, out, _ = run("remove", folder)
    assert code == 0 and "1 removed" in out
    _, out, _ = run("list", "--json")
    assert [a["id"] for a in json.loads(out)] == [SEED_ID]


def test_user_errors_exit_1_without_traceback(run, tmp_path):
    code, _, err = run("show", "no-such-article")
    assert code == 1 and err == "lectern: error: no article with id 'no-such-article'\n"
    code, _, err = run("add", tmp_path / "missing")
    assert code == 1 and "no such file or folder" in err and "Traceback" not in err


def test_usage_errors_exit_2(run):
    with pytest.raises(SystemExit) as exc:
        run("frobnicate")
    assert exc.value.code == 2


def test_version_and_module_entry_point(tmp_path):
    out = subprocess.run([sys.executable, "-m", "reader", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == f"lectern {__version__}"
    out = subprocess.run(
        [sys.executable, "-m", "reader", "--data-dir", str(tmp_path), "show", "x"], capture_output=True, text=True
    )
    assert out.returncode == 1 and "Traceback" not in out.stderr


def test_unknown_option_without_command_is_a_usage_error(run):
    with pytest.raises(SystemExit) as exc:
        run("--frobnicate")
    assert exc.value.code == 2


def test_no_display_gives_a_clear_error_instead_of_a_qt_abort(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    out = subprocess.run([sys.executable, "-m", "reader", "--data-dir", str(tmp_path)], capture_output=True, text=True, env=env)
    assert out.returncode == 1
    assert out.stderr.startswith("lectern: error: no graphical display") and "lectern --help" in out.stderr


def test_paths_without_a_command_go_to_the_window(tmp_path, monkeypatch):
    import reader.cli as cli

    article = tmp_path / "a.txt"
    article.write_text("= A =\nx\n")
    seen = []
    monkeypatch.setattr(cli, "_run_gui", lambda args, extra: seen.append((args.data_dir, args.no_bundled, extra)) or 0)
    assert main(["--data-dir", str(tmp_path / "d"), "--no-bundled", str(article), str(tmp_path)]) == 0
    assert seen == [(str(tmp_path / "d"), True, [str(article), str(tmp_path)])]


def test_a_mistyped_command_is_still_a_usage_error(run):
    with pytest.raises(SystemExit) as exc:
        run("serch", "ceasefire")
    assert exc.value.code == 2


@pytest.mark.parametrize("make_bad", [lambda tmp: tmp / "a-file", lambda tmp: tmp / "a-file" / "below"])
def test_unusable_data_dir_is_a_user_error(tmp_path, capsys, make_bad):
    (tmp_path / "a-file").write_text("")
    code = main(["--data-dir", str(make_bad(tmp_path)), "list"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("lectern: error: cannot use ") and "Traceback" not in err


@pytest.mark.parametrize("command", [["list"], []])
def test_empty_data_dir_is_a_one_line_error(command, capsys, monkeypatch):
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert main(["--data-dir", "", *command]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "lectern: error: --data-dir needs a folder name (it was empty); omit it to use the per-user folders\n"


def test_files_named_directly_are_skipped_with_the_reason(run, tmp_path):
    for name in ("notes.json", "README.md", "dev.sh"):
        (tmp_path / name).write_text("x\n", encoding="utf-8")
    code, out, err = run("--no-bundled", "add", *(tmp_path / n for n in ("notes.json", "README.md", "dev.sh")))
    assert code == 0 and out == "0 added, 0 updated, 0 moved, 0 removed, 0 unchanged, 3 skipped\n"
    assert f"skipped {tmp_path / 'dev.sh'}: not an article file (suffix .sh;" in err
    assert f"skipped {tmp_path / 'README.md'}: README.md describes a folder" in err


def test_index_rebuild_counts_one_note_in_the_singular(run):
    assert run("notes", "add", SEED_ID, "--section", "background", "--text", "one note")[0] == 0
    code, out, _ = run("index", "--rebuild")
    assert code == 0 and ", 1 note indexed, 0 notes removed in " in out
