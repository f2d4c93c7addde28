"""Tests for compendium.data: the tables validate, quotes are verbatim, keys resolve, bad input is reported."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import frictionless
import pandas as pd
import pytest

from compendium.data import tables as data
from compendium.data import lexicon
from compendium import paths
from compendium.data import source
from compendium.errors import ValidationFailed

RAW_SHA256 = "ce3767951681302c2fbba962daf75c95a5ec265544c0c41a01216873cf287c7b"


# -- helpers ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return data.load_tables()


@pytest.fixture(scope="module")
def descriptor() -> dict:
    return json.loads(paths.DATAPACKAGE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def raw() -> str:
    return source.load_document(paths.RAW_SOURCE).raw


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A copy of the data directory that a test may break."""
    return Path(shutil.copytree(paths.DATA_DIR, tmp_path / "data"))


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    return rows[0], rows[1:]


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")


def set_cell(path: Path, key: str, column: str, value: str) -> int:
    """Set ``column`` of the row whose first cell is ``key``; return that row's spreadsheet number."""
    header, rows = read_rows(path)
    index = next(i for i, r in enumerate(rows) if r[0] == key)
    rows[index][header.index(column)] = value
    write_rows(path, header, rows)
    return index + 2


def locations(exc: ValidationFailed) -> set[tuple[str, int | None, str | None]]:
    return {(p.file, p.row, p.column) for p in exc.problems}


def data_lines(name: str) -> int:
    return len(read_rows(paths.DATA_DIR / f"{name}.csv")[1])


# -- the real tables -------------------------------------------------------------------


def test_package_has_no_problems():
    assert data.validate_tables() == []


@pytest.mark.parametrize("name", data.TABLES)
def test_every_table_loads_with_its_declared_columns_and_every_row(name, descriptor):
    frame = getattr(data, f"load_{name}")()
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    assert list(frame.columns) == [f["name"] for f in resource["schema"]["fields"]]
    assert len(frame) == data_lines(name)  # nothing silently dropped


def test_descriptor_is_a_valid_data_package_documenting_every_csv(descriptor):
    assert list(frictionless.Package.metadata_validate(descriptor)) == []
    documented = {r["path"] for r in descriptor["resources"]}
    assert documented == {p.name for p in paths.DATA_DIR.glob("*.csv")}
    assert {lic["name"] for lic in descriptor["licenses"]} >= {"CC-BY-4.0"}
    assert any("cic.nyu.edu" in s.get("path", "") for s in descriptor["sources"])


def test_frictionless_validates_the_whole_package_with_its_foreign_keys():
    report = frictionless.Package(str(paths.DATAPACKAGE)).validate()
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])


def test_declared_foreign_keys(descriptor):
    declared = {
        (r["name"], k["fields"][0], f"{k['reference']['resource']}.{k['reference']['fields'][0]}")
        for r in descriptor["resources"]
        for k in r["schema"].get("foreignKeys", [])
    }
    assert declared >= {
        ("claims", "passage_id", "passages.passage_id"),
        ("claims", "issue_id", "issues.issue_id"),
        ("ledger", "figure_id", "figures.figure_id"),
        ("figures", "passage_id", "passages.passage_id"),
        ("codebook", "example_passage_id", "passages.passage_id"),
    }


def test_raw_source_is_byte_for_byte_untouched():
    assert hashlib.sha256(paths.RAW_SOURCE.read_bytes()).hexdigest() == RAW_SHA256


def test_dtypes_follow_the_descriptor(tables):
    assert tables["passages"]["start"].dtype == "int64"
    assert tables["issues"]["surveyed"].dtype == "bool"
    assert tables["issues"]["cluster"].dtype == "Int64"
    assert tables["claims"]["cluster"].dtype == "Int64"
    assert pd.api.types.is_string_dtype(tables["claims"]["claim_type"])  # enums stay plain strings
    assert data.allowed_values("passages", "section") == list(source.SECTION_IDS)
    assert data.allowed_values("claims", "modality")[0] == "asserted"
    assert pd.api.types.is_datetime64_any_dtype(tables["outcomes"]["date"])
    assert tables["outcomes"]["value"].dtype == "float64" and tables["outcomes"]["cluster"].dtype == "Int64"
    assert tables["claim_items"]["item"].dtype == "int64"
    assert pd.api.types.is_datetime64_any_dtype(tables["context"]["date"])
    assert tables["ledger"]["source_value"].dtype == "float64"
    assert tables["claims"]["note"].isna().any() and not (tables["claims"]["note"] == "nan").any()


@pytest.mark.parametrize("table", ["claims", "figures"])
def test_every_quote_is_verbatim_at_its_passage_offsets(tables, raw, table):
    offsets = tables["passages"].set_index("passage_id")[["start", "end"]]
    for row in tables[table].itertuples(index=False):
        start, end = offsets.loc[row.passage_id]
        assert row.quote in raw[start:end], (row.passage_id, row.quote)


def test_every_foreign_key_resolves(tables):
    passages, issues = set(tables["passages"]["passage_id"]), set(tables["issues"]["issue_id"])
    assert set(tables["claims"]["passage_id"]) <= passages
    assert set(tables["claims"]["issue_id"]) <= issues
    assert set(tables["claims"]["lead_in"].dropna()) <= passages
    assert set(tables["claim_items"]["claim_id"]) <= set(tables["claims"]["claim_id"])
    assert set(tables["claim_items"]["issue_id"].dropna()) <= issues
    assert set(tables["outcomes"]["issue_ids"].str.split(";").explode()) <= issues
    assert set(tables["outcomes"]["passage_ids"].str.split(";").explode()) <= passages
    assert set(tables["figures"]["passage_id"]) <= passages
    assert set(tables["ledger"]["figure_id"]) <= set(tables["figures"]["figure_id"])
    assert set(tables["codebook"]["example_passage_id"]) <= passages
    assert set(tables["context"]["passage_id"].dropna()) <= passages
    assert set(data.claim_actors(tables["claims"])["actor_id"]) <= set(tables["actors"]["actor_id"])


def test_every_coded_passage_has_a_claim_except_a_bare_lead_in(tables):
    passages = tables["passages"]
    coded = passages[passages["section"].isin(data.CODED_SECTIONS) & passages["kind"].isin(data.CODED_KINDS)]
    # "Among the key points made by participants were that:" is only a lead-in: its bullets carry it
    assert set(coded["passage_id"]) - set(tables["claims"]["passage_id"]) == {"key-findings/p1"}
    assert set(tables["claims"]["passage_id"]) <= set(coded["passage_id"])
    assert {"key-findings/p1", "cluster-1/p3", "final-remarks/p1"} <= set(coded["passage_id"])
    assert data.lead_in_passages(tables) == {
        "key-findings/p1": [f"key-findings/b{n}" for n in range(1, 5)],
        "cluster-1/p3": [f"cluster-1/b{n}" for n in range(1, 6)],
    }
    assert set(coded["section"]) == {"key-findings", "final-remarks", *(f"cluster-{n}" for n in range(1, 5))}


def test_claim_actors_are_exactly_the_actors_the_quote_names(tables):
    patterns = lexicon.actor_patterns(tables["actors"])
    for row in tables["claims"].itertuples(index=False):
        coded = set(row.actors.split(";")) if isinstance(row.actors, str) else set()
        assert coded == set(lexicon.actors_named(row.quote, patterns)), row.claim_id


def test_claim_ids_number_the_claims_of_each_passage(tables):
    claims = tables["claims"]
    numbers = claims["claim_id"].str.split("#").str[1].astype(int)
    for passage_id, group in numbers.groupby(claims["passage_id"]):
        assert sorted(group) == list(range(1, len(group) + 1)), passage_id


def test_survey_issues_map_to_their_clusters(tables):
    expected = {
        "R2P": 1,
        "Nuclear proliferation": 2, "Info privacy / cybersecurity": 2, "Drones": 2,
        "Illicit flows": 3, "Migration": 3, "Maritime security": 3, "Drug control policies": 3,
        "Climate / energy": 4, "Scarcity / sustainability": 4, "Disease / public health": 4,
    }
    surveyed = tables["issues"].loc[tables["issues"]["surveyed"]]
    assert dict(zip(surveyed["survey_label"].astype(str), surveyed["cluster"])) == expected
    annex = set(source.survey_table(source.load_document(paths.RAW_SOURCE))["issue_label"])
    assert set(expected) == annex


def test_issues_the_survey_did_not_ask_about_are_flagged(tables):
    issues = tables["issues"].set_index("issue_id")
    for issue_id in ("violent-extremism", "modern-slavery", "informal-economies", "lethal-autonomous-weapons",
                     "humanitarian-financing", "inequality", "synthetic-biological-weapons", "3d-printing",
                     "technology-transfer", "private-finance-for-development", "risk-informed-development",
                     "unsg-leadership", "un-norms-general"):
        assert not issues.loc[issue_id, "surveyed"], issue_id
    assert pd.isna(issues.loc["un-norms-general", "cluster"])


def test_survey_actor_ids_are_in_the_lexicon(tables):
    assert set(source.SURVEY_ACTORS.values()) <= set(tables["actors"]["actor_id"])


def test_codebook_covers_every_category_of_the_coded_fields(tables, descriptor):
    coded = {"claims.claim_type", "claims.modality", "claims.acts", "claims.role", "claims.feasibility",
             "actors.category",
             "ledger.verdict", "ledger.confidence", "context.confidence"}
    enums = {f"{r['name']}.{f['name']}": f["constraints"]["enum"]
             for r in descriptor["resources"] for f in r["schema"]["fields"] if "enum" in f.get("constraints", {})}
    rows = tables["codebook"].assign(field=lambda f: f["fields"].str.split(";")).explode("field")
    for field in coded:
        assert set(rows.loc[rows["field"] == field, "category"]) == set(enums[field]), field


@pytest.mark.parametrize("column", ["claim_type", "modality", "acts", "role", "feasibility"])
def test_codebook_examples_are_coded_with_their_category(tables, column):
    codebook = tables["codebook"]
    claims = tables["claims"].set_index("claim_id")
    for entry in codebook.loc[codebook["fields"] == f"claims.{column}"].itertuples(index=False):
        example = claims.loc[entry.example_claim_id]  # the claim whose quote is the verbatim example
        assert example["passage_id"] == entry.example_passage_id, (column, entry.category)
        assert example[column] == entry.category, (column, entry.category)


def test_codebook_actor_category_examples_mention_such_an_actor(tables):
    mentions = lexicon.actor_mentions(tables["passages"], tables["actors"])
    mentions = mentions.merge(tables["actors"][["actor_id", "category"]], on="actor_id")
    codebook = tables["codebook"]
    for entry in codebook.loc[codebook["variable"] == "actor_category"].itertuples(index=False):
        here = mentions.loc[mentions["passage_id"] == entry.example_passage_id, "category"].astype(str)
        assert entry.category in set(here), entry.category


def test_humanitarian_rise_computed_from_the_ledger_supports_at_least_400_percent(tables):
    ledger = tables["ledger"].loc[lambda f: (f["figure_id"] == "humanitarian-costs-rise") & (f["unit"] == "USD bn")]
    requirements = ledger.loc[ledger["measure"].str.contains("requirements") & ledger["year"].isin([2000, 2014])]
    base = requirements.loc[requirements["year"] == 2000, "source_value"].item()
    rises = (requirements.loc[requirements["year"] == 2014, "source_value"] / base - 1) * 100
    figure = tables["figures"].set_index("figure_id").loc["humanitarian-costs-rise", "value"]
    assert len(rises) == 2 and (rises > 800).all() and (rises >= figure).all()
    assert set(requirements["verdict"].astype(str)) == {"supported"}


def test_figures_without_a_source_stay_without_a_value(tables):
    ledger = tables["ledger"].set_index("ledger_id")
    entry = ledger.loc["guinea-bissau-jobs/1"]
    assert entry["confidence"] == "not-found" and entry["verdict"] == "no-source-found"
    assert pd.isna(entry["source_value"])
    not_found = tables["ledger"].loc[tables["ledger"]["confidence"] == "not-found"]
    assert not_found["source_value"].isna().all() and not_found["source_date"].isna().all()


def test_every_figure_has_a_ledger_row_and_the_named_figures_are_there(tables):
    figures = tables["figures"].set_index("figure_id")
    assert set(figures.index) == set(tables["ledger"]["figure_id"])
    values = {400, 80, 17, 85, 50, 3.5, 50000}
    assert values <= set(figures["value"].dropna())
    assert {"2015-05-07", "2015-04/2015-05", "2016", "2015"} <= set(figures["date"].dropna())


def test_context_has_estimates_and_honestly_rated_timeline(tables):
    context = tables["context"].set_index("context_id")
    assert (context.loc["warheads-pakistan-2015", ["value_low", "value_high"]] == [100, 120]).all()
    assert pd.isna(context.loc["warheads-pakistan-2015", "value"])
    timeline = context.loc[context.index.str.startswith("timeline-")]
    assert len(timeline) == 5 and set(timeline["confidence"].astype(str)) == {"to-verify"}
    assert timeline["date"].notna().all()
    assert context.loc[context["kind"] == "quantity", "is_estimate"].sum() >= 40


def test_data_dictionary_is_generated_from_the_descriptor(descriptor):
    dictionary = data.data_dictionary()
    assert len(dictionary) == sum(len(r["schema"]["fields"]) for r in descriptor["resources"])
    assert list(dictionary.columns) == ["table", "field", "type", "required", "allowed", "key", "description"]
    claim_type = dictionary.set_index(["table", "field"]).loc[("claims", "claim_type")]
    assert claim_type["allowed"] == "finding, diagnosis, recommendation, actor-assessment"
    assert dictionary.set_index(["table", "field"]).loc[("claims", "issue_id"), "key"] == "references issues.issue_id"


def test_provenance_checks_pass_on_the_real_data():
    frame = data.provenance_checks()
    assert list(frame.columns) == ["check", "checked", "problems"]
    assert (frame["problems"] == 0).all() and (frame["checked"] > 0).all()
    assert data.sha256_of(paths.RAW_SOURCE) == RAW_SHA256


def test_provenance_checks_catch_a_changed_raw_hash_record(data_copy):
    readme = data_copy / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(RAW_SHA256, "0" * 64), encoding="utf-8")
    # the raw text's bytes are checked before anything else (issue 16): a record they no longer match stops the load
    with pytest.raises(ValidationFailed) as raised:
        data.provenance_checks(data_copy)
    assert [p.file for p in raised.value.problems] == [data.RAW]
    assert "SHA-256" in raised.value.problems[0].message


# -- the raw text's exact bytes (issue 16: a Windows checkout) ----------------------------

BOM = b"\xef\xbb\xbf"


def windows_bytes(data: bytes, bom: bool = True, crlf: bool = True) -> bytes:
    """Return the raw text as a Windows checkout or editor writes it: CRLF line ends and/or a byte-order mark."""
    return (BOM if bom else b"") + (data.replace(b"\n", b"\r\n") if crlf else data)


@pytest.mark.parametrize(("bom", "crlf", "words"), [
    (True, True, ["byte-order mark", "CRLF"]),
    (False, True, ["CRLF"]),
    (True, False, ["byte-order mark"]),
])
def test_a_windows_checkout_of_the_raw_text_is_one_clear_problem(data_copy, bom, crlf, words):
    raw = paths.raw_source(data_copy)
    raw.write_bytes(windows_bytes(raw.read_bytes(), bom, crlf))
    problems = data.validate_tables(data_copy)
    assert len(problems) == 1, problems  # not one per quote and passage (151 before)
    problem = problems[0]
    assert (problem.file, problem.row, problem.column) == (data.RAW, None, None)
    for word in words:
        assert word in problem.message
    assert "without them it is the published text" in problem.message
    assert "git checkout -- data/raw/meeting-summary.txt" in problem.message and ".gitattributes" in problem.message
    absent = {"byte-order mark", "CRLF"} - set(words)
    assert not any(word in problem.message for word in absent)
    with pytest.raises(ValidationFailed) as raised:
        data.load_claims(data_copy)
    assert raised.value.problems == [problem]


def test_the_raw_text_is_checked_before_anything_else(data_copy):
    """With the raw text's line ends changed and a table broken too, the raw text is the one problem reported."""
    raw = paths.raw_source(data_copy)
    raw.write_bytes(windows_bytes(raw.read_bytes()))
    claims = data_copy / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace(",finding,", ",findings,"), encoding="utf-8")
    assert [p.file for p in data.validate_tables(data_copy)] == [data.RAW]
    raw.write_bytes(paths.RAW_SOURCE.read_bytes())  # the published bytes again: the table's problems show
    files = {p.file for p in data.validate_tables(data_copy)}
    assert "claims.csv" in files and data.RAW not in files


def test_an_edited_raw_text_is_reported_by_its_hash(data_copy):
    raw = paths.raw_source(data_copy)
    text = raw.read_bytes()
    raw.write_bytes(text.replace(b"Updating the Rules", b"Updating the rules", 1))
    problems = data.raw_text_problems(data_copy)
    assert len(problems) == 1 and data.validate_tables(data_copy) == problems
    message = problems[0].message
    assert hashlib.sha256(raw.read_bytes()).hexdigest() in message and RAW_SHA256 in message
    assert "not the published text" in message and "CRLF" not in message and "byte-order" not in message
    raw.write_bytes(windows_bytes(raw.read_bytes()))  # an edit and a Windows checkout: not only line ends
    message = data.raw_text_problems(data_copy)[0].message
    assert "not the published text" in message and "it also has a UTF-8 byte-order mark" in message


def test_the_published_bytes_pass_and_a_folder_without_a_record_is_not_checked(data_copy):
    assert data.raw_text_problems() == [] and data.raw_text_problems(data_copy) == []
    (data_copy / "README.md").unlink()
    raw = paths.raw_source(data_copy)
    raw.write_bytes(windows_bytes(raw.read_bytes()))
    assert data.raw_text_problems(data_copy) == []  # no recorded SHA-256 to hold the bytes to


def test_gitattributes_keep_the_raw_text_and_data_byte_exact_under_autocrlf(tmp_path):
    """Commit the project's .gitattributes and data, clone with core.autocrlf=true: every data file is byte-exact."""
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    import subprocess

    def run(*args, cwd):
        subprocess.run([git, "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "core.autocrlf=true",
                        *args], cwd=cwd, check=True, capture_output=True)

    origin = tmp_path / "origin"
    shutil.copytree(paths.DATA_DIR, origin / "data")
    shutil.copy2(paths.ROOT / ".gitattributes", origin / ".gitattributes")
    run("init", "-q", cwd=origin)
    run("add", ".", cwd=origin)
    run("commit", "-q", "-m", "data", cwd=origin)
    run("clone", "-q", str(origin), str(tmp_path / "clone"), cwd=tmp_path)
    files = sorted(p.relative_to(paths.DATA_DIR) for p in paths.DATA_DIR.rglob("*") if p.is_file())
    assert Path("raw/meeting-summary.txt") in files
    changed = [f for f in files if (tmp_path / "clone" / "data" / f).read_bytes() != (paths.DATA_DIR / f).read_bytes()]
    assert not changed
    assert data.raw_text_problems(tmp_path / "clone" / "data") == []


def test_loading_every_table_is_fast():
    data._checked_cached.cache_clear()
    start = time.perf_counter()
    for name in data.TABLES:
        getattr(data, f"load_{name}")()
    assert time.perf_counter() - start < 3.0


def test_loaded_frames_are_copies():
    claims = data.load_claims()
    claims.loc[:, "quote"] = "changed"
    assert (data.load_claims()["quote"] != "changed").all()


# -- broken input ----------------------------------------------------------------------

Location = tuple[str, "int | None", "str | None"]


def _missing_column(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "claims.csv")
    i = header.index("feasibility")
    write_rows(d / "claims.csv", header[:i] + header[i + 1:], [r[:i] + r[i + 1:] for r in rows])
    return "load_claims", {("claims.csv", 1, "feasibility")}


def _unexpected_column(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "actors.csv")
    write_rows(d / "actors.csv", [*header, "mentions"], [[*r, "3"] for r in rows])
    return "load_actors", {("actors.csv", 1, "mentions")}


def _value_outside_enum(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "cluster-3/p4#1", "claim_type", "observation")
    return "load_claims", {("claims.csv", row, "claim_type")}


def _integer_out_of_range(d: Path) -> tuple[str, set]:
    row = set_cell(d / "issues.csv", "drones", "cluster", "7")
    return "load_issues", {("issues.csv", row, "cluster")}


def _not_a_boolean(d: Path) -> tuple[str, set]:
    row = set_cell(d / "issues.csv", "drones", "surveyed", "yes")
    return "load_issues", {("issues.csv", row, "surveyed")}


def _not_a_date(d: Path) -> tuple[str, set]:
    row = set_cell(d / "context.csv", "timeline-mosul", "date", "2014-02-30")
    return "load_context", {("context.csv", row, "date")}


def _not_an_integer(d: Path) -> tuple[str, set]:
    row = set_cell(d / "passages.csv", "cluster-3/p4", "start", "abc")
    return "load_passages", {("passages.csv", row, "start")}


def _required_cell_empty(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "cluster-3/p4#2", "quote", "")
    return "load_claims", {("claims.csv", row, "quote")}


def _dangling_issue(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "cluster-3/p4#1", "issue_id", "no-such-issue")
    return "load_claims", {("claims.csv", row, "issue_id")}


def _dangling_passage(d: Path) -> tuple[str, set]:
    row = set_cell(d / "figures.csv", "average-displacement", "passage_id", "cluster-9/p1")
    return "load_figures", {("figures.csv", row, "passage_id")}


def _dangling_figure(d: Path) -> tuple[str, set]:
    row = set_cell(d / "ledger.csv", "average-displacement/3", "figure_id", "average-exile")
    return "load_ledger", {("ledger.csv", row, "figure_id")}


def _dangling_actor(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "cluster-3/p2#3", "actors", "secretary-general;private-sector;no-such-actor")
    return "load_claims", {("claims.csv", row, "actors")}


def _duplicate_id(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "issues.csv")
    write_rows(d / "issues.csv", header, [*rows, rows[0]])
    return "load_issues", {("issues.csv", len(rows) + 2, "issue_id")}


def _duplicate_composite_key(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "codebook.csv")
    write_rows(d / "codebook.csv", header, [*rows, rows[0]])
    return "load_codebook", {("codebook.csv", len(rows) + 2, "variable,category")}


def _quote_not_verbatim(d: Path) -> tuple[str, set]:
    quote = "The UNSG will lead efforts to shape the discourse on this agenda."  # the source says "can lead"
    row = set_cell(d / "claims.csv", "cluster-3/p1#1", "quote", quote)
    return "load_claims", {("claims.csv", row, "quote")}


def _quote_with_plain_dash(d: Path) -> tuple[str, set]:
    quote = ("Defending existing norms - in rights, peace and security - and exploring the areas identified above, "
             "would already constitute a courageous move by the UNSG.")
    row = set_cell(d / "claims.csv", "key-findings/b3#3", "quote", quote)  # the source has en dashes
    return "load_claims", {("claims.csv", row, "quote")}


def _figure_quote_not_verbatim(d: Path) -> tuple[str, set]:
    row = set_cell(d / "figures.csv", "guinea-bissau-jobs", "quote", "50.000 jobs annually")
    return "load_figures", {("figures.csv", row, "quote")}


def _not_utf8(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "claims.csv")
    (d / "claims.csv").write_bytes((d / "claims.csv").read_text(encoding="utf-8").encode("cp1252", errors="replace"))
    row = next(i for i, r in enumerate(rows) if r[0] == "key-findings/b3#3") + 2  # en dashes
    return "load_claims", {("claims.csv", row, "quote")}


def _crlf_line_ends(d: Path) -> tuple[str, set]:
    path = d / "figures.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return "load_figures", {("figures.csv", 1, None)}


def _passage_not_coded(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "claims.csv")
    write_rows(d / "claims.csv", header, [r for r in rows if r[1] != "cluster-3/p6"])
    return "load_claims", {("claims.csv", None, "passage_id")}


def _actor_not_in_quote(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "cluster-3/p4#1", "actors", "un-system")
    return "load_claims", {("claims.csv", row, "actors")}


def _invalid_term(d: Path) -> tuple[str, set]:
    row = set_cell(d / "actors.csv", "spoilers", "terms", "spoilers(")
    return "load_actors", {("actors.csv", row, "terms")}


def _figure_without_ledger_row(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "ledger.csv")
    write_rows(d / "ledger.csv", header, [r for r in rows if r[1] != "guinea-bissau-jobs"])
    return "load_ledger", {("ledger.csv", None, "figure_id")}


def _estimate_where_no_source(d: Path) -> tuple[str, set]:
    row = set_cell(d / "ledger.csv", "guinea-bissau-jobs/1", "source_value", "50000")
    return "load_ledger", {("ledger.csv", row, "source_value")}


def _passage_offset_shifted(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "passages.csv")
    index = next(i for i, r in enumerate(rows) if r[0] == "cluster-3/p4")
    rows[index][header.index("start")] = str(int(rows[index][header.index("start")]) + 1)
    write_rows(d / "passages.csv", header, rows)
    return "load_passages", {("passages.csv", index + 2, "start")}


def _codebook_example_not_coded(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "codebook.csv")
    index = next(i for i, r in enumerate(rows) if r[:2] == ["feasibility", "low"])
    rows[index][header.index("example_passage_id")] = "cluster-3/p4"
    write_rows(d / "codebook.csv", header, rows)
    return "load_codebook", {("codebook.csv", index + 2, "example_passage_id")}


def _wrong_cluster(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "key-findings/b3#1", "cluster", "4")  # emerging technologies: cluster 2
    return "load_claims", {("claims.csv", row, "cluster")}


def _claim_is_a_fragment(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "cluster-2/p3#4", "quote", "drones")  # a list item of cluster-2/p3#2
    set_cell(d / "claims.csv", "cluster-2/p3#4", "actors", "")
    return "load_claims", {("claims.csv", row, "quote")}


def _claim_is_a_lead_in(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "claims.csv")
    row = next(r for r in rows if r[0] == "cluster-1/p3#3")
    lead_in = dict(zip(header, row)) | {"claim_id": "cluster-1/p3#4", "quote": "The international community could, for example:",
                                        "modality": "hedged", "acts": "international-community", "role": "to-act",
                                        "actors": "international-community"}
    write_rows(d / "claims.csv", header, [*rows, [lead_in[c] for c in header]])
    return "load_claims", {("claims.csv", len(rows) + 2, "quote")}


def _modality_missing(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "key-findings/b3#1", "modality", "")  # "The UN may not be well placed ..."
    return "load_claims", {("claims.csv", row, "modality")}


def _hedge_dropped(d: Path) -> tuple[str, set]:
    row = set_cell(d / "claims.csv", "key-findings/b3#1", "modality", "asserted")
    return "load_claims", {("claims.csv", row, "modality")}


def _item_not_in_its_sentence(d: Path) -> tuple[str, set]:
    header, rows = read_rows(d / "claim_items.csv")
    index = next(i for i, r in enumerate(rows) if r[0] == "key-findings/b1#1")
    rows[index][header.index("text")] = "modern slavery"  # in the passage after, not in this sentence
    write_rows(d / "claim_items.csv", header, rows)
    return "load_claim_items", {("claim_items.csv", index + 2, "text")}


def _outcome_unknown_passage(d: Path) -> tuple[str, set]:
    row = set_cell(d / "outcomes.csv", "ig-01", "passage_ids", "cluster-3/p2;cluster-3/p99")
    return "load_outcomes", {("outcomes.csv", row, "passage_ids")}


def _outcome_unknown_issue(d: Path) -> tuple[str, set]:
    row = set_cell(d / "outcomes.csv", "ig-01", "issue_ids", "illicit-flows;tax-havens")
    return "load_outcomes", {("outcomes.csv", row, "issue_ids")}


def _outcome_bad_date(d: Path) -> tuple[str, set]:
    row = set_cell(d / "outcomes.csv", "ig-01", "date", "2015-07-32")
    return "load_outcomes", {("outcomes.csv", row, "date")}


def _outcome_bad_confidence(d: Path) -> tuple[str, set]:
    row = set_cell(d / "outcomes.csv", "ig-01", "confidence", "likely")
    return "load_outcomes", {("outcomes.csv", row, "confidence")}


def _invalid_descriptor(d: Path) -> tuple[str, set]:
    descriptor = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][0]["schema"]["fields"][0]["type"] = "strng"
    (d / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return "load_passages", {("datapackage.json", None, None)}


def _foreign_key_to_missing_field(d: Path) -> tuple[str, set]:
    descriptor = json.loads((d / "datapackage.json").read_text(encoding="utf-8"))
    codebook = next(r for r in descriptor["resources"] if r["name"] == "codebook")
    codebook["schema"]["foreignKeys"][0]["reference"]["fields"] = ["example_passage_id"]
    (d / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return "load_codebook", {("datapackage.json", None, None)}


BROKEN: list[Callable[[Path], tuple[str, set]]] = [
    _missing_column, _unexpected_column, _value_outside_enum, _integer_out_of_range, _not_a_boolean, _not_a_date,
    _not_an_integer, _required_cell_empty, _dangling_issue, _dangling_passage, _dangling_figure, _dangling_actor,
    _duplicate_id, _duplicate_composite_key, _quote_not_verbatim, _quote_with_plain_dash, _figure_quote_not_verbatim,
    _not_utf8, _crlf_line_ends, _passage_not_coded, _actor_not_in_quote, _invalid_term, _figure_without_ledger_row,
    _estimate_where_no_source, _passage_offset_shifted, _codebook_example_not_coded, _wrong_cluster,
    _invalid_descriptor, _foreign_key_to_missing_field,
    _claim_is_a_fragment, _claim_is_a_lead_in, _modality_missing, _hedge_dropped, _item_not_in_its_sentence,
    _outcome_unknown_passage, _outcome_unknown_issue, _outcome_bad_date, _outcome_bad_confidence,
]


@pytest.mark.parametrize("breaks", BROKEN, ids=[b.__name__.strip("_") for b in BROKEN])
def test_broken_table_fails_naming_file_row_and_column(data_copy, breaks):
    loader, expected = breaks(data_copy)
    with pytest.raises(ValidationFailed) as caught:
        getattr(data, loader)(data_copy)
    assert expected <= locations(caught.value), str(caught.value)
    report = str(caught.value)
    for file, row, column in expected:
        assert file in report
        if row is not None:
            assert f"row {row}" in report
        if column is not None:
            assert f"column '{column}'" in report
    with pytest.raises(ValidationFailed):
        data.load_tables(data_copy)


def test_several_problems_are_reported_together(data_copy):
    expected = set()
    for breaks in (_value_outside_enum, _dangling_figure, _duplicate_id, _quote_not_verbatim, _missing_column):
        expected |= breaks(data_copy)[1]
    with pytest.raises(ValidationFailed) as caught:
        data.load_tables(data_copy)
    assert expected <= locations(caught.value)
    assert f"{len(caught.value.problems)} problem(s)" in str(caught.value)


def test_a_load_fails_only_on_the_tables_it_reads(data_copy):
    set_cell(data_copy / "context.csv", "timeline-mosul", "date", "not a date")
    with pytest.raises(ValidationFailed) as caught:
        data.load_context(data_copy)
    assert {p.file for p in caught.value.problems} == {"context.csv"}
    assert len(data.load_claims(data_copy)) == data_lines("claims")


def test_an_edited_file_is_checked_again(data_copy):
    assert len(data.load_issues(data_copy)) == data_lines("issues")
    set_cell(data_copy / "issues.csv", "drones", "cluster", "seven")
    with pytest.raises(ValidationFailed):
        data.load_issues(data_copy)


def test_a_missing_table_is_reported(data_copy):
    (data_copy / "ledger.csv").unlink()
    with pytest.raises(ValidationFailed) as caught:
        data.load_ledger(data_copy)
    assert ("ledger.csv", None, None) in locations(caught.value)


# -- each content validated once -------------------------------------------------------


def test_a_valid_package_is_validated_once_and_then_read_from_its_store(data_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(data, "VALIDATED_DIR", tmp_path / "validated")
    data._checked_cached.cache_clear()
    first = data.load_tables(data_copy)
    stored = list((tmp_path / "validated").glob("tables-*.pickle"))
    assert len(stored) == 1
    monkeypatch.setattr(data, "_check_package", lambda d: pytest.fail("validated the same content twice"))
    data._checked_cached.cache_clear()
    again = data.load_tables(data_copy)
    assert all(again[name].equals(first[name]) for name in data.TABLES)


def test_changed_content_is_validated_again_and_problems_are_never_stored(data_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(data, "VALIDATED_DIR", tmp_path / "validated")
    data._checked_cached.cache_clear()
    data.load_tables(data_copy)
    claims = data_copy / "claims.csv"
    claims.write_text(claims.read_text(encoding="utf-8").replace(",hedged,", ",hedgy,", 1), encoding="utf-8")
    data._checked_cached.cache_clear()
    with pytest.raises(ValidationFailed, match="hedgy"):
        data.load_tables(data_copy)
    assert len(list((tmp_path / "validated").glob("tables-*.pickle"))) == 1  # only the valid content


def test_a_stored_package_loads_without_importing_frictionless():
    import subprocess
    import sys

    data.load_tables()  # stores the package if no earlier load did
    code = ("import sys; from compendium.data.tables import load_tables; load_tables(); "
            "sys.exit(1 if 'frictionless' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- claims: a claim is a whole sentence, put as strongly as its words put it ---------------------
# The checks run on the tables as validation reads them (every cell a string); each broken case
# changes one claim of the real coding, or fakes one claim from a real passage.


def read_strings(path: Path) -> pd.DataFrame:
    """Read a table as validation does: every cell a string, '' for empty."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def document() -> source.Document:
    return source.load_document(paths.RAW_SOURCE)


@pytest.fixture(scope="module")
def as_read() -> dict[str, pd.DataFrame]:
    return {name: read_strings(paths.DATA_DIR / f"{name}.csv")
            for name in ("passages", "issues", "actors", "claims", "claim_items", "codebook", "outcomes")}


@pytest.fixture
def strings(as_read) -> dict[str, pd.DataFrame]:
    """A fresh copy of the tables as read, that a test may break."""
    return {name: frame.copy() for name, frame in as_read.items()}


def span(doc: source.Document, passage_id: str) -> str:
    block = doc.block(passage_id)
    return doc.raw[block.start:block.end]


def one_claim(tables: dict, claim_id: str, **changes) -> dict:
    """Return ``tables`` with claims reduced to one real claim (row 2), with ``changes`` applied."""
    claims = tables["claims"]
    row = claims.loc[claims["claim_id"] == claim_id].iloc[0].to_dict() | changes
    return tables | {"claims": pd.DataFrame([row])}


def fake_claim(tables: dict, passage_id: str, quote: str, **changes) -> dict:
    """Return ``tables`` with one claim: ``quote`` from ``passage_id``, coded like a plain asserted claim."""
    section = passage_id.split("/")[0]
    row = {"claim_id": f"{passage_id}#1", "passage_id": passage_id, "quote": quote, "section": section,
           "cluster": section.removeprefix("cluster-") if section.startswith("cluster-") else "",
           "issue_id": "un-norms-general", "claim_type": "finding", "modality": "asserted", "acts": "none",
           "role": "none", "actors": "", "feasibility": "not-stated", "lead_in": "", "note": "test"} | changes
    return tables | {"claims": pd.DataFrame([row])}


def messages(problems, column: str | None = None) -> list[str]:
    return [p.message for p in problems if column is None or p.column == column]


def test_labels_follow_the_descriptor_order(descriptor):
    claims = next(r for r in descriptor["resources"] if r["name"] == "claims")
    enums = {f["name"]: f["constraints"]["enum"] for f in claims["schema"]["fields"] if "enum" in f.get("constraints", {})}
    assert list(data.MODALITY_LABELS) == enums["modality"] == data.allowed_values("claims", "modality")
    assert list(data.ACTS_LABELS) == enums["acts"]
    assert list(data.ROLE_LABELS) == enums["role"]
    assert "un_stance" not in enums and not hasattr(data, "STANCE_LABELS")


def test_every_real_quote_is_a_sentence_or_clause(as_read, document):
    for claim in as_read["claims"].itertuples(index=False):
        reasons = data.fragment_problems(claim.quote, span(document, claim.passage_id), lead_in=bool(claim.lead_in))
        assert reasons == [], (claim.claim_id, reasons)


def test_the_secretary_general_the_un_system_and_member_states_are_kept_apart(as_read):
    acts = as_read["claims"].set_index("claim_id")["acts"]
    assert acts["cluster-1/p3#2"] == "secretary-general"  # "The UNSG alone cannot advance the R2P norm."
    assert acts["cluster-1/p3#3"] == "un-system"  # "The UN should explore practical avenues …"
    assert acts["key-findings/b3#2"] == "member-states"  # governmental market leaders resist, not the UN
    assert set(data.ACTS_LABELS) == set(acts)


FRAGMENTS = [
    ("key-findings/b1", "such as R2P"),
    ("key-findings/b1", "climate change"),
    ("key-findings/b1", "to innovate in key areas where there are significant normative gaps"),
    ("key-findings/b2", "migration"),
    ("key-findings/b2", "which can and should be filled by the UN"),
    ("cluster-1/p2", "as has the perceived uneven enforcement of international justice"),
    ("cluster-1/p2", "Libya and Syria being acute recent examples."),
    ("cluster-2/p3", "drones"),
    ("cluster-2/p3", "3D printing"),
    ("cluster-2/p3", "cyber security, information privacy"),
    ("cluster-3/p7", "given that they generate a significant number of jobs in developing countries"),
    ("cluster-4/p3", "advancing access to technology"),
    ("cluster-4/p4", "to help all societies to build in resilience and risk planning across all national priorities"),
]


@pytest.mark.parametrize(("passage_id", "quote"), FRAGMENTS, ids=[q for _, q in FRAGMENTS])
def test_a_fragment_is_rejected(strings, document, descriptor, passage_id, quote):
    assert quote in span(document, passage_id)  # verbatim: only the fragment rule can fail it
    problems = list(data._claim_wording_problems(descriptor, fake_claim(strings, passage_id, quote), document))
    assert any(m.startswith("a fragment, not a claim") for m in messages(problems, "quote")), problems
    assert all(p.file == "claims.csv" and p.row == 2 for p in problems if p.column == "quote")


@pytest.mark.parametrize(("passage_id", "quote"), [("key-findings/b1", "such as R2P"), ("key-findings/b2", "migration"),
                                                   ("cluster-2/p3", "3D printing"),
                                                   ("cluster-4/p3", "advancing access to technology")])
def test_a_bare_list_item_has_no_finite_verb(document, passage_id, quote):
    assert any("no finite verb" in r for r in data.fragment_problems(quote, span(document, passage_id)))


LEAD_INS = [
    ("key-findings/p1", "Among the key points made by participants were that:"),
    ("cluster-1/p3", "The international community could, for example:"),
]


@pytest.mark.parametrize(("passage_id", "quote"), LEAD_INS, ids=["key-findings", "cluster-1"])
def test_a_lead_in_is_rejected(strings, document, descriptor, passage_id, quote):
    problems = list(data._claim_wording_problems(descriptor, fake_claim(strings, passage_id, quote), document))
    assert any(m.startswith("a lead-in, not a claim") for m in messages(problems, "quote")), problems


def test_a_passage_that_is_only_a_lead_in_needs_no_claim_but_a_bullet_does(strings, document):
    claims = strings["claims"]
    assert list(data._claim_problems(strings, document)) == []
    without_bullet = strings | {"claims": claims[claims["passage_id"] != "cluster-1/b4"]}
    assert messages(data._claim_problems(without_bullet, document)) == [
        "passage 'cluster-1/b4' has no claim (every coded passage needs one, except a lead-in)"]


@pytest.mark.parametrize("value", ["", "likely", "Asserted"])
def test_a_missing_or_unknown_modality_is_rejected_naming_the_choices(strings, document, descriptor, value):
    problems = data._claim_wording_problems(descriptor, one_claim(strings, "cluster-3/p1#1", modality=value), document)
    found = messages(problems, "modality")
    assert len(found) == 1 and all(choice in found[0] for choice in data.MODALITY_LABELS), found


HEDGES_DROPPED = [
    ("key-findings/b3#1", "'may'"),  # "The UN may not be well placed ..."
    ("cluster-4/p5#3", "'could', 'potentially'"),  # "The UNSG potentially could not be ..."
    ("cluster-2/p3#1", "'unlikely'"),
    ("cluster-4/p3#2", "the quote is a question"),  # "Could the UN work more ...?"
    ("cluster-4/p4#2", "'could'"),  # "It was proposed that the UN could ..."
]


@pytest.mark.parametrize(("claim_id", "expected"), HEDGES_DROPPED, ids=[h[0] for h in HEDGES_DROPPED])
def test_a_dropped_hedge_or_question_is_rejected(strings, document, descriptor, claim_id, expected):
    problems = data._claim_wording_problems(descriptor, one_claim(strings, claim_id, modality="asserted"), document)
    assert any(expected in m for m in messages(problems, "modality")), problems


@pytest.mark.parametrize(("claim_id", "coded"), [
    ("cluster-1/p3#2", "hedged"),  # "The UNSG alone cannot advance the R2P norm." has no hedge word
    ("cluster-3/p1#1", "proposed"),  # nothing was proposed
    ("cluster-1/p3#3", "reported"),  # "The UN should explore ..." is not a reported view
    ("cluster-3/p6#1", "question"),
])
def test_a_modality_the_wording_does_not_bear_is_rejected(strings, document, descriptor, claim_id, coded):
    problems = data._claim_wording_problems(descriptor, one_claim(strings, claim_id, modality=coded), document)
    assert messages(problems, "modality"), f"{claim_id} coded {coded!r} passed"


def test_an_asserted_claim_keeps_a_hedge_word_only_with_a_note_saying_why(strings, document, descriptor):
    kept = one_claim(strings, "cluster-3/p3#1")  # "... careful management of potential spoilers"
    assert list(data._claim_wording_problems(descriptor, kept, document)) == []
    for note in ("", "Mentions 'potential' spoilers."):  # naming the word is not saying it does not hedge
        bare = one_claim(strings, "cluster-3/p3#1", note=note)
        found = messages(data._claim_wording_problems(descriptor, bare, document), "modality")
        assert any("'potential'" in m for m in found)


def test_a_bullet_inherits_its_lead_ins_hedge(strings, document, descriptor):
    # "Strengthen steps ..." has no hedge word: 'hedged' comes from "could, for example:" of its lead-in
    assert list(data._claim_wording_problems(descriptor, one_claim(strings, "cluster-1/b1#1"), document)) == []
    found = messages(data._claim_wording_problems(descriptor, one_claim(strings, "cluster-1/b1#1", lead_in=""), document))
    assert any("neither the quote nor its lead-in" in m for m in found)
    assert any(m.startswith("a fragment") for m in found)  # without its lead-in, "Strengthen" is not finite


def test_the_secretary_general_is_not_merged_into_the_un(strings, document, descriptor):
    merged = one_claim(strings, "cluster-1/p3#2", acts="un-system", note="")  # "The UNSG alone cannot ..."
    found = messages(data._claim_wording_problems(descriptor, merged, document), "acts")
    assert any("names no such actor" in m for m in found)


@pytest.mark.parametrize(("acts", "role"), [("un-system", "none"), ("none", "to-act")])
def test_role_is_none_exactly_when_no_actor_acts(strings, document, descriptor, acts, role):
    broken = one_claim(strings, "cluster-3/p4#2", acts=acts, role=role)
    assert messages(data._claim_wording_problems(descriptor, broken, document), "role")


def test_a_wrong_lead_in_and_a_lead_in_not_carried_are_rejected(strings, document, descriptor):
    wrong = one_claim(strings, "cluster-3/p1#1", lead_in="cluster-1/p3")
    assert messages(data._claim_wording_problems(descriptor, wrong, document), "lead_in")
    claims = strings["claims"].copy()
    claims.loc[claims["claim_id"] == "cluster-1/b2#1", "lead_in"] = ""
    found = messages(data._claim_wording_problems(descriptor, strings | {"claims": claims}, document), "lead_in")
    assert any("'cluster-1/b2'" in m for m in found)


def test_an_item_not_verbatim_is_rejected(strings, document):
    items = strings["claim_items"].copy()
    index = items.index[(items["claim_id"] == "cluster-2/p3#2") & (items["text"] == "3D printing")][0]
    items.loc[index, "text"] = "3-D printing"
    problems = list(data._claim_item_problems(strings | {"claim_items": items}, document))
    assert [(p.file, p.row, p.column) for p in problems] == [("claim_items.csv", index + 2, "text")]


def test_items_are_numbered_from_one(strings, document):
    items = strings["claim_items"].copy()
    items.loc[items["claim_id"] == "cluster-4/p3#2", "item"] = ["1", "3", "4"]
    found = messages(data._claim_item_problems(strings | {"claim_items": items}, document))
    assert any("'cluster-4/p3#2'" in m for m in found)


def test_a_codebook_example_claim_must_carry_its_category(strings):
    codebook = strings["codebook"].copy()
    hedged = (codebook["variable"] == "modality") & (codebook["category"] == "hedged")
    codebook.loc[hedged, ["example_passage_id", "example_claim_id"]] = ["cluster-3/p1", "cluster-3/p1#1"]
    assert messages(data._codebook_claim_example_problems(strings | {"codebook": codebook})) == [
        "claim 'cluster-3/p1#1' is coded 'asserted' in modality, not 'hedged'"]


# -- outcomes: what happened next, never stronger than its lead -----------------------------------

# Two valid rows: an event with a range and no value, and a numeric row.
OUTCOME_ROWS = [
    {"outcome_id": "sg-04", "lead": "SG-04", "date": "2016-04-12", "date_precision": "day", "end_date": "2016-04-14",
     "event": "First public informal dialogues with candidates", "value": "", "unit": "", "qualifier": "",
     "year": "", "measure": "", "method_note": "", "document": "Closing remarks", "symbol": "",
     "publisher": "Office of the President of the General Assembly", "address": "https://example.org/a",
     "confidence": "direct", "issue_ids": "unsg-leadership", "passage_ids": "final-remarks/p1;key-findings/b4",
     "cluster": "", "read_at": "pages: https://example.org/a", "note": ""},
    {"outcome_id": "ig-17", "lead": "IG-17", "date": "2020-12-31", "date_precision": "day", "end_date": "",
     "event": "82.4 million people forcibly displaced at the end of 2020", "value": "82.4",
     "unit": "million people", "qualifier": "exact", "year": "2020", "measure": "forcibly-displaced",
     "method_note": "End-of-year total", "document": "UNHCR Global Trends 2020", "symbol": "",
     "publisher": "UNHCR", "address": "https://example.org/b", "confidence": "direct",
     "issue_ids": "migration;humanitarian-financing", "passage_ids": "cluster-3/p4", "cluster": "3",
     "read_at": "lead sheet only", "note": ""},
]


def write_outcomes(directory: Path, rows: list[dict]) -> None:
    header, _ = read_rows(directory / "outcomes.csv")
    write_rows(directory / "outcomes.csv", header, [[row[c] for c in header] for row in rows])


def test_the_crafted_outcome_rows_are_valid(data_copy):
    write_outcomes(data_copy, OUTCOME_ROWS)
    assert len(data.load_outcomes(data_copy)) == 2


@pytest.mark.parametrize(
    ("row_index", "changes", "column", "fragment"),
    [
        pytest.param(1, {"passage_ids": "cluster-3/p99"}, "passage_ids", "passages of section 'cluster-3'",
                     id="unknown-passage-id"),
        pytest.param(0, {"passage_ids": "final-remarks/p1;conclusion/p1"}, "passage_ids", "sections: opening",
                     id="unknown-section"),
        pytest.param(1, {"passage_ids": "cluster3-p4"}, "passage_ids", "constraint", id="passage-id-not-a-passage-id"),
        pytest.param(1, {"issue_ids": "migration;slavery"}, "issue_ids", "modern-slavery", id="unknown-issue-id"),
        pytest.param(1, {"issue_ids": "migration;migration"}, "issue_ids", "more than once", id="repeated-issue-id"),
        pytest.param(0, {"date": "2016-13-01"}, "date", "type", id="bad-date-month"),
        pytest.param(0, {"date": "12/04/2016"}, "date", "type", id="bad-date-format"),
        pytest.param(0, {"end_date": "2016-04-01"}, "end_date", "before date", id="end-before-start"),
        pytest.param(1, {"confidence": "likely"}, "confidence", "constraint", id="bad-confidence"),
        pytest.param(1, {"confidence": ""}, "confidence", "constraint", id="missing-confidence"),
        pytest.param(1, {"unit": ""}, "unit", "needs its unit", id="value-without-unit"),
        pytest.param(0, {"unit": "people"}, "unit", "without a value", id="unit-without-value"),
        pytest.param(1, {"value": "82,4"}, "value", "type", id="value-not-a-number"),
        pytest.param(1, {"measure": "refugees"}, "measure", "constraint", id="unknown-measure"),
        pytest.param(1, {"date_precision": "month"}, "date", "first day", id="month-date-not-first-day"),
        pytest.param(1, {"cluster": "2"}, "cluster", "valid: 3, 4", id="cluster-not-an-issues-cluster"),
        pytest.param(1, {"cluster": ""}, "cluster", "cross-cutting", id="empty-cluster-without-cross-cutting-issue"),
        pytest.param(1, {"confidence": "unverified"}, "note", "must say so", id="unverified-not-said"),
        pytest.param(1, {"read_at": "somewhere"}, "read_at", "constraint", id="read-at-not-a-corpus-address"),
        pytest.param(1, {"outcome_id": "sg-04"}, "outcome_id", "unique", id="duplicate-id"),
    ],
)
def test_a_broken_outcome_is_reported_where_it_is(data_copy, row_index, changes, column, fragment):
    rows = [dict(r) for r in OUTCOME_ROWS]
    rows[row_index].update(changes)
    write_outcomes(data_copy, rows)
    with pytest.raises(ValidationFailed) as caught:
        data.load_outcomes(data_copy)
    where = row_index + 2  # the header is row 1
    mine = [p for p in caught.value.problems if (p.file, p.row, p.column) == ("outcomes.csv", where, column)]
    assert any(fragment in p.message for p in mine), str(caught.value)


def test_an_unverified_outcome_that_says_so_passes(data_copy):
    rows = [dict(r) for r in OUTCOME_ROWS]
    rows[1].update(confidence="unverified", note="Unverified: not found in stored sources; shown as such.")
    write_outcomes(data_copy, rows)
    assert data.load_outcomes(data_copy)["confidence"].tolist() == ["direct", "unverified"]


# The lead sheet lives beside the compendium (../shared/reference), not in data/: the check that no
# outcome is stronger than its lead is a test, and runs where the sheet is present.
LEAD_SHEET = paths.ROOT.parent / "shared" / "reference" / "after-2015-sourced.md"
CONFIDENCE_ORDER = data.OUTCOME_CONFIDENCE  # weakest first
LEAD_CODE = re.compile(r"\*\*([A-Z0-9]+-[A-Z0-9]+)\*\*")
needs_lead_sheet = pytest.mark.skipif(not LEAD_SHEET.is_file(), reason=f"no lead sheet at {LEAD_SHEET}")


def lead_rows(path: Path) -> Iterator[tuple[str, list[str]]]:
    """Yield (lead code, the row's cells) for each table row of a lead sheet that names a code."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        match = LEAD_CODE.search(line)
        if line.startswith("|") and match:
            yield match.group(1), [c.strip() for c in line.strip().strip("|").split("|")]


def read_lead_sheet(path: Path) -> dict[str, str]:
    """Return {lead code: confidence word} (the last cell of each row)."""
    return {code: cells[-1] for code, cells in lead_rows(path) if cells[-1] in CONFIDENCE_ORDER}


def read_lead_quotes(path: Path) -> dict[str, str]:
    """Return {lead code: the meeting passage it quotes} (the cell before the confidence word)."""
    return {code: cells[-2].strip().strip('"“”') for code, cells in lead_rows(path)
            if len(cells) >= 2 and cells[-1] in CONFIDENCE_ORDER}


def lead_problems(outcomes: pd.DataFrame, leads: dict[str, str]) -> list[tuple[int, str]]:
    """Return (row, column) where a lead code is unknown or a confidence is above its weakest lead's."""
    found = []
    for row, (cell, confidence) in enumerate(zip(outcomes["lead"], outcomes["confidence"]), start=2):
        codes = [c for c in cell.split(";") if c]
        found += [(row, "lead") for c in codes if c not in leads]
        rated = [leads[c] for c in codes if c in leads]
        if rated and confidence in CONFIDENCE_ORDER:
            weakest = min(rated, key=CONFIDENCE_ORDER.index)
            if CONFIDENCE_ORDER.index(confidence) > CONFIDENCE_ORDER.index(weakest):
                found.append((row, "confidence"))
    return found


@pytest.mark.parametrize(
    ("lead", "confidence", "expected"),
    [
        pytest.param("SD-09", "second-hand", [], id="kept"),
        pytest.param("SD-09", "direct", [(2, "confidence")], id="raised-above-second-hand"),
        pytest.param("SD-08;SD-09", "direct", [(2, "confidence")], id="raised-above-weakest-of-two"),
        pytest.param("SD-U1", "second-hand", [(2, "confidence")], id="raised-above-unverified"),
        pytest.param("SD-08", "second-hand", [], id="lowered-is-allowed"),
        pytest.param("SD-99", "direct", [(2, "lead")], id="unknown-code"),
    ],
)
def test_lead_problems_on_crafted_leads(lead, confidence, expected):
    leads = {"SD-08": "direct", "SD-09": "second-hand", "SD-U1": "unverified"}
    assert lead_problems(pd.DataFrame([{"lead": lead, "confidence": confidence}]), leads) == expected


def test_the_lead_sheet_reader_on_a_small_sheet(tmp_path):
    sheet = tmp_path / "leads.md"
    sheet.write_text(
        "| date | event | document | publisher | address | passage | confidence |\n"
        "|---|---|---|---|---|---|---|\n"
        "| 2016-10-06 | **SG-13** Council recommends | S/RES/2311 | UN | https://x | \"the leadership skills of the next UNSG\" | direct |\n"
        "| 2016 | **SG-U1** number 71/4 | A/RES/71/4 | not established | unverified | \"Leadership at the UN\" | unverified |\n"
        "| Annex issue | actor | rows (SG-13) |\n",
        encoding="utf-8",
    )
    assert read_lead_sheet(sheet) == {"SG-13": "direct", "SG-U1": "unverified"}
    assert read_lead_quotes(sheet)["SG-13"] == "the leadership skills of the next UNSG"


@needs_lead_sheet
def test_no_outcome_is_stronger_than_its_lead(as_read):
    leads = read_lead_sheet(LEAD_SHEET)
    assert len(leads) == 158  # the sheet's header: 158 rows
    assert lead_problems(as_read["outcomes"], leads) == []


@needs_lead_sheet
def test_every_outcome_lists_the_passage_its_lead_quotes(as_read, document):
    quotes = read_lead_quotes(LEAD_SHEET)
    spans = {b.id: " ".join(document.raw[b.start:b.end].split()) for b in document.blocks}
    for row in as_read["outcomes"].itertuples(index=False):
        for code in row.lead.split(";"):
            holders = {pid for pid, text in spans.items() if quotes.get(code) and quotes[code] in text}
            assert not holders or holders & set(row.passage_ids.split(";")), (row.outcome_id, code, holders)


def test_every_outcome_says_where_it_was_read(as_read):
    assert all(cell == "lead sheet only" or cell.startswith(("pages: ", "docs: ", "find_string: "))
               for cell in as_read["outcomes"]["read_at"])
