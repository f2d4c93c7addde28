"""Presenting the source model and the results in the book: attributed quotations, readable
tables and the words around numbers."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd
from IPython.display import Markdown
from pandas.io.formats.style import Styler

from compendium.data.source import Block
from compendium.charts.theme import STANCE_LABELS

SOURCE_NAME = "CIC meeting summary, 7 May 2015"


def attributed(text: str, passage_id: str) -> str:
    """Return MyST for ``text`` as an epigraph attributed to its passage id."""
    return f"```{{epigraph}}\n{text}\n\n-- {SOURCE_NAME}, passage `{passage_id}`\n```\n"


def quotation(block: Block) -> str:
    """Return MyST for one block as an attributed quotation."""
    return attributed(block.plain, block.id)


def quote_blocks(blocks: list[Block] | tuple[Block, ...]) -> Markdown:
    """Return the blocks as a run of attributed quotations, for display in a chapter."""
    return Markdown("\n".join(quotation(b) for b in blocks))


def claims_table(claims: pd.DataFrame, issues: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Return coded claims as a readable table: passage, quote, issue, type, actors, stance, feasibility."""
    issue_labels = issues.set_index("issue_id")["label"]
    actor_labels = actors.set_index("actor_id")["label"]
    named = claims["actors"].fillna("").map(
        lambda ids: ", ".join(actor_labels.get(a, a) for a in ids.split(";") if a)
    )
    return pd.DataFrame(
        {
            "Passage": claims["passage_id"],
            "Quote": claims["quote"],
            "Issue": claims["issue_id"].map(issue_labels),
            "Claim type": claims["claim_type"],
            "Actors named": named,
            "Stance on the UN's role": claims["un_stance"].map(STANCE_LABELS),
            "Feasibility": claims["feasibility"].replace("not-stated", ""),
        }
    ).reset_index(drop=True)


def quote_claims(claims: pd.DataFrame, claim_ids: list[str] | None = None) -> Markdown:
    """Return the quotes of the given claims (all, if None) as attributed quotations by passage id."""
    chosen = claims if claim_ids is None else claims.set_index("claim_id").loc[claim_ids].reset_index()
    return Markdown(
        "\n".join(attributed(quote, pid) for quote, pid in zip(chosen["quote"], chosen["passage_id"]))
    )


# -- tables --------------------------------------------------------------------------------


class ReadableTable:
    """A table as the book shows it: HTML from a Styler, and a plain-text form without memory
    addresses (a Styler's default repr has one), so executed notebooks are the same on every run."""

    def __init__(self, frame: pd.DataFrame, name: str):
        self.frame, self.name = frame, name
        self.styler = (
            Styler(frame, uuid=name, cell_ids=False)
            .hide(axis="index")
            .format(escape="html", na_rep="")
            .set_table_styles(
                [{"selector": "th, td",
                  "props": [("text-align", "left"), ("vertical-align", "top"), ("font-size", "0.88em")]}]
            )
        )
        # a passage id broken at its hyphen ("annex-" / "a/c1") no longer reads as an id
        ids = [c for c in frame.columns if "passage" in str(c).lower()]
        if ids:
            self.styler = self.styler.set_properties(subset=ids, **{"white-space": "nowrap"})

    def _repr_html_(self) -> str:
        return self.styler.to_html()

    def __repr__(self) -> str:
        return f"<table '{self.name}': {len(self.frame)} rows, columns {', '.join(map(str, self.frame.columns))}>"


def readable_table(frame: pd.DataFrame, name: str) -> ReadableTable:
    """Return ``frame`` ready for reading in the book: no row numbers, text escaped and aligned left
    and top; ``name`` (the table's published name) fixes its HTML id, so every build writes the same page."""
    return ReadableTable(frame, name)


def comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """Return analysis.survey_vs_meeting rows as a readable table, one row per surveyed issue."""
    return pd.DataFrame(
        {
            "Survey issue": comparison["issue_label"],
            "Survey's best-placed actor": comparison["survey_actors"],
            "Survey names the UN": comparison["survey_includes_un"].map({True: "yes", False: "no"}),
            "Meeting's stance on the UN's role": comparison["stance_label"],
            "Passage": comparison["passage_id"],
            "Quote": comparison["quote"],
            "Agreement": comparison["agreement"],
        }
    )


def positions_table(positions: pd.DataFrame) -> pd.DataFrame:
    """Return analysis.issue_positions as a readable table: issue, stance, the claim behind it, survey answer."""
    return pd.DataFrame(
        {
            "Issue": positions["issue"],
            "Claims coded": positions["claims"],
            "Meeting's stance on the UN's role": positions["stance_label"],
            "Passage": positions["passage_id"],
            "Quote": positions["quote"],
            "Survey's best-placed actor": positions["survey_actors"].replace("", "(not asked)"),
        }
    )


# -- words ---------------------------------------------------------------------------------


def join_words(words: Iterable[str]) -> str:
    """Return 'A', 'A and B' or 'A, B and C' ('' for none)."""
    items = [str(w) for w in words]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def in_sentence(label: str) -> str:
    """Return a label for use inside a sentence: 'International community' -> 'international community';
    an acronym such as 'UN …' is kept."""
    return label[0].lower() + label[1:] if len(label) > 1 and label[1].islower() else label


def estimate_text(value: float, low: float, high: float, qualifier: str = "exact") -> str:
    """Return an estimate as published: '7,500', 'about 15,850', or the range '100–120' when ``value`` is missing."""
    if pd.notna(value):
        return ("about " if qualifier == "about" else "") + f"{value:,.0f}"
    return f"{low:,.0f}–{high:,.0f}"


def sources_line(frame: pd.DataFrame) -> str:
    """Return 'Publisher, Document (year; confidence)' for each distinct source in ``frame``, joined by '; '."""
    parts = (
        frame.assign(cite=frame["publisher"] + ", " + frame["document"] + " (" + frame["year"].astype(str)
                     + "; " + frame["confidence"] + ")")["cite"]
    )
    return "; ".join(dict.fromkeys(parts))
