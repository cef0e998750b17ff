"""``lectern PATH`` while Lectern runs: hand the paths to the running window.

Each data dir has one local socket (``QLocalServer``, user-only access). A new
process started with paths first tries :func:`hand_off`; if a window on the
same data dir answers, it adds the paths there and the new process exits. With
no answer (nothing running, or a stale socket after a crash) the new process
starts normally and listens itself. Two windows on one data dir stay safe:
the library and the store lock their files.
"""

from __future__ import annotations

import hashlib
import json
import os

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

TIMEOUT_MS = 1000
MAX_MESSAGE = 64 * 1024


def server_name(paths) -> str:
    digest = hashlib.sha256(str(paths.data_dir).encode("utf-8")).hexdigest()[:16]
    user = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    return f"lectern-{user}-{digest}"


def hand_off(paths, items: list[str], timeout_ms: int = TIMEOUT_MS) -> bool:
    """Ask a running window on this data dir to open ``items``; True when it accepted them."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(paths))
    if not socket.waitForConnected(timeout_ms):
        return False
    socket.write(json.dumps({"open": [os.path.abspath(i) for i in items]}).encode("utf-8") + b"\n")
    socket.waitForBytesWritten(timeout_ms)
    accepted = socket.waitForReadyRead(timeout_ms) and bytes(socket.readAll().data()).strip() == b"ok"
    socket.disconnectFromServer()
    return accepted


class InstanceServer(QObject):
    """Listens for other processes' paths; emits ``paths_received`` on the GUI thread."""

    paths_received = Signal(list)

    def __init__(self, paths, parent: QObject | None = None):
        super().__init__(parent)
        self.name = server_name(paths)
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connection)

    def listen(self) -> bool:
        if self.server.listen(self.name):
            return True
        QLocalServer.removeServer(self.name)  # a stale socket left by a crash
        return self.server.listen(self.name)

    def close(self) -> None:
        self.server.close()

    def _connection(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_MESSAGE:
                socket.abort()
            return
        line = bytes(socket.readLine(MAX_MESSAGE).data())
        try:
            items = [str(p) for p in json.loads(line.decode("utf-8"))["open"]]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            socket.write(b"error\n")
            return
        socket.write(b"ok\n")
        socket.flush()
        if items:
            self.paths_received.emit(items)
