"""Shared analysis frames: crafted frames with known answers, then the real data."""

from __future__ import annotations

import pandas as pd
import pytest

from compendium.analysis import (
    AGREEMENT_ORDER,
    agreement_counts,
    claim_types_by_cluster,
    meeting_stance,
    mentions_by_cluster,
    stance_by_issue,
    survey_vs_meeting,
    words_by_section,
)


def claims_frame(rows):
    return pd.DataFrame(rows, columns=["claim_id", "passage_id", "quote", "section", "issue_id", "claim_type", "un_stance"])


ISSUES = pd.DataFrame(
    {
        "issue_id": ["a", "b", "c", "d"],
        "label": ["Issue A", "Issue B", "Issue C", "Issue D"],
        "cluster": [1, 2, 3, 4],
        "survey_label": ["A", "B", "C", "D"],
    }
)


@pytest.mark.parametrize(
    ("stances", "expected"),
    [
        (["no-position"], "no-position"),
        (["un-should-lead", "no-position", "no-position"], "un-should-lead"),
        (["un-not-well-placed", "un-not-well-placed", "un-should-lead"], "un-not-well-placed"),
        # a tie goes to the more UN-centred stance
        (["un-not-well-placed", "un-should-convene-support"], "un-should-convene-support"),
    ],
)
def test_meeting_stance(stances, expected):
    assert meeting_stance(pd.Series(stances)) == expected


def test_stance_by_issue_marks_undiscussed_issues():
    claims = claims_frame(
        [
            ("x#1", "cluster-1/p1", "q1", "cluster-1", "a", "finding", "no-position"),
            ("x#2", "cluster-1/p2", "q2", "cluster-1", "a", "recommendation", "un-should-lead"),
        ]
    )
    frame = stance_by_issue(claims, ISSUES).set_index("issue_id")
    assert frame.loc["a", "meeting_stance"] == "un-should-lead"
    assert frame.loc["a", "passage_id"] == "cluster-1/p2" and frame.loc["a", "quote"] == "q2"
    assert frame.loc["a", "claims"] == 2
    assert frame.loc["b", "meeting_stance"] == "not-discussed" and frame.loc["b", "claims"] == 0


def test_survey_vs_meeting_agreement_rules():
    claims = claims_frame(
        [
            ("1", "p", "q", "cluster-1", "a", "finding", "un-should-lead"),
            ("2", "p", "q", "cluster-2", "b", "finding", "un-not-well-placed"),
            ("3", "p", "q", "cluster-3", "c", "finding", "un-should-convene-support"),
        ]
    )
    best = pd.DataFrame(
        {
            "issue_id": ["a", "b", "b", "c", "d"],
            "issue_label": ["A", "B", "B", "C", "D"],
            "actor_id": ["un-system", "think-tanks", "un-system", "civil-society", "un-system"],
            "actor_label": ["UN/UN agencies", "Think tanks", "UN/UN agencies", "CSOs", "UN/UN agencies"],
            "passage_id": ["annex-a/r1", "annex-a/r2", "annex-a/r2", "annex-a/r3", "annex-a/r4"],
        }
    )
    frame = survey_vs_meeting(claims, ISSUES, best).set_index("issue_id")
    assert frame["agreement"].to_dict() == {
        "a": "agree",  # UN should lead; survey names the UN
        "b": "disagree",  # UN not well placed; survey names the UN among others
        "c": "partly agree",  # UN convenes; survey names civil society
        "d": "no meeting position",  # not discussed
    }
    assert frame.loc["b", "survey_actors"] == "Think tanks / UN/UN agencies"
    counts = agreement_counts(frame.reset_index())
    assert list(counts["agreement"]) == AGREEMENT_ORDER
    assert counts["issues"].tolist() == [1, 1, 1, 1]


def test_claim_types_by_cluster_counts_claims_and_lists_passages():
    claims = claims_frame(
        [
            ("1", "cluster-1/p1", "q", "cluster-1", "a", "finding", "no-position"),
            ("2", "cluster-1/p2", "q", "cluster-1", "a", "finding", "no-position"),
            ("3", "key-findings/b1", "q", "key-findings", "a", "diagnosis", "no-position"),
        ]
    )
    frame = claim_types_by_cluster(claims).set_index(["part", "claim_type"])
    assert frame.loc[("cluster 1", "finding"), "claims"] == 2
    assert frame.loc[("cluster 1", "finding"), "passages"] == "cluster-1/p1, cluster-1/p2"
    assert frame.loc[("key-findings", "diagnosis"), "claims"] == 1


def test_mentions_by_cluster_fills_zeros_and_ignores_other_sections():
    mentions = pd.DataFrame(
        {
            "passage_id": ["cluster-1/p1", "cluster-1/p2", "key-findings/b1"],
            "section": ["cluster-1", "cluster-1", "key-findings"],
            "actor_id": ["un-system", "un-system", "un-system"],
            "mentions": [2, 1, 5],
        }
    )
    actors = pd.DataFrame({"actor_id": ["un-system", "ifis"], "label": ["UN", "IFIs"]})
    frame = mentions_by_cluster(mentions, actors)
    assert len(frame) == 8  # 4 clusters x 2 actors
    row = frame[(frame["cluster"] == 1) & (frame["actor_id"] == "un-system")].iloc[0]
    assert row["mentions"] == 3 and row["passages"] == "cluster-1/p1, cluster-1/p2" and row["actor"] == "UN"
    assert frame["mentions"].sum() == 3


def test_words_by_section_on_the_real_document(document):
    frame = words_by_section(document)
    assert frame["words"].sum() == sum(len(b.plain.split()) for b in document.blocks)
    assert frame["share"].sum() == pytest.approx(1.0)
    assert list(frame["section"])[0] == "opening"
