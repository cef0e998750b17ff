"""The packaged app: build.spec builds dist/lectern/, which passes its self-test under `env -i`.

Slow (a PyInstaller build, ~15-60 s): `pytest -m "not slow"` skips it; `./dev.sh test`
and CI run it. Everything is built into and run from temp dirs; the repo's own
build/ and dist/ are not touched.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader import __version__

from ..conftest import REPO
from .test_selftest import assert_every_check_passed

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the frozen test runs the Linux build"),
]

# Back to 150 MB (MiB, as `du -sm`) with libzim, lxml.etree and rapidfuzz: build.spec leaves out
# OpenSSL, rapidfuzz's AVX2 builds, readline and the debugging modules (docs/packaging.md).
SIZE_BUDGET_MB = 150
PLATFORM_PLUGINS = {"libqxcb.so", "libqoffscreen.so", "libqminimal.so"}
# Archive pages show PNG and BMP (built into QtGui) and these (reader.sources.zim_search.IMAGE_TYPES).
IMAGE_PLUGINS = {"libqjpeg.so", "libqgif.so", "libqwebp.so", "libqsvg.so"}


@pytest.fixture(scope="module")
def frozen(tmp_path_factory) -> Path:
    """Build with build.spec once for the module; return the dist/lectern folder."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.fail("PyInstaller is missing: ./dev.sh test installs it (.[build]); skip with -m 'not slow'")
    root = tmp_path_factory.mktemp("frozen")
    result = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(root / "dist"), "--workpath", str(root / "work"), str(REPO / "build.spec")],
        cwd=root, capture_output=True, text=True, timeout=1200,
        env=_env_without_home_writes(root),
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return root / "dist" / "lectern"


def _env_without_home_writes(root: Path) -> dict:
    return dict(os.environ, PYINSTALLER_CONFIG_DIR=str(root / "pyinstaller-cache"))


def run_bare(frozen: Path, home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the executable with nothing but a UTF-8 locale and a (temp) HOME: no venv, no user setup."""
    home.mkdir(exist_ok=True)
    command = ["env", "-i", "LANG=C.UTF-8", f"HOME={home}", str(frozen / "lectern"), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


def test_self_test_passes_in_a_bare_environment(frozen, tmp_path):
    home = tmp_path / "home"
    result = run_bare(frozen, home, "self-test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(frozen," in result.stdout.splitlines()[0]
    assert_every_check_passed(result.stdout)
    assert "'Asagi Ayrim' and 'Aşağı Ayrım' both find" in result.stdout
    assert "main window" in result.stdout and "open, icon set, 6 archive images shown" in result.stdout
    # The generic rapidfuzz build, the one every x86-64 CPU runs: the AVX2 builds are left out.
    assert "an edited quote found again (rapidfuzz.fuzz_cpp)" in result.stdout
    assert list(home.iterdir()) == [], "the self-test wrote under HOME"


def test_version_matches_the_package(frozen, tmp_path):
    result = run_bare(frozen, tmp_path / "home", "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"lectern {__version__}"


def test_portable_mode_keeps_data_beside_the_executable(frozen, tmp_path):
    home = tmp_path / "home"
    marker = frozen / "portable"
    marker.touch()
    try:
        result = run_bare(frozen, home, "list")
    finally:
        marker.unlink()
    assert result.returncode == 0, result.stderr
    assert "2023 Azerbaijani offensive in Nagorno-Karabakh" in result.stdout
    assert (frozen / "lectern-data" / "library.json").is_file()
    assert list(home.iterdir()) == []


def test_size_is_within_budget_and_the_needed_plugins_are_kept(frozen):
    size = sum(p.stat().st_size for p in frozen.rglob("*") if p.is_file() and not p.is_symlink())
    assert size <= SIZE_BUDGET_MB * 1024 * 1024, f"{size / 2**20:.1f} MB"
    plugins = frozen / "_internal" / "PySide6" / "Qt" / "plugins"
    assert PLATFORM_PLUGINS <= {p.name for p in (plugins / "platforms").iterdir()}
    assert any((plugins / "xcbglintegrations").iterdir())
    assert (plugins / "iconengines" / "libqsvgicon.so").is_file()  # the SVG window icon
    assert IMAGE_PLUGINS <= {p.name for p in (plugins / "imageformats").iterdir()}
    assert not (frozen / "_internal" / "PySide6" / "Qt" / "translations").exists()
    assert (frozen / "_internal" / "content").is_dir() and (frozen / "_internal" / "resources" / "icons").is_dir()
