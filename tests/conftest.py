"""Shared fixtures: the parsed source and one build of the book per test session."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from compendium import paths
from compendium.book import build_book
from compendium.source import load_document


@pytest.fixture(scope="session")
def document():
    """The parsed meeting summary from data/raw."""
    return load_document(paths.RAW_SOURCE)


@pytest.fixture(scope="session")
def book_build() -> subprocess.CompletedProcess | None:
    """Build the book once per session, exactly as `make book` does; None when reusing a build."""
    if os.environ.get("COMPENDIUM_REUSE_BUILD") and (paths.BUILD_DIR / "html" / "index.html").exists():
        return None  # a developer's shortcut; CI never sets it
    shutil.rmtree(paths.BUILD_DIR / "html", ignore_errors=True)
    result = build_book(capture=True)
    if result.returncode != 0:
        pytest.fail(f"book build failed (exit {result.returncode}):\n{(result.stdout + result.stderr)[-8000:]}")
    return result


@pytest.fixture(scope="session")
def built_book(book_build) -> Path:
    """The built HTML book, _build/html."""
    return paths.BUILD_DIR / "html"
