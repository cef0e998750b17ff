"""Fixtures shared by the whole suite.

* Qt runs offscreen (set before anything imports Qt).
* HOME and the XDG directories point at a session-wide fake home; a test that
  writes anything there fails (user data must only go where paths.py says).
* ``app_paths`` gives every test its own data/cache/config dirs under tmp_path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ.pop("LECTERN_DATA_DIR", None)
_FAKE_HOME = Path(tempfile.mkdtemp(prefix="lectern-fake-home-"))
for _var, _sub in (("HOME", ""), ("XDG_DATA_HOME", ".local/share"), ("XDG_CACHE_HOME", ".cache"), ("XDG_CONFIG_HOME", ".config")):
    os.environ[_var] = str(_FAKE_HOME / _sub) if _sub else str(_FAKE_HOME)
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="lectern-runtime-"))
os.chmod(os.environ["XDG_RUNTIME_DIR"], 0o700)

from reader.library import Library  # noqa: E402
from reader.paths import AppPaths, bundle_root  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SHARED_CONTENT = REPO.parent / "shared" / "content"
SEED_ID = "2023-azerbaijani-offensive-in-nagorno-karabakh"
SEED_FILE = REPO / "content" / "2023 Azerbaijani offensive in Nagorno-Karabakh.txt"


def _home_listing() -> list[str]:
    return sorted(str(p.relative_to(_FAKE_HOME)) for p in _FAKE_HOME.rglob("*"))


@pytest.fixture(autouse=True)
def _home_guard():
    """Fail any test that writes under the (fake) home directory."""
    before = _home_listing()
    yield
    after = _home_listing()
    written = sorted(set(after) - set(before))
    for name in written:
        target = _FAKE_HOME / name
        if target.exists():
            shutil.rmtree(target) if target.is_dir() else target.unlink()
    assert not written, f"test wrote under the home directory: {written}"


@pytest.fixture
def app_paths(tmp_path) -> AppPaths:
    root = tmp_path / "lectern"
    return AppPaths(root / "data", root / "cache", root / "config", bundle_root()).ensure()


@pytest.fixture
def library(app_paths) -> Library:
    """A library with the bundled seed article, scanned."""
    lib = Library(app_paths)
    lib.rescan()
    yield lib
    lib.close()


@pytest.fixture
def shared_content() -> Path:
    """The workplace's sample content beside the repo; tests that need all of it skip without it."""
    if not SHARED_CONTENT.is_dir():
        pytest.skip("../shared/content is not present")
    return SHARED_CONTENT
