"""Building the book: the one command line that the Makefile, the tests and CI all use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from . import paths
from .render import write_vega_bundle


def build_command(root: Path = paths.ROOT) -> list[str]:
    """Return the jupyter-book command that builds the HTML book with warnings as errors."""
    jb = Path(sys.executable).with_name("jupyter-book")
    return [str(jb), "build", str(root), "--warningiserror", "--nitpick", "--keep-going"]


def build_book(root: Path = paths.ROOT, capture: bool = False) -> subprocess.CompletedProcess:
    """Build the book under ``root``/_build/html; return the finished process."""
    # Jupyter Book adds every script in _static/ to every page; the bundle must exist first.
    write_vega_bundle(root / "_static")
    return subprocess.run(build_command(root), cwd=root, text=True, capture_output=capture, check=False)
