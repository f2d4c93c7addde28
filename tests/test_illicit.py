"""Cluster 3 (compendium.illicit): frames on crafted inputs with known answers and on the real data,
every chart built and validated, and the chapter rerun with another `issues` setting."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, title_text, tooltip_fields

from compendium import illicit
from compendium.book import runner
from compendium.analysis import cluster_issue_ids, comparison_for_issues, issue_positions, survey_vs_meeting

CHAPTER = "illicit-globalization"


@pytest.fixture(scope="module")
def issue_ids(tables):
    return cluster_issue_ids(tables["issues"], illicit.CLUSTER)


@pytest.fixture(scope="module")
def positions(tables, best_placed, issue_ids):
    return issue_positions(tables["claims"], tables["issues"], best_placed, issue_ids)


# --- issues and stances --------------------------------------------------------------------------


def test_claim_units_number_claims_within_each_issue():
    claims = pd.DataFrame(
        {
            "issue_id": ["b", "a", "a", "b"],
            "un_stance": ["un-should-lead", "no-position", "un-should-convene-support", "no-position"],
            "section": ["key-findings", "cluster-3", "cluster-3", "cluster-3"],
            "passage_id": ["key-findings/b2", "cluster-3/p1", "cluster-3/p1", "cluster-3/p2"],
            "quote": ["gap b", "qa1", "qa2", "qb1"],
        }
    )
    positions = pd.DataFrame({"issue_id": ["a", "b", "c"], "issue": ["Issue A", "Issue B", "Issue C"]})
    units = illicit.claim_units(claims, positions)
    assert list(zip(units["issue"], units["position"])) == [("Issue B", 1), ("Issue A", 1), ("Issue A", 2), ("Issue B", 2)]
    assert units["stance_label"].tolist() == ["UN should lead", "No position", "UN should convene or support", "No position"]


def test_claim_units_on_the_real_data(tables, positions):
    units = illicit.claim_units(tables["claims"], positions)
    slavery = units[units["issue"] == "Modern slavery and human trafficking"]
    assert len(slavery) == 6 and slavery["position"].tolist() == [1, 2, 3, 4, 5, 6]
    assert slavery["section"].tolist() == ["key-findings"] + ["cluster-3"] * 5
    assert (units["issue"] == "Maritime security").sum() == 0


def test_agreement_of_one_issue(tables, best_placed, issue_ids):
    comparison = comparison_for_issues(survey_vs_meeting(tables["claims"], tables["issues"], best_placed), issue_ids)
    assert illicit.agreement_of(comparison, "illicit-flows") == "partly agree"
    assert illicit.agreement_of(comparison, "migration") == "disagree"


# --- estimates and the unsourced figure ------------------------------------------------------------


def test_cluster_estimates_on_the_real_data(tables):
    estimates = illicit.cluster_estimates(tables["context"], tables["claims"], 3)
    assert set(estimates["subject"]) == set(illicit.DEFAULT_SUBJECTS)
    slavery = estimates.set_index("context_id").loc["slavery-2014"]
    assert (slavery["value"], slavery["unit"], slavery["publisher"], slavery["year"]) == (
        35.8, "million people", "Walk Free Foundation", 2014)
    assert slavery["meeting_says"] == "The issue of slavery lacks attention"
    assert set(estimates["unit"]) == {"million people", "USD trn", "deaths"}
    only = illicit.cluster_estimates(tables["context"], tables["claims"], 3, ["illicit drug use"])
    assert set(only["publisher"]) == {"UNODC"} and len(only) == 3


def test_estimates_table_joins_value_and_unit(tables):
    table = illicit.estimates_table(illicit.cluster_estimates(tables["context"], tables["claims"], 3))
    row = table.set_index("What is estimated").loc["people in modern slavery, 2014"]
    assert row["Estimate"] == "35.8 million people" and row["Confidence"] == "second-hand"
    assert row["Publisher, document"] == "Walk Free Foundation, Global Slavery Index 2014"
    assert "drug-related deaths, 2013" in set(table["What is estimated"]) and "outflows in 2013" in set(
        table["What is estimated"])  # the year is not repeated when the label has it


@pytest.mark.parametrize("subjects", [["nuclear warheads"], ["modern slavery", "slavery"]])
def test_cluster_estimates_rejects_unknown_subjects(tables, subjects):
    with pytest.raises(ValueError, match="no cluster 3 estimates on"):
        illicit.cluster_estimates(tables["context"], tables["claims"], 3, subjects)


def test_context_row(tables):
    row = illicit.context_row(tables["context"], "forced-labour-2012")
    assert row["value"] == 20.9 and row["publisher"] == "ILO"


def test_unsourced_figures_finds_only_the_guinea_bissau_figure(tables):
    unsourced = illicit.unsourced_figures(tables["figures"], tables["ledger"], illicit.SECTION)
    assert unsourced["figure_id"].tolist() == ["guinea-bissau-jobs"]
    assert unsourced["value"].iloc[0] == 50000 and unsourced["verdict"].iloc[0] == "no-source-found"
    table = illicit.unsourced_table(unsourced).set_index("")["guinea-bissau-jobs"]
    assert table["Figure as stated"] == "50,000 jobs per year" and table["Public source"] == "none found"
    assert table["Ledger verdict"] == "no source found" and table["Passage"] == "cluster-3/p7"
    assert illicit.unsourced_figures(tables["figures"], tables["ledger"], "cluster-1").empty


def test_unsourced_figures_on_crafted_frames():
    figures = pd.DataFrame({"figure_id": ["x", "y"], "passage_id": ["cluster-3/p1", "cluster-3/p2"],
                            "value": [1.0, 2.0], "note": ["", ""]})
    ledger = pd.DataFrame({"figure_id": ["x", "y"], "verdict": ["supported", "no-source-found"],
                           "confidence": ["direct", "not-found"], "note": ["", "none"]})
    frame = illicit.unsourced_figures(figures, ledger, "cluster-3")
    assert frame["figure_id"].tolist() == ["y"] and frame["ledger_note"].tolist() == ["none"]


# --- charts ------------------------------------------------------------------------------------------


def test_stance_units_chart_states_the_unsurveyed_stances(tables, positions):
    spec = chart_spec(illicit.stance_units_chart(illicit.claim_units(tables["claims"], positions), positions))
    title = title_text(spec)
    assert "Where the survey did not ask" in title
    assert "“UN should lead” on 2 issues" in title and "“UN not well placed” on 1 issue" in title
    assert {"passage_id", "quote", "stance_label"} <= tooltip_fields(spec)


def test_stance_units_chart_without_unsurveyed_issues(tables, best_placed):
    positions = issue_positions(tables["claims"], tables["issues"], best_placed, ["migration", "drug-control"])
    spec = chart_spec(illicit.stance_units_chart(illicit.claim_units(tables["claims"], positions), positions))
    assert title_text(spec) == "The meeting says “UN should lead” on 2 issues"


def test_estimates_chart_gives_each_unit_its_own_chart(tables):
    estimates = illicit.cluster_estimates(tables["context"], tables["claims"], 3)
    spec = chart_spec(illicit.estimates_chart(estimates))
    assert len(spec["vconcat"]) == 3
    assert {panel["title"]["text"] for panel in spec["vconcat"]} == {"million people", "USD trn", "deaths"}
    title = title_text(spec)
    assert "35.8 m people in modern slavery (2014)" in title and "20.9 m in forced labour (2012)" in title
    assert {"publisher", "document", "confidence", "passage_id", "meeting_says"} <= tooltip_fields(spec)


def test_estimates_chart_title_without_slavery(tables):
    estimates = illicit.cluster_estimates(tables["context"], tables["claims"], 3, ["illicit drug use"])
    spec = chart_spec(illicit.estimates_chart(estimates))
    assert title_text(spec).startswith("Largest estimate shown: drug-related deaths, 187,100 deaths (UNODC, 2013)")


# --- the chapter, rerun with another setting ----------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return run_plans(tmp_path_factory.mktemp("runs"), default=runner.plan_runs([CHAPTER]),
                     changed=runner.plan_runs([CHAPTER], overrides={"issues": ["migration", "drug-control"]}))


def test_chapter_runs_and_exports_its_charts_and_tables(runs):
    folder = runs["default"].folder
    assert runs["default"].status == "ok", runs["default"].error
    for name in ("c3-fig-survey", "c3-fig-stances", "c3-fig-estimates"):
        assert (folder / "charts" / f"{name}.vl.json").is_file() and (folder / "charts" / f"{name}.png").is_file()
    for name in ("c3-claims", "c3-survey-vs-meeting", "c3-stances", "c3-estimates", "c3-unsourced"):
        assert (folder / "tables" / f"{name}.csv").is_file()


def test_issues_setting_changes_the_exported_outputs(runs):
    assert runs["changed"].status == "ok", runs["changed"].error
    default, changed = (pd.read_csv(runs[k].folder / "tables" / "c3-stances.csv") for k in ("default", "changed"))
    assert len(default) == 7
    assert changed["Issue"].tolist() == ["Migration and forced displacement", "Drug control policies"]
    survey = pd.read_csv(runs["changed"].folder / "tables" / "c3-survey-vs-meeting.csv")
    assert survey["Survey issue"].tolist() == ["Migration", "Drug control policies"]
    claims = pd.read_csv(runs["changed"].folder / "tables" / "c3-claims.csv")
    assert set(claims["Issue"]) == {"Migration and forced displacement", "Drug control policies"}
    spec = exported_spec(runs["changed"].folder, "c3-fig-stances")
    assert title_text(spec) == "The meeting says “UN should lead” on 2 issues"
    assert runs["changed"].record["overrides"] == {"issues": ["migration", "drug-control"]}
