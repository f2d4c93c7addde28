"""Chart builders that more than one chapter uses. Each returns one declarative Altair chart
whose title states the finding, with plain axis titles, source tooltips and a description."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from .analysis import AGREEMENT_ORDER
from .theme import STANCE_LABELS, STANCE_ORDER, stance_scale

AGREEMENT_COLOURS = ["#3b8b5a", "#9cc5a1", "#d1495b", "#bcc4cc"]


def plural(n: int, word: str, many: str | None = None) -> str:
    """Return '1 issue' / '3 issues'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


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


def actor_heatmap(mentions: pd.DataFrame, title: str | list[str]) -> alt.LayerChart:
    """Heatmap of computed actor mention counts, cluster by actor, with the count in each cell."""
    named = mentions.groupby("actor_id")["mentions"].transform("sum") > 0
    frame = mentions[named].assign(cluster_label=lambda f: "Cluster " + f["cluster"].astype(str))
    base = alt.Chart(frame, title=alt.Title(title, subtitle="Mentions counted with the actor lexicon; blank: not named")).encode(
        x=alt.X("cluster_label:O", title=None, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("actor:N", title="Actor", sort=alt.EncodingSortField("mentions", op="sum", order="descending")),
        tooltip=[
            alt.Tooltip("actor:N", title="Actor"),
            alt.Tooltip("cluster_label:O", title="Cluster"),
            alt.Tooltip("mentions:Q", title="Mentions"),
            alt.Tooltip("passages:N", title="Passages"),
        ],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("mentions:Q", title="Mentions", scale=alt.Scale(scheme="blues", domainMin=0))
    ).transform_filter("datum.mentions > 0")
    labels = base.mark_text().encode(
        text=alt.Text("mentions:Q"),
        color=alt.condition("datum.mentions >= 4", alt.value("white"), alt.value("#1f2933")),
    ).transform_filter("datum.mentions > 0")
    top = frame.groupby("actor")["mentions"].sum().idxmax() if len(frame) else "none"
    return (cells + labels).properties(
        width=alt.Step(90),
        height=alt.Step(22),
        description=f"Heatmap of how often each actor is named in each of the four clusters; {top} is named most.",
    )


def claim_type_chart(counts: pd.DataFrame, title: str | list[str]) -> alt.Chart:
    """Stacked bars: claims per part of the document, split by claim type."""
    return (
        alt.Chart(counts, title=title)
        .mark_bar()
        .encode(
            y=alt.Y("part:N", title=None, sort=None),  # the part names say what the axis is
            x=alt.X("claims:Q", title="Coded claims", stack="zero"),
            color=alt.Color("claim_type:N", title="Claim type"),
            tooltip=[
                alt.Tooltip("part:N", title="Part"),
                alt.Tooltip("claim_type:N", title="Claim type"),
                alt.Tooltip("claims:Q", title="Claims"),
                alt.Tooltip("passages:N", title="Passages"),
            ],
        )
        .properties(width=520, height=alt.Step(28),
                    description="Stacked bar chart of coded claims per part of the meeting summary, by claim type.")
    )


def estimate_chart(estimates: pd.DataFrame, title: str, x_title: str, y_field: str = "label") -> alt.LayerChart:
    """Published estimates as dots, with a bar over the range where the source gives one."""
    frame = estimates.assign(
        low=estimates["value_low"].fillna(estimates["value"]),
        high=estimates["value_high"].fillna(estimates["value"]),
    )
    base = alt.Chart(frame, title=alt.Title(title, subtitle="Published estimates; hover for publisher, year and confidence"))
    tooltip = [
        alt.Tooltip(f"{y_field}:N", title="What"),
        alt.Tooltip("value:Q", title="Estimate", format=","),
        alt.Tooltip("low:Q", title="Low", format=","),
        alt.Tooltip("high:Q", title="High", format=","),
        alt.Tooltip("unit:N", title="Unit"),
        alt.Tooltip("year:N", title="Year"),
        alt.Tooltip("publisher:N", title="Publisher"),
        alt.Tooltip("document:N", title="Document"),
        alt.Tooltip("confidence:N", title="Confidence"),
    ]
    y = alt.Y(f"{y_field}:N", title=None, sort=alt.EncodingSortField("value", order="descending"))
    ranges = base.mark_rule(strokeWidth=6, opacity=0.35).encode(y=y, x=alt.X("low:Q", title=x_title), x2="high:Q", tooltip=tooltip)
    dots = base.mark_point().encode(y=y, x=alt.X("value:Q", title=x_title), tooltip=tooltip)
    labels = base.mark_text(align="left", dx=8).encode(y=y, x="high:Q", text=alt.Text("value:Q", format=","))
    return (ranges + dots + labels).properties(
        width=480, height=alt.Step(24),
        description=f"Dot chart of published estimates ({x_title}); ranges drawn where the publisher gives one.",
    )


def stance_colour() -> alt.Color:
    """Return the stance colour encoding every chapter uses."""
    return alt.Color("stance_label:N", title="Stance on the UN's role", scale=stance_scale())
