"""The execution cache sees the chapters' inputs: code or data changes re-execute, prose edits do not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

from compendium import paths
from compendium.sphinx_ext import DIGEST_KEY, WAIT_ENV, _wait_for_chapters, input_files, inputs_digest, with_inputs_digest

NOTEBOOK = """---
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# Title

```{code-cell} ipython3
1 + 1
```
"""


def test_digest_goes_into_the_kernelspec_and_nothing_else_changes():
    out = with_inputs_digest(NOTEBOOK, "abc123")
    front = yaml.safe_load(out.split("---\n")[1])
    assert front["kernelspec"] == {"display_name": "Python 3", "language": "python", "name": "python3", DIGEST_KEY: "abc123"}
    assert out.split("\n---\n", 1)[1] == NOTEBOOK.split("\n---\n", 1)[1]


@pytest.mark.parametrize("text", ["# Plain page\n", "---\ntitle: x\n---\n# Page\n"])
def test_pages_without_a_kernelspec_are_left_alone(text):
    assert with_inputs_digest(text, "abc") == text


def test_inputs_cover_code_and_data():
    files = {p.relative_to(paths.ROOT).as_posix() for p in input_files()}
    assert "src/compendium/source.py" in files and "data/claims.csv" in files and "data/raw/meeting-summary.txt" in files


def test_digest_changes_with_content(tmp_path):
    for sub in ("src/compendium", "data"):
        (tmp_path / sub).mkdir(parents=True)
    (tmp_path / "src/compendium/a.py").write_text("x = 1\n")
    (tmp_path / "data/t.csv").write_text("a\n1\n")
    before = inputs_digest(tmp_path)
    (tmp_path / "data/t.csv").write_text("a\n2\n")
    assert inputs_digest(tmp_path) != before


def _build(root: Path, out: Path) -> str:
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(root), "--toc", str(root / "toc-one.yml"), "--path-output", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


@pytest.mark.book
def test_rebuilds_execute_only_when_inputs_change(tmp_path):
    root = tmp_path / "book"
    shutil.copytree(paths.ROOT, root, ignore=shutil.ignore_patterns("_build", ".venv", "runs", ".git", "*.egg-info", "__pycache__", ".*cache*"))
    (root / "toc-one.yml").write_text("format: jb-book\nroot: chapters/methods\n")
    out = tmp_path / "out"

    first = _build(root, out)
    assert "Executing notebook" in first

    again = _build(root, out)  # no change: nothing read, no kernel
    assert "Executing notebook" not in again and "Using cached notebook" not in again

    page = root / "chapters" / "methods.md"
    page.write_text(page.read_text(encoding="utf-8").replace("This chapter explains", "This chapter sets out"), encoding="utf-8")
    prose = _build(root, out)  # re-read, served from the cache
    assert "Using cached notebook" in prose and "Executing notebook" not in prose

    readme = root / "data" / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8") + "\nA note added to the data folder.\n", encoding="utf-8")
    data_change = _build(root, out)
    assert "Executing notebook" in data_change


@pytest.mark.parametrize("signal", [b"1", b""], ids=["chapters-ready", "build-process-gave-up"])
def test_sphinx_reads_nothing_until_the_chapters_are_executed(monkeypatch, signal):
    read_end, write_end = os.pipe()
    monkeypatch.setenv(WAIT_ENV, str(read_end))

    def finish():
        if signal:
            os.write(write_end, signal)
        os.close(write_end)

    threading.Timer(0.5, finish).start()
    start = time.monotonic()
    _wait_for_chapters(None, None, [])
    assert time.monotonic() - start >= 0.4
    assert WAIT_ENV not in os.environ  # one wait per build
    _wait_for_chapters(None, None, [])  # and without the variable, no wait at all
