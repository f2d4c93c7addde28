"""Raw survey responses a reader may supply: their Table Schema and its one validation path.

The schema keeps only what the source shows of the survey: the captions of Annex A's four lost
charts and the issue names of its table. Everything else about the file's layout is the
compendium's assumption, and the schema's descriptions say so. A file is checked the way the data
package's tables are (``compendium.data.tables``): cells and rows by frictionless against the
schema, columns matched by name, every problem reported at once with its file, row and column.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pandas as pd

from compendium import paths
from compendium.data import source, tables
from compendium.errors import Problem, ValidationFailed
from compendium.io import write_text_atomic

RESPONSES_NAME = "survey-responses"
SCHEMA_FILE = "survey-responses.schema.json"
DESCRIPTOR_KEY = "surveyResponses"  # where datapackage.json points to the schema file

# The four lost charts, by their captions in the source (source.LOST_CHART_CAPTIONS, in order).
BEST_ISSUE, FEASIBILITY, LOCATIONS, AFFILIATIONS = source.LOST_CHART_CAPTIONS
# The charts whose captions say they are by issue; the other two are about the respondents.
BY_ISSUE = (BEST_ISSUE, FEASIBILITY)
ASSUMED = "The compendium's assumption, not the source's:"


# -- the schema ----------------------------------------------------------------------------


def responses_schema(issues: pd.DataFrame) -> dict:
    """Return the Table Schema of a raw-responses file, its issue names taken from ``issues``
    (one row per issue of the annex table, ``issue_label`` as the annex writes it)."""
    fields = [
        {
            "name": "respondent_id",
            "type": "string",
            "description": f"Who answered, as the survey export identifies them; any text. {ASSUMED} "
                           "the export identifies respondents, and all answers of one respondent carry the same id.",
            "constraints": {"required": True},
        },
        {
            "name": "chart",
            "type": "string",
            "description": "The Annex A chart the answer belongs to, named by its caption in the source, its lines "
                           "joined (the captions are all that the source shows of these charts).",
            "constraints": {"required": True, "enum": list(source.LOST_CHART_CAPTIONS)},
        },
        {
            "name": "issue",
            "type": "string",
            "description": f"For the two charts by issue ('{BEST_ISSUE}', '{FEASIBILITY}'): the issue, written as "
                           f"in the annex table 'Best placed actors by issue'; empty for the other two charts. "
                           f"{ASSUMED} these charts covered the issues of the annex table.",
            "constraints": {"enum": list(issues["issue_label"])},
        },
        {
            "name": "answer",
            "type": "string",
            "description": "The answer as the export records it, kept as written: the source shows no question, "
                           f"answer options, categories or scale. Empty for '{BEST_ISSUE}', where the issue named "
                           "is the answer.",
        },
    ]
    return {
        "name": RESPONSES_NAME,
        "title": "Raw responses to CIC's on-line survey of April-May 2015 (supplied by the reader)",
        "description": (
            f"{ASSUMED} one row per answer, so that a respondent may give any number of answers to a chart; the "
            "source does not say how the survey asked its questions. Columns are matched by name, in any order. "
            "UTF-8 text (a byte-order mark and CRLF line ends are accepted). No responses are part of this package."
        ),
        "fields": fields,
        "missingValues": [""],
    }


def schema_path(data_dir: Path | str = paths.DATA_DIR) -> Path:
    """Return the path of the responses schema that the data package's descriptor points to."""
    data_dir = Path(data_dir)
    descriptor = json.loads((data_dir / paths.DATAPACKAGE.name).read_text(encoding="utf-8"))
    return data_dir / descriptor[DESCRIPTOR_KEY]["schema"]


def read_responses_schema(data_dir: Path | str, issues: pd.DataFrame) -> dict:
    """Return the responses schema of the data package; raise ValidationFailed if it differs from
    the one the source gives (regenerate it with write_responses_schema)."""
    path = schema_path(data_dir)
    schema = json.loads(path.read_text(encoding="utf-8"))
    if schema != responses_schema(issues):
        raise ValidationFailed(
            f"responses schema {path}",
            [Problem(path.name, None, None,
                     "differs from the schema derived from the source; regenerate it with "
                     "compendium.data.responses.write_responses_schema")],
        )
    return schema


def write_responses_schema(data_dir: Path | str, issues: pd.DataFrame) -> Path:
    """Write the responses schema derived from the source next to the descriptor; return its path."""
    text = json.dumps(responses_schema(issues), indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(Path(data_dir) / SCHEMA_FILE, text)


def responses_dictionary(schema: dict) -> pd.DataFrame:
    """Return one row per field of the responses schema, with the columns of tables.data_dictionary."""
    return pd.DataFrame(
        [
            {
                "table": schema["name"],
                "field": field["name"],
                "type": field["type"],
                "required": bool(field.get("constraints", {}).get("required", False)),
                "allowed": tables.allowed_summary(field.get("constraints", {})),
                "key": "primary key" if field["name"] in schema.get("primaryKey", []) else "",
                "description": field.get("description", ""),
            }
            for field in schema["fields"]
        ]
    )


# -- a responses file ----------------------------------------------------------------------


def load_responses(path: Path | str, schema: dict) -> pd.DataFrame:
    """Return the responses file at ``path``, one row per answer (empty cells NaN), in the schema's columns.

    Every problem is collected first and raised together as one ValidationFailed naming the file,
    each with its row (the header is row 1) and column; nothing partial is returned.
    """
    path = Path(path)
    what = f"survey responses file {path}"
    if not path.is_file():
        reason = "is a folder, not a file" if path.is_dir() else "file not found"
        raise ValidationFailed(what, [Problem(path.name, None, None, reason)])
    problems, frame = check_responses(path.name, path.read_bytes(), schema)
    if problems:
        raise ValidationFailed(what, problems)
    return frame


def check_responses(name: str, data: bytes, schema: dict) -> tuple[list[Problem], pd.DataFrame | None]:
    """Return (every problem in the file ``name`` holding ``data``, the frame when there are none)."""
    # An export from a spreadsheet often starts with a byte-order mark, ends lines with CRLF and
    # ends with empty rows; anything else is held to the same rules as the data package's tables.
    text, problems = tables._decode(name, data.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n"))
    lines = text.split("\n")
    while lines and not lines[-1].replace(",", "").strip():
        lines.pop()
    text = "\n".join(lines) + "\n" if lines else ""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return [*problems, Problem(name, None, None, "file is empty: it needs a header row")], None
    header = rows[0]
    if len(rows) == 1:
        problems.append(Problem(name, None, None, "no responses: the file has a header but no rows"))
    # Columns may come in any order: the header is held to the schema's fields in the file's order.
    in_file_order = sorted(schema["fields"], key=lambda f: header.index(f["name"]) if f["name"] in header else len(header))
    problems += tables._header_problems(name, header, {**schema, "fields": in_file_order})
    problems += tables._cell_problems(name, text, schema)
    width = len(header)
    frame = pd.DataFrame([(r + [""] * width)[:width] for r in rows[1:]], columns=header, dtype=object)
    problems += _answer_problems(name, frame, flagged={p.row for p in problems})
    problems = sorted(tables._without_encoding_echoes(problems), key=lambda p: (p.row or 0, _rank(p.column, schema)))
    if problems:
        return problems, None
    return [], tables._typed(frame, schema)


def _rank(column: str | None, schema: dict) -> int:
    """Return a column's place in the schema (unknown columns and none first), to order problems in a row."""
    names = [f["name"] for f in schema["fields"]]
    return names.index(column) if column in names else -1


def _answer_problems(name: str, frame: pd.DataFrame, flagged: set[int | None]) -> list[Problem]:
    """Return the rows that break what no Table Schema can say: an issue exactly for the charts by
    issue, and an answer for every chart but the best issue, whose answer is the issue itself.
    Rows in ``flagged`` (already reported) and files without the columns are left out."""
    if not {"chart", "issue", "answer"} <= set(frame.columns) or frame.columns.duplicated().any():
        return []
    problems = []
    for row, answer in enumerate(frame.to_dict("records"), start=2):
        chart = answer["chart"]
        if row in flagged or chart not in source.LOST_CHART_CAPTIONS:
            continue
        by_issue = chart in BY_ISSUE
        if by_issue and not answer["issue"]:
            problems.append(Problem(name, row, "issue", f"an answer to '{chart}' names its issue"))
        if not by_issue and answer["issue"]:
            problems.append(Problem(name, row, "issue", f"'{chart}' is not by issue: leave issue empty"))
        if chart == BEST_ISSUE and answer["answer"]:
            problems.append(Problem(name, row, "answer", f"for '{chart}' the issue is the answer: leave answer empty"))
        if chart != BEST_ISSUE and not answer["answer"]:
            problems.append(Problem(name, row, "answer", f"an answer to '{chart}' needs its answer as recorded"))
    return problems


def load_responses_if_given(value: str, schema: dict) -> pd.DataFrame | None:
    """Return the validated responses for a ``responses_file`` parameter, or None when it is empty."""
    return load_responses(paths.resolve_data_dir(value), schema) if str(value).strip() else None
