"""The methods chapter: its layout, and the tables it exports, read from its default run."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from compendium import paths
from compendium.book.params import read_notebook
from compendium.data.tables import CODED_SECTIONS

CHAPTER = "methods"


def exported_table(executed_run, name: str) -> pd.DataFrame:
    """Return tables/<name>.csv of the chapter's default run, every cell as text ('' for empty)."""
    return pd.read_csv(executed_run(CHAPTER).folder / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)


# -- layout: a reader sees prose and tables first --------------------------------------------------


def test_code_is_folded_and_no_heading_names_code():
    notebook = read_notebook(paths.CHAPTERS_DIR / f"{CHAPTER}.md")
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == ["remove-input"] and "import" in code[0].source
    (parameters,) = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert parameters.metadata["tags"] == ["parameters", "hide-input"]
    long_cells = [c for c in code if len(c.source.splitlines()) > 3]
    assert all({"hide-input", "remove-input"} & set(c.metadata.get("tags", [])) for c in long_cells)
    headings = [line for c in notebook.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("#")]
    assert not [h for h in headings if h.lstrip("# ").strip() in {"Imports", "Parameters"}]


def test_each_section_glues_its_numbers_in_one_call():
    source = (paths.CHAPTERS_DIR / f"{CHAPTER}.md").read_text(encoding="utf-8")
    assert "publisher.number(" not in source
    for section in source.split("\n## ")[1:]:
        assert section.count("publisher.numbers(") <= 1, section.splitlines()[0]


# -- the exported tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["methods-sections", "methods-passages", "methods-codebook", "methods-coverage", "methods-dictionary",
     "methods-provenance"],
)
def test_every_table_is_exported(executed_run, name):
    assert len(exported_table(executed_run, name)) > 0


def test_sections_table_counts_every_block_of_the_source_model(executed_run, document):
    sections = exported_table(executed_run, "methods-sections")
    assert list(sections["section"]) == [s.id for s in document.sections]
    assert sections["blocks"].astype(int).sum() == len(document.blocks)
    kinds = ["paragraph", "bullet", "caption", "header", "row"]
    assert (sections[kinds].astype(int).sum(axis=1) == sections["blocks"].astype(int)).all()
    assert sections.iloc[0]["heading"] == "(opening, no heading)"
    firsts_and_lasts = [f"{s.blocks[0].id} … {s.blocks[-1].id}" for s in document.sections]
    assert list(sections["ids"]) == firsts_and_lasts and firsts_and_lasts[1] == "key-findings/p1 … key-findings/b4"


def test_codebook_examples_are_claims_coded_with_that_category(executed_run, tables):
    codebook = exported_table(executed_run, "methods-codebook")
    assert len(codebook) == len(tables["codebook"])
    assert list(codebook["Category"]) == list(tables["codebook"]["category"])
    claims = tables["claims"]
    for variable in ("claim_type", "un_stance", "feasibility"):
        rows = codebook.loc[codebook["Variable"] == variable, ["Example passage", "Category", "Example"]]
        for passage_id, category, example in rows.itertuples(index=False, name=None):
            coded = claims[(claims["passage_id"] == passage_id) & (claims[variable] == category)]
            # the first claim on the example passage coded with the category
            assert example == coded["quote"].iloc[0], (variable, category)


def test_codebook_examples_of_other_variables_open_their_passage(executed_run, tables):
    codebook = exported_table(executed_run, "methods-codebook")
    texts = tables["passages"].set_index("passage_id")["text"]
    others = codebook[~codebook["Variable"].isin(["claim_type", "un_stance", "feasibility"])]
    assert len(others) > 0
    for passage_id, example in others[["Example passage", "Example"]].itertuples(index=False, name=None):
        words = texts[passage_id].split()
        assert example.removesuffix(" …") == " ".join(words[:18])
        assert example.endswith(" …") == (len(words) > 18)


def test_coverage_is_total_and_counts_every_claim(executed_run, tables):
    coverage = exported_table(executed_run, "methods-coverage")
    assert list(coverage["section"]) == list(CODED_SECTIONS)
    assert (coverage["coded"] == coverage["passages"]).all()
    assert coverage["claims"].astype(int).sum() == len(tables["claims"])


def test_provenance_checks_find_no_problem(executed_run):
    checks = exported_table(executed_run, "methods-provenance")
    assert len(checks) == 4
    assert (checks["problems"] == "0").all() and (checks["checked"].astype(int) > 0).all()


def test_dictionary_lists_every_field_of_the_descriptor(executed_run):
    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    dictionary = exported_table(executed_run, "methods-dictionary")
    assert len(dictionary) == sum(len(r["schema"]["fields"]) for r in descriptor["resources"])
