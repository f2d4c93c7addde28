"""Cluster 3, illicit globalization: the executed chapter's exported charts and tables (titles that
state the computed findings, tooltips that carry the source text, the survey beside the meeting with
no score, who acts, estimates extended with later values and their changes of method, the unsourced
figure, what happened next), and the chapter rerun with other settings."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields

from compendium.book import runner
from compendium.data.tables import load_outcomes

CHAPTER = "illicit-globalization"


@pytest.fixture(scope="module")
def folder(executed_run):
    return executed_run(CHAPTER).folder


def dataset_rows(spec: dict, field: str) -> list[dict]:
    """The rows of every inline dataset of the spec that carry ``field``."""
    return [row for rows in spec.get("datasets", {}).values() for row in rows if field in row]


def test_chapter_exports_its_charts_and_tables(folder):
    for name in ("c3-fig-acts", "c3-fig-survey", "c3-fig-estimates"):
        assert (folder / "charts" / f"{name}.vl.json").is_file() and (folder / "charts" / f"{name}.png").is_file()
        assert exported_spec(folder, name).get("description", "").strip()
    for name in ("c3-claims", "c3-survey-beside-meeting", "c3-sentences", "c3-estimates", "c3-unsourced",
                 "c3-outcomes"):
        assert (folder / "tables" / f"{name}.csv").is_file()
    # the stance chart and its table rested on the old stance coding (issue 12): gone
    assert not (folder / "charts" / "c3-fig-stances.vl.json").exists()
    assert not (folder / "tables" / "c3-stances.csv").exists()


# --- the meeting's sentences, who acts, and the survey beside them ---------------------------------------


def test_claims_table_holds_whole_sentences_with_their_strength(folder):
    table = pd.read_csv(folder / "tables" / "c3-claims.csv", keep_default_na=False).set_index("Claim")
    assert len(table) == 19 and set(table["Passage"].str.split("/").str[0]) == {"cluster-3"}
    assert table.loc["cluster-3/p2#3", "How it is put"] == "Hedged"
    assert table.loc["cluster-3/p2#3", "Who acts"] == "Secretary-General"
    assert table.loc["cluster-3/p7#1", "How it is put"] == "Reported view"
    assert table.loc["cluster-3/p5#2", "How it is put"] == "Question"


def test_acts_chart_counts_each_sentence_once_by_who_acts(folder):
    spec = exported_spec(folder, "c3-fig-acts")
    assert title_text(spec) == ("Of 21 sentences on cluster 3's issues, 11 name no actor; given a part most often: "
                                "Secretary-General and UN system (3 each)")
    rows = pd.DataFrame(dataset_rows(spec, "claims"))
    assert rows["claims"].sum() == 21  # 19 of the cluster and the two key-finding sentences whose lists name it
    hedged = rows[(rows["acts"] == "secretary-general") & (rows["modality"] == "hedged")].iloc[0]
    assert hedged["claims"] == 1 and hedged["claim_ids"] == "cluster-3/p2#3"
    reported = rows[(rows["acts"] == "un-system") & (rows["modality"] == "reported")].iloc[0]
    assert reported["claim_ids"] == "cluster-3/p7#1"
    assert {"claim_ids", "quotes", "modality_label", "acts_label"} <= tooltip_fields(spec)


def test_survey_beside_meeting_shows_both_answers_without_a_score(folder):
    table = pd.read_csv(folder / "tables" / "c3-survey-beside-meeting.csv", keep_default_na=False)
    assert not any("agree" in column.lower() or "stance" in column.lower() for column in table.columns)
    assert list(dict.fromkeys(table["Survey issue"])) == ["Migration", "Illicit flows", "Maritime security",
                                                          "Drug control policies"]
    maritime = table[table["Survey issue"] == "Maritime security"]
    assert len(maritime) == 1 and maritime["Meeting sentence (verbatim)"].iloc[0] == "Not discussed"
    assert maritime["Survey: best placed (as written)"].iloc[0] == "United States"
    migration = table[table["Survey issue"] == "Migration"]
    assert set(migration["Survey: best placed (as written)"]) == {"Regional organizations"}
    assert migration["Claim"].tolist() == ["key-findings/b2#2", "cluster-3/p4#1", "cluster-3/p4#2", "cluster-3/p4#3",
                                           "cluster-3/p4#4"]
    flows = table[table["Survey issue"] == "Illicit flows"].set_index("Claim")
    assert flows.loc["cluster-3/p2#3", "How it is put"] == "Hedged"
    assert flows.loc["cluster-3/p2#3", "Meeting sentence (verbatim)"] == "The next UNSG could also draw in the private sector."


def test_survey_chart_states_a_fact_not_a_score(folder):
    spec = exported_spec(folder, "c3-fig-survey")
    assert title_text(spec) == "The meeting has sentences on 3 of the 4 issues the survey asked about"
    assert {"quote", "claim_id", "passage_id", "modality_label", "acts_label", "survey_answer"} <= tooltip_fields(spec)


def test_sentences_table_lists_the_unsurveyed_issues_at_their_strength(folder):
    table = pd.read_csv(folder / "tables" / "c3-sentences.csv", keep_default_na=False)
    assert list(dict.fromkeys(table["Issue"])) == ["Illicit globalization (general)",
                                                   "Modern slavery and human trafficking", "Informal economies"]
    by_claim = table.set_index("Claim")
    assert by_claim.loc["cluster-3/p7#1", "How it is put"] == "Reported view"
    assert by_claim.loc["cluster-3/p5#2", "How it is put"] == "Question"
    # the key finding reaches modern slavery through its list, and says so
    slavery = table[table["Issue"] == "Modern slavery and human trafficking"].set_index("Claim")
    assert slavery.loc["key-findings/b2#2", "Named in its list as"] == "modern slavery"


# --- published estimates, then and later, and the unsourced figure ----------------------------------------


def test_estimates_chart_extends_each_measure_with_its_later_values(folder):
    spec = exported_spec(folder, "c3-fig-estimates")
    assert [panel["title"]["text"] for panel in spec["vconcat"]] == ["million people", "USD trn", "deaths"]
    assert title_text(spec) == ("Later estimates: modern slavery 35.8 m (2014) to about 50 m (2021, a new method "
                                "since 2016); illicit drug use 246 m (2013) to 316 m (2023, same measure)")
    rows = pd.DataFrame(dataset_rows(spec, "when")).drop_duplicates("what").set_index("what")
    assert rows.loc["people in modern slavery, 2014", "when"] == "at the time of the meeting"
    # the joint Global Estimates are another method than the 2014 index, and so is the one after them
    assert rows.loc["people in modern slavery, 2016", "when"] == "later, another method"
    assert rows.loc["people in modern slavery, 2021", "when"] == "later, another method"
    assert rows.loc["people aged 15-64 who used an illicit drug, 2023", "when"] == "later, same measure"
    assert rows.loc["people in modern slavery, 2021", "value_text"] == "about 50"
    assert {"publisher", "document", "confidence", "note", "when", "passage_id", "meeting_says"} <= tooltip_fields(spec)


def test_estimates_table_joins_value_unit_source_and_when(folder):
    table = pd.read_csv(folder / "tables" / "c3-estimates.csv", keep_default_na=False).set_index("What is estimated")
    row = table.loc["people in modern slavery, 2014"]
    assert row["Estimate"] == "35.8 million people" and row["Confidence"] == "second-hand"
    assert row["Publisher, document"] == "Walk Free Foundation, Global Slavery Index 2014"
    later = table.loc["people in modern slavery, 2021"]
    assert later["Estimate"] == "about 50 million people" and later["Confidence"] == "direct"
    assert later["Published"] == "later, another method" and "Same joint method" in later["Caveat or method"]
    assert table.loc["people aged 15-64 who used an illicit drug, 2023", "Confidence"] == "second-hand"
    # the year is added to a label only when the label lacks it
    assert {"drug-related deaths, 2013", "outflows in 2013"} <= set(table.index)
    assert table.loc["drug-related deaths, 2013", "Estimate"] == "187,100 deaths"


def test_unsourced_table_holds_only_the_guinea_bissau_figure(folder):
    table = pd.read_csv(folder / "tables" / "c3-unsourced.csv", index_col=0)
    assert table.columns.tolist() == ["guinea-bissau-jobs"]
    figure = table["guinea-bissau-jobs"]
    assert figure["Figure as stated"] == "50,000 jobs per year" and figure["Public source"] == "none found"
    assert figure["Ledger verdict"] == "no source found" and figure["Passage"] == "cluster-3/p7"
    assert figure["The meeting says"] == "the number of jobs generated is 50,000 annually"


# --- what happened next --------------------------------------------------------------------------------------


def test_outcomes_table_shows_every_cluster_row_with_its_source_and_confidence(folder):
    outcomes = load_outcomes()
    mine = outcomes[outcomes["cluster"] == 3].sort_values("date", kind="stable")
    table = pd.read_csv(folder / "tables" / "c3-outcomes.csv", keep_default_na=False)
    assert len(table) == len(mine) == 17
    assert table["What happened"].tolist() == mine["event"].tolist()
    assert table["Confidence"].tolist() == mine["confidence"].tolist()  # never raised
    assert (table["Address"] != "").all() and (table["Publisher"] != "").all()
    compact = table[table["Document (symbol)"].str.contains("A/RES/73/195", regex=False)].iloc[0]
    assert compact["Date"] == "10 Dec 2018 to 11 Dec 2018" and compact["Meeting passage"] == "cluster-3/p4"
    assert table.loc[table["What happened"].str.startswith("SDG Report"), "Date"].empty  # a cluster-4 row stays out


# --- the chapter, rerun with other settings -------------------------------------------------------------


CHANGED = {"issues": ["migration", "drug-control"], "context_subjects": ["illicit drug use", "forcibly displaced people"]}


@pytest.fixture(scope="module")
def changed(tmp_path_factory):
    return run_plans(tmp_path_factory.mktemp("runs"),
                     changed=runner.plan_runs([CHAPTER], overrides=CHANGED))["changed"]


@pytest.mark.chapters
def test_settings_change_the_exported_outputs(changed, folder):
    assert changed.status == "ok", changed.error
    assert changed.record["overrides"] == CHANGED
    survey = pd.read_csv(changed.folder / "tables" / "c3-survey-beside-meeting.csv")
    assert list(dict.fromkeys(survey["Survey issue"])) == ["Migration", "Drug control policies"]
    claims = pd.read_csv(changed.folder / "tables" / "c3-claims.csv")
    assert set(claims["Issue"]) == {"Migration and forced displacement", "Drug control policies"}
    # both issues were surveyed: no sentence is listed for an unsurveyed one
    assert pd.read_csv(changed.folder / "tables" / "c3-sentences.csv").empty
    assert title_text(exported_spec(changed.folder, "c3-fig-acts")) == (
        "Of 7 sentences on cluster 3's issues, 5 name no actor; given a part most often: Secretary-General and UN "
        "system (1 each)")


@pytest.mark.chapters
def test_estimates_follow_the_chosen_subjects_and_mark_a_wider_definition(changed, folder):
    estimates = pd.read_csv(changed.folder / "tables" / "c3-estimates.csv", keep_default_na=False)
    assert set(estimates["Publisher, document"].str.split(",").str[0]) >= {"UNODC", "UNHCR"}
    assert "Walk Free Foundation, Global Slavery Index 2014" not in set(estimates["Publisher, document"])
    by_what = estimates.set_index("What is estimated")
    # from 2020 UNHCR's total counts a group the 2015 split did not list: that value and the one after it
    assert by_what.loc["forcibly displaced, total, 2020", "Published"] == "later, another method"
    assert by_what.loc["forcibly displaced, total, 2024", "Published"] == "later, another method"
    spec = exported_spec(changed.folder, "c3-fig-estimates")
    assert title_text(spec) == ("Later estimates: forcibly displaced people 65.3 m (2015) to 123.2 m (2024, a wider "
                                "total since 2020); illicit drug use 246 m (2013) to 316 m (2023, same measure)")
    assert len(spec["vconcat"]) == 2
    # the prose numbers do not depend on the settings
    for name in ("c3-unsourced", "c3-outcomes"):
        assert (changed.folder / "tables" / f"{name}.csv").read_bytes() == (
            folder / "tables" / f"{name}.csv").read_bytes()
