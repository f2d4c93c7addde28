"""Tests for compendium.lexicon: actor mentions counted from the lexicon's terms."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from compendium.data import tables as data
from compendium.data import lexicon

ACTORS = pd.DataFrame(
    {
        "actor_id": ["secretary-general", "un-system", "member-states"],
        "terms": [
            "UN Secretary-General;Secretary-General;UNSG",
            r"UN/UN agencies;UN agencies;UN(?!\s+Secretary-General)",
            "member states",
        ],
    }
)
PASSAGES = pd.DataFrame(
    {
        "passage_id": ["s/p1", "s/p2", "t/p1"],
        "section": ["s", "s", "t"],
        "text": [
            "The UNSG met the UN. UN agencies and the UN Secretary-General; unmet needs, universal rights.",
            "Member states asked the UN's staff; UN/UN agencies.",
            "Nothing here: UNSG's role, not the un-system.",
        ],
    }
)


def test_actor_mentions_counts_a_crafted_frame():
    counts = lexicon.actor_mentions(PASSAGES, ACTORS)
    assert list(counts.columns) == ["passage_id", "section", "actor_id", "mentions", "excerpt"]
    got = {(r.passage_id, r.actor_id): r.mentions for r in counts.itertuples(index=False)}
    assert got == {
        ("s/p1", "secretary-general"): 2,  # "UNSG", "UN Secretary-General" (once)
        ("s/p1", "un-system"): 2,  # "UN.", "UN agencies"; not "unmet", "universal" or the SG's "UN"
        ("s/p2", "member-states"): 1,
        ("s/p2", "un-system"): 2,  # "UN's", "UN/UN agencies" (once)
        ("t/p1", "secretary-general"): 1,  # "UNSG's"
        ("t/p1", "un-system"): 1,  # "un-system": case-insensitive, hyphen is not a word character
    }


def test_keep_zeros_gives_the_full_grid():
    counts = lexicon.actor_mentions(PASSAGES, ACTORS, keep_zeros=True)
    assert len(counts) == len(PASSAGES) * len(ACTORS)
    assert counts["mentions"].dtype == "int64"
    assert counts["mentions"].sum() == lexicon.actor_mentions(PASSAGES, ACTORS)["mentions"].sum()


def test_mentions_by_section_sum_the_passages_in_document_order():
    by_section = lexicon.actor_mentions_by_section(PASSAGES, ACTORS)
    assert list(by_section["section"].unique()) == ["s", "t"]
    totals = by_section.set_index(["section", "actor_id"])["mentions"]
    assert totals[("s", "un-system")] == 4 and totals[("t", "member-states")] == 0


def test_input_frames_are_not_changed():
    before = PASSAGES.copy()
    lexicon.actor_mentions(PASSAGES, ACTORS)
    pd.testing.assert_frame_equal(PASSAGES, before)


def test_an_invalid_term_raises():
    with pytest.raises(re.error):
        lexicon.term_pattern("ok;broken(")


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_", min_size=1, max_size=8))
def test_un_never_matches_inside_a_word(affix):
    pattern = lexicon.term_pattern("UN")
    assert lexicon.count_mentions(f"{affix}UN {affix}", pattern) == 0
    assert lexicon.count_mentions(f"UN{affix}", pattern) == 0


@given(st.integers(min_value=0, max_value=20), st.sampled_from([" ", ", ", "; ", " and the ", "'s "]))
def test_separated_terms_are_each_counted(n, separator):
    assert lexicon.count_mentions(separator.join(["UN"] * n), lexicon.term_pattern("UN")) == n


# -- the real lexicon ------------------------------------------------------------------


@pytest.fixture(scope="module")
def mentions() -> pd.DataFrame:
    return lexicon.actor_mentions(data.load_passages(), data.load_actors())


def count(mentions: pd.DataFrame, passage_id: str, actor_id: str) -> int:
    hit = mentions.loc[(mentions["passage_id"] == passage_id) & (mentions["actor_id"] == actor_id), "mentions"]
    return int(hit.sum())


def test_unsg_counts_for_the_secretary_general_not_the_un_system(mentions):
    # "the next UN Secretary-General (UNSG)" ... "does the UNSG have a role"
    assert count(mentions, "opening/p1", "secretary-general") == 3
    assert count(mentions, "opening/p1", "un-system") == 0
    assert count(mentions, "cluster-3/p1", "secretary-general") == 1
    assert count(mentions, "cluster-3/p1", "un-system") == 0


def test_survey_table_cells_count_once_per_actor(mentions):
    assert count(mentions, "annex-a/r4", "un-system") == 1  # "UN/UN agencies"
    in_r5 = set(mentions.loc[mentions["passage_id"] == "annex-a/r5", "actor_id"])
    assert in_r5 == {"civil-society", "ifis", "un-system"}
    assert count(mentions, "annex-a/r7", "united-states") == 1
    assert count(mentions, "annex-a/r7", "states") == 0


def test_overlapping_state_terms_go_to_the_specific_actor(mentions):
    assert count(mentions, "cluster-2/p3", "member-states") == 1
    assert count(mentions, "cluster-1/p2", "non-compliant-states") == 1
    assert count(mentions, "cluster-1/p2", "states") == 1  # "states' own populations" only
    assert count(mentions, "cluster-3/p7", "developing-countries") == 1
    assert count(mentions, "cluster-3/p7", "states") == 0


def test_every_actor_in_the_lexicon_is_named_somewhere(mentions):
    assert set(data.load_actors()["actor_id"]) == set(mentions["actor_id"])


def test_first_mention_is_the_sentence_that_names_the_actor():
    from compendium.data.lexicon import first_mention, term_pattern

    text = "States act alone. The UNSG can convene others; nobody else will. Then the UN acts."
    assert first_mention(text, term_pattern("UNSG;Secretary-General")) == "The UNSG can convene others;"
    assert first_mention(text, term_pattern("IFIs")) == ""


def test_excerpts_are_verbatim_in_their_passages():
    from compendium.data.tables import load_tables
    from compendium.data.lexicon import actor_mentions

    tables = load_tables()
    mentions = actor_mentions(tables["passages"], tables["actors"])
    texts = tables["passages"].set_index("passage_id")["text"]
    assert (mentions["excerpt"] != "").all()
    assert all(row.excerpt in texts[row.passage_id] for row in mentions.itertuples())
