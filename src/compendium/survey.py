"""The survey annex: the "Best placed actors by issue" table, what the survey and the meeting
each covered, and a reader's file of raw survey responses (its schema, validation and charts).

The table comes from the source model (``source.survey_table``), never retyped. The survey's
other four exhibits were charts whose data the text lost; nothing here estimates them. A reader
who holds the raw responses can give them as a CSV file, validated against the schema in
``data/survey-responses.schema.json`` (generated from the annex table by ``responses_schema``).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from pathlib import Path

import altair as alt
import pandas as pd
from IPython.display import Markdown, display

from compendium import paths
from compendium.analysis import stance_by_issue, survey_best_placed
from compendium.charts import plural, title_lines
from compendium.errors import Problem, ValidationFailed
from compendium.io import write_text_atomic
from compendium.book.present import comparison_table, join_words
from compendium.data.source import Document, lost_charts
from compendium.charts.theme import ACCENT, CLUSTER_LABELS, MUTED

# -- constants ---------------------------------------------------------------------------

CROSS_CUTTING = "Cross-cutting"
OTHER_ACTORS = "Other actors"
NAMED_ALONE, NAMED_WITH_OTHERS = "named alone", "named with others"
# Chart titles wrap at this many characters: the annex's charts are narrower than the clusters'.
TITLE_WIDTH = 64
# The annex's names for the columns of present.comparison_table.
ANNEX_COMPARISON_COLUMNS = {
    "Survey issue": "Issue (as in the annex)",
    "Survey's best-placed actor": "Survey: best placed",
    "Passage": "Meeting passage",
}

# Coverage of an issue by the survey (Annex A table) and by the meeting (coded claims).
COVERAGE_ORDER = ["asked and discussed", "asked, not discussed", "discussed, not asked", "neither"]
COVERAGE_COLOURS = ["#1f5f8b", "#e07a1f", "#9aa5b1", "#e4e7eb"]

# The raw-responses file. The categories of region and affiliation are this project's choice:
# the annex's own charts of locations and affiliations were lost with their categories.
RESPONSES_NAME = "survey-responses"
SCHEMA_FILE = "survey-responses.schema.json"
DESCRIPTOR_KEY = "surveyResponses"  # where datapackage.json points to the schema file
REGIONS = (
    "Africa",
    "Asia-Pacific",
    "Europe",
    "Latin America and the Caribbean",
    "Middle East and North Africa",
    "North America",
    "Global/other",
)
AFFILIATIONS = (
    "government",
    "UN/international organization",
    "civil society/NGO",
    "academia/think tank",
    "private sector",
    "other",
)
RATING_MIN, RATING_MAX = 1, 5
RATING_PREFIX = "feasibility_"
NOT_UTF8 = "not valid UTF-8: the file must be saved as UTF-8"
_WHOLE_NUMBER = re.compile(r"^[+-]?[0-9]+$")

# Which lost Annex A chart each responses chart redraws (by its caption in the source).
RESPONSE_CHARTS = {
    "best-issue": "Best issue for the UN to address",
    "feasibility": "Feasibility of progress by issue",
    "region": "Respondents' Locations",
    "affiliation": "Respondents' Affiliations",
}

NO_RESPONSES = (
    "**No file of raw survey responses was given** (the parameter `responses_file` is empty), "
    "so none of the lost charts is drawn. Their data are not in the source, and this book does "
    "not estimate them."
)


# -- words -------------------------------------------------------------------------------


def leaders(frame: pd.DataFrame, value: str, label: str) -> tuple[list[str], int]:
    """Return the labels sharing the highest ``value`` (in frame order) and that value."""
    if frame.empty:
        return [], 0
    top = frame[value].max()
    return list(frame.loc[frame[value] == top, label]), int(top)


def cluster_label(cluster: pd.Series) -> pd.Series:
    """Return '1 R2P and human rights' ... or 'Cross-cutting' for issues without a cluster."""
    return cluster.map(lambda c: CROSS_CUTTING if pd.isna(c) else CLUSTER_LABELS[int(c)])


# -- the best-placed table -----------------------------------------------------------------


def survey_issues(doc: Document, issues: pd.DataFrame) -> pd.DataFrame:
    """Return one row per issue of the annex table, in its order: id, annex label, book label,
    cluster, passage id, the annex cell as written, and the name of its rating column."""
    best = survey_best_placed(doc, issues).drop_duplicates("issue_id")
    return pd.DataFrame(
        {
            "issue_id": best["issue_id"],
            "issue_label": best["issue_label"],
            "label": best["label"],
            "cluster": best["cluster"],
            "passage_id": best["passage_id"],
            "answer": best["passage_id"].map(lambda pid: doc.block(pid).text.split("\t")[1].strip()),
            "rating_column": RATING_PREFIX + best["issue_id"],
            "order": range(len(best)),
        }
    ).reset_index(drop=True)


def best_placed_table(best_placed: pd.DataFrame, doc: Document) -> pd.DataFrame:
    """Return the annex table as a reader sees it: passage, issue and answer as written, cluster, actors."""
    rows = best_placed.groupby("passage_id", sort=False).agg(
        issue=("issue_label", "first"), cluster=("cluster", "first"), actors=("actor_label", "size")
    )
    return pd.DataFrame(
        {
            "Passage": rows.index,
            "Issue (as in the annex)": rows["issue"].to_numpy(),
            "Best placed organization / actor (as in the annex)": [
                doc.block(pid).text.split("\t")[1].strip() for pid in rows.index
            ],
            "Cluster": cluster_label(rows["cluster"]).to_numpy(),
            "Actors named": rows["actors"].to_numpy(),
        }
    )


def actor_frequency(best_placed: pd.DataFrame, actors: pd.DataFrame) -> pd.DataFrame:
    """Return one row per survey actor: issues it is named for, alone and with others, and which.

    Sorted by issues, most first; ties keep the annex table's order of first appearance."""
    named = best_placed.assign(alone=best_placed["actors_in_cell"] == 1)
    frame = (
        named.groupby(["actor_id", "actor_label"], sort=False)
        .agg(
            issues=("issue_id", "size"),
            alone=("alone", "sum"),
            issue_labels=("issue_label", "; ".join),
            passages=("passage_id", ", ".join),
        )
        .reset_index()
    )
    categories = actors.set_index("actor_id")["category"]
    frame = frame.assign(
        alone=frame["alone"].astype(int),
        with_others=lambda f: f["issues"] - f["alone"],
        category=frame["actor_id"].map(categories),
    )
    return frame.sort_values("issues", ascending=False, kind="stable").reset_index(drop=True)


def actor_frequency_long(frequency: pd.DataFrame) -> pd.DataFrame:
    """Return the frequency frame in long form: one row per (actor, named alone / with others)."""
    ways = {"alone": NAMED_ALONE, "with_others": NAMED_WITH_OTHERS}
    return (
        frequency.melt(
            id_vars=["actor_id", "actor_label", "issues", "issue_labels", "passages"],
            value_vars=list(ways),
            var_name="how",
            value_name="count",
        )
        .assign(how=lambda f: f["how"].map(ways), total=lambda f: f["issues"])
        .reset_index(drop=True)
    )


def best_placed_matrix(best_placed: pd.DataFrame, doc: Document, highlight: str) -> pd.DataFrame:
    """Return one row per (issue, named actor) with the cluster label, the annex answer and whether
    the actor is the highlighted one (``highlight``: an actor id of the annex table)."""
    known = dict(zip(best_placed["actor_id"], best_placed["actor_label"]))
    if highlight not in known:
        raise ValueError(f"unknown survey actor {highlight!r}; valid: {', '.join(known)}")
    return pd.DataFrame(
        {
            "issue_label": best_placed["issue_label"],
            "actor_label": best_placed["actor_label"],
            "cluster_label": cluster_label(best_placed["cluster"]),
            "cluster": best_placed["cluster"].astype(int),
            "role": best_placed["actor_id"].map(lambda a: known[highlight] if a == highlight else OTHER_ACTORS),
            "passage_id": best_placed["passage_id"],
            "answer": best_placed["passage_id"].map(lambda pid: doc.block(pid).text.split("\t")[1].strip()),
        }
    )


# -- what the survey asked and the meeting discussed ---------------------------------------


def coverage_by_issue(claims: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Return one row per issue: claims coded to it, whether the survey asked about it, its
    coverage category (COVERAGE_ORDER), and the passage and quote behind the meeting's stance."""
    stances = stance_by_issue(claims, issues)
    surveyed = issues.set_index("issue_id")["surveyed"].astype(bool)
    frame = stances.assign(surveyed=stances["issue_id"].map(surveyed))
    discussed = frame["meeting_stance"] != "not-discussed"
    coverage = [
        COVERAGE_ORDER[0 if asked and said else 1 if asked else 2 if said else 3]
        for asked, said in zip(frame["surveyed"], discussed)
    ]
    return frame.assign(
        coverage=coverage,
        cluster_label=cluster_label(frame["cluster"]),
        cluster_order=frame["cluster"].fillna(9).astype(int),
        survey_label=frame["issue_id"].map(issues.set_index("issue_id")["survey_label"]).fillna(""),
    )


def asked_not_discussed(coverage: pd.DataFrame) -> pd.DataFrame:
    """Return the issues the survey asked about that the meeting did not discuss."""
    rows = coverage[coverage["coverage"] == "asked, not discussed"]
    return pd.DataFrame(
        {"Issue": rows["issue"], "As in the annex": rows["survey_label"], "Cluster": rows["cluster_label"]}
    ).reset_index(drop=True)


def discussed_not_asked(coverage: pd.DataFrame) -> pd.DataFrame:
    """Return the issues the meeting discussed that the survey did not ask about, most claims first."""
    rows = coverage[coverage["coverage"] == "discussed, not asked"].sort_values(
        ["cluster_order", "claims"], ascending=[True, False], kind="stable"
    )
    return pd.DataFrame(
        {
            "Issue": rows["issue"],
            "Cluster": rows["cluster_label"],
            "Claims": rows["claims"],
            "Example passage": rows["passage_id"],
        }
    ).reset_index(drop=True)


def annex_comparison_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """Return survey_vs_meeting as the annex shows it: present.comparison_table without the quotes,
    its columns named as the annex names them."""
    table = comparison_table(comparison).drop(columns="Quote")
    return table.rename(columns=ANNEX_COMPARISON_COLUMNS).reset_index(drop=True)


def issues_where(comparison: pd.DataFrame, mask: pd.Series) -> str:
    """Return the annex labels of the compared issues selected by ``mask``, in words ('none' if none)."""
    return join_words(comparison.loc[mask, "issue_label"]) or "none"


def positioned_claims_on_surveyed(claims: pd.DataFrame, issues: pd.DataFrame) -> pd.DataFrame:
    """Return the claims about issues the survey asked about that take a position on the UN's role."""
    surveyed = issues.loc[issues["surveyed"].astype(bool), "issue_id"]
    return claims[claims["issue_id"].isin(surveyed) & (claims["un_stance"] != "no-position")]


def lost_charts_table(doc: Document) -> pd.DataFrame:
    """Return one row per Annex A chart whose data the text lost: its caption, passage and a plain statement."""
    return pd.DataFrame(
        [
            {"Chart (caption in the source)": b.plain, "Passage": b.id,
             "Data in the source": "none: the chart was an image; only its caption survives"}
            for b in lost_charts(doc)
        ]
    )


# -- charts on the annex table and the meeting --------------------------------------------


def best_placed_matrix_chart(matrix: pd.DataFrame, actor_order: list[str]) -> alt.Chart:
    """Issue × actor grid, one row of panels per cluster: a mark where the survey names the actor
    best placed for the issue, the highlighted actor in the accent colour."""
    highlight = next((r for r in matrix["role"].unique() if r != OTHER_ACTORS), None) or OTHER_ACTORS
    issues = matrix["issue_label"].nunique()
    marked = matrix.loc[matrix["role"] != OTHER_ACTORS, "issue_label"].nunique()
    count = f"{marked} of {plural(issues, 'issue')}" if marked else f"none of the {plural(issues, 'issue')}"
    return (
        alt.Chart(
            matrix,
            title=alt.Title(
                title_lines(f"The survey names {highlight} best placed for {count}", TITLE_WIDTH),
                subtitle="One mark per actor named in a cell of the annex table; issues grouped by cluster",
            ),
        )
        .mark_square(size=220)
        .encode(
            x=alt.X("actor_label:N", title="Best placed organization / actor (survey)", sort=actor_order,
                    scale=alt.Scale(domain=actor_order), axis=alt.Axis(labelAngle=-30, grid=True, bandPosition=0.5)),
            y=alt.Y("issue_label:N", title=None, sort=None, axis=alt.Axis(grid=True, bandPosition=0.5)),
            row=alt.Row("cluster_label:N", title=None, sort=alt.EncodingSortField("cluster"),
                        header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top")),
            color=alt.Color("role:N", title="Actor", scale=alt.Scale(domain=[highlight, OTHER_ACTORS],
                                                                     range=[ACCENT, MUTED])),
            tooltip=[
                alt.Tooltip("issue_label:N", title="Issue"),
                alt.Tooltip("actor_label:N", title="Actor"),
                alt.Tooltip("cluster_label:N", title="Cluster"),
                alt.Tooltip("passage_id:N", title="Passage"),
                alt.Tooltip("answer:N", title="Answer in the annex"),
            ],
        )
        .properties(
            width=alt.Step(62),
            height=alt.Step(22),
            description=(
                f"Grid of the {issues} survey issues, grouped by cluster, against the actors the survey names "
                f"best placed; {highlight} is named for {marked}."
            ),
        )
        .resolve_scale(y="independent")
    )


def actor_frequency_chart(frequency_long: pd.DataFrame, issues: int) -> alt.LayerChart:
    """Stacked bars: for how many survey issues each actor is named best placed, alone or with others."""
    totals = frequency_long.drop_duplicates("actor_label")
    top, count = leaders(totals, "issues", "actor_label")
    each = " each" if len(top) > 1 else ""
    order = list(totals["actor_label"])
    base = alt.Chart(
        frequency_long,
        title=alt.Title(
            title_lines(f"Named best placed most often: {join_words(top)} ({count} of {plural(issues, 'issue')}{each})",
                        TITLE_WIDTH),
            subtitle="Issues of the annex table for which the survey names each actor, alone or with others",
        ),
    ).encode(y=alt.Y("actor_label:N", title="Actor (as in the annex)", sort=order))
    tooltip = [
        alt.Tooltip("actor_label:N", title="Actor"),
        alt.Tooltip("total:Q", title="Issues"),
        alt.Tooltip("issue_labels:N", title="Which"),
        alt.Tooltip("passages:N", title="Passages"),
    ]
    bars = base.mark_bar().encode(
        x=alt.X("count:Q", title="Survey issues for which the actor is named", stack="zero",
                axis=alt.Axis(tickMinStep=1, format="d")),
        color=alt.Color("how:N", title="How the survey names it",
                        scale=alt.Scale(domain=[NAMED_ALONE, NAMED_WITH_OTHERS], range=[ACCENT, "#9cc3e0"])),
        order=alt.Order("how:N", sort="ascending"),
        tooltip=[*tooltip, alt.Tooltip("how:N", title="How"), alt.Tooltip("count:Q", title="Count")],
    )
    labels = base.mark_text(align="left", dx=4).encode(
        x=alt.X("total:Q"), text=alt.Text("total:Q"), tooltip=tooltip
    ).transform_filter(f"datum.how == '{NAMED_ALONE}'")
    return (bars + labels).properties(
        width=380,
        height=alt.Step(28),
        description=(
            f"Bar chart of how many of the {issues} survey issues each actor is named best placed for; "
            f"{join_words(top)} lead with {count}{each}."
        ),
    )


def coverage_chart(coverage: pd.DataFrame) -> alt.FacetChart:
    """Bars of claims per issue, one panel per cluster, coloured by whether the survey asked about
    the issue and the meeting discussed it."""
    asked_only = int((coverage["coverage"] == "asked, not discussed").sum())
    said_only = int((coverage["coverage"] == "discussed, not asked").sum())
    frame = coverage.assign(
        row_label=coverage["issue"],
        label=[str(n) if n else "not discussed" for n in coverage["claims"]],
    )[["row_label", "label", "claims", "coverage", "cluster_label", "cluster_order", "survey_label", "passage_id", "quote"]]
    order = list(frame.sort_values(["cluster_order", "claims"], ascending=[True, False], kind="stable")["row_label"])
    base = alt.Chart(frame).encode(y=alt.Y("row_label:N", title=None, sort=order, axis=alt.Axis(labelLimit=240)))
    tooltip = [
        alt.Tooltip("row_label:N", title="Issue"),
        alt.Tooltip("cluster_label:N", title="Cluster"),
        alt.Tooltip("survey_label:N", title="Survey label"),
        alt.Tooltip("claims:Q", title="Claims"),
        alt.Tooltip("passage_id:N", title="Passage"),
        alt.Tooltip("quote:N", title="Quote"),
    ]
    present = [c for c in COVERAGE_ORDER if c in set(frame["coverage"])]
    colour = alt.Color("coverage:N", title="Survey and meeting", legend=alt.Legend(columns=2),
                       scale=alt.Scale(domain=present, range=[COVERAGE_COLOURS[COVERAGE_ORDER.index(c)] for c in present]))
    bars = base.mark_bar().encode(
        x=alt.X("claims:Q", title="Claims the meeting summary makes about the issue"), color=colour, tooltip=tooltip
    )
    labels = base.mark_text(align="left", dx=4).encode(
        x=alt.X("claims:Q"), text=alt.Text("label:N"), color=alt.Color("coverage:N", legend=None), tooltip=tooltip
    )
    return (
        (bars + labels)
        .properties(width=280, height=alt.Step(17))
        .facet(
            row=alt.Row("cluster_label:N", title=None, sort=alt.EncodingSortField("cluster_order"),
                        header=alt.Header(labelAngle=0, labelAlign="left", labelAnchor="start", labelOrient="top")),
            title=alt.Title(
                title_lines(f"The survey asked about {plural(asked_only, 'issue')} the meeting never discussed; "
                            f"the meeting discussed {said_only} the survey did not ask about", TITLE_WIDTH),
                subtitle="Coded claims per issue, one panel per cluster",
            ),
        )
        .resolve_scale(y="independent")
        .properties(
            description=(
                f"Bar chart of coded claims for each of {len(frame)} issues by cluster, coloured by coverage: "
                f"{asked_only} issues were asked in the survey but not discussed, {said_only} discussed but not asked."
            ),
        )
    )


# -- the raw-responses file: schema --------------------------------------------------------


def responses_schema(issues_frame: pd.DataFrame) -> dict:
    """Return the Table Schema of a raw-responses file, derived from the annex issues (survey_issues)."""
    labels = list(issues_frame["issue_label"])
    fields = [
        {"name": "respondent_id", "type": "string",
         "description": "The respondent's id in the survey export; any text, unique in the file.",
         "constraints": {"required": True, "unique": True}},
        {"name": "region", "type": "string",
         "description": "Region where the respondent is located; the categories are this project's choice, "
                        "since the annex's own were lost with its chart.",
         "constraints": {"required": True, "enum": list(REGIONS)}},
        {"name": "affiliation", "type": "string",
         "description": "Type of the respondent's affiliation; the categories are this project's choice, "
                        "since the annex's own were lost with its chart.",
         "constraints": {"required": True, "enum": list(AFFILIATIONS)}},
        {"name": "best_issue", "type": "string",
         "description": "The issue chosen as the best for the UN to address, written exactly as in the annex "
                        "table; empty if not answered.",
         "constraints": {"enum": labels}},
    ]
    fields += [
        {"name": row.rating_column, "type": "integer",
         "description": f"Feasibility of progress on '{row.issue_label}' (issue {row.issue_id}, passage "
                        f"{row.passage_id}): {RATING_MIN} not feasible to {RATING_MAX} highly feasible; empty if not rated.",
         "constraints": {"minimum": RATING_MIN, "maximum": RATING_MAX}}
        for row in issues_frame.itertuples(index=False)
    ]
    return {
        "name": RESPONSES_NAME,
        "title": "Raw responses to CIC's on-line survey of April-May 2015 (supplied by the reader)",
        "description": (
            "One row per respondent, one column per question; columns are matched by name, in any order. "
            f"Rating columns are named '{RATING_PREFIX}' + the issue id of issues.csv, one per issue of the "
            "annex table. UTF-8 text (a byte-order mark is accepted). No responses are part of this package."
        ),
        "fields": fields,
        "missingValues": [""],
        "primaryKey": ["respondent_id"],
    }


def schema_path(data_dir: Path | str = paths.DATA_DIR) -> Path:
    """Return the path of the responses schema that the data package's descriptor points to."""
    data_dir = Path(data_dir)
    descriptor = json.loads((data_dir / paths.DATAPACKAGE.name).read_text(encoding="utf-8"))
    return data_dir / descriptor[DESCRIPTOR_KEY]["schema"]


def read_responses_schema(data_dir: Path | str, issues_frame: pd.DataFrame) -> dict:
    """Return the responses schema of the data package; raise ValidationFailed if it differs from
    the one the annex table gives (regenerate it with write_responses_schema)."""
    path = schema_path(data_dir)
    schema = json.loads(path.read_text(encoding="utf-8"))
    if schema != responses_schema(issues_frame):
        raise ValidationFailed(
            f"responses schema {path}",
            [Problem(path.name, None, None,
                     "differs from the schema derived from the annex table; regenerate it with "
                     "compendium.survey.write_responses_schema")],
        )
    return schema


def write_responses_schema(data_dir: Path | str, issues_frame: pd.DataFrame) -> Path:
    """Write the responses schema derived from the annex table next to the descriptor; return its path."""
    text = json.dumps(responses_schema(issues_frame), indent=2, ensure_ascii=False) + "\n"
    return write_text_atomic(Path(data_dir) / SCHEMA_FILE, text)


def responses_dictionary(schema: dict) -> pd.DataFrame:
    """Return one row per field of the responses schema, with the columns of data.data_dictionary."""
    from compendium.data.tables import allowed_summary  # the data dictionary's own wording of allowed values

    return pd.DataFrame(
        [
            {
                "table": schema["name"],
                "field": field["name"],
                "type": field["type"],
                "required": bool(field.get("constraints", {}).get("required", False)),
                "allowed": allowed_summary(field.get("constraints", {})),
                "key": "primary key" if field["name"] in schema.get("primaryKey", []) else "",
                "description": field.get("description", ""),
            }
            for field in schema["fields"]
        ]
    )


def _allowed_words(constraints: dict) -> str:
    """Return a field's allowed values for a reader: the enum separated by semicolons, or its range."""
    if "enum" in constraints:
        return "; ".join(constraints["enum"])
    if "minimum" in constraints and "maximum" in constraints:
        return f"whole number, {constraints['minimum']} to {constraints['maximum']}"
    return "unique" if constraints.get("unique") else ""


def responses_layout(schema: dict) -> pd.DataFrame:
    """Return the responses file's columns for a reader: one row per column, the rating columns in one row."""
    dictionary = responses_dictionary(schema).assign(
        allowed=[_allowed_words(f.get("constraints", {})) for f in schema["fields"]]
    )
    ratings = dictionary["field"].str.startswith(RATING_PREFIX)
    rows = dictionary.loc[~ratings, ["field", "type", "required", "allowed", "description"]]
    first = dictionary.loc[ratings].iloc[0] if ratings.any() else None
    if first is not None:
        names = ", ".join(dictionary.loc[ratings, "field"])
        rows = pd.concat([rows, pd.DataFrame([{
            "field": f"{RATING_PREFIX}<issue id>",
            "type": first["type"], "required": first["required"], "allowed": first["allowed"],
            "description": f"Feasibility of progress on the issue: {RATING_MIN} not feasible to {RATING_MAX} highly "
                           f"feasible; empty if not rated. One column per annex issue: {names}.",
        }])])
    return pd.DataFrame({
        "Column": rows["field"], "Type": rows["type"], "Required": rows["required"].map({True: "yes", False: "no"}),
        "Allowed values": rows["allowed"], "Meaning": rows["description"],
    }).reset_index(drop=True)


# -- the raw-responses file: validation ----------------------------------------------------


def load_responses(path: Path | str, schema: dict) -> pd.DataFrame:
    """Return the responses file at ``path`` as a typed frame (ratings Int64, empty = not rated).

    Every problem is collected first (encoding, header, ragged rows, required, allowed values,
    whole numbers in range, duplicate ids) and raised together as one ValidationFailed naming
    the file, each with its row (the header is row 1) and column; nothing partial is returned.
    """
    path = Path(path)
    what = f"survey responses file {path}"
    if not path.is_file():
        reason = "is a folder, not a file" if path.is_dir() else "file not found"
        raise ValidationFailed(what, [Problem(path.name, None, None, reason)])
    problems, frame = _check_responses(path.name, path.read_bytes(), schema)
    if problems:
        raise ValidationFailed(what, problems)
    return frame


def load_responses_if_given(value: str, schema: dict) -> pd.DataFrame | None:
    """Return the validated responses for a ``responses_file`` parameter, or None when it is empty."""
    return load_responses(paths.resolve_data_dir(value), schema) if str(value).strip() else None


def _check_responses(name: str, data: bytes, schema: dict) -> tuple[list[Problem], pd.DataFrame | None]:
    """Return (every problem, the typed frame when there are none)."""
    text, bad_cells, problems = _decode_responses(name, data)
    records = list(csv.reader(io.StringIO(text, newline="")))
    if not records or not any(c.strip() for c in records[0]):
        return [*problems, Problem(name, None, None, "file is empty: it needs a header row")], None
    header = [c.strip() for c in records[0]]
    problems += _responses_header_problems(name, header, schema)
    body = [(number, row) for number, row in enumerate(records[1:], start=2) if any(c.strip() for c in row)]
    if not body:
        problems.append(Problem(name, None, None, "no responses: the file has a header but no rows"))
    fields = {f["name"]: f for f in schema["fields"]}
    where = {c: header.index(c) for c in fields if c in header}  # first occurrence of each known column
    values: dict[str, list] = {c: [] for c in where}
    seen: dict[str, int] = {}
    for number, row in body:
        if len(row) != len(header):
            problems.append(Problem(name, number, None, f"has {len(row)} cells; the header has {len(header)}"))
            continue
        for column, index in where.items():
            if (number, index) in bad_cells:
                values[column].append(None)
                continue
            value, found = _cell(name, number, row[index].strip(), fields[column])
            problems += found
            values[column].append(value)
        if "respondent_id" in where and (rid := row[where["respondent_id"]].strip()):
            if rid in seen:
                message = f"duplicate respondent_id {rid!r} (first on row {seen[rid]})"
                problems.append(Problem(name, number, "respondent_id", message))
            else:
                seen[rid] = number
    problems = sorted(problems, key=lambda p: (p.row or 0, list(fields).index(p.column) if p.column in fields else -1))
    if problems:
        return problems, None
    frame = pd.DataFrame({c: values[c] for c in fields})
    ratings = [c for c in fields if fields[c]["type"] == "integer"]
    return [], frame.astype({c: "Int64" for c in ratings} | {c: "str" for c in fields if c not in ratings})


def _decode_responses(name: str, data: bytes) -> tuple[str, set[tuple[int, int]], list[Problem]]:
    """Return the text (bad bytes replaced), the (row, cell index) of cells that are not UTF-8, and their problems."""
    try:
        return data.decode("utf-8-sig"), set(), []
    except UnicodeDecodeError:
        text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = [c.strip() for c in rows[0]] if rows else []
    bad, problems = set(), []
    for number, row in enumerate(rows, start=1):
        for index, cell in enumerate(row):
            if "\ufffd" in cell:
                bad.add((number, index))
                column = header[index] if number > 1 and index < len(header) else None
                problems.append(Problem(name, number, column, NOT_UTF8))
    return text, bad, problems


def _responses_header_problems(name: str, header: list[str], schema: dict) -> list[Problem]:
    """Return missing, unexpected and repeated columns (order does not matter)."""
    expected = [f["name"] for f in schema["fields"]]
    problems = [Problem(name, 1, c, "missing column") for c in expected if c not in header]
    allowed = ", ".join(expected)
    problems += [
        Problem(name, 1, c or None, f"unexpected column {c!r} (allowed: {allowed})")
        for c in header if c not in expected
    ]
    problems += [Problem(name, 1, c, "repeated column") for c in dict.fromkeys(c for c in header if header.count(c) > 1)]
    return problems


def _cell(name: str, row: int, value: str, field: dict) -> tuple[object, list[Problem]]:
    """Return (typed value, problems) for one cell against its schema field."""
    constraints = field.get("constraints", {})
    column = field["name"]
    if value == "":
        missing = [Problem(name, row, column, "a value is required")] if constraints.get("required") else []
        return None, missing
    if "enum" in constraints and value not in constraints["enum"]:
        what = "issue" if column == "best_issue" else column.replace("_", " ")
        allowed = "; ".join(f"'{v}'" for v in constraints["enum"])
        return None, [Problem(name, row, column, f"unknown {what} {value!r}; allowed: {allowed}")]
    if field["type"] == "integer":
        if not _WHOLE_NUMBER.match(value):
            return None, [Problem(name, row, column, f"{value!r} is not a whole number from {RATING_MIN} to {RATING_MAX}")]
        number = int(value)
        low, high = constraints.get("minimum"), constraints.get("maximum")
        if (low is not None and number < low) or (high is not None and number > high):
            return None, [Problem(name, row, column, f"rating {number} is out of range {low} to {high}")]
        return number, []
    return value, []


# -- the raw-responses file: frames and charts ----------------------------------------------


def best_issue_counts(responses: pd.DataFrame, issues_frame: pd.DataFrame) -> pd.DataFrame:
    """Return one row per annex issue (zeros included): respondents choosing it as best for the UN, and share."""
    counts = responses["best_issue"].value_counts()
    answered = int(responses["best_issue"].notna().sum())
    frame = issues_frame[["issue_id", "issue_label", "cluster", "passage_id"]].assign(
        respondents=lambda f: f["issue_label"].map(counts).fillna(0).astype(int)
    )
    return frame.assign(share=frame["respondents"] / answered if answered else 0.0, answered=answered)


def feasibility_ratings(responses: pd.DataFrame, issues_frame: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (annex issue, rating 1-5): respondents giving it, share of the issue's
    raters, and the issue's raters and mean rating (NaN when nobody rated it)."""
    rows = []
    for issue in issues_frame.itertuples(index=False):
        ratings = responses[issue.rating_column].dropna().astype(int)
        mean = float(ratings.mean()) if len(ratings) else float("nan")
        for rating in range(RATING_MIN, RATING_MAX + 1):
            n = int((ratings == rating).sum())
            rows.append({"issue_id": issue.issue_id, "issue_label": issue.issue_label, "rating": rating,
                         "respondents": n, "share": n / len(ratings) if len(ratings) else 0.0,
                         "raters": len(ratings), "mean": mean})
    return pd.DataFrame(rows)


def respondents_by(responses: pd.DataFrame, column: str, categories: Iterable[str]) -> pd.DataFrame:
    """Return respondents per category of ``column`` (region or affiliation), every category listed, and share."""
    counts = responses[column].value_counts()
    frame = pd.DataFrame({"category": list(categories)})
    frame = frame.assign(respondents=frame["category"].map(counts).fillna(0).astype(int))
    return frame.assign(share=frame["respondents"] / max(len(responses), 1))


def _caption_ids(doc: Document) -> dict[str, str]:
    """Return {caption text: passage id} for the lost Annex A charts."""
    return {b.plain: b.id for b in lost_charts(doc)}


def responses_subtitle(file_name: str, passage_id: str) -> list[str]:
    """Return the subtitle of a responses chart: which file it is drawn from and which lost chart it redraws."""
    return [f"Drawn from the responses file {file_name}", f"Redraws the annex chart lost from the text (passage {passage_id})"]


def best_issue_chart(counts: pd.DataFrame, passage_id: str, file_name: str) -> alt.LayerChart:
    """Bars: respondents choosing each annex issue as the best for the UN to address."""
    answered = int(counts["answered"].iloc[0]) if len(counts) else 0
    top, n = leaders(counts, "respondents", "issue_label")
    each = " each" if len(top) > 1 else ""
    frame = counts.assign(passage_id=passage_id, file=file_name)
    base = alt.Chart(
        frame,
        title=alt.Title(
            title_lines(f"Chosen most often as the best issue for the UN: {join_words(top)} "
                        f"({n} of {answered} respondents{each})", TITLE_WIDTH),
            subtitle=responses_subtitle(file_name, passage_id),
        ),
    ).encode(y=alt.Y("issue_label:N", title="Issue (as in the annex)", sort="-x"))
    tooltip = [
        alt.Tooltip("issue_label:N", title="Issue"),
        alt.Tooltip("respondents:Q", title="Respondents"),
        alt.Tooltip("share:Q", title="Share of answers", format=".0%"),
        alt.Tooltip("passage_id:N", title="Annex caption"),
        alt.Tooltip("file:N", title="Responses file"),
    ]
    bars = base.mark_bar().encode(x=alt.X("respondents:Q", title="Respondents choosing the issue",
                                          axis=alt.Axis(tickMinStep=1, format="d")), tooltip=tooltip)
    labels = base.mark_text(align="left", dx=4).encode(x="respondents:Q", text="respondents:Q", tooltip=tooltip)
    return (bars + labels).properties(
        width=380, height=alt.Step(22),
        description=f"Bar chart of respondents choosing each of the {len(counts)} annex issues as the best for the UN; "
                    f"{join_words(top)} lead with {n}.",
    )


def feasibility_chart(ratings: pd.DataFrame, passage_id: str, file_name: str) -> alt.Chart:
    """Stacked bars: the share of each issue's raters giving each feasibility rating, issues by mean rating."""
    means = ratings.drop_duplicates("issue_id").dropna(subset=["mean"]).sort_values("mean", ascending=False, kind="stable")
    top, _ = leaders(means.assign(rounded=means["mean"].round(1)), "rounded", "issue_label")
    best_mean = float(means["mean"].max()) if len(means) else float("nan")
    title = (
        f"Rated most feasible: {join_words(top)} (mean {best_mean:.1f} of {RATING_MAX})" if top
        else "No issue was rated"
    )
    order = list(means["issue_label"]) + [i for i in ratings["issue_label"].unique() if i not in set(means["issue_label"])]
    frame = ratings.assign(passage_id=passage_id, file=file_name)
    return (
        alt.Chart(frame, title=alt.Title(title_lines(title, TITLE_WIDTH), subtitle=responses_subtitle(file_name, passage_id)))
        .mark_bar()
        .encode(
            y=alt.Y("issue_label:N", title="Issue (as in the annex)", sort=order),
            x=alt.X("share:Q", title="Share of the issue's raters", stack="normalize", axis=alt.Axis(format="%")),
            color=alt.Color("rating:O", title=f"Feasibility ({RATING_MIN} not feasible, {RATING_MAX} highly feasible)",
                            scale=alt.Scale(scheme="blues"), legend=alt.Legend(titleLimit=420)),
            order=alt.Order("rating:O", sort="ascending"),
            tooltip=[
                alt.Tooltip("issue_label:N", title="Issue"),
                alt.Tooltip("rating:O", title="Rating"),
                alt.Tooltip("respondents:Q", title="Respondents"),
                alt.Tooltip("share:Q", title="Share of raters", format=".0%"),
                alt.Tooltip("raters:Q", title="Raters of the issue"),
                alt.Tooltip("mean:Q", title="Mean rating", format=".2f"),
                alt.Tooltip("passage_id:N", title="Annex caption"),
                alt.Tooltip("file:N", title="Responses file"),
            ],
        )
        .properties(
            width=380, height=alt.Step(22),
            description=f"Stacked bar chart of feasibility ratings ({RATING_MIN} to {RATING_MAX}) for each annex issue, "
                        f"issues ordered by mean rating; {join_words(top) or 'none'} rated highest.",
        )
    )


def respondents_chart(counts: pd.DataFrame, what: str, passage_id: str, file_name: str) -> alt.LayerChart:
    """Bars: respondents per category (``what``: 'region' or 'affiliation'), every category listed."""
    total = int(counts["respondents"].sum())
    top, n = leaders(counts, "respondents", "category")
    each = " each" if len(top) > 1 else ""
    frame = counts.assign(passage_id=passage_id, file=file_name)
    base = alt.Chart(
        frame,
        title=alt.Title(
            title_lines(f"Most respondents by {what}: {join_words(top)} ({n} of {total}{each})", TITLE_WIDTH),
            subtitle=responses_subtitle(file_name, passage_id),
        ),
    ).encode(y=alt.Y("category:N", title=what.capitalize(), sort=list(counts["category"])))
    tooltip = [
        alt.Tooltip("category:N", title=what.capitalize()),
        alt.Tooltip("respondents:Q", title="Respondents"),
        alt.Tooltip("share:Q", title="Share", format=".0%"),
        alt.Tooltip("passage_id:N", title="Annex caption"),
        alt.Tooltip("file:N", title="Responses file"),
    ]
    bars = base.mark_bar().encode(x=alt.X("respondents:Q", title="Respondents", axis=alt.Axis(tickMinStep=1, format="d")),
                                  tooltip=tooltip)
    labels = base.mark_text(align="left", dx=4).encode(x="respondents:Q", text="respondents:Q", tooltip=tooltip)
    return (bars + labels).properties(
        width=380, height=alt.Step(24),
        description=f"Bar chart of the {total} respondents by {what}; {join_words(top)} has the most ({n}).",
    )


def responses_charts(
    responses: pd.DataFrame | None, issues_frame: pd.DataFrame, doc: Document, responses_file: str
) -> dict[str, alt.TopLevelMixin]:
    """Return the four charts of the lost annex exhibits, drawn from validated responses, by glue
    name; an empty dict when no responses were given."""
    if responses is None:
        return {}
    file_name = Path(responses_file).name
    ids = _caption_ids(doc)
    caption = {key: ids[text] for key, text in RESPONSE_CHARTS.items()}
    return {
        "annex-fig-responses-best-issue": best_issue_chart(
            best_issue_counts(responses, issues_frame), caption["best-issue"], file_name),
        "annex-fig-responses-feasibility": feasibility_chart(
            feasibility_ratings(responses, issues_frame), caption["feasibility"], file_name),
        "annex-fig-responses-region": respondents_chart(
            respondents_by(responses, "region", REGIONS), "region", caption["region"], file_name),
        "annex-fig-responses-affiliation": respondents_chart(
            respondents_by(responses, "affiliation", AFFILIATIONS), "affiliation", caption["affiliation"], file_name),
    }


def show_responses(charts: dict[str, alt.TopLevelMixin]) -> None:
    """Display the four responses charts, or the plain statement that none is drawn."""
    if not charts:
        display(Markdown(NO_RESPONSES))
        return
    for chart in charts.values():
        display(chart)

