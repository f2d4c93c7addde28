"""Every chapter shows prose and charts first: no code cell is visible by default."""

from __future__ import annotations

import re

import pytest

from compendium.book.params import read_notebook, toc_chapters

HIDDEN = {"remove-input", "hide-input", "remove-cell", "hide-cell"}
_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n((?::[^\n]*\n)*)", re.M)


def cell_tags(text: str) -> list[set[str]]:
    """Return the tags of every code cell of a MyST notebook's text, in order."""
    found = []
    for match in _CELL.finditer(text):
        tags = re.search(r"^:tags:\s*\[(.*)\]", match[1], re.M)
        found.append({t.strip().strip("'\"") for t in tags[1].split(",")} if tags else set())
    return found


def test_cell_tags_are_read_from_the_option_lines():
    text = "```{code-cell} ipython3\n:tags: [parameters, hide-input]\nx = 1\n```\n\n```{code-cell} ipython3\ny = 2\n```\n"
    assert cell_tags(text) == [{"parameters", "hide-input"}, set()]


@pytest.mark.parametrize("chapter", list(toc_chapters()))
def test_no_code_cell_is_visible_by_default(chapter):
    text = toc_chapters()[chapter].read_text(encoding="utf-8")
    visible = [i for i, tags in enumerate(cell_tags(text)) if not tags & HIDDEN]
    assert visible == [], f"{chapter}: code cells {visible} (counted from 0) show their code"


@pytest.mark.parametrize("chapter", list(toc_chapters()))
def test_no_heading_is_about_code(chapter):
    text = toc_chapters()[chapter].read_text(encoding="utf-8")
    assert not re.search(r"^#+\s+(Imports|Parameters|Setup|Set-up)\s*$", text, re.M | re.I)


@pytest.mark.parametrize("chapter", list(toc_chapters()))
def test_imports_come_first_and_the_parameters_cell_is_folded(chapter):
    code = [c for c in read_notebook(toc_chapters()[chapter]).cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == ["remove-input"] and "import" in code[0].source
    (parameters,) = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert parameters.metadata["tags"] == ["parameters", "hide-input"]


# Cluster 3's section on its sentences computes two frames (the cluster's own sentences, and the
# sentences on its surveyed issues), each glued from its own dict; every other section has one.
TWO_DICTS = {("illicit-globalization", "The coded sentences and who acts in them")}


@pytest.mark.parametrize("chapter", list(toc_chapters()))
def test_each_section_glues_its_numbers_from_one_dict(chapter):
    source = toc_chapters()[chapter].read_text(encoding="utf-8")
    assert "publisher.number(" not in source
    for section in source.split("\n## ")[1:]:
        heading = section.splitlines()[0]
        allowed = 2 if (chapter, heading) in TWO_DICTS else 1
        assert section.count("publisher.numbers(") <= allowed, heading
