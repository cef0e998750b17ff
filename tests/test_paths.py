"""paths.py: precedence of locations, portable mode, the frozen bundle root."""

import sys
from pathlib import Path

from reader import paths


def test_explicit_dir_wins_over_environment(tmp_path):
    resolved = paths.resolve(tmp_path / "explicit", environ={"LECTERN_DATA_DIR": str(tmp_path / "env")})
    assert resolved.data_dir == tmp_path / "explicit"
    assert resolved.cache_dir == tmp_path / "explicit" / "cache"
    assert resolved.config_dir == tmp_path / "explicit" / "config"


def test_environment_variable(tmp_path):
    resolved = paths.resolve(environ={"LECTERN_DATA_DIR": str(tmp_path)})
    assert resolved.database == tmp_path / "lectern.sqlite3" and resolved.index_dir == tmp_path / "cache" / "index"


def test_platform_dirs_by_default(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    resolved = paths.resolve(environ={})
    assert resolved.data_dir == tmp_path / "xdg-data" / "Lectern"
    assert resolved.cache_dir == tmp_path / "xdg-cache" / "Lectern"
    assert resolved.config_dir == tmp_path / "xdg-config" / "Lectern"
    assert not resolved.portable and not resolved.data_dir.exists()  # resolve() creates nothing


def test_portable_mode_next_to_frozen_executable(tmp_path, monkeypatch):
    exe = tmp_path / "app" / "lectern"
    exe.parent.mkdir()
    exe.write_text("")
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "app" / "_internal"), raising=False)
    monkeypatch.setattr(sys, "executable", str(exe))
    assert not paths.resolve(environ={}).portable  # no marker yet
    (exe.parent / "portable").write_text("")
    resolved = paths.resolve(environ={})
    assert resolved.portable and resolved.data_dir == tmp_path / "app" / "lectern-data"
    assert resolved.bundled_content == tmp_path / "app" / "_internal" / "content"
    # an explicit directory still wins in portable mode
    assert paths.resolve(tmp_path / "elsewhere", environ={}).data_dir == tmp_path / "elsewhere"


def test_source_checkout_bundle_root():
    root = paths.bundle_root()
    assert (root / "content").is_dir() and (root / "reader" / "paths.py").is_file()
    assert Path(root / "content" / "ATTRIBUTION.md").is_file()


def test_ensure_creates_the_three_dirs(tmp_path):
    resolved = paths.resolve(tmp_path / "d").ensure()
    assert all(p.is_dir() for p in (resolved.data_dir, resolved.cache_dir, resolved.config_dir))


def test_empty_data_dir_is_an_error_not_the_per_user_folders(tmp_path):
    import pytest

    from reader.errors import LecternError

    for empty in ("", "  "):
        with pytest.raises(LecternError, match="--data-dir needs a folder name"):
            paths.resolve(empty, environ={"LECTERN_DATA_DIR": str(tmp_path)})
