"""Shared chart builders (compendium.charts): label and title helpers on known inputs, and every
builder on crafted and real frames, its spec validated and rendered."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import chart_spec, title_text, tooltip_fields

from compendium import charts
from compendium.analysis import comparison_for_clusters, issue_stance_counts, survey_vs_meeting

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


def test_comparison_title_names_the_finding_for_one_issue():
    comparison = pd.DataFrame({"issue_label": ["R2P", "Drones"], "cluster": [1, 2], "agreement": ["agree", "disagree"],
                               "survey_actors": ["UN/UN agencies", "Regional organizations"],
                               "stance_label": ["UN should lead", "UN not well placed"]})
    assert charts.comparison_title(comparison.iloc[:1]) == [
        "On R2P, survey and meeting agree:", "the survey names UN/UN agencies; the meeting: 'UN should lead'"]
    assert charts.comparison_title(comparison) is None


# -- the survey chart for one cluster's issues ---------------------------------------------------


@pytest.fixture(scope="module")
def every_issue(tables, best_placed):
    return survey_vs_meeting(tables["claims"], tables["issues"], best_placed)


@pytest.mark.parametrize(
    ("cluster", "title", "issues"),
    [
        (1, "On R2P, survey and meeting agree: the survey names UN/UN agencies; the meeting: 'UN should lead'",
         "1 surveyed issue (R2P)"),
        (2, "The meeting's stance matches the survey on 1 of 3 surveyed issues",
         "3 surveyed issues (Nuclear proliferation, Info privacy / cybersecurity, Drones)"),
        (3, "The meeting's stance matches the survey on 0 of 4 surveyed issues",
         "4 surveyed issues (Migration, Illicit flows, Maritime security, Drug control policies)"),
    ],
)
def test_survey_chart_for_issues_states_and_describes_what_it_shows(every_issue, cluster, title, issues):
    spec = chart_spec(charts.survey_chart_for_issues(comparison_for_clusters(every_issue, [cluster])))
    assert title_text(spec) == title
    assert f"Dot chart of {issues}:" in spec["description"] and "eleven" not in spec["description"]
    assert {"passage_id", "quote", "survey_actors"} <= tooltip_fields(spec)


# -- stacked bars of claims per issue and stance -------------------------------------------------


def test_issue_stance_bars_wrap_the_issue_labels_and_show_the_source(tables):
    counts = issue_stance_counts(tables["claims"], tables["issues"], 1)
    chart = charts.issue_stance_bars(counts, "Claims by issue").properties(description="Stacked bars.")
    spec = chart_spec(chart)
    (rows,) = spec["datasets"].values()
    assert {row["issue_axis"] for row in rows} == {charts.wrap_label(issue) for issue in counts["issue"]}
    assert any("\n" in row["issue_axis"] for row in rows)  # long labels go on several lines
    assert spec["encoding"]["y"]["axis"]["labelExpr"] == charts.MULTILINE_LABELS
    assert {"issue", "stance_label", "passages", "quotes"} <= tooltip_fields(spec)


def test_colours_live_only_in_the_theme():
    import re

    from compendium import paths

    hex_colour = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b(?![\w-])")
    places = [*sorted((paths.ROOT / "src" / "compendium").rglob("*.py")), *sorted(paths.CHAPTERS_DIR.glob("*.md"))]
    outside = [f"{p.relative_to(paths.ROOT)}: {m[0]}" for p in places
               if p.name != "theme.py"
               for m in hex_colour.finditer(p.read_text(encoding="utf-8"))]
    assert outside == []
