"""The layering rules of docs/architecture.md, checked on the source text."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reader"


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules_importing(top_level: str) -> list[str]:
    return sorted(
        str(path.relative_to(PACKAGE.parent))
        for path in PACKAGE.rglob("*.py")
        if any(name == top_level or name.startswith(top_level + ".") for name in _imported_modules(path))
    )


@pytest.mark.parametrize(
    "library, owner",
    [("PySide6", "reader/gui/"), ("whoosh", "reader/search/"), ("sqlite3", "reader/userdata/"), ("libzim", "reader/sources/")],
)
def test_only_the_owner_imports(library, owner):
    offenders = [m for m in _modules_importing(library) if not m.startswith(owner)]
    assert offenders == [], f"{library} may only be imported under {owner}"


def test_the_checker_sees_imports(tmp_path):
    """Guard the guard: the AST walk finds both import forms, nested in functions too."""
    sample = tmp_path / "m.py"
    sample.write_text("def f():\n    from PySide6.QtWidgets import QWidget\nimport whoosh.index\n")
    assert _imported_modules(sample) == {"PySide6.QtWidgets", "whoosh.index"}


def test_core_import_does_not_load_qt_or_whoosh():
    """Importing the facade and the CLI must not pull in Qt or Whoosh (start-up cost)."""
    import subprocess
    import sys

    code = (
        "import sys, reader.library, reader.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'whoosh')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
