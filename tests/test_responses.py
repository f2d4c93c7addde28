"""The raw-responses file: its schema keeps only what the source shows, and broken files are
reported as the data package's tables are (frictionless, file, row, column).

Every responses file in these tests is SYNTHETIC: made here, in pytest's tmp_path, to exercise
the schema and the validation. None is real survey data; none is written to data/.
"""

from __future__ import annotations

import copy
import csv
import io
import json
import shutil
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from compendium import paths
from compendium.analysis import survey_issues
from compendium.data import responses, source
from compendium.data import tables as data
from compendium.errors import ValidationFailed

HEADER = ["respondent_id", "chart", "issue", "answer"]
BEST, FEASIBLE, WHERE, WHO = source.LOST_CHART_CAPTIONS
# A SYNTHETIC file, one row per answer; the spreadsheet row of each answer is its index + 2.
ROWS = [
    ["synthetic-1", BEST, "Migration", ""],
    ["synthetic-1", FEASIBLE, "Migration", "3"],
    ["synthetic-1", WHERE, "", "Europe"],
    ["synthetic-1", WHO, "", "government"],
    ["synthetic-2", BEST, "Migration", ""],
    ["synthetic-2", BEST, "R2P", ""],
    ["synthetic-2", FEASIBLE, "R2P", "very likely"],
    ["synthetic-2", WHERE, "", "Africa"],
]


@pytest.fixture(scope="module")
def issue_frame(document, tables) -> pd.DataFrame:
    return survey_issues(document, tables["issues"])


@pytest.fixture(scope="module")
def schema(issue_frame) -> dict:
    return responses.responses_schema(issue_frame)


def csv_bytes(header: list[str], rows: list[list[str]], newline: str = "\n") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows([header, *rows])
    return buffer.getvalue().encode("utf-8")


def write(tmp_path: Path, content: bytes, name: str = "synthetic-responses.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


# -- the schema: only what the source shows ----------------------------------------------------


def test_schema_file_in_the_data_package_is_the_one_derived_from_the_source(issue_frame, schema):
    assert responses.schema_path() == paths.DATA_DIR / responses.SCHEMA_FILE
    assert json.loads(responses.schema_path().read_text(encoding="utf-8")) == schema
    assert responses.read_responses_schema(paths.DATA_DIR, issue_frame) == schema
    assert list(frictionless.Schema.metadata_validate(schema)) == []


def test_schema_allows_only_the_captions_and_issue_names_of_the_source(document, schema):
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["chart"]["constraints"]["enum"] == [b.plain for b in source.lost_charts(document)]
    assert fields["issue"]["constraints"]["enum"] == list(source.survey_table(document)["issue_label"].unique())
    enums = {name for name, f in fields.items() if "enum" in f.get("constraints", {})}
    assert enums == {"chart", "issue"}  # no invented categories of location, affiliation or answer
    assert {f["type"] for f in schema["fields"]} == {"string"}  # no scale: answers are kept as written
    assert not any({"minimum", "maximum"} & set(f.get("constraints", {})) for f in schema["fields"])


def test_schema_marks_its_assumptions_as_the_compendiums(schema):
    assert schema["description"].startswith(responses.ASSUMED)
    fields = {f["name"]: f for f in schema["fields"]}
    assert responses.ASSUMED in fields["respondent_id"]["description"]
    assert responses.ASSUMED in fields["issue"]["description"]
    assert "no question, answer options, categories or scale" in fields["answer"]["description"]


def test_a_schema_file_that_drifted_from_the_source_is_refused(tmp_path, issue_frame, schema):
    copy_dir = Path(shutil.copytree(paths.DATA_DIR, tmp_path / "data"))
    drifted = copy.deepcopy(schema)
    drifted["fields"][2]["constraints"]["enum"][0] = "Climate"
    (copy_dir / responses.SCHEMA_FILE).write_text(json.dumps(drifted), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="differs from the schema derived from the source"):
        responses.read_responses_schema(copy_dir, issue_frame)


def test_the_data_package_points_to_the_schema_without_breaking():
    descriptor = json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))
    assert descriptor[responses.DESCRIPTOR_KEY]["schema"] == responses.SCHEMA_FILE
    assert list(frictionless.Package.metadata_validate(descriptor)) == []
    assert data.validate_tables() == []


def test_dictionary_of_the_responses_file_has_the_data_dictionarys_columns(schema):
    dictionary = responses.responses_dictionary(schema)
    assert list(dictionary.columns) == list(data.data_dictionary().columns)
    assert list(dictionary["field"]) == HEADER
    assert dictionary.set_index("field").loc["chart", "allowed"] == ", ".join(source.LOST_CHART_CAPTIONS)


# -- loading a valid file ------------------------------------------------------------------------


def test_load_a_valid_synthetic_file(tmp_path, schema):
    frame = responses.load_responses(write(tmp_path, csv_bytes(HEADER, ROWS)), schema)
    assert list(frame.columns) == HEADER and len(frame) == len(ROWS)
    assert frame["answer"].isna().sum() == 3 and frame["issue"].isna().sum() == 3  # empty cells are missing
    assert frame.loc[6, "answer"] == "very likely"  # any answer, kept as written


def test_load_accepts_bom_crlf_any_column_order_and_trailing_empty_rows(tmp_path, schema):
    order = [3, 1, 0, 2]
    body = csv_bytes([HEADER[i] for i in order], [[r[i] for i in order] for r in ROWS], newline="\r\n")
    path = write(tmp_path, b"\xef\xbb\xbf" + body + b",,,\r\n\r\n")
    frame = responses.load_responses(path, schema)
    assert list(frame.columns) == HEADER and len(frame) == len(ROWS)
    assert frame.loc[0, "respondent_id"] == "synthetic-1"


def test_empty_parameter_means_no_responses(schema):
    assert responses.load_responses_if_given("", schema) is None
    assert responses.load_responses_if_given("  ", schema) is None


# -- broken files, by the list -----------------------------------------------------------------


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
    rows[2] = rows[2][:2]


def _blank_row(header, rows):
    rows.insert(3, [""] * len(header))


# (label, how to break the SYNTHETIC file, expected (row, column) of every problem, words in the report)
BAD_FILES = [
    ("missing column", _drop_column("chart"), {(1, "chart")}, "missing column"),
    ("unexpected column", _add_column("rating"), {(1, "rating")}, "unexpected column (allowed: respondent_id, chart"),
    ("repeated column", _add_column("issue"), {(1, "issue"), (None, None)}, "repeated column"),
    ("unknown caption", _set(3, "chart", "Respondents' Regions"), {(3, "chart")}, "Respondents' Locations"),
    ("unknown issue", _set(2, "issue", "Cybersecurity"), {(2, "issue")}, "'Info privacy / cybersecurity'"),
    ("respondent missing", _set(5, "respondent_id", ""), {(5, "respondent_id")}, 'constraint "required"'),
    ("chart missing", _set(4, "chart", ""), {(4, "chart")}, 'constraint "required"'),
    ("issue missing for a chart by issue", _set(3, "issue", ""), {(3, "issue")}, f"an answer to '{FEASIBLE}' names its issue"),
    ("issue given for a chart not by issue", _set(4, "issue", "R2P"), {(4, "issue")}, f"'{WHERE}' is not by issue"),
    ("answer given for the best issue", _set(2, "answer", "yes"), {(2, "answer")}, "the issue is the answer"),
    ("answer missing", _set(9, "answer", ""), {(9, "answer")}, "needs its answer as recorded"),
    ("ragged row", _ragged, {(4, "issue"), (4, "answer")}, "missing cell"),
    ("blank row", _blank_row, {(5, None)}, "blank row"),
    (
        "several problems at once",
        _several(_set(2, "issue", "Space"), _set(3, "issue", ""), _set(5, "chart", "Mars"), _set(9, "answer", "")),
        {(2, "issue"), (3, "issue"), (5, "chart"), (9, "answer")},
        "4 problem(s)",
    ),
]


@pytest.mark.parametrize(("label", "change", "where", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_responses_are_reported_together_with_row_and_column(tmp_path, schema, label, change, where, words):
    header, rows = list(HEADER), [list(r) for r in ROWS]
    change(header, rows)
    path = write(tmp_path, csv_bytes(header, rows), "synthetic-bad.csv")
    with pytest.raises(ValidationFailed) as caught:
        responses.load_responses(path, schema)
    failure = caught.value
    assert {(p.row, p.column) for p in failure.problems} == where
    assert {p.file for p in failure.problems} == {"synthetic-bad.csv"}
    assert str(path) in str(failure) and words in str(failure)


@pytest.mark.parametrize(
    ("content", "where", "words"),
    [
        (csv_bytes(HEADER, ROWS).replace(b"Europe", b"Europ\xe9"), {(4, "answer")}, "not valid UTF-8"),
        (b"", {(None, None)}, "file is empty"),
        (csv_bytes(HEADER, []), {(None, None)}, "no responses"),
        (b"\r\n,,,\r\n", {(None, None)}, "file is empty"),
    ],
    ids=["not-utf8", "empty", "header-only", "only-empty-rows"],
)
def test_bad_files_are_reported(tmp_path, schema, content, where, words):
    with pytest.raises(ValidationFailed) as caught:
        responses.load_responses(write(tmp_path, content, "synthetic-bad.csv"), schema)
    assert {(p.row, p.column) for p in caught.value.problems} == where
    assert words in str(caught.value)


def test_missing_file_and_folder_are_refused(tmp_path, schema):
    with pytest.raises(ValidationFailed, match="file not found"):
        responses.load_responses(tmp_path / "none.csv", schema)
    with pytest.raises(ValidationFailed, match="is a folder"):
        responses.load_responses(tmp_path, schema)
