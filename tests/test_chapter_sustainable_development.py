"""Cluster 4, sustainable development: the executed chapter's exported charts and tables (the claims
ledger with verdicts no stronger than the leads, UN appeal requirements against the claimed 400% and
on to the latest appeal, what the 17 years measures and whom it covers (and the prose's glued counts),
Oxfam's counts and their changes of method, the survey beside the meeting, what happened next),
their titles stating the computed findings and their tooltips the sources; the chapter rerun with
other settings."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields

from compendium.book import runner
from compendium.data.tables import load_outcomes

CHAPTER = "sustainable-development"


@pytest.fixture(scope="module")
def folder(executed_run):
    return executed_run(CHAPTER).folder


def layer_values(spec: dict, field: str) -> list:
    """Values of ``field`` in every inline dataset of the spec."""
    return [row[field] for rows in spec.get("datasets", {}).values() for row in rows if field in row]


def glued(folder) -> dict[str, str]:
    """The values the executed chapter glued into its prose, by name (as text)."""
    notebook = json.loads((folder / f"{CHAPTER}.ipynb").read_text(encoding="utf-8"))
    return {output["metadata"]["scrapbook"]["name"]: output["data"]["application/papermill.record/text/plain"]
            for cell in notebook["cells"] for output in cell.get("outputs", [])
            if "scrapbook" in output.get("metadata", {})
            and "application/papermill.record/text/plain" in output.get("data", {})}


def dataset_frame(spec: dict, field: str) -> pd.DataFrame:
    """The rows of the spec's inline datasets that carry ``field``, as one frame."""
    return pd.DataFrame([row for rows in spec.get("datasets", {}).values() for row in rows if field in row])


def test_chapter_exports_its_charts_and_tables(folder):
    for name in ("c4-fig-appeals", "c4-fig-displacement", "c4-fig-oxfam"):
        assert (folder / "charts" / f"{name}.vl.json").is_file() and (folder / "charts" / f"{name}.svg").is_file()
        assert exported_spec(folder, name).get("description", "").strip()
    for name in ("c4-claims", "c4-figures", "c4-ledger", "c4-appeal-rise", "c4-appeals", "c4-oxfam",
                 "c4-survey-beside-meeting", "c4-sentences", "c4-outcomes"):
        assert (folder / "tables" / f"{name}.csv").is_file()
    # the agreement chart and the stance table scored survey against meeting (issue 12); the verdict chart
    # counted readings, a count that means little beside the ledger's table: all gone
    for gone in ("charts/c4-fig-survey.vl.json", "charts/c4-fig-verdicts.vl.json", "tables/c4-survey-vs-meeting.csv",
                 "tables/c4-stances.csv"):
        assert not (folder / gone).exists()


def test_claims_table_keeps_each_sentence_at_its_strength(folder):
    table = pd.read_csv(folder / "tables" / "c4-claims.csv", keep_default_na=False).set_index("Claim")
    assert len(table) == 22
    assert table.loc["cluster-4/p4#2", "How it is put"] == "Proposed at the meeting"
    assert table.loc["cluster-4/p3#2", "How it is put"] == "Question"
    assert table.loc["cluster-4/p6#2", "How it is put"] == "Reported view"
    assert table.loc["cluster-4/p6#2", "Who acts"] == "Secretary-General"
    assert table.loc["cluster-4/p2#6", "How it is put"] == "Hedged"


# --- the ledger ----------------------------------------------------------------------------------------


def test_figures_table_states_each_figure_as_the_meeting_does(folder):
    table = pd.read_csv(folder / "tables" / "c4-figures.csv")
    assert len(table) == 8
    assert table["Figure"].tolist()[:3] == ["at least 400 percent increase", "80 percent of humanitarian costs",
                                            "17 years"]
    # a dated statement keeps the meeting's own words
    assert table.loc[3, "Figure"] == "the World Humanitarian Summit in 2016"
    assert set(table["Passage"]) == {"cluster-4/p1", "cluster-4/p5"}


def test_ledger_table_sets_each_reading_beside_its_figure(folder):
    table = pd.read_csv(folder / "tables" / "c4-ledger.csv")
    assert len(table) == 25
    first = table.iloc[0]
    assert first["Figure"] == "at least 400 percent increase"
    assert first["What the source shows"] == "1.922 USD bn: UN consolidated appeal requirements"
    assert first["Source"] == "United Nations, Yearbook of the United Nations 2000 (2000)"
    assert "requirements" in first["Verdict"] and "nominal" in first["Verdict"]
    not_found = table[table["Confidence"] == "not-found"].iloc[0]
    assert not_found["Source"] == "—" and not_found["What the source shows"].startswith("nothing found: ")
    assert not_found["Verdict"].startswith("no source found: No source found")
    summit = table[table["Figure"] == "the World Humanitarian Summit in 2016"].iloc[0]
    assert summit["What the source shows"].startswith("2016-05-23/2016-05-24 date")
    assert summit["Source"] == "conference organisers (2016)"


def test_no_verdict_is_stronger_than_the_leads(folder):
    table = pd.read_csv(folder / "tables" / "c4-ledger.csv")
    assert not table["Verdict"].str.startswith("contradicted").any()
    years = table[table["Figure"] == "17 years"]
    assert len(years) == 4 and years["Verdict"].str.startswith("different measure: Covers refugees only").all()
    panel = table[table["Figure"] == "the High Level Panel on humanitarian costs in 2015"]
    assert panel["Verdict"].str.split(":").str[0].tolist() == ["different measure", "supported"]
    appointed = panel.iloc[1]
    assert appointed["What the source shows"].startswith(
        "2015-05-21 date: appointment of the High-Level Panel on Humanitarian Financing")
    assert appointed["Confidence"] == "direct"


def test_figures_table_says_which_figures_a_reading_supports_as_stated(folder):
    table = pd.read_csv(folder / "tables" / "c4-figures.csv").set_index("Figure")
    assert table["Readings"].sum() == 25
    assert table.loc["at least 400 percent increase", "Readings"] == 7
    assert table.loc["the High Level Panel on humanitarian costs in 2015", "Readings"] == 2
    not_supported = table.index[table["Supported as stated"] == "no"].tolist()
    assert not_supported == ["80 percent of humanitarian costs", "17 years"]
    assert (table["Supported as stated"] == "yes").sum() == 6


# --- UN appeal requirements, then and later ----------------------------------------------------------------


def test_appeal_rise_is_computed_from_the_ledger(folder):
    rise = pd.read_csv(folder / "tables" / "c4-appeal-rise.csv")
    assert rise["end_value"].tolist() == [17.9, 19.5] and set(rise["base_value"]) == {1.922}
    assert rise["rise_pct"].round(1).tolist() == [831.3, 914.6]  # 17.9 / 1.922 and 19.5 / 1.922
    assert rise["comparison"].tolist() == ["OCHA, 2014", "Development Initiatives, 2014"]


def test_appeal_chart_extends_the_requirements_and_marks_the_changes_of_measure(folder):
    spec = exported_spec(folder, "c4-fig-appeals")
    assert title_text(spec) == ("UN appeal requirements rose 831–915% from 2000 to 2014: more than double the "
                                "claimed 'at least 400%'; at launch they peaked at USD 51.5 bn for 2023")
    assert layer_values(spec, "level") == [pytest.approx(1.922 * 5)]  # 400% above the 2000 value
    points = pd.read_csv(folder / "tables" / "c4-appeals.csv")
    series = points.groupby("series", sort=False)["year"].apply(list).to_dict()
    assert series == {
        "Requirements (claims ledger)": [2000, 2004, 2014, 2014],
        "Requirements at launch (Global Humanitarian Overview)": [2016, 2020, 2023, 2024, 2025],
        "At launch, on a narrower method": [2026],
    }
    assert points.set_index("year").loc[2025, "value_text"] == "about 47"
    assert "narrower method" in points.set_index("year").loc[2026, "note"]
    assert {"source", "confidence", "note", "measure", "passage_id", "quote"} <= tooltip_fields(spec)
    assert "nominal" in spec["layer"][0]["encoding"]["y"]["title"]
    # labels: every ledger value, the first, highest and last launch figure; the lower 2014 value below its point
    labelled = points[points["labelled"]]
    assert labelled["year"].tolist() == [2000, 2004, 2014, 2014, 2016, 2023, 2025, 2026]
    assert points.loc[points["below"], "value"].tolist() == [17.9]


# --- displacement: how long, and whom the measures cover ------------------------------------------------------


def test_displacement_chart_says_what_the_figure_measures_and_whom_it_covers(folder):
    spec = exported_spec(folder, "c4-fig-displacement")
    title = title_text(spec)
    assert title.startswith("The meeting's 17 years is UNHCR's average duration of major protracted refugee "
                            "situations (2004); refugees' own years in exile (World Bank)")
    assert "mean 10.3, median 4" in title
    assert title.endswith("Every measure found covers refugees only, not the internally displaced")
    assert layer_values(spec, "years") == [17]
    bars = dataset_frame(spec, "source_value")
    assert bars["source_value"].tolist() == [9.0, 17.0, 10.3, 4.0]  # by measure, then year
    assert bars["verdict_label"].unique().tolist() == ["different measure"]
    assert bars["counts"].tolist() == ["How long refugee situations had lasted"] * 2 + [
        "Years each refugee had spent in exile"] * 2
    assert bars["label"].iloc[1].replace("\n", " ") == (
        "Average duration of major protracted refugee situations (UNHCR, 2004)")
    assert {"measure", "covers", "publisher", "document", "confidence", "passage_id", "quote"} <= tooltip_fields(spec)


def test_prose_names_whom_the_measures_leave_out(folder):
    values = glued(folder)
    assert (values["c4-displaced-year"], values["c4-displaced-total"], values["c4-displaced-refugees"],
            values["c4-displaced-idps"]) == ("2015", "65.3", "21.3", "40.8")
    assert (values["c4-displaced-last"], values["c4-displaced-last-year"], values["c4-displaced-wider-year"],
            values["c4-displaced-last-confidence"]) == ("123.2", "2024", "2020", "'second-hand'")
    assert (values["c4-hlp-appointed"], values["c4-hlp-report"]) == ("'May 2015'", "'Jan 2016'")


# --- Oxfam's counts -----------------------------------------------------------------------------------------


def test_oxfam_counts_mark_the_revision_and_the_later_reports(folder):
    counts = pd.read_csv(folder / "tables" / "c4-oxfam.csv")
    assert list(zip(counts["year"], counts["people"])) == [(2014, 85), (2015, 80), (2016, 62), (2016, 9), (2017, 8),
                                                           (2018, 42), (2019, 26)]
    assert counts["revised"].tolist() == [False, False, False, True, False, False, False]
    assert counts["published"].tolist() == [2014, 2015, 2016, 2017, 2017, 2018, 2019]
    assert "method_change" not in counts.columns
    assert counts["series"].tolist() == (["Reports before 2017"] * 3 + ["2017 report's new data"] * 2
                                         + ["Later reports (second-hand)"] * 2)
    assert set(counts["confidence"].iloc[-2:]) == {"second-hand"}
    assert 2153 not in set(counts["people"])  # the 2020 billionaires count is another measure, not a point


def test_oxfam_chart_marks_both_changes_of_method(folder):
    spec = exported_spec(folder, "c4-fig-oxfam")
    title = title_text(spec)
    assert title.startswith("Oxfam's count fell from 85 people (2014) to 8 (2017)")
    assert "revised 2016 from 62 to 9" in title and "revised later" in layer_values(spec, "kind")
    assert title.endswith("Later reports (second-hand): 42 (2018), 26 (2019); from 2020, another comparison")
    assert set(layer_values(spec, "text")) == {"2017 report: new data", "2020: 2,153 billionaires, another comparison"}
    assert {"document", "confidence", "note", "passage_id", "quote"} <= tooltip_fields(spec)


# --- the survey beside the meeting, and the unsurveyed issues ------------------------------------------------


def test_survey_beside_meeting_of_the_cluster(folder):
    table = pd.read_csv(folder / "tables" / "c4-survey-beside-meeting.csv", keep_default_na=False)
    assert not any("agree" in column.lower() or "stance" in column.lower() for column in table.columns)
    assert list(dict.fromkeys(table["Survey issue"])) == ["Climate / energy", "Scarcity / sustainability",
                                                          "Disease / public health"]
    assert "Not discussed" not in set(table["Meeting sentence (verbatim)"])
    health = table[table["Survey issue"] == "Disease / public health"]
    assert set(health["Survey: best placed (as written)"]) == {"CSOs, IFIs, and UN/UN agencies"}
    assert health["Claim"].tolist() == ["key-findings/b2#2", "cluster-4/p4#1"]
    scarcity = table[table["Survey issue"] == "Scarcity / sustainability"].set_index("Claim")
    assert scarcity.loc["cluster-4/p3#2", "How it is put"] == "Question"


def test_sentences_table_lists_the_unsurveyed_issues_at_their_strength(folder):
    table = pd.read_csv(folder / "tables" / "c4-sentences.csv", keep_default_na=False)
    assert list(dict.fromkeys(table["Issue"])) == [
        "Humanitarian costs and protracted crises", "Technology access and transfer",
        "Risk-informed development and disasters", "Wealth inequality", "Private-sector finance for development"]
    by_claim = table.set_index("Claim")
    assert by_claim.loc["cluster-4/p4#2", "How it is put"] == "Proposed at the meeting"
    assert by_claim.loc["cluster-4/p5#3", "How it is put"] == "Hedged"


# --- what happened next ---------------------------------------------------------------------------------------


def test_outcomes_table_shows_every_cluster_row_with_its_source_and_confidence(folder):
    outcomes = load_outcomes()
    mine = outcomes[outcomes["cluster"] == 4].sort_values("date", kind="stable")
    table = pd.read_csv(folder / "tables" / "c4-outcomes.csv", keep_default_na=False)
    assert len(table) == len(mine) == 20
    assert table["What happened"].tolist() == mine["event"].tolist()
    assert table["Confidence"].tolist() == mine["confidence"].tolist()  # never raised
    assert (table["Address"] != "").all()
    report = table[table["What happened"].str.startswith("SDG Report 2025")].iloc[0]
    assert report["Date"] == "2025" and report["Confidence"] == "second-hand"  # a year-precision date stays a year
    assert table.iloc[0]["Date"] == "7 Dec 2015"


# --- the chapter, rerun with other settings -------------------------------------------------------------------


CHANGED = {"appeal_measure": "received", "claim_threshold_pct": 800, "show_revised_2016": False}


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    return run_plans(tmp_path_factory.mktemp("runs"),
                     changed=runner.plan_runs([CHAPTER], overrides=CHANGED))["changed"]


@pytest.mark.chapters
def test_settings_change_the_exported_outputs(changed, folder):
    assert changed.status == "ok", changed.error
    assert changed.record["overrides"] == CHANGED
    received = pd.read_csv(changed.folder / "tables" / "c4-appeal-rise.csv")
    assert received["end_value"].tolist() == [9.4] and received["rise_pct"].round(0).tolist() == [725]
    spec = exported_spec(changed.folder, "c4-fig-appeals")
    assert layer_values(spec, "level") == [pytest.approx(1.139 * 9)]  # 800% above the 2000 value received
    # the outcomes table holds later requirements only: funding received is not extended
    assert title_text(spec) == "UN appeal funding received rose 725% from 2000 to 2014: below the 800% threshold"
    points = pd.read_csv(changed.folder / "tables" / "c4-appeals.csv")
    assert set(points["series"]) == {"Funding received (claims ledger)"} and points["year"].tolist() == [2000, 2014]
    counts = pd.read_csv(changed.folder / "tables" / "c4-oxfam.csv")
    assert not counts["revised"].any() and (counts["year"] == 2018).any()
    oxfam = exported_spec(changed.folder, "c4-fig-oxfam")
    assert "2017 report used new data" in title_text(oxfam) and "revised later" not in layer_values(oxfam, "kind")
    # the prose numbers do not depend on the settings
    for name in ("c4-ledger", "c4-figures", "c4-outcomes"):
        assert (changed.folder / "tables" / f"{name}.csv").read_bytes() == (
            folder / "tables" / f"{name}.csv").read_bytes()
