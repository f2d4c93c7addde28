"""The methods chapter: its layout, and the tables it exports, read from its default run."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from compendium import paths
from compendium.data.tables import ACTS_LABELS, CODED_SECTIONS, MODALITY_LABELS

CHAPTER = "methods"
CLAIM_VARIABLES = ("claim_type", "modality", "acts", "role", "feasibility")


def exported_table(executed_run, name: str) -> pd.DataFrame:
    """Return tables/<name>.csv of the chapter's default run, every cell as text ('' for empty)."""
    return pd.read_csv(executed_run(CHAPTER).folder / "tables" / f"{name}.csv", dtype=str, keep_default_na=False)


# -- the exported tables ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["methods-sections", "methods-passages", "methods-codebook", "methods-modality", "methods-acts",
     "methods-coverage", "methods-dictionary", "methods-provenance", "methods-table-checks"],
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


def test_codebook_examples_are_the_named_claims_coded_with_that_category(executed_run, tables):
    codebook = exported_table(executed_run, "methods-codebook")
    assert len(codebook) == len(tables["codebook"])
    assert list(codebook["Category"]) == list(tables["codebook"]["category"])
    claims = tables["claims"].set_index("claim_id")
    rows = codebook[codebook["Variable"].isin(CLAIM_VARIABLES)]
    assert set(rows["Variable"]) == set(CLAIM_VARIABLES) and "un_stance" not in set(codebook["Variable"])
    for variable, category, passage_id, claim_id, example in rows[
            ["Variable", "Category", "Example passage", "Example claim", "Example"]].itertuples(index=False, name=None):
        claim = claims.loc[claim_id]
        assert example == claim["quote"], (variable, category)  # the whole sentence, verbatim
        assert claim[variable] == category and claim["passage_id"] == passage_id


def test_codebook_examples_of_other_variables_open_their_passage(executed_run, tables):
    codebook = exported_table(executed_run, "methods-codebook")
    texts = tables["passages"].set_index("passage_id")["text"]
    others = codebook[~codebook["Variable"].isin(CLAIM_VARIABLES)]
    assert (others["Example claim"] == "").all()
    assert len(others) > 0
    for passage_id, example in others[["Example passage", "Example"]].itertuples(index=False, name=None):
        words = texts[passage_id].split()
        assert example.removesuffix(" …") == " ".join(words[:18])
        assert example.endswith(" …") == (len(words) > 18)


def glued(executed_run) -> dict[str, str]:
    """Return the default run's glued values, name -> plain-text repr."""
    notebook = json.loads((executed_run(CHAPTER).folder / f"{CHAPTER}.ipynb").read_text(encoding="utf-8"))
    return {o["metadata"]["scrapbook"]["name"]: o["data"]["application/papermill.record/text/plain"]
            for cell in notebook["cells"] for o in cell.get("outputs", [])
            if "scrapbook" in o.get("metadata", {}) and "application/papermill.record/text/plain" in o.get("data", {})}


# -- how strongly, and who acts (issue 12: counts by modality and the rule for each) ------------------


@pytest.mark.parametrize(("name", "variable", "labels"),
                         [("methods-modality", "modality", MODALITY_LABELS), ("methods-acts", "acts", ACTS_LABELS)])
def test_counts_by_value_with_the_rule_and_a_verbatim_example(executed_run, tables, name, variable, labels):
    shown = exported_table(executed_run, name)
    claims, codebook = tables["claims"], tables["codebook"]
    assert list(shown["Value"]) == list(labels) and list(shown["Label"]) == list(labels.values())
    counts = claims[variable].value_counts()
    assert [int(n) for n in shown["Claims"]] == [int(counts.get(v, 0)) for v in labels]
    assert shown["Claims"].astype(int).sum() == len(claims)
    rules = codebook[codebook["variable"] == variable].set_index("category")
    quotes = claims.set_index("claim_id")["quote"]
    for row in shown.to_dict("records"):
        assert row["Rule"] == rules.loc[row["Value"], "definition"]
        assert row["Example claim"] == rules.loc[row["Value"], "example_claim_id"]
        assert row["Example (verbatim)"] == quotes[row["Example claim"]]


def test_who_acts_is_split_by_modality_and_keeps_the_secretary_general_apart(executed_run, tables):
    shown = exported_table(executed_run, "methods-acts").set_index("Value")
    claims = tables["claims"]
    for acts, row in shown.iterrows():
        split = [int(row[label]) for label in MODALITY_LABELS.values()]
        assert split == [int(((claims["acts"] == acts) & (claims["modality"] == m)).sum()) for m in MODALITY_LABELS]
        assert sum(split) == int(row["Claims"])
    assert {"secretary-general", "un-system", "member-states"} <= set(shown.index)
    assert int(shown.loc["secretary-general", "Claims"]) == 14 and int(shown.loc["un-system", "Claims"]) == 16


def test_the_prose_counts_are_glued_from_the_claims(executed_run, tables):
    values = glued(executed_run)
    claims = tables["claims"]
    for modality in MODALITY_LABELS:
        assert values[f"methods-n-{modality}"] == str((claims["modality"] == modality).sum())
    assert (values["methods-n-asserted"], values["methods-n-hedged"], values["methods-n-question"]) == ("56", "22", "4")
    assert values["methods-n-acts-sg"] == str((claims["acts"] == "secretary-general").sum())
    assert values["methods-n-acts-none"] == str((claims["acts"] == "none").sum())
    items = tables["claim_items"]
    assert values["methods-n-items"] == str(len(items))
    assert values["methods-n-item-claims"] == str(items["claim_id"].nunique())
    assert values["methods-n-lead-in-claims"] == str(claims["lead_in"].notna().sum())


def test_the_coding_rules_no_longer_describe_stances_fragments_or_coded_lead_ins():
    text = (paths.CHAPTERS_DIR / f"{CHAPTER}.md").read_text(encoding="utf-8")
    assert "un_stance" not in text and "stance" not in text.lower()
    assert "inheriting" not in text and "Lead-ins are coded too" not in text
    assert "**Lead-ins are not claims.**" in text and "**List members are items, not claims.**" in text
    assert "question, then proposed, then reported, then hedged, then asserted" in text  # the precedence


# -- coverage, dictionary, provenance ---------------------------------------------------------------


def test_coverage_counts_every_claim_and_excepts_only_the_bare_lead_in(executed_run, tables):
    coverage = exported_table(executed_run, "methods-coverage")
    assert list(coverage["section"]) == list(CODED_SECTIONS)
    lead_ins = coverage["lead_ins_only"].astype(int)
    assert (coverage["coded"].astype(int) == coverage["passages"].astype(int) - lead_ins).all()
    assert dict(zip(coverage["section"], lead_ins)) == {s: int(s == "key-findings") for s in CODED_SECTIONS}
    assert coverage["claims"].astype(int).sum() == len(tables["claims"])
    assert coverage["items"].astype(int).sum() == len(tables["claim_items"])
    assert glued(executed_run)["methods-bare-lead-ins"] == "'key-findings/p1'"
    assert "key-findings/p1" not in set(tables["claims"]["passage_id"])


def test_provenance_checks_find_no_problem(executed_run, tables):
    checks = exported_table(executed_run, "methods-provenance")
    assert len(checks) == 4
    assert (checks["problems"] == "0").all() and (checks["checked"].astype(int) > 0).all()
    quoted = len(tables["claims"]) + len(tables["claim_items"]) + len(tables["figures"])
    assert int(checks.loc[checks["check"].str.startswith("quotes"), "checked"].iloc[0]) == quoted


def test_every_table_is_checked_claim_items_and_outcomes_included(executed_run, tables):
    per_table = exported_table(executed_run, "methods-table-checks").set_index("table")
    assert list(per_table.index) == list(tables)
    assert {"claim_items", "outcomes"} <= set(per_table.index)
    assert int(per_table.loc["outcomes", "rows"]) == len(tables["outcomes"])
    assert int(per_table.loc["claim_items", "rows"]) == len(tables["claim_items"])
    assert (per_table["problems"] == "0").all()


def test_the_outcomes_provenance_is_glued_from_the_table(executed_run, tables):
    values, outcomes = glued(executed_run), tables["outcomes"]
    assert values["methods-n-outcomes"] == str(len(outcomes))
    for word in ("direct", "second-hand", "unverified"):
        assert values[f"methods-n-outcomes-{word}"] == str((outcomes["confidence"] == word).sum())
    assert values["methods-n-outcomes-read"] == str(outcomes["read_at"].notna().sum())
    answered = {i for ids in outcomes["issue_ids"] for i in ids.split(";")}
    assert values["methods-n-issues-no-outcome"] == str(len(set(tables["issues"]["issue_id"]) - answered))


def test_dictionary_lists_every_field_of_the_descriptor(executed_run):
    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    dictionary = exported_table(executed_run, "methods-dictionary")
    assert len(dictionary) == sum(len(r["schema"]["fields"]) for r in descriptor["resources"])
    fields = dictionary.groupby("table").size()
    outcomes = next(r for r in descriptor["resources"] if r["name"] == "outcomes")
    assert fields["outcomes"] == len(outcomes["schema"]["fields"]) and fields["claim_items"] > 0
    outcome_fields = set(dictionary.loc[dictionary["table"] == "outcomes", "field"])
    assert {"confidence", "address", "publisher", "passage_ids"} <= outcome_fields
