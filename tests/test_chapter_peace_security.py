"""Cluster 2, peace and security: the executed chapter's exported charts and tables, checked against
the source and the coded tables, and the chapter rerun with changed settings."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, spec_dataset, spec_rows, title_text, tooltip_fields

from compendium.analysis import cluster_claims
from compendium.book import runner

CHAPTER = "peace-security"
GROUPS, OUTLOOKS = "Group of countries", "Outlook on norms and institutions"
CHARTS = ["c2-fig-acts", "c2-fig-warheads", "c2-fig-survey"]
TOTAL = "All nuclear-armed states (total)"




@pytest.fixture(scope="module")
def folder(executed_run):
    return executed_run(CHAPTER).folder


@pytest.fixture(scope="module")
def claims(tables):
    return cluster_claims(tables["claims"], 2, tables["claim_items"], tables["issues"])


@pytest.fixture(scope="module")
def warheads(folder):
    return pd.read_csv(folder / "tables" / "c2-warheads.csv")


# -- groups of countries and outlooks: listed, never paired ------------------------------------


def test_typology_table_gives_the_two_lists_one_after_the_other(folder, document):
    table = pd.read_csv(folder / "tables" / "c2-typology.csv")
    assert table.columns.tolist() == ["List", "Order in the text", "Item", "Claim", "Passage"]
    assert table["List"].tolist() == [GROUPS] * 3 + [OUTLOOKS] * 3  # never side by side
    assert table["Item"].tolist()[:3] == ["the rule takers", "the rule breakers", "the rule shapers"]
    assert table["Claim"].tolist() == ["cluster-2/p2#1"] * 3 + ["cluster-2/p2#2"] * 3
    text = document.block("cluster-2/p2").plain
    assert all(item in text for item in table["Item"]) and set(table["Passage"]) == {"cluster-2/p2"}


# -- new technologies: list items of one hedged sentence ----------------------------------------


def test_the_domains_are_the_list_items_of_one_hedged_sentence_about_market_leaders(folder, tables, document):
    table = pd.read_csv(folder / "tables" / "c2-domains.csv")
    assert table["Domain (as written)"].tolist() == [
        "cyber security", "information privacy", "drones", "lethal autonomous weapons systems",
        "synthetic biological weapons", "3D printing"]
    assert set(table["Claim"]) == {"cluster-2/p3#2"}
    sentence = tables["claims"].set_index("claim_id").loc["cluster-2/p3#2"]
    assert (sentence["modality"], sentence["acts"], sentence["role"]) == ("hedged", "member-states", "resists")
    assert "the market leaders may not want to be tied down by the UN" in sentence["quote"]
    assert all(d in sentence["quote"] and d in document.block("cluster-2/p3").plain
               for d in table["Domain (as written)"])
    assert table.loc[table["Surveyed"] == "yes", "Issue"].nunique() == 2  # cybersecurity and drones


def test_no_chart_counts_the_domains_or_the_unpaired_typology(folder):
    assert sorted(p.name.removesuffix(".vl.json") for p in (folder / "charts").glob("*.vl.json")) == sorted(CHARTS)
    for name in CHARTS:
        assert "not well placed'" not in title_text(exported_spec(folder, name))


# -- who acts --------------------------------------------------------------------------------------


def test_acts_chart_keeps_the_un_system_the_secretary_general_and_member_states_apart(folder, claims):
    spec = exported_spec(folder, "c2-fig-acts")
    rows = spec_rows(spec)
    assert rows["claims"].sum() == len(claims) == 17
    assert rows.groupby("acts")["claims"].sum().to_dict() == claims["acts"].value_counts().to_dict()
    states = ", ".join(rows.loc[rows["acts"] == "member-states", "claim_ids"])
    assert "cluster-2/p3#2" in states and "key-findings/b3#2" in states  # the market leaders resist
    un = ", ".join(rows.loc[rows["acts"] == "un-system", "claim_ids"])
    assert "key-findings/b3#1" in un and "cluster-2/p3#2" not in un
    assert {"acts_label", "modality_label", "claim_ids", "quotes"} <= tooltip_fields(spec)


def test_acts_chart_title_states_the_computed_finding(folder, claims):
    counts = claims["acts"].value_counts()
    both = claims[claims["acts"].isin(["un-system", "member-states"])]
    expected = (f"The UN system acts in {counts['un-system']} of the cluster's {len(claims)} claims and member "
                f"states in {counts['member-states']}; {(both['modality'] != 'asserted').sum()} of those {len(both)} "
                f"are hedged or asked")
    assert title_text(exported_spec(folder, "c2-fig-acts")) == expected
    assert expected == ("The UN system acts in 5 of the cluster's 17 claims and member states in 5; 8 of those 10 "
                        "are hedged or asked")


# -- context: nuclear warhead inventories, extended ---------------------------------------------------


def test_warhead_table_puts_the_totals_first_then_keeps_ranges_as_published(warheads):
    totals = warheads[warheads["label"].str.startswith(TOTAL)]
    assert totals.index.tolist() == [0, 1, 2]
    assert totals["year"].tolist() == [2015, 2020, 2025]
    assert totals["shown"].tolist() == ["about 15,850", "about 13,400", "about 12,241"]
    assert totals["confidence"].tolist() == ["direct", "second-hand", "second-hand"]
    countries = warheads.iloc[3:].set_index("label")
    assert len(countries) == 9 and set(countries["confidence"]) == {"second-hand"} and set(countries["year"]) == {2015}
    assert countries.loc["Pakistan", "shown"] == "100–120" and countries.loc["Russia", "shown"] == "7,500"
    assert list(countries.index[:2]) == ["Russia", "United States"]


def test_the_later_totals_are_the_same_measure_from_the_outcomes_table(warheads, tables):
    later = tables["outcomes"][tables["outcomes"]["measure"] == "nuclear-warheads"].sort_values("year")
    shown = warheads[warheads["label"].str.startswith(TOTAL)].iloc[1:]
    assert shown["year"].tolist() == later["year"].tolist()
    assert later["unit"].eq("warheads").all() and later["method_note"].str.startswith("Total inventory").all()
    assert shown["method"].tolist() == later["method_note"].tolist()
    assert shown["document"].str.contains("SIPRI Yearbook").all()


def test_warhead_chart_states_the_share_and_the_later_total_and_draws_later_yearbooks_hollow(folder):
    spec = exported_spec(folder, "c2-fig-warheads")
    assert title_text(spec) == (
        "In January 2015, 93% of nuclear warheads were in two states: Russia, United States; "
        "SIPRI's published total went from about 15,850 then to about 12,241 in January 2025")
    rows = spec_rows(spec)
    countries = rows[rows["scope"] == "country"]
    total = rows.loc[rows["label"] == f"{TOTAL}, Jan 2015", "value"].item()
    assert countries["low"].sum() <= total <= countries["high"].sum() + 50  # the published total is "about"
    assert round(countries.nlargest(2, "high")["high"].sum() / total, 2) == 0.93
    assert set(rows.loc[rows["year"] != "2015", "period"]) == {"later Yearbooks (outcomes table)"}
    dots = next(layer for layer in spec["layer"] if "fillOpacity" in layer["encoding"])
    scale = dots["encoding"]["fillOpacity"]["scale"]
    assert dict(zip(scale["domain"], scale["range"]))["later Yearbooks (outcomes table)"] == 0
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    assert {"label", "shown", "publisher", "document", "year", "confidence", "method"} <= tooltip_fields(spec)


# -- the survey's answers beside the meeting's sentences ----------------------------------------------------


def test_survey_chart_shows_each_answer_as_written_and_the_one_hedged_sentence(folder):
    spec = exported_spec(folder, "c2-fig-survey")
    survey = spec_dataset(spec, "survey_passage_id")
    assert survey[["issue_label", "survey_answer"]].values.tolist() == [
        ["Nuclear proliferation", "United States"], ["Info privacy / cybersecurity", "CSOs"],
        ["Drones", "Regional organizations and UN/UN agencies"]]
    squares = spec_dataset(spec, "quote")
    assert set(squares["claim_id"]) == {"cluster-2/p3#2"} and set(squares["modality_label"]) == {"Hedged"}
    assert title_text(spec) == "The meeting has sentences on 2 of the 3 issues the survey asked about"
    assert "agree" not in json.dumps(spec).lower()


def test_survey_table_marks_nuclear_proliferation_not_discussed(folder):
    table = pd.read_csv(folder / "tables" / "c2-survey-beside-meeting.csv", keep_default_na=False)
    nuclear = table[table["Survey issue"] == "Nuclear proliferation"]
    assert nuclear["Meeting sentence (verbatim)"].tolist() == ["Not discussed"] and nuclear["Claim"].item() == ""
    assert not any("agree" in c.lower() or "score" in c.lower() for c in table.columns)


# -- what happened next ---------------------------------------------------------------------------------


def test_what_happened_next_shows_every_cluster_row_with_its_source_and_confidence(folder, tables):
    table = pd.read_csv(folder / "tables" / "c2-what-happened-next.csv", keep_default_na=False)
    rows = tables["outcomes"][tables["outcomes"]["cluster"] == 2].sort_values("date", kind="stable")
    assert len(table) == len(rows) == 15
    assert table["What happened"].tolist() == rows["event"].tolist()
    assert table["Confidence"].tolist() == rows["confidence"].tolist()
    assert (table["Publisher"] != "").all() and table["Address"].str.startswith("http").all()
    assert table["Date"].iloc[0] == "22 May 2015" and table.loc[table["Symbol"] == "A/70/674", "Date"].item() == (
        "15 Jan 2016 to 12 Feb 2016")
    assert table.loc[table["What happened"].str.contains("12,241"), "Date"].item() == "Jan 2025"  # month precision


# -- the claims, and every chart ---------------------------------------------------------------


def test_claims_table_has_every_claim_of_the_cluster_with_its_modality(folder, claims):
    shown = pd.read_csv(folder / "tables" / "c2-claims.csv")
    assert shown["Claim"].tolist() == claims["claim_id"].tolist()
    assert shown.set_index("Claim").loc["cluster-2/p1#1", "How it is put"] == "Hedged"  # "highly likely"


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_validates_renders_and_describes_itself(folder, name):
    import altair as alt

    spec = exported_spec(folder, name)
    kind = alt.HConcatChart if "hconcat" in spec else alt.LayerChart if "layer" in spec else alt.Chart
    chart = kind.from_dict(spec)
    assert title_text(chart_spec(chart))
    assert spec.get("description") or spec.get("layer", [{}])[0].get("description")
    assert (folder / "charts" / f"{name}.svg").is_file()


# -- the chapter, rerun with changed settings -------------------------------------------------


@pytest.mark.chapters
def test_chapter_with_a_warhead_threshold_exports_only_the_larger_arsenals(tmp_path):
    texts = [("min_warheads", "100"), ("include_total", "false"), ("log_scale", "false")]
    result = run_plans(tmp_path, changed=runner.plan_runs([CHAPTER], texts=texts))["changed"]
    assert result.status == "ok", result.error
    table = pd.read_csv(result.folder / "tables" / "c2-warheads.csv")
    assert "Israel" not in set(table["label"]) and "North Korea" not in set(table["label"])
    assert {"Pakistan", "India", "Russia"} <= set(table["label"])  # a range counts by its high end
    assert not table["label"].str.contains("total").any()  # no total, neither 2015's nor the later ones
    spec = exported_spec(result.folder, "c2-fig-warheads")
    assert title_text(spec) == "In January 2015, 93% of nuclear warheads were in two states: Russia, United States"
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "linear"
    assert result.record["overrides"] == {"min_warheads": 100, "include_total": False, "log_scale": False}
