"""The survey-annex chapter, on the files its runs export: the default run, and runs with changed
parameters (another highlighted actor, an unknown one, a valid and a broken responses file).

Every responses file in these tests is SYNTHETIC: made here, in pytest's tmp_path, to exercise the
chapter's charts. None is real survey data; none is written to data/ or shown in the book.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields

from compendium import paths
from compendium.book import runner
from compendium.book.params import MissingPathError
from compendium.data import responses, source
from compendium.data.responses import AFFILIATIONS, BEST_ISSUE, FEASIBILITY, LOCATIONS
from compendium.data.tables import ACTS_LABELS, MODALITY_LABELS, lead_in_sentence

CHAPTER = "survey-annex"
BOOK_FIGURES = ("annex-fig-matrix", "annex-fig-coverage", "annex-fig-side-by-side")
BOOK_TABLES = ("annex-best-placed", "annex-asked-not-discussed", "annex-discussed-not-asked", "annex-side-by-side",
               "annex-lost-charts", "annex-responses-schema")
RESPONSE_FIGURES = (
    "annex-fig-responses-best-issue",
    "annex-fig-responses-feasibility",
    "annex-fig-responses-location",
    "annex-fig-responses-affiliation",
)
NO_RESPONSES = "No file of raw survey responses was given"
NOT_DISCUSSED = "Not discussed"
# A bullet shown after the words of the lead-in it completes: "[The international community could, for example:] …".
LEAD_IN = re.compile(r"^\[(?P<lead>[^\]]+)\] (?P<quote>.+)$", re.DOTALL)


@pytest.fixture(scope="module")
def folder(executed_run) -> Path:
    """The default run's export folder."""
    return executed_run(CHAPTER).folder


@pytest.fixture(scope="module")
def glued(folder) -> dict:
    """The values the default run glued into the prose, by name (figures left out)."""
    nb = nbformat.read(folder / f"{CHAPTER}.ipynb", as_version=4)
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            text = output.get("data", {}).get("application/papermill.record/text/plain")
            if name and text is not None and "-fig-" not in name:
                found[name] = ast.literal_eval(text)
    return found


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "tables" / f"{name}.csv", keep_default_na=False)


def values(spec: dict) -> pd.DataFrame:
    """Return the one dataset a chart spec carries, as a frame."""
    (rows,) = spec["datasets"].values()
    return pd.DataFrame(rows)


def datasets(spec: dict) -> list[pd.DataFrame]:
    """Return every dataset a chart spec carries, as frames."""
    return [pd.DataFrame(rows) for rows in spec["datasets"].values()]


def notebook_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def exported(result: runner.RunResult) -> set[str]:
    return {p.name.removesuffix(".vl.json") for p in (result.folder / "charts").glob("*.vl.json")}


def sentences_on(tables: dict, issue_id: str) -> list[str]:
    """The meeting's sentences on an issue, worked out here from the tables: the claims coded to it and
    those a list item of which names it, in the claims' order."""
    named = set(tables["claim_items"].loc[tables["claim_items"]["issue_id"] == issue_id, "claim_id"])
    claims = tables["claims"]
    return list(claims.loc[(claims["issue_id"] == issue_id) | claims["claim_id"].isin(named), "claim_id"])


# -- the default run: the best-placed table and the grid ------------------------------------------


def test_best_placed_table_shows_each_row_as_written(folder, document):
    annex = table(folder, "annex-best-placed")
    rows = [b for b in document.section("annex-a").blocks if b.kind == "row"]
    assert list(annex["Passage"]) == [b.id for b in rows]
    written = zip(annex["Issue (as in the annex)"], annex["Best placed organization / actor (as in the annex)"])
    assert [f"{issue}\t{answer}" for issue, answer in written] == [b.text for b in rows]
    assert annex.set_index("Passage").loc["annex-a/r5", "Actors named"] == 3


def test_matrix_chart_highlights_the_un_by_default(folder):
    spec = exported_spec(folder, "annex-fig-matrix")
    assert title_text(spec) == "The survey names UN/UN agencies best placed for 3 of 11 issues"
    assert {"passage_id", "answer", "issue_label", "actor_label"} <= tooltip_fields(spec)
    assert spec["encoding"]["row"]["field"] == "cluster_label"  # grouped by cluster
    marked = values(spec).query("role == 'UN/UN agencies'")
    assert set(marked["issue_label"]) == {"R2P", "Disease / public health", "Drones"}


def test_matrix_orders_actors_by_how_often_the_survey_names_them(folder, glued, best_placed):
    spec = exported_spec(folder, "annex-fig-matrix")
    grid = values(spec)
    assert len(grid) == len(best_placed)  # one square per actor named in a cell
    named = grid["actor_label"].value_counts()
    assert named.to_dict() == {
        "CSOs": 3, "Regional organizations": 3, "UN/UN agencies": 3, "Think tanks": 2, "United States": 2, "IFIs": 1,
    }
    order = spec["encoding"]["x"]["sort"]
    assert [named[a] for a in order] == sorted(named.tolist(), reverse=True)
    # the prose reads the grid by column: the most-named actors, and the UN alone in one cell only
    assert glued["annex-top-actors"] == "CSOs, Regional organizations and UN/UN agencies"
    assert (glued["annex-top-n"], glued["annex-un-n"], glued["annex-un-alone"]) == (3, 3, 1)


# -- the default run: what each instrument covered ------------------------------------------------


def test_coverage_tables_count_sentences_on_the_real_data(folder, tables):
    assert list(table(folder, "annex-asked-not-discussed")["Issue"]) == ["Nuclear proliferation", "Maritime security"]
    said_only = table(folder, "annex-discussed-not-asked")
    issues = tables["issues"].set_index("label")
    unsurveyed = [i for i in tables["issues"].loc[~tables["issues"]["surveyed"], "issue_id"] if sentences_on(tables, i)]
    assert set(said_only["Issue"]) == set(issues.index[issues["issue_id"].isin(unsurveyed)])
    assert {"Modern slavery and human trafficking", "Technology access and transfer",
            "Leadership of the Secretary-General", "Engaging the private sector"} <= set(said_only["Issue"])
    assert said_only["Cluster"].iloc[-1] == "Cross-cutting"  # cross-cutting issues come last
    for _, rows in said_only.groupby("Cluster", sort=False):  # most sentences first within a cluster
        assert list(rows["Sentences"]) == sorted(rows["Sentences"], reverse=True)
    claims = tables["claims"].set_index("claim_id")
    for row in said_only.to_dict("records"):
        on_it = sentences_on(tables, issues.loc[row["Issue"], "issue_id"])
        assert row["Sentences"] == len(on_it)
        assert row["First claim"] == on_it[0] and claims.loc[on_it[0], "passage_id"] == row["First passage"]


def test_coverage_chart_states_both_gaps_and_shows_the_sentence(folder, tables):
    spec = exported_spec(folder, "annex-fig-coverage")
    said_only = len(table(folder, "annex-discussed-not-asked"))
    assert title_text(spec) == (
        f"The survey asked about 2 issues the meeting never discussed; the meeting discussed {said_only} "
        "the survey did not ask about"
    )
    assert {"passage_id", "claim_id", "quote"} <= tooltip_fields(spec)
    rows = values(spec)
    kinds = rows["coverage"].value_counts()
    assert kinds["asked, not discussed"] == 2 and kinds["discussed, not asked"] == said_only
    assert rows.query("coverage == 'asked, not discussed'")["label"].eq("not discussed").all()
    quotes = tables["claims"].set_index("claim_id")["quote"]
    shown = rows[rows["claim_id"] != ""]
    assert (shown["quote"] == shown["claim_id"].map(quotes)).all()  # the tooltip quotes the sentence verbatim
    assert rows.set_index("row_label").loc["Responsibility to protect (R2P)", "sentences"] == len(
        sentences_on(tables, "r2p"))


# -- the default run: the survey beside the meeting -----------------------------------------------


def test_side_by_side_table_holds_both_instruments_as_written_and_no_score(folder, document, tables):
    side = table(folder, "annex-side-by-side")
    assert list(side.columns) == ["Survey issue", "Survey: best placed (as written)", "Survey passage",
                                  "Meeting sentence (verbatim)", "Passage", "Claim", "How it is put", "Who acts", "Role"]
    assert not [c for c in side.columns if re.search(r"agree|score|match", c, re.IGNORECASE)]
    rows = [b for b in document.section("annex-a").blocks if b.kind == "row"]
    by_issue = side.drop_duplicates("Survey issue")
    assert [f"{i}\t{a}" for i, a in zip(by_issue["Survey issue"], by_issue["Survey: best placed (as written)"])] == \
        [b.text for b in rows]  # the annex's 11 issues, in its order, answers as written
    assert list(by_issue["Survey passage"]) == [b.id for b in rows]
    silent = side[side["Meeting sentence (verbatim)"] == NOT_DISCUSSED]
    assert list(silent["Survey issue"]) == ["Nuclear proliferation", "Maritime security"]
    assert (silent[["Passage", "Claim", "How it is put"]] == "").all().all()


def test_side_by_side_rows_are_the_meetings_sentences_verbatim_at_their_modality(folder, tables, best_placed):
    side = table(folder, "annex-side-by-side")
    said = side[side["Claim"] != ""]
    issue_ids = best_placed.drop_duplicates("issue_id").set_index("issue_label")["issue_id"]
    for label, rows in said.groupby("Survey issue", sort=False):
        assert list(rows["Claim"]) == sentences_on(tables, issue_ids[label])
    claims = tables["claims"].set_index("claim_id")
    passages = tables["passages"].set_index("passage_id")["text"]
    for row in said.to_dict("records"):
        claim = claims.loc[row["Claim"]]
        text = row["Meeting sentence (verbatim)"]
        if isinstance(claim["lead_in"], str):  # a bullet keeps the words of its lead-in, in brackets
            shown = LEAD_IN.match(text)
            assert shown and shown["lead"] == lead_in_sentence(passages[claim["lead_in"]])
            text = shown["quote"]
        assert text == claim["quote"]
        assert (row["Passage"], row["How it is put"], row["Who acts"]) == (
            claim["passage_id"], MODALITY_LABELS[claim["modality"]], ACTS_LABELS[claim["acts"]])
    r2p_bullet = said[said["Claim"] == "cluster-1/b1#1"].iloc[0]
    assert r2p_bullet["Meeting sentence (verbatim)"].startswith("[The international community could, for example:] ")
    assert r2p_bullet["How it is put"] == "Hedged"
    drones = said[said["Survey issue"] == "Drones"]
    assert list(drones["Claim"]) == ["cluster-2/p3#2"] and list(drones["How it is put"]) == ["Hedged"]
    assert list(drones["Who acts"]) == ["Member states"]  # the market leaders, not the UN


def test_side_by_side_chart_states_a_fact_and_carries_the_sentences(folder):
    spec = exported_spec(folder, "annex-fig-side-by-side")
    side = table(folder, "annex-side-by-side")
    discussed = side.loc[side["Claim"] != "", "Survey issue"].nunique()
    assert title_text(spec) == f"The meeting has sentences on {discussed} of the 11 issues the survey asked about"
    assert "not scored" in spec["title"]["subtitle"]
    assert {"survey_answer", "survey_passage_id", "quote", "claim_id", "passage_id", "modality_label",
            "acts_label"} <= tooltip_fields(spec)
    squares = next(d for d in datasets(spec) if "claim_id" in d.columns)
    assert len(squares) == (side["Claim"] != "").sum()  # one square per row of the table
    assert (squares["quote"].tolist() == side.loc[side["Claim"] != "", "Meeting sentence (verbatim)"].tolist())
    silent = next(d for d in datasets(spec) if "text" in d.columns)
    assert set(silent["text"]) == {NOT_DISCUSSED} and set(silent["issue_label"]) == {"Nuclear proliferation",
                                                                                    "Maritime security"}


def test_glued_prose_matches_the_side_by_side_table(folder, glued, tables):
    side = table(folder, "annex-side-by-side")
    said = side[side["Claim"] != ""].drop_duplicates("Claim")
    assert glued["annex-side-n-sentences"] == len(said)
    assert (glued["annex-side-n-discussed"], glued["annex-side-n-issues"]) == (9, 11)
    assert glued["annex-side-silent-list"] == "Nuclear proliferation and Maritime security"
    hedged = (said["How it is put"] == "Hedged").sum()
    asserted = (said["How it is put"] == "Asserted").sum()
    assert glued["annex-side-modalities"].startswith(f"{asserted} asserted, {hedged} hedged")
    sg = (said["Who acts"] == "Secretary-General").sum()
    un = (said["Who acts"] == "UN system").sum()
    assert glued["annex-side-acts"].startswith(f"the Secretary-General in {sg}, the UN system in {un}")
    assert glued["annex-un-alone-issue"] == "R2P"
    assert glued["annex-un-alone-sentences"] == (side["Survey issue"] == "R2P").sum()
    gaps = side.loc[side["Claim"] == "key-findings/b2#2", "Survey issue"]
    assert glued["annex-gap-n"] == len(gaps) == 4
    assert glued["annex-new-tech-issues"] == (
        "Info privacy / cybersecurity (CSOs) and Drones (Regional organizations and UN/UN agencies)")


def test_the_quoted_sentences_keep_their_hedges_and_lead_ins(folder):
    text = notebook_text(folder / f"{CHAPTER}.ipynb")
    for quoted in [
        "The UNSG alone cannot advance the R2P norm.",
        "[Among the key points made by participants were that:] The UN may not be well placed to deal with other "
        "normative gaps.",
        "the market leaders may not want to be tied down by the UN",
        "claim `cluster-1/p3#1`: hedged; who acts: Secretary-General",
    ]:
        assert json.dumps(quoted)[1:-1] in text, quoted


def test_no_score_between_survey_and_meeting_in_the_prose():
    markdown = (paths.CHAPTERS_DIR / f"{CHAPTER}.md").read_text(encoding="utf-8")
    prose = re.sub(r"```\{code-cell\}.*?```", "", markdown, flags=re.DOTALL)
    assert not re.search(r"\b(dis)?agree(s|d|ment)?\b|\btie-break|\bstance\b", prose, re.IGNORECASE)
    assert "best placed" in prose and "should or could do" in prose  # what each instrument asked


# -- the default run: the lost charts and the responses layout ------------------------------------


def test_lost_charts_are_listed_from_the_source_and_nothing_else(folder, document):
    lost = table(folder, "annex-lost-charts")
    assert list(lost["Chart (caption in the source)"]) == list(source.LOST_CHART_CAPTIONS)
    assert list(lost["Passage"]) == [b.id for b in source.lost_charts(document)]
    assert set(lost["Data in the source"]).pop().startswith("none")


def test_responses_layout_shows_the_schema_and_its_assumptions(folder):
    layout = table(folder, "annex-responses-schema").set_index("Column")
    schema = json.loads(responses.schema_path().read_text(encoding="utf-8"))
    assert list(layout.index) == [f["name"] for f in schema["fields"]]
    assert layout.loc["chart", "Allowed values"] == ", ".join(source.LOST_CHART_CAPTIONS)
    assert layout.loc["answer", "Allowed values"] == ""  # answers are kept as written
    assert "assumption" in layout.loc["respondent_id", "Meaning"]


def test_default_run_draws_the_book_figures_and_no_responses(executed_run):
    result = executed_run(CHAPTER)
    assert exported(result) == set(BOOK_FIGURES)
    assert {p.stem for p in (result.folder / "tables").glob("*.csv")} == set(BOOK_TABLES)
    assert NO_RESPONSES in notebook_text(result.folder / f"{CHAPTER}.ipynb")
    for name in BOOK_FIGURES:
        spec = exported_spec(result.folder, name)
        assert spec.get("description", "").strip() and title_text(spec)


# -- runs with changed parameters ---------------------------------------------------------------

# A SYNTHETIC file: six respondents. Best issue: Migration named by 3 of the 5 who answered (one
# names two issues). Feasibility: "3" for every issue but R2P ("5") and Drones (none), and one
# "don't know". Locations: Europe 4 of 6. Affiliations: government 3 of 6.
PEOPLE = {
    "synthetic-1": ("Europe", "government", ["Migration"]),
    "synthetic-2": ("Europe", "civil society", ["Migration"]),
    "synthetic-3": ("Europe", "government", ["R2P"]),
    "synthetic-4": ("Africa", "academia", ["Migration", "R2P"]),
    "synthetic-5": ("Asia", "UN", []),
    "synthetic-6": ("Europe", "government", ["Drones"]),
}


def synthetic_rows(issue_labels: list[str]) -> list[list[str]]:
    rows = []
    for person, (where, who, best) in PEOPLE.items():
        rows += [[person, BEST_ISSUE, issue, ""] for issue in best]
        for issue in issue_labels:
            if issue != "Drones":
                answer = "don't know" if (person, issue) == ("synthetic-6", "Climate / energy") else "5" if issue == "R2P" else "3"
                rows.append([person, FEASIBILITY, issue, answer])
        rows += [[person, LOCATIONS, "", where], [person, AFFILIATIONS, "", who]]
    return rows


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([["respondent_id", "chart", "issue", "answer"], *rows])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture(scope="module")
def runs(tmp_path_factory, document) -> dict[str, runner.RunResult]:
    """One batch: another highlighted actor, an unknown one, a valid SYNTHETIC file, a broken SYNTHETIC file."""
    folder = tmp_path_factory.mktemp("synthetic")
    rows = synthetic_rows(list(source.survey_table(document)["issue_label"].unique()))
    good, bad = folder / "synthetic-responses.csv", folder / "synthetic-broken.csv"
    good.write_bytes(csv_bytes(rows))
    broken = [list(r) for r in rows]
    broken[0][1] = "Mars"  # row 2: not a caption of the source
    broken[2][2] = ""  # row 4: a feasibility answer without its issue
    bad.write_bytes(csv_bytes(broken))
    return run_plans(
        tmp_path_factory.mktemp("runs"), jobs=2,
        highlight=runner.plan_runs([CHAPTER], texts=[("highlight_actor", "civil-society")]),
        unknown=runner.plan_runs([CHAPTER], texts=[("highlight_actor", "secretary-general")]),
        responses=runner.plan_runs([CHAPTER], texts=[("responses_file", str(good))]),
        broken=runner.plan_runs([CHAPTER], texts=[("responses_file", str(bad))]),
    )


@pytest.mark.chapters
def test_changed_highlight_actor_shows_in_the_exported_chart(runs):
    result = runs["highlight"]
    assert result.status == "ok", result.error
    assert result.record["overrides"] == {"highlight_actor": "civil-society"}
    assert title_text(exported_spec(result.folder, "annex-fig-matrix")) == (
        "The survey names CSOs best placed for 3 of 11 issues"
    )
    assert {"tables/annex-best-placed.csv", "tables/annex-side-by-side.csv"} <= set(result.record["outputs"])


@pytest.mark.chapters
def test_an_unknown_highlight_actor_is_refused_with_the_valid_ones(runs):
    result = runs["unknown"]
    assert result.status == "failed" and result.error["ename"] == "ValueError"
    assert "'secretary-general'" in result.error["evalue"] and "un-system" in result.error["evalue"]


@pytest.mark.chapters
def test_chapter_with_a_synthetic_responses_file_draws_the_four_charts(runs, document):
    result = runs["responses"]
    assert result.status == "ok", result.error
    assert exported(result) == set(BOOK_FIGURES) | set(RESPONSE_FIGURES)
    for name in RESPONSE_FIGURES:
        for suffix in (".vl.json", ".svg", ".png"):
            assert f"charts/{name}{suffix}" in result.record["outputs"]
    specs = {name: exported_spec(result.folder, name) for name in RESPONSE_FIGURES}
    assert {name: title_text(spec) for name, spec in specs.items()} == {
        "annex-fig-responses-best-issue": "Named most often as the best issue for the UN: Migration (3 of 5 respondents)",
        "annex-fig-responses-feasibility": "Feasibility of progress, as answered: 6 respondents on 10 of 11 issues",
        "annex-fig-responses-location": "Most respondents by location: Europe (4 of 6)",
        "annex-fig-responses-affiliation": "Most respondents by affiliation: government (3 of 6)",
    }
    captions = {b.plain: b.id for b in source.lost_charts(document)}
    for name, caption in zip(RESPONSE_FIGURES, source.LOST_CHART_CAPTIONS):
        subtitle = " ".join(specs[name]["layer"][0]["title"]["subtitle"] if "layer" in specs[name]
                            else specs[name]["title"]["subtitle"])
        assert "synthetic-responses.csv" in subtitle and captions[caption] in subtitle and caption in subtitle
        assert {"passage_id", "file"} <= tooltip_fields(specs[name])
    assert NO_RESPONSES not in notebook_text(result.folder / f"{CHAPTER}.ipynb")
    assert any(k.endswith("synthetic-responses.csv") for k in result.record["inputs"])


@pytest.mark.chapters
def test_responses_charts_count_every_issue_and_keep_answers_as_written(runs):
    folder = runs["responses"].folder
    best = values(exported_spec(folder, "annex-fig-responses-best-issue")).set_index("issue_label")
    assert len(best) == 11 and best.loc["Climate / energy", "respondents"] == 0
    assert best.loc["R2P", "respondents"] == 2  # the respondent naming two issues counts for both
    feasibility_spec = exported_spec(folder, "annex-fig-responses-feasibility")
    feasibility = values(feasibility_spec)
    assert set(feasibility["answer"]) == {"3", "5", "don't know"}  # not scored, not averaged
    assert "Drones" not in set(feasibility["issue_label"])
    assert feasibility_spec["encoding"]["color"]["sort"] == ["3", "5", "don't know"]
    climate = feasibility.query("issue_label == 'Climate / energy'").set_index("answer")["respondents"]
    assert climate.to_dict() == {"3": 5, "don't know": 1}


@pytest.mark.chapters
def test_chapter_with_a_broken_file_fails_with_the_whole_report_and_draws_nothing(runs):
    result = runs["broken"]
    assert result.status == "failed"
    assert result.error["ename"] == "ValidationFailed"
    assert "2 problem(s)" in result.error["evalue"]
    assert "row 2, column 'chart'" in result.error["evalue"] and "row 4, column 'issue'" in result.error["evalue"]
    assert not exported(result) & set(RESPONSE_FIGURES)


def test_parameters_accept_an_empty_file_and_refuse_a_missing_one(tmp_path):
    (plan,) = runner.plan_runs([CHAPTER], texts=[("responses_file", "")])
    assert plan.parameters["responses_file"] == ""
    with pytest.raises(MissingPathError, match="does not exist"):
        runner.plan_runs([CHAPTER], texts=[("responses_file", str(tmp_path / "none.csv"))])

