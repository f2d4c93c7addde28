"""The introduction's frames and charts: the consultation, its key findings and the document at a glance.

Everything here is computed from the source model and the coded tables; the introduction only
calls these functions and writes the narrative around them.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd
from IPython.display import Markdown

from compendium import analysis
from compendium import charts
from compendium.data import lexicon
from compendium.book.present import join_words, quotation
from compendium.data.source import Document
from compendium.charts.theme import ACCENT

# The chapter that develops each cluster, by cluster number (file stems in _toc.yml).
CLUSTER_CHAPTERS = {
    1: "r2p-human-rights",
    2: "peace-security",
    3: "illicit-globalization",
    4: "sustainable-development",
}
FINDINGS_SECTION = "key-findings"
INTRO_SECTIONS = ("key-findings", "final-remarks")
# Labels the introduction sets on its own sections, for findings developed there.
SECTION_LABELS = {"final-remarks": "intro-final-remarks"}
SECTION_ORDERS = ("document", "words")
PART_COLOURS = {"Cluster": ACCENT, "Other section": "#9aa5b1"}
CLAIM_TYPE_PLURALS = {"diagnosis": "diagnoses", "actor-assessment": "actor assessments"}

_FIELDS = re.compile(r"in the fields of (?P<fields>[^.]+)\.")
_QUESTIONS = re.compile(r"questions:\s*(?P<questions>.*\?)")
_LIST_SPLIT = re.compile(r",\s*(?:and\s+)?|\s+and\s+")
_QUESTION_SPLIT = re.compile(r"(?<=\?);?\s*(?:and\s+)?")


# -- helpers --------------------------------------------------------------------------------


def semicolon_lines(title: str) -> list[str]:
    """Split a finding-title at its semicolons into lines, so it fits the page's width."""
    parts = title.split("; ")
    return [p + ";" for p in parts[:-1]] + parts[-1:]


# -- what the consultation was ----------------------------------------------------------


def consultation_date(figures: pd.DataFrame, figure_id: str = analysis.CONSULTATION) -> str:
    """Return the consultation's date (analysis.consultation_date) written as '7 May 2015'."""
    date = analysis.consultation_date(figures, figure_id)
    return f"{date.day} {date:%B %Y}"


def participant_fields(doc: Document, passage_id: str = "opening/p1") -> list[str]:
    """Return the participants' fields as the opening lists them ('diplomacy', 'security', ...)."""
    found = _FIELDS.search(doc.block(passage_id).plain)
    if found is None:
        raise ValueError(f"passage {passage_id!r} names no 'fields of ...'")
    return [f.strip() for f in _LIST_SPLIT.split(found["fields"]) if f.strip()]


def key_questions(doc: Document, passage_id: str = "opening/p1") -> pd.DataFrame:
    """Return the discussion's key questions, verbatim: number, question, passage_id."""
    text = doc.block(passage_id).plain
    found = _QUESTIONS.search(text)
    if found is None:
        raise ValueError(f"passage {passage_id!r} lists no 'questions: ...?'")
    questions = [q.strip() for q in _QUESTION_SPLIT.split(found["questions"]) if q.strip()]
    missing = [q for q in questions if q not in text]
    if missing:
        raise ValueError(f"questions not verbatim in {passage_id!r}: {missing}")
    return pd.DataFrame(
        {"number": range(1, len(questions) + 1), "question": questions, "passage_id": passage_id}
    )


def questions_markdown(questions: pd.DataFrame) -> Markdown:
    """Return the key questions as a numbered list of verbatim quotes, each with its passage id."""
    items = [f"{q.number}. “{q.question}” (passage `{q.passage_id}`)" for q in questions.itertuples(index=False)]
    return Markdown("\n".join(items))


# -- the key findings and the chapters that develop them ----------------------------------------


def finding_chapters(claims: pd.DataFrame, section: str = FINDINGS_SECTION) -> pd.DataFrame:
    """Return one row per bullet of ``section``: the clusters its coded claims concern and where it is developed.

    A bullet goes to the chapters of its claims' clusters, the cluster with most claims first (ties:
    the one the bullet names first). A bullet whose claims are all cross-cutting goes to the other
    sections that hold claims on the same issues. Columns: passage_id, clusters (list of
    (cluster, claims)), issues, targets (chapter stems or section ids, main one first), via.
    """
    own = claims[(claims["section"] == section) & claims["passage_id"].str.contains(r"/b\d+$")]
    rows = []
    for passage_id, group in own.groupby("passage_id", sort=False):
        clustered = group.dropna(subset=["cluster"]).assign(cluster=lambda f: f["cluster"].astype(int))
        counts = clustered.groupby("cluster", sort=False).size()
        named = list(dict.fromkeys(clustered["cluster"]))
        ordered = sorted(counts.index, key=lambda c: (-counts[c], named.index(c)))
        issues = list(dict.fromkeys(group["issue_id"]))
        if ordered:
            targets, via = [CLUSTER_CHAPTERS[c] for c in ordered], "cluster"
        else:
            elsewhere = claims[claims["issue_id"].isin(issues) & (claims["section"] != section)]
            sections = list(dict.fromkeys(elsewhere["section"]))
            targets = [CLUSTER_CHAPTERS[analysis.CLUSTER_SECTIONS[s]] if s in analysis.CLUSTER_SECTIONS else s
                       for s in sections]
            via = "issue"
        rows.append(
            {
                "passage_id": passage_id,
                "clusters": [(c, int(counts[c])) for c in ordered],
                "issues": issues,
                "targets": targets,
                "via": via,
            }
        )
    return pd.DataFrame(rows, columns=["passage_id", "clusters", "issues", "targets", "via"])


def _link(target: str) -> str:
    """Return the MyST link to a chapter stem or to a section of the introduction (else its id)."""
    if target in SECTION_LABELS:
        return f"{{ref}}`{SECTION_LABELS[target]}`"
    if target in CLUSTER_CHAPTERS.values():
        return f"{{doc}}`{target}`"
    return f"the section `{target}`"


def finding_note(row: pd.Series, issue_labels: pd.Series) -> str:
    """Return the sentence under a quoted finding: what its claims concern and where to read more."""
    links = join_words([_link(t) for t in row["targets"]]) if row["targets"] else "no other part of the summary"
    if row["via"] == "cluster":
        concern = join_words([f"cluster {c} ({charts.plural(n, 'claim')})" for c, n in row["clusters"]])
        return f"Its coded claims concern {concern}. Read more in {links}."
    labels = join_words([issue_labels.get(i, i) for i in row["issues"]])
    return f"Its coded claims are cross-cutting ({labels}), tied to no one cluster; the theme returns in {links}."


def findings_markdown(doc: Document, mapping: pd.DataFrame, issues: pd.DataFrame) -> Markdown:
    """Return each key finding as an attributed quotation followed by where the book develops it."""
    labels = issues.set_index("issue_id")["label"]
    parts = [
        f"{quotation(doc.block(row.passage_id))}\n{finding_note(pd.Series(row._asdict()), labels)}\n"
        for row in mapping.itertuples(index=False)
    ]
    return Markdown("\n".join(parts))


def intro_claims(claims: pd.DataFrame) -> pd.DataFrame:
    """Return the claims of the sections the introduction covers: key findings and final remarks."""
    return claims[claims["section"].isin(INTRO_SECTIONS)].reset_index(drop=True)


# -- where the document spends its words -------------------------------------------------------


def section_label(section_id: str, name: str) -> str:
    """Return a section's name for an axis: 'Cluster 3: Illicit globalization' or the plain name."""
    number = analysis.CLUSTER_SECTIONS.get(section_id)
    return f"Cluster {number}: {name}" if number else name


def section_words(doc: Document, order: str = "document") -> pd.DataFrame:
    """Return words per section for the chart, in document order or longest first ('words').

    Columns: section, label, part, words, share, passages, heading, ids, text (the value label).
    """
    if order not in SECTION_ORDERS:
        raise ValueError(f"order must be one of {', '.join(SECTION_ORDERS)}; got {order!r}")
    sections = {s.id: s for s in doc.sections}
    frame = analysis.words_by_section(doc).assign(
        label=lambda f: [section_label(s, n) for s, n in zip(f["section"], f["name"])],
        part=lambda f: ["Cluster" if s in analysis.CLUSTER_SECTIONS else "Other section" for s in f["section"]],
        heading=lambda f: [sections[s].heading or "(opening, no heading)" for s in f["section"]],
        ids=lambda f: [f"{sections[s].blocks[0].id} … {sections[s].blocks[-1].id}" for s in f["section"]],
        text=lambda f: [f"{w} words · {s:.0%}" for w, s in zip(f["words"], f["share"])],
    )
    if order == "words":
        frame = frame.sort_values(["words", "order"], ascending=[False, True], kind="stable")
    columns = ["section", "label", "part", "words", "share", "passages", "heading", "ids", "text"]
    return frame[columns].reset_index(drop=True)


def cluster_share(words: pd.DataFrame) -> float:
    """Return the share of all words that the cluster sections hold."""
    return float(words.loc[words["part"] == "Cluster", "words"].sum() / words["words"].sum())


def words_title(words: pd.DataFrame) -> str:
    """Return the words chart's title: the clusters' share and the longest section."""
    clusters = words[words["part"] == "Cluster"]
    longest = words.loc[words["words"].idxmax()]
    return (
        f"The {len(clusters)} clusters hold {cluster_share(words):.0%} of the words; "
        f"the longest section is {longest['label']} ({longest['share']:.0%})"
    )


def words_chart(words: pd.DataFrame) -> alt.LayerChart:
    """Bar chart of words per section, clusters highlighted, each bar labelled with its count and share."""
    title = alt.Title(semicolon_lines(words_title(words)), subtitle="Words in each section's passages")
    base = alt.Chart(words, title=title).encode(
        y=alt.Y("label:N", title=None, sort=list(words["label"])),
        x=alt.X("words:Q", title="Words"),
        tooltip=[
            alt.Tooltip("label:N", title="Section"),
            alt.Tooltip("heading:N", title="Heading in the source"),
            alt.Tooltip("words:Q", title="Words"),
            alt.Tooltip("share:Q", title="Share of all words", format=".0%"),
            alt.Tooltip("passages:Q", title="Passages"),
            alt.Tooltip("ids:N", title="Passage ids"),
        ],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("part:N", title=None,
                        scale=alt.Scale(domain=list(PART_COLOURS), range=list(PART_COLOURS.values())))
    )
    labels = base.mark_text(align="left", dx=4).encode(text=alt.Text("text:N"))
    return (bars + labels).properties(
        width=300,
        height=alt.Step(26),
        description=(
            f"Bar chart of the words in each of the {len(words)} sections of the meeting summary; "
            f"the {int((words['part'] == 'Cluster').sum())} clusters hold {cluster_share(words):.0%} of them."
        ),
    )


# -- which actors each cluster names -----------------------------------------------------------


def cluster_actor_mentions(passages: pd.DataFrame, actors: pd.DataFrame, min_mentions: int = 1) -> pd.DataFrame:
    """Return cluster × actor mention counts (lexicon-matched) for the actors named at least
    ``min_mentions`` times across the four clusters; zeros kept for those actors."""
    mentions = analysis.mentions_by_cluster(lexicon.actor_mentions(passages, actors), actors)
    totals = mentions.groupby("actor_id")["mentions"].transform("sum")
    return mentions[(totals >= max(min_mentions, 1))].reset_index(drop=True)


def actors_title(mentions: pd.DataFrame) -> str:
    """Return the heatmap's title: the actor named most, in how many clusters, and the widest cast."""
    if mentions.empty or mentions["mentions"].sum() == 0:
        return "No actor reaches the threshold in any cluster"
    totals = mentions.groupby("actor")["mentions"].sum()
    top = totals.idxmax()
    n_clusters = mentions["cluster"].nunique()
    in_clusters = int((mentions.loc[mentions["actor"] == top, "mentions"] > 0).sum())
    where = f"all {n_clusters} clusters" if in_clusters == n_clusters else f"{in_clusters} of {n_clusters} clusters"
    cast = mentions[mentions["mentions"] > 0].groupby("cluster")["actor_id"].nunique()
    widest = int(cast.idxmax())
    return (
        f"Named most: {top} ({totals[top]} times, in {where}); "
        f"cluster {widest} names the widest cast ({charts.plural(int(cast[widest]), 'actor')})"
    )


def actors_chart(mentions: pd.DataFrame) -> alt.LayerChart:
    """Heatmap of actor mentions by cluster (the shared builder), titled with its finding."""
    return charts.actor_heatmap(mentions, semicolon_lines(actors_title(mentions)))


# -- claim types by cluster --------------------------------------------------------------------


def claim_type_parts(claims: pd.DataFrame, doc: Document) -> pd.DataFrame:
    """Return claims per part of the summary and claim type, parts named and in document order."""
    counts = analysis.claim_types_by_cluster(claims)
    names = {
        (f"cluster {analysis.CLUSTER_SECTIONS[s.id]}" if s.id in analysis.CLUSTER_SECTIONS else s.id):
        (i, section_label(s.id, s.name))
        for i, s in enumerate(doc.sections)
    }
    unknown = sorted(set(counts["part"]) - set(names))
    if unknown:
        raise ValueError(f"claims in parts the document does not have: {', '.join(unknown)}")
    return (
        counts.assign(order=counts["part"].map(lambda p: names[p][0]), part=counts["part"].map(lambda p: names[p][1]))
        .sort_values(["order", "claim_type"], kind="stable")
        .drop(columns="order")
        .reset_index(drop=True)
    )


def claim_type_plural(claim_type: str) -> str:
    """Return a claim type in words, plural: 'diagnoses', 'actor assessments', 'findings'."""
    return CLAIM_TYPE_PLURALS.get(claim_type, claim_type.replace("-", " ") + "s")


def leading_types(counts: pd.DataFrame) -> pd.Series:
    """Return each part's most frequent claim type; a tie goes to the type most frequent overall."""
    overall = counts.groupby("claim_type")["claims"].sum().sort_values(ascending=False, kind="stable")
    rank = {t: i for i, t in enumerate(overall.index)}
    best = counts.assign(rank=counts["claim_type"].map(rank)).sort_values(
        ["part", "claims", "rank"], ascending=[True, False, True], kind="stable"
    )
    return best.groupby("part", sort=False)["claim_type"].first()


def claim_types_title(counts: pd.DataFrame) -> str:
    """Return the claim-type chart's title: the commonest type, and the clusters led by another."""
    overall = counts.groupby("claim_type")["claims"].sum()
    top = overall.idxmax()
    lead = leading_types(counts)
    others = [(p, t) for p, t in lead.items() if p.startswith("Cluster") and t != top]
    head = f"{claim_type_plural(top).capitalize()} are the commonest claims ({overall[top]} of {overall.sum()})"
    if not others:
        return head + ", in every cluster"
    parts = [f"{p.split(':')[0].lower()} {'leads ' if i == 0 else ''}with {claim_type_plural(t)}"
             for i, (p, t) in enumerate(others)]
    return f"{head}; yet {join_words(parts)}"


def claim_types_chart(counts: pd.DataFrame) -> alt.Chart:
    """Stacked bars of claim types per part (the shared builder), titled with its finding; the
    part names are the axis labels and the types are written in words, to fit the page."""
    readable = counts.assign(claim_type=counts["claim_type"].str.replace("-", " ").str.capitalize())
    return (
        charts.claim_type_chart(readable, semicolon_lines(claim_types_title(counts)))
        .encode(y=alt.Y("part:N", title=None, sort=None))
        .properties(width=340)
    )
