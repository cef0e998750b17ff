"""The one place that knows where Lectern keeps things.

Precedence for the user's data, cache and config directories:

1. an explicit ``data_dir`` (the CLI's ``--data-dir``), then
2. the ``LECTERN_DATA_DIR`` environment variable: either puts everything under
   that directory (``DIR``, ``DIR/cache``, ``DIR/config``);
3. portable mode: a file named ``portable`` next to the frozen executable puts
   everything in ``lectern-data/`` beside it;
4. otherwise the platform's per-user directories (platformdirs, app "Lectern").

Read-only bundled files (``content/``, ``resources/``) live under the bundle
root: ``sys._MEIPASS`` in a PyInstaller build, the repository root otherwise.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from . import APP_NAME
from .errors import LecternError

ENV_DATA_DIR = "LECTERN_DATA_DIR"
PORTABLE_MARKER = "portable"
PORTABLE_DIR = "lectern-data"


def is_frozen() -> bool:
    return bool(getattr(sys, "frozen", False))


def bundle_root() -> Path:
    """Where bundled ``content/`` and ``resources/`` live."""
    if is_frozen():
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parent.parent


def executable_dir() -> Path:
    return Path(sys.executable).resolve().parent


@dataclass(frozen=True)
class AppPaths:
    data_dir: Path
    cache_dir: Path
    config_dir: Path
    bundle_root: Path
    portable: bool = False

    @property
    def bundled_content(self) -> Path:
        return self.bundle_root / "content"

    @property
    def resources(self) -> Path:
        return self.bundle_root / "resources"

    @property
    def manifest(self) -> Path:
        """The library's sources and article ids (user data: notes refer to these ids)."""
        return self.data_dir / "library.json"

    @property
    def manifest_cache(self) -> Path:
        """A copy of the manifest's rows by column that opens faster (derived: rebuilt from the manifest)."""
        return self.cache_dir / "library-columns.marshal"

    @property
    def database(self) -> Path:
        """Bookmarks, notes and reading state."""
        return self.data_dir / "lectern.sqlite3"

    @property
    def backups_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def index_dir(self) -> Path:
        """The search index: derived data, rebuilt when missing or broken."""
        return self.cache_dir / "index"

    @property
    def settings_file(self) -> Path:
        """GUI settings (window geometry, theme), an INI file."""
        return self.config_dir / "settings.ini"

    def ensure(self) -> "AppPaths":
        """Create the three folders; a clear :class:`LecternError` if one cannot be made."""
        for directory in (self.data_dir, self.cache_dir, self.config_dir):
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise LecternError(f"cannot use {directory} as a data folder: {exc.strerror or exc}") from None
        return self


def _under(root: Path, portable: bool = False) -> AppPaths:
    root = root.expanduser().resolve()
    return AppPaths(root, root / "cache", root / "config", bundle_root(), portable)


def resolve(data_dir: str | os.PathLike | None = None, environ: dict | None = None) -> AppPaths:
    """Work out every location; creates nothing (call :meth:`AppPaths.ensure`).

    An empty ``data_dir`` is an error, not "not given": falling back to the
    per-user folders would put data where the user did not ask.
    """
    environ = os.environ if environ is None else environ
    if data_dir is not None:
        if not str(data_dir).strip():  # `--data-dir ""` (an unset shell variable): never fall back silently
            raise LecternError("--data-dir needs a folder name (it was empty); omit it to use the per-user folders")
        return _under(Path(data_dir))
    if environ.get(ENV_DATA_DIR):
        return _under(Path(environ[ENV_DATA_DIR]))
    if is_frozen() and (executable_dir() / PORTABLE_MARKER).exists():
        return _under(executable_dir() / PORTABLE_DIR, portable=True)
    import platformdirs

    return AppPaths(
        data_dir=Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)),
        cache_dir=Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)),
        config_dir=Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)),
        bundle_root=bundle_root(),
    )
