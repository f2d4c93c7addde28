"""A Sphinx extension that makes the execution cache see the chapters' inputs.

The stock jupyter-cache keys a notebook on its code cells and kernelspec only, so a change in
``src/`` or ``data/`` would leave stale outputs. Before myst-nb parses a chapter, this extension
writes a digest of those inputs into the chapter's kernelspec metadata (part of the cache key),
and tells Sphinx the chapter depends on each input file (so it is re-read when one changes).
A prose-only edit leaves code cells and inputs alone, so nothing re-executes.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

import yaml
from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from . import paths

DIGEST_KEY = "compendium_inputs"
# Set by book.build_book: a pipe's read end that yields a byte once the chapters are executed.
WAIT_ENV = "COMPENDIUM_PREFILL_FD"
FRONT = "---\n"


def input_files(root: Path = paths.ROOT) -> list[Path]:
    """Return the files every chapter's outputs depend on: the package's code and the data."""
    code = sorted((root / "src" / "compendium").rglob("*.py"))
    data = sorted(p for p in (root / "data").rglob("*") if p.is_file())
    return [p for p in code + data if "__pycache__" not in p.parts]


@lru_cache(maxsize=8)
def _digest(signature: tuple) -> str:
    h = hashlib.sha256()
    for name, _, _ in signature:
        h.update(name.encode())
        h.update(Path(name).read_bytes())
    return h.hexdigest()[:16]


def inputs_digest(root: Path = paths.ROOT) -> str:
    """Return a short digest of the content of every input file (path and bytes)."""
    files = input_files(root)
    signature = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    return _digest(signature)


def with_inputs_digest(text: str, digest: str) -> str:
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


def _source_read(app, docname: str, source: list[str]) -> None:
    text = source[0]
    if "kernelspec" not in text.split("\n---", 1)[0]:
        return  # not a notebook
    source[0] = with_inputs_digest(text, inputs_digest(Path(app.srcdir)))
    for path in input_files(Path(app.srcdir)):
        app.env.note_dependency(str(path))


# The packages whose versions the status page reports.
REPORTED_PACKAGES = ("jupyter-book", "sphinx", "myst-nb", "jupyter-cache", "jupytext", "papermill", "pandas",
                     "altair", "vl-convert-python", "frictionless", "ipykernel")


def package_versions() -> list[tuple[str, str]]:
    """Return (package, version) for Python and each reported package installed in this environment."""
    import platform
    from importlib import metadata

    rows = [("python", platform.python_version())]
    for name in REPORTED_PACKAGES:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            rows.append((name, "not installed"))
    return rows


class BuildVersions(SphinxDirective):
    """``{build-versions}``: a table of the package versions that built this book."""

    def run(self):
        self.env.compendium_status_docs = getattr(self.env, "compendium_status_docs", set()) | {self.env.docname}
        table = nodes.table(classes=["colwidths-auto"])
        group = nodes.tgroup(cols=2)
        table += group
        group += [nodes.colspec(colwidth=50), nodes.colspec(colwidth=50)]
        head, body = nodes.thead(), nodes.tbody()
        group += [head, body]
        head += self._row("Package", "Version")
        for name, version in package_versions():
            body += self._row(name, version)
        return [table]

    @staticmethod
    def _row(*cells: str) -> nodes.row:
        row = nodes.row()
        for text in cells:
            row += nodes.entry("", nodes.paragraph(text=text))
        return row


def _wait_for_chapters(app, env, docnames) -> None:
    # book.build_book starts Sphinx while it executes the chapters into the cache; read nothing
    # before they are there. An empty read means the build process gave up: go on regardless.
    fd = os.environ.pop(WAIT_ENV, None)
    if fd is None:
        return
    from sphinx.util import logging

    logging.getLogger(__name__).info("waiting for the chapters being executed ahead of the build ...")
    with os.fdopen(int(fd), "rb") as pipe:
        pipe.read(1)


def _always_reread_status(app, env, added, changed, removed) -> list[str]:
    # the status page reports this build, so it is read again on every build
    return sorted(getattr(env, "compendium_status_docs", set()) - set(removed))


def setup(app):
    app.connect("env-before-read-docs", _wait_for_chapters)
    app.connect("source-read", _source_read)
    app.connect("env-get-outdated", _always_reread_status)
    app.add_directive("build-versions", BuildVersions)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
