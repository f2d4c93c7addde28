"""Presenting the source model and the results in the book: attributed quotations, readable
tables and the words around numbers."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from itertools import groupby

import pandas as pd
from IPython.display import Markdown

from compendium.analysis import NOT_DISCUSSED
from compendium.data.source import Block
from compendium.data.tables import ACTS_LABELS, HEDGE_WORDS, MODALITY_LABELS, ROLE_LABELS, lead_in_sentence

SOURCE_NAME = "CIC meeting summary, 7 May 2015"


def attributed(text: str, passage_id: str, note: str = "") -> str:
    """Return MyST for ``text`` as an epigraph attributed to its passage id (and ``note``, e.g. its coding)."""
    extra = f"; {note}" if note else ""
    return f"```{{epigraph}}\n{text}\n\n-- {SOURCE_NAME}, passage `{passage_id}`{extra}\n```\n"


def quotation(block: Block) -> str:
    """Return MyST for one block as an attributed quotation."""
    return attributed(block.plain, block.id)


def quote_blocks(blocks: list[Block] | tuple[Block, ...]) -> Markdown:
    """Return the blocks as a run of attributed quotations, for display in a chapter."""
    return Markdown("\n".join(quotation(b) for b in blocks))


def claims_table(claims: pd.DataFrame, issues: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Return coded claims as a readable table: passage, claim, quote, issue, type, how it is put,
    who acts and in what role, the actors named, feasibility."""
    issue_labels = issues.set_index("issue_id")["label"]
    actor_labels = actors.set_index("actor_id")["label"]
    named = claims["actors"].fillna("").map(
        lambda ids: ", ".join(actor_labels.get(a, a) for a in ids.split(";") if a)
    )
    return pd.DataFrame(
        {
            "Passage": claims["passage_id"],
            "Claim": claims["claim_id"],
            "Quote": claims["quote"],
            "Issue": claims["issue_id"].map(issue_labels),
            "Claim type": claims["claim_type"],
            "How it is put": claims["modality"].map(MODALITY_LABELS),
            "Who acts": claims["acts"].map(ACTS_LABELS),
            "Role": claims["role"].map(ROLE_LABELS),
            "Actors named": named,
            "Feasibility": claims["feasibility"].replace("not-stated", ""),
        }
    ).reset_index(drop=True)


def coding_note(claim: Mapping) -> str:
    """Return a claim's coding in words: 'claim `id`: hedged; who acts: UN system, limited or not well placed'."""
    who = ACTS_LABELS.get(claim["acts"], claim["acts"])
    role = ROLE_LABELS.get(claim["role"], claim["role"])
    acting = "no actor" if claim["acts"] == "none" else f"who acts: {who} ({in_sentence(role)})"
    return f"claim `{claim['claim_id']}`: {in_sentence(MODALITY_LABELS.get(claim['modality'], claim['modality']))}; {acting}"


def quote_claims(claims: pd.DataFrame, claim_ids: list[str] | None = None,
                 passages: pd.DataFrame | None = None, fold: bool = False) -> Markdown:
    """Return the quotes of the given claims (all, if None) as attributed quotations, one per run of
    claims from the same passage, each sentence followed by its coding (modality, who acts, role) in
    small type; given ``passages``, a bullet that completes a lead-in is quoted after the lead-in's
    words in brackets, so its hedge ("could, for example") is kept. With ``fold``, the quotations sit
    in one folded block whose line names how many sentences of which passages it holds: for prose
    that has just reported the same sentences, so the page does not say everything twice."""
    chosen = claims if claim_ids is None else claims.set_index("claim_id").loc[claim_ids].reset_index()
    lead_ins = {} if passages is None else dict(zip(passages["passage_id"], passages["text"]))
    quoted = []
    for passage_id, run in groupby(chosen.to_dict("records"), key=lambda claim: claim["passage_id"]):
        sentences = []
        for claim in run:
            lead_in = claim.get("lead_in")
            before = f"[{lead_in_sentence(lead_ins[lead_in])}] " if isinstance(lead_in, str) and lead_in in lead_ins else ""
            sentences.append(f"{before}{claim['quote']} [{coding_note(claim)}]{{.coding}}")
        body = "\n\n".join(sentences)
        quoted.append(f"```{{epigraph}}\n{body}\n\n-- {SOURCE_NAME}, passage `{passage_id}`\n```\n")
    if not fold:
        return Markdown("\n".join(quoted))
    ids = list(dict.fromkeys(chosen["passage_id"]))
    where = f"passage {ids[0]}" if len(ids) == 1 else f"passages {join_words(ids)}"
    line = f"The summary's words: {len(chosen)} sentence{'s' if len(chosen) != 1 else ''} of {where}, verbatim"
    return Markdown(f"````{{dropdown}} {line}\n:class-container: quoted-sentences\n\n" + "\n".join(quoted) + "````\n")


# -- a claim's strength, in prose -------------------------------------------------------------

# The words that introduce a paraphrase of a claim of each modality, so that the book's sentence keeps
# the source's strength: "participants proposed that the UN could …", "the summary asks whether …".
REPORTING = {
    "asserted": "the summary states that",
    "hedged": "the summary suggests that",
    "proposed": "participants proposed that",
    "reported": "the summary reports a view raised at the meeting that",
    "question": "the summary asks whether",
}
# The words that introduce a verbatim quotation of a claim of each modality (claim_in_prose).
QUOTING = {
    "asserted": "The summary states",
    "hedged": "The summary suggests, with a hedge",
    "proposed": "The summary records a proposal",
    "reported": "The summary reports a view raised at the meeting",
    "question": "The summary asks",
}


def hedge_words(text: str) -> list[str]:
    """Return the hedge words (data.tables.HEDGE_WORDS) in ``text``, in order, each once."""
    found = [w.lower() for w in re.findall(r"[A-Za-z]+", text) if w.lower() in HEDGE_WORDS]
    return list(dict.fromkeys(found))


def reporting_phrase(modality: str) -> str:
    """Return the words that introduce a paraphrase of a claim of ``modality``, e.g. 'participants proposed
    that'; raise ValueError naming the modalities for an unknown one."""
    if modality not in REPORTING:
        raise ValueError(f"unknown modality {modality!r}; valid: {', '.join(REPORTING)}")
    return REPORTING[modality]


def claim_in_prose(claim: Mapping, lead_in_text: str = "") -> str:
    """Return one sentence that reports a claim at the strength the source gives it, quoting it verbatim,
    e.g. 'The summary suggests, with a hedge (“may”): “The UN may not be well placed …”'.

    A hedged claim names its hedge words (from the quote, else from ``lead_in_text``, the passage of the
    lead-in its bullet completes, whose last sentence is then quoted before it, in brackets); a question is asked, a
    proposal and a reported view are attributed. Raise ValueError for an unknown modality."""
    modality = claim["modality"]
    reporting_phrase(modality)  # the same check, the same message
    quote = claim["quote"].strip()
    lead = lead_in_sentence(lead_in_text) if lead_in_text else ""
    said = f"“[{lead}] {quote}”" if lead else f"“{quote}”"  # the lead-in in brackets: not one run of text
    words = hedge_words(quote) or hedge_words(lead)
    marked = f" ({', '.join(f'“{w}”' for w in words)})" if modality == "hedged" and words else ""
    return f"{QUOTING[modality]}{marked}: {said}"


# -- tables --------------------------------------------------------------------------------


# A table's columns are laid out for the text column at 1280 px (about 88 characters of table type) and for
# a phone (where CSS turns each row into a card). A column whose longest value is over LONG_TEXT characters
# is long text: the first one (or the chapter's ``lead``) is the row's lead, shown whole; the other long
# columns, and short ones beyond COMPACT_BUDGET characters of width beside the lead, go into the row's
# folded "more" block, so no cell is squeezed narrower than MIN_CELL characters.
LONG_TEXT = 60
MIN_CELL = 12
MAX_CELL = 24
COMPACT_BUDGET = 48
_URL = re.compile(r"(https?://[^\s;,]+)")


def _cell_text(value: object) -> str:
    """Return a value as the table shows it: '' for a missing one, whole numbers without '.0'."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() else f"{value:,.3f}".rstrip("0").rstrip(".")
    return str(value)


def _cell_html(text: str) -> str:
    """Return escaped text with its web addresses as links (they may break anywhere)."""
    return "".join(f'<a class="url" href="{html.escape(part)}">{html.escape(part)}</a>' if _URL.fullmatch(part)
                   else html.escape(part) for part in _URL.split(text))


def table_layout(frame: pd.DataFrame, lead: str | None = None, show: list[str] | None = None) \
        -> tuple[list[str], str | None, list[str]]:
    """Return (columns shown in the table, the lead column or None, columns folded under the lead).

    Long text columns (over LONG_TEXT characters) go under the lead; short ones stay in the table, in the
    frame's order, while their widths (each MIN_CELL to MAX_CELL characters, plus 3 of padding) fit
    COMPACT_BUDGET. ``show`` fixes the shown columns instead (the lead is always shown). Raise ValueError
    naming the valid columns for an unknown ``lead`` or ``show`` column."""
    columns = [str(c) for c in frame.columns]
    for name in [lead] if lead else []:
        if name not in columns:
            raise ValueError(f"lead column {name!r} is not in the table; columns: {', '.join(columns)}")
    unknown = [c for c in show or [] if c not in columns]
    if unknown:
        raise ValueError(f"shown column(s) {', '.join(map(repr, unknown))} not in the table; columns: {', '.join(columns)}")
    width = {c: max([len(_cell_text(v)) for v in frame[c]] + [0]) for c in columns}
    long = [c for c in columns if width[c] > LONG_TEXT]
    lead = lead or (long[0] if long else None)
    if lead is None and show is None:
        return columns, None, []
    if show is not None:
        shown = [c for c in columns if c in show or c == lead]
    else:
        shown, used = [], 0
        for c in columns:
            cost = min(max(width[c], MIN_CELL), MAX_CELL) + 3  # a cell's padding is about 3 characters
            if c == lead or (c not in long and used + cost <= COMPACT_BUDGET):
                shown.append(c)
                used += 0 if c == lead else cost
    return shown, lead, [c for c in columns if c not in shown]


class ReadableTable:
    """A table as the book shows it: compact columns, the lead text whole, the rest folded under it
    (table_layout), as HTML that needs no script; and a plain-text form without memory addresses,
    so executed notebooks are the same on every run."""

    def __init__(self, frame: pd.DataFrame, name: str, lead: str | None = None, show: list[str] | None = None):
        self.frame, self.name = frame, name
        self.shown, self.lead, self.folded = table_layout(frame, lead, show)

    def _row_html(self, row: Mapping) -> str:
        cells = []
        for column in self.shown:
            text = _cell_text(row[column])
            kind = "id" if re.search(r"passage|claim|row", column, re.I) and len(text) <= MAX_CELL else "text"
            body = _cell_html(text)
            if column == self.lead:
                kind = "main"
                more = [(c, _cell_text(row[c])) for c in self.folded if _cell_text(row[c])]
                if more:
                    items = "".join(f"<dt>{html.escape(c)}</dt><dd>{_cell_html(t)}</dd>" for c, t in more)
                    names = join_words(in_sentence(c) for c, _ in more)
                    body += (f'<details class="table-more"><summary>More: {html.escape(names)}</summary>'
                             f"<dl>{items}</dl></details>")
            cells.append(f'<td class="{kind}" data-label="{html.escape(column)}">{body}</td>')
        return "<tr>" + "".join(cells) + "</tr>"

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in self.shown)
        rows = "\n".join(self._row_html(row) for row in self.frame.to_dict("records"))
        folded = " folded" if self.folded else ""
        # focusable, so a keyboard can scroll a table wider than the page (axe: scrollable-region-focusable)
        return (f'<div class="readable-table{folded}" id="table-{html.escape(self.name)}" role="region" '
                f'aria-label="Table {html.escape(self.name)}" tabindex="0">'
                f"<table><thead><tr>{head}</tr></thead>\n<tbody>\n{rows}\n</tbody></table></div>")

    def __repr__(self) -> str:
        return f"<table '{self.name}': {len(self.frame)} rows, columns {', '.join(map(str, self.frame.columns))}>"


def readable_table(frame: pd.DataFrame, name: str, lead: str | None = None,
                   show: list[str] | None = None) -> ReadableTable:
    """Return ``frame`` ready for reading in the book at 1280 px and on a phone (table_layout): no row
    numbers, text escaped, long text whole in the ``lead`` column with the other long columns folded
    under it; ``name`` (the table's published name) fixes its HTML id, so every build writes the same page."""
    return ReadableTable(frame, name, lead, show)


def sentences_table(sentences: pd.DataFrame) -> pd.DataFrame:
    """Return analysis.sentences_on_issues rows as a readable table: issue, passage, claim, the sentence
    verbatim, how it is put, who acts and in what role, and the list item that names the issue."""
    return pd.DataFrame(
        {
            "Issue": sentences["issue"],
            "Passage": sentences["passage_id"],
            "Claim": sentences["claim_id"],
            "Meeting sentence (verbatim)": sentences["quote"],
            "How it is put": sentences["modality"].map(MODALITY_LABELS).fillna(""),
            "Who acts": sentences["acts"].map(ACTS_LABELS).fillna(""),
            "Role": sentences["role"].map(ROLE_LABELS).fillna(""),
            "Named in its list as": sentences["items"],
        }
    ).reset_index(drop=True)


def side_by_side_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return analysis.survey_beside_meeting rows as a readable table: the survey's answer as written
    beside each meeting sentence on the issue (one row per sentence; 'Not discussed' where there is
    none). No column scores or matches the two."""
    return pd.DataFrame(
        {
            "Survey issue": frame["issue_label"],
            "Survey: best placed (as written)": frame["survey_answer"],
            "Survey passage": frame["survey_passage_id"],
            "Meeting sentence (verbatim)": frame["quote"].where(frame["discussed"], NOT_DISCUSSED),
            "Passage": frame["passage_id"],
            "Claim": frame["claim_id"],
            "How it is put": frame["modality_label"],
            "Who acts": frame["acts_label"],
            "Role": frame["role_label"],
        }
    ).reset_index(drop=True)


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
