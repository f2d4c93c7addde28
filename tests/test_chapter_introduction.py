"""The introduction: its layout, its prose (hedges and actors kept), and the charts, tables and numbers of
its executed run."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields
from test_hedges import prose_paragraphs

from compendium import paths
from compendium.analysis import mentions_by_cluster
from compendium.book import runner
from compendium.charts.theme import ACCENT
from compendium.data.lexicon import actor_mentions

CHAPTER = "introduction"
SOURCE = paths.CHAPTERS_DIR / f"{CHAPTER}.md"
# the outcome rows the chapter shows: the 2016 appointment, the second term, the 2026 selection
SELECTIONS = ["sg-13", "sg-14", "sg-21", "sg-27", "sg-29", "sg-30"]


def chart_rows(folder: Path, name: str) -> list[dict]:
    """Return the rows of the one dataset of an exported chart."""
    (rows,) = exported_spec(folder, name)["datasets"].values()
    return rows


def notebook_outputs(folder: Path) -> tuple[dict[str, str], list[str]]:
    """Return an executed run's glued values (name -> plain-text repr) and its shown Markdown outputs."""
    notebook = json.loads((folder / f"{CHAPTER}.ipynb").read_text(encoding="utf-8"))
    glued, markdown = {}, []
    for output in (o for cell in notebook["cells"] for o in cell.get("outputs", [])):
        name = output.get("metadata", {}).get("scrapbook", {}).get("name")
        data = output.get("data", {})
        if name and "application/papermill.record/text/plain" in data:
            glued[name] = data["application/papermill.record/text/plain"]
        elif "text/markdown" in data:
            markdown.append("".join(data["text/markdown"]))
    return glued, markdown


def every_actor(tables) -> pd.DataFrame:
    """Return cluster × actor mention counts for every actor in the lexicon, zeros kept."""
    return mentions_by_cluster(actor_mentions(tables["passages"], tables["actors"]), tables["actors"])


# -- the prose: hedges kept, the Secretary-General apart from the UN ---------------------------------


def prose_section(heading: str) -> str:
    """Return the Markdown of one '## ' section of the chapter, code cells included."""
    (section,) = [s for s in SOURCE.read_text(encoding="utf-8").split("\n## ") if s.startswith(heading)]
    return section


def test_no_sentence_makes_the_hedged_key_finding_a_verdict():
    # key-findings/b3#1 is hedged: "The UN may not be well placed to deal with other normative gaps."
    text = SOURCE.read_text(encoding="utf-8")
    assert "poorly placed" not in text and "not well placed at all" not in text
    for heading in ("The key findings", "Summary"):
        assert '"may not be well placed"' in prose_section(heading), heading


def test_the_summary_gives_the_gaps_to_the_un_and_the_skills_to_the_secretary_general():
    (findings,) = [line for line in prose_section("Summary").splitlines() if "key findings" in line]
    # key-findings/b2#1 (acts un-system): the gaps are the UN's to fill, not the Secretary-General's
    assert '"can and should be filled by the UN"' in findings
    assert "Secretary-General to defend existing norms and to fill gaps" not in findings
    assert "leadership skills" in findings and "raises questions" in findings  # key-findings/b4#1 leaves it open
    final = prose_section("Final remarks")
    assert '"not necessarily"' in final and "rather than" not in final  # final-remarks/p1#2 is hedged


def test_every_quote_in_the_prose_is_the_sources(document):
    # the short quotations the prose makes ("may not be well placed", "could also draw in") are verbatim
    paragraphs = [text for _, text in prose_paragraphs(SOURCE.read_text(encoding="utf-8"))]
    quoted = [q for text in paragraphs for q in re.findall(r'"([^"]+)"', text)]
    assert len(quoted) >= 15 and '"may not be well placed"' in " ".join(paragraphs)
    raw = " ".join(document.raw.split())
    assert [q for q in quoted if q not in raw] == []


def test_the_opening_says_what_happened_next_and_links_the_chapter_after_the_consultation():
    opening = SOURCE.read_text(encoding="utf-8").split("\n## ")[0]
    assert "{doc}`after-the-consultation`" in opening and "{ref}`intro-next`" in opening
    assert "{glue:text}`intro-sg-appointed`" in opening and "{glue:text}`intro-next-opened`" in opening
    assert "second hand" in opening  # the 2026 rows are second-hand; the opening says so
    summary = prose_section("Summary")
    assert "{doc}`after-the-consultation`" in summary and "second-hand" in summary


# -- the numbers in the prose -----------------------------------------------------------------------


def test_glued_numbers_are_computed_from_the_source_and_the_tables(executed_run, document, tables):
    glued, _ = notebook_outputs(executed_run(CHAPTER).folder)
    claims, every = tables["claims"], every_actor(tables)
    modality, acts = claims["modality"].value_counts(), claims["acts"].value_counts()
    framing = claims[(claims["claim_type"] == "actor-assessment")
                     & claims["section"].isin(["key-findings", "final-remarks"])]
    expected = {
        "intro-date": "'7 May 2015'",
        "intro-n-fields": "4",
        "intro-n-questions": "3",
        "intro-n-findings": str(document.section("key-findings").kind_count("bullet")),
        "intro-n-clusters": "4",
        "intro-n-annex-exhibits": str(document.section("annex-a").kind_count("caption")),
        "intro-n-words": str(sum(len(b.plain.split()) for b in document.blocks)),
        "intro-n-figures": str(len(tables["figures"])),
        "intro-n-claims": str(len(claims)),
        "intro-n-top-type": str(claims["claim_type"].value_counts().max()),
        "intro-top-type": "'diagnoses'",
        "intro-n-intro-claims": str(claims["section"].isin(["key-findings", "final-remarks"]).sum()),
        "intro-n-lost-charts": "4",
        "intro-n-c4-figures": str(tables["figures"]["passage_id"].str.startswith("cluster-4/").sum()),
        "intro-min-mentions": "2",
        "intro-n-actors-shown": "10",
        "intro-n-actors-named": str(every[every["mentions"] > 0]["actor_id"].nunique()),
        "intro-modality-counts": (f"'{modality['asserted']} asserted, {modality['hedged']} hedged, "
                                  f"{modality['proposed']} proposal recorded as made at the meeting, "
                                  f"{modality['reported']} views reported as raised at the meeting and "
                                  f"{modality['question']} questions'"),
        "intro-acts-counts": (f"'the Secretary-General in {acts['secretary-general']}, the UN system in "
                              f"{acts['un-system']}, member states in {acts['member-states']}, the international "
                              f"community in {acts['international-community']} and non-state actors in "
                              f"{acts['non-state']}'"),
        "intro-n-no-actor": str(acts["none"]),
        "intro-n-assessments": str((claims["claim_type"] == "actor-assessment").sum()),
        "intro-n-framing-assessments": str(len(framing)),
        "intro-n-framing-sg": str((framing["acts"] == "secretary-general").sum()),
        "intro-n-framing-un": str((framing["acts"] == "un-system").sum()),
    }
    assert {name: glued[name] for name in expected} == expected
    # no list fragment is counted: 86 sentences, each a claim, the items apart
    assert glued["intro-n-claims"] == str(len(claims)) and len(claims) < len(claims) + len(tables["claim_items"])
    assert expected["intro-n-top-type"] == "28" and expected["intro-n-claims"] == "86"
    words = sum(len(b.plain.split()) for b in document.blocks)
    in_clusters = sum(len(b.plain.split()) for b in document.blocks if b.id.startswith("cluster-"))
    assert float(glued["intro-cluster-share"]) == pytest.approx(in_clusters / words)


def test_key_questions_are_quoted_verbatim_with_their_passage(executed_run, document):
    _, markdown = notebook_outputs(executed_run(CHAPTER).folder)
    (questions,) = [m for m in markdown if m.startswith("1. “")]
    assert questions.startswith("1. “in what areas") and questions.count("(passage `opening/p1`)") == 3
    for line in questions.splitlines():
        assert line.split("“", 1)[1].split("”", 1)[0] in document.block("opening/p1").plain


def test_findings_are_quoted_and_sent_to_the_chapters_of_their_clusters(executed_run, document, tables):
    _, markdown = notebook_outputs(executed_run(CHAPTER).folder)
    (text,) = [m for m in markdown if "passage `key-findings/b1`" in m]
    for block in document.section("key-findings").blocks:
        if block.kind == "bullet":
            assert f"{block.plain}\n\n-- CIC meeting summary, 7 May 2015, passage `{block.id}`" in text
    # key-findings/b1 and b2 reach their clusters through their list items, quoted as the source has them
    assert ("It concerns cluster 1 (its list item “R2P”) and cluster 4 (its list item “climate change”). "
            "Read more in {doc}`r2p-human-rights` and {doc}`sustainable-development`.") in text
    assert ("cluster 3 (its list items “illicit globalization”, “illicit financial flows”, “migration” and "
            "“modern slavery”) and cluster 4") in text
    assert "It concerns cluster 2 (2 sentences and its list item “peace and security”)" in text
    items = tables["claim_items"]
    for item in re.findall(r"“([^”]+)”", text.split("-- CIC")[-1]):
        assert item in set(items["text"])
    assert "{ref}`intro-final-remarks`" in text and "Leadership of the Secretary-General" in text
    assert "claims)" not in text  # no count of claims and items mixed under one word


# -- the charts ---------------------------------------------------------------------------------------


def test_words_chart_states_the_clusters_share_and_the_longest_section(executed_run, document):
    folder = executed_run(CHAPTER).folder
    spec = exported_spec(folder, "intro-fig-words")
    rows = chart_rows(folder, "intro-fig-words")
    words = {s.id: sum(len(b.plain.split()) for b in s.blocks) for s in document.sections}
    share = sum(n for s, n in words.items() if s.startswith("cluster-")) / sum(words.values())
    assert title_text(spec) == (f"The 4 clusters hold {share:.0%} of the words; "
                                "the longest section is Cluster 4: Sustainable development (21%)")
    assert [row["section"] for row in rows] == [s.id for s in document.sections]  # as printed, by default
    assert {row["section"]: row["words"] for row in rows} == words
    assert sum(row["share"] for row in rows) == pytest.approx(1)
    assert {row["label"] for row in rows if row["part"] == "Cluster"} == {
        "Cluster 1: R2P and human rights", "Cluster 2: Peace and security",
        "Cluster 3: Illicit globalization", "Cluster 4: Sustainable development"}
    assert spec["description"] and {"heading", "ids", "words"} <= tooltip_fields(spec)
    (bars,) = [layer for layer in spec["layer"] if layer["mark"]["type"] == "bar"]
    assert bars["encoding"]["color"]["scale"]["range"][0] == ACCENT


def test_actors_chart_shows_the_actors_above_the_threshold(executed_run, tables):
    folder = executed_run(CHAPTER).folder
    spec = exported_spec(folder, "intro-fig-actors")
    rows = pd.DataFrame(chart_rows(folder, "intro-fig-actors"))
    assert title_text(spec) == ("Named most: UN and UN agencies (15 times, in all 4 clusters); "
                                "cluster 3 names the widest cast (9 actors)")
    totals = rows.groupby("actor_id")["mentions"].sum()
    assert (totals >= 2).all() and len(totals) == 10 and totals.idxmax() == "un-system"
    assert spec["description"] and {"actor", "mentions", "passages"} <= tooltip_fields(spec)


def test_peace_and_security_names_most_actors_but_in_passing(executed_run, tables):
    # the chapter's prose says so; a change in the data or lexicon that breaks it fails here
    every = every_actor(tables)
    named = every[every["mentions"] > 0].groupby("cluster")["actor_id"].nunique()
    assert named.idxmax() == 2
    shown = pd.DataFrame(chart_rows(executed_run(CHAPTER).folder, "intro-fig-actors"))
    cast = shown[shown["mentions"] > 0].groupby("cluster")["actor_id"].nunique()
    assert cast.idxmax() == 3


def test_claim_types_chart_counts_sentences_and_names_the_commonest_type_and_the_exceptions(executed_run, tables):
    folder = executed_run(CHAPTER).folder
    spec = exported_spec(folder, "intro-fig-claim-types")
    rows = pd.DataFrame(chart_rows(folder, "intro-fig-claim-types"))
    claims = tables["claims"]
    top = claims["claim_type"].value_counts()
    assert title_text(spec) == (f"Diagnoses are the commonest sentences ({top['diagnosis']} of {len(claims)}); "
                                "yet cluster 1 leads with recommendations and cluster 4 with findings")
    assert rows["claims"].sum() == len(claims)  # sentences: list items are not counted
    quotes = dict(zip(claims["claim_id"], claims["quote"]))
    for row in rows.itertuples():  # the tooltip holds the sentences behind each segment, verbatim
        assert row.quotes == " / ".join(quotes[c] for c in row.claim_ids.split(", "))
    per_part = rows.groupby("part")["claims"].sum()
    assert per_part["Key findings"] == (claims["section"] == "key-findings").sum()
    assert per_part["Cluster 3: Illicit globalization"] == (claims["section"] == "cluster-3").sum()
    assert set(", ".join(rows["passages"]).split(", ")) == set(claims["passage_id"])
    assert list(dict.fromkeys(rows["part"])) == [
        "Key findings", "Cluster 1: R2P and human rights", "Cluster 2: Peace and security",
        "Cluster 3: Illicit globalization", "Cluster 4: Sustainable development", "Final remarks",
    ]
    assert set(rows["claim_type"]) == {"Finding", "Diagnosis", "Recommendation", "Actor assessment"}
    assert spec["description"] and {"part", "claim_type", "claims", "claim_ids", "quotes"} <= tooltip_fields(spec)


def test_the_parts_lead_with_their_commonest_types_ties_kept(executed_run, tables):
    glued, _ = notebook_outputs(executed_run(CHAPTER).folder)
    counts = pd.crosstab(tables["claims"]["section"], tables["claims"]["claim_type"])
    tie = counts.loc["cluster-2"]
    assert tie["diagnosis"] == tie["finding"] == tie.max()  # the tie the text keeps
    assert glued["intro-leads"] == (
        "'cluster 1 leads with recommendations (8 of 20 sentences); "
        "cluster 2 leads with diagnoses and findings (4 each of 14 sentences); "
        "cluster 3 leads with diagnoses (9 of 19 sentences); cluster 4 leads with findings (9 of 22 sentences)'")
    share = counts["recommendation"] / counts.sum(axis=1)
    assert share.idxmax() == "cluster-1"  # "The cluster on R2P is the most prescriptive"


def test_claims_table_holds_the_claims_of_the_findings_and_the_final_remarks(executed_run, tables):
    shown = pd.read_csv(executed_run(CHAPTER).folder / "tables" / "intro-claims.csv", keep_default_na=False)
    covered = tables["claims"][tables["claims"]["section"].isin(["key-findings", "final-remarks"])]
    assert list(shown["Passage"]) == list(covered["passage_id"])
    assert list(shown["Quote"]) == list(covered["quote"])
    b3 = shown.set_index("Claim").loc["key-findings/b3#1"]
    assert (b3["How it is put"], b3["Who acts"]) == ("Hedged", "UN system")
    assert shown.set_index("Claim").loc["key-findings/b3#3", "Who acts"] == "Secretary-General"


# -- what happened next ---------------------------------------------------------------------------------


def test_what_happened_next_shows_each_row_with_its_source_and_confidence(executed_run, tables):
    shown = pd.read_csv(executed_run(CHAPTER).folder / "tables" / "intro-next.csv", keep_default_na=False)
    outcomes = tables["outcomes"].set_index("outcome_id").loc[SELECTIONS]
    assert sorted(shown["Outcome"]) == sorted(SELECTIONS)
    assert list(shown["Outcome"]) == list(outcomes.sort_values("date").index)  # in date order
    for row in shown.itertuples():
        outcome = outcomes.loc[row.Outcome]
        assert row._2 == outcome["event"]  # "What happened", as the table has it
        assert row.Confidence == outcome["confidence"] and row.Publisher == outcome["publisher"]
        assert row.Address == outcome["address"] and outcome["document"] in row.Document
        assert "unsg-leadership" in outcome["issue_ids"].split(";")
    assert shown.set_index("Outcome").loc["sg-21", "Date"] == "8–18 June 2021"  # a span, as the source dates it


def test_the_prose_about_what_happened_next_is_no_stronger_than_its_rows(executed_run, tables):
    glued, _ = notebook_outputs(executed_run(CHAPTER).folder)
    outcomes = tables["outcomes"].set_index("outcome_id")
    assert glued["intro-sg-recommended"] == "'6 October 2016'" and glued["intro-sg-appointed"] == "'13 October 2016'"
    assert glued["intro-next-opened"] == "'25 November 2025'" and glued["intro-next-latest"] == "'21 April 2026'"
    assert glued["intro-sg-second-term"] == "'2021'"
    # stated as fact: the 2016 rows are direct; reported "at second hand": the rest are second-hand
    assert set(outcomes.loc[["sg-13", "sg-14"], "confidence"]) == {"direct"}
    assert set(outcomes.loc[["sg-21", "sg-27", "sg-29", "sg-30"], "confidence"]) == {"second-hand"}
    assert glued["intro-n-next-second-hand"] == "4" and glued["intro-n-next"] == "6"
    assert "Guterres" in outcomes.loc["sg-13", "event"] and "2026 selection opens" in outcomes.loc["sg-27", "event"]
    section = prose_section("What happened next")
    assert "Reports this book holds only at second hand" in section
    assert "straw poll" in section and "No Security Council straw poll" in outcomes.loc["sg-30", "note"]


# -- the chapter, rerun with changed settings ----------------------------------------------------------


@pytest.mark.chapters
def test_introduction_reruns_with_changed_settings(tmp_path, tables, document):
    results = run_plans(
        tmp_path,
        changed=runner.plan_runs([CHAPTER], {"min_mentions": 5, "section_order": "words"}),
        nobody=runner.plan_runs([CHAPTER], {"min_mentions": 1000}),
        bad_order=runner.plan_runs([CHAPTER], {"section_order": "alphabetical"}),
    )
    changed = results["changed"]
    assert changed.status == "ok", changed.error
    assert changed.record["overrides"] == {"min_mentions": 5, "section_order": "words"}

    actors = {row["actor"] for row in chart_rows(changed.folder, "intro-fig-actors")}
    every = every_actor(tables)
    expected = every[every.groupby("actor_id")["mentions"].transform("sum") >= 5]
    assert actors == set(expected["actor"])
    assert len(actors) < 10  # the default threshold of 2 shows 10

    words = [row["words"] for row in chart_rows(changed.folder, "intro-fig-words")]
    assert words == sorted(words, reverse=True)
    assert chart_rows(changed.folder, "intro-fig-words")[0]["label"] == "Cluster 4: Sustainable development"
    assert {"charts/intro-fig-claim-types.svg", "tables/intro-claims.csv", "tables/intro-next.csv"} <= set(
        changed.record["outputs"])

    nobody = results["nobody"]
    assert nobody.status == "ok", nobody.error
    assert title_text(exported_spec(nobody.folder, "intro-fig-actors")) == (
        "No actor reaches the threshold in any cluster")
    assert chart_rows(nobody.folder, "intro-fig-actors") == []

    bad_order = results["bad_order"]
    assert bad_order.status == "failed"
    assert "document, words" in bad_order.error["evalue"] and "alphabetical" in bad_order.error["evalue"]
