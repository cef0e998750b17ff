"""``dev.sh``: one install serves both commands (issue 13, item 25).

Runs a copy of the script in a temp dir whose ``.venv/bin/python`` is a stub
that logs its arguments, with a ``dpkg`` stub that reports every system package
installed: nothing is installed for real, only what dev.sh would do is recorded.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32" or not shutil.which("bash"), reason="dev.sh is a bash script")

STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "{log}"
exit 0
"""


def stub(path: Path, log: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(STUB.format(log=log))
    path.chmod(0o755)


@pytest.fixture
def checkout(tmp_path):
    root = tmp_path / "checkout"
    root.mkdir()
    shutil.copy2(REPO / "dev.sh", root / "dev.sh")
    shutil.copy2(REPO / "pyproject.toml", root / "pyproject.toml")
    log = tmp_path / "log"
    for name in ("python", "lectern"):
        stub(root / ".venv" / "bin" / name, log)
    stub(tmp_path / "bin" / "dpkg", tmp_path / "dpkg.log")
    env = dict(os.environ, PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}")

    def run(*args: str) -> list[str]:
        log.write_text("")
        subprocess.run(["bash", str(root / "dev.sh"), *args], check=True, env=env, timeout=60)
        return [line for line in log.read_text().splitlines() if " -m pip --version" not in line]

    return run


def test_run_after_test_does_not_install_again(checkout):
    assert checkout("test", "-q") == [
        "python -m pip install -q --upgrade pip",
        "python -m pip install -q -e .[test,build]",
        "python -m pytest -q",
    ]
    assert checkout("run", "--version") == ["lectern --version"]
    assert checkout("test", "-q") == ["python -m pytest -q"]


def test_run_alone_installs_the_app_once(checkout):
    assert checkout("run") == ["python -m pip install -q --upgrade pip", "python -m pip install -q -e .", "lectern "]
    assert checkout("run") == ["lectern "]
