"""The survey annex: the best-placed table and its frames, the charts, and the raw-responses file.

Every responses file in these tests is SYNTHETIC: made here, in pytest's tmp_path, to exercise
the schema, the validation and the charts. None is real survey data; none is written to data/
or shown in the book.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from pathlib import Path

import frictionless
import nbformat
import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, title_text, tooltip_fields

from compendium.data import tables as data
from compendium import paths
from compendium.book import runner
from compendium.data import source
from compendium import survey
from compendium.analysis import survey_vs_meeting
from compendium.errors import ValidationFailed
from compendium.book.params import MissingPathError

CHAPTER = "survey-annex"
RESPONSE_FIGURES = (
    "annex-fig-responses-best-issue",
    "annex-fig-responses-feasibility",
    "annex-fig-responses-region",
    "annex-fig-responses-affiliation",
)
BOOK_FIGURES = ("annex-fig-matrix", "annex-fig-actors", "annex-fig-coverage", "annex-fig-agreement")

pytestmark = pytest.mark.usefixtures("theme")


# -- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issue_frame(document, tables) -> pd.DataFrame:
    return survey.survey_issues(document, tables["issues"])


@pytest.fixture(scope="module")
def schema(issue_frame) -> dict:
    return survey.responses_schema(issue_frame)


def synthetic_rows(issue_frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """A SYNTHETIC responses table with known answers: 6 respondents; Migration chosen 3 times;
    Europe and government 3 times each; every issue rated 3 except R2P (all 5) and Drones (never rated)."""
    ratings = list(issue_frame["rating_column"])
    header = ["respondent_id", "region", "affiliation", "best_issue", *ratings]
    people = [
        ("synthetic-1", "Europe", "government", "Migration"),
        ("synthetic-2", "Europe", "civil society/NGO", "Migration"),
        ("synthetic-3", "Africa", "government", "R2P"),
        ("synthetic-4", "Asia-Pacific", "academia/think tank", "Migration"),
        ("synthetic-5", "Europe", "UN/international organization", "R2P"),
        ("synthetic-6", "Global/other", "government", "Drones"),
    ]

    def rating(column: str) -> str:
        return {"feasibility_r2p": "5", "feasibility_drones": ""}.get(column, "3")

    return header, [[*person, *(rating(c) for c in ratings)] for person in people]


def csv_bytes(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows([header, *rows])
    return buffer.getvalue().encode("utf-8")


@pytest.fixture
def synthetic_file(tmp_path, issue_frame) -> Path:
    """A valid SYNTHETIC responses file in tmp_path."""
    path = tmp_path / "synthetic-responses.csv"
    path.write_bytes(csv_bytes(*synthetic_rows(issue_frame)))
    return path


def subtitle_text(spec: dict) -> list[str]:
    node = spec if "title" in spec else spec["layer"][0]
    return node["title"]["subtitle"]


# -- words --------------------------------------------------------------------------------


def test_leaders_keeps_ties_in_frame_order():
    frame = pd.DataFrame({"name": ["x", "y", "z"], "n": [2, 3, 3]})
    assert survey.leaders(frame, "n", "name") == (["y", "z"], 3)
    assert survey.leaders(frame.iloc[:0], "n", "name") == ([], 0)


# -- the best-placed table, real data -------------------------------------------------------


def test_survey_issues_follow_the_annex_table(document, issue_frame):
    table = source.survey_table(document)
    assert list(issue_frame["issue_label"]) == list(table["issue_label"].unique())
    assert list(issue_frame["rating_column"]) == ["feasibility_" + i for i in issue_frame["issue_id"]]
    for row in issue_frame.itertuples():
        assert row.answer in document.block(row.passage_id).text


def test_best_placed_table_shows_each_row_as_written(document, best_placed):
    table = survey.best_placed_table(best_placed, document)
    rows = [b for b in document.section("annex-a").blocks if b.kind == "row"]
    assert list(table["Passage"]) == [b.id for b in rows]
    assert [f"{i}\t{a}" for i, a in zip(table["Issue (as in the annex)"],
                                        table["Best placed organization / actor (as in the annex)"])] == [b.text for b in rows]
    assert table.set_index("Passage").loc["annex-a/r5", "Actors named"] == 3


def test_actor_frequency_counts_issues_per_actor(best_placed, tables):
    frequency = survey.actor_frequency(best_placed, tables["actors"]).set_index("actor_label")
    assert frequency["issues"].to_dict() == {
        "CSOs": 3, "Regional organizations": 3, "UN/UN agencies": 3, "Think tanks": 2, "United States": 2, "IFIs": 1,
    }
    assert frequency.loc["UN/UN agencies", "alone"] == 1 and frequency.loc["UN/UN agencies", "with_others"] == 2
    assert frequency["issues"].sum() == len(best_placed)
    assert frequency.loc["IFIs", "category"] == "financial"


def test_actor_frequency_on_a_crafted_table():
    crafted = pd.DataFrame(
        {
            "passage_id": ["r1", "r2", "r2", "r3"],
            "issue_id": ["a", "b", "b", "c"],
            "issue_label": ["A", "B", "B", "C"],
            "actor_id": ["x", "x", "y", "y"],
            "actor_label": ["X", "X", "Y", "Y"],
            "actors_in_cell": [1, 2, 2, 1],
        }
    )
    actors = pd.DataFrame({"actor_id": ["x", "y"], "category": ["c1", "c2"]})
    frequency = survey.actor_frequency(crafted, actors)
    assert frequency[["actor_label", "issues", "alone", "with_others"]].values.tolist() == [["X", 2, 1, 1], ["Y", 2, 1, 1]]
    assert frequency.loc[0, "issue_labels"] == "A; B" and frequency.loc[1, "passages"] == "r2, r3"
    long = survey.actor_frequency_long(frequency)
    assert set(long["how"]) == {survey.NAMED_ALONE, survey.NAMED_WITH_OTHERS} and long["count"].sum() == 4


def test_matrix_highlights_the_chosen_actor_and_refuses_unknown_ones(document, best_placed):
    matrix = survey.best_placed_matrix(best_placed, document, "united-states")
    assert set(matrix.loc[matrix["role"] == "United States", "issue_label"]) == {"Nuclear proliferation", "Maritime security"}
    with pytest.raises(ValueError, match="valid: .*un-system"):
        survey.best_placed_matrix(best_placed, document, "secretary-general")


# -- coverage: what the survey asked and the meeting discussed --------------------------------


def test_coverage_on_the_real_data(tables):
    coverage = survey.coverage_by_issue(tables["claims"], tables["issues"])
    assert list(survey.asked_not_discussed(coverage)["Issue"]) == ["Nuclear proliferation", "Maritime security"]
    said_only = survey.discussed_not_asked(coverage)
    claimed = set(tables["claims"]["issue_id"])
    unsurveyed = tables["issues"][~tables["issues"]["surveyed"] & tables["issues"]["issue_id"].isin(claimed)]
    assert set(said_only["Issue"]) == set(unsurveyed["label"])
    assert "Modern slavery and human trafficking" in set(said_only["Issue"])
    assert said_only["Cluster"].iloc[-1] == survey.CROSS_CUTTING  # cross-cutting issues come last


def test_coverage_on_crafted_frames():
    issues = pd.DataFrame(
        {
            "issue_id": ["a", "b", "c", "d"],
            "label": ["Issue A", "Issue B", "Issue C", "Issue D"],
            "cluster": pd.array([1, 2, None, 3], dtype="Int64"),
            "surveyed": [True, True, False, False],
            "survey_label": ["A", "B", None, None],
        }
    )
    claims = pd.DataFrame(
        {
            "claim_id": ["x#1", "x#2"],
            "passage_id": ["cluster-1/p1", "key-findings/b1"],
            "quote": ["qa", "qc"],
            "issue_id": ["a", "c"],
            "un_stance": ["un-should-lead", "no-position"],
        }
    )
    coverage = survey.coverage_by_issue(claims, issues).set_index("issue_id")
    assert coverage["coverage"].to_dict() == {
        "a": "asked and discussed", "b": "asked, not discussed", "c": "discussed, not asked", "d": "neither",
    }
    assert coverage.loc["c", "cluster_label"] == survey.CROSS_CUTTING
    assert list(survey.asked_not_discussed(coverage.reset_index())["Issue"]) == ["Issue B"]
    assert survey.discussed_not_asked(coverage.reset_index())[["Issue", "Claims", "Example passage"]].values.tolist() == [
        ["Issue C", 1, "key-findings/b1"]
    ]


def test_annex_comparison_table_names_columns_as_the_annex_does(tables, best_placed):
    comparison = survey_vs_meeting(tables["claims"], tables["issues"], best_placed)
    table = survey.annex_comparison_table(comparison)
    assert list(table.columns) == ["Issue (as in the annex)", "Survey: best placed", "Survey names the UN",
                                   "Meeting's stance on the UN's role", "Meeting passage", "Agreement"]
    assert list(table["Issue (as in the annex)"]) == list(comparison["issue_label"]) and len(table) == 11
    assert table.set_index("Issue (as in the annex)").loc["R2P", "Agreement"] == "agree"


def test_lost_charts_are_listed_from_the_source_and_nothing_else(document):
    table = survey.lost_charts_table(document)
    assert list(table["Chart (caption in the source)"]) == list(source.LOST_CHART_CAPTIONS)
    assert list(table["Passage"]) == [b.id for b in source.lost_charts(document)]
    assert set(table["Data in the source"]).pop().startswith("none")


# -- charts on the real data ------------------------------------------------------------------


def test_matrix_chart(document, best_placed, tables):
    frequency = survey.actor_frequency(best_placed, tables["actors"])
    matrix = survey.best_placed_matrix(best_placed, document, "un-system")
    spec = chart_spec(survey.best_placed_matrix_chart(matrix, list(frequency["actor_label"])))
    assert title_text(spec) == "The survey names UN/UN agencies best placed for 3 of 11 issues"
    assert {"passage_id", "answer", "issue_label", "actor_label"} <= tooltip_fields(spec)
    assert spec["encoding"]["row"]["field"] == "cluster_label"  # grouped by cluster


def test_matrix_chart_title_follows_the_highlighted_actor(document, best_placed, tables):
    frequency = survey.actor_frequency(best_placed, tables["actors"])
    matrix = survey.best_placed_matrix(best_placed, document, "ifis")
    title = title_text(chart_spec(survey.best_placed_matrix_chart(matrix, list(frequency["actor_label"]))))
    assert title == "The survey names IFIs best placed for 1 of 11 issues"


def test_actor_frequency_chart_names_every_tied_leader(best_placed, tables):
    frequency = survey.actor_frequency(best_placed, tables["actors"])
    spec = chart_spec(survey.actor_frequency_chart(survey.actor_frequency_long(frequency), 11))
    assert title_text(spec) == (
        "Named best placed most often: CSOs, Regional organizations and UN/UN agencies (3 of 11 issues each)"
    )
    assert {"passages", "issue_labels"} <= tooltip_fields(spec)


def test_coverage_chart(tables):
    coverage = survey.coverage_by_issue(tables["claims"], tables["issues"])
    spec = chart_spec(survey.coverage_chart(coverage))
    said_only = int((coverage["coverage"] == "discussed, not asked").sum())
    assert title_text(spec) == (
        f"The survey asked about 2 issues the meeting never discussed; the meeting discussed {said_only} "
        "the survey did not ask about"
    )
    assert {"passage_id", "quote"} <= tooltip_fields(spec)


# -- the responses schema --------------------------------------------------------------------


def test_schema_file_in_the_data_package_is_the_one_derived_from_the_annex(issue_frame, schema):
    assert survey.schema_path() == paths.DATA_DIR / survey.SCHEMA_FILE
    assert json.loads(survey.schema_path().read_text(encoding="utf-8")) == schema
    assert survey.read_responses_schema(paths.DATA_DIR, issue_frame) == schema
    assert list(frictionless.Schema.metadata_validate(schema)) == []


def test_schema_takes_issue_names_from_the_source(document, schema, issue_frame):
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["best_issue"]["constraints"]["enum"] == list(source.survey_table(document)["issue_label"].unique())
    ratings = [n for n in fields if n.startswith("feasibility_")]
    assert ratings == list(issue_frame["rating_column"])
    assert all(fields[n]["constraints"] == {"minimum": 1, "maximum": 5} for n in ratings)
    assert fields["region"]["constraints"]["enum"] == list(survey.REGIONS)
    assert schema["primaryKey"] == ["respondent_id"]


def test_a_schema_file_that_drifted_from_the_annex_is_refused(tmp_path, issue_frame, schema):
    copy_dir = Path(shutil.copytree(paths.DATA_DIR, tmp_path / "data"))
    drifted = copy.deepcopy(schema)
    drifted["fields"][3]["constraints"]["enum"][0] = "Climate"
    (copy_dir / survey.SCHEMA_FILE).write_text(json.dumps(drifted), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="differs from the schema derived from the annex table"):
        survey.read_responses_schema(copy_dir, issue_frame)


def test_the_data_package_points_to_the_schema_without_breaking(schema):
    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    assert descriptor[survey.DESCRIPTOR_KEY]["schema"] == survey.SCHEMA_FILE
    assert list(frictionless.Package.metadata_validate(descriptor)) == []
    assert data.validate_tables() == []


def test_dictionary_and_layout_of_the_responses_file(schema):
    dictionary = survey.responses_dictionary(schema)
    assert list(dictionary.columns) == list(data.data_dictionary().columns)
    assert len(dictionary) == len(schema["fields"])
    assert dictionary.set_index("field").loc["respondent_id", "key"] == "primary key"
    layout = survey.responses_layout(schema)
    assert len(layout) == 5  # four named columns, then the rating columns in one row
    assert layout["Column"].iloc[-1] == "feasibility_<issue id>"
    assert "feasibility_drug-control" in layout["Meaning"].iloc[-1]
    assert layout.set_index("Column").loc["best_issue", "Allowed values"].startswith("Climate / energy; ")


def test_frictionless_agrees_that_the_synthetic_file_is_valid(synthetic_file, schema):
    fields_only = {k: v for k, v in schema.items() if k in ("fields", "missingValues", "primaryKey")}
    resource = frictionless.Resource(synthetic_file.read_bytes(), format="csv",
                                     schema=frictionless.Schema.from_descriptor(fields_only))
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])


# -- loading a responses file ------------------------------------------------------------------


def test_load_a_valid_synthetic_file(synthetic_file, schema):
    responses = survey.load_responses(synthetic_file, schema)
    assert list(responses.columns) == [f["name"] for f in schema["fields"]]
    assert len(responses) == 6
    assert str(responses["feasibility_r2p"].dtype) == "Int64"
    assert responses["feasibility_r2p"].tolist() == [5] * 6
    assert responses["feasibility_drones"].isna().all()


def test_load_accepts_bom_crlf_any_column_order_and_blank_lines(tmp_path, issue_frame, schema):
    header, rows = synthetic_rows(issue_frame)
    order = list(reversed(range(len(header))))
    body = csv_bytes([header[i] for i in order], [[r[i] for i in order] for r in rows], newline="\r\n")
    path = tmp_path / "synthetic-bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + body + b"\r\n\r\n")
    responses = survey.load_responses(path, schema)
    assert len(responses) == 6 and responses.loc[0, "respondent_id"] == "synthetic-1"


def test_empty_parameter_means_no_responses(schema):
    assert survey.load_responses_if_given("", schema) is None


def _edit(issue_frame, change):
    header, rows = synthetic_rows(issue_frame)
    change(header, rows)
    return csv_bytes(header, rows)


def _set(row: int, column: str, value: str):
    """Set one cell; ``row`` counts as a spreadsheet does (header = row 1)."""
    def change(header, rows):
        rows[row - 2][header.index(column)] = value
    return change


def _drop_column(column: str):
    def change(header, rows):
        index = header.index(column)
        del header[index]
        for r in rows:
            del r[index]
    return change


def _add_column(column: str):
    def change(header, rows):
        header.append(column)
        for r in rows:
            r.append("x")
    return change


def _several(*changes):
    def change(header, rows):
        for c in changes:
            c(header, rows)
    return change


def _ragged(header, rows):
    rows[2] = rows[2][:3]


# (label, how to break the SYNTHETIC file, expected (row, column) of every problem, words in the report)
BAD_FILES = [
    ("missing column", _drop_column("region"), {(1, "region")}, "missing column"),
    ("missing rating column", _drop_column("feasibility_r2p"), {(1, "feasibility_r2p")}, "missing column"),
    ("unexpected column", _add_column("age"), {(1, "age")}, "unexpected column 'age'"),
    ("unknown issue name", _set(3, "best_issue", "Cybersecurity"), {(3, "best_issue")}, "unknown issue 'Cybersecurity'"),
    ("unknown region", _set(4, "region", "Oceania"), {(4, "region")}, "unknown region 'Oceania'"),
    ("unknown affiliation", _set(2, "affiliation", "media"), {(2, "affiliation")}, "unknown affiliation 'media'"),
    ("rating above range", _set(5, "feasibility_migration", "6"), {(5, "feasibility_migration")}, "out of range 1 to 5"),
    ("rating below range", _set(2, "feasibility_r2p", "0"), {(2, "feasibility_r2p")}, "out of range 1 to 5"),
    ("rating not whole", _set(6, "feasibility_drones", "3.5"), {(6, "feasibility_drones")}, "not a whole number"),
    ("rating in words", _set(7, "feasibility_drones", "high"), {(7, "feasibility_drones")}, "not a whole number"),
    ("duplicate id", _set(5, "respondent_id", "synthetic-2"), {(5, "respondent_id")}, "first on row 3"),
    ("required value missing", _set(3, "region", ""), {(3, "region")}, "a value is required"),
    ("ragged row", _ragged, {(4, None)}, "has 3 cells"),
    (
        "several problems at once",
        _several(_drop_column("affiliation"), _set(2, "region", "Mars"), _set(3, "best_issue", "Space"),
                 _set(4, "feasibility_r2p", "9"), _set(7, "respondent_id", "synthetic-1")),
        {(1, "affiliation"), (2, "region"), (3, "best_issue"), (4, "feasibility_r2p"), (7, "respondent_id")},
        "5 problem(s)",
    ),
]


@pytest.mark.parametrize(("label", "change", "where", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_responses_are_reported_together_with_row_and_column(tmp_path, issue_frame, schema, label, change, where, words):
    path = tmp_path / "synthetic-bad.csv"
    path.write_bytes(_edit(issue_frame, change))
    with pytest.raises(ValidationFailed) as caught:
        survey.load_responses(path, schema)
    failure = caught.value
    assert {(p.row, p.column) for p in failure.problems} == where
    assert {p.file for p in failure.problems} == {"synthetic-bad.csv"}
    assert str(path) in str(failure) and words in str(failure)


@pytest.mark.parametrize(
    ("label", "content", "where", "words"),
    [
        ("not UTF-8", None, {(4, "region")}, "not valid UTF-8"),
        ("empty file", b"", {(None, None)}, "file is empty"),
        ("header only", "header", {(None, None)}, "no responses"),
    ],
    ids=["not-utf8", "empty", "header-only"],
)
def test_bad_files_are_reported(tmp_path, issue_frame, schema, label, content, where, words):
    header, rows = synthetic_rows(issue_frame)
    if content is None:  # a Latin-1 byte in one cell: reported once, not also as an unknown region
        content = csv_bytes(header, rows).replace(b"Africa", b"Afric\xe0")
    elif content == "header":
        content = csv_bytes(header, [])
    path = tmp_path / "synthetic-bad.csv"
    path.write_bytes(content)
    with pytest.raises(ValidationFailed) as caught:
        survey.load_responses(path, schema)
    assert {(p.row, p.column) for p in caught.value.problems} == where
    assert words in str(caught.value)


def test_missing_file_and_folder_are_refused(tmp_path, schema):
    with pytest.raises(ValidationFailed, match="file not found"):
        survey.load_responses(tmp_path / "none.csv", schema)
    with pytest.raises(ValidationFailed, match="is a folder"):
        survey.load_responses(tmp_path, schema)


# -- frames and charts from a SYNTHETIC responses file ------------------------------------------


@pytest.fixture
def synthetic(synthetic_file, schema) -> pd.DataFrame:
    return survey.load_responses(synthetic_file, schema)


def test_best_issue_counts_include_every_issue(synthetic, issue_frame):
    counts = survey.best_issue_counts(synthetic, issue_frame).set_index("issue_label")
    assert len(counts) == len(issue_frame)
    assert counts.loc["Migration", "respondents"] == 3 and counts.loc["Climate / energy", "respondents"] == 0
    assert counts["share"].sum() == pytest.approx(1.0)


def test_feasibility_ratings_have_known_means(synthetic, issue_frame):
    ratings = survey.feasibility_ratings(synthetic, issue_frame)
    means = ratings.drop_duplicates("issue_id").set_index("issue_id")
    assert means.loc["r2p", "mean"] == 5.0 and means.loc["migration", "mean"] == 3.0
    assert means.loc["drones", "raters"] == 0 and pd.isna(means.loc["drones", "mean"])
    r2p = ratings[ratings["issue_id"] == "r2p"].set_index("rating")["respondents"]
    assert r2p.to_dict() == {1: 0, 2: 0, 3: 0, 4: 0, 5: 6}


def test_respondents_by_lists_every_category(synthetic):
    regions = survey.respondents_by(synthetic, "region", survey.REGIONS).set_index("category")
    assert list(regions.index) == list(survey.REGIONS)
    assert regions.loc["Europe", "respondents"] == 3 and regions.loc["North America", "respondents"] == 0


def test_the_four_responses_charts_state_their_findings(synthetic, issue_frame, document):
    charts = survey.responses_charts(synthetic, issue_frame, document, "tmp/synthetic-responses.csv")
    assert tuple(charts) == RESPONSE_FIGURES
    specs = {name: chart_spec(chart) for name, chart in charts.items()}
    titles = {name: title_text(spec) for name, spec in specs.items()}
    assert titles["annex-fig-responses-best-issue"] == (
        "Chosen most often as the best issue for the UN: Migration (3 of 6 respondents)"
    )
    assert titles["annex-fig-responses-feasibility"] == "Rated most feasible: R2P (mean 5.0 of 5)"
    assert titles["annex-fig-responses-region"] == "Most respondents by region: Europe (3 of 6)"
    assert titles["annex-fig-responses-affiliation"] == "Most respondents by affiliation: government (3 of 6)"
    captions = {b.plain: b.id for b in source.lost_charts(document)}
    for name, spec in specs.items():
        assert "synthetic-responses.csv" in " ".join(subtitle_text(spec))
        assert {"passage_id", "file"} <= tooltip_fields(spec)
    assert captions["Feasibility of progress by issue"] in " ".join(subtitle_text(specs["annex-fig-responses-feasibility"]))


def test_no_responses_no_charts(issue_frame, document):
    assert survey.responses_charts(None, issue_frame, document, "") == {}


# -- the chapter through the runner ---------------------------------------------------------------


def notebook_text(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


def exported(result: runner.RunResult) -> set[str]:
    return {p.name for p in (result.folder / "charts").glob("*.vl.json")}


@pytest.fixture(scope="module")
def runs(tmp_path_factory, issue_frame) -> dict[str, runner.RunResult]:
    """One batch: defaults with another highlighted actor, a valid SYNTHETIC file, a broken SYNTHETIC file."""
    folder = tmp_path_factory.mktemp("synthetic")
    good, bad = folder / "synthetic-responses.csv", folder / "synthetic-broken.csv"
    good.write_bytes(csv_bytes(*synthetic_rows(issue_frame)))
    bad.write_bytes(_edit(issue_frame, _several(_set(2, "region", "Mars"), _set(3, "feasibility_r2p", "9"))))
    return run_plans(
        tmp_path_factory.mktemp("runs"), jobs=3,
        default=runner.plan_runs([CHAPTER], texts=[("highlight_actor", "civil-society")]),
        responses=runner.plan_runs([CHAPTER], texts=[("responses_file", str(good))]),
        broken=runner.plan_runs([CHAPTER], texts=[("responses_file", str(bad))]),
    )


def test_chapter_without_responses_draws_none_and_says_so(runs):
    result = runs["default"]
    assert result.status == "ok", result.error
    assert exported(result) == {f"{n}.vl.json" for n in BOOK_FIGURES}
    assert "No file of raw survey responses was given" in notebook_text(result.folder / f"{CHAPTER}.ipynb")


def test_changed_highlight_actor_shows_in_the_exported_chart(runs):
    result = runs["default"]
    assert result.record["overrides"] == {"highlight_actor": "civil-society"}
    spec = exported_spec(result.folder, "annex-fig-matrix")
    assert title_text(spec) == "The survey names CSOs best placed for 3 of 11 issues"
    assert {"tables/annex-best-placed.csv", "tables/annex-agreement-counts.csv"} <= set(result.record["outputs"])


def test_chapter_with_a_synthetic_responses_file_draws_the_four_charts(runs):
    result = runs["responses"]
    assert result.status == "ok", result.error
    for name in RESPONSE_FIGURES:
        for suffix in (".vl.json", ".svg", ".png"):
            assert f"charts/{name}{suffix}" in result.record["outputs"]
    spec = exported_spec(result.folder, "annex-fig-responses-best-issue")
    assert title_text(spec).endswith("Migration (3 of 6 respondents)")
    assert "No file of raw survey responses was given" not in notebook_text(result.folder / f"{CHAPTER}.ipynb")
    assert any(k.endswith("synthetic-responses.csv") for k in result.record["inputs"])


def test_chapter_with_a_broken_file_fails_with_the_whole_report_and_draws_nothing(runs):
    result = runs["broken"]
    assert result.status == "failed"
    assert result.error["ename"] == "ValidationFailed"
    assert "2 problem(s)" in result.error["evalue"]
    assert "row 2, column 'region'" in result.error["evalue"] and "row 3, column 'feasibility_r2p'" in result.error["evalue"]
    assert not exported(result) & {f"{n}.vl.json" for n in RESPONSE_FIGURES}


def test_parameters_accept_an_empty_file_and_refuse_a_missing_one(tmp_path):
    (plan,) = runner.plan_runs([CHAPTER], texts=[("responses_file", "")])
    assert plan.parameters["responses_file"] == ""
    with pytest.raises(MissingPathError, match="does not exist"):
        runner.plan_runs([CHAPTER], texts=[("responses_file", str(tmp_path / "none.csv"))])
