"""Cluster 3, illicit globalization: the executed chapter's exported charts and tables (titles that
state the computed findings, tooltips that carry the source text, one square per claim, the
unsourced figure), and the chapter rerun with other settings."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields

from compendium.book import runner

CHAPTER = "illicit-globalization"


@pytest.fixture(scope="module")
def folder(executed_run):
    return executed_run(CHAPTER).folder


def dataset_rows(spec: dict, field: str) -> list[dict]:
    """The rows of every inline dataset of the spec that carry ``field``."""
    return [row for rows in spec.get("datasets", {}).values() for row in rows if field in row]


def test_chapter_exports_its_charts_and_tables(folder):
    for name in ("c3-fig-survey", "c3-fig-stances", "c3-fig-estimates"):
        assert (folder / "charts" / f"{name}.vl.json").is_file() and (folder / "charts" / f"{name}.png").is_file()
        assert exported_spec(folder, name).get("description", "").strip()
    for name in ("c3-claims", "c3-survey-vs-meeting", "c3-stances", "c3-estimates", "c3-unsourced"):
        assert (folder / "tables" / f"{name}.csv").is_file()


# --- issues and stances ------------------------------------------------------------------------------


def test_survey_comparison_sets_the_two_answers_side_by_side(folder):
    table = pd.read_csv(folder / "tables" / "c3-survey-vs-meeting.csv").set_index("Survey issue")
    assert table.loc["Illicit flows", "Agreement"] == "partly agree"
    assert table.loc["Migration", "Agreement"] == "disagree"
    assert table.loc["Migration", "Passage"] == "key-findings/b2"  # the stance comes from the key findings
    assert table.loc["Maritime security", "Meeting's stance on the UN's role"] == "Not discussed"


def test_stances_chart_states_the_unsurveyed_stances(folder):
    spec = exported_spec(folder, "c3-fig-stances")
    title = title_text(spec)
    assert title.startswith("Where the survey did not ask")
    assert "“UN should lead” on 2 issues" in title and "“UN not well placed” on 1 issue" in title
    assert {"passage_id", "quote", "stance_label", "claims"} <= tooltip_fields(spec)


def test_stances_chart_numbers_each_claim_within_its_issue(folder):
    squares = pd.DataFrame(dataset_rows(exported_spec(folder, "c3-fig-stances"), "position"))
    slavery = squares[squares["issue"] == "Modern slavery and human trafficking"]
    assert slavery["position"].tolist() == [1, 2, 3, 4, 5, 6]
    assert slavery["section"].tolist() == ["key-findings"] + ["cluster-3"] * 5
    assert slavery["row"].iloc[0] == "Modern slavery and human trafficking\n(not in the survey)"
    assert not (squares["issue"] == "Maritime security").any()  # no claim is coded to it
    assert set(squares["stance_label"]) <= {"UN should lead", "UN should convene or support", "UN not well placed",
                                            "No position"}


def test_stances_table_has_every_issue_of_the_cluster(folder):
    table = pd.read_csv(folder / "tables" / "c3-stances.csv", keep_default_na=False).set_index("Issue")
    assert len(table) == 7
    assert table.loc["Informal economies", "Meeting's stance on the UN's role"] == "UN not well placed"
    assert table.loc["Modern slavery and human trafficking", "Survey's best-placed actor"] == "(not asked)"


# --- published estimates and the unsourced figure ----------------------------------------------------


def test_estimates_chart_gives_each_unit_its_own_panel(folder):
    spec = exported_spec(folder, "c3-fig-estimates")
    assert [panel["title"]["text"] for panel in spec["vconcat"]] == ["million people", "USD trn", "deaths"]
    title = title_text(spec)
    assert "Walk Free Foundation counts 35.8 m people in modern slavery (2014)" in title
    assert "the ILO 20.9 m in forced labour (2012)" in title
    assert {"publisher", "document", "confidence", "note", "passage_id", "meeting_says"} <= tooltip_fields(spec)


def test_estimates_table_joins_value_unit_and_source(folder):
    table = pd.read_csv(folder / "tables" / "c3-estimates.csv").set_index("What is estimated")
    row = table.loc["people in modern slavery, 2014"]
    assert row["Estimate"] == "35.8 million people" and row["Confidence"] == "second-hand"
    assert row["Publisher, document"] == "Walk Free Foundation, Global Slavery Index 2014"
    # the year is added to a label only when the label lacks it
    assert {"drug-related deaths, 2013", "outflows in 2013"} <= set(table.index)
    assert table.loc["drug-related deaths, 2013", "Estimate"] == "187,100 deaths"


def test_unsourced_table_holds_only_the_guinea_bissau_figure(folder):
    table = pd.read_csv(folder / "tables" / "c3-unsourced.csv", index_col=0)
    assert table.columns.tolist() == ["guinea-bissau-jobs"]
    figure = table["guinea-bissau-jobs"]
    assert figure["Figure as stated"] == "50,000 jobs per year" and figure["Public source"] == "none found"
    assert figure["Ledger verdict"] == "no source found" and figure["Passage"] == "cluster-3/p7"
    assert figure["The meeting says"] == "the number of jobs generated is 50,000 annually"


# --- the chapter, rerun with other settings -------------------------------------------------------------


CHANGED = {"issues": ["migration", "drug-control"], "context_subjects": ["illicit drug use"]}


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    return run_plans(tmp_path_factory.mktemp("runs"),
                     changed=runner.plan_runs([CHAPTER], overrides=CHANGED))["changed"]


@pytest.mark.chapters
def test_settings_change_the_exported_outputs(changed, folder):
    assert changed.status == "ok", changed.error
    assert changed.record["overrides"] == CHANGED
    stances = pd.read_csv(changed.folder / "tables" / "c3-stances.csv")
    assert stances["Issue"].tolist() == ["Migration and forced displacement", "Drug control policies"]
    survey = pd.read_csv(changed.folder / "tables" / "c3-survey-vs-meeting.csv")
    assert survey["Survey issue"].tolist() == ["Migration", "Drug control policies"]
    claims = pd.read_csv(changed.folder / "tables" / "c3-claims.csv")
    assert set(claims["Issue"]) == {"Migration and forced displacement", "Drug control policies"}
    # every issue shown was surveyed: the title counts stances on all of them
    assert title_text(exported_spec(changed.folder, "c3-fig-stances")) == "The meeting says “UN should lead” on 2 issues"


@pytest.mark.chapters
def test_estimates_follow_the_chosen_subjects(changed, folder):
    estimates = pd.read_csv(changed.folder / "tables" / "c3-estimates.csv")
    assert len(estimates) == 3 and set(estimates["Publisher, document"]) == {"UNODC, World Drug Report 2015"}
    spec = exported_spec(changed.folder, "c3-fig-estimates")
    # without slavery and forced labour the title names the largest estimate shown
    assert title_text(spec).startswith("Largest estimate shown: drug-related deaths, 187,100 deaths (UNODC, 2013)")
    assert len(spec["vconcat"]) == 2
    # the prose numbers do not depend on the settings
    assert (changed.folder / "tables" / "c3-unsourced.csv").read_bytes() == (
        folder / "tables" / "c3-unsourced.csv").read_bytes()
