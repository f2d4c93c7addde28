"""Cluster 3 (compendium.illicit): frames on crafted inputs with known answers and on the real data,
every chart built and validated, and the chapter rerun with another `issues` setting."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import vl_convert as vlc

from compendium import illicit, paths, runner
from compendium.analysis import survey_best_placed
from compendium.data import load_tables

CHAPTER = "illicit-globalization"


@pytest.fixture(scope="module")
def tables():
    return load_tables(paths.DATA_DIR)


@pytest.fixture(scope="module")
def best_placed(document, tables):
    return survey_best_placed(document, tables["issues"])


@pytest.fixture(scope="module")
def issue_ids(tables):
    return illicit.cluster_issue_ids(tables["issues"], illicit.CLUSTER)


@pytest.fixture(scope="module")
def positions(tables, best_placed, issue_ids):
    return illicit.issue_positions(tables["claims"], tables["issues"], best_placed, issue_ids)


def claims_frame(rows):
    return pd.DataFrame(rows, columns=["claim_id", "passage_id", "quote", "section", "issue_id", "claim_type", "un_stance"])


ISSUES = pd.DataFrame(
    {
        "issue_id": ["a", "b", "c", "z"],
        "label": ["Issue A", "Issue B", "Issue C", "Elsewhere"],
        "cluster": pd.array([3, 3, 3, 4], dtype="Int64"),
        "survey_label": ["A", "", "", "Z"],
    }
)
BEST_PLACED = pd.DataFrame(
    {"issue_id": ["a", "a", "z"], "actor_label": ["CSOs", "UN/UN agencies", "Think tanks"],
     "actor_id": ["civil-society", "un-system", "think-tanks"]}
)
CLAIMS = claims_frame(
    [
        ("k#1", "key-findings/b2", "gap b", "key-findings", "b", "diagnosis", "un-should-lead"),
        ("a#1", "cluster-3/p1", "qa1", "cluster-3", "a", "finding", "no-position"),
        ("a#2", "cluster-3/p1", "qa2", "cluster-3", "a", "recommendation", "un-should-convene-support"),
        ("b#1", "cluster-3/p2", "qb1", "cluster-3", "b", "diagnosis", "no-position"),
    ]
)


# --- issues and stances --------------------------------------------------------------------------


def test_cluster_issue_ids_keeps_table_order_and_filters(tables):
    every = illicit.cluster_issue_ids(tables["issues"], 3)
    assert every == ["illicit-globalization", "illicit-flows", "migration", "maritime-security", "drug-control",
                     "modern-slavery", "informal-economies"]
    assert illicit.cluster_issue_ids(tables["issues"], 3, ["drug-control", "migration"]) == ["migration", "drug-control"]
    assert illicit.cluster_issue_ids(ISSUES, 3) == ["a", "b", "c"]


@pytest.mark.parametrize("chosen, named", [(["r2p"], "r2p"), (["migration", "nope"], "nope"), (["z"], "z")])
def test_cluster_issue_ids_rejects_issues_outside_the_cluster(tables, chosen, named):
    frame = ISSUES if chosen == ["z"] else tables["issues"]
    with pytest.raises(ValueError, match=f"not a cluster 3 issue: {named}.*valid:"):
        illicit.cluster_issue_ids(frame, 3, chosen)


def test_issue_positions_on_crafted_frames():
    frame = illicit.issue_positions(CLAIMS, ISSUES, BEST_PLACED, ["a", "b", "c"]).set_index("issue_id")
    assert list(frame.index) == ["a", "b", "c"]
    assert frame.loc["a", "stance_label"] == "UN should convene or support" and frame.loc["a", "quote"] == "qa2"
    assert frame.loc["a", "surveyed"] and frame.loc["a", "survey_actors"] == "CSOs / UN/UN agencies"
    # b's only positioned claim is in the key findings; the survey did not ask about it
    assert frame.loc["b", "stance_label"] == "UN should lead" and frame.loc["b", "passage_id"] == "key-findings/b2"
    assert not frame.loc["b", "surveyed"] and frame.loc["b", "survey_actors"] == ""
    assert frame.loc["c", "stance_label"] == illicit.NOT_DISCUSSED and frame.loc["c", "claims"] == 0


def test_issue_positions_on_the_real_data(positions):
    frame = positions.set_index("issue_id")
    assert frame.loc["modern-slavery", "meeting_stance"] == "un-should-lead"
    assert frame.loc["modern-slavery", "passage_id"] == "key-findings/b2"
    assert frame.loc["informal-economies", "meeting_stance"] == "un-not-well-placed"
    assert frame.loc["informal-economies", "passage_id"] == "cluster-3/p7"
    assert frame.loc["maritime-security", "stance_label"] == "Not discussed"
    assert frame.loc["illicit-flows", "meeting_stance"] == "un-should-convene-support"
    assert set(frame.index[~frame["surveyed"]]) == {"illicit-globalization", "modern-slavery", "informal-economies"}
    assert frame.loc["drug-control", "survey_actors"] == "Think tanks"


def test_claim_units_number_claims_within_each_issue():
    positions = illicit.issue_positions(CLAIMS, ISSUES, BEST_PLACED, ["a", "b", "c"])
    units = illicit.claim_units(CLAIMS, positions)
    assert list(zip(units["issue"], units["position"])) == [("Issue B", 1), ("Issue A", 1), ("Issue A", 2), ("Issue B", 2)]
    assert units["stance_label"].tolist() == ["UN should lead", "No position", "UN should convene or support", "No position"]


def test_claim_units_on_the_real_data(tables, positions):
    units = illicit.claim_units(tables["claims"], positions)
    slavery = units[units["issue"] == "Modern slavery and human trafficking"]
    assert len(slavery) == 6 and slavery["position"].tolist() == [1, 2, 3, 4, 5, 6]
    assert slavery["section"].tolist() == ["key-findings"] + ["cluster-3"] * 5
    assert (units["issue"] == "Maritime security").sum() == 0


def test_cluster_comparison_is_the_shared_frame_for_the_cluster(tables, best_placed, issue_ids):
    comparison = illicit.cluster_comparison(tables["claims"], tables["issues"], best_placed, issue_ids)
    agreement = dict(zip(comparison["issue_id"], comparison["agreement"]))
    assert agreement == {"migration": "disagree", "illicit-flows": "partly agree",
                         "maritime-security": "no meeting position", "drug-control": "disagree"}
    assert not comparison["survey_includes_un"].any()
    assert illicit.agreement_of(comparison, "illicit-flows") == "partly agree"
    table = illicit.comparison_table(comparison)
    assert list(table["Survey issue"]) == ["Migration", "Illicit flows", "Maritime security", "Drug control policies"]
    assert set(table["Survey names the UN"]) == {"no"}


def test_positions_table_names_unasked_issues(positions):
    table = illicit.positions_table(positions).set_index("Issue")
    assert table.loc["Informal economies", "Survey's best-placed actor"] == "(not asked)"
    assert table.loc["Migration and forced displacement", "Survey's best-placed actor"] == "Regional organizations"


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


def test_readable_hides_row_numbers_and_escapes_html():
    html = illicit.readable(pd.DataFrame({"a": ["<b>x</b>"], "b": [None]})).to_html()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "text-align: left" in html
    assert 'class="row_heading' not in html


@pytest.mark.parametrize("subjects", [["nuclear warheads"], ["modern slavery", "slavery"]])
def test_cluster_estimates_rejects_unknown_subjects(tables, subjects):
    with pytest.raises(ValueError, match="no cluster 3 estimates on"):
        illicit.cluster_estimates(tables["context"], tables["claims"], 3, subjects)


def test_context_row_and_sources_line(tables):
    row = illicit.context_row(tables["context"], "forced-labour-2012")
    assert row["value"] == 20.9 and row["publisher"] == "ILO"
    crafted = pd.DataFrame({"publisher": ["P", "P", "Q"], "document": ["D", "D", "E"], "year": [2014, 2014, 2013],
                            "confidence": ["direct", "direct", "second-hand"]})
    assert illicit.sources_line(crafted) == "P, D (2014; direct); Q, E (2013; second-hand)"


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


def tooltip_fields(spec: dict) -> set[str]:
    """Every field named in a tooltip anywhere in a Vega-Lite spec."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            tooltip = node.get("tooltip")
            if isinstance(tooltip, list):
                found.update(t["field"] for t in tooltip if isinstance(t, dict) and "field" in t)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def title_text(spec: dict) -> str:
    title = spec["title"]["text"]
    return " ".join(title) if isinstance(title, list) else title


def check(chart) -> dict:
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    assert vlc.vegalite_to_svg(spec).startswith("<svg")
    assert spec["description"].strip()
    return spec


def test_survey_chart_counts_this_clusters_issues(tables, best_placed, issue_ids):
    comparison = illicit.cluster_comparison(tables["claims"], tables["issues"], best_placed, issue_ids)
    spec = check(illicit.cluster_survey_chart(comparison, 3))
    assert title_text(spec) == "The meeting's stance matches the survey on 0 of 4 surveyed issues"
    assert "4 issues of cluster 3" in spec["description"] and "eleven" not in spec["description"]
    assert {"passage_id", "quote", "survey_actors"} <= tooltip_fields(spec)


def test_stance_units_chart_states_the_unsurveyed_stances(tables, positions):
    spec = check(illicit.stance_units_chart(illicit.claim_units(tables["claims"], positions), positions))
    title = title_text(spec)
    assert "Where the survey did not ask" in title
    assert "“UN should lead” on 2 issues" in title and "“UN not well placed” on 1 issue" in title
    assert {"passage_id", "quote", "stance_label"} <= tooltip_fields(spec)


def test_stance_units_chart_without_unsurveyed_issues(tables, best_placed):
    positions = illicit.issue_positions(tables["claims"], tables["issues"], best_placed, ["migration", "drug-control"])
    spec = check(illicit.stance_units_chart(illicit.claim_units(tables["claims"], positions), positions))
    assert title_text(spec) == "The meeting says “UN should lead” on 2 issues"


def test_estimates_chart_gives_each_unit_its_own_chart(tables):
    estimates = illicit.cluster_estimates(tables["context"], tables["claims"], 3)
    spec = check(illicit.estimates_chart(estimates))
    assert len(spec["vconcat"]) == 3
    assert {panel["title"]["text"] for panel in spec["vconcat"]} == {"million people", "USD trn", "deaths"}
    title = title_text(spec)
    assert "35.8 m people in modern slavery (2014)" in title and "20.9 m in forced labour (2012)" in title
    assert {"publisher", "document", "confidence", "passage_id", "meeting_says"} <= tooltip_fields(spec)


def test_estimates_chart_title_without_slavery(tables):
    estimates = illicit.cluster_estimates(tables["context"], tables["claims"], 3, ["illicit drug use"])
    spec = check(illicit.estimates_chart(estimates))
    assert title_text(spec).startswith("Largest estimate shown: drug-related deaths, 187,100 deaths (UNODC, 2013)")


# --- the chapter, rerun with another setting ----------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    plan = runner.plan_runs([CHAPTER]) + runner.plan_runs(
        [CHAPTER], overrides={"issues": ["migration", "drug-control"]})
    results = runner.run_chapters(plan, runs_dir=tmp_path_factory.mktemp("runs"), jobs=2, progress=False)
    return dict(zip(["default", "changed"], results, strict=True))


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
    spec = json.loads((runs["changed"].folder / "charts" / "c3-fig-stances.vl.json").read_text())
    assert title_text(spec) == "The meeting says “UN should lead” on 2 issues"
    assert runs["changed"].record["overrides"] == {"issues": ["migration", "drug-control"]}
