"""Chart builders that more than one chapter uses. Each returns one declarative Altair chart
whose title states the finding, with plain axis titles, source tooltips and a description."""

from __future__ import annotations

import json
import textwrap

import altair as alt
import pandas as pd

from compendium.analysis import NOT_DISCUSSED
from compendium.charts.theme import acts_scale, modality_scale
from compendium.data.tables import ACTS_LABELS

# Axis labels made by wrap_label hold a line break between their lines; wrapped_axis splits them there.
LINE_BREAK = "\n"
MULTILINE_LABELS = "split(datum.label, '\\n')"


def colour_only(what: str) -> str:
    """Return the sentence a chart's description carries when colour alone encodes ``what`` and the
    theme's palette for it is not distinct in greyscale (charts.theme.distinct_in_greyscale)."""
    return (f" Colour alone shows {what}, and in greyscale some of its colours cannot be told apart: "
            f"the tooltips and the CSV data name it for every mark.")


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


def survey_title(frame: pd.DataFrame) -> list[str]:
    """Return the title of survey_beside_meeting_chart: for one issue, both answers in words; for
    several, on how many of them the meeting has sentences (a fact about the meeting, not a score)."""
    issues = frame.drop_duplicates("issue_id")
    if len(issues) == 1:
        row = issues.iloc[0]
        meeting = f"the meeting has {plural(int(row['sentences']), 'sentence')} on it" if row["discussed"] else \
            "the meeting did not discuss it"
        return title_lines(f"On {row['issue_label']}, the survey names {row['survey_answer']} as best placed; {meeting}",
                           90)
    discussed = int(issues["discussed"].sum())
    return title_lines(f"The meeting has sentences on {discussed} of the {len(issues)} issues the survey asked about", 90)


def survey_beside_meeting_chart(frame: pd.DataFrame, title: str | list[str] | None = None) -> alt.HConcatChart:
    """Two panels, one row per survey issue (analysis.survey_beside_meeting): at left the survey's
    best-placed actors as written; at right one square per meeting sentence on the issue, coloured
    by its modality, with the sentence in the tooltip ("Not discussed" where there is none). The two
    instruments asked different questions, so nothing is scored or matched."""
    issues = frame.drop_duplicates("issue_id")
    order = list(issues["issue_label"])
    said = frame[frame["discussed"]]
    said = said.assign(sentence=said.groupby("issue_id", sort=False).cumcount() + 1)
    silent = issues.loc[~issues["discussed"], ["issue_label", "issue", "survey_answer"]].assign(text=NOT_DISCUSSED)
    y = alt.Y("issue_label:N", title=None, sort=order)
    y_bare = alt.Y("issue_label:N", title=None, sort=order, axis=None)  # the survey panel labels the rows
    survey = (
        alt.Chart(issues[["issue_label", "issue", "survey_answer", "survey_passage_id"]],
                  title=alt.Title("Survey: best placed (as written)", fontSize=12, fontWeight=500))
        .mark_text(align="left", dx=4)
        .encode(
            y=y,
            x=alt.value(0),
            text=alt.Text("survey_answer:N"),
            tooltip=[alt.Tooltip("issue:N", title="Issue"), alt.Tooltip("survey_answer:N", title="Survey: best placed"),
                     alt.Tooltip("survey_passage_id:N", title="Survey passage")],
        )
        .properties(width=230, height=alt.Step(24))
    )
    squares = (
        alt.Chart(said[["issue_label", "issue", "sentence", "claim_id", "passage_id", "quote", "modality_label",
                        "acts_label", "role_label", "items"]])
        .mark_square(size=150)
        .encode(
            y=y_bare,
            x=alt.X("sentence:O", title="Meeting sentences on the issue (one square each)",
                    axis=alt.Axis(labels=False, ticks=False, domain=False)),
            color=modality_colour(legend=alt.Legend(title="How the sentence is put")),
            tooltip=[
                alt.Tooltip("issue:N", title="Issue"),
                alt.Tooltip("quote:N", title="Meeting sentence"),
                alt.Tooltip("claim_id:N", title="Claim"),
                alt.Tooltip("passage_id:N", title="Passage"),
                alt.Tooltip("modality_label:N", title="How it is put"),
                alt.Tooltip("acts_label:N", title="Who acts"),
                alt.Tooltip("role_label:N", title="Role"),
                alt.Tooltip("items:N", title="Named in its list as"),
            ],
        )
    )
    not_discussed = (
        alt.Chart(silent)
        .mark_text(align="left", fontStyle="italic")
        .encode(y=y_bare, x=alt.value(0), text=alt.Text("text:N"), tooltip=[alt.Tooltip("issue:N", title="Issue")])
    )
    meeting = alt.layer(squares, not_discussed).properties(
        title=alt.Title("Meeting: its own sentences on the issue", fontSize=12, fontWeight=500), height=alt.Step(24))
    n, discussed = len(issues), int(issues["discussed"].sum())
    return alt.hconcat(
        survey, meeting,
        title=alt.Title(title or survey_title(frame),
                        subtitle="The survey asked who is best placed; the meeting said what it said. Shown side by "
                                 "side, not scored."),
        description=(
            f"Side-by-side chart of {plural(n, 'survey issue')} ({', '.join(order)}): at left the actors the survey's "
            f"respondents named best placed, as written; at right one square per meeting sentence on the issue, "
            f"coloured by how it is put; the meeting has sentences on {discussed} of them."
            + colour_only("how each sentence is put")
        ),
    ).resolve_scale(y="shared")


def acts_modality_chart(counts: pd.DataFrame, title: str | alt.Title) -> alt.Chart:
    """Stacked bars: claims by who acts (analysis.who_acts), each bar split by how the sentences are
    put (modality), actors in the descriptor's order, with the claims behind each part in the tooltip."""
    total = int(counts["claims"].sum())
    return (
        alt.Chart(counts, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("acts_label:N", title="Who acts in the sentence", sort=list(ACTS_LABELS.values())),
            x=alt.X("claims:Q", title="Claims (sentences or clauses)", stack="zero", axis=alt.Axis(tickMinStep=1)),
            color=modality_colour(legend=alt.Legend(title="How the sentence is put", columns=1)),
            order=alt.Order("modality_order:Q"),
            tooltip=[
                alt.Tooltip("acts_label:N", title="Who acts"),
                alt.Tooltip("modality_label:N", title="How it is put"),
                alt.Tooltip("claims:Q", title="Claims"),
                alt.Tooltip("claim_ids:N", title="Claim ids"),
                alt.Tooltip("quotes:N", title="Quotes"),
            ],
        )
        .properties(
            width=420,
            description=(f"Stacked bar chart of {plural(total, 'coded claim')} by who acts in the sentence "
                         f"(Secretary-General, UN system, member states and others kept apart), split by modality."
                         + colour_only("how the sentences are put")),
        )
    )


def modality_colour(field: str = "modality_label", legend: alt.Legend | alt.UndefinedType = alt.Undefined) -> alt.Color:
    """Return the modality colour encoding every chapter uses (on ``field``, a MODALITY_LABELS label)."""
    return alt.Color(f"{field}:N", title="How the sentence is put", scale=modality_scale(), legend=legend)


def acts_colour(field: str = "acts_label", legend: alt.Legend | alt.UndefinedType = alt.Undefined) -> alt.Color:
    """Return the who-acts colour encoding every chapter uses (on ``field``, an ACTS_LABELS label)."""
    return alt.Color(f"{field}:N", title="Who acts", scale=acts_scale(), legend=legend)
