"""Cluster 2, peace and security: the new technology domains and the UN's place in each, the
groups of countries and their outlooks (listed, never paired), and nuclear warhead estimates
for January 2015; the chapter's analysis frames and chart builders."""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from compendium.analysis import issue_stance_counts
from compendium.charts import issue_stance_bars, wrap_label, wrapped_axis
from compendium.data.source import Document
from compendium.charts.theme import STANCE_LABELS

CLUSTER = 2
# The passage that names the new technology domains, and the one with the groups and outlooks.
DOMAINS_PASSAGE = "cluster-2/p3"
TYPOLOGY_PASSAGE = "cluster-2/p2"
# Issues whose label ends so are the cluster's general passages, not one domain or threat.
GENERAL_MARK = "(general)"
GROUP_DOMAIN = "New technology domains"
GROUP_GENERAL = "Peace and security in general"
GROUP_OTHER = "Other threats"
ISSUE_GROUPS = [GROUP_DOMAIN, GROUP_OTHER, GROUP_GENERAL]
GROUPS = "Group of countries"
OUTLOOKS = "Outlook on norms and institutions"
# "the rule takers, the rule breakers and the rule shapers"; "1) …; 2) …; 3) …."
_GROUPS = re.compile(r"\bthe (rule \w+)")
_OUTLOOKS = re.compile(r"\d\)\s*(.+?)\s*(?=;\s*\d\)|\.?$)")
# The text lists the groups and the outlooks side by side and states no pairing between them
# (cluster-2/p2). A pairing would be added here only if the source stated one.
STATED_PAIRS: tuple[tuple[str, str], ...] = ()
WARHEADS = "nuclear warheads"
# Context rows for the whole arsenal, not one country: their labels say so.
TOTAL_MARK = "all nuclear-armed states"
DEPLOYED_MARK = "deployed"
NUMBER_WORDS = {1: "one", 2: "two", 3: "three"}


def _terms(quote: str) -> list[str]:
    """Return the domain names listed in a quote ("cyber security, information privacy")."""
    return [t.strip() for t in quote.split(",") if t.strip()]


def technology_domains(claims: pd.DataFrame, issues: pd.DataFrame, passage: str = DOMAINS_PASSAGE) -> pd.DataFrame:
    """Return one row per new technology issue named in ``passage``: the terms, stance and quote.

    Columns: issue_id, issue, terms, n_terms, un_stance, stance_label, feasibility, passage_id, quote.
    """
    general = issues.loc[issues["label"].str.endswith(GENERAL_MARK), "issue_id"]
    own = claims.loc[(claims["passage_id"] == passage) & ~claims["issue_id"].isin(general)]
    labels = issues.set_index("issue_id")["label"]
    return pd.DataFrame(
        {
            "issue_id": own["issue_id"],
            "issue": own["issue_id"].map(labels),
            "terms": own["quote"].map(lambda q: "; ".join(_terms(q))),
            "n_terms": own["quote"].map(lambda q: len(_terms(q))),
            "un_stance": own["un_stance"],
            "stance_label": own["un_stance"].map(STANCE_LABELS),
            "feasibility": own["feasibility"],
            "passage_id": own["passage_id"],
            "quote": own["quote"],
        }
    ).reset_index(drop=True)


def issue_group(issue_id: str, label: str, domain_ids: set[str]) -> str:
    """Return the group an issue is shown in: a technology domain, a general issue, or another threat."""
    if issue_id in domain_ids:
        return GROUP_DOMAIN
    return GROUP_GENERAL if label.endswith(GENERAL_MARK) else GROUP_OTHER


def stance_counts(claims: pd.DataFrame, issues: pd.DataFrame, domains: pd.DataFrame,
                  cluster: int = CLUSTER) -> pd.DataFrame:
    """Return claims per (issue, stance) for the cluster's issues, each issue placed in its group.

    Columns: issue, group, stance_label, claims, passages, quotes, order, stance_order.
    """
    counts = issue_stance_counts(claims, issues, cluster)
    labels = issues.set_index("issue_id")["label"]
    domain_ids = set(domains["issue_id"])
    groups = [issue_group(i, labels[i], domain_ids) for i in counts["issue_id"]]
    return counts.assign(group=groups)[
        ["issue", "group", "stance_label", "claims", "passages", "quotes", "order", "stance_order"]]


def groups_and_outlooks(document: Document, passage: str = TYPOLOGY_PASSAGE) -> pd.DataFrame:
    """Return the two lists the passage gives, parsed from its text: one row per group or outlook.

    Columns: list, position, item, quote (the sentence that gives the list), passage_id.
    """
    return parse_typology(document.block(passage).plain, passage)


def parse_typology(text: str, passage: str = TYPOLOGY_PASSAGE) -> pd.DataFrame:
    """Return the groups ("the rule …") and numbered outlooks ("1) …; 2) …") that ``text`` lists,
    in the form groups_and_outlooks returns."""
    sentences = [s.strip() for s in re.split(r"(?<=\.)\s+(?=[A-Z])", text)]
    group_sentence = next(s for s in sentences if _GROUPS.search(s))
    outlook_sentence = next(s for s in sentences if _OUTLOOKS.search(s))
    after_colon = outlook_sentence.split(":", 1)[1]
    rows = [(GROUPS, n, g, group_sentence) for n, g in enumerate(_GROUPS.findall(group_sentence), 1)]
    rows += [(OUTLOOKS, n, o, outlook_sentence)
             for n, o in enumerate(_OUTLOOKS.findall(after_colon.strip()), 1)]
    return pd.DataFrame(rows, columns=["list", "position", "item", "quote"]).assign(passage_id=passage)


def typology_table(lists: pd.DataFrame) -> pd.DataFrame:
    """Return the groups and the outlooks as a readable table, one list after the other (never side by
    side, which would suggest a pairing the text does not make)."""
    return pd.DataFrame(
        {
            "List": lists["list"],
            "Order in the text": lists["position"],
            "Item": lists["item"],
            "Passage": lists["passage_id"],
        }
    )


def pairing_grid(lists: pd.DataFrame, stated: tuple[tuple[str, str], ...] = STATED_PAIRS) -> pd.DataFrame:
    """Return every (group, outlook) combination and whether the text states that pairing.

    Columns: group, outlook, outlook_axis (wrapped for the axis), group_position, outlook_position,
    stated, status, passage_id, quote.
    """
    groups = lists.loc[lists["list"] == GROUPS]
    outlooks = lists.loc[lists["list"] == OUTLOOKS]
    grid = groups.merge(outlooks, how="cross", suffixes=("_g", "_o"))
    stated_set = set(stated)
    is_stated = [(g, o) in stated_set for g, o in zip(grid["item_g"], grid["item_o"])]
    return pd.DataFrame(
        {
            "group": grid["item_g"],
            "outlook": grid["item_o"],
            "outlook_axis": grid["item_o"].map(wrap_label),
            "group_position": grid["position_g"],
            "outlook_position": grid["position_o"],
            "stated": is_stated,
            "status": ["stated" if s else "not stated" for s in is_stated],
            "passage_id": grid["passage_id_o"],
            "quote": grid["quote_o"],
        }
    )


def warhead_estimates(context: pd.DataFrame, min_warheads: int = 0, include_total: bool = True) -> pd.DataFrame:
    """Return SIPRI's warhead estimates for January 2015: one row per country (and the total if asked),
    a range's low and high kept apart, keeping countries whose high estimate reaches ``min_warheads``.

    Columns: label, scope, value, low, high, shown, unit, qualifier, year, publisher, document,
    confidence, note, passage_id; countries sorted by high estimate, the total first.
    """
    rows = context.loc[(context["subject"] == WARHEADS) & (context["kind"] == "quantity")]
    is_all = rows["label"].str.contains(TOTAL_MARK, regex=False)
    totals = rows.loc[is_all & ~rows["label"].str.contains(DEPLOYED_MARK, regex=False)]
    countries = rows.loc[~is_all]
    low = countries["value_low"].fillna(countries["value"])
    high = countries["value_high"].fillna(countries["value"])
    countries = countries.assign(low=low, high=high).loc[high >= min_warheads]
    totals = totals.assign(low=totals["value"], high=totals["value"])
    frame = pd.concat([totals, countries] if include_total else [countries], ignore_index=True)
    return frame.assign(
        scope=frame["label"].str.contains(TOTAL_MARK, regex=False).map({True: "all states", False: "country"}),
        label=[f"{lab[0].upper()}{lab[1:]} (total)" if TOTAL_MARK in lab else lab for lab in frame["label"]],
        shown=[estimate_text(v, lo, hi, q) for v, lo, hi, q in
               zip(frame["value"], frame["low"], frame["high"], frame["qualifier"])],
        note=frame["note"].fillna(""),
    ).sort_values(["scope", "high"], ascending=[True, False], kind="stable")[
        ["label", "scope", "value", "low", "high", "shown", "unit", "qualifier", "year", "publisher", "document",
         "confidence", "note", "passage_id"]
    ].reset_index(drop=True)


def estimate_text(value: float, low: float, high: float, qualifier: str = "exact") -> str:
    """Return an estimate as published: '7,500', 'about 15,850' or the range '100–120'."""
    if pd.notna(value):
        return ("about " if qualifier == "about" else "") + f"{value:,.0f}"
    return f"{low:,.0f}–{high:,.0f}"


def country_sum(estimates: pd.DataFrame) -> tuple[float, float]:
    """Return the (lowest, highest) sum of the country estimates, ranges taken at their ends."""
    countries = estimates.loc[estimates["scope"] == "country"]
    return float(countries["low"].sum()), float(countries["high"].sum())


def largest_share(estimates: pd.DataFrame, total: float, top: int = 2) -> tuple[list[str], float]:
    """Return the ``top`` countries with the highest estimates and their share of ``total``."""
    countries = estimates.loc[estimates["scope"] == "country"].nlargest(top, "high")
    return list(countries["label"]), float(countries["high"].sum() / total)


# -- charts --------------------------------------------------------------------------------


def stance_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars: the cluster's claims per issue, coloured by the stance they take on the UN's role,
    one panel per group of issues."""
    domains = counts.loc[counts["group"] == GROUP_DOMAIN]
    n_domains = domains["issue"].nunique()
    not_placed = domains.loc[domains["stance_label"] == STANCE_LABELS["un-not-well-placed"], "issue"].nunique()
    share = "all" if not_placed == n_domains else f"{not_placed} of"
    title = f"In {share} {n_domains} new technology domains, the UN is 'not well placed'"
    subtitle = "Coded claims of cluster 2 (key findings included) by issue"
    return (
        issue_stance_bars(counts, alt.Title(title, subtitle=subtitle))
        .encode(row=alt.Row("group:N", title=None, sort=ISSUE_GROUPS,
                            header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top",
                                              labelFontWeight="bold")))
        .resolve_scale(y="independent")
        .properties(
            height=alt.Step(38),
            description=(f"Stacked bar chart of cluster 2's coded claims per issue by stance on the UN's role; "
                         f"{not_placed} of the {n_domains} technology domains are coded 'UN not well placed'."),
        )
    )


def pairing_chart(grid: pd.DataFrame) -> alt.LayerChart:
    """Grid of every group × outlook combination, each marked with whether the text states it."""
    n_stated = int(grid["stated"].sum())
    n_groups, n_outlooks = grid["group"].nunique(), grid["outlook"].nunique()
    title = (f"The text names {n_groups} groups and {n_outlooks} outlooks but pairs "
             f"{'none' if n_stated == 0 else n_stated} of them")
    subtitle = f"Rows: the outlooks; columns: the groups; each cell: what {grid['passage_id'].iloc[0]} says"
    base = alt.Chart(grid, title=alt.Title(title, subtitle=subtitle)).encode(
        x=alt.X("group:N", title=GROUPS, sort=alt.EncodingSortField("group_position"),
                axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("outlook_axis:N", title=None, sort=alt.EncodingSortField("outlook_position"), axis=wrapped_axis()),
        tooltip=[
            alt.Tooltip("group:N", title="Group"),
            alt.Tooltip("outlook:N", title="Outlook"),
            alt.Tooltip("status:N", title="Pairing in the text"),
            alt.Tooltip("passage_id:N", title="Passage"),
            alt.Tooltip("quote:N", title="Quote"),
        ],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color("status:N", title="Pairing in the text", scale=alt.Scale(domain=["stated", "not stated"],
                                                                                range=["#1f5f8b", "#e4e7eb"])),
    )
    labels = base.mark_text(fontSize=11).encode(text=alt.Text("status:N"))
    return (cells + labels).properties(
        width=alt.Step(100),
        height=alt.Step(40),
        description=(f"Grid of the {n_groups} groups of countries against the {n_outlooks} outlooks the text lists; "
                     f"the text states {n_stated} pairings."),
    )


def warhead_chart(estimates: pd.DataFrame, total: float, log_scale: bool = True) -> alt.LayerChart:
    """Published warhead estimates: a dot for a single figure, a bar over a published range,
    coloured by confidence; log scale by default so the smallest arsenals stay visible."""
    top, share = largest_share(estimates, total)
    title = f"{share:.0%} of nuclear warheads are in {NUMBER_WORDS.get(len(top), len(top))} states: {', '.join(top)}"
    source = f"{' / '.join(estimates['document'].unique())}: published estimates for January " + \
        "/".join(str(y) for y in estimates["year"].unique())
    frame = estimates.assign(year=estimates["year"].astype("string"))[
        ["label", "value", "low", "high", "shown", "unit", "year", "publisher", "document", "confidence", "note",
         "scope"]]
    ticks = [10**k for k in range(0, len(f"{int(estimates['high'].max())}") + 1)]
    scale = alt.Scale(type="log", domain=[ticks[0], ticks[-1]]) if log_scale else alt.Scale(type="linear", zero=True)
    axis = alt.Axis(values=ticks, format=",") if log_scale else alt.Axis(format=",")
    x_title = "Warheads (estimate; log scale)" if log_scale else "Warheads (estimate)"
    y = alt.Y("label:N", title=None, sort=alt.EncodingSortField("high", order="descending"))
    colour = alt.Color("confidence:N", title="Confidence", scale=alt.Scale(domain=["direct", "second-hand"]))
    tooltip = [
        alt.Tooltip("label:N", title="Who"),
        alt.Tooltip("shown:N", title="Estimate"),
        alt.Tooltip("unit:N", title="Unit"),
        alt.Tooltip("year:N", title="Year (January)"),
        alt.Tooltip("publisher:N", title="Publisher"),
        alt.Tooltip("document:N", title="Document"),
        alt.Tooltip("confidence:N", title="Confidence"),
        alt.Tooltip("note:N", title="Note"),
    ]
    base = alt.Chart(frame, title=alt.Title(title, subtitle=[
        f"{source}, about {total:,.0f} in all",
        "A bar is a published range; colour: how directly the figure was read"]))
    ranges = base.mark_bar(height=10, cornerRadius=2).encode(
        y=y, x=alt.X("low:Q", title=x_title, scale=scale, axis=axis), x2="high:Q", color=colour, tooltip=tooltip,
    ).transform_filter("datum.low !== datum.high")
    dots = base.mark_point(size=110, filled=True, opacity=1).encode(
        y=y, x=alt.X("value:Q", title=x_title, scale=scale, axis=axis), color=colour, tooltip=tooltip,
    ).transform_filter("isValid(datum.value)")
    labels = base.mark_text(align="left", dx=9).encode(y=y, x=alt.X("high:Q", scale=scale), text="shown:N")
    return (ranges + dots + labels).properties(
        width=300,
        height=alt.Step(26),
        description=(f"Dot chart of SIPRI's published estimates of nuclear warheads in January 2015 for "
                     f"{(estimates['scope'] == 'country').sum()} countries and the total, ranges drawn as bars."),
    )
