"""Shared analysis frames: crafted frames with known answers, then the real data."""

from __future__ import annotations

import pandas as pd
import pytest

from compendium.analysis import (
    AGREEMENT_ORDER,
    NOT_DISCUSSED,
    RICHEST_SUBJECT,
    agreement_counts,
    appeal_readings,
    appeal_rise,
    cluster_claims,
    cluster_estimates,
    cluster_issue_ids,
    comparison_for_clusters,
    comparison_for_issues,
    consultation_date,
    dated_events,
    finding_sections,
    issue_positions,
    issue_stance_counts,
    meeting_stance,
    mentions_by_cluster,
    richest_counts,
    stance_by_issue,
    survey_issues,
    survey_vs_meeting,
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


# -- one cluster's issues, stances and survey comparison -------------------------------------------

CLUSTER_ISSUES = pd.DataFrame(
    {
        "issue_id": ["a", "b", "c", "z"],
        "label": ["Issue A", "Issue B", "Issue C", "Elsewhere"],
        "cluster": pd.array([3, 3, 3, 4], dtype="Int64"),
        "survey_label": ["A", "", "", "Z"],
    }
)
CLUSTER_BEST_PLACED = pd.DataFrame(
    {"issue_id": ["a", "a", "z"], "actor_label": ["CSOs", "UN/UN agencies", "Think tanks"],
     "actor_id": ["civil-society", "un-system", "think-tanks"]}
)
CLUSTER_CLAIMS = claims_frame(
    [
        ("k#1", "key-findings/b2", "gap b", "key-findings", "b", "diagnosis", "un-should-lead"),
        ("a#1", "cluster-3/p1", "qa1", "cluster-3", "a", "finding", "no-position"),
        ("a#2", "cluster-3/p1", "qa2", "cluster-3", "a", "recommendation", "un-should-convene-support"),
        ("b#1", "cluster-3/p2", "qb1", "cluster-3", "b", "diagnosis", "no-position"),
    ]
)


def test_cluster_issue_ids_keeps_table_order_and_filters(tables):
    every = cluster_issue_ids(tables["issues"], 3)
    assert every == ["illicit-globalization", "illicit-flows", "migration", "maritime-security", "drug-control",
                     "modern-slavery", "informal-economies"]
    assert cluster_issue_ids(tables["issues"], 3, ["drug-control", "migration"]) == ["migration", "drug-control"]
    assert cluster_issue_ids(CLUSTER_ISSUES, 3) == ["a", "b", "c"]


@pytest.mark.parametrize("chosen, named", [(["r2p"], "r2p"), (["migration", "nope"], "nope"), (["z"], "z")])
def test_cluster_issue_ids_rejects_issues_outside_the_cluster(tables, chosen, named):
    frame = CLUSTER_ISSUES if chosen == ["z"] else tables["issues"]
    with pytest.raises(ValueError, match=f"not a cluster 3 issue: {named}.*valid:"):
        cluster_issue_ids(frame, 3, chosen)


def test_cluster_claims_keeps_the_clusters_own_claims(tables):
    claims = pd.DataFrame({"claim_id": ["x", "y", "z"], "cluster": pd.array([1, 2, None], dtype="Int64")})
    assert cluster_claims(claims, 1)["claim_id"].tolist() == ["x"]
    real = cluster_claims(tables["claims"], 2)
    assert len(real) and set(real["cluster"]) == {2} and real.index.tolist() == list(range(len(real)))


def test_issue_positions_on_crafted_frames():
    frame = issue_positions(CLUSTER_CLAIMS, CLUSTER_ISSUES, CLUSTER_BEST_PLACED, ["a", "b", "c"]).set_index("issue_id")
    assert list(frame.index) == ["a", "b", "c"]
    assert frame.loc["a", "stance_label"] == "UN should convene or support" and frame.loc["a", "quote"] == "qa2"
    assert frame.loc["a", "surveyed"] and frame.loc["a", "survey_actors"] == "CSOs / UN/UN agencies"
    # b's only positioned claim is in the key findings; the survey did not ask about it
    assert frame.loc["b", "stance_label"] == "UN should lead" and frame.loc["b", "passage_id"] == "key-findings/b2"
    assert not frame.loc["b", "surveyed"] and frame.loc["b", "survey_actors"] == ""
    assert frame.loc["c", "stance_label"] == NOT_DISCUSSED and frame.loc["c", "claims"] == 0


def test_issue_positions_on_the_real_data(tables, best_placed):
    ids = cluster_issue_ids(tables["issues"], 3)
    frame = issue_positions(tables["claims"], tables["issues"], best_placed, ids).set_index("issue_id")
    assert frame.loc["modern-slavery", "meeting_stance"] == "un-should-lead"
    assert frame.loc["modern-slavery", "passage_id"] == "key-findings/b2"
    assert frame.loc["informal-economies", "meeting_stance"] == "un-not-well-placed"
    assert frame.loc["informal-economies", "passage_id"] == "cluster-3/p7"
    assert frame.loc["maritime-security", "stance_label"] == "Not discussed"
    assert frame.loc["illicit-flows", "meeting_stance"] == "un-should-convene-support"
    assert set(frame.index[~frame["surveyed"]]) == {"illicit-globalization", "modern-slavery", "informal-economies"}
    assert frame.loc["drug-control", "survey_actors"] == "Think tanks"


def test_comparison_for_issues_keeps_the_chosen_issues_of_the_shared_frame(tables, best_placed):
    every = survey_vs_meeting(tables["claims"], tables["issues"], best_placed)
    comparison = comparison_for_issues(every, cluster_issue_ids(tables["issues"], 3))
    agreement = dict(zip(comparison["issue_id"], comparison["agreement"]))
    assert agreement == {"migration": "disagree", "illicit-flows": "partly agree",
                         "maritime-security": "no meeting position", "drug-control": "disagree"}
    assert not comparison["survey_includes_un"].any()
    assert comparison.index.tolist() == [0, 1, 2, 3]


def test_comparison_for_clusters():
    comparison = pd.DataFrame({"issue_label": ["R2P", "Drones"], "cluster": [1, 2], "agreement": ["agree", "disagree"]})
    assert list(comparison_for_clusters(comparison, [1])["issue_label"]) == ["R2P"]
    assert len(comparison_for_clusters(comparison, [])) == 2


def test_real_survey_comparison_marks_undiscussed_issues(tables, best_placed):
    every = survey_vs_meeting(tables["claims"], tables["issues"], best_placed)
    cluster = comparison_for_clusters(every, [2]).set_index("issue_id")
    assert set(cluster.index) == {"nuclear-proliferation", "info-privacy-cybersecurity", "drones"}
    assert cluster.loc["nuclear-proliferation", "meeting_stance"] == "not-discussed"
    silent = every.loc[every["meeting_stance"] == "not-discussed", "issue_id"]
    assert set(silent) == {"nuclear-proliferation", "maritime-security"}


def test_issue_stance_counts_counts_per_issue_and_stance_in_issue_order():
    claims = pd.DataFrame(
        [
            ("x#1", "cluster-1/p1", "q1", 1, "b", "no-position"),
            ("x#2", "cluster-1/p2", "q2", 1, "a", "un-should-lead"),
            ("x#3", "cluster-1/p3", "q3", 1, "a", "no-position"),
            ("x#4", "cluster-1/p3", "q4", 1, "a", "un-should-lead"),
            ("y#1", "cluster-2/p1", "q5", 2, "a", "un-should-lead"),
        ],
        columns=["claim_id", "passage_id", "quote", "cluster", "issue_id", "un_stance"],
    )
    issues = pd.DataFrame({"issue_id": ["a", "b"], "label": ["Issue A", "Issue B"]})
    counts = issue_stance_counts(claims, issues, 1)
    assert list(zip(counts["issue"], counts["stance_label"], counts["claims"])) == [
        ("Issue A", "UN should lead", 2), ("Issue A", "No position", 1), ("Issue B", "No position", 1)]
    assert counts.loc[0, "passages"] == "cluster-1/p2, cluster-1/p3" and counts.loc[0, "quotes"] == "q2 / q4"
    assert counts["order"].tolist() == [0, 0, 1]


def test_consultation_date_from_the_figures_table(tables):
    assert consultation_date(tables["figures"]) == pd.Timestamp("2015-05-07")
    assert consultation_date(pd.DataFrame({"figure_id": ["d"], "date": ["2020-12-31"]}), "d") == pd.Timestamp("2020-12-31")


def context_frame(rows):
    frame = pd.DataFrame(rows, columns=["context_id", "kind", "subject", "label", "year", "date"])
    return frame.assign(year=frame["year"].astype("Int64"), date=pd.to_datetime(frame["date"]))


EVENTS = context_frame([
    ("m1", "event", "milestones", "Outcome", 2005, None),
    ("c1", "event", "cases", "A city is taken", 2014, "2014-06-10"),
    ("c2", "event", "cases", "An invasion begins", 2003, "2003-03-20"),
    ("q1", "quantity", "milestones", "a count, not an event", 2015, None),
    ("o1", "event", "other", "another chapter's event", 2000, "2000-09-08"),
])


def test_dated_events_span_a_day_or_a_whole_year_sorted_by_date():
    events = dated_events(EVENTS, ["cases", "milestones"]).set_index("context_id")
    assert list(events.index) == ["c2", "m1", "c1"]  # the quantity and the other subject are left out
    assert (events.loc["m1", "start"], events.loc["m1", "end"]) == (pd.Timestamp("2005-01-01"), pd.Timestamp("2005-12-31"))
    assert events.loc["m1", "precision"] == "year only" and events.loc["m1", "when"] == "2005 (year only)"
    assert events.loc["c1", "start"] == events.loc["c1", "end"] == pd.Timestamp("2014-06-10")
    assert events.loc["c1", "precision"] == "day" and events.loc["c1", "when"] == "10 Jun 2014"
    assert events.loc["c2", "label"] == "An invasion begins"  # the context columns are kept


def test_dated_events_of_no_subject_is_empty_with_its_columns():
    events = dated_events(EVENTS, [])
    assert events.empty and {"start", "end", "precision", "when"} <= set(events.columns)
    assert list(dated_events(EVENTS, ["cases"])["context_id"]) == ["c2", "c1"]


def test_dated_events_on_the_real_context(tables):
    events = dated_events(tables["context"], ["R2P milestones", "events named as weakening R2P"])
    assert events["start"].is_monotonic_increasing and (events["start"] <= events["end"]).all()
    assert set(events.loc[events["date"].isna(), "precision"]) == {"year only"}
    assert (events["start"].dt.year == events["year"]).all()


# -- published figures: estimates, the appeals in the claims ledger, Oxfam's counts ----------------


def ledger_frame(rows):
    columns = ["ledger_id", "figure_id", "source_value", "source_date", "unit", "year", "measure", "publisher",
               "document", "confidence", "verdict", "note"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(year=frame["year"].astype("Int64"))


APPEALS = ledger_frame(
    [
        ("rise/1", "rise", 2.0, None, "USD bn", 2000, "appeal requirements", "UN", "Yearbook", "second-hand", "supported", ""),
        ("rise/2", "rise", 1.0, None, "USD bn", 2000, "funding received", "UN", "Yearbook", "second-hand", "supported", ""),
        ("rise/3", "rise", 10.0, None, "USD bn", 2014, "appeal requirements", "OCHA", "Launch", "direct", "supported", ""),
        ("rise/4", "rise", 12.0, None, "USD bn", 2014, "requirements of appeals", "DI", "GHA", "direct", "supported", ""),
        ("rise/5", "rise", 3.0, None, "USD bn", 2014, "Funding Received", "OCHA", "Launch", "direct", "supported", ""),
        ("rise/6", "rise", 6.0, None, "times the 2004 requirement", None, "sixfold", "OCHA", "Trends", "not-rated",
         "supported-different-measure", ""),
        ("rise/7", "rise", 4.0, None, "USD bn", 2007, "appeal requirements", "UN", "Yearbook", "direct", "supported", ""),
        ("other/1", "other", 99.0, None, "USD bn", 2014, "appeal requirements", "X", "Y", "direct", "supported", ""),
    ]
)


def test_appeal_readings_keep_the_two_years_in_usd_bn():
    readings = appeal_readings(APPEALS, 2000, 2014, figure_id="rise")
    assert readings["ledger_id"].tolist() == ["rise/1", "rise/2", "rise/3", "rise/4", "rise/5"]


def test_appeal_rise_compares_each_end_reading_with_the_base():
    rise = appeal_rise(APPEALS, "requirements", 2000, 2014, figure_id="rise")
    assert rise["comparison"].tolist() == ["OCHA, 2014", "DI, 2014"]
    assert rise["rise_pct"].tolist() == [400.0, 500.0] and rise["times"].tolist() == [5.0, 6.0]
    assert rise["base_source"].tolist() == ["UN, Yearbook"] * 2
    received = appeal_rise(APPEALS, "received", 2000, 2014, figure_id="rise")  # matched whatever its case
    assert received["rise_pct"].tolist() == [200.0] and received["base_value"].tolist() == [1.0]


@pytest.mark.parametrize(
    "measure, base, end, message",
    [
        ("costs", 2000, 2014, "unknown appeal measure 'costs'; valid: requirements, received"),
        ("requirements", 1999, 2014, "need one 1999 reading and at least one 2014 reading"),
        ("requirements", 2000, 2013, "found 1 and 0"),
        ("received", 2007, 2014, "found 0 and 1"),
    ],
)
def test_appeal_rise_rejects_what_it_cannot_compute(measure, base, end, message):
    with pytest.raises(ValueError, match=message):
        appeal_rise(APPEALS, measure, base, end, figure_id="rise")


def test_appeal_rise_on_the_real_ledger(tables):
    rise = appeal_rise(tables["ledger"], "requirements", 2000, 2014)
    assert rise["end_value"].tolist() == [17.9, 19.5]
    assert rise["rise_pct"].round(1).tolist() == [831.3, 914.6]  # 17.9 / 1.922 and 19.5 / 1.922
    assert appeal_rise(tables["ledger"], "received", 2000, 2014)["rise_pct"].round(1).tolist() == [725.3]
    assert sorted(appeal_readings(tables["ledger"], 2000, 2014)["source_value"]) == [1.139, 1.922, 9.4, 17.9, 19.5]


def oxfam_context(documents: list[str], values: list[float]) -> pd.DataFrame:
    return pd.DataFrame({
        "subject": RICHEST_SUBJECT, "label": [f"count {n}" for n in range(len(values))], "value": values,
        "year": 2011, "publisher": "O", "document": documents, "confidence": "direct", "note": "",
    })


OXFAM_LEDGER = ledger_frame([("richest-people/1", "richest-people", 100.0, None, "people", 2010, "m", "O",
                              "paper, Jan 2010", "direct", "supported", ""),
                             ("richest-people/2", "richest-people", 1.7, None, "USD trn", 2010, "wealth", "O",
                              "paper, Jan 2010", "direct", "supported", "")])


def test_richest_counts_find_a_revision_from_the_year_a_document_names():
    counts = richest_counts(OXFAM_LEDGER, oxfam_context(["paper, Jan 2011", "paper, 20 Jan 2013"], [50.0, 20.0]))
    assert counts["people"].tolist() == [100.0, 50.0, 20.0]  # the ledger's count in people only
    assert counts["published"].tolist() == [2010, 2011, 2013]
    assert counts["revised"].tolist() == [False, False, True] and set(counts["method_change"]) == {2013}
    assert counts["series"].tolist() == ["Reports before 2013"] * 2 + ["2013 report's new data"]
    shown = richest_counts(OXFAM_LEDGER, oxfam_context(["paper, Jan 2011", "paper, Jan 2013"], [50.0, 20.0]),
                           show_revised=False)
    assert shown["people"].tolist() == [100.0, 50.0] and set(shown["method_change"]) == {2013}


@pytest.mark.parametrize("document", ["paper", "", None, "Briefing Paper 178"])
def test_richest_counts_without_a_year_in_the_document_take_the_year_counted(document):
    counts = richest_counts(OXFAM_LEDGER, oxfam_context([document], [50.0]))
    assert counts["published"].tolist() == [2010, 2011] and not counts["revised"].any()
    assert counts["method_change"].isna().all() and set(counts["series"]) == {"Oxfam reports"}


def test_richest_counts_on_the_real_data(tables):
    counts = richest_counts(tables["ledger"], tables["context"])
    assert list(zip(counts["year"], counts["people"])) == [(2014, 85), (2015, 80), (2016, 62), (2016, 9), (2017, 8)]
    assert counts["revised"].tolist() == [False, False, False, True, False]
    assert set(counts["method_change"]) == {2017}


def test_cluster_estimates_on_the_real_data(tables):
    subjects = ["modern slavery", "forced labour", "illicit financial flows from developing countries",
                "illicit drug use"]
    estimates = cluster_estimates(tables["context"], tables["claims"], 3, subjects)
    assert set(estimates["subject"]) == set(subjects)
    slavery = estimates.set_index("context_id").loc["slavery-2014"]
    assert (slavery["value"], slavery["unit"], slavery["publisher"], slavery["year"]) == (
        35.8, "million people", "Walk Free Foundation", 2014)
    assert slavery["meeting_says"] == "The issue of slavery lacks attention"
    only = cluster_estimates(tables["context"], tables["claims"], 3, ["illicit drug use"])
    assert set(only["publisher"]) == {"UNODC"} and len(only) == 3


@pytest.mark.parametrize("subjects, cluster", [(["nuclear warheads"], 3), (["modern slavery", "slavery"], 3),
                                               (["modern slavery"], 4)])
def test_cluster_estimates_rejects_unknown_subjects(tables, subjects, cluster):
    with pytest.raises(ValueError, match=f"no cluster {cluster} estimates on"):
        cluster_estimates(tables["context"], tables["claims"], cluster, subjects)


# -- the key findings and the sections that develop them ------------------------------------------


def test_finding_sections_orders_clusters_and_follows_cross_cutting_issues():
    rows = [
        # b1: one claim in cluster 4, two in cluster 2 -> cluster 2 first
        ("k/b1#1", "key-findings/b1", "key-findings", 4, "i4"),
        ("k/b1#2", "key-findings/b1", "key-findings", 2, "i2"),
        ("k/b1#3", "key-findings/b1", "key-findings", 2, "i2"),
        # b2: a tie, broken by the cluster named first
        ("k/b2#1", "key-findings/b2", "key-findings", 3, "i3"),
        ("k/b2#2", "key-findings/b2", "key-findings", 1, "i1"),
        # b3: cross-cutting; its issue returns in cluster 1 and the final remarks
        ("k/b3#1", "key-findings/b3", "key-findings", None, "lead"),
        ("c/p1#1", "cluster-1/p1", "cluster-1", 1, "lead"),
        ("f/p1#1", "final-remarks/p1", "final-remarks", None, "lead"),
        # b4: cross-cutting, and its issue returns nowhere else
        ("k/b4#1", "key-findings/b4", "key-findings", None, "alone"),
        # the lead-in paragraph is not a finding
        ("k/p1#1", "key-findings/p1", "key-findings", None, "x"),
    ]
    claims = pd.DataFrame(rows, columns=["claim_id", "passage_id", "section", "cluster", "issue_id"])
    frame = finding_sections(claims.assign(cluster=claims["cluster"].astype("Int64"))).set_index("passage_id")
    assert list(frame.index) == ["key-findings/b1", "key-findings/b2", "key-findings/b3", "key-findings/b4"]
    assert frame.loc["key-findings/b1", "sections"] == ["cluster-2", "cluster-4"]
    assert frame.loc["key-findings/b1", "clusters"] == [(2, 2), (4, 1)]
    assert frame.loc["key-findings/b2", "sections"] == ["cluster-3", "cluster-1"]
    assert frame.loc["key-findings/b3", "sections"] == ["cluster-1", "final-remarks"]
    assert frame.loc["key-findings/b3", "clusters"] == []
    assert frame.loc["key-findings/b4", "sections"] == []
    assert frame["via"].tolist() == ["cluster", "cluster", "issue", "issue"]


def test_finding_sections_of_no_finding_is_empty_with_its_columns():
    claims = pd.DataFrame({"claim_id": ["c"], "passage_id": ["cluster-1/p1"], "section": ["cluster-1"],
                           "cluster": [1], "issue_id": ["i"]})
    frame = finding_sections(claims)
    assert frame.empty and list(frame.columns) == ["passage_id", "clusters", "issues", "sections", "via"]


def test_finding_sections_on_the_real_claims(tables):
    frame = finding_sections(tables["claims"]).set_index("passage_id")
    assert frame["sections"].to_dict() == {
        "key-findings/b1": ["cluster-1", "cluster-4"],
        "key-findings/b2": ["cluster-3", "cluster-4"],
        "key-findings/b3": ["cluster-2"],
        "key-findings/b4": ["final-remarks"],
    }
    # every cluster develops at least one finding
    assert {f"cluster-{n}" for n in (1, 2, 3, 4)} <= {s for sections in frame["sections"] for s in sections}


def test_survey_issues_follow_the_annex_table(document, tables):
    from compendium.data.source import survey_table

    frame = survey_issues(document, tables["issues"])
    assert list(frame["issue_label"]) == list(survey_table(document)["issue_label"].unique())
    assert list(frame.columns) == ["issue_id", "issue_label", "label", "cluster", "passage_id", "answer"]
    for row in frame.itertuples():
        assert document.block(row.passage_id).text == f"{row.issue_label}\t{row.answer}"
    assert frame.set_index("issue_id").loc["disease-public-health", "answer"] == "CSOs, IFIs, and UN/UN agencies"
