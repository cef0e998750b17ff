"""Shared ZIM test material: the real archives beside the repo, and generated ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import SHARED_CONTENT

from .pages import LAYOUTS, render, sample_page, write_archive

ZIM_DIR = SHARED_CONTENT / "zim"


def real_archives() -> list[Path]:
    """Every archive (first parts of split ones) in ../shared/content/zim, or [] without it."""
    if not ZIM_DIR.is_dir():
        return []
    return sorted(p for p in ZIM_DIR.rglob("*") if p.suffix in (".zim", ".zimaa"))


@pytest.fixture
def zim_dir() -> Path:
    if not ZIM_DIR.is_dir():
        pytest.skip("../shared/content/zim is not present")
    return ZIM_DIR


@pytest.fixture(scope="session")
def generated_archives(tmp_path_factory) -> dict[str, Path]:
    """One small archive per HTML layout, with full-text and title index, a redirect and some assets."""
    folder = tmp_path_factory.mktemp("zim")
    archives = {}
    for layout in LAYOUTS:
        pages = []
        for number in range(30):
            page = sample_page(number)
            page.title = f"{layout.title()} article {number:02d}"
            pages.append((f"{layout.title()}_article_{number:02d}", page.title, render(page, layout)))
        pages.append(("Main_Page", "Main Page", render(sample_page(99), layout)))
        archives[layout] = write_archive(
            folder / f"generated_{layout}_2026-11.zim", pages, name=f"generated_{layout}", main="Main_Page",
            redirects=[("Otter_redirect", "Otter redirect", f"{layout.title()}_article_07")], assets=40,
        )
    return archives
