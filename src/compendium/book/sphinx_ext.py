"""A Sphinx extension: per-chapter cache keys and the build status page.

Before myst-nb parses a chapter, ``_source_read`` writes the digest of the chapter's inputs (the
package modules it imports and the data; see ``cachekey``) into its kernelspec metadata, which
jupyter-cache makes part of the chapter's key, and tells Sphinx the chapter depends on each of
those files (so it is re-read when one changes).
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from compendium.book.cachekey import chapter_inputs, files_digest, with_digest


def _source_read(app, docname: str, source: list[str]) -> None:
    text = source[0]
    if "kernelspec" not in text.split("\n---", 1)[0]:
        return  # not a notebook
    root = Path(app.srcdir)
    inputs = chapter_inputs(Path(app.env.doc2path(docname)), root)
    source[0] = with_digest(text, files_digest(inputs, root))
    for path in inputs:
        app.env.note_dependency(str(path))


def rerun_note(chapter: str, source: Path) -> nodes.admonition | None:
    """Return a folded note that says how to rerun ``chapter`` and lists its parameters, read from
    the chapter's own ``parameters`` cell (None for a page without one)."""
    from compendium.book.params import OUTPUT_PARAMETER, ParametersCellError, chapter_parameters

    try:
        params = chapter_parameters(source, chapter)
    except ParametersCellError:
        return None
    note = nodes.admonition(classes=["note", "dropdown", "rerun-note"])
    note += nodes.title(text="Rerun this chapter with your own values")
    intro = nodes.paragraph()
    intro += nodes.Text("Every value a reader may change is in the chapter's folded parameters cell. From the "
                        "project's folder, run ")
    intro += nodes.literal(text=f"python -m compendium run {chapter} -p NAME VALUE")
    intro += nodes.Text(" (or open the notebook and edit the cell). The parameters:")
    note += intro
    items = nodes.bullet_list()
    for param in params.values():
        item = nodes.paragraph()
        item += nodes.literal(text=param.name)
        item += nodes.Text(f" ({param.type_name}, default ")
        item += nodes.literal(text=param.literal)
        item += nodes.Text(")" + (f": {param.meaning}" if param.meaning else "")
                           + (" The runner sets it to the run's folder." if param.name == OUTPUT_PARAMETER else ""))
        items += nodes.list_item("", item)
    note += items
    return note


def _add_rerun_note(app, doctree) -> None:
    # Under the chapter's title, generated from the notebook so it never disagrees with it.
    source = Path(app.env.doc2path(app.env.docname))
    if source.suffix != ".md" or "kernelspec" not in source.read_text(encoding="utf-8").split("\n---", 1)[0]:
        return
    section = next(iter(doctree.findall(nodes.section)), None)
    note = rerun_note(source.stem, source) if section is not None else None
    if note is not None:
        title = next(iter(section.findall(nodes.title)))
        section.insert(section.index(title) + 1, note)


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


def _always_reread_status(app, env, added, changed, removed) -> list[str]:
    # the status page reports this build, so it is read again on every build
    return sorted(getattr(env, "compendium_status_docs", set()) - set(removed))


def setup(app):
    app.connect("source-read", _source_read)
    app.connect("env-get-outdated", _always_reread_status)
    app.connect("doctree-read", _add_rerun_note)
    app.add_directive("build-versions", BuildVersions)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
