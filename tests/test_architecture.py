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


def _absolute_imports(path: Path, root: Path = PACKAGE.parent) -> set[str]:
    """Every module ``path`` imports, relative imports resolved (``from ..library import X`` -> ``reader.library``)."""
    package = list(path.relative_to(root).parent.parts)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)  # ``from .. import library``
    return names


UPWARD = ("reader.library", "reader.coordinator")


@pytest.mark.parametrize("lower", ["search", "userdata"])
def test_search_and_userdata_never_import_the_library_or_the_coordinator(lower):
    """Changes flow one way (issue 9): the coordinator calls these packages with their inputs, never the reverse."""
    offenders = sorted(
        f"{path.relative_to(PACKAGE.parent)}: {name}"
        for path in (PACKAGE / lower).rglob("*.py")
        for name in _absolute_imports(path)
        if any(name == up or name.startswith(up + ".") for up in UPWARD)
    )
    assert offenders == []


def test_the_upward_checker_resolves_relative_imports(tmp_path):
    """Guard the guard: each way of reaching the library from reader/search/ is seen."""
    sample = tmp_path / "reader" / "search" / "sample.py"
    sample.parent.mkdir(parents=True)
    sample.write_text("def f():\n    from ..library import Library\nfrom .. import coordinator\nimport reader.library\n")
    found = _absolute_imports(sample, root=tmp_path)
    assert {"reader.library", "reader.coordinator", "reader.library.Library"} <= found


SQL_INFRASTRUCTURE = {"db.py", "opening.py", "migrations.py", "backups.py"}  # connections, schema, copies


def test_every_query_of_the_notes_database_is_in_records():
    """The store, re-anchoring and export/import orchestration call query functions of records.py, never SQL."""
    offenders = sorted(
        path.name for path in (PACKAGE / "userdata").glob("*.py")
        if path.name not in SQL_INFRASTRUCTURE | {"records.py"} and ".execute(" in path.read_text(encoding="utf-8")
    )
    assert offenders == []
