"""The introduction: its layout, and the charts, table and numbers of its executed run."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields

from compendium import paths
from compendium.analysis import mentions_by_cluster
from compendium.book import runner
from compendium.book.params import read_notebook
from compendium.charts.theme import ACCENT
from compendium.data.lexicon import actor_mentions

CHAPTER = "introduction"


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


# -- layout: a reader sees prose and charts first ------------------------------------------------


def test_code_is_folded_and_no_heading_names_code():
    notebook = read_notebook(paths.CHAPTERS_DIR / f"{CHAPTER}.md")
    code = [c for c in notebook.cells if c.cell_type == "code"]
    assert code[0].metadata["tags"] == ["remove-input"] and "import" in code[0].source
    (parameters,) = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert parameters.metadata["tags"] == ["parameters", "hide-input"]
    long_cells = [c for c in code if len(c.source.splitlines()) > 3]
    assert long_cells and all({"hide-input", "remove-input"} & set(c.metadata.get("tags", [])) for c in long_cells)
    headings = [line for c in notebook.cells if c.cell_type == "markdown" for line in c.source.splitlines()
                if line.startswith("#")]
    assert not [h for h in headings if h.lstrip("# ").strip() in {"Imports", "Parameters"}]


def test_each_section_glues_its_numbers_in_one_call():
    source = (paths.CHAPTERS_DIR / f"{CHAPTER}.md").read_text(encoding="utf-8")
    assert "publisher.number(" not in source
    for section in source.split("\n## ")[1:]:
        assert section.count("publisher.numbers(") <= 1, section.splitlines()[0]


# -- the numbers in the prose -----------------------------------------------------------------------


def test_glued_numbers_are_computed_from_the_source_and_the_tables(executed_run, document, tables):
    glued, _ = notebook_outputs(executed_run(CHAPTER).folder)
    claims, every = tables["claims"], every_actor(tables)
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
    }
    assert {name: glued[name] for name in expected} == expected
    words = sum(len(b.plain.split()) for b in document.blocks)
    in_clusters = sum(len(b.plain.split()) for b in document.blocks if b.id.startswith("cluster-"))
    assert float(glued["intro-cluster-share"]) == pytest.approx(in_clusters / words)


def test_key_questions_are_quoted_verbatim_with_their_passage(executed_run, document):
    _, markdown = notebook_outputs(executed_run(CHAPTER).folder)
    (questions,) = [m for m in markdown if m.startswith("1. “")]
    assert questions.startswith("1. “in what areas") and questions.count("(passage `opening/p1`)") == 3
    for line in questions.splitlines():
        assert line.split("“", 1)[1].split("”", 1)[0] in document.block("opening/p1").plain


def test_findings_are_quoted_and_sent_to_the_chapters_of_their_clusters(executed_run, document):
    _, markdown = notebook_outputs(executed_run(CHAPTER).folder)
    (text,) = [m for m in markdown if "passage `key-findings/b1`" in m]
    for block in document.section("key-findings").blocks:
        if block.kind == "bullet":
            assert f"{block.plain}\n\n-- CIC meeting summary, 7 May 2015, passage `{block.id}`" in text
    assert "{doc}`r2p-human-rights`" in text and "{doc}`peace-security`" in text
    assert "cluster 3 (3 claims) and cluster 4 (3 claims)" in text
    assert "{ref}`intro-final-remarks`" in text and "Leadership of the Secretary-General" in text


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


def test_claim_types_chart_names_the_commonest_type_and_the_exceptions(executed_run, tables):
    folder = executed_run(CHAPTER).folder
    spec = exported_spec(folder, "intro-fig-claim-types")
    rows = pd.DataFrame(chart_rows(folder, "intro-fig-claim-types"))
    assert title_text(spec) == ("Diagnoses are the commonest claims (40 of 106); "
                                "yet cluster 1 leads with recommendations and cluster 4 with findings")
    claims = tables["claims"]
    assert rows["claims"].sum() == len(claims)
    per_part = rows.groupby("part")["claims"].sum()
    assert per_part["Key findings"] == (claims["section"] == "key-findings").sum()
    assert per_part["Cluster 3: Illicit globalization"] == (claims["section"] == "cluster-3").sum()
    assert set(", ".join(rows["passages"]).split(", ")) == set(claims["passage_id"])
    assert list(dict.fromkeys(rows["part"])) == [
        "Key findings", "Cluster 1: R2P and human rights", "Cluster 2: Peace and security",
        "Cluster 3: Illicit globalization", "Cluster 4: Sustainable development", "Final remarks",
    ]
    assert set(rows["claim_type"]) == {"Finding", "Diagnosis", "Recommendation", "Actor assessment"}
    assert spec["description"] and {"part", "claim_type", "claims", "passages"} <= tooltip_fields(spec)


def test_claims_table_holds_the_claims_of_the_findings_and_the_final_remarks(executed_run, tables):
    shown = pd.read_csv(executed_run(CHAPTER).folder / "tables" / "intro-claims.csv", keep_default_na=False)
    covered = tables["claims"][tables["claims"]["section"].isin(["key-findings", "final-remarks"])]
    assert list(shown["Passage"]) == list(covered["passage_id"])
    assert list(shown["Quote"]) == list(covered["quote"])


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
    assert {"charts/intro-fig-claim-types.svg", "tables/intro-claims.csv"} <= set(changed.record["outputs"])

    nobody = results["nobody"]
    assert nobody.status == "ok", nobody.error
    assert title_text(exported_spec(nobody.folder, "intro-fig-actors")) == (
        "No actor reaches the threshold in any cluster")
    assert chart_rows(nobody.folder, "intro-fig-actors") == []

    bad_order = results["bad_order"]
    assert bad_order.status == "failed"
    assert "document, words" in bad_order.error["evalue"] and "alphabetical" in bad_order.error["evalue"]
