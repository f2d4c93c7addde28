"""Analysis frames that more than one chapter uses, and the few of one chapter whose edge cases
are worth unit tests. Each function returns a new tidy frame."""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from compendium.data.source import Document, survey_table
from compendium.data.tables import STANCE_LABELS, STANCE_ORDER

CLUSTER_SECTIONS = {f"cluster-{n}": n for n in (1, 2, 3, 4)}
UN_ACTOR = "un-system"

# How the meeting's stance and the survey's answer combine, by (stance, survey names the UN).
AGREEMENT = {
    ("un-should-lead", True): "agree",
    ("un-should-lead", False): "disagree",
    ("un-should-convene-support", True): "agree",
    ("un-should-convene-support", False): "partly agree",
    ("un-not-well-placed", True): "disagree",
    ("un-not-well-placed", False): "agree",
}
AGREEMENT_ORDER = ["agree", "partly agree", "disagree", "no meeting position"]
# The stance label of an issue no claim is coded to.
NOT_DISCUSSED = "Not discussed"
CONSULTATION = "consultation-date"


def consultation_date(figures: pd.DataFrame, figure_id: str = CONSULTATION) -> pd.Timestamp:
    """Return the date of the consultation as the figures table records it (figure 'consultation-date')."""
    return pd.Timestamp(figures.set_index("figure_id").loc[figure_id, "date"])


def dated_events(context: pd.DataFrame, subjects: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Return the context table's events on ``subjects``, sorted by date, each with the span it covers.

    An event with a full date spans that day; one known to the year only spans the whole year. Adds
    start, end, precision ('day' or 'year only') and when ('10 Jun 2014', '2005 (year only)')."""
    rows = context.loc[(context["kind"] == "event") & context["subject"].isin(subjects)]
    dated = rows["date"].notna()
    year_start = pd.to_datetime(rows["year"].astype("string") + "-01-01")
    return (
        rows.assign(
            start=rows["date"].where(dated, year_start),
            end=rows["date"].where(dated, year_start + pd.offsets.YearEnd(0)),
            precision=dated.map({True: "day", False: "year only"}),
            when=[f"{d.day} {d:%b %Y}" if ok else f"{y} (year only)"  # not %-d: Windows lacks it
                  for d, y, ok in zip(rows["date"], rows["year"], dated)],
        )
        .sort_values("start", kind="stable")
        .reset_index(drop=True)
    )


def cluster_claims(claims: pd.DataFrame, cluster: int) -> pd.DataFrame:
    """Return the claims coded to ``cluster`` (its own section and the key findings tied to it)."""
    return claims.loc[claims["cluster"] == cluster].reset_index(drop=True)


def cluster_issue_ids(issues: pd.DataFrame, cluster: int, chosen: list[str] | tuple = ()) -> list[str]:
    """Return the ids of the cluster's issues in table order, kept to ``chosen`` when it is not empty.

    Raises ValueError naming the valid ids when ``chosen`` holds an id outside the cluster."""
    own = issues.loc[issues["cluster"] == cluster, "issue_id"].tolist()
    unknown = [i for i in chosen if i not in own]
    if unknown:
        raise ValueError(f"not a cluster {cluster} issue: {', '.join(unknown)}; valid: {', '.join(own)}")
    return [i for i in own if not chosen or i in chosen]



def meeting_stance(stances: pd.Series) -> str:
    """Return the meeting's stance on an issue: the most frequent stance that takes a position.

    Ties go to the more UN-centred stance (STANCE_ORDER); no positioned claim gives 'no-position'.
    """
    return _top_stance(stances.tolist())


def _top_stance(stances: list[str]) -> str:
    counts = Counter(s for s in stances if s != "no-position")
    if not counts:
        return "no-position"
    most = max(counts.values())
    return min((s for s, n in counts.items() if n == most), key=STANCE_ORDER.index)


def stance_by_issue(claims: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Return one row per issue: claims coded to it, the meeting's stance, and the claim that shows it."""
    by_issue: dict[str, list[dict]] = {}
    for claim in claims[["issue_id", "un_stance", "passage_id", "quote"]].to_dict("records"):
        by_issue.setdefault(claim["issue_id"], []).append(claim)  # in the claims' order
    rows = []
    for issue in issues.itertuples(index=False):
        own = by_issue.get(issue.issue_id, [])
        stance = _top_stance([c["un_stance"] for c in own]) if own else "not-discussed"
        first = next((c for c in own if c["un_stance"] == stance), None)
        rows.append(
            {
                "issue_id": issue.issue_id,
                "issue": issue.label,
                "cluster": issue.cluster,
                "claims": len(own),
                "meeting_stance": stance,
                "passage_id": first["passage_id"] if first is not None else "",
                "quote": first["quote"] if first is not None else "",
            }
        )
    return pd.DataFrame(rows)


def survey_best_placed(doc: Document, issues: pd.DataFrame) -> pd.DataFrame:
    """Return the annex table joined to issue ids: one row per (issue, best-placed actor)."""
    keyed = issues.loc[issues["survey_label"].fillna("") != "", ["issue_id", "label", "cluster", "survey_label"]]
    table = survey_table(doc).merge(keyed, left_on="issue_label", right_on="survey_label", how="left", validate="m:1")
    unmatched = table.loc[table["issue_id"].isna(), "issue_label"].unique()
    if len(unmatched):
        raise ValueError(f"annex issues with no row in issues.survey_label: {', '.join(unmatched)}")
    return table.drop(columns="survey_label")


def survey_issues(doc: Document, issues: pd.DataFrame) -> pd.DataFrame:
    """Return one row per issue of the annex table, in its order: issue id, annex label, book label,
    cluster, passage id and the annex's answer as written."""
    best = survey_best_placed(doc, issues).drop_duplicates("issue_id")
    return best.assign(
        answer=best["passage_id"].map(lambda pid: doc.block(pid).text.split("\t")[1].strip())
    )[["issue_id", "issue_label", "label", "cluster", "passage_id", "answer"]].reset_index(drop=True)


def survey_vs_meeting(claims: pd.DataFrame, issues: pd.DataFrame, best_placed: pd.DataFrame) -> pd.DataFrame:
    """Return one row per surveyed issue: the survey's best-placed actors, whether they include
    the UN, the meeting's stance on the UN's role, and whether the two agree."""
    survey = (
        best_placed.groupby(["issue_id", "issue_label"], sort=False)
        .agg(
            survey_actors=("actor_label", " / ".join),
            survey_includes_un=("actor_id", lambda a: UN_ACTOR in set(a)),
            survey_passage_id=("passage_id", "first"),
        )
        .reset_index()
    )
    stances = stance_by_issue(claims, issues)
    frame = survey.merge(stances, on="issue_id", how="left", validate="1:1")
    return frame.assign(
        agreement=[
            AGREEMENT.get((stance, includes), "no meeting position")
            for stance, includes in zip(frame["meeting_stance"], frame["survey_includes_un"])
        ],
        stance_label=frame["meeting_stance"].map(STANCE_LABELS).fillna(NOT_DISCUSSED),
    )


def comparison_for_issues(comparison: pd.DataFrame, issue_ids: list[str]) -> pd.DataFrame:
    """Return the survey_vs_meeting rows of the given issues."""
    return comparison[comparison["issue_id"].isin(issue_ids)].reset_index(drop=True)


def comparison_for_clusters(comparison: pd.DataFrame, clusters: list[int]) -> pd.DataFrame:
    """Return the survey_vs_meeting rows for the issues of ``clusters`` (all rows if the list is empty)."""
    if not clusters:
        return comparison.reset_index(drop=True)
    keep = pd.to_numeric(comparison["cluster"], errors="coerce").isin(clusters)
    return comparison.loc[keep].reset_index(drop=True)


def issue_positions(claims: pd.DataFrame, issues: pd.DataFrame, best_placed: pd.DataFrame,
                    issue_ids: list[str]) -> pd.DataFrame:
    """Return one row per chosen issue: the meeting's stance (stance_by_issue), the claim that shows
    it, and the survey's best-placed actors ('' where the survey did not ask)."""
    survey = best_placed.groupby("issue_id", sort=False)["actor_label"].agg(" / ".join)
    stances = stance_by_issue(claims, issues)
    chosen = stances[stances["issue_id"].isin(issue_ids)]
    return chosen.assign(
        stance_label=chosen["meeting_stance"].map(STANCE_LABELS).fillna(NOT_DISCUSSED),
        surveyed=chosen["issue_id"].isin(survey.index),
        survey_actors=chosen["issue_id"].map(survey).fillna(""),
    ).reset_index(drop=True)[
        ["issue_id", "issue", "claims", "meeting_stance", "stance_label", "passage_id", "quote", "surveyed",
         "survey_actors"]
    ]


def issue_stance_counts(claims: pd.DataFrame, issues: pd.DataFrame, cluster: int) -> pd.DataFrame:
    """Return the cluster's claims counted per (issue, stance), with their passages and quotes.

    Columns: issue_id, issue, stance_label, claims, passages, quotes, order (the issue's row in
    issues), stance_order (the stance's place in the data package, for stacking).
    """
    own = claims.loc[claims["cluster"] == cluster]
    labels = issues.set_index("issue_id")["label"]
    order = {issue_id: n for n, issue_id in enumerate(issues["issue_id"])}
    counts = (
        own.groupby(["issue_id", "un_stance"], sort=False)
        .agg(claims=("claim_id", "size"),
             passages=("passage_id", lambda p: ", ".join(dict.fromkeys(p))),
             quotes=("quote", " / ".join))
        .reset_index()
    )
    return (
        counts.assign(
            issue=counts["issue_id"].map(labels),
            stance_label=counts["un_stance"].map(STANCE_LABELS),
            order=counts["issue_id"].map(order),
            stance_order=counts["un_stance"].map(STANCE_ORDER.index),
        )
        .sort_values(["order", "stance_order"], kind="stable")
        [["issue_id", "issue", "stance_label", "claims", "passages", "quotes", "order", "stance_order"]]
        .reset_index(drop=True)
    )


def agreement_counts(comparison: pd.DataFrame) -> pd.DataFrame:
    """Return how many surveyed issues fall in each agreement category (all categories listed)."""
    counts = comparison["agreement"].value_counts().reindex(AGREEMENT_ORDER, fill_value=0)
    return counts.rename_axis("agreement").reset_index(name="issues")


def finding_sections(claims: pd.DataFrame, section: str = "key-findings") -> pd.DataFrame:
    """Return one row per bullet of ``section``: the clusters its coded claims concern and the
    sections that develop it.

    A bullet goes to the sections of its claims' clusters, the cluster with most claims first (ties:
    the one the bullet names first). A bullet whose claims are all cross-cutting goes to the other
    sections that hold claims on the same issues, in the claims' order. Columns: passage_id,
    clusters (list of (cluster, claims)), issues, sections (section ids, main one first), via
    ('cluster' or 'issue').
    """
    cluster_section = {n: s for s, n in CLUSTER_SECTIONS.items()}
    own = claims[(claims["section"] == section) & claims["passage_id"].str.contains(r"/b\d+$")]
    rows = []
    for passage_id, group in own.groupby("passage_id", sort=False):
        clustered = group.dropna(subset=["cluster"]).assign(cluster=lambda f: f["cluster"].astype(int))
        counts = clustered.groupby("cluster", sort=False).size()
        named = list(dict.fromkeys(clustered["cluster"]))
        ordered = sorted(counts.index, key=lambda c: (-counts[c], named.index(c)))
        issues = list(dict.fromkeys(group["issue_id"]))
        if ordered:
            sections, via = [cluster_section[c] for c in ordered], "cluster"
        else:
            elsewhere = claims[claims["issue_id"].isin(issues) & (claims["section"] != section)]
            sections, via = list(dict.fromkeys(elsewhere["section"])), "issue"
        rows.append({"passage_id": passage_id, "clusters": [(c, int(counts[c])) for c in ordered],
                     "issues": issues, "sections": sections, "via": via})
    return pd.DataFrame(rows, columns=["passage_id", "clusters", "issues", "sections", "via"])


def mentions_by_cluster(mentions: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Return actor mention counts per cluster (cluster × actor, zeros included) with the passages
    and, where the mentions carry excerpts, the first one as "passage id: sentence"."""
    in_clusters = mentions[mentions["section"].isin(list(CLUSTER_SECTIONS))].assign(
        cluster=lambda f: f["section"].map(CLUSTER_SECTIONS)
    )
    named = in_clusters[in_clusters["mentions"] > 0]
    if "excerpt" not in named:
        named = named.assign(excerpt="")
    counts = (
        named.assign(example=named["passage_id"] + ": " + named["excerpt"])
        .groupby(["cluster", "actor_id"])
        .agg(mentions=("mentions", "sum"), passages=("passage_id", lambda p: ", ".join(sorted(set(p)))),
             example=("example", "first"))
        .reset_index()
    )
    grid = pd.MultiIndex.from_product([sorted(CLUSTER_SECTIONS.values()), actors["actor_id"]], names=["cluster", "actor_id"])
    full = counts.set_index(["cluster", "actor_id"]).reindex(grid).reset_index()
    labels = actors.set_index("actor_id")["label"]
    return full.assign(
        mentions=full["mentions"].fillna(0).astype(int),
        passages=full["passages"].fillna(""),
        example=full["example"].fillna("").str.removesuffix(": "),
        actor=full["actor_id"].map(labels),
    )


# -- published figures: estimates, the claims ledger's appeals and Oxfam's counts ----------------
# Each of these is one chapter's, kept here for its edge cases: it checks a chapter parameter or
# reads a value out of free text, and its unit tests try crafted inputs.

APPEAL_FIGURE = "humanitarian-costs-rise"
APPEAL_MEASURES = ("requirements", "received")
RICHEST_FIGURE = "richest-people"
RICHEST_SUBJECT = "richest people with the wealth of the poorest half"


def cluster_estimates(context: pd.DataFrame, claims: pd.DataFrame, cluster: int,
                      subjects: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """Return the cluster's published estimates on ``subjects``, with the meeting passage each gives
    context to and that passage's first coded claim; raise ValueError naming an unknown subject."""
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
    # a reading counts funding received if its measure says so; every other one counts requirements
    kind = money["measure"].str.contains("received", case=False).map({True: "received", False: "requirements"})
    money = money[kind == measure]
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


def _published_year(document: pd.Series, fallback: pd.Series) -> pd.Series:
    """The last year a document's title names ('…, January 2017' -> 2017), else the year counted."""
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
