"""Cluster 4 (compendium.development): the claims ledger, the appeals rise, the displacement measures
and Oxfam's counts on crafted frames with known answers and on the real data; every chart built and
validated; the chapter rerun with other settings."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, title_text, tooltip_fields

from compendium import development
from compendium.book import runner

CHAPTER = "sustainable-development"


@pytest.fixture(scope="module")
def readings(tables):
    return development.ledger_readings(tables["figures"], tables["ledger"])


def ledger_frame(rows):
    columns = ["ledger_id", "figure_id", "source_value", "source_date", "unit", "year", "measure", "publisher",
               "document", "confidence", "verdict", "note"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(year=frame["year"].astype("Int64"))


FIGURES = pd.DataFrame(
    {
        "figure_id": ["rise", "share", "elsewhere"],
        "kind": ["quantity", "quantity", "quantity"],
        "value": [400.0, 80.0, 5.0],
        "qualifier": ["at-least", "exact", "exact"],
        "unit": ["percent increase", "percent of costs", "jobs"],
        "date": [None, None, None],
        "measures": ["rise", "share", "jobs"],
        "passage_id": ["cluster-4/p1", "cluster-4/p1", "cluster-3/p7"],
        "quote": ["risen by at least 400%", "80% of which", "5 jobs"],
    }
)
LEDGER = ledger_frame(
    [
        ("rise/1", "rise", 2.0, None, "USD bn", 2000, "appeal requirements", "UN", "Yearbook", "second-hand", "supported", ""),
        ("rise/2", "rise", 1.0, None, "USD bn", 2000, "funding received", "UN", "Yearbook", "second-hand", "supported", ""),
        ("rise/3", "rise", 10.0, None, "USD bn", 2014, "appeal requirements", "OCHA", "Launch", "direct", "supported", ""),
        ("rise/4", "rise", 12.0, None, "USD bn", 2014, "requirements of appeals", "DI", "GHA", "direct", "supported", ""),
        ("rise/5", "rise", 3.0, None, "USD bn", 2014, "funding received", "OCHA", "Launch", "direct", "supported", ""),
        ("rise/6", "rise", 6.0, None, "times the 2004 requirement", None, "sixfold", "OCHA", "Trends", "not-rated",
         "supported-different-measure", ""),
        ("share/1", "share", None, None, None, None, "share", None, None, "not-found", "no-source-found", "none"),
        ("share/2", "share", 80.0, None, "percent of work", 2015, "work", "OCHA", "PR", "direct",
         "supported-different-measure", ""),
        ("elsewhere/1", "elsewhere", None, None, None, None, "jobs", None, None, "not-found", "no-source-found", ""),
    ]
)


# --- the ledger ----------------------------------------------------------------------------------------


def test_ledger_readings_on_crafted_frames():
    frame = development.ledger_readings(FIGURES, LEDGER)
    assert frame["figure_id"].tolist() == ["rise"] * 6 + ["share"] * 2  # other sections left out
    assert frame["reading"].tolist() == [1, 2, 3, 4, 5, 6, 1, 2]
    assert frame.loc[6, "verdict_label"] == "no source found" and frame.loc[6, "quote"] == "80% of which"


def test_figure_verdicts_on_crafted_frames():
    verdicts = development.figure_verdicts(development.ledger_readings(FIGURES, LEDGER)).set_index("figure_id")
    assert verdicts.loc["rise", "supported"] == 5 and verdicts.loc["rise", "supported-different-measure"] == 1
    assert verdicts.loc["rise", "supported_as_stated"] and not verdicts.loc["share", "supported_as_stated"]
    assert verdicts.loc["share", "readings"] == 2 and verdicts.loc["share", "no-source-found"] == 1
    assert verdicts.loc["share", "stated_figure"] == "80 percent of costs"
    assert verdicts.loc["rise", "stated_figure"] == "at least 400 percent increase"


def test_ledger_on_the_real_data(readings):
    assert len(readings) == 24
    verdicts = development.figure_verdicts(readings).set_index("figure_id")
    assert len(verdicts) == 8 and int(verdicts["supported_as_stated"].sum()) == 5
    assert set(verdicts.index[~verdicts["supported_as_stated"]]) == {
        "protracted-crisis-share", "average-displacement", "high-level-panel"}
    assert verdicts.loc["average-displacement", "contradicted"] == 2
    assert verdicts.loc["world-humanitarian-summit", "stated_figure"] == "the World Humanitarian Summit in 2016"
    table = development.ledger_table(readings).set_axis(readings["ledger_id"])
    assert table.loc["humanitarian-costs-rise/1", "What the source shows"] == (
        "1.922 USD bn: UN consolidated appeal requirements")
    assert table.loc["humanitarian-costs-rise/1", "Source"] == "United Nations, Yearbook of the United Nations 2000 (2000)"
    assert table.loc["protracted-crisis-share/1", "Source"] == "—"
    assert table.loc["protracted-crisis-share/1", "What the source shows"].startswith("nothing found: ")
    assert table.loc["protracted-crisis-share/1", "Verdict"].startswith("no source found: No source found")
    assert table.loc["world-humanitarian-summit/1", "What the source shows"].startswith("2016-05-23/2016-05-24 date")
    assert table.loc["world-humanitarian-summit/1", "Source"] == "conference organisers (2016)"


def test_figures_table_on_the_real_data(tables):
    figures = development.section_figures(tables["figures"])
    table = development.figures_table(figures)
    assert table["Figure"].tolist()[:3] == ["at least 400 percent increase", "80 percent of humanitarian costs",
                                            "17 years"]
    assert table.loc[3, "Figure"] == "the World Humanitarian Summit in 2016" and len(table) == 8


# --- the rise in UN appeals ------------------------------------------------------------------------------


def test_appeal_rise_on_crafted_frames():
    rise = development.appeal_rise(LEDGER, "requirements", 2000, 2014, figure_id="rise")
    assert rise["comparison"].tolist() == ["OCHA, 2014", "DI, 2014"]
    assert rise["rise_pct"].tolist() == [400.0, 500.0] and rise["times"].tolist() == [5.0, 6.0]
    received = development.appeal_rise(LEDGER, "received", 2000, 2014, figure_id="rise")
    assert received["rise_pct"].tolist() == [200.0] and received["base_value"].tolist() == [1.0]


@pytest.mark.parametrize(
    "measure, base, end, message",
    [
        ("costs", 2000, 2014, "unknown appeal measure 'costs'; valid: requirements, received"),
        ("requirements", 1999, 2014, "need one 1999 reading and at least one 2014 reading"),
        ("requirements", 2000, 2013, "found 1 and 0"),
    ],
)
def test_appeal_rise_rejects_what_it_cannot_compute(measure, base, end, message):
    with pytest.raises(ValueError, match=message):
        development.appeal_rise(LEDGER, measure, base, end, figure_id="rise")


def test_appeal_rise_on_the_real_data(tables):
    base, end = development.event_year(tables["context"]), development.year_before_meeting(tables["figures"])
    assert (base, end) == (2000, 2014)
    rise = development.appeal_rise(tables["ledger"], "requirements", base, end)
    assert rise["end_value"].tolist() == [17.9, 19.5]
    assert rise["rise_pct"].round(1).tolist() == [831.3, 914.6]  # 17.9 / 1.922 and 19.5 / 1.922
    received = development.appeal_rise(tables["ledger"], "received", base, end)
    assert received["rise_pct"].round(1).tolist() == [725.3]  # 9.4 / 1.139
    assert development.ledger_row(tables["ledger"], "humanitarian-costs-rise/7")["source_value"] == 6


def test_appeal_table_and_readings(tables):
    readings = development.appeal_readings(tables["ledger"], 2000, 2014)
    assert sorted(readings["source_value"]) == [1.139, 1.922, 9.4, 17.9, 19.5]
    table = development.appeal_table(development.appeal_rise(tables["ledger"], "requirements", 2000, 2014))
    assert table["From"].tolist() == ["USD 1.922 bn in 2000"] * 2
    assert table["Rise"].tolist() == ["831%", "915%"] and table["Multiple"].tolist() == ["9.3×", "10.1×"]


# --- displacement and Oxfam ---------------------------------------------------------------------------------


def test_displacement_measures_on_the_real_data(readings):
    measures = development.displacement_measures(readings)
    assert measures["source_value"].tolist() == [9.0, 17.0, 10.3, 4.0]
    assert measures["label"].iloc[1].replace("\n", " ") == (
        "Average duration of major protracted refugee situations (UNHCR, 2004)")


def test_richest_counts_on_the_real_data(tables):
    counts = development.richest_counts(tables["ledger"], tables["context"])
    assert list(zip(counts["year"], counts["people"])) == [(2014, 85), (2015, 80), (2016, 62), (2016, 9), (2017, 8)]
    assert counts["revised"].tolist() == [False, False, False, True, False]
    assert set(counts["method_change"]) == {2017}
    assert counts["series"].tolist() == ["Reports before 2017"] * 3 + ["2017 report's new data"] * 2
    table = development.richest_table(counts)
    assert table["People"].tolist() == ["85", "80", "62", "9", "8"]
    assert table["Published"].tolist() == [2014, 2015, 2016, 2017, 2017]
    hidden = development.richest_counts(tables["ledger"], tables["context"], show_revised=False)
    assert hidden["people"].tolist() == [85, 80, 62, 8]


def test_richest_counts_on_crafted_frames():
    ledger = ledger_frame([("richest-people/1", "richest-people", 100.0, None, "people", 2010, "m", "O",
                            "paper, Jan 2010", "direct", "supported", "")])
    context = pd.DataFrame({
        "subject": [development.RICHEST_SUBJECT] * 2, "label": ["count 2011", "count 2011, revised"],
        "value": [50.0, 20.0], "year": [2011, 2011], "publisher": ["O", "O"],
        "document": ["paper, Jan 2011", "paper, Jan 2013"], "confidence": ["direct", "direct"], "note": ["", ""],
    })
    counts = development.richest_counts(ledger, context)
    assert counts["revised"].tolist() == [False, False, True] and set(counts["method_change"]) == {2013}
    no_revision = development.richest_counts(ledger, context.iloc[:1])
    assert no_revision["method_change"].isna().all() and set(no_revision["series"]) == {"Oxfam reports"}


# --- charts ---------------------------------------------------------------------------------------------------


def layer_values(spec: dict, field: str) -> list:
    """Values of ``field`` in every inline dataset of the spec."""
    return [row[field] for rows in spec.get("datasets", {}).values() for row in rows if field in row]


def test_verdict_chart_states_how_many_figures_hold_up(readings):
    spec = chart_spec(development.verdict_chart(readings))
    title = title_text(spec)
    assert title.startswith("5 of 8 figures in cluster 4 find a source on the meeting's own measure")
    assert "80 percent of humanitarian costs; 17 years" in title
    assert {"quote", "passage_id", "source", "confidence", "verdict_label"} <= tooltip_fields(spec)


def test_appeal_chart_draws_the_threshold_and_states_the_computed_rise(tables):
    rise = development.appeal_rise(tables["ledger"], "requirements", 2000, 2014)
    spec = chart_spec(development.appeal_chart(rise, 400, 400, "costs have risen", "cluster-4/p1"))
    assert title_text(spec) == ("UN appeal requirements rose 831–915% from 2000 to 2014: more than double the "
                                "claimed 'at least 400%'")
    assert layer_values(spec, "threshold") == [400]
    assert {"quote", "passage_id", "base_source", "end_source", "end_confidence"} <= tooltip_fields(spec)
    higher = chart_spec(development.appeal_chart(rise, 900, 400, "q", "p"))
    assert title_text(higher).endswith("partly above the 900% threshold") and layer_values(higher, "threshold") == [900]
    received = development.appeal_rise(tables["ledger"], "received", 2000, 2014)
    assert "funding received rose 725%" in title_text(chart_spec(development.appeal_chart(received, 800, 400, "q", "p")))


def test_displacement_chart_says_what_the_figure_measures(readings):
    spec = chart_spec(development.displacement_chart(development.displacement_measures(readings), 17))
    title = title_text(spec)
    assert title.startswith("The meeting's 17 years is UNHCR's average duration of major protracted refugee "
                            "situations (2004); refugees' own years in exile (World Bank)")
    assert "mean 10.3, median 4" in title
    assert layer_values(spec, "years") == [17]
    assert {"measure", "publisher", "document", "confidence", "passage_id", "quote"} <= tooltip_fields(spec)


def test_displacement_chart_when_no_source_matches(readings):
    spec = chart_spec(development.displacement_chart(development.displacement_measures(readings), 12))
    assert title_text(spec).startswith("The meeting's 12 years is not a value any source in the ledger gives")


@pytest.mark.parametrize("show_revised", [True, False])
def test_richest_chart_marks_the_method_change(tables, show_revised):
    counts = development.richest_counts(tables["ledger"], tables["context"], show_revised)
    spec = chart_spec(development.richest_chart(counts, "The 85 richest people", "cluster-4/p5"))
    title = title_text(spec)
    assert title.startswith("Oxfam's count fell from 85 people (2014) to 8 (2017)")
    if show_revised:
        assert "revised 2016 from 62 to 9" in title and "revised later" in layer_values(spec, "kind")
    else:
        assert "2017 report used new data" in title and "revised later" not in layer_values(spec, "kind")
    assert layer_values(spec, "text") == ["2017 report: new data"]
    assert {"document", "confidence", "note", "passage_id", "quote"} <= tooltip_fields(spec)


# --- the chapter, rerun with other settings -------------------------------------------------------------------


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    changed = {"appeal_measure": "received", "claim_threshold_pct": 800, "show_revised_2016": False}
    return run_plans(tmp_path_factory.mktemp("runs"), default=runner.plan_runs([CHAPTER]),
                     changed=runner.plan_runs([CHAPTER], overrides=changed))


def test_chapter_runs_and_exports_its_charts_and_tables(runs):
    folder = runs["default"].folder
    assert runs["default"].status == "ok", runs["default"].error
    for name in ("c4-fig-verdicts", "c4-fig-appeals", "c4-fig-displacement", "c4-fig-oxfam", "c4-fig-survey"):
        assert (folder / "charts" / f"{name}.vl.json").is_file() and (folder / "charts" / f"{name}.svg").is_file()
    for name in ("c4-claims", "c4-figures", "c4-ledger", "c4-appeal-rise", "c4-oxfam", "c4-survey-vs-meeting",
                 "c4-stances"):
        assert (folder / "tables" / f"{name}.csv").is_file()


def test_settings_change_the_exported_outputs(runs):
    assert runs["changed"].status == "ok", runs["changed"].error
    default, changed = runs["default"].folder, runs["changed"].folder
    assert pd.read_csv(default / "tables" / "c4-appeal-rise.csv")["end_value"].tolist() == [17.9, 19.5]
    received = pd.read_csv(changed / "tables" / "c4-appeal-rise.csv")
    assert received["end_value"].tolist() == [9.4] and received["rise_pct"].round(0).tolist() == [725]
    spec = exported_spec(changed, "c4-fig-appeals")
    assert layer_values(spec, "threshold") == [800]
    assert title_text(spec).startswith("UN appeal funding received rose 725% from 2000 to 2014")
    assert pd.read_csv(default / "tables" / "c4-oxfam.csv")["revised"].tolist() == [False, False, False, True, False]
    assert not pd.read_csv(changed / "tables" / "c4-oxfam.csv")["revised"].any()
    # the prose numbers do not depend on the settings
    assert (default / "tables" / "c4-ledger.csv").read_bytes() == (changed / "tables" / "c4-ledger.csv").read_bytes()
