"""`lectern self-test`: the report, the exit status, and that it only ever writes to a temp dir."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import pytest

from pathlib import Path

from reader import selftest
from reader.paths import AppPaths, bundle_root
from reader.selftest import CheckFailed, Context, run_self_test

CHECK_NAMES = ["bundle", "content", "index", "search", "accents", "user data", "note search", "archive",
               "archive search", "fuzzy", "window"]


def assert_every_check_passed(stdout: str) -> None:
    """The report of a full run: one ✓ line per check, in order, then the verdict."""
    lines = stdout.splitlines()
    assert [line.split("  ")[0][2:].strip() for line in lines[1:-1]] == CHECK_NAMES, stdout
    assert all(line.startswith("✓") for line in lines[1:-1]), stdout
    assert lines[-1].startswith(f"self-test passed: {len(CHECK_NAMES)} checks"), stdout


def _passing(ctx: Context) -> str:
    return "fine"


def _failing(ctx: Context) -> str:
    raise CheckFailed("the thing is broken")


def _crashing(ctx: Context) -> str:
    raise ImportError("No module named 'reader.search'")


def _run(checks, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    return run_self_test(out, checks=checks, **kwargs), out.getvalue()


def test_all_passing_checks_exit_zero_with_one_line_each():
    code, report = _run([("one", _passing, ()), ("two", _passing, ("one",))])
    lines = report.splitlines()
    assert code == 0
    assert lines[1].startswith("✓ one") and "fine" in lines[1] and lines[1].endswith("ms)")
    assert lines[2].startswith("✓ two")
    assert lines[-1].startswith("self-test passed: 2 checks")


def test_a_failure_exits_non_zero_with_the_reason_and_skips_what_depends_on_it():
    code, report = _run([("one", _failing, ()), ("two", _passing, ("one",)), ("three", _passing, ())])
    assert code == 1
    assert re.search(r"^✗ one +the thing is broken  \(\d+ ms\)$", report, re.M)
    assert re.search(r"^– two +not run: needs one$", report, re.M)
    assert "✓ three" in report
    assert report.splitlines()[-1].startswith("self-test FAILED: one, two (1 of 3 passed")


def test_a_missing_part_is_reported_not_raised():
    code, report = _run([("index", _crashing, ())])
    assert code == 1
    assert re.search(r"^✗ index +part of the app is missing: No module named 'reader.search'", report, re.M)


def test_a_failure_to_close_the_library_is_a_failed_check(monkeypatch):
    def broken_close(self):
        raise OSError("disk gone")

    monkeypatch.setattr(Context, "close", broken_close)
    code, report = _run([("one", _passing, ())])
    assert code == 1
    assert re.search(r"^✗ clean-up +closing the index and database: OSError: disk gone", report, re.M)


def test_each_line_is_written_as_its_check_finishes():
    out = io.StringIO()

    def peek(ctx: Context) -> str:
        assert "✓ one" in out.getvalue()  # the first line is out before the second check starts
        return "saw it"

    assert run_self_test(out, checks=[("one", _passing, ()), ("two", peek, ())]) == 0


def test_plain_marks_where_the_console_cannot_print_check_marks():
    out = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    assert run_self_test(out, checks=[("one", _passing, ()), ("two", _failing, ())]) == 1
    out.seek(0)
    report = out.read()
    assert "ok   one" in report and "FAIL two" in report


def test_everything_goes_in_a_temp_dir_that_is_removed(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    seen = {}

    def look(ctx: Context) -> str:
        seen["root"], seen["paths"] = ctx.root, ctx.paths
        return "ok"

    assert _run([("look", look, ())])[0] == 0
    paths = seen["paths"]
    assert seen["root"].parent == tmp_path
    assert all(seen["root"] in p.parents for p in (paths.data_dir, paths.cache_dir, paths.config_dir))
    assert list(tmp_path.iterdir()) == []


def test_keep_leaves_the_temp_dir_and_says_where(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    code, report = _run([("one", _passing, ())], keep=True)
    kept = next(tmp_path.iterdir())
    assert code == 0 and f"kept the temp dir {kept}" in report


@pytest.mark.parametrize(
    "environ, expected, platform",
    [
        ({}, "offscreen", "offscreen"),
        ({"DISPLAY": ":0"}, None, None),
        ({"WAYLAND_DISPLAY": "wayland-0"}, None, None),
        ({"QT_QPA_PLATFORM": "minimal"}, "minimal", "minimal"),
    ],
)
def test_offscreen_only_without_a_display(environ, expected, platform, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert selftest.use_offscreen_without_display(environ) == expected
    assert environ.get("QT_QPA_PLATFORM") == platform


def test_the_real_command_passes_and_leaves_user_data_alone(tmp_path):
    """The whole self-test from source, in a subprocess (it makes its own QApplication)."""
    user_data = tmp_path / "user-data"
    env = dict(os.environ, LECTERN_DATA_DIR=str(user_data), TMPDIR=str(tmp_path / "tmp"))
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    (tmp_path / "tmp").mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "reader", "self-test"], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert_every_check_passed(result.stdout)
    assert "'Asagi Ayrim' and 'Aşağı Ayrım' both find 'aftermath/ceasefire-violations'" in result.stdout
    assert not user_data.exists()
    assert list((tmp_path / "tmp").iterdir()) == []


# ---------------------------------------------------------------- the checks that guard what build.spec leaves out


def test_the_fuzzy_check_fails_when_rapidfuzz_runs_its_python_fallback(monkeypatch):
    """Without its compiled modules rapidfuzz quietly imports rapidfuzz.fuzz_py: still correct, far slower."""
    from rapidfuzz import fuzz_py

    monkeypatch.setattr("reader.userdata.fuzzy.fuzz", fuzz_py)
    with pytest.raises(CheckFailed, match=r"pure-Python fallback \(rapidfuzz.fuzz_py\)"):
        selftest.check_fuzzy(Context(Path("unused"), None))


def test_the_archive_search_check_fails_when_the_full_text_index_finds_nothing(monkeypatch, tmp_path):
    """The word is in the page's body only: the title index cannot stand in for a full-text search that fails."""
    monkeypatch.setattr("reader.sources.zim_archive.ZimArchive.search", lambda self, query, limit=10: [])
    ctx = Context(tmp_path, AppPaths(tmp_path / "data", tmp_path / "cache", tmp_path / "config", bundle_root()).ensure())
    try:
        with pytest.raises(CheckFailed, match="did not find .* through the archive's full-text index"):
            selftest.check_archive_search(ctx)
    finally:
        ctx.close()


def test_the_archive_search_check_passes_on_the_bundled_archive(tmp_path):
    ctx = Context(tmp_path, AppPaths(tmp_path / "data", tmp_path / "cache", tmp_path / "config", bundle_root()).ensure())
    try:
        assert selftest.check_archive_search(ctx).endswith("1 link(s), 6 image(s) in its page")
    finally:
        ctx.close()
    assert ctx.archive_images == tuple(f"_assets_/otter.{kind}" for kind in ("png", "jpg", "gif", "webp", "bmp", "svg"))


def test_the_window_check_fails_for_an_image_qt_cannot_decode(qtbot, library, app_paths, tmp_path):
    """What a missing image plugin looks like: the page's image is not shown, and the check names it."""
    from reader.gui.selftest_window import WindowCheckFailed, render_main_window
    from tests.sources.pages import _PNG_1PX, write_archive

    page = ("<html><body><p>Otters.</p><figure><img src='a.png'><figcaption>A</figcaption></figure>"
            "<figure><img src='b.jpg'><figcaption>B</figcaption></figure></body></html>")
    path = write_archive(tmp_path / "otters.zim", [("Otter", "Otter", page)], name="otters", main="Otter",
                         indexing=False, files=[("a.png", "image/png", _PNG_1PX), ("b.jpg", "image/jpeg", b"not a JPEG")])
    library.add_sources([path])
    with pytest.raises(WindowCheckFailed, match=r"images not shown \(an image plugin missing\?\): b\.jpg$"):
        render_main_window(library, app_paths, image_page="zim:otters/Otter", images=["a.png", "b.jpg"])
