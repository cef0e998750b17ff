"""File menu: export and import notes (Markdown, Lectern JSON, W3C Web Annotation).

    export_notes(parent, library)                      # asks for a file (non-modal dialog)
    export_notes(parent, library, path, fmt="json")    # no dialog (tests, scripts)
    import_notes(parent, library, path)

The format follows the dialog's filter, else the file name (``.md`` Markdown,
``.jsonld`` W3C, ``.json`` Lectern JSON). The store does the work
(``store.export_notes`` / ``store.import_notes``, docs/data-model.md) in a
worker; the file is written atomically with the permissions the umask gives a
new file (``exchange.write_export``); the outcome reaches the user through
:mod:`reader.gui.messages`. ``on_done(result)`` runs on the GUI thread after
success (the written path, or the :class:`ImportReport`). An import can be
undone (Ctrl+Z: its notes go to the trash, its bookmarks are removed).

Both dialogs open in the folder last used for notes (remembered in the
settings file, ``notes/last_folder``), else in Documents.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QFileDialog, QWidget

from ..errors import LecternError
from ..userdata.exchange import write_export
from .messages import show_info
from .undo import history_for
from .workers import run_in_background

# format -> (file-dialog filter, default suffix)
FORMATS = {
    "markdown": ("Markdown for people, Obsidian, Logseq (*.md)", ".md"),
    "json": ("Lectern JSON: notes and bookmarks, lossless (*.json)", ".json"),
    "w3c": ("W3C Web Annotation JSON-LD (*.jsonld *.json)", ".jsonld"),
}
IMPORT_FILTER = "Lectern JSON or W3C annotations (*.json *.jsonld);;All files (*)"
LAST_FOLDER_KEY = "notes/last_folder"

Done = Callable[[object], None] | None


def format_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".md", ".markdown", ".txt"):
        return "markdown"
    return "w3c" if suffix == ".jsonld" else "json"


def export_notes(parent: QWidget | None, library, path: str | Path | None = None, fmt: str | None = None,
                 on_done: Done = None, note_ids=None):
    """Export every note (and, in JSON, the bookmarks) to ``path``, asking for it when None.

    ``note_ids``: only these notes (All notes' current filter), no bookmarks.
    Returns the running task, or the open file dialog when a path was asked for.
    """
    if path is None:
        return _ask(parent, library, "Export notes", QFileDialog.AcceptMode.AcceptSave,
                    ";;".join(f for f, _ in FORMATS.values()),
                    lambda chosen, selected: export_notes(parent, library, chosen, _format_of_filter(selected),
                                                          on_done, note_ids),
                    default_name="lectern-notes" + FORMATS[fmt or "markdown"][1])
    target = Path(path)
    fmt = fmt or format_for(target)
    if fmt not in FORMATS:
        raise LecternError(f"unknown export format {fmt!r} (use markdown, json or w3c)")

    def work() -> Path:
        text = library.store.export_notes(fmt, note_ids=note_ids)
        try:
            write_export(target, text)
        except OSError as exc:
            raise LecternError(f"cannot write {target}: {exc.strerror or exc}") from None
        return target

    def done(written: Path) -> None:
        show_info(f"Notes exported to {written}")
        if on_done:
            on_done(written)

    return run_in_background(work, on_result=done)


def import_notes(parent: QWidget | None, library, path: str | Path | None = None, on_done: Done = None):
    """Import a Lectern JSON or W3C file; notes already present are skipped (importing twice adds nothing)."""
    if path is None:
        return _ask(parent, library, "Import notes", QFileDialog.AcceptMode.AcceptOpen, IMPORT_FILTER,
                    lambda chosen, _selected: import_notes(parent, library, chosen, on_done))
    source = Path(path)

    def done(report) -> None:
        show_info(f"Imported {source.name}: {report} — Undo: Ctrl+Z")
        if on_done:
            on_done(report)

    return history_for(library).import_notes(str(source), on_done=done)


def notes_file_actions(parent: QWidget, library) -> list[QAction]:
    """"Export notes…" (Ctrl+Shift+E) and "Import notes…" (Ctrl+Shift+I) for the File menu."""
    export = QAction("&Export notes…", parent, shortcut=QKeySequence("Ctrl+Shift+E"))
    export.setStatusTip("Save all notes as Markdown, Lectern JSON or W3C annotations")
    export.triggered.connect(lambda: export_notes(parent, library))
    imported = QAction("&Import notes…", parent, shortcut=QKeySequence("Ctrl+Shift+I"))
    imported.setStatusTip("Add the notes and bookmarks of a Lectern JSON or W3C file")
    imported.triggered.connect(lambda: import_notes(parent, library))
    return [export, imported]


def _format_of_filter(name_filter: str) -> str | None:
    return next((fmt for fmt, (label, _) in FORMATS.items() if label == name_filter), None)


def last_folder(library) -> str:
    """The folder of the last notes file exported or imported, else Documents."""
    remembered = _settings(library).value(LAST_FOLDER_KEY, "", str)
    if remembered and Path(remembered).is_dir():
        return remembered
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)


def remember_folder(library, chosen_file: str | Path) -> None:
    settings = _settings(library)
    settings.setValue(LAST_FOLDER_KEY, str(Path(chosen_file).parent))
    settings.sync()


def _settings(library) -> QSettings:
    from .state import open_settings

    return open_settings(library.paths)


def _ask(parent, library, title: str, mode, filters: str, chosen: Callable[[str, str], object],
         default_name: str = "") -> QFileDialog:
    """A file dialog opened with ``open()``: the event loop keeps running while it is up."""
    dialog = QFileDialog(parent, title)
    dialog.setAcceptMode(mode)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile if mode == QFileDialog.AcceptMode.AcceptSave
                       else QFileDialog.FileMode.ExistingFile)
    dialog.setNameFilter(filters)
    dialog.setDirectory(last_folder(library))
    if default_name:
        dialog.selectFile(default_name)
        dialog.setDefaultSuffix(Path(default_name).suffix.lstrip("."))
        dialog.filterSelected.connect(lambda label: dialog.setDefaultSuffix(
            FORMATS.get(_format_of_filter(label) or "", ("", ".md"))[1].lstrip(".")))
    dialog.fileSelected.connect(lambda file: remember_folder(library, file))
    dialog.fileSelected.connect(lambda file: chosen(file, dialog.selectedNameFilter()))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
