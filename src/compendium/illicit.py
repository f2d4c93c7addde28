"""Cluster 3, illicit globalization: the meeting's stance on the UN's role issue by issue, the
survey's best-placed actor beside it, published estimates for context, and the figure for which
no source was found. Each frame function returns a new frame; each chart builder one chart. The frames and tables
cluster 4 shares (issue positions, the survey comparison) live in analysis, charts and present."""

from __future__ import annotations

import altair as alt
import pandas as pd

from compendium import charts
from compendium.charts import title_lines, wrapped_axis
from compendium.charts.theme import STANCE_LABELS, stance_scale

SECTION = "cluster-3"
CLUSTER = 3
UNSOURCED = "no-source-found"
# The estimates the chapter shows by default; the context table holds these subjects for cluster 3.
DEFAULT_SUBJECTS = ("modern slavery", "forced labour", "illicit financial flows from developing countries",
                    "illicit drug use")
PUBLISHER_COLOURS = ["#1f5f8b", "#e07a1f", "#3b8b5a", "#7d5ba6", "#8c6d46", "#c2577f"]


# --- issues and stances ---------------------------------------------------------------------


def agreement_of(comparison: pd.DataFrame, issue_id: str) -> str:
    """Return the agreement category ('agree', 'partly agree', …) of one issue in the comparison."""
    return str(comparison.set_index("issue_id").loc[issue_id, "agreement"])


def claim_units(claims: pd.DataFrame, positions: pd.DataFrame) -> pd.DataFrame:
    """Return one row per claim on the chosen issues (any section), numbered within its issue in
    document order, with the issue's label, the claim's stance label, passage and quote."""
    labels = positions.set_index("issue_id")["issue"]
    own = claims[claims["issue_id"].isin(labels.index)]
    return pd.DataFrame(
        {
            "issue": own["issue_id"].map(labels),
            "position": own.groupby("issue_id").cumcount() + 1,
            "stance_label": own["un_stance"].map(STANCE_LABELS),
            "section": own["section"],
            "passage_id": own["passage_id"],
            "quote": own["quote"],
        }
    ).reset_index(drop=True)


def _issue_axis_label(positions: pd.DataFrame) -> pd.Series:
    unasked = charts.LINE_BREAK + "(not in the survey)"
    return positions["issue"] + positions["surveyed"].map({True: "", False: unasked})


def _stance_title(positions: pd.DataFrame) -> list[str]:
    """The stance the meeting takes on the issues the survey skipped (else on all issues), counted."""
    skipped = positions[~positions["surveyed"]]
    focus = skipped if len(skipped) else positions
    counts = focus["stance_label"].value_counts(sort=False)
    parts = ", ".join(f"“{stance}” on {charts.plural(int(n), 'issue')}" for stance, n in counts.items())
    lead = "Where the survey did not ask, the meeting says" if len(skipped) else "The meeting says"
    return title_lines(f"{lead} {parts}")


def stance_units_chart(units: pd.DataFrame, positions: pd.DataFrame) -> alt.LayerChart:
    """Unit chart: one square per coded claim on each issue, coloured by its stance on the UN's role,
    and at the right the stance the meeting takes on the issue overall."""
    order = _issue_axis_label(positions).tolist()
    frame = units.assign(row=units["issue"].map(dict(zip(positions["issue"], order))))
    widest = int(frame["position"].max()) if len(frame) else 1
    text_room = 7.5  # in square widths: room for the longest stance label
    summary = positions.assign(row=order, at=widest + 0.8, text=positions["stance_label"])[
        ["row", "at", "text", "issue", "stance_label", "claims", "passage_id", "quote"]
    ]
    y = alt.Y("row:N", title=None, sort=order, axis=wrapped_axis(230))
    x_scale = alt.Scale(domain=[0.4, widest + 0.6 + text_room], nice=False)
    squares = (
        alt.Chart(frame)
        .mark_square(size=170, opacity=1)
        .encode(
            y=y,
            x=alt.X("position:Q", scale=x_scale, title="Coded claims, one square each, in document order",
                    axis=alt.Axis(values=list(range(1, widest + 1)), format="d", grid=False, titleAnchor="start")),
            color=alt.Color("stance_label:N", title="Stance of each claim", scale=stance_scale(),
                            legend=alt.Legend(columns=2)),
            tooltip=[
                alt.Tooltip("issue:N", title="Issue"),
                alt.Tooltip("stance_label:N", title="Stance"),
                alt.Tooltip("passage_id:N", title="Passage"),
                alt.Tooltip("quote:N", title="Quote"),
            ],
        )
    )
    labels = (
        alt.Chart(summary)
        .mark_text(align="left", fontWeight=600)
        .encode(
            y=y,
            x=alt.X("at:Q", scale=x_scale),
            text=alt.Text("text:N"),
            tooltip=[
                alt.Tooltip("issue:N", title="Issue"),
                alt.Tooltip("stance_label:N", title="Meeting's stance"),
                alt.Tooltip("claims:Q", title="Claims coded"),
                alt.Tooltip("passage_id:N", title="Passage showing it"),
                alt.Tooltip("quote:N", title="Quote"),
            ],
        )
    )
    return (squares + labels).properties(
        title=alt.Title(_stance_title(positions),
                        subtitle="Squares: each coded claim; bold: the issue's stance (its most frequent positioned claim)"),
        width=round(25 * (widest + 0.2 + text_room)),
        height=alt.Step(36),
        description=(
            f"Unit chart of the coded claims on {charts.plural(len(positions), 'issue')} of cluster 3, one square "
            "per claim coloured by its stance on the UN's role, with the stance the meeting takes on each issue."
        ),
    )


# --- published estimates ----------------------------------------------------------------------


def cluster_estimates(context: pd.DataFrame, claims: pd.DataFrame, cluster: int,
                      subjects: list[str] | tuple = DEFAULT_SUBJECTS) -> pd.DataFrame:
    """Return the cluster's published estimates for the chosen subjects, with the meeting passage each
    gives context to and that passage's first coded claim; raise ValueError on an unknown subject."""
    own = context[(context["cluster"] == cluster) & (context["kind"] == "quantity")]
    unknown = [s for s in subjects if s not in set(own["subject"])]
    if unknown:
        raise ValueError(f"no cluster {cluster} estimates on: {', '.join(unknown)}; "
                         f"valid: {', '.join(dict.fromkeys(own['subject']))}")
    first_claim = claims.groupby("passage_id")["quote"].first()
    chosen = own[own["subject"].isin(subjects)]
    return chosen.assign(
        meeting_says=chosen["passage_id"].map(first_claim).fillna(""),
        year=chosen["year"].astype(int),
    ).reset_index(drop=True)[
        ["context_id", "subject", "label", "value", "qualifier", "unit", "year", "publisher", "document",
         "confidence", "note", "passage_id", "meeting_says"]
    ]


def context_row(context: pd.DataFrame, context_id: str) -> pd.Series:
    """Return one row of the context table by its id (value, unit, year, publisher, document, confidence …)."""
    return context.set_index("context_id").loc[context_id]


def estimates_table(estimates: pd.DataFrame) -> pd.DataFrame:
    """Return the estimates as a readable table: what is estimated, the estimate with its unit, the
    publisher and document, the confidence of the reading, and the caveat."""
    what = [label if str(year) in label else f"{label}, {year}" for label, year in zip(estimates["label"], estimates["year"])]
    return pd.DataFrame(
        {
            "What is estimated": what,
            "Estimate": [f"{value:,g} {unit}" for value, unit in zip(estimates["value"], estimates["unit"])],
            "Publisher, document": estimates["publisher"] + ", " + estimates["document"],
            "Confidence": estimates["confidence"],
            "Caveat": estimates["note"].fillna(""),
        }
    )


def _estimates_title(estimates: pd.DataFrame) -> str:
    people = estimates[estimates["unit"] == "million people"]
    totals = people.sort_values("value", ascending=False).drop_duplicates("subject")
    slavery = totals[totals["subject"] == "modern slavery"]
    labour = totals[totals["subject"] == "forced labour"]
    if len(slavery) and len(labour):
        s, f = slavery.iloc[0], labour.iloc[0]
        return (f"{s.publisher} counts {s.value:g} m people in modern slavery ({s.year}); "
                f"the {f.publisher} {f.value:g} m in forced labour ({f.year})")
    top = estimates.sort_values("value", ascending=False).iloc[0]
    return f"Largest estimate shown: {top.label}, {top.value:,g} {top.unit} ({top.publisher}, {top.year})"


def _estimate_panel(frame: pd.DataFrame, unit: str) -> alt.LayerChart:
    """One small chart: the estimates in one unit, as stems and dots with their values."""
    tooltip = [
        alt.Tooltip("what:N", title="What"),
        alt.Tooltip("value:Q", title="Estimate", format=",~g"),
        alt.Tooltip("unit:N", title="Unit"),
        alt.Tooltip("publisher:N", title="Publisher"),
        alt.Tooltip("document:N", title="Document"),
        alt.Tooltip("confidence:N", title="Confidence"),
        alt.Tooltip("note:N", title="Caveat"),
        alt.Tooltip("passage_id:N", title="Meeting passage"),
        alt.Tooltip("meeting_says:N", title="Meeting says"),
    ]
    order = frame.sort_values("value", ascending=False)["what"].tolist()
    base = alt.Chart(frame).encode(
        y=alt.Y("what:N", title=None, sort=order, axis=alt.Axis(labelLimit=300)),
    )
    x = alt.X("value:Q", title=f"Published estimate, {unit}", scale=alt.Scale(zero=True), axis=alt.Axis(tickCount=4))
    stems = base.mark_rule(strokeWidth=2, opacity=0.4).encode(x=alt.X("zero:Q"), x2="value:Q")
    dots = base.mark_point(size=110).encode(
        x=x, color=alt.Color("publisher:N", title="Publisher", scale=alt.Scale(range=PUBLISHER_COLOURS),
                             legend=alt.Legend(columns=2)),
        tooltip=tooltip,
    )
    labels = base.mark_text(align="left", dx=9).encode(x=x, text=alt.Text("value:Q", format=",~g"))
    return (stems + dots + labels).properties(title=alt.Title(unit, anchor="start", fontSize=13), width=200,
                                              height=alt.Step(24))


def estimates_chart(estimates: pd.DataFrame) -> alt.VConcatChart:
    """Published estimates as dots with their values, one small chart per unit so that no two units share an axis."""
    what = [label if str(year) in label else f"{label}, {year}" for label, year in zip(estimates["label"], estimates["year"])]
    frame = estimates.assign(what=what, zero=0.0)[
        ["what", "value", "zero", "unit", "year", "publisher", "document", "confidence", "note", "passage_id",
         "meeting_says"]
    ].fillna({"note": ""})
    units = frame["unit"].value_counts(sort=True).index.tolist()
    return (
        alt.vconcat(*[_estimate_panel(frame[frame["unit"] == unit], unit) for unit in units], spacing=18)
        .resolve_scale(x="independent", y="independent")
        .properties(
            title=alt.Title(title_lines(_estimates_title(estimates)),
                            subtitle="Published estimates, one small chart per unit; hover for publisher and confidence"),
            description=(
                f"Dot charts of {charts.plural(len(frame), 'published estimate')} for cluster 3's issues in "
                f"{charts.plural(len(units), 'unit')}, one chart per unit, coloured by publisher."
            ),
        )
    )


# --- the figure without a source --------------------------------------------------------------


def unsourced_figures(figures: pd.DataFrame, ledger: pd.DataFrame, section: str) -> pd.DataFrame:
    """Return the figures stated in ``section`` whose ledger verdict is no-source-found, with the ledger note."""
    readings = ledger.loc[ledger["verdict"] == UNSOURCED, ["figure_id", "verdict", "confidence", "note"]]
    own = figures[figures["passage_id"].str.startswith(f"{section}/")]
    return own.merge(readings.rename(columns={"note": "ledger_note"}), on="figure_id", how="inner",
                     validate="1:m").reset_index(drop=True)


def unsourced_table(unsourced: pd.DataFrame) -> pd.DataFrame:
    """Return the unsourced figures as a two-way table: one row per field (what the meeting says,
    the figure, what the ledger found), one column per figure."""
    fields = pd.DataFrame(
        {
            "Passage": unsourced["passage_id"],
            "The meeting says": unsourced["quote"],
            "Figure as stated": [f"{value:,g} {unit}" for value, unit in zip(unsourced["value"], unsourced["unit"])],
            "What it measures": unsourced["measures"],
            "Public source": "none found",
            "Ledger verdict": unsourced["verdict"].str.replace("-", " "),
            "Ledger note": unsourced["ledger_note"],
        },
    )
    return fields.T.set_axis(unsourced["figure_id"].tolist(), axis=1).rename_axis("").reset_index()
