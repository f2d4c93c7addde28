"""Cluster 1, R2P and human rights: the executed chapter's exported charts and tables, checked against
the source and the coded tables, and the chapter rerun with changed settings."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, title_text, tooltip_fields

from compendium.book import runner

CHAPTER = "r2p-human-rights"
CASE = "Case named as weakening R2P"
MILESTONE = "R2P milestone"
LEAD_IN_SUBJECT = "acts: subject of the lead-in"
LEAD_IN_BACKING = "backs 'all/many' of the measures"
OWN_ROLE = "named in the measure itself"
CHARTS = ["c1-fig-measures", "c1-fig-timeline", "c1-fig-stances", "c1-fig-survey"]


def chart_rows(spec: dict) -> pd.DataFrame:
    """Return the rows of the dataset a chart (or a layered chart's first layers) draws."""
    return pd.DataFrame(spec["datasets"][spec["data"]["name"]])


@pytest.fixture(scope="module")
def folder(executed_run):
    return executed_run(CHAPTER).folder


@pytest.fixture(scope="module")
def measures(folder):
    return pd.read_csv(folder / "tables" / "c1-measures.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def timeline(folder):
    return pd.read_csv(folder / "tables" / "c1-timeline.csv")


# -- the proposed measures and who would act on them -----------------------------------------


def test_the_measures_are_the_five_bullets_with_their_coded_quotes(folder, measures, document):
    bullets = [b.id for b in document.section("cluster-1").blocks if b.kind == "bullet"]
    assert list(measures["Passage"]) == bullets
    for passage, text in zip(measures["Passage"], measures["Measure (coded quotes)"]):
        assert all(quote in document.block(passage).plain for quote in text.split(" … "))


def test_only_the_last_measure_names_the_un_and_gives_it_the_lead(measures):
    by_passage = measures.set_index("Passage")
    assert by_passage.loc["cluster-1/b5", "Actors named in the measure"] == "UN and UN agencies"
    assert by_passage.loc["cluster-1/b5", "Stance on the UN's role"] == "No position, UN should lead"
    assert by_passage.loc["cluster-1/b1", "Actors named in the measure"] == ""
    assert (by_passage["Actors named in the measure"].str.contains("UN and UN agencies")).sum() == 1


def test_the_lead_in_gives_every_measure_its_subject_and_its_backer(folder, measures):
    roles = chart_rows(exported_spec(folder, "c1-fig-measures"))
    bullets = list(measures["Passage"])
    for role, actor in [(LEAD_IN_SUBJECT, "international-community"), (LEAD_IN_BACKING, "secretary-general")]:
        rows = roles[roles["role"] == role]
        assert sorted(rows["passage_id"]) == bullets and set(rows["actor_id"]) == {actor}
        assert set(rows["source_passage"]) == {"cluster-1/p3"}
    own = roles[roles["role"] == OWN_ROLE]
    assert (own["source_passage"] == own["passage_id"]).all()  # a measure's own actors come from its own bullet
    assert own.loc[own["actor_id"] == "un-system", "code"].tolist() == ["b5"]
    assert roles["measure"].str.startswith(tuple(c + " " for c in roles["code"])).all()


def test_measures_chart_title_states_who_acts(folder):
    spec = exported_spec(folder, "c1-fig-measures")
    assert title_text(spec) == (
        "All 5 measures fall to the international community; 'all/many' need the UN Secretary-General's backing")
    assert {"measure", "actor", "role", "source_passage", "quote", "stance_label"} <= tooltip_fields(spec)


# -- the cases that weakened the norm, dated ---------------------------------------------------


def test_timeline_has_the_places_the_meeting_names_with_dates_still_to_verify(timeline, tables):
    cases = timeline[timeline["Kind"] == CASE]
    assert len(cases) == 5 and (cases["Confidence"] == "to-verify").all()
    assert set(cases["Passage"]) == {"cluster-1/p2"}
    named = ["Iraq", "Libya", "Syria", "Northern Iraq"]
    assert all(cases["Event"].str.contains(place).any() for place in named)
    # a case whose label names its place only in brackets is led by that place
    assert cases["Event"].str.startswith("Northern Iraq: ").sum() == 2
    assert not timeline["Event"].str.contains(r"[()]").any()


def test_milestones_are_known_to_the_year_only(timeline):
    milestones = timeline[timeline["Kind"] == MILESTONE]
    assert list(milestones["Date"]) == [f"{y} (year only)" for y in (2005, 2006, 2009, 2013)]
    assert milestones["Event"].iloc[0] == "2005 World Summit Outcome"  # cut at its first comma
    assert set(milestones["Confidence"]) == {"second-hand", "direct"}


def test_timeline_is_in_date_order(timeline):
    years = timeline["Date"].str.extract(r"(\d{4})")[0].astype(int)
    assert years.is_monotonic_increasing


def test_timeline_chart_draws_unverified_dates_hollow_and_states_the_span(folder):
    spec = exported_spec(folder, "c1-fig-timeline")
    assert title_text(spec) == (
        "The 5 events the meeting names as weakening R2P span 2003–2014; 4 of them came after the norm was "
        "defined in 2005")
    scale = spec["layer"][0]["encoding"]["fillOpacity"]["scale"]
    assert dict(zip(scale["domain"], scale["range"]))["date still to verify"] == 0
    rows = chart_rows(spec)
    assert (rows.loc[rows["group"] == CASE, "status"] == "date still to verify").all()
    assert rows["label"].str.contains("UNSC resolution").any()  # shortened on the axis only
    assert {"event", "when", "status", "publisher", "document", "confidence", "passage_id", "note"} <= (
        tooltip_fields(spec))


# -- where the meeting places the UN -----------------------------------------------------------


def test_stance_chart_counts_the_claims_that_take_a_position(folder, tables):
    spec = exported_spec(folder, "c1-fig-stances")
    rows = chart_rows(spec)
    positioned = int(rows.loc[rows["stance_label"] != "No position", "claims"].sum())
    assert rows["claims"].sum() == (tables["claims"]["cluster"] == 1).sum()
    counted = rows["claims"].sum()
    assert title_text(spec) == f"{positioned} of the cluster's {counted} coded claims take a position on the UN's role"
    assert title_text(spec) == "5 of the cluster's 22 coded claims take a position on the UN's role"
    assert {"passages", "quotes", "stance_label"} <= tooltip_fields(spec)


def test_survey_chart_shows_r2p_alone(folder):
    rows = chart_rows(exported_spec(folder, "c1-fig-survey"))
    assert list(rows["issue_label"]) == ["R2P"] and list(rows["agreement"]) == ["agree"]


def test_claims_table_has_every_claim_of_the_cluster(folder, tables):
    shown = pd.read_csv(folder / "tables" / "c1-claims.csv")
    assert len(shown) == (tables["claims"]["cluster"] == 1).sum()


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_validates_renders_and_describes_itself(folder, name):
    import altair as alt

    spec = exported_spec(folder, name)
    chart = alt.Chart.from_dict(spec) if "layer" not in spec else alt.LayerChart.from_dict(spec)
    assert title_text(chart_spec(chart))
    assert (folder / "charts" / f"{name}.svg").is_file()


# -- the chapter, rerun with changed settings -------------------------------------------------


@pytest.mark.chapters
def test_chapter_without_milestones_or_lead_in_exports_only_the_cases_and_the_measures_own_actors(tmp_path):
    plan = runner.plan_runs([CHAPTER], texts=[("show_milestones", "false"), ("include_lead_in", "false")])
    result = run_plans(tmp_path, changed=plan)["changed"]
    assert result.status == "ok", result.error
    timeline = pd.read_csv(result.folder / "tables" / "c1-timeline.csv")
    assert set(timeline["Kind"]) == {CASE} and len(timeline) == 5
    assert "defined in" not in title_text(exported_spec(result.folder, "c1-fig-timeline"))
    measures = exported_spec(result.folder, "c1-fig-measures")
    assert title_text(measures).startswith("Actors named inside the 3 measures")
    assert set(chart_rows(measures)["role"]) == {OWN_ROLE}
    assert len(pd.read_csv(result.folder / "tables" / "c1-measures.csv")) == 5  # the table keeps every measure
    assert result.record["overrides"] == {"show_milestones": False, "include_lead_in": False}
