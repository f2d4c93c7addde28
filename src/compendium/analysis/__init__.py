"""Analysis frames that more than one chapter uses, and the few of one chapter whose edge cases
are worth unit tests. Each function returns a new tidy frame."""

from __future__ import annotations

import re

import pandas as pd

from compendium.data.source import Document, survey_table
from compendium.data.tables import ACTS_LABELS, MODALITY_LABELS, ROLE_LABELS

CLUSTER_SECTIONS = {f"cluster-{n}": n for n in (1, 2, 3, 4)}
UN_ACTOR = "un-system"
# How charts and tables name a survey issue the meeting has no sentence on (survey_beside_meeting: discussed False).
NOT_DISCUSSED = "Not discussed"
CONSULTATION = "consultation-date"
# The columns that say what one meeting sentence is and how strongly it is put.
SENTENCE_COLUMNS = ["claim_id", "passage_id", "quote", "modality", "acts", "role"]


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


def cluster_claims(claims: pd.DataFrame, cluster: int, claim_items: pd.DataFrame | None = None,
                   issues: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the claims coded to ``cluster`` (its own section and the key findings tied to it).

    Given ``claim_items`` and ``issues``, also the claims a list item of which names one of the
    cluster's issues (e.g. the key finding "These include illicit financial flows, migration, …"),
    in the claims' order; the column ``via`` says which ('cluster' or 'item')."""
    own = (claims["cluster"] == cluster).fillna(False).astype(bool)  # a cross-cutting claim has no cluster
    if claim_items is None or issues is None:
        return claims.loc[own].reset_index(drop=True)
    mine = set(issues.loc[issues["cluster"] == cluster, "issue_id"])
    by_item = claims["claim_id"].isin(claim_items.loc[claim_items["issue_id"].isin(mine), "claim_id"])
    chosen = claims.loc[own | by_item]
    return chosen.assign(via=own[own | by_item].map({True: "cluster", False: "item"})).reset_index(drop=True)


def cluster_issue_ids(issues: pd.DataFrame, cluster: int, chosen: list[str] | tuple = ()) -> list[str]:
    """Return the ids of the cluster's issues in table order, kept to ``chosen`` when it is not empty.

    Raises ValueError naming the valid ids when ``chosen`` holds an id outside the cluster."""
    own = issues.loc[issues["cluster"] == cluster, "issue_id"].tolist()
    unknown = [i for i in chosen if i not in own]
    if unknown:
        raise ValueError(f"not a cluster {cluster} issue: {', '.join(unknown)}; valid: {', '.join(own)}")
    return [i for i in own if not chosen or i in chosen]



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


def sentences_on_issues(claims: pd.DataFrame, claim_items: pd.DataFrame, issues: pd.DataFrame,
                        issue_ids: list[str] | tuple[str, ...] | None = None) -> pd.DataFrame:
    """Return one row per (issue, meeting sentence on it): the claims coded to the issue, and the
    claims a list item of which names it, verbatim with their modality, acts and role.

    Issues in table order (kept to ``issue_ids`` when given), claims in the claims' order. Columns:
    issue_id, issue, cluster, claim_id, passage_id, quote, modality, acts, role, via ('claim' or
    'item') and items (the item texts that name the issue; '' when the claim itself is coded to it).
    An issue no sentence is on has no row."""
    chosen = issues if issue_ids is None else issues[issues["issue_id"].isin(issue_ids)]
    coded = claims.assign(via="claim", items="")[["issue_id", *SENTENCE_COLUMNS, "via", "items"]]
    named = (
        claim_items[claim_items["issue_id"].notna() & (claim_items["issue_id"].astype(str) != "")]
        .groupby(["issue_id", "claim_id"], sort=False)["text"].agg("; ".join).reset_index(name="items")
        .merge(claims[SENTENCE_COLUMNS], on="claim_id", validate="m:1")
        .assign(via="item")
    )
    # a claim coded to the issue is listed once, as 'claim', even if one of its items names it too
    named = named[~named.set_index(["issue_id", "claim_id"]).index.isin(coded.set_index(["issue_id", "claim_id"]).index)]
    order = {claim_id: n for n, claim_id in enumerate(claims["claim_id"])}
    issue_order = {issue_id: n for n, issue_id in enumerate(chosen["issue_id"])}
    rows = pd.concat([coded, named[coded.columns]], ignore_index=True)
    rows = rows[rows["issue_id"].isin(issue_order)]
    labels = chosen.set_index("issue_id")
    return (
        rows.assign(issue=rows["issue_id"].map(labels["label"]), cluster=rows["issue_id"].map(labels["cluster"]),
                    _issue=rows["issue_id"].map(issue_order), _claim=rows["claim_id"].map(order))
        .sort_values(["_issue", "_claim"], kind="stable")
        [["issue_id", "issue", "cluster", *SENTENCE_COLUMNS, "via", "items"]]
        .reset_index(drop=True)
    )


def issue_coverage(claims: pd.DataFrame, claim_items: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Return one row per issue: whether the survey asked about it, how many meeting sentences are on
    it (sentences_on_issues) and whether the meeting discussed it at all (at least one)."""
    counts = sentences_on_issues(claims, claim_items, issues).groupby("issue_id").size()
    sentences = issues["issue_id"].map(counts).fillna(0).astype(int)
    return pd.DataFrame(
        {"issue_id": issues["issue_id"], "issue": issues["label"], "cluster": issues["cluster"],
         "surveyed": issues["surveyed"].astype(bool), "sentences": sentences, "discussed": sentences > 0}
    ).reset_index(drop=True)


def survey_beside_meeting(claims: pd.DataFrame, claim_items: pd.DataFrame, issues: pd.DataFrame,
                          survey: pd.DataFrame) -> pd.DataFrame:
    """Return the survey's answer and the meeting's own sentences side by side, for each issue the
    survey asked about (``survey``: survey_issues), in the annex's order; no score.

    One row per (survey issue, meeting sentence on it); an issue the meeting did not discuss has one
    row with empty sentence columns. Columns: issue_id, issue_label (the annex's), issue (the book's
    label), cluster, survey_passage_id, survey_answer (the best-placed actors as written),
    discussed, sentences (how many), then claim_id, passage_id, quote, modality, acts, role, via and
    items as in sentences_on_issues, and modality_label, acts_label, role_label."""
    asked = survey.rename(columns={"label": "issue", "passage_id": "survey_passage_id", "answer": "survey_answer"})
    said = sentences_on_issues(claims, claim_items, issues, list(asked["issue_id"])).drop(columns=["issue", "cluster"])
    frame = asked.merge(said, on="issue_id", how="left", validate="1:m")
    sentences = frame.groupby("issue_id", sort=False)["claim_id"].count()
    text = [*SENTENCE_COLUMNS, "via", "items"]
    return frame.assign(
        **{c: frame[c].fillna("") for c in text},
        discussed=frame["issue_id"].map(sentences) > 0,
        sentences=frame["issue_id"].map(sentences).astype(int),
        modality_label=frame["modality"].map(MODALITY_LABELS).fillna(""),
        acts_label=frame["acts"].map(ACTS_LABELS).fillna(""),
        role_label=frame["role"].map(ROLE_LABELS).fillna(""),
    )[["issue_id", "issue_label", "issue", "cluster", "survey_passage_id", "survey_answer", "discussed", "sentences",
       *text, "modality_label", "acts_label", "role_label"]].reset_index(drop=True)


def comparison_for_issues(frame: pd.DataFrame, issue_ids: list[str]) -> pd.DataFrame:
    """Return the rows of ``frame`` (e.g. survey_beside_meeting) on the given issues."""
    return frame[frame["issue_id"].isin(issue_ids)].reset_index(drop=True)


def comparison_for_clusters(frame: pd.DataFrame, clusters: list[int]) -> pd.DataFrame:
    """Return the rows of ``frame`` (e.g. survey_beside_meeting) on the issues of ``clusters`` (all if empty)."""
    if not clusters:
        return frame.reset_index(drop=True)
    keep = pd.to_numeric(frame["cluster"], errors="coerce").isin(clusters)
    return frame.loc[keep].reset_index(drop=True)


def who_acts(claims: pd.DataFrame) -> pd.DataFrame:
    """Return the claims counted by who acts and how strongly the sentence is put: one row per
    (acts, modality) that occurs, in the descriptor's orders, with the claim ids, passages and quotes.

    Columns: acts, acts_label, modality, modality_label, claims, claim_ids, passages, quotes,
    acts_order, modality_order."""
    acts_order = {a: n for n, a in enumerate(ACTS_LABELS)}
    modality_order = {m: n for n, m in enumerate(MODALITY_LABELS)}
    counts = (
        claims.groupby(["acts", "modality"], sort=False)
        .agg(claims=("claim_id", "size"), claim_ids=("claim_id", ", ".join),
             passages=("passage_id", lambda p: ", ".join(dict.fromkeys(p))), quotes=("quote", " / ".join))
        .reset_index()
    )
    return (
        counts.assign(acts_label=counts["acts"].map(ACTS_LABELS), modality_label=counts["modality"].map(MODALITY_LABELS),
                      acts_order=counts["acts"].map(acts_order), modality_order=counts["modality"].map(modality_order))
        .sort_values(["acts_order", "modality_order"], kind="stable")
        [["acts", "acts_label", "modality", "modality_label", "claims", "claim_ids", "passages", "quotes",
          "acts_order", "modality_order"]]
        .reset_index(drop=True)
    )


def finding_sections(claims: pd.DataFrame, section: str = "key-findings", claim_items: pd.DataFrame | None = None,
                     issues: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per bullet of ``section``: the clusters its coded claims concern and the
    sections that develop it.

    A bullet goes to the sections of its claims' clusters, the cluster with most claims first (ties:
    the one the bullet names first). Given ``claim_items`` and ``issues``, each list item that names
    an issue counts for that issue's cluster too (the bullet "These include illicit financial flows,
    migration, …" concerns cluster 3 through its items). A bullet that concerns no cluster goes to the
    other sections that hold claims on the same issues, in the claims' order. Columns: passage_id,
    clusters (list of (cluster, claims and items)), issues, sections (section ids, main one first), via
    ('cluster' or 'issue').
    """
    cluster_section = {n: s for s, n in CLUSTER_SECTIONS.items()}
    own = claims[(claims["section"] == section) & claims["passage_id"].str.contains(r"/b\d+$")]
    named = pd.DataFrame(columns=["claim_id", "cluster"])
    if claim_items is not None and issues is not None:
        clusters = issues.set_index("issue_id")["cluster"]
        named = claim_items.loc[claim_items["claim_id"].isin(own["claim_id"]), ["claim_id", "issue_id"]].assign(
            cluster=lambda f: f["issue_id"].map(clusters))[["claim_id", "cluster"]]
    rows = []
    for passage_id, group in own.groupby("passage_id", sort=False):
        position = {claim_id: n for n, claim_id in enumerate(group["claim_id"])}
        counted = (  # in reading order: each claim's own cluster, then its items'
            pd.concat([group[["claim_id", "cluster"]], named[named["claim_id"].isin(position)]])
            .sort_values("claim_id", key=lambda ids: ids.map(position), kind="stable")
        )
        clustered = counted.dropna(subset=["cluster"]).assign(cluster=lambda f: f["cluster"].astype(int))
        counts = clustered.groupby("cluster", sort=False).size()
        first = list(dict.fromkeys(clustered["cluster"]))
        ordered = sorted(counts.index, key=lambda c: (-counts[c], first.index(c)))
        bullet_issues = list(dict.fromkeys(group["issue_id"]))
        if ordered:
            sections, via = [cluster_section[c] for c in ordered], "cluster"
        else:
            elsewhere = claims[claims["issue_id"].isin(bullet_issues) & (claims["section"] != section)]
            sections, via = list(dict.fromkeys(elsewhere["section"])), "issue"
        rows.append({"passage_id": passage_id, "clusters": [(c, int(counts[c])) for c in ordered],
                     "issues": bullet_issues, "sections": sections, "via": via})
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
