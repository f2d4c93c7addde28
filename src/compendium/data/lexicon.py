"""Actor mentions computed from the lexicon in data/actors.csv, never typed by hand.

Each actor's ``terms`` are semicolon-separated regular expressions, matched case-insensitively
as whole words: a match may not be preceded or followed by a letter, digit or underscore, so
"UN" does not match inside "UNSG" or "unmet". Terms are tried in the order written, so the
lexicon lists a longer term ("UN/UN agencies") before its parts ("UN"), and it counts once.
"""

from __future__ import annotations

import re

import pandas as pd

TERM_SEPARATOR = ";"
MENTION_COLUMNS = ["passage_id", "section", "actor_id", "mentions", "excerpt"]
_SENTENCE_END = re.compile(r"(?<=[.;?!])\s+")


def split_terms(terms: str) -> list[str]:
    """Return the non-empty terms of a semicolon-separated ``terms`` cell."""
    return [t.strip() for t in str(terms).split(TERM_SEPARATOR) if t.strip()]


def term_pattern(terms: str) -> re.Pattern[str]:
    """Return one case-insensitive whole-word pattern for all ``terms``; raise re.error if one is invalid."""
    parts = split_terms(terms)
    for part in parts:
        re.compile(part)  # name the bad term, not the combined pattern, in the error
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


def actor_patterns(actors: pd.DataFrame) -> dict[str, re.Pattern[str]]:
    """Return {actor_id: compiled pattern} for every row of the actors table."""
    return {row.actor_id: term_pattern(row.terms) for row in actors.itertuples(index=False)}


def count_mentions(text: str, pattern: re.Pattern[str]) -> int:
    """Return how many non-overlapping matches of ``pattern`` occur in ``text``."""
    return sum(1 for _ in pattern.finditer(text))


def actors_named(text: str, patterns: dict[str, re.Pattern[str]]) -> list[str]:
    """Return the ids of the actors named in ``text``, in lexicon order."""
    return [actor_id for actor_id, pattern in patterns.items() if pattern.search(text)]


def first_mention(text: str, pattern: re.Pattern[str]) -> str:
    """Return the sentence of ``text`` in which ``pattern`` first matches ('' when it does not)."""
    for sentence in _SENTENCE_END.split(text):
        if pattern.search(sentence):
            return sentence
    return ""


def actor_mentions(passages: pd.DataFrame, actors: pd.DataFrame, keep_zeros: bool = False) -> pd.DataFrame:
    """Return mentions per passage and actor (long form): passage_id, section, actor_id, mentions,
    and the sentence of the first mention (a verbatim excerpt of the passage)."""
    patterns = actor_patterns(actors)
    rows = [
        (p.passage_id, p.section, actor_id, count_mentions(p.text, pattern), first_mention(p.text, pattern))
        for p in passages.itertuples(index=False)
        for actor_id, pattern in patterns.items()
    ]
    frame = pd.DataFrame(rows, columns=MENTION_COLUMNS).astype({"mentions": "int64"})
    return frame if keep_zeros else frame.loc[frame["mentions"] > 0].reset_index(drop=True)


def actor_mentions_by_section(passages: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Return total mentions per section and actor, zeros included, sections in document order."""
    mentions = actor_mentions(passages, actors, keep_zeros=True)
    order = list(dict.fromkeys(passages["section"]))
    return (
        mentions.groupby(["section", "actor_id"], sort=False, as_index=False)["mentions"]
        .sum()
        .assign(section=lambda f: pd.Categorical(f["section"], categories=order))
        .sort_values(["section"], kind="stable")
        .reset_index(drop=True)
    )
