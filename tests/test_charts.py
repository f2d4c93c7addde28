"""Shared chart builders (compendium.charts): label and title helpers on known inputs, and every
builder on crafted and real frames, its spec validated and rendered."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import chart_spec, title_text, tooltip_fields

from compendium import charts
from compendium.analysis import comparison_for_clusters, survey_beside_meeting, survey_issues, who_acts

pytestmark = pytest.mark.usefixtures("theme")


# -- titles and labels -----------------------------------------------------------------------


def test_title_lines_wrap_at_the_width():
    assert charts.title_lines("one two three four", 9) == ["one two", "three", "four"]
    assert charts.title_lines("short") == ["short"]


def test_wrap_label_breaks_lines_where_the_axis_splits_them():
    assert charts.wrap_label("one two three four", 9) == "one two\nthree\nfour"
    assert charts.wrap_label("short") == "short"
    axis = charts.wrapped_axis(230).to_dict()
    assert axis["labelLimit"] == 230 and axis["labelExpr"] == "split(datum.label, '\\n')"


# -- the survey beside the meeting ----------------------------------------------------------------


def side_by_side(rows):
    """A crafted survey_beside_meeting frame: (issue_id, label, answer, discussed, sentences, claim, modality)."""
    frame = pd.DataFrame(rows, columns=["issue_id", "issue_label", "survey_answer", "discussed", "sentences",
                                        "claim_id", "modality_label"])
    return frame.assign(issue=frame["issue_label"], cluster=1, survey_passage_id="annex-a/r1",
                        passage_id=frame["claim_id"].str.split("#").str[0], quote="q " + frame["claim_id"],
                        acts_label="UN system", role_label="Limited or not well placed", items="")


CRAFTED = side_by_side([
    ("a", "A", "Think tanks", True, 2, "c-1/p1#1", "Hedged"),
    ("a", "A", "Think tanks", True, 2, "c-1/p1#2", "Question"),
    ("b", "B", "United States", False, 0, "", ""),
])


def test_survey_title_states_a_fact_about_the_meeting_and_never_a_score():
    assert charts.survey_title(CRAFTED) == ["The meeting has sentences on 1 of the 2 issues the survey asked about"]
    assert charts.survey_title(CRAFTED.iloc[:2]) == [
        "On A, the survey names Think tanks as best placed; the meeting has 2 sentences on it"]
    assert charts.survey_title(CRAFTED.iloc[2:]) == [
        "On B, the survey names United States as best placed; the meeting did not discuss it"]


def test_survey_beside_meeting_chart_on_crafted_rows():
    spec = chart_spec(charts.survey_beside_meeting_chart(CRAFTED))
    datasets = list(spec["datasets"].values())
    squares = next(rows for rows in datasets if rows and "sentence" in rows[0])
    assert [(r["issue_label"], r["sentence"], r["modality_label"]) for r in squares] == [
        ("A", 1, "Hedged"), ("A", 2, "Question")]
    silent = next(rows for rows in datasets if rows and rows[0].get("text") == "Not discussed")
    assert [r["issue_label"] for r in silent] == ["B"]
    assert {"quote", "claim_id", "passage_id", "modality_label", "acts_label", "survey_answer"} <= tooltip_fields(spec)
    text = str(spec).lower()
    assert "agree" not in text and "score" not in spec["description"].lower() and "matches" not in text


@pytest.fixture(scope="module")
def every_issue(tables, document):
    return survey_beside_meeting(tables["claims"], tables["claim_items"], tables["issues"],
                                 survey_issues(document, tables["issues"]))


@pytest.mark.parametrize(
    ("clusters", "title", "issues"),
    [
        ([], "The meeting has sentences on 9 of the 11 issues the survey asked about", "11 survey issues"),
        ([1], "On R2P, the survey names UN/UN agencies as best placed; the meeting has 19 sentences on it",
         "1 survey issue (R2P)"),
        ([2], "The meeting has sentences on 2 of the 3 issues the survey asked about",
         "3 survey issues (Nuclear proliferation, Info privacy / cybersecurity, Drones)"),
    ],
)
def test_survey_beside_meeting_chart_on_the_real_data(every_issue, clusters, title, issues):
    spec = chart_spec(charts.survey_beside_meeting_chart(comparison_for_clusters(every_issue, clusters)))
    assert title_text(spec) == title
    assert spec["description"].startswith(f"Side-by-side chart of {issues}")


# -- who acts, and how strongly ---------------------------------------------------------------------


def test_acts_modality_chart_keeps_the_actors_apart_and_shows_the_claims(tables):
    counts = who_acts(tables["claims"])
    spec = chart_spec(charts.acts_modality_chart(counts, "Who acts in the meeting's sentences"))
    assert spec["encoding"]["y"]["sort"][:3] == ["Secretary-General", "UN system", "Member states"]
    assert spec["encoding"]["color"]["scale"]["domain"] == ["Asserted", "Hedged", "Proposed at the meeting",
                                                            "Reported view", "Question"]
    assert {"acts_label", "modality_label", "claims", "claim_ids", "quotes"} <= tooltip_fields(spec)
    assert f"{len(tables['claims'])} coded claims" in spec["description"]


def test_charts_that_show_modality_by_colour_alone_say_so_and_it_is_true(tables):
    from compendium.charts.theme import MODALITY_COLOURS, distinct_in_greyscale

    # the sentence would be false if the modality palette stayed distinct in greyscale
    assert not distinct_in_greyscale(MODALITY_COLOURS)
    survey = chart_spec(charts.survey_beside_meeting_chart(CRAFTED))
    acts = chart_spec(charts.acts_modality_chart(who_acts(tables["claims"]), "t"))
    for spec in (survey, acts):
        assert spec["description"].endswith("the tooltips and the CSV data name it for every mark.")
        assert "Colour alone shows how" in spec["description"]
