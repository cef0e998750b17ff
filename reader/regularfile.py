"""Reading a file named by the user or found in the data folder: regular files only, never too much.

A FIFO blocks ``open()`` until a writer comes, ``/dev/zero`` never ends, a
socket or a device is no document: each would hang Lectern or eat its memory.
:func:`read_regular_bytes` opens without blocking, checks with ``fstat`` that
the open file is a regular one (no race with a rename between a check and the
open) and reads at most ``limit`` bytes. Its failures are ``OSError``s whose
``strerror`` is the one-line reason, so the callers' existing ``except OSError``
messages stay as they are.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

NOT_REGULAR = "not a regular file (a pipe, a device or a socket)"


class NotRegularFileError(OSError):
    def __init__(self, path, mode: int = 0) -> None:
        super().__init__(0, NOT_REGULAR, str(path))
        self.mode = mode  # st_mode of what was opened: says which kind of file it is


class FileTooLargeError(OSError):
    def __init__(self, path, limit: int, size: int) -> None:
        super().__init__(0, f"larger than {limit // 2**20} MB", str(path))
        self.limit, self.size = limit, size  # size: what the file said, or what was read past the limit


def file_problem(path: str | os.PathLike) -> str | None:
    """Why ``path`` is not a regular file one can read ("no such file", "it is a folder"...), or None."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "no such file"
    except OSError as exc:
        return exc.strerror or str(exc)
    if stat.S_ISDIR(mode):
        return "it is a folder, not a file"
    return None if stat.S_ISREG(mode) else NOT_REGULAR


def is_special_file(path: str | os.PathLike) -> bool:
    """Whether ``path`` exists and is neither a regular file nor a folder (a FIFO, a device, a socket)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def read_regular_bytes(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of the regular file ``path``; NotRegularFileError, FileTooLargeError or another OSError."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(Path(path), flags)  # O_NONBLOCK: opening a FIFO does not wait for a writer
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(path, info.st_mode)
        if info.st_size > limit:
            raise FileTooLargeError(path, limit, info.st_size)
        data = handle.read(limit + 1)  # a file growing while read is still capped
    if len(data) > limit:
        raise FileTooLargeError(path, limit, len(data))
    return data
