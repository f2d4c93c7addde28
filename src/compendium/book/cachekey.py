"""What each chapter's cached outputs depend on, so that a chapter re-executes only when they change.

jupyter-cache keys a notebook on its code cells and kernelspec. A chapter's outputs also depend on
the ``compendium`` modules its code imports (directly or through other modules) and on the data it
reads, so a digest of those files is written into the chapter's kernelspec metadata (part of the
key) by ``sphinx_ext`` when Sphinx reads the chapter, and by ``build`` when it executes chapters
ahead of Sphinx. A prose edit changes neither the code cells nor the digest; editing a module
re-executes only the chapters that import it.
"""

from __future__ import annotations

import ast
import hashlib
import re
import threading
from functools import lru_cache
from pathlib import Path

import yaml

from compendium import paths

DIGEST_KEY = "compendium_inputs"
PACKAGE = "compendium"
FRONT = "---\n"
# The runner computes inputs from several threads, and CPython 3.11.7 raised "AST constructor
# recursion depth mismatch" when two of them parsed at once (CPython issue gh-106905): one at a time.
_PARSE_LOCK = threading.Lock()
_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", re.M | re.S)


def code_cells(text: str) -> list[str]:
    """Return the source of each code cell of a MyST notebook's text, without its option lines."""
    cells = []
    for match in _CODE_CELL.finditer(text):
        lines = [line for line in match[1].splitlines() if not line.startswith(":")]
        cells.append("\n".join(lines))
    return cells


def imported_names(code: str, module: str | None = None) -> set[str]:
    """Return the dotted names ``code`` imports (``import a.b``, ``from a import b`` gives a and a.b).

    ``module`` is the importing module's own dotted name, for relative imports. Lines of IPython
    magics and shell escapes are skipped."""
    plain = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in code.splitlines())
    names: set[str] = set()
    with _PARSE_LOCK:
        tree = ast.parse(plain)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level and module:
                parent = module.split(".")[: len(module.split(".")) - node.level]
                base = ".".join(parent + ([base] if base else []))
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return {n for n in names if n}


def module_file(name: str, src: Path) -> Path | None:
    """Return the file of the package module ``name`` under ``src``, or None if it is not one."""
    if name != PACKAGE and not name.startswith(PACKAGE + "."):
        return None
    base = src.joinpath(*name.split("."))
    for path in (base / "__init__.py", base.with_suffix(".py")):
        if path.is_file():
            return path
    return None


def module_closure(names: set[str], src: Path) -> list[Path]:
    """Return every package file that importing ``names`` loads: the modules, their parent
    packages' ``__init__`` files, and what those import in turn (sorted)."""
    seen: dict[Path, None] = {}
    todo = sorted(names)
    while todo:
        name = todo.pop()
        parts = name.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a, a.b and a.b.c
            dotted = ".".join(parts[:i])
            path = module_file(dotted, src)
            if path is None or path in seen:
                continue
            seen[path] = None
            own = dotted if path.name != "__init__.py" else dotted + ".__init__"
            todo.extend(sorted(imported_names(path.read_text(encoding="utf-8"), own)))
    return sorted(seen)


def data_files(data_dir: Path) -> list[Path]:
    """Return every file of the data folder a chapter reads by default (tables, descriptor, raw text)."""
    return sorted(p for p in data_dir.rglob("*") if p.is_file())


def chapter_inputs(source: Path, root: Path = paths.ROOT) -> list[Path]:
    """Return the files a chapter's outputs depend on besides its own code: the package modules
    it imports, directly or through other modules, and the data files."""
    text = source.read_text(encoding="utf-8")
    names: set[str] = set()
    for cell in code_cells(text):
        names |= imported_names(cell)
    return module_closure(names, root / "src") + data_files(root / "data")


@lru_cache(maxsize=64)
def _digest(root: Path, signature: tuple) -> str:
    h = hashlib.sha256()
    for name, _, _ in signature:
        h.update(Path(name).relative_to(root).as_posix().encode())
        h.update(Path(name).read_bytes())
    return h.hexdigest()[:16]


def files_digest(files: list[Path], root: Path = paths.ROOT) -> str:
    """Return a short digest of the files' paths (relative to ``root``) and bytes."""
    signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _digest(root, signature)


def chapter_digest(source: Path, root: Path = paths.ROOT) -> str:
    """Return the digest of everything besides its code cells that a chapter's outputs depend on."""
    return files_digest(chapter_inputs(source, root), root)


def with_digest(text: str, digest: str) -> str:
    """Return MyST notebook text whose front matter kernelspec carries ``digest``."""
    if not text.startswith(FRONT):
        return text
    end = text.find("\n---", len(FRONT))
    if end < 0:
        return text
    front = yaml.safe_load(text[len(FRONT) : end]) or {}
    if "kernelspec" not in front:
        return text
    front["kernelspec"] = {**front["kernelspec"], DIGEST_KEY: digest}
    return FRONT + yaml.safe_dump(front, sort_keys=False) + text[end + 1 :]
