"""Chart builders that more than one chapter uses. Each returns one declarative Altair chart
whose title states the finding, with plain axis titles, source tooltips and a description."""

from __future__ import annotations

import json
import textwrap

import altair as alt
import pandas as pd

from compendium.analysis import AGREEMENT_ORDER
from compendium.charts.theme import (
    AGREEMENT_COLOURS,
    STANCE_LABELS,
    STANCE_ORDER,
    stance_scale,
)

# Axis labels made by wrap_label hold a line break between their lines; wrapped_axis splits them there.
LINE_BREAK = "\n"
MULTILINE_LABELS = "split(datum.label, '\\n')"


def plural(n: int, word: str, many: str | None = None) -> str:
    """Return '1 issue' / '3 issues'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def title_lines(text: str, width: int = 68) -> list[str]:
    """Return a chart title broken into lines of at most ``width`` characters, so it fits the page."""
    return textwrap.wrap(text, width)


def wrap_label(text: str, width: int = 32) -> str:
    """Return ``text`` as an axis label of lines of at most ``width`` characters (words kept whole),
    for an axis drawn with wrapped_axis."""
    return LINE_BREAK.join(textwrap.wrap(text, width))


def wrapped_axis(limit: int = 260) -> alt.Axis:
    """Return an axis that draws each label on several lines, split where wrap_label (or the data) breaks it."""
    return alt.Axis(labelLimit=limit, labelExpr=MULTILINE_LABELS)


def two_line_labels(labels: list[str]) -> str:
    """Return a Vega label expression that breaks each label into two balanced lines."""
    def split(label: str) -> list[str]:
        words = label.split()
        cut = min(range(1, len(words) + 1), key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))))
        return [" ".join(words[:cut]), " ".join(words[cut:])] if cut < len(words) else [label]

    pairs = ", ".join(f"{json.dumps(label)}: {json.dumps(split(label))}" for label in labels)
    return f"{{{pairs}}}[datum.label] || datum.label"


def stance_vs_survey_chart(comparison: pd.DataFrame, title: str | list[str] | None = None) -> alt.Chart:
    """Dot chart: for each surveyed issue, the meeting's stance on the UN, coloured by agreement
    with the survey's best-placed actor."""
    agree = int((comparison["agreement"] == "agree").sum())
    n = len(comparison)
    title = title or f"The meeting's stance matches the survey on {agree} of {plural(n, 'surveyed issue')}"
    stance_domain = [STANCE_LABELS[s] for s in STANCE_ORDER] + ["Not discussed"]
    frame = comparison.assign(survey_names_un=comparison["survey_includes_un"].map({True: "yes", False: "no"}))[
        ["issue_label", "cluster", "stance_label", "agreement", "survey_names_un", "survey_actors",
         "survey_passage_id", "passage_id", "quote"]
    ]
    return (
        alt.Chart(frame, title=alt.Title(title, subtitle="One row per issue the survey asked about"))
        .mark_point(size=160, filled=True)
        .encode(
            y=alt.Y("issue_label:N", title="Survey issue", sort=alt.EncodingSortField("cluster", order="ascending")),
            x=alt.X("stance_label:N", title="Meeting's stance on the UN's role", scale=alt.Scale(domain=stance_domain),
                    axis=alt.Axis(labelAngle=0, labelExpr=two_line_labels(stance_domain), labelLineHeight=14)),
            color=alt.Color("agreement:N", title="Meeting and survey",
                            scale=alt.Scale(domain=AGREEMENT_ORDER, range=AGREEMENT_COLOURS),
                            legend=alt.Legend(columns=2, direction="vertical")),
            shape=alt.Shape("survey_names_un:N", title="Survey names the UN",
                            scale=alt.Scale(domain=["yes", "no"], range=["circle", "square"]),
                            legend=alt.Legend(direction="vertical")),
            tooltip=[
                alt.Tooltip("issue_label:N", title="Issue"),
                alt.Tooltip("survey_actors:N", title="Survey: best placed"),
                alt.Tooltip("survey_passage_id:N", title="Survey passage"),
                alt.Tooltip("stance_label:N", title="Meeting's stance"),
                alt.Tooltip("passage_id:N", title="Meeting passage"),
                alt.Tooltip("quote:N", title="Quote"),
                alt.Tooltip("agreement:N", title="Agreement"),
            ],
        )
        .properties(
            width=alt.Step(92),
            height=alt.Step(26),
            description=(
                f"Dot chart of {plural(n, 'survey issue')}: for each, the stance the meeting took on the UN's role "
                f"and whether it agrees with the survey's best-placed actor; they agree on {agree}."
            ),
        )
    )


def comparison_title(comparison: pd.DataFrame) -> list[str] | None:
    """Return a two-line title naming the finding for a single issue; None lets the shared chart compute its own."""
    if len(comparison) != 1:
        return None
    row = comparison.iloc[0]
    return [f"On {row['issue_label']}, survey and meeting {row['agreement']}:",
            f"the survey names {row['survey_actors']}; the meeting: '{row['stance_label']}'"]


def survey_chart_for_issues(comparison: pd.DataFrame) -> alt.Chart:
    """Return stance_vs_survey_chart for the chosen issues (rows of survey_vs_meeting), titled by
    comparison_title and described by the issues it actually shows."""
    agree = int((comparison["agreement"] == "agree").sum())
    issues = ", ".join(comparison["issue_label"])
    return stance_vs_survey_chart(comparison, comparison_title(comparison)).properties(
        description=(f"Dot chart of {plural(len(comparison), 'surveyed issue')} ({issues}): the meeting's "
                     f"stance on the UN's role beside the survey's best-placed actor; they agree on {agree}."),
    )


def issue_stance_bars(counts: pd.DataFrame, title: str | alt.Title) -> alt.Chart:
    """Stacked bars: claims per issue (analysis.issue_stance_counts), coloured by the stance they take
    on the UN's role, issues in table order with their labels wrapped."""
    frame = counts.assign(issue_axis=counts["issue"].map(wrap_label))
    return (
        alt.Chart(frame, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("issue_axis:N", title=None, sort=alt.EncodingSortField("order", order="ascending"),
                    axis=wrapped_axis()),
            x=alt.X("claims:Q", title="Coded claims", stack="zero", axis=alt.Axis(tickMinStep=1)),
            color=stance_colour(legend=alt.Legend(columns=1)),
            order=alt.Order("stance_order:Q"),
            tooltip=[
                alt.Tooltip("issue:N", title="Issue"),
                alt.Tooltip("stance_label:N", title="Stance"),
                alt.Tooltip("claims:Q", title="Claims"),
                alt.Tooltip("passages:N", title="Passages"),
                alt.Tooltip("quotes:N", title="Quotes"),
            ],
        )
        .properties(width=260)
    )


def stance_colour(legend: alt.Legend | alt.UndefinedType = alt.Undefined) -> alt.Color:
    """Return the stance colour encoding every chapter uses (on ``stance_label``), with ``legend`` if given."""
    return alt.Color("stance_label:N", title="Stance on the UN's role", scale=stance_scale(), legend=legend)
