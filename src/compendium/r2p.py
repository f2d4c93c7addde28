"""Cluster 1, R2P and human rights: the proposed measures and who would act on them, the dated
timeline of the cases the meeting says weakened the norm, and the chapter's chart builders.
What cluster 2 shares with it (claims and stances per issue, the survey chart) lives in analysis and charts."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from compendium.charts import issue_stance_bars, wrap_label, wrapped_axis
from compendium.book.present import in_sentence
from compendium.charts.theme import STANCE_LABELS

CLUSTER = 1
SECTION = "cluster-1"
# The lead-in to the five measures; its claims say who acts and whose backing they need.
LEAD_IN = "cluster-1/p3"
# Lead-in claims whose actors stand behind every measure, and the role each gives them.
# p3#4 makes the international community the subject of the bullets ("could, for example:");
# p3#1 asks for the UNSG's backing of "all/many" measures without saying which.
LEAD_IN_ROLES = {
    f"{LEAD_IN}#4": "acts: subject of the lead-in",
    f"{LEAD_IN}#1": "backs 'all/many' of the measures",
}
OWN_ROLE = "named in the measure itself"
ROLE_ORDER = [*LEAD_IN_ROLES.values(), OWN_ROLE]

MILESTONES = "R2P milestones"
CASES = "events named as weakening R2P"
GROUP_LABELS = {MILESTONES: "R2P milestone", CASES: "Case named as weakening R2P"}
# The cases as the meeting names them (cluster-1/p2); longer names first so "Northern Iraq" wins over "Iraq".
CASE_NAMES = ("Northern Iraq", "Libya", "Syria", "Iraq")
UNVERIFIED = "to-verify"
STATUS_LABELS = {False: "source rated", True: "date still to verify"}
# Shortened on the timeline's axis only.
ABBREVIATIONS = {"Security Council resolution": "UNSC resolution"}
_BRACKETS = re.compile(r"\s*\([^)]*\)")


def short_label(text: str, words: int = 6) -> str:
    """Return the first ``words`` words of ``text``, with an ellipsis when it was cut."""
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def actor_ids(cell) -> list[str]:
    """Return the actor ids of a semicolon-separated actors cell (empty or missing: none)."""
    return [a for a in str(cell).split(";") if a] if isinstance(cell, str) else []


def positioned_claims(counts: pd.DataFrame) -> int:
    """Return how many of the counted claims take a position on the UN's role."""
    return int(counts.loc[counts["stance_label"] != STANCE_LABELS["no-position"], "claims"].sum())


def measure_claims(claims: pd.DataFrame, section: str = SECTION) -> pd.DataFrame:
    """Return the claims on the section's bullets (the proposed measures), in document order."""
    on_bullets = claims["passage_id"].str.fullmatch(rf"{re.escape(section)}/b\d+")
    return claims.loc[on_bullets].reset_index(drop=True)


def measures(claims: pd.DataFrame, actors: pd.DataFrame, words: int = 6) -> pd.DataFrame:
    """Return one row per proposed measure: passage, short label, its text, actors named, stance."""
    labels = actors.set_index("actor_id")["label"]
    own = measure_claims(claims)
    return (
        own.assign(
            actor_labels=own["actors"].map(lambda cell: [labels.get(a, a) for a in actor_ids(cell)]),
            stance=own["un_stance"].map(STANCE_LABELS),
        )
        .groupby("passage_id", sort=False)
        .agg(
            text=("quote", " … ".join),
            actors=("actor_labels", lambda lists: ", ".join(dict.fromkeys(a for ls in lists for a in ls))),
            stances=("stance", lambda s: ", ".join(dict.fromkeys(s))),
        )
        .reset_index()
        .assign(measure=lambda f: f["passage_id"].str.rsplit("/", n=1).str[1] + " " + f["text"].map(
            lambda t: short_label(t, words)))
        [["passage_id", "measure", "text", "actors", "stances"]]
    )


def measure_roles(claims: pd.DataFrame, actors: pd.DataFrame, include_lead_in: bool = True,
                  words: int = 6) -> pd.DataFrame:
    """Return one row per (measure, actor, role): who the lead-in (if asked) and each measure name.

    Columns: passage_id, measure, code (b1, b2 …), actor_id, role, source_passage, quote, actor, stance_label.
    """
    labels = actors.set_index("actor_id")["label"]
    table = measures(claims, actors, words)
    lead_ids = list(LEAD_IN_ROLES) if include_lead_in else []
    lead = claims.set_index("claim_id").reindex(lead_ids).dropna(subset=["quote"])
    lead_rows = [
        {"passage_id": m.passage_id, "measure": m.measure, "actor_id": actor, "role": LEAD_IN_ROLES[cid],
         "source_passage": c.passage_id, "quote": c.quote, "un_stance": c.un_stance}
        for m in table.itertuples(index=False)
        for cid, c in lead.iterrows()
        for actor in actor_ids(c.actors)
    ]
    names = table.set_index("passage_id")["measure"]
    own = measure_claims(claims)
    own_rows = [
        {"passage_id": c.passage_id, "measure": names[c.passage_id], "actor_id": actor, "role": OWN_ROLE,
         "source_passage": c.passage_id, "quote": c.quote, "un_stance": c.un_stance}
        for c in own.itertuples(index=False)
        for actor in actor_ids(c.actors)
    ]
    columns = ["passage_id", "measure", "actor_id", "role", "source_passage", "quote", "un_stance"]
    frame = pd.DataFrame(lead_rows + own_rows, columns=columns)
    return frame.assign(
        code=frame["passage_id"].str.rsplit("/", n=1).str[1],
        actor=frame["actor_id"].map(labels),
        stance_label=frame["un_stance"].map(STANCE_LABELS),
    ).drop(columns=["un_stance"])


def measures_naming(roles: pd.DataFrame, actor_id: str) -> int:
    """Return how many measures name ``actor_id`` in their own text (not only through the lead-in)."""
    own = roles.loc[(roles["role"] == OWN_ROLE) & (roles["actor_id"] == actor_id)]
    return int(own["measure"].nunique())


def weakening_timeline(context: pd.DataFrame, show_milestones: bool = True) -> pd.DataFrame:
    """Return the dated events of cluster 1: the cases that weakened R2P and (optionally) its milestones.

    A row with a full date spans that day; a row with a year only spans the whole year and says so.
    Columns: context_id, group, case (the place the meeting names, for a case), event, start, end,
    precision, when, confidence, status, publisher, document, note, passage_id; sorted by start.
    """
    subjects = [CASES, MILESTONES] if show_milestones else [CASES]
    rows = context.loc[(context["kind"] == "event") & context["subject"].isin(subjects)]
    dated = rows["date"].notna()
    year_start = pd.to_datetime(rows["year"].astype("string") + "-01-01")
    start = rows["date"].where(dated, year_start)
    end = rows["date"].where(dated, year_start + pd.offsets.YearEnd(0))
    frame = rows.assign(
        group=rows["subject"].map(GROUP_LABELS),
        case=[next((c for c in CASE_NAMES if c in label), "") if subject == CASES else ""
              for label, subject in zip(rows["label"], rows["subject"])],
        event=[event_label(label, subject) for label, subject in zip(rows["label"], rows["subject"])],
        start=start,
        end=end,
        precision=dated.map({True: "day", False: "year only"}),
        when=[d.strftime("%-d %b %Y") if ok else f"{y} (year only)"
              for d, y, ok in zip(rows["date"], rows["year"], dated)],
        status=(rows["confidence"] == UNVERIFIED).map(STATUS_LABELS),
    )
    columns = ["context_id", "group", "case", "event", "start", "end", "precision", "when", "confidence", "status",
               "publisher", "document", "note", "passage_id"]
    return frame[columns].sort_values("start", kind="stable").reset_index(drop=True)


def milestone_events(context: pd.DataFrame) -> pd.DataFrame:
    """Return the R2P milestones alone, as weakening_timeline frames them (whatever the chapter shows)."""
    events = weakening_timeline(context, show_milestones=True)
    return events.loc[events["group"] == GROUP_LABELS[MILESTONES]].reset_index(drop=True)


def cases_after_definition(events: pd.DataFrame, context: pd.DataFrame) -> tuple[int, int]:
    """Return (cases dated after the norm's first milestone year, that year) from the context table."""
    year = int(milestone_events(context)["start"].min().year)
    cases = events.loc[events["group"] == GROUP_LABELS[CASES]]
    return int((cases["start"].dt.year > year).sum()), year


def axis_label(event: str) -> str:
    """Return an event label short enough for the timeline's axis (the tooltip keeps it whole)."""
    for long, short in ABBREVIATIONS.items():
        event = event.replace(long, short)
    return event


def timeline_table(events: pd.DataFrame) -> pd.DataFrame:
    """Return the timeline as a readable table: event, date as known, source, document, confidence."""
    return pd.DataFrame(
        {
            "Event": events["event"],
            "Kind": events["group"],
            "Date": events["when"],
            "Source": events["publisher"],
            "Document": events["document"],
            "Confidence": events["confidence"],
            "Passage": events["passage_id"],
        }
    )


def measures_table(table: pd.DataFrame) -> pd.DataFrame:
    """Return the proposed measures as a readable table: passage, text, actors named, stance."""
    return pd.DataFrame(
        {
            "Passage": table["passage_id"],
            "Measure (coded quotes)": table["text"],
            "Actors named in the measure": table["actors"],
            "Stance on the UN's role": table["stances"],
        }
    )


def event_label(label: str, subject: str) -> str:
    """Return a short axis label: brackets dropped; a case prefixed with the place the meeting names."""
    plain = _BRACKETS.sub("", label).strip()
    if subject != CASES:
        return plain.split(",")[0]
    case = next((c for c in CASE_NAMES if c in label), None)
    return f"{case}: {plain}" if case and case not in plain else plain


# -- charts --------------------------------------------------------------------------------


def measure_roles_chart(roles: pd.DataFrame) -> alt.Chart:
    """Dot matrix: for each proposed measure (column), the actors the text gives a part, by role."""
    subject = roles.loc[roles["role"] == ROLE_ORDER[0], "actor"]
    backer = roles.loc[roles["role"] == ROLE_ORDER[1], "actor"]
    n = roles["passage_id"].nunique()
    if len(subject):
        lines = [f"All {n} measures fall to the {in_sentence(subject.iloc[0])};"]
    else:
        lines = [f"Actors named inside the {n} measures that name any"]
    if len(backer):
        lines.append(f"'all/many' need the {in_sentence(backer.iloc[0])}'s backing")
    role = alt.Legend(columns=1, title="Role in the text")
    return (
        alt.Chart(roles, title=alt.Title(lines, subtitle=f"Lead-in {LEAD_IN} and each measure's own coded actors"))
        .mark_point(size=170, filled=True, opacity=0.9)
        .encode(
            x=alt.X("code:N", title="Proposed measure (passage, as in the table above)", sort="ascending",
                    axis=alt.Axis(labelAngle=0, orient="top")),
            y=alt.Y("actor:N", title=None, sort=alt.EncodingSortField("role", op="count", order="descending"),
                    axis=alt.Axis(labelLimit=200)),
            color=alt.Color("role:N", scale=alt.Scale(domain=ROLE_ORDER), legend=role),
            shape=alt.Shape("role:N", scale=alt.Scale(domain=ROLE_ORDER), legend=role),
            tooltip=[
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("actor:N", title="Actor"),
                alt.Tooltip("role:N", title="Role"),
                alt.Tooltip("source_passage:N", title="Passage"),
                alt.Tooltip("quote:N", title="Quote"),
                alt.Tooltip("stance_label:N", title="Stance on the UN's role"),
            ],
        )
        .properties(
            width=alt.Step(60),
            height=alt.Step(34),
            description=(f"Dot matrix of the measures cluster 1 proposes against the actors the text names for "
                         f"them: {lines[0][0].lower()}{lines[0][1:].rstrip(';')}."),
        )
    )


def timeline_chart(events: pd.DataFrame, meeting: pd.Timestamp) -> alt.LayerChart:
    """Timeline: one row per event; a day as a dot, a year-only date as a bar across the year;
    hollow marks for dates still to verify; a dashed rule at the consultation."""
    cases = events.loc[events["group"] == GROUP_LABELS[CASES]]
    span = f"{cases['start'].min():%Y}–{cases['start'].max():%Y}" if len(cases) else "no years"
    lines = [f"The {len(cases)} events the meeting names as weakening R2P span {span};"]
    milestones = events.loc[events["group"] == GROUP_LABELS[MILESTONES]]
    if len(milestones):
        year = milestones["start"].min().year
        after = int((cases["start"].dt.year > year).sum())
        lines.append(f"{after} of them came after the norm was defined in {year}")
    frame = events[["group", "event", "when", "status", "publisher", "document", "confidence", "passage_id"]].assign(
        label=events["event"].map(lambda e: wrap_label(axis_label(e))),
        start=events["start"].dt.strftime("%Y-%m-%d"), end=events["end"].dt.strftime("%Y-%m-%d"),
        note=events["note"].fillna(""))
    groups = list(GROUP_LABELS.values())
    scale = alt.Scale(domain=groups)
    colour = alt.Color("group:N", title="Event", scale=scale, legend=alt.Legend(columns=1))
    stroke = alt.Stroke("group:N", title="Event", scale=scale)
    statuses = list(STATUS_LABELS.values())
    status = alt.FillOpacity("status:O", sort=statuses, scale=alt.Scale(domain=statuses, range=[0.9, 0]), legend=None)
    # padding keeps the first and last dots whole at the plot's edges
    x = alt.X("start:T", title="Date", scale=alt.Scale(padding=14),
              axis=alt.Axis(format="%Y", tickCount={"interval": "year", "step": 2}))
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("start", order="ascending"), axis=wrapped_axis())
    tooltip = [
        alt.Tooltip("event:N", title="Event"),
        alt.Tooltip("when:N", title="Date"),
        alt.Tooltip("status:N", title="Date status"),
        alt.Tooltip("publisher:N", title="Source"),
        alt.Tooltip("document:N", title="Document"),
        alt.Tooltip("confidence:N", title="Confidence"),
        alt.Tooltip("passage_id:N", title="Meeting passage"),
        alt.Tooltip("note:N", title="Note"),
    ]
    base = alt.Chart(frame, title=alt.Title(lines, subtitle=[
        "Dot: exact date; bar: the year only; hollow: date still to verify",
        "Dashed rule: the consultation"]))
    years = base.mark_bar(height=12, strokeWidth=2).encode(
        x=x, x2="end:T", y=y, color=colour, stroke=stroke, fillOpacity=status, tooltip=tooltip,
    ).transform_filter("datum.start !== datum.end")
    days = base.mark_point(size=150, filled=True, strokeWidth=2, opacity=1).encode(
        x=x, y=y, color=colour, stroke=stroke, fillOpacity=status, tooltip=tooltip,
    ).transform_filter("datum.start === datum.end")
    marker = pd.DataFrame({"start": [meeting.strftime("%Y-%m-%d")], "label": [f"consultation, {meeting:%-d %b %Y}"],
                           "text": ["consultation"]})
    rule = alt.Chart(marker).mark_rule(strokeDash=[4, 3]).encode(x=x, tooltip=[alt.Tooltip("label:N", title="Marker")])
    rule_label = alt.Chart(marker).mark_text(align="right", dx=-4, baseline="top", dy=2, fontSize=11,
                                             color="#52606d").encode(x=x, y=alt.value(0), text="text:N")
    return (years + days + rule + rule_label).properties(
        width=300,
        height=alt.Step(40),
        description=(f"Timeline of {len(events)} dated events: the cases the meeting names as weakening R2P "
                     f"({span}) and the norm's milestones; dates still to verify are drawn hollow."),
    )


def issue_stance_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars: the cluster's claims per issue, coloured by the stance they take on the UN's role."""
    positioned = positioned_claims(counts)
    total = int(counts["claims"].sum())
    title = f"{positioned} of the cluster's {total} coded claims take a position on the UN's role"
    subtitle = "Coded claims by issue, key findings included"
    return issue_stance_bars(counts, alt.Title(title, subtitle=subtitle)).properties(
        height=alt.Step(40),
        description=(f"Stacked bar chart of the cluster's coded claims per issue by stance on the UN's role; "
                     f"{positioned} of {total} take a position."),
    )
