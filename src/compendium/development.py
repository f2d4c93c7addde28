"""Cluster 4, sustainable development: the claims ledger (each figure the meeting states beside what
public sources show), the rise in UN appeals against the "at least 400%", what the "17 years"
measures, and Oxfam's later counts of the richest. Frames are new frames; builders return one chart."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from compendium.data.tables import allowed_values
from compendium import charts
from compendium.analysis import consultation_date
from compendium.charts import title_lines, wrap_label, wrapped_axis

SECTION = "cluster-4"
CLUSTER = 4
VERDICT_ORDER = allowed_values("ledger", "verdict")  # the data package's order
VERDICT_LABELS = {
    "supported": "supported",
    "supported-different-measure": "different measure",
    "contradicted": "contradicted",
    "no-source-found": "no source found",
}
VERDICT_COLOURS = ["#3b8b5a", "#e0a31f", "#d1495b", "#9aa5b1"]
APPEAL_FIGURE = "humanitarian-costs-rise"
APPEAL_MEASURES = ("requirements", "received")
DISPLACEMENT_FIGURE = "average-displacement"
RICHEST_FIGURE = "richest-people"
RICHEST_SUBJECT = "richest people with the wealth of the poorest half"
MDG_START = "millennium-declaration"


def verdict_scale() -> alt.Scale:
    """Return the colour scale for ledger verdicts, the same in every chart of the chapter."""
    return alt.Scale(domain=[VERDICT_LABELS[v] for v in VERDICT_ORDER], range=VERDICT_COLOURS)


def _number(value: float) -> str:
    return "" if pd.isna(value) else f"{value:,g}"


# --- the ledger -------------------------------------------------------------------------------


def ledger_row(ledger: pd.DataFrame, ledger_id: str) -> pd.Series:
    """Return one ledger reading by its id (source value, unit, year, publisher, document, confidence …)."""
    return ledger.set_index("ledger_id").loc[ledger_id]


def section_figures(figures: pd.DataFrame, section: str = SECTION) -> pd.DataFrame:
    """Return the figures the meeting states in ``section``, in table order."""
    return figures[figures["passage_id"].str.startswith(f"{section}/")].reset_index(drop=True)


def ledger_readings(figures: pd.DataFrame, ledger: pd.DataFrame, section: str = SECTION) -> pd.DataFrame:
    """Return one row per ledger reading of a figure stated in ``section``: the meeting's quote and
    passage, the reading's number within its figure, the source's value, measure, publisher,
    document, year, confidence, verdict (and its plain label) and note."""
    own = section_figures(figures, section)
    stated = own.assign(stated_figure=stated_figure(own))[
        ["figure_id", "passage_id", "quote", "value", "unit", "qualifier", "stated_figure"]]
    readings = ledger.merge(
        stated.rename(columns={"value": "stated_value", "unit": "stated_unit", "qualifier": "stated_qualifier"}),
        on="figure_id", how="inner", validate="m:1",
    )
    order = {f: i for i, f in enumerate(stated["figure_id"])}
    readings = readings.sort_values("figure_id", key=lambda s: s.map(order), kind="stable")
    return readings.assign(
        reading=readings.groupby("figure_id").cumcount() + 1,
        verdict_label=readings["verdict"].map(VERDICT_LABELS),
        year=readings["year"].astype("Int64"),
    ).reset_index(drop=True)


def figure_verdicts(readings: pd.DataFrame) -> pd.DataFrame:
    """Return one row per figure: its passage, quote and stated figure, readings per verdict, and
    whether any reading supports it on the measure the meeting states."""
    counts = pd.crosstab(readings["figure_id"], readings["verdict"]).reindex(columns=VERDICT_ORDER, fill_value=0)
    first = readings.drop_duplicates("figure_id").set_index("figure_id")
    frame = first[["passage_id", "quote", "stated_figure"]].join(counts).reset_index()
    return frame.assign(readings=frame[VERDICT_ORDER].sum(axis=1), supported_as_stated=frame["supported"] > 0)


def stated_figure(figures: pd.DataFrame) -> pd.Series:
    """Return each figure as the meeting states it: bound, value and unit ('at least 400 percent
    increase'), or the meeting's own words for a dated statement."""
    bound = figures["qualifier"].map({"exact": "", "at-least": "at least ", "over": "over ", "about": "about "})
    return (bound + figures["value"].map(_number) + " " + figures["unit"]).where(figures["value"].notna(),
                                                                                figures["quote"])


def figures_table(figures: pd.DataFrame) -> pd.DataFrame:
    """Return the meeting's figures as a readable table: what the meeting says, the figure, what it measures."""
    return pd.DataFrame(
        {
            "The meeting says": figures["quote"],
            "Figure": stated_figure(figures),
            "What it measures": figures["measures"],
            "Passage": figures["passage_id"],
        }
    )


def ledger_table(readings: pd.DataFrame) -> pd.DataFrame:
    """Return the ledger readings as a readable table: each figure the meeting states beside what a
    public source shows, the source with its confidence, and the verdict with the reason for it."""
    value = readings["source_value"].map(_number).where(readings["source_value"].notna(), readings["source_date"])
    shows = (value + " " + readings["unit"].fillna("") + ": " + readings["measure"]).where(
        value.notna(), "nothing found: " + readings["measure"])
    year = readings["year"].astype("string").fillna("")
    source = (readings["publisher"] + (", " + readings["document"]).fillna("")
              + (" (" + year + ")").where(year != "", "")).fillna("—")
    why = readings["note"].fillna("")
    return pd.DataFrame(
        {
            "Figure": readings["stated_figure"],
            "What the source shows": shows,
            "Source": source,
            "Confidence": readings["confidence"],
            "Verdict": readings["verdict_label"] + (": " + why).where(why != "", ""),
        }
    )


def verdict_chart(readings: pd.DataFrame) -> alt.Chart:
    """Unit chart: one square per ledger reading of each figure, coloured by verdict."""
    verdicts = figure_verdicts(readings)
    supported = int(verdicts["supported_as_stated"].sum())
    unsupported = verdicts.loc[~verdicts["supported_as_stated"], "stated_figure"]
    frame = readings.assign(
        source=readings["publisher"].fillna("none found") + ", " + readings["document"].fillna("—"),
        value_text=readings["source_value"].map(_number).where(
            readings["source_value"].notna(), readings["source_date"].fillna("—")) + " " + readings["unit"].fillna(""),
        year_text=readings["year"].astype("string").fillna(""),
        row=readings["quote"].map(lambda q: wrap_label(q, 42)),
    )[["row", "quote", "passage_id", "reading", "verdict_label", "value_text", "measure", "source", "year_text",
       "confidence", "note"]].fillna({"note": ""})
    order = list(dict.fromkeys(frame["row"]))
    widest = int(frame["reading"].max())
    squares = (
        alt.Chart(frame)
        .mark_square(size=220, opacity=1)
        .encode(
            y=alt.Y("row:N", title=None, sort=order, axis=wrapped_axis()),
            x=alt.X("reading:O", title="Readings in public sources, one square each",
                    scale=alt.Scale(domain=list(range(1, widest + 1))), axis=alt.Axis(labelAngle=0)),
            color=alt.Color("verdict_label:N", title="Verdict", scale=verdict_scale(), legend=alt.Legend(columns=2)),
            tooltip=[
                alt.Tooltip("quote:N", title="Meeting says"),
                alt.Tooltip("passage_id:N", title="Passage"),
                alt.Tooltip("verdict_label:N", title="Verdict"),
                alt.Tooltip("value_text:N", title="Source value"),
                alt.Tooltip("measure:N", title="What it measures"),
                alt.Tooltip("source:N", title="Source"),
                alt.Tooltip("year_text:N", title="Year"),
                alt.Tooltip("confidence:N", title="Confidence"),
                alt.Tooltip("note:N", title="Note"),
            ],
        )
    )
    lines = title_lines(f"{supported} of {charts.plural(len(verdicts), 'figure')} in cluster 4 find a source on "
                        "the meeting's own measure", 56)
    if len(unsupported):
        lines += title_lines(f"not: {'; '.join(unsupported)}", 56)
    return squares.properties(
        title=alt.Title(
            lines,
            subtitle="One square per reading in the claims ledger; hover for value, source and confidence",
        ),
        width=alt.Step(32),
        height=alt.Step(50),
        description=(
            f"Unit chart of the claims ledger: for each of the {charts.plural(len(verdicts), 'figure')} the meeting "
            f"states in cluster 4, one square per public-source reading, coloured by verdict; {supported} have a "
            "reading that supports them as stated."
        ),
    )


# --- the rise in UN appeals -------------------------------------------------------------------


def event_year(context: pd.DataFrame, context_id: str = MDG_START) -> int:
    """Return the year of a dated context row (by default the Millennium Declaration, start of the MDG era)."""
    return int(context.set_index("context_id").loc[context_id, "year"])


def year_before_meeting(figures: pd.DataFrame) -> int:
    """Return the last full year before the consultation, from the figures table's consultation date."""
    return consultation_date(figures).year - 1


def appeal_kind(measure: pd.Series) -> pd.Series:
    """Classify appeal readings by what they count: 'received' (funding received) or 'requirements'."""
    return measure.str.contains("received", case=False).map({True: "received", False: "requirements"})


def appeal_readings(ledger: pd.DataFrame, base_year: int, end_year: int,
                    figure_id: str = APPEAL_FIGURE) -> pd.DataFrame:
    """Return the ledger's appeal readings in USD bn for the base and end years (requirements and received)."""
    own = ledger[(ledger["figure_id"] == figure_id) & (ledger["unit"] == "USD bn")]
    return own[own["year"].isin([base_year, end_year])].reset_index(drop=True)


def appeal_rise(ledger: pd.DataFrame, measure: str, base_year: int, end_year: int,
                figure_id: str = APPEAL_FIGURE) -> pd.DataFrame:
    """Return one row per end-year reading of ``measure`` (requirements or received, in USD bn): the
    base-year and end-year values with their sources, the rise in percent and the multiple.

    Raises ValueError for an unknown measure or when the base year has not exactly one reading."""
    if measure not in APPEAL_MEASURES:
        raise ValueError(f"unknown appeal measure {measure!r}; valid: {', '.join(APPEAL_MEASURES)}")
    money = appeal_readings(ledger, base_year, end_year, figure_id)
    money = money[appeal_kind(money["measure"]) == measure]
    base = money[money["year"] == base_year]
    ends = money[money["year"] == end_year]
    if len(base) != 1 or ends.empty:
        raise ValueError(f"need one {base_year} reading and at least one {end_year} reading of appeal {measure}; "
                         f"found {len(base)} and {len(ends)}")
    start = base.iloc[0]
    return pd.DataFrame(
        {
            "comparison": ends["publisher"] + ", " + ends["year"].astype(str),
            "base_year": base_year,
            "base_value": start["source_value"],
            "base_source": f"{start['publisher']}, {start['document']}",
            "base_confidence": start["confidence"],
            "end_year": end_year,
            "end_value": ends["source_value"],
            "end_measure": ends["measure"],
            "end_source": ends["publisher"] + ", " + ends["document"],
            "end_confidence": ends["confidence"],
            "times": ends["source_value"] / start["source_value"],
            "rise_pct": (ends["source_value"] / start["source_value"] - 1) * 100,
        }
    ).reset_index(drop=True)


def appeal_table(rise: pd.DataFrame) -> pd.DataFrame:
    """Return the computed rise as a readable table: the two values compared, their sources and the rise."""
    return pd.DataFrame(
        {
            "End-year source": rise["comparison"],
            "From": [f"USD {v:,g} bn in {y}" for v, y in zip(rise["base_value"], rise["base_year"])],
            "To": [f"USD {v:,g} bn in {y}" for v, y in zip(rise["end_value"], rise["end_year"])],
            "Rise": rise["rise_pct"].map(lambda v: f"{v:,.0f}%"),
            "Multiple": rise["times"].map(lambda v: f"{v:.1f}×"),
            "Sources (confidence)": rise["base_source"] + " (" + rise["base_confidence"] + "); "
            + rise["end_source"] + " (" + rise["end_confidence"] + ")",
        }
    )


def appeal_chart(rise: pd.DataFrame, threshold_pct: float, claimed_pct: float, quote: str,
                 passage_id: str) -> alt.LayerChart:
    """Bars of the computed rise in UN appeals, one per end-year source, with the threshold as a rule."""
    measure = "funding received" if rise["end_measure"].str.contains("received").all() else "requirements"
    low, high = rise["rise_pct"].min(), rise["rise_pct"].max()
    span = f"{low:,.0f}%" if round(low) == round(high) else f"{low:,.0f}–{high:,.0f}%"
    if low >= 2 * threshold_pct:
        verdict = "more than double"
    elif low >= threshold_pct:
        verdict = "above"
    elif high >= threshold_pct:
        verdict = "partly above"
    else:
        verdict = "below"
    named = (f"the claimed 'at least {claimed_pct:g}%'" if threshold_pct == claimed_pct
             else f"the {threshold_pct:g}% threshold")
    frame = rise.assign(
        label=rise["rise_pct"].map(lambda v: f"+{v:,.0f}%"), quote=quote, passage_id=passage_id,
    )[["comparison", "rise_pct", "times", "label", "base_value", "base_year", "base_source", "base_confidence",
       "end_value", "end_year", "end_source", "end_confidence", "quote", "passage_id"]]
    base = alt.Chart(frame).encode(y=alt.Y("comparison:N", title=None, axis=alt.Axis(labelLimit=260)))
    tooltip = [
        alt.Tooltip("comparison:N", title="End-year source"),
        alt.Tooltip("rise_pct:Q", title="Rise (%)", format=",.0f"),
        alt.Tooltip("times:Q", title="Multiple of the base", format=".1f"),
        alt.Tooltip("base_value:Q", title="Base value (USD bn)", format=",~g"),
        alt.Tooltip("base_source:N", title="Base source"),
        alt.Tooltip("base_confidence:N", title="Base confidence"),
        alt.Tooltip("end_value:Q", title="End value (USD bn)", format=",~g"),
        alt.Tooltip("end_source:N", title="End source"),
        alt.Tooltip("end_confidence:N", title="End confidence"),
        alt.Tooltip("passage_id:N", title="Meeting passage"),
        alt.Tooltip("quote:N", title="Meeting says"),
    ]
    x = alt.X("rise_pct:Q", title=f"Rise since {frame['base_year'].iloc[0]}, percent (computed from the ledger)",
              scale=alt.Scale(domainMin=0, nice=True))
    bars = base.mark_bar(height=26).encode(x=x, tooltip=tooltip)
    labels = base.mark_text(align="right", dx=-6, color="white", fontWeight=600).encode(x=x, text="label:N")
    threshold = pd.DataFrame({"threshold": [threshold_pct], "text": [f"{named[0].upper()}{named[1:]}"]})
    rule = alt.Chart(threshold).mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#d1495b").encode(
        x="threshold:Q", tooltip=[alt.Tooltip("text:N", title="Threshold")]
    )
    rule_label = alt.Chart(threshold).mark_text(align="left", dx=5, dy=-6, baseline="bottom", color="#d1495b").encode(
        x="threshold:Q", y=alt.value(0), text="text:N"
    )
    return (bars + labels + rule + rule_label).properties(
        title=alt.Title(
            title_lines(f"UN appeal {measure} rose {span} from {frame['base_year'].iloc[0]} to "
                        f"{frame['end_year'].iloc[0]}: {verdict} {named}", 60),
            subtitle=[f"One bar per source of the {frame['end_year'].iloc[0]} value; rise computed from the ledger's",
                      "USD bn values; dashed line: the threshold"],
        ),
        width=380,
        height=alt.Step(44),
        description=(
            f"Bar chart of the rise in UN appeal {measure} from {frame['base_year'].iloc[0]} to "
            f"{frame['end_year'].iloc[0]} by source ({span}), with a dashed rule at {threshold_pct:g}%."
        ),
    )


# --- what "17 years" measures -----------------------------------------------------------------


def displacement_measures(readings: pd.DataFrame, figure_id: str = DISPLACEMENT_FIGURE) -> pd.DataFrame:
    """Return the ledger readings on the displacement figure with a short label per measure and year,
    ordered by measure then year."""
    own = readings[readings["figure_id"] == figure_id]
    short = own["measure"].str.replace(r"\s*\(.*\)$", "", regex=True)
    frame = own.assign(short=short, label=(short.str.capitalize() + " (" + own["publisher"] + ", "
                       + own["year"].astype(str) + ")").map(lambda t: wrap_label(t, 36)))
    order = list(dict.fromkeys(frame["measure"]))
    return frame.sort_values(["measure", "year"], key=lambda s: s.map(order.index) if s.name == "measure" else s,
                             kind="stable").reset_index(drop=True)


def displacement_chart(measures: pd.DataFrame, claimed_years: float) -> alt.LayerChart:
    """Bars of each published displacement measure in years, coloured by verdict, with the meeting's
    figure as a rule; each bar's tooltip gives the measure's definition and source."""
    matching = measures[measures["source_value"] == claimed_years]
    others = measures[measures["verdict"] == "contradicted"]
    if len(matching):
        match = matching.iloc[0]
        what = f"{match['publisher']}'s {match['short'].lower()} ({match['year']})"
    else:
        what = "not a value any source in the ledger gives"
    exile = ", ".join(f"{m.split()[0]} {v:g}" for m, v in zip(others["measure"], others["source_value"]))
    exile_text = f"; refugees' own years in exile ({others['publisher'].iloc[0]}): {exile}" if exile else ""
    lines = title_lines(f"The meeting's {claimed_years:g} years is {what}{exile_text}")
    frame = measures.assign(value_label=measures["source_value"].map(lambda v: f"{v:g} years"),
                            year_text=measures["year"].astype(str))[
        ["label", "source_value", "value_label", "measure", "publisher", "document", "year_text", "confidence",
         "verdict_label", "note", "passage_id", "quote"]
    ].fillna({"note": ""})
    y = alt.Y("label:N", title=None, sort=frame["label"].tolist(),
              axis=wrapped_axis())
    x = alt.X("source_value:Q", title="Years", scale=alt.Scale(domainMin=0))
    tooltip = [
        alt.Tooltip("measure:N", title="Definition"),
        alt.Tooltip("value_label:N", title="Value"),
        alt.Tooltip("publisher:N", title="Publisher"),
        alt.Tooltip("document:N", title="Document"),
        alt.Tooltip("year_text:N", title="Year"),
        alt.Tooltip("confidence:N", title="Confidence"),
        alt.Tooltip("verdict_label:N", title="Verdict"),
        alt.Tooltip("note:N", title="Note"),
        alt.Tooltip("passage_id:N", title="Meeting passage"),
        alt.Tooltip("quote:N", title="Meeting says"),
    ]
    base = alt.Chart(frame).encode(y=y)
    bars = base.mark_bar(height=22).encode(
        x=x, color=alt.Color("verdict_label:N", title="Verdict", scale=verdict_scale(), legend=alt.Legend(columns=2)),
        tooltip=tooltip,
    )
    labels = base.mark_text(align="left", dx=5).encode(x=x, text="value_label:N")
    claim = pd.DataFrame({"years": [claimed_years], "text": [f"The meeting: {claimed_years:g} years"]})
    rule = alt.Chart(claim).mark_rule(strokeDash=[6, 4], strokeWidth=2, color="#1f2933").encode(
        x="years:Q", tooltip=[alt.Tooltip("text:N", title="Claim")]
    )
    rule_label = alt.Chart(claim).mark_text(align="left", dx=5, baseline="bottom", dy=-4).encode(
        x="years:Q", y=alt.value(0), text="text:N"
    )
    return (bars + labels + rule + rule_label).properties(
        title=alt.Title(lines, subtitle="Hover a bar for the measure's definition, source and confidence"),
        width=230,
        height=alt.Step(40),
        description=(
            f"Bar chart of {charts.plural(len(frame), 'published measure')} of how long displacement lasts, in "
            f"years, against the meeting's {claimed_years:g} years (dashed line)."
        ),
    )


# --- Oxfam's counts of the richest ------------------------------------------------------------


def _published_year(document: pd.Series, fallback: pd.Series) -> pd.Series:
    found = document.fillna("").map(lambda d: re.findall(r"\b(?:19|20)\d{2}\b", d))
    return pd.Series([int(f[-1]) if f else int(y) for f, y in zip(found, fallback)], index=document.index)


def _series_name(change: int | None, new_data: bool) -> str:
    return f"{change} report's new data" if new_data else (f"Reports before {change}" if change else "Oxfam reports")


def richest_counts(ledger: pd.DataFrame, context: pd.DataFrame, show_revised: bool = True) -> pd.DataFrame:
    """Return Oxfam's counts of the richest people who hold as much as the poorest half: the meeting's
    figure (ledger) and the later counts (context), with the year counted, the year published, whether
    a count is a later revision, and the first year of the new data; revisions dropped unless ``show_revised``."""
    first = ledger[(ledger["figure_id"] == RICHEST_FIGURE) & (ledger["unit"] == "people")]
    later = context[context["subject"] == RICHEST_SUBJECT]
    rows = pd.concat(
        [
            pd.DataFrame({"label": "Oxfam count, Jan " + first["year"].astype(str) + " (the meeting's figure)",
                          "people": first["source_value"], "year": first["year"].astype(int),
                          "publisher": first["publisher"], "document": first["document"],
                          "confidence": first["confidence"], "note": first["note"]}),
            pd.DataFrame({"label": later["label"], "people": later["value"], "year": later["year"].astype(int),
                          "publisher": later["publisher"], "document": later["document"],
                          "confidence": later["confidence"], "note": later["note"]}),
        ],
        ignore_index=True,
    )
    published = _published_year(rows["document"], rows["year"])
    revised = published > rows["year"]
    change = int(published[revised].min()) if revised.any() else None
    frame = rows.assign(
        published=published,
        revised=revised,
        series=[_series_name(change, r or (change is not None and p >= change)) for r, p in zip(revised, published)],
        method_change=change,
    ).sort_values(["year", "published"], kind="stable").reset_index(drop=True)
    return frame if show_revised else frame[~frame["revised"]].reset_index(drop=True)


def richest_table(counts: pd.DataFrame) -> pd.DataFrame:
    """Return Oxfam's counts as a readable table: the count, people, the year counted and published, the source."""
    return pd.DataFrame(
        {
            "Count": counts["label"],
            "People": counts["people"].map(_number),
            "Year counted": counts["year"],
            "Published": counts["published"],
            "Series": counts["series"],
            "Source (confidence)": counts["publisher"] + ", " + counts["document"] + " (" + counts["confidence"] + ")",
        }
    )


def richest_chart(counts: pd.DataFrame, quote: str, passage_id: str) -> alt.LayerChart:
    """Line and points of Oxfam's counts by year, the revised count as a distinct mark, and a rule
    where the new data begin."""
    change = counts["method_change"].dropna()
    change = int(change.iloc[0]) if len(change) else None
    first, last = counts.iloc[0], counts[~counts["revised"]].iloc[-1]
    revised = counts[counts["revised"]]
    frame = counts.assign(
        kind=counts["revised"].map({True: "revised later", False: "as first published"}),
        people_text=counts["people"].map(lambda v: f"{v:g}"),
        quote=quote, passage_id=passage_id,
    )[["year", "people", "people_text", "label", "series", "kind", "publisher", "document", "confidence", "note",
       "quote", "passage_id"]]
    lines = [f"Oxfam's count fell from {first.people:g} people ({first.year}) to {last.people:g} ({last.year}),"]
    if len(revised):
        r = revised.iloc[0]
        before = counts[(counts["year"] == r.year) & ~counts["revised"]]
        was = f" from {before['people'].iloc[0]:g}" if len(before) else ""
        lines.append(f"but the {change} data revised {r.year}{was} to {r.people:g}: not one consistent series")
    elif change is not None:
        lines.append(f"but the {change} report used new data: not one consistent series")
    years = alt.X("year:Q", title="Year the count refers to", scale=alt.Scale(domain=[frame["year"].min() - 0.4,
                  frame["year"].max() + 0.4], nice=False), axis=alt.Axis(format="d", values=sorted(frame["year"].unique().tolist())))
    people = alt.Y("people:Q", title="Richest people with the wealth of the poorest half", scale=alt.Scale(domainMin=0))
    tooltip = [
        alt.Tooltip("label:N", title="Count"),
        alt.Tooltip("people:Q", title="People"),
        alt.Tooltip("publisher:N", title="Publisher"),
        alt.Tooltip("document:N", title="Document"),
        alt.Tooltip("confidence:N", title="Confidence"),
        alt.Tooltip("note:N", title="Caveat"),
        alt.Tooltip("passage_id:N", title="Meeting passage"),
        alt.Tooltip("quote:N", title="Meeting says"),
    ]
    series = alt.Color("series:N", title="Series", scale=alt.Scale(
        domain=[_series_name(change, False), _series_name(change, True)], range=["#1f5f8b", "#e07a1f"]))
    line = alt.Chart(frame).mark_line(strokeWidth=2).encode(x=years, y=people, color=series, detail="series:N")
    points = alt.Chart(frame).mark_point(size=120, filled=True, strokeWidth=2).encode(
        x=years, y=people, color=series,
        shape=alt.Shape("kind:N", legend=None, scale=alt.Scale(domain=["as first published", "revised later"],
                                                              range=["circle", "diamond"])),
        tooltip=tooltip,
    )
    labels = alt.Chart(frame).mark_text(align="left", dx=9, dy=-6).encode(x=years, y=people, text="people_text:N")
    marker = pd.DataFrame({"year": [change] if change is not None else [],
                           "text": [f"{change} report: new data"] if change is not None else []})
    rule = alt.Chart(marker).mark_rule(strokeDash=[6, 4], strokeWidth=1.5, color="#52606d").encode(
        x="year:Q", tooltip=[alt.Tooltip("text:N", title="Method change")]
    )
    rule_label = alt.Chart(marker).mark_text(align="right", dx=-6, baseline="top", dy=4, color="#52606d").encode(
        x="year:Q", y=alt.value(0), text="text:N"
    )
    return (line + points + labels + rule + rule_label).properties(
        title=alt.Title(lines, subtitle=["Oxfam briefing papers, January of each year; diamond: a count revised",
                                         "in a later report; dashed line: where the new data begin"]),
        width=430,
        height=260,
        description=(
            f"Line chart of Oxfam's counts of the richest people who hold as much as the poorest half, "
            f"{counts['year'].min()} to {counts['year'].max()}, with the revised count marked apart and a rule "
            "where Oxfam's new data begin."
        ),
    )
