"""Presenting the source model in the book: attributed quotations and model tables."""

from __future__ import annotations

import pandas as pd
from IPython.display import Markdown

from .source import Block, Document

SOURCE_NAME = "CIC meeting summary, 7 May 2015"


def quotation(block: Block) -> str:
    """Return MyST for one block as an epigraph attributed to its passage id."""
    return f"```{{epigraph}}\n{block.plain}\n\n-- {SOURCE_NAME}, passage `{block.id}`\n```\n"


def quote_blocks(blocks: list[Block] | tuple[Block, ...]) -> Markdown:
    """Return the blocks as a run of attributed quotations, for display in a chapter."""
    return Markdown("\n".join(quotation(b) for b in blocks))


def quote_section(doc: Document, section_id: str, kinds: tuple[str, ...] = ("paragraph", "bullet")) -> Markdown:
    """Return every block of one section (of the given kinds) as attributed quotations."""
    return quote_blocks([b for b in doc.section(section_id).blocks if b.kind in kinds])


def section_heading(doc: Document, section_id: str) -> Markdown:
    """Return the section's heading as printed in the source, as a quotation."""
    section = doc.section(section_id)
    return Markdown(f"> **{section.heading}**\n>\n> -- heading of section `{section.id}` in the source\n")


def model_overview(doc: Document) -> pd.DataFrame:
    """Return one row per section: id, heading, number of blocks of each kind, first and last id."""
    rows = []
    for s in doc.sections:
        row = {"section": s.id, "heading": s.heading or "(opening, no heading)"}
        row |= {kind: s.kind_count(kind) for kind in ("paragraph", "bullet", "caption", "header", "row")}
        row |= {"blocks": len(s.blocks), "ids": f"{s.blocks[0].id} … {s.blocks[-1].id}"}
        rows.append(row)
    return pd.DataFrame(rows)
