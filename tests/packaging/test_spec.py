"""build.spec must not leave out a Qt module the app imports (the frozen app would fail on that import)."""

from __future__ import annotations

import ast

from ..conftest import REPO


def _spec_list(name: str) -> list[str]:
    tree = ast.parse((REPO / "build.spec").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"build.spec has no {name} list")


def _qt_modules_imported_by_the_app() -> set[str]:
    found = set()
    for path in (REPO / "reader").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("PySide6."):
                found.add(".".join(node.module.split(".")[:2]))
            elif isinstance(node, ast.Import):
                found.update(".".join(a.name.split(".")[:2]) for a in node.names if a.name.startswith("PySide6."))
    return found


def test_no_imported_qt_module_is_excluded():
    imported = _qt_modules_imported_by_the_app()
    assert {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets"} <= imported  # the scan works
    assert imported.isdisjoint(_spec_list("EXCLUDES")), "build.spec excludes a Qt module the app imports"


def test_no_imported_qt_module_loses_its_library():
    libraries = {"Qt6" + module.split(".Qt")[1] for module in _qt_modules_imported_by_the_app()}
    dropped = set(_spec_list("DROP_LIBRARIES"))
    assert libraries.isdisjoint(dropped), "build.spec drops the shared library of a Qt module the app imports"
