"""Shared analysis frames: crafted frames with known answers, then the real data."""

from __future__ import annotations

import pandas as pd
import pytest

from compendium.analysis import (
    RICHEST_SUBJECT,
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
    issue_coverage,
    mentions_by_cluster,
    richest_counts,
    sentences_on_issues,
    survey_beside_meeting,
    survey_issues,
    who_acts,
)

SENTENCE = ["claim_id", "passage_id", "quote", "section", "cluster", "issue_id", "modality", "acts", "role"]


def claims_frame(rows):
    frame = pd.DataFrame(rows, columns=SENTENCE)
    return frame.assign(cluster=frame["cluster"].astype("Int64"))


def items_frame(rows):
    return pd.DataFrame(rows, columns=["claim_id", "item", "text", "issue_id"])


ISSUES = pd.DataFrame(
    {
        "issue_id": ["a", "b", "c", "d"],
        "label": ["Issue A", "Issue B", "Issue C", "Issue D"],
        "cluster": pd.array([1, 2, 3, 3], dtype="Int64"),
        "surveyed": [True, True, True, False],
        "survey_label": ["A", "B", "C", ""],
    }
)
# Four sentences: two coded to issue a, one to b whose list also names c, one general whose list names a.
CLAIMS = claims_frame(
    [
        ("k#1", "key-findings/b2", "These include a, c and d.", "key-findings", None, "g", "asserted", "none", "none"),
        ("a#1", "cluster-1/p1", "The UN may not be well placed on a.", "cluster-1", 1, "a", "hedged", "un-system",
         "limited"),
        ("a#2", "cluster-1/p2", "Could the UN work more on a?", "cluster-1", 1, "a", "question", "un-system", "to-act"),
        ("b#1", "cluster-2/p1", "States resist on b, such as c.", "cluster-2", 2, "b", "asserted", "member-states",
         "resists"),
    ]
)
ITEMS = items_frame([("k#1", 1, "a", "a"), ("k#1", 2, "c", "c"), ("k#1", 3, "d", "d"), ("b#1", 1, "c", "c"),
                     ("a#1", 1, "a", "a")])
# The survey in its own (annex) order: c before a; b is asked and discussed; d is not asked.
SURVEY = pd.DataFrame(
    {
        "issue_id": ["c", "a", "b"],
        "issue_label": ["C", "A", "B"],
        "label": ["Issue C", "Issue A", "Issue B"],
        "cluster": [3, 1, 2],
        "passage_id": ["annex-a/r1", "annex-a/r2", "annex-a/r3"],
        "answer": ["CSOs, IFIs, and UN/UN agencies", "Think tanks", "United States"],
    }
)


def test_sentences_on_issues_takes_coded_claims_and_the_claims_whose_list_names_the_issue():
    frame = sentences_on_issues(CLAIMS, ITEMS, ISSUES)
    assert list(zip(frame["issue_id"], frame["claim_id"], frame["via"])) == [
        ("a", "k#1", "item"), ("a", "a#1", "claim"), ("a", "a#2", "claim"),  # a#1's own item does not repeat it
        ("b", "b#1", "claim"),
        ("c", "k#1", "item"), ("c", "b#1", "item"),
        ("d", "k#1", "item"),
    ]
    first = frame.iloc[0]
    assert first["items"] == "a" and first["quote"] == "These include a, c and d." and first["issue"] == "Issue A"
    assert frame.loc[frame["claim_id"] == "a#1", "modality"].tolist() == ["hedged"]
    assert sentences_on_issues(CLAIMS, ITEMS, ISSUES, ["b"])["claim_id"].tolist() == ["b#1"]


def test_survey_beside_meeting_sets_both_answers_side_by_side_without_a_score():
    claims = CLAIMS[CLAIMS["claim_id"] != "k#1"]  # so that issue c is only named in b#1's list
    frame = survey_beside_meeting(claims, ITEMS, ISSUES, SURVEY)
    assert list(frame["issue_id"]) == ["c", "a", "a", "b"]  # the annex's order; one row per sentence
    assert frame.loc[0, "survey_answer"] == "CSOs, IFIs, and UN/UN agencies"  # as written
    assert frame.loc[0, "via"] == "item" and frame.loc[0, "items"] == "c" and frame.loc[0, "quote"].startswith("States")
    a = frame[frame["issue_id"] == "a"]
    assert a["quote"].tolist() == ["The UN may not be well placed on a.", "Could the UN work more on a?"]
    assert a["modality_label"].tolist() == ["Hedged", "Question"] and set(a["sentences"]) == {2}
    assert a["acts_label"].tolist() == ["UN system", "UN system"]
    assert not any("agree" in c or "score" in c or "stance" in c for c in frame.columns)


def test_survey_beside_meeting_marks_an_issue_the_meeting_did_not_discuss():
    claims = CLAIMS[CLAIMS["claim_id"].isin(["a#1"])]
    frame = survey_beside_meeting(claims, ITEMS[ITEMS["claim_id"] == "a#1"], ISSUES, SURVEY).set_index("issue_id")
    assert list(frame.index) == ["c", "a", "b"]
    assert not frame.loc["c", "discussed"] and frame.loc["c", "sentences"] == 0 and frame.loc["c", "quote"] == ""
    assert frame.loc["a", "discussed"] and frame.loc["a", "claim_id"] == "a#1"
    assert frame.loc["b", "survey_answer"] == "United States" and frame.loc["b", "modality"] == ""


def test_survey_beside_meeting_on_the_real_data(tables, document):
    frame = survey_beside_meeting(tables["claims"], tables["claim_items"], tables["issues"],
                                  survey_issues(document, tables["issues"]))
    issues = frame.drop_duplicates("issue_id").set_index("issue_id")
    assert len(issues) == 11
    assert set(issues.index[~issues["discussed"]]) == {"nuclear-proliferation", "maritime-security"}
    assert issues.loc["drones", "survey_answer"] == "Regional organizations and UN/UN agencies"
    drones = frame[frame["issue_id"] == "drones"]
    assert drones["claim_id"].tolist() == ["cluster-2/p3#2"] and drones["modality"].tolist() == ["hedged"]
    assert drones["acts"].tolist() == ["member-states"]  # the market leaders, not the UN
    # every quoted sentence is the claim's own, word for word
    quotes = tables["claims"].set_index("claim_id")["quote"]
    said = frame[frame["discussed"]]
    assert (said["quote"] == said["claim_id"].map(quotes)).all()


def test_issue_coverage_counts_the_sentences_on_each_issue():
    frame = issue_coverage(CLAIMS, ITEMS, ISSUES).set_index("issue_id")
    assert frame["sentences"].to_dict() == {"a": 3, "b": 1, "c": 2, "d": 1}
    assert frame["discussed"].all() and frame["surveyed"].tolist() == [True, True, True, False]
    quiet = issue_coverage(CLAIMS[CLAIMS["claim_id"] == "a#2"], ITEMS.iloc[:0], ISSUES).set_index("issue_id")
    assert quiet["discussed"].to_dict() == {"a": True, "b": False, "c": False, "d": False}


def test_who_acts_counts_by_actor_and_modality_in_the_descriptors_order():
    frame = who_acts(CLAIMS)
    assert list(zip(frame["acts"], frame["modality"], frame["claims"])) == [
        ("un-system", "hedged", 1), ("un-system", "question", 1), ("member-states", "asserted", 1),
        ("none", "asserted", 1)]
    assert frame.loc[0, "acts_label"] == "UN system" and frame.loc[0, "quotes"] == "The UN may not be well placed on a."
    assert frame.loc[1, "modality_label"] == "Question"


def test_who_acts_keeps_the_secretary_general_apart_on_the_real_data(tables):
    frame = who_acts(tables["claims"])
    assert frame["claims"].sum() == len(tables["claims"])
    by_actor = frame.groupby("acts")["claims"].sum()
    assert by_actor["secretary-general"] > 0 and by_actor["un-system"] > 0 and by_actor["member-states"] > 0
    assert "cluster-1/p3#2" in frame.set_index(["acts", "modality"]).loc[("secretary-general", "asserted"), "claim_ids"]


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


# -- one cluster's issues and the survey beside the meeting ------------------------------------------

CLUSTER_ISSUES = pd.DataFrame(
    {
        "issue_id": ["a", "b", "c", "z"],
        "label": ["Issue A", "Issue B", "Issue C", "Elsewhere"],
        "cluster": pd.array([3, 3, 3, 4], dtype="Int64"),
        "survey_label": ["A", "", "", "Z"],
    }
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


def test_cluster_claims_can_add_the_claims_whose_list_names_a_cluster_issue():
    frame = cluster_claims(CLAIMS, 3, ITEMS, ISSUES)
    # no claim is coded to cluster 3, but the key finding's list and b#1's list name its issues c and d
    assert list(zip(frame["claim_id"], frame["via"])) == [("k#1", "item"), ("b#1", "item")]
    own = cluster_claims(CLAIMS, 1, ITEMS, ISSUES)
    assert list(zip(own["claim_id"], own["via"])) == [("k#1", "item"), ("a#1", "cluster"), ("a#2", "cluster")]


def test_cluster_claims_on_the_real_data_reach_the_key_findings_list(tables):
    frame = cluster_claims(tables["claims"], 3, tables["claim_items"], tables["issues"]).set_index("claim_id")
    assert frame.loc["key-findings/b2#2", "via"] == "item"  # "These include illicit financial flows, migration, …"
    assert (frame.loc[frame["via"] == "cluster", "cluster"] == 3).all()


def test_comparison_for_issues_keeps_the_chosen_issues_of_the_shared_frame(tables, document):
    every = survey_beside_meeting(tables["claims"], tables["claim_items"], tables["issues"],
                                  survey_issues(document, tables["issues"]))
    chosen = comparison_for_issues(every, cluster_issue_ids(tables["issues"], 3))
    assert list(dict.fromkeys(chosen["issue_id"])) == ["migration", "illicit-flows", "maritime-security", "drug-control"]
    assert chosen.index.tolist() == list(range(len(chosen)))


def test_comparison_for_clusters():
    frame = pd.DataFrame({"issue_label": ["R2P", "Drones"], "cluster": [1, 2]})
    assert list(comparison_for_clusters(frame, [1])["issue_label"]) == ["R2P"]
    assert len(comparison_for_clusters(frame, [])) == 2


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


def test_finding_sections_count_the_issues_a_bullets_list_names():
    claims = pd.DataFrame({"claim_id": ["k/b1#1", "k/b1#2"], "passage_id": ["key-findings/b1"] * 2,
                           "section": ["key-findings"] * 2, "cluster": pd.array([None, 4], dtype="Int64"),
                           "issue_id": ["general", "i4"]})
    items = pd.DataFrame({"claim_id": ["k/b1#1", "k/b1#1", "k/b1#1"], "issue_id": ["i3", "i3", None]})
    issues = pd.DataFrame({"issue_id": ["i3", "i4", "general"], "cluster": pd.array([3, 4, None], dtype="Int64")})
    alone = finding_sections(claims).set_index("passage_id")
    assert alone.loc["key-findings/b1", "clusters"] == [(4, 1)]
    frame = finding_sections(claims, claim_items=items, issues=issues).set_index("passage_id")
    assert frame.loc["key-findings/b1", "clusters"] == [(3, 2), (4, 1)]  # two items name cluster 3's issue
    assert frame.loc["key-findings/b1", "sections"] == ["cluster-3", "cluster-4"]


def test_finding_sections_on_the_real_claims(tables):
    frame = finding_sections(tables["claims"], claim_items=tables["claim_items"],
                             issues=tables["issues"]).set_index("passage_id")
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
