"""Cluster 1, R2P and human rights: the executed chapter's exported charts and tables, checked against
the source and the coded tables, and the chapter rerun with changed settings."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, spec_dataset, spec_rows, title_text, tooltip_fields

from compendium.analysis import cluster_claims
from compendium.book import runner
from compendium.data.tables import lead_in_sentence

CHAPTER = "r2p-human-rights"
CASE = "Case named as weakening R2P"
MILESTONE = "R2P milestone"
CHARTS = ["c1-fig-acts", "c1-fig-timeline", "c1-fig-survey"]
LEAD_IN = "The international community could, for example:"




@pytest.fixture(scope="module")
def folder(executed_run):
    return executed_run(CHAPTER).folder


@pytest.fixture(scope="module")
def claims(tables):
    return cluster_claims(tables["claims"], 1, tables["claim_items"], tables["issues"])


@pytest.fixture(scope="module")
def measures(folder):
    return pd.read_csv(folder / "tables" / "c1-measures.csv", keep_default_na=False)


@pytest.fixture(scope="module")
def timeline(folder):
    return pd.read_csv(folder / "tables" / "c1-timeline.csv")


# -- the proposed measures: hedged examples of what the international community could do -------------


def test_the_measures_are_the_sentences_of_the_five_bullets_verbatim(measures, document):
    bullets = [b.id for b in document.section("cluster-1").blocks if b.kind == "bullet"]
    assert list(dict.fromkeys(measures["Passage"])) == bullets and len(bullets) == 5
    for passage, quote in zip(measures["Passage"], measures["Sentence (verbatim)"]):
        assert quote in document.block(passage).plain


def test_every_bullet_completes_the_hedged_lead_in_of_the_international_community(measures, tables):
    lead_in = lead_in_sentence(tables["passages"].set_index("passage_id").loc["cluster-1/p3", "text"])
    assert lead_in == LEAD_IN  # the source's words: "could", and the international community, not the UN
    completing = measures[measures["Completes the lead-in"] != ""]
    assert set(completing["Completes the lead-in"]) == {LEAD_IN}
    assert completing["Passage"].nunique() == 5  # every bullet
    assert set(completing["Who acts"]) == {"International community"}
    assert set(completing["How it is put"]) == {"Hedged"}
    assert "UN system" not in set(completing["Who acts"]) and "Secretary-General" not in set(measures["Who acts"])


def test_the_un_acts_in_the_measures_only_in_a_question(measures):
    un = measures[measures["Who acts"] == "UN system"]
    assert un[["Claim", "How it is put"]].values.tolist() == [["cluster-1/b5#2", "Question"]]
    assert un["Sentence (verbatim)"].item().endswith("how can the UN make compliance more transparent and public?")
    own = measures[measures["Completes the lead-in"] == ""]
    assert own["Claim"].tolist() == ["cluster-1/b3#2", "cluster-1/b5#2"]
    assert own["How it is put"].tolist() == ["Hedged", "Question"]


# -- who acts, and how firmly ---------------------------------------------------------------------------


def test_acts_chart_counts_every_claim_once_with_the_actors_kept_apart(folder, claims):
    spec = exported_spec(folder, "c1-fig-acts")
    rows = spec_rows(spec)
    assert rows["claims"].sum() == len(claims) == 21
    by_actor = rows.groupby("acts")["claims"].sum()
    assert by_actor.to_dict() == claims["acts"].value_counts().to_dict()
    # the Secretary-General, the UN system and the international community are separate bars
    assert {"secretary-general", "un-system", "international-community"} <= set(rows["acts"])
    sg = rows[rows["acts"] == "secretary-general"]
    assert "cluster-1/p3#2" in ", ".join(sg["claim_ids"])  # "The UNSG alone cannot advance the R2P norm."
    assert "cluster-1/p3#2" not in ", ".join(rows.loc[rows["acts"] == "un-system", "claim_ids"])
    assert {"acts_label", "modality_label", "claims", "claim_ids", "quotes"} <= tooltip_fields(spec)


def test_acts_chart_title_states_the_computed_finding(folder, claims):
    spec = exported_spec(folder, "c1-fig-acts")
    counts = claims["acts"].value_counts()
    ic = claims[claims["acts"] == "international-community"]
    expected = (f"The international community acts in {counts['international-community']} of the cluster's "
                f"{len(claims)} claims, {(ic['modality'] != 'asserted').sum()} of them hedged or asked; "
                f"the Secretary-General in {counts['secretary-general']}, the UN system in {counts['un-system']}")
    assert title_text(spec) == expected
    assert title_text(spec) == ("The international community acts in 8 of the cluster's 21 claims, 7 of them hedged "
                                "or asked; the Secretary-General in 3, the UN system in 2")


# -- the cases that weakened the norm, dated ---------------------------------------------------


def test_timeline_has_the_places_the_meeting_names_with_dates_still_to_verify(timeline):
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
    rows = spec_rows(spec)
    assert (rows.loc[rows["group"] == CASE, "status"] == "date still to verify").all()
    assert rows["label"].str.contains("UNSC resolution").any()  # shortened on the axis only
    assert {"event", "when", "status", "publisher", "document", "confidence", "passage_id", "note"} <= (
        tooltip_fields(spec))


# -- the survey's answer beside the meeting's sentences -----------------------------------------------


def test_survey_chart_shows_the_answer_as_written_beside_the_sentences_on_r2p(folder, tables, document):
    spec = exported_spec(folder, "c1-fig-survey")
    survey = spec_dataset(spec, "survey_passage_id")
    assert survey[["issue_label", "survey_answer"]].values.tolist() == [["R2P", "UN/UN agencies"]]
    squares = spec_dataset(spec, "quote")
    assert len(squares) == 19 and set(squares["issue_label"]) == {"R2P"}
    assert all(q in document.block(p).plain for q, p in zip(squares["quote"], squares["passage_id"]))
    assert set(squares["modality_label"]) == {"Asserted", "Hedged", "Question"}
    assert title_text(spec) == "On R2P, the survey names UN/UN agencies as best placed; the meeting has 19 sentences on it"
    assert {"quote", "claim_id", "passage_id", "modality_label", "acts_label"} <= tooltip_fields(spec)
    assert "agree" not in json.dumps(spec).lower()  # shown side by side, never scored


def test_survey_table_has_one_row_per_meeting_sentence_and_no_score(folder):
    table = pd.read_csv(folder / "tables" / "c1-survey-beside-meeting.csv")
    assert len(table) == 19 and set(table["Survey: best placed (as written)"]) == {"UN/UN agencies"}
    assert not any("agree" in c.lower() or "score" in c.lower() for c in table.columns)
    assert table.loc[table["Claim"] == "cluster-1/p3#2", "Who acts"].item() == "Secretary-General"


# -- what happened next ---------------------------------------------------------------------------------


def test_what_happened_next_shows_every_cluster_row_with_its_source_and_confidence(folder, tables):
    table = pd.read_csv(folder / "tables" / "c1-what-happened-next.csv", keep_default_na=False)
    rows = tables["outcomes"][tables["outcomes"]["cluster"] == 1].sort_values("date", kind="stable")
    assert len(table) == len(rows) == 7
    assert table["What happened"].tolist() == rows["event"].tolist()
    assert table["Confidence"].tolist() == rows["confidence"].tolist()
    assert set(table["Confidence"]) <= {"direct", "second-hand", "unverified"}
    assert (table["Publisher"] != "").all() and table["Address"].str.startswith("http").all()
    assert table.loc[table["Symbol"] == "A/RES/75/277", "Date"].item() == "18 May 2021"


# -- the claims, and every chart ---------------------------------------------------------------


def test_claims_table_has_every_claim_of_the_cluster_with_its_modality(folder, claims):
    shown = pd.read_csv(folder / "tables" / "c1-claims.csv")
    assert shown["Claim"].tolist() == claims["claim_id"].tolist()
    assert {"How it is put", "Who acts", "Role"} <= set(shown.columns)
    assert not any("stance" in c.lower() for c in shown.columns)


@pytest.mark.parametrize("name", CHARTS)
def test_every_chart_validates_renders_and_describes_itself(folder, name):
    import altair as alt

    spec = exported_spec(folder, name)
    kind = alt.HConcatChart if "hconcat" in spec else alt.LayerChart if "layer" in spec else alt.Chart
    chart = kind.from_dict(spec)
    assert title_text(chart_spec(chart))
    assert spec.get("description") or spec.get("layer", [{}])[0].get("description")
    assert (folder / "charts" / f"{name}.svg").is_file()


def test_no_filler_chart_is_left(folder):
    assert sorted(p.name.removesuffix(".vl.json") for p in (folder / "charts").glob("*.vl.json")) == sorted(CHARTS)


# -- the chapter, rerun with changed settings -------------------------------------------------


@pytest.mark.chapters
def test_chapter_without_milestones_and_with_every_cluster_in_the_survey_chart(tmp_path):
    plan = runner.plan_runs([CHAPTER], {"survey_clusters": []}, texts=[("show_milestones", "false")])
    result = run_plans(tmp_path, changed=plan)["changed"]
    assert result.status == "ok", result.error
    timeline = pd.read_csv(result.folder / "tables" / "c1-timeline.csv")
    assert set(timeline["Kind"]) == {CASE} and len(timeline) == 5
    assert "defined in" not in title_text(exported_spec(result.folder, "c1-fig-timeline"))
    survey = exported_spec(result.folder, "c1-fig-survey")
    assert len(spec_dataset(survey, "survey_passage_id")) == 11  # every issue of the annex table
    assert title_text(survey) == "The meeting has sentences on 9 of the 11 issues the survey asked about"
    assert result.record["overrides"] == {"survey_clusters": [], "show_milestones": False}
