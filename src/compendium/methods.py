"""Frames for the methods chapter: the codebook with examples, coding coverage, provenance checks."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from compendium import paths
from compendium.data.tables import CODED_KINDS, CODED_SECTIONS, load_tables, validate_tables

# codebook variable -> the claims column whose codes it defines (others are defined on other tables)
CLAIM_VARIABLES = {"claim_type": "claim_type", "un_stance": "un_stance", "feasibility": "feasibility"}


def codebook_with_examples(codebook: pd.DataFrame, claims: pd.DataFrame, passages: pd.DataFrame) -> pd.DataFrame:
    """Return the codebook with, for each category, its example passage and an example quote.

    For claim variables the quote is a claim on that passage coded with the category; otherwise
    the passage's opening words."""
    texts = passages.set_index("passage_id")["text"]

    def example(row: pd.Series) -> str:
        column = CLAIM_VARIABLES.get(row["variable"])
        if column is not None:
            hits = claims[(claims["passage_id"] == row["example_passage_id"]) & (claims[column] == row["category"])]
            if len(hits):
                return hits["quote"].iloc[0]
        words = texts.get(row["example_passage_id"], "").split()
        return " ".join(words[:18]) + (" …" if len(words) > 18 else "")

    return pd.DataFrame(
        {
            "Variable": codebook["variable"],
            "Category": codebook["category"],
            "Definition": codebook["definition"],
            "Example passage": codebook["example_passage_id"],
            "Example": codebook.apply(example, axis=1),
        }
    )


def coding_coverage(passages: pd.DataFrame, claims: pd.DataFrame) -> pd.DataFrame:
    """Return, per coded section: passages to code, passages with a claim, and claims."""
    coded = passages[passages["section"].isin(CODED_SECTIONS) & passages["kind"].isin(CODED_KINDS)]
    per_passage = claims.groupby("passage_id").size()
    frame = coded.assign(claims=coded["passage_id"].map(per_passage).fillna(0).astype(int))
    return (
        frame.groupby("section", sort=False)
        .agg(passages=("passage_id", "size"), coded=("claims", lambda c: int((c > 0).sum())), claims=("claims", "sum"))
        .reset_index()
    )


def sha256_of(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def provenance_checks(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the provenance checks run on every build: what was checked, how many, problems found."""
    data_dir = paths.resolve_data_dir(data_dir)
    tables = load_tables(data_dir)
    problems = validate_tables(data_dir)
    recorded = (data_dir / "README.md").read_text(encoding="utf-8")
    raw_hash = sha256_of(paths.raw_source(data_dir))
    quoted = len(tables["claims"]) + len(tables["figures"])
    return pd.DataFrame(
        [
            {"check": "raw text's SHA-256 equals the one recorded in data/README.md",
             "checked": 1, "problems": int(raw_hash not in recorded)},
            {"check": "passages table equals the source model (ids, offsets, text)",
             "checked": len(tables["passages"]), "problems": sum(p.file.startswith("passages") for p in problems)},
            {"check": "quotes (claims and figures) found verbatim at their passage's offsets",
             "checked": quoted, "problems": sum("quote" == (p.column or "") for p in problems)},
            {"check": "all tables valid against data/datapackage.json (types, allowed values, keys)",
             "checked": sum(len(t) for t in tables.values()), "problems": len(problems)},
        ]
    )
