"""Cluster 1 (compendium.r2p): crafted frames with known answers, the real data, every chart built
and validated, and the chapter rerun with one changed setting."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, title_text, tooltip_fields

from compendium import r2p
from compendium.book import runner
from compendium.analysis import UN_ACTOR, cluster_claims, consultation_date, issue_stance_counts

CHAPTER = "r2p-human-rights"

pytestmark = pytest.mark.usefixtures("theme")


@pytest.fixture(scope="module")
def claims(tables):
    return cluster_claims(tables["claims"], r2p.CLUSTER)


# -- crafted frames ------------------------------------------------------------------------

ACTORS = pd.DataFrame({"actor_id": ["ic", "sg", "un", "cs"],
                       "label": ["International community", "UN Secretary-General", "UN", "Civil society"]})


def crafted_claims(rows):
    columns = ["claim_id", "passage_id", "quote", "cluster", "issue_id", "actors", "un_stance"]
    return pd.DataFrame(rows, columns=columns)


LEAD_AND_MEASURES = crafted_claims([
    ("cluster-1/p3#1", "cluster-1/p3", "all/many need the UNSG", 1, "r2p", "sg", "un-should-convene-support"),
    ("cluster-1/p3#4", "cluster-1/p3", "The international community could:", 1, "r2p", "ic", "no-position"),
    ("cluster-1/b1#1", "cluster-1/b1", "Do one thing", 1, "r2p", None, "no-position"),
    ("cluster-1/b2#1", "cluster-1/b2", "Convene civil society", 1, "r2p", "cs", "no-position"),
    ("cluster-1/b2#2", "cluster-1/b2", "and let the UN report", 1, "r2p", "un", "un-should-lead"),
])


def test_measures_are_one_row_per_bullet_with_their_actors_and_stances():
    table = r2p.measures(LEAD_AND_MEASURES, ACTORS, words=2).set_index("passage_id")
    assert list(table.index) == ["cluster-1/b1", "cluster-1/b2"]
    assert table.loc["cluster-1/b2", "text"] == "Convene civil society … and let the UN report"
    assert table.loc["cluster-1/b2", "actors"] == "Civil society, UN"
    assert table.loc["cluster-1/b2", "stances"] == "No position, UN should lead"
    assert table.loc["cluster-1/b1", "measure"] == "b1 Do one …"
    assert table.loc["cluster-1/b1", "actors"] == ""


def test_lead_in_roles_apply_to_every_measure_and_own_actors_only_to_theirs():
    roles = r2p.measure_roles(LEAD_AND_MEASURES, ACTORS)
    by_role = roles.groupby("role")["passage_id"].apply(sorted).to_dict()
    assert by_role[r2p.LEAD_IN_ROLES["cluster-1/p3#4"]] == ["cluster-1/b1", "cluster-1/b2"]
    assert by_role[r2p.LEAD_IN_ROLES["cluster-1/p3#1"]] == ["cluster-1/b1", "cluster-1/b2"]
    assert by_role[r2p.OWN_ROLE] == ["cluster-1/b2", "cluster-1/b2"]
    lead = roles[roles["actor_id"] == "sg"].iloc[0]
    assert lead["source_passage"] == "cluster-1/p3" and lead["quote"] == "all/many need the UNSG"
    assert set(roles["code"]) == {"b1", "b2"}
    assert r2p.measures_naming(roles, "un") == 1 and r2p.measures_naming(roles, "ic") == 0


def test_without_the_lead_in_only_the_measures_own_actors_remain():
    roles = r2p.measure_roles(LEAD_AND_MEASURES, ACTORS, include_lead_in=False)
    assert set(roles["role"]) == {r2p.OWN_ROLE}
    assert sorted(roles["actor"]) == ["Civil society", "UN"]


def crafted_context(rows):
    columns = ["context_id", "kind", "subject", "label", "year", "date", "confidence", "publisher", "document",
               "note", "passage_id"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(year=frame["year"].astype("Int64"), date=pd.to_datetime(frame["date"]))


CONTEXT = crafted_context([
    ("m1", "event", r2p.MILESTONES, "Outcome, paragraphs 1-2 (A/RES/1)", 2005, None, "direct", "UN", "A/RES/1", None,
     "cluster-1/p1"),
    ("c1", "event", r2p.CASES, "ISIL takes a city (Northern Iraq)", 2014, "2014-06-10", "to-verify", "record", "doc",
     "note", "cluster-1/p2"),
    ("c2", "event", r2p.CASES, "invasion of Iraq begins", 2003, "2003-03-20", "to-verify", "record", "doc", None,
     "cluster-1/p2"),
    ("q1", "quantity", r2p.MILESTONES, "a count, not an event", 2015, None, "direct", "x", "y", None, "cluster-1/p1"),
])


def test_timeline_spans_a_day_or_a_whole_year_and_marks_dates_to_verify():
    events = r2p.weakening_timeline(CONTEXT).set_index("context_id")
    assert list(events.index) == ["c2", "m1", "c1"]  # sorted by date; the quantity is left out
    assert events.loc["m1", "start"] == pd.Timestamp("2005-01-01")
    assert events.loc["m1", "end"] == pd.Timestamp("2005-12-31")
    assert events.loc["m1", "precision"] == "year only" and events.loc["m1", "when"] == "2005 (year only)"
    assert events.loc["c1", "start"] == events.loc["c1", "end"] == pd.Timestamp("2014-06-10")
    assert events.loc["c1", "when"] == "10 Jun 2014"
    assert events.loc["c1", "status"] == r2p.STATUS_LABELS[True]
    assert events.loc["m1", "status"] == r2p.STATUS_LABELS[False]
    assert events.loc["c1", "case"] == "Northern Iraq" and events.loc["c2", "case"] == "Iraq"
    assert events.loc["m1", "case"] == ""


def test_timeline_without_milestones_keeps_only_the_cases():
    events = r2p.weakening_timeline(CONTEXT, show_milestones=False)
    assert set(events["group"]) == {r2p.GROUP_LABELS[r2p.CASES]}
    assert r2p.cases_after_definition(events, CONTEXT) == (1, 2005)
    assert list(r2p.milestone_events(CONTEXT)["context_id"]) == ["m1"]


@pytest.mark.parametrize(
    ("label", "subject", "expected"),
    [
        ("ISIL takes Mosul (Northern Iraq)", r2p.CASES, "Northern Iraq: ISIL takes Mosul"),
        ("invasion of Iraq begins", r2p.CASES, "invasion of Iraq begins"),
        ("2005 World Summit Outcome, paragraphs 138-139 (A/RES/60/1) define R2P", r2p.MILESTONES,
         "2005 World Summit Outcome"),
    ],
)
def test_event_label(label, subject, expected):
    assert r2p.event_label(label, subject) == expected


def test_text_helpers():
    assert r2p.axis_label("Security Council resolution 1674") == "UNSC resolution 1674"
    assert r2p.actor_ids("a;b") == ["a", "b"] and r2p.actor_ids(None) == [] and r2p.actor_ids("") == []


def test_issue_stance_chart_counts_the_positioned_claims():
    counts = pd.DataFrame(
        {
            "issue_id": ["a", "a", "b"], "issue": ["Issue A", "Issue A", "Issue B"],
            "stance_label": ["UN should lead", "No position", "No position"], "claims": [2, 1, 1],
            "passages": ["cluster-1/p2, cluster-1/p3", "cluster-1/p3", "cluster-1/p1"],
            "quotes": ["q2 / q4", "q3", "q1"], "order": [0, 0, 1], "stance_order": [0, 3, 3],
        }
    )
    assert r2p.positioned_claims(counts) == 2
    chart = r2p.issue_stance_chart(counts)
    assert chart.to_dict()["title"]["text"] == "2 of the cluster's 4 coded claims take a position on the UN's role"


# -- the real data ---------------------------------------------------------------------------


def test_real_measures_are_the_five_bullets_of_cluster_1(claims, tables, document):
    bullets = [b.id for b in document.section("cluster-1").blocks if b.kind == "bullet"]
    table = r2p.measures(claims, tables["actors"])
    assert list(table["passage_id"]) == bullets
    roles = r2p.measure_roles(claims, tables["actors"])
    subject = roles[roles["role"] == r2p.LEAD_IN_ROLES["cluster-1/p3#4"]]
    assert set(subject["actor_id"]) == {"international-community"} and len(subject) == len(bullets)
    backing = roles[roles["role"] == r2p.LEAD_IN_ROLES["cluster-1/p3#1"]]
    assert set(backing["actor_id"]) == {"secretary-general"}
    assert r2p.measures_naming(roles, UN_ACTOR) == 1


def test_real_timeline_has_the_cases_the_meeting_names_and_the_milestones(tables):
    events = r2p.weakening_timeline(tables["context"])
    cases = events[events["group"] == r2p.GROUP_LABELS[r2p.CASES]]
    assert set(cases["case"]) == {"Iraq", "Libya", "Syria", "Northern Iraq"}
    assert (cases["confidence"] == "to-verify").all() and (cases["precision"] == "day").all()
    milestones = events[events["group"] == r2p.GROUP_LABELS[r2p.MILESTONES]]
    assert list(milestones["start"].dt.year) == [2005, 2006, 2009, 2013]
    assert (milestones["precision"] == "year only").all()
    assert r2p.cases_after_definition(events, tables["context"]) == (4, 2005)


# -- charts ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tables, claims):
    events = r2p.weakening_timeline(tables["context"])
    return {
        "measures": r2p.measure_roles_chart(r2p.measure_roles(claims, tables["actors"])),
        "timeline": r2p.timeline_chart(events, consultation_date(tables["figures"])),
        "stances": r2p.issue_stance_chart(issue_stance_counts(tables["claims"], tables["issues"], r2p.CLUSTER)),
    }


@pytest.mark.parametrize("name", ["measures", "timeline", "stances"])
def test_chart_validates_renders_and_describes_itself(built, name):
    assert title_text(chart_spec(built[name]))


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("measures", {"source_passage", "quote", "role", "actor"}),
        ("timeline", {"event", "when", "confidence", "publisher", "document", "passage_id", "status"}),
        ("stances", {"passages", "quotes", "stance_label"}),
    ],
)
def test_chart_tooltips_show_the_source(built, name, fields):
    assert fields <= tooltip_fields(built[name].to_dict())


def test_chart_titles_state_the_computed_findings(built):
    assert title_text(built["measures"].to_dict()) == (
        "All 5 measures fall to the international community; 'all/many' need the UN Secretary-General's backing")
    assert title_text(built["timeline"].to_dict()) == (
        "The 5 events the meeting names as weakening R2P span 2003–2014; 4 of them came after the norm was "
        "defined in 2005")
    assert title_text(built["stances"].to_dict()) == (
        "5 of the cluster's 22 coded claims take a position on the UN's role")


def test_timeline_draws_unverified_dates_hollow(built):
    spec = built["timeline"].to_dict()
    scale = spec["layer"][0]["encoding"]["fillOpacity"]["scale"]
    assert dict(zip(scale["domain"], scale["range"]))[r2p.STATUS_LABELS[True]] == 0


def test_measures_chart_without_lead_in_says_so(claims, tables):
    chart = r2p.measure_roles_chart(r2p.measure_roles(claims, tables["actors"], include_lead_in=False))
    assert title_text(chart.to_dict()).startswith("Actors named inside the 3 measures")
    assert isinstance(chart, alt.Chart)


# -- the chapter, rerun with one changed setting ----------------------------------------------


def test_chapter_without_milestones_exports_only_the_cases(tmp_path):
    result = run_plans(tmp_path, changed=runner.plan_runs([CHAPTER], texts=[("show_milestones", "false")]))["changed"]
    assert result.status == "ok", result.error
    timeline = pd.read_csv(result.folder / "tables" / "c1-timeline.csv")
    assert set(timeline["Kind"]) == {r2p.GROUP_LABELS[r2p.CASES]} and len(timeline) == 5
    spec = exported_spec(result.folder, "c1-fig-timeline")
    assert "defined in" not in title_text(spec)
    assert (result.folder / "charts" / "c1-fig-measures.svg").is_file()
    assert result.record["overrides"] == {"show_milestones": False}
