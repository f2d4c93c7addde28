"""The Sphinx extension: each chapter's rerun note is generated from its parameters cell."""

from __future__ import annotations

from compendium import paths
from compendium.book.params import chapter_parameters
from compendium.book.sphinx_ext import rerun_note


def test_the_rerun_note_lists_every_parameter_with_its_default_and_meaning():
    source = paths.CHAPTERS_DIR / "peace-security.md"
    note = rerun_note("peace-security", source)
    text = note.astext()
    assert "python -m compendium run peace-security -p NAME VALUE" in text
    for param in chapter_parameters(source).values():
        assert param.name in text and param.literal in text and param.meaning in text


def test_a_page_without_a_parameters_cell_gets_no_note(tmp_path):
    page = tmp_path / "plain.md"
    page.write_text("---\nkernelspec: {name: python3, display_name: Python 3, language: python}\n---\n# A page\n\n```{code-cell} ipython3\n1\n```\n")
    assert rerun_note("plain", page) is None
