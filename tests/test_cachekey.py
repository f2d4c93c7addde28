"""Each chapter's cache key sees its own inputs: the modules it imports and the data; prose edits re-execute nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from compendium import paths
from compendium.book.cachekey import (
    DIGEST_KEY,
    chapter_digest,
    chapter_inputs,
    code_cells,
    imported_names,
    module_closure,
    with_digest,
)

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
    out = with_digest(NOTEBOOK, "abc123")
    front = yaml.safe_load(out.split("---\n")[1])
    assert front["kernelspec"] == {"display_name": "Python 3", "language": "python", "name": "python3", DIGEST_KEY: "abc123"}
    assert out.split("\n---\n", 1)[1] == NOTEBOOK.split("\n---\n", 1)[1]


@pytest.mark.parametrize("text", ["# Plain page\n", "---\ntitle: x\n---\n# Page\n"])
def test_pages_without_a_kernelspec_are_left_alone(text):
    assert with_digest(text, "abc") == text


def test_code_cells_skip_their_option_lines_and_the_prose():
    text = NOTEBOOK + "Prose with import os in it.\n\n```{code-cell} ipython3\n:tags: [hide-input]\nimport json\n```\n"
    assert code_cells(text) == ["1 + 1", "import json"]


@pytest.mark.parametrize(
    ("code", "module", "expected"),
    [
        ("import compendium.data.tables", None, {"compendium.data.tables"}),
        ("from compendium.charts import theme, wrap_label", None,
         {"compendium.charts", "compendium.charts.theme", "compendium.charts.wrap_label"}),
        ("from . import lexicon", "compendium.data.tables", {"compendium.data", "compendium.data.lexicon"}),
        ("from .source import Document", "compendium.data.__init__", {"compendium.data.source", "compendium.data.source.Document"}),
        ("%time x = 1\ndef f():\n    import json", None, {"json"}),
    ],
    ids=["import", "from-import", "relative", "relative-in-init", "magic-and-lazy"],
)
def test_imported_names(code, module, expected):
    assert imported_names(code, module) == expected


def _package(tmp_path: Path) -> Path:
    pkg = tmp_path / "src" / "compendium"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "base.py").write_text("x = 1\n")
    (pkg / "sub" / "mid.py").write_text("from compendium.base import x\n")
    (pkg / "alone.py").write_text("y = 2\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "t.csv").write_text("a\n1\n")
    return tmp_path


def test_module_closure_follows_imports_through_modules_and_parent_packages(tmp_path):
    root = _package(tmp_path)
    files = {p.relative_to(root / "src").as_posix() for p in module_closure({"compendium.sub.mid"}, root / "src")}
    assert files == {"compendium/__init__.py", "compendium/sub/__init__.py", "compendium/sub/mid.py", "compendium/base.py"}


def _chapter(root: Path, name: str, code: str) -> Path:
    path = root / f"{name}.md"
    path.write_text(NOTEBOOK.replace("1 + 1", code))
    return path


def test_a_module_edit_changes_only_the_digests_of_chapters_that_import_it(tmp_path):
    root = _package(tmp_path)
    uses_base = _chapter(root, "a", "from compendium.sub.mid import x")
    uses_alone = _chapter(root, "b", "from compendium import alone")
    before = {c: chapter_digest(c, root) for c in (uses_base, uses_alone)}
    (root / "src/compendium/base.py").write_text("x = 3\n")
    assert chapter_digest(uses_base, root) != before[uses_base]
    assert chapter_digest(uses_alone, root) == before[uses_alone]
    (root / "data/t.csv").write_text("a\n2\n")  # every chapter reads the data
    assert chapter_digest(uses_alone, root) != before[uses_alone]


def test_every_chapter_depends_on_the_data_and_the_modules_it_imports():
    files = {p.relative_to(paths.ROOT).as_posix() for p in chapter_inputs(paths.CHAPTERS_DIR / "methods.md")}
    assert {"data/claims.csv", "data/raw/meeting-summary.txt", "src/compendium/data/tables.py"} <= files
    assert "src/compendium/book/bench.py" not in files and "src/compendium/book/build.py" not in files


def _build(root: Path, out: Path) -> str:
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(root), "--toc", str(root / "toc-one.yml"), "--path-output", str(out)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


@pytest.mark.book
@pytest.mark.chapters
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

    bench = root / "src" / "compendium" / "book" / "bench.py"  # no chapter imports it
    bench.write_text(bench.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    assert "Executing notebook" not in _build(root, out)
