"""Cluster 2, peace and security: the executed chapter's exported charts and tables, checked against
the source and the coded tables, and the chapter rerun with changed settings."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, title_text, tooltip_fields

from compendium.book import runner

CHAPTER = "peace-security"
GROUPS, OUTLOOKS = "Group of countries", "Outlook on norms and institutions"
DOMAINS = "New technology domains"
CHARTS = ["c2-fig-typology", "c2-fig-stances", "c2-fig-warheads", "c2-fig-survey"]


def chart_rows(spec: dict) -> pd.DataFrame:
    """Return the rows of the dataset a chart (or every layer of a layered chart) draws."""
    return pd.DataFrame(spec["datasets"][spec["data"]["name"]])


@pytest.fixture(scope="module")
def folder(executed_run):
    return executed_run(CHAPTER).folder


@pytest.fixture(scope="module")
def warheads(folder):
    return pd.read_csv(folder / "tables" / "c2-warheads.csv")


# -- groups of countries and outlooks: listed, never paired ------------------------------------


def test_typology_table_gives_the_two_lists_one_after_the_other(folder, document):
    table = pd.read_csv(folder / "tables" / "c2-typology.csv")
    assert table.columns.tolist() == ["List", "Order in the text", "Item", "Passage"]
    assert table["List"].tolist() == [GROUPS] * 3 + [OUTLOOKS] * 3  # never side by side
    assert table["Item"].tolist()[:3] == ["rule takers", "rule breakers", "rule shapers"]
    text = document.block("cluster-2/p2").plain
    assert all(item in text for item in table["Item"]) and set(table["Passage"]) == {"cluster-2/p2"}


def test_typology_chart_pairs_nothing_the_text_does_not_pair(folder, document):
    spec = exported_spec(folder, "c2-fig-typology")
    assert title_text(spec) == "The text names 3 groups and 3 outlooks but pairs none of them"
    grid = chart_rows(spec)
    assert len(grid) == 9 and not grid["stated"].any() and set(grid["status"]) == {"not stated"}
    assert grid.groupby("group")["outlook"].nunique().eq(3).all()  # every combination, each once
    assert all(quote in document.block("cluster-2/p2").plain for quote in grid["quote"])
    assert {"group", "outlook", "status", "passage_id", "quote"} <= tooltip_fields(spec)


# -- new technologies: the UN not well placed --------------------------------------------------


def test_stance_chart_puts_the_six_named_domains_in_their_panel(folder, tables, document):
    spec = exported_spec(folder, "c2-fig-stances")
    assert title_text(spec) == "In all 5 new technology domains, the UN is 'not well placed'"
    rows = chart_rows(spec)
    domains = rows[rows["group"] == DOMAINS]
    assert set(domains["stance_label"]) == {"UN not well placed"} and set(domains["passages"]) == {"cluster-2/p3"}
    claims = tables["claims"]
    quoted = claims.loc[claims["issue_id"].isin(
        tables["issues"].loc[tables["issues"]["label"].isin(domains["issue"]), "issue_id"]), "quote"]
    terms = [t.strip() for quote in quoted for t in quote.split(",")]
    assert terms == ["cyber security", "information privacy", "drones", "lethal autonomous weapons systems",
                     "synthetic biological weapons", "3D printing"]
    assert all(t in document.block("cluster-2/p3").plain for t in terms)
    general = rows[rows["issue"].str.endswith("(general)")]
    assert set(general["group"]) == {"Peace and security in general"}
    assert set(rows.loc[rows["issue"] == "Violent extremism", "group"]) == {"Other threats"}
    assert rows["claims"].sum() == (claims["cluster"] == 2).sum()
    assert {"issue", "stance_label", "passages", "quotes"} <= tooltip_fields(spec)


def test_violent_extremism_claims_name_no_un_role(folder):
    rows = chart_rows(exported_spec(folder, "c2-fig-stances"))
    extremism = rows[rows["issue"] == "Violent extremism"]
    assert extremism[["stance_label", "claims", "passages"]].values.tolist() == [["No position", 4, "cluster-2/p4"]]


# -- context: nuclear warhead inventories -------------------------------------------------------


def test_warhead_table_puts_the_total_first_and_keeps_ranges_as_published(warheads):
    assert warheads.loc[0, "label"] == "All nuclear-armed states (total)"
    assert warheads.loc[0, "shown"] == "about 15,850" and warheads.loc[0, "confidence"] == "direct"
    countries = warheads.iloc[1:].set_index("label")
    assert len(countries) == 9 and set(countries["confidence"]) == {"second-hand"}
    assert countries.loc["Pakistan", "shown"] == "100–120" and countries.loc["Russia", "shown"] == "7,500"
    assert list(countries.index[:2]) == ["Russia", "United States"]


def test_warhead_chart_states_the_share_of_the_two_largest_arsenals(folder):
    spec = exported_spec(folder, "c2-fig-warheads")
    assert title_text(spec) == "93% of nuclear warheads are in two states: Russia, United States"
    rows = chart_rows(spec)
    countries = rows[rows["scope"] == "country"]
    total = rows.loc[rows["scope"] == "all states", "value"].item()
    assert countries["low"].sum() <= total <= countries["high"].sum() + 50  # the published total is "about"
    assert round(countries.nlargest(2, "high")["high"].sum() / total, 2) == 0.93
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    assert {"label", "shown", "publisher", "document", "year", "confidence"} <= tooltip_fields(spec)


# -- survey and meeting -------------------------------------------------------------------------


def test_survey_chart_shows_the_surveyed_issues_of_cluster_2(folder, tables):
    rows = chart_rows(exported_spec(folder, "c2-fig-survey"))
    surveyed = tables["issues"][(tables["issues"]["cluster"] == 2) & tables["issues"]["survey_label"].notna()]
    assert set(rows["issue_label"]) == set(surveyed["survey_label"]) and len(rows) == 3
    assert (rows["agreement"] == "agree").sum() == 1


def test_claims_table_has_every_claim_of_the_cluster(folder, tables):
    shown = pd.read_csv(folder / "tables" / "c2-claims.csv")
    assert len(shown) == (tables["claims"]["cluster"] == 2).sum()


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_validates_renders_and_describes_itself(folder, name):
    import altair as alt

    spec = exported_spec(folder, name)
    chart = alt.LayerChart.from_dict(spec) if "layer" in spec else alt.Chart.from_dict(spec)
    assert title_text(chart_spec(chart))
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
    assert not table["label"].str.contains("total").any()
    spec = exported_spec(result.folder, "c2-fig-warheads")
    assert "93%" in title_text(spec)  # the share is of the published total, whatever is shown
    assert spec["layer"][0]["encoding"]["x"]["scale"]["type"] == "linear"
    assert result.record["overrides"] == {"min_warheads": 100, "include_total": False, "log_scale": False}
