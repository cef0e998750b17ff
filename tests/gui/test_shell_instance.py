"""A second `lectern PATH` hands its paths to the window already running on the data dir."""

from __future__ import annotations

import os
import subprocess
import sys

from reader.gui.app import listen_for_other_instances
from reader.gui.instance import InstanceServer, hand_off

from tests.conftest import REPO

from .shell_support import WAIT_MS, article_file, window  # noqa: F401 - fixtures


def test_nobody_listening_means_no_hand_off(app_paths):
    assert not hand_off(app_paths, ["/tmp/x.txt"], timeout_ms=200)


_OTHER_PROCESS = """
import sys
from pathlib import Path
from reader.gui.instance import hand_off
from reader.paths import AppPaths, bundle_root
root = Path(sys.argv[1])
paths = AppPaths(root / "data", root / "cache", root / "config", bundle_root())
sys.exit(0 if hand_off(paths, sys.argv[2:]) else 3)
"""


def _other_process(paths, items):
    """A second `lectern PATH` process (only its hand-off part), running while our event loop answers."""
    return subprocess.Popen([sys.executable, "-c", _OTHER_PROCESS, str(paths.data_dir.parent), *items],
                            cwd=REPO, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def test_paths_from_a_second_instance_open_in_the_running_window(qtbot, window, app_paths, tmp_path):
    server = listen_for_other_instances(window, app_paths)
    try:
        path = article_file(tmp_path / "new", "handed.txt", "= Handed over =\n\nFrom another process.\n")
        with qtbot.waitSignal(window.library_panel.scan_finished, timeout=WAIT_MS):
            other = _other_process(app_paths, [str(path)])
            qtbot.waitUntil(lambda: other.poll() is not None, timeout=WAIT_MS)
        assert other.returncode == 0
        qtbot.waitUntil(lambda: window.view.article is not None and window.view.article.title == "Handed over")
    finally:
        server.close()


def test_garbage_on_the_socket_is_refused(qtbot, app_paths):
    from PySide6.QtCore import QObject
    from PySide6.QtNetwork import QLocalSocket

    holder = QObject()
    server = InstanceServer(app_paths, holder)
    received = []
    server.paths_received.connect(received.append)
    assert server.listen()
    try:
        socket = QLocalSocket()
        socket.connectToServer(server.name)
        qtbot.waitUntil(lambda: socket.state() == QLocalSocket.LocalSocketState.ConnectedState)
        socket.write(b"not json\n")
        qtbot.waitUntil(lambda: socket.bytesAvailable() > 0 or bool(socket.waitForReadyRead(10)))
        assert bytes(socket.readAll().data()).strip() == b"error"
        assert received == []
        socket.abort()
    finally:
        server.close()
        holder.deleteLater()


def test_opening_a_file_already_in_the_library_shows_it(qtbot, window, tmp_path):
    from reader.gui.app import open_paths

    path = article_file(tmp_path / "known", "known.txt", "= Already Known =\n\nText.\n")
    window.library.add_sources([path.parent])
    window.open_article(window.library.articles()[0].id)
    assert window.view.article.title != "Already Known"
    with qtbot.waitSignal(window.library_panel.scan_finished, timeout=WAIT_MS):
        open_paths(window, [str(path)])
    qtbot.waitUntil(lambda: window.view.article.title == "Already Known", timeout=WAIT_MS)
