"""``lectern self-test`` is quiet when all is well (issue 13, item 21), even with no locale at all."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from reader.gui.app import use_utf8_locale_when_unset

from .conftest import REPO


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the locale and offscreen messages are Linux's")
def test_self_test_under_a_bare_environment_prints_nothing_on_stderr(tmp_path):
    """Like ``env -i``: no LANG, no display. PYTHONCOERCECLOCALE=0 makes Python behave like a packaged build."""
    (tmp_path / "tmp").mkdir()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
           "TMPDIR": str(tmp_path / "tmp"), "PYTHONCOERCECLOCALE": "0"}
    result = subprocess.run([sys.executable, "-m", "reader", "self-test"], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    assert result.stdout.splitlines()[-1].startswith("self-test passed")


@pytest.mark.parametrize("environ, changed", [
    ({}, True),
    ({"LANG": "C"}, True),
    ({"LC_ALL": "POSIX", "LANG": "de_DE.UTF-8"}, True),
    ({"LANG": "de_DE.UTF-8"}, False),
    ({"LC_CTYPE": "C.UTF-8"}, False),
])
def test_utf8_locale_only_when_none_is_configured(environ, changed, monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    before = dict(environ)
    assert use_utf8_locale_when_unset(environ) is changed
    assert environ == (dict(before, LC_ALL="C.UTF-8") if changed else before)
