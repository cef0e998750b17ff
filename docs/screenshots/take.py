"""Retake the README screenshots under Xvfb.

    Xvfb :99 -screen 0 1280x800x24 -nolisten tcp &
    lectern --data-dir /tmp/shots-data add ARTICLES...   # e.g. the Wikibooks pages and the wikitext articles without <unk> in the title
    DISPLAY=:99 .venv/bin/python docs/screenshots/take.py /tmp/shots-data

Drives the real window (``create_main_window``) through a few states and grabs
the whole X screen with ImageMagick's ``import`` after each (no window manager,
so no title bars).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

SEED = "2023-azerbaijani-offensive-in-nagorno-karabakh"


def settle(app, seconds: float = 0.6) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def shoot(app, name: str) -> None:
    settle(app)
    subprocess.run(["import", "-window", "root", str(HERE / f"{name}.png")], check=True)
    print("wrote", HERE / f"{name}.png")


def main(data_dir: str) -> int:
    from PySide6.QtCore import QThreadPool

    from reader.gui.app import create_main_window, ensure_app
    from reader.library import Library
    from reader.paths import resolve

    app = ensure_app()
    paths = resolve(data_dir).ensure()
    library = Library(paths)
    library.rescan()
    window = create_main_window(library, paths)
    window.setGeometry(0, 0, 1280, 800)
    window.splitter.setSizes([270, 700])
    window.show()
    window.theme.update(theme="light", zoom=0, width="medium")
    window.open_article(SEED)
    window.update_index()
    QThreadPool.globalInstance().waitForDone(60_000)
    settle(app)
    window.docks["bookmarks_panel"].raise_()
    shoot(app, "main-light")

    window.open_article(SEED, "background")
    window.theme.update(theme="dark")
    window.docks["notes_panel"].raise_()
    shoot(app, "main-dark")

    window.theme.update(theme="sepia")
    window.find_bar.open_bar()
    window.find_bar.field.setText("Artsakh")
    shoot(app, "find-sepia")
    window.find_bar.close_bar()

    window.theme.update(theme="light")
    window.focus_search()
    window.search_panel.run_query("ceasefire agreement")
    QThreadPool.globalInstance().waitForDone(30_000)
    settle(app, 1.0)
    shoot(app, "search-results")

    window.docks["notes_panel"].raise_()
    window.open_article(SEED, "background")
    shoot(app, "notes-panel")

    window.close()
    QThreadPool.globalInstance().waitForDone(30_000)
    library.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/shots-data"))
