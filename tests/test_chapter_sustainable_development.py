"""Cluster 4, sustainable development: the executed chapter's exported charts and tables (the claims
ledger, the appeals rise against the claimed 400%, what the 17 years measure, Oxfam's counts), their
titles stating the computed findings and their tooltips the sources; the chapter rerun with other settings."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields

from compendium.book import runner

CHAPTER = "sustainable-development"


@pytest.fixture(scope="module")
def folder(executed_run):
    return executed_run(CHAPTER).folder


def layer_values(spec: dict, field: str) -> list:
    """Values of ``field`` in every inline dataset of the spec."""
    return [row[field] for rows in spec.get("datasets", {}).values() for row in rows if field in row]


def test_chapter_exports_its_charts_and_tables(folder):
    for name in ("c4-fig-verdicts", "c4-fig-appeals", "c4-fig-displacement", "c4-fig-oxfam", "c4-fig-survey"):
        assert (folder / "charts" / f"{name}.vl.json").is_file() and (folder / "charts" / f"{name}.svg").is_file()
        assert exported_spec(folder, name).get("description", "").strip()
    for name in ("c4-claims", "c4-figures", "c4-ledger", "c4-appeal-rise", "c4-oxfam", "c4-survey-vs-meeting",
                 "c4-stances"):
        assert (folder / "tables" / f"{name}.csv").is_file()


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
    assert len(table) == 24
    first = table.iloc[0]
    assert first["Figure"] == "at least 400 percent increase"
    assert first["What the source shows"] == "1.922 USD bn: UN consolidated appeal requirements"
    assert first["Source"] == "United Nations, Yearbook of the United Nations 2000 (2000)"
    not_found = table[table["Confidence"] == "not-found"].iloc[0]
    assert not_found["Source"] == "—" and not_found["What the source shows"].startswith("nothing found: ")
    assert not_found["Verdict"].startswith("no source found: No source found")
    summit = table[table["Figure"] == "the World Humanitarian Summit in 2016"].iloc[0]
    assert summit["What the source shows"].startswith("2016-05-23/2016-05-24 date")
    assert summit["Source"] == "conference organisers (2016)"


def test_verdict_chart_states_how_many_figures_hold_up(folder):
    spec = exported_spec(folder, "c4-fig-verdicts")
    title = title_text(spec)
    assert title.startswith("5 of 8 figures in cluster 4 find a source on the meeting's own measure")
    assert "not: 80 percent of humanitarian costs; 17 years; the High Level Panel" in title
    assert {"quote", "passage_id", "source", "confidence", "verdict_label", "note"} <= tooltip_fields(spec)
    # the verdict colours follow the data package's order of verdicts
    assert spec["encoding"]["color"]["scale"]["domain"] == ["supported", "different measure", "contradicted",
                                                            "no source found"]


def test_verdict_chart_numbers_the_readings_of_each_figure(folder):
    rows = pd.DataFrame([row for rows in exported_spec(folder, "c4-fig-verdicts")["datasets"].values()
                         for row in rows])
    assert len(rows) == 24
    rise = rows[rows["passage_id"].eq("cluster-4/p1") & rows["quote"].str.startswith("humanitarian costs")]
    assert rise["reading"].tolist() == [1, 2, 3, 4, 5, 6, 7]
    assert rows.groupby("quote")["reading"].min().eq(1).all()


# --- the rise in UN appeals ----------------------------------------------------------------------------


def test_appeal_rise_is_computed_from_the_ledger(folder):
    rise = pd.read_csv(folder / "tables" / "c4-appeal-rise.csv")
    assert rise["end_value"].tolist() == [17.9, 19.5] and set(rise["base_value"]) == {1.922}
    assert rise["rise_pct"].round(1).tolist() == [831.3, 914.6]  # 17.9 / 1.922 and 19.5 / 1.922
    assert rise["comparison"].tolist() == ["OCHA, 2014", "Development Initiatives, 2014"]


def test_appeal_chart_draws_the_threshold_and_states_the_computed_rise(folder):
    spec = exported_spec(folder, "c4-fig-appeals")
    assert title_text(spec) == ("UN appeal requirements rose 831–915% from 2000 to 2014: more than double the "
                                "claimed 'at least 400%'")
    assert layer_values(spec, "threshold") == [400]
    assert layer_values(spec, "label") == ["+831%", "+915%"]
    assert {"quote", "passage_id", "base_source", "end_source", "end_confidence"} <= tooltip_fields(spec)


# --- displacement and Oxfam ---------------------------------------------------------------------------------


def test_displacement_chart_says_what_the_figure_measures(folder):
    spec = exported_spec(folder, "c4-fig-displacement")
    title = title_text(spec)
    assert title.startswith("The meeting's 17 years is UNHCR's average duration of major protracted refugee "
                            "situations (2004); refugees' own years in exile (World Bank)")
    assert "mean 10.3, median 4" in title
    assert layer_values(spec, "years") == [17]
    assert layer_values(spec, "source_value") == [9.0, 17.0, 10.3, 4.0]  # by measure, then year
    assert layer_values(spec, "label")[1].replace("\n", " ") == (
        "Average duration of major protracted refugee situations (UNHCR, 2004)")
    assert {"measure", "publisher", "document", "confidence", "passage_id", "quote"} <= tooltip_fields(spec)


def test_oxfam_counts_mark_the_revision(folder):
    counts = pd.read_csv(folder / "tables" / "c4-oxfam.csv")
    assert list(zip(counts["year"], counts["people"])) == [(2014, 85), (2015, 80), (2016, 62), (2016, 9), (2017, 8)]
    assert counts["revised"].tolist() == [False, False, False, True, False]
    assert counts["published"].tolist() == [2014, 2015, 2016, 2017, 2017]
    assert counts["series"].tolist() == ["Reports before 2017"] * 3 + ["2017 report's new data"] * 2


def test_oxfam_chart_marks_the_method_change(folder):
    spec = exported_spec(folder, "c4-fig-oxfam")
    title = title_text(spec)
    assert title.startswith("Oxfam's count fell from 85 people (2014) to 8 (2017)")
    assert "revised 2016 from 62 to 9" in title and "revised later" in layer_values(spec, "kind")
    assert layer_values(spec, "text") == ["2017 report: new data"]
    assert {"document", "confidence", "note", "passage_id", "quote"} <= tooltip_fields(spec)


def test_survey_comparison_of_the_cluster(folder):
    table = pd.read_csv(folder / "tables" / "c4-survey-vs-meeting.csv")
    assert len(table) == 3 and set(table["Meeting's stance on the UN's role"]) == {"UN should lead"}
    assert (table["Agreement"] == "agree").sum() == 1


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
    assert layer_values(spec, "threshold") == [800]
    assert title_text(spec) == "UN appeal funding received rose 725% from 2000 to 2014: below the 800% threshold"
    assert not pd.read_csv(changed.folder / "tables" / "c4-oxfam.csv")["revised"].any()
    oxfam = exported_spec(changed.folder, "c4-fig-oxfam")
    assert "2017 report used new data" in title_text(oxfam) and "revised later" not in layer_values(oxfam, "kind")
    # the prose numbers do not depend on the settings
    for name in ("c4-ledger", "c4-figures"):
        assert (changed.folder / "tables" / f"{name}.csv").read_bytes() == (
            folder / "tables" / f"{name}.csv").read_bytes()
