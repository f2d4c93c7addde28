"""The survey-annex chapter, on the files its runs export: the default run, and runs with changed
parameters (another highlighted actor, an unknown one, a valid and a broken responses file).

Every responses file in these tests is SYNTHETIC: made here, in pytest's tmp_path, to exercise the
chapter's charts. None is real survey data; none is written to data/ or shown in the book.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields

from compendium.book import runner
from compendium.book.params import MissingPathError
from compendium.data import source
from compendium.data import responses
from compendium.data.responses import AFFILIATIONS, BEST_ISSUE, FEASIBILITY, LOCATIONS

CHAPTER = "survey-annex"
BOOK_FIGURES = ("annex-fig-matrix", "annex-fig-actors", "annex-fig-coverage", "annex-fig-agreement")
RESPONSE_FIGURES = (
    "annex-fig-responses-best-issue",
    "annex-fig-responses-feasibility",
    "annex-fig-responses-location",
    "annex-fig-responses-affiliation",
)
NO_RESPONSES = "No file of raw survey responses was given"


@pytest.fixture(scope="module")
def folder(executed_run) -> Path:
    """The default run's export folder."""
    return executed_run(CHAPTER).folder


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "tables" / f"{name}.csv", keep_default_na=False)


def values(spec: dict) -> pd.DataFrame:
    """Return the one dataset a chart spec carries, as a frame."""
    (rows,) = spec["datasets"].values()
    return pd.DataFrame(rows)


def notebook_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def exported(result: runner.RunResult) -> set[str]:
    return {p.name.removesuffix(".vl.json") for p in (result.folder / "charts").glob("*.vl.json")}


# -- the default run: the best-placed table and its charts --------------------------------------


def test_best_placed_table_shows_each_row_as_written(folder, document):
    annex = table(folder, "annex-best-placed")
    rows = [b for b in document.section("annex-a").blocks if b.kind == "row"]
    assert list(annex["Passage"]) == [b.id for b in rows]
    written = zip(annex["Issue (as in the annex)"], annex["Best placed organization / actor (as in the annex)"])
    assert [f"{issue}\t{answer}" for issue, answer in written] == [b.text for b in rows]
    assert annex.set_index("Passage").loc["annex-a/r5", "Actors named"] == 3


def test_actor_chart_counts_issues_per_actor_and_names_every_tied_leader(folder, best_placed):
    spec = exported_spec(folder, "annex-fig-actors")
    assert title_text(spec) == (
        "Named best placed most often: CSOs, Regional organizations and UN/UN agencies (3 of 11 issues each)"
    )
    counts = values(spec).pivot_table(index="actor_label", columns="how", values="count", aggfunc="sum")
    assert counts.sum(axis=1).to_dict() == {
        "CSOs": 3, "IFIs": 1, "Regional organizations": 3, "Think tanks": 2, "UN/UN agencies": 3, "United States": 2,
    }
    assert counts.loc["UN/UN agencies"].to_dict() == {"named alone": 1, "named with others": 2}
    assert counts.to_numpy().sum() == len(best_placed)
    assert {"passages", "issue_labels"} <= tooltip_fields(spec)


def test_matrix_chart_highlights_the_un_by_default(folder):
    spec = exported_spec(folder, "annex-fig-matrix")
    assert title_text(spec) == "The survey names UN/UN agencies best placed for 3 of 11 issues"
    assert {"passage_id", "answer", "issue_label", "actor_label"} <= tooltip_fields(spec)
    assert spec["encoding"]["row"]["field"] == "cluster_label"  # grouped by cluster
    marked = values(spec).query("role == 'UN/UN agencies'")
    assert set(marked["issue_label"]) == {"R2P", "Disease / public health", "Drones"}


# -- the default run: coverage and the comparison ----------------------------------------------


def test_coverage_tables_on_the_real_data(folder, tables):
    assert list(table(folder, "annex-asked-not-discussed")["Issue"]) == ["Nuclear proliferation", "Maritime security"]
    said_only = table(folder, "annex-discussed-not-asked")
    claimed = set(tables["claims"]["issue_id"])
    unsurveyed = tables["issues"][~tables["issues"]["surveyed"] & tables["issues"]["issue_id"].isin(claimed)]
    assert set(said_only["Issue"]) == set(unsurveyed["label"])
    assert "Modern slavery and human trafficking" in set(said_only["Issue"])
    assert said_only["Cluster"].iloc[-1] == "Cross-cutting"  # cross-cutting issues come last
    for _, rows in said_only.groupby("Cluster", sort=False):  # most claims first within a cluster
        assert list(rows["Claims"]) == sorted(rows["Claims"], reverse=True)
    claims = tables["claims"].set_index("claim_id")
    for passage in said_only["Example passage"]:
        assert passage in set(claims["passage_id"])


def test_coverage_chart_states_both_gaps(folder):
    spec = exported_spec(folder, "annex-fig-coverage")
    said_only = len(table(folder, "annex-discussed-not-asked"))
    assert title_text(spec) == (
        f"The survey asked about 2 issues the meeting never discussed; the meeting discussed {said_only} "
        "the survey did not ask about"
    )
    assert {"passage_id", "quote"} <= tooltip_fields(spec)
    kinds = values(spec)["coverage"].value_counts()
    assert kinds["asked, not discussed"] == 2 and kinds["discussed, not asked"] == said_only
    assert values(spec).query("coverage == 'asked, not discussed'")["label"].eq("not discussed").all()


def test_comparison_table_names_columns_as_the_annex_does(folder):
    comparison = table(folder, "annex-comparison")
    assert list(comparison.columns) == ["Issue (as in the annex)", "Survey: best placed", "Survey names the UN",
                                        "Meeting's stance on the UN's role", "Meeting passage", "Agreement"]
    assert len(comparison) == 11
    assert comparison.set_index("Issue (as in the annex)").loc["R2P", "Agreement"] == "agree"
    counts = table(folder, "annex-agreement-counts").set_index("agreement")["issues"]
    assert counts.sum() == 11 and counts["agree"] == (comparison["Agreement"] == "agree").sum()


def test_claims_table_holds_only_positioned_claims_on_surveyed_issues(folder, tables):
    claims = table(folder, "annex-claims")
    surveyed = tables["issues"].loc[tables["issues"]["surveyed"], "issue_id"]
    expected = tables["claims"][tables["claims"]["issue_id"].isin(surveyed) & (tables["claims"]["un_stance"] != "no-position")]
    assert len(claims) == len(expected) > 0
    assert "Claim type" not in claims.columns and "Feasibility" not in claims.columns


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
    assert {"tables/annex-best-placed.csv", "tables/annex-agreement-counts.csv"} <= set(result.record["outputs"])


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

