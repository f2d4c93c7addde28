"""The compendium's tables, loaded as DataFrames and validated against the one schema.

``data/datapackage.json`` (a Frictionless Data Package descriptor) is the only schema: field
names, types, required fields, allowed values, keys and foreign keys are read from it, never
retyped here. A load checks, in one pass, and reports every problem with file, row and column:

- encoding (UTF-8) and line ends (LF); header (missing, unexpected or reordered columns);
- cells and rows against the descriptor, with frictionless (types, required, enum, pattern,
  range, unique, primary key), columns matched by name;
- foreign keys, as the descriptor declares them;
- cross-checks that no schema can express: passages match the source model; quotes are verbatim
  in raw[start:end] of their passage; a claim is a whole sentence or independent clause (no
  fragment, no lead-in) whose modality its wording bears out; acts and role agree; list items sit
  verbatim inside their claim; actor lists resolve and match the lexicon; every coded passage has a
  claim; every figure has a ledger row; the codebook covers every category with an example coded
  so; outcomes name real issues and passages, well-formed dates and complete values.

Row numbers count the header as row 1, as a spreadsheet shows them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import sys
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import pandas as pd

from compendium.data import lexicon
from compendium import paths
from compendium.data import source
from compendium.errors import CompendiumError, Problem, ValidationFailed

# Plain-language labels of the claims' coded values, in the descriptor's order (a test holds the order).
MODALITY_LABELS = {
    "asserted": "Asserted",
    "hedged": "Hedged",
    "proposed": "Proposed at the meeting",
    "reported": "Reported view",
    "question": "Question",
}
ACTS_LABELS = {
    "secretary-general": "Secretary-General",
    "un-system": "UN system",
    "member-states": "Member states",
    "international-community": "International community",
    "non-state": "Non-state actors",
    "none": "No actor",
}
ROLE_LABELS = {
    "to-act": "Action put to the actor",
    "able": "Able to act",
    "convene-back": "To convene or back others",
    "limited": "Limited or not well placed",
    "in-question": "Role left open",
    "pressed": "Pressed by others",
    "resists": "Resists action",
    "described": "Described",
    "none": "No actor",
}

TABLES = ("passages", "issues", "claims", "claim_items", "actors", "figures", "ledger", "context", "codebook",
          "outcomes")
DESCRIPTOR = paths.DATAPACKAGE.name
RAW = f"{paths.RAW_DIR.name}/{paths.RAW_SOURCE.name}"

# Coverage rule: every paragraph and bullet of these sections carries at least one claim (a passage that
# is only a lead-in excepted: its bullets carry what it says).
CODED_SECTIONS = ("key-findings", "cluster-1", "cluster-2", "cluster-3", "cluster-4", "final-remarks")
CODED_KINDS = ("paragraph", "bullet")

# The files whose problems make a table's load fail: the table and what its checks read.
_DEPENDS = {
    "passages": ("passages", RAW),
    "issues": ("issues", "passages", RAW),
    "actors": ("actors",),
    "claims": ("claims", "passages", "issues", "actors", RAW),
    "claim_items": ("claim_items", "claims", "passages", "issues", "actors", RAW),
    "figures": ("figures", "passages", RAW),
    "ledger": ("ledger", "figures", "passages", RAW),
    "context": ("context", "passages", RAW),
    "codebook": (*TABLES, RAW),
    "outcomes": ("outcomes", "issues", "passages"),
}
NOT_UTF8 = "not valid UTF-8: the file must be saved as UTF-8"
# frictionless reports header problems too; the header check here reports them by name.
_LABEL_ERRORS = {"missing-label", "extra-label", "incorrect-label", "duplicate-label", "blank-label", "blank-header"}
# Validated tables are kept here, one pickle per content hash (see _stored_check).
VALIDATED_DIR = paths.BUILD_DIR / ".validated"


@lru_cache(maxsize=1)
def _booleans() -> dict[str, bool]:
    """Return frictionless's default boolean spellings (the descriptor declares no others)."""
    import frictionless

    field = frictionless.fields.BooleanField(name="b")
    return {v: True for v in field.true_values} | {v: False for v in field.false_values}


# -- public API ------------------------------------------------------------------------


def load_passages(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the passages table (one row per block of the source), validated."""
    return _load("passages", data_dir)


def load_issues(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the issues table (one row per issue, with cluster and survey label), validated."""
    return _load("issues", data_dir)


def load_claims(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the coded claims (one row per claim, quote verified in its passage), validated."""
    return _load("claims", data_dir)


def load_claim_items(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the list items inside the claims' sentences (one row per item, text verbatim in its claim), validated."""
    return _load("claim_items", data_dir)


def load_actors(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the actor lexicon (one row per actor, with its terms), validated."""
    return _load("actors", data_dir)


def load_figures(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the figures the meeting states (one row per figure, quote verified), validated."""
    return _load("figures", data_dir)


def load_ledger(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the provenance ledger (one row per public-source reading of a figure), validated."""
    return _load("ledger", data_dir)


def load_context(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the context figures and dated events (one row per published value), validated."""
    return _load("context", data_dir)


def load_codebook(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the codebook (one row per category of a coded variable), validated."""
    return _load("codebook", data_dir)


def load_outcomes(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the later events and figures set beside the meeting's concerns (one row per event or figure), validated."""
    return _load("outcomes", data_dir)


def load_tables(data_dir: Path | str = paths.DATA_DIR) -> dict[str, pd.DataFrame]:
    """Return every table by name; raise ValidationFailed listing every problem in the package."""
    tables, problems = _checked(data_dir)
    if problems:
        raise ValidationFailed(_what(data_dir), list(problems))
    return {name: frame.copy() for name, frame in tables.items()}


def validate_tables(data_dir: Path | str = paths.DATA_DIR) -> list[Problem]:
    """Return every problem found in the data package (empty when it is valid)."""
    return list(_checked(data_dir)[1])


def claim_actors(claims: pd.DataFrame) -> pd.DataFrame:
    """Return one row per (claim_id, actor_id) from the claims' semicolon-separated actor lists."""
    return (
        claims[["claim_id", "actors"]]
        .dropna()
        .assign(actor_id=lambda f: f["actors"].str.split(";"))
        .explode("actor_id")[["claim_id", "actor_id"]]
        .reset_index(drop=True)
    )


def allowed_values(table: str, field: str, data_dir: Path | str = paths.DATA_DIR) -> list:
    """Return the allowed values of ``table.field`` in the descriptor's order (e.g. to order a chart's axis)."""
    resource = next(r for r in _read_descriptor(Path(data_dir))["resources"] if r["name"] == table)
    spec = next(f for f in resource["schema"]["fields"] if f["name"] == field)
    return list(spec.get("constraints", {}).get("enum", []))


def data_dictionary(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return one row per field of every table, generated from the descriptor.

    Columns: table, field, type, required, allowed (values, range or pattern), key, description.
    """
    descriptor = _read_descriptor(Path(data_dir))
    return pd.DataFrame(
        [_dictionary_row(r, field) for r in descriptor["resources"] for field in r["schema"]["fields"]]
    )


def sha256_of(path: Path | str) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def provenance_checks(data_dir: Path | str = paths.DATA_DIR) -> pd.DataFrame:
    """Return the provenance checks every load runs, as a table: check, checked (how many), problems."""
    data_dir = paths.resolve_data_dir(data_dir)
    tables = load_tables(data_dir)
    problems = validate_tables(data_dir)
    recorded = (data_dir / "README.md").read_text(encoding="utf-8")
    quoted = len(tables["claims"]) + len(tables["claim_items"]) + len(tables["figures"])
    verbatim = [p for p in problems if p.column == "quote" or (p.file == "claim_items.csv" and p.column == "text")]
    return pd.DataFrame(
        [
            {"check": "raw text's SHA-256 equals the one recorded in data/README.md",
             "checked": 1, "problems": int(sha256_of(paths.raw_source(data_dir)) not in recorded)},
            {"check": "passages table equals the source model (ids, offsets, text)",
             "checked": len(tables["passages"]), "problems": sum(p.file.startswith("passages") for p in problems)},
            {"check": "quotes (claims, their list items and figures) found verbatim at their passage's offsets",
             "checked": quoted, "problems": len(verbatim)},
            {"check": "all tables valid against data/datapackage.json (types, allowed values, keys)",
             "checked": sum(len(t) for t in tables.values()), "problems": len(problems)},
        ]
    )


# -- loading ---------------------------------------------------------------------------


def _load(name: str, data_dir: Path | str) -> pd.DataFrame:
    """Return table ``name`` from the checked package, or raise with the problems that concern it."""
    tables, problems = _checked(data_dir)
    relevant = {_file(n) for n in _DEPENDS[name]} | {DESCRIPTOR}
    mine = [p for p in problems if p.file in relevant]
    if mine:
        raise ValidationFailed(f"{_what(data_dir)}, loading {name}", mine)
    if name not in tables:  # a problem elsewhere kept it from being typed
        raise ValidationFailed(f"{_what(data_dir)}, loading {name}", list(problems))
    return tables[name].copy()


def _what(data_dir: Path | str) -> str:
    """Return the heading of a validation report for ``data_dir``."""
    return f"data package {Path(data_dir)}"


def _file(name: str) -> str:
    """Return the file name, relative to the data directory, of table ``name`` (or the raw text)."""
    return name if name == RAW else f"{name}.csv"


def _checked(data_dir: Path | str) -> tuple[dict[str, pd.DataFrame], tuple[Problem, ...]]:
    """Return (typed tables, problems) for ``data_dir``, cached while none of its files change.

    The raw text's bytes are checked first: if they are not the recorded ones, that is the only problem."""
    directory = Path(data_dir).resolve()
    raw_problems = raw_text_problems(directory)
    if raw_problems:
        return {}, tuple(raw_problems)
    return _checked_cached(str(directory), _signature(directory))


# The raw text's SHA-256 as data/README.md records it: "| SHA-256 | `<64 hex digits>` |"
_RECORDED_SHA256 = re.compile(r"^\|\s*SHA-256\s*\|\s*`([0-9a-f]{64})`", re.M)
_BOM = b"\xef\xbb\xbf"


def raw_text_problems(data_dir: Path | str = paths.DATA_DIR) -> list[Problem]:
    """Return one problem if the raw text's bytes differ from the SHA-256 recorded in the data
    folder's README.md, else none (nor when no README there records one, or the text is missing:
    the source check reports that). Offsets and quotes are defined on the exact published bytes,
    so this runs before any other check, and when it fails no other check is run. Where the only
    difference is Windows line ends (CRLF) or a UTF-8 byte-order mark, the message says so."""
    directory = Path(data_dir)
    raw = paths.raw_source(directory)
    try:
        match = _RECORDED_SHA256.search((directory / "README.md").read_text(encoding="utf-8", errors="replace"))
        data = raw.read_bytes()
    except OSError:
        return []
    if match is None:
        return []
    recorded, found = match[1], hashlib.sha256(data).hexdigest()
    if found == recorded:
        return []
    changes, restored = [], data
    if restored.startswith(_BOM):
        changes.append("a UTF-8 byte-order mark at its start")
        restored = restored[len(_BOM):]
    if b"\r\n" in restored:
        changes.append("Windows line ends (CRLF)")
        restored = restored.replace(b"\r\n", b"\n")
    restore = f"`git checkout -- {paths.DATA_DIR.name}/{RAW}`"
    if changes and hashlib.sha256(restored).hexdigest() == recorded:
        message = (
            f"has {' and '.join(changes)}, as git with core.autocrlf=true or an editor on Windows writes it; "
            f"without them it is the published text (SHA-256 recorded in README.md). Offsets and quotes are "
            f"defined on the exact published bytes, so nothing else was checked: restore them with {restore} "
            f"(the repository's .gitattributes keeps them exact on every platform)"
        )
    else:
        also = f" (it also has {' and '.join(changes)})" if changes else ""
        message = (
            f"its SHA-256 is {found}, not the {recorded} recorded in README.md{also}: this is not the published "
            f"text, on whose exact bytes offsets and quotes are defined, so nothing else was checked. Restore it "
            f"with {restore}, or, for a deliberately edited text, regenerate passages.csv and record its SHA-256 in README.md"
        )
    return [Problem(RAW, None, None, message)]


def _signature(directory: Path) -> tuple:
    """Return (name, mtime, size) of every file a check reads: the cache key."""
    files = [DESCRIPTOR, RAW, *(_file(t) for t in TABLES)]
    stats = []
    for name in files:
        path = directory / name
        stats.append((name, path.stat().st_mtime_ns, path.stat().st_size) if path.exists() else (name, None, None))
    return tuple(stats)


@lru_cache(maxsize=8)
def _checked_cached(directory: str, signature: tuple) -> tuple[dict[str, pd.DataFrame], tuple[Problem, ...]]:
    """Return _check_package(directory); ``signature`` only keys the cache."""
    return _stored_check(Path(directory), signature)


def content_key(directory: Path, signature: tuple) -> str:
    """Return a hash of every file a check reads, the code that checks them and the versions that type them."""
    from importlib.metadata import version

    h = hashlib.sha256()
    for name, mtime, _ in signature:
        h.update(name.encode())
        h.update((directory / name).read_bytes() if mtime is not None else b"<missing>")
    for module in (source, lexicon):
        h.update(Path(module.__file__).read_bytes())
    h.update(Path(__file__).read_bytes())
    h.update(f"{sys.version_info[:2]} pandas {pd.__version__} frictionless {version('frictionless')}".encode())
    return h.hexdigest()


def _stored_check(directory: Path, signature: tuple) -> tuple[dict[str, pd.DataFrame], tuple[Problem, ...]]:
    """Return _check_package(directory), validating each content only once: a package that passed
    is stored as a pickle named by its content key, which every later kernel reads instead of
    importing frictionless and checking again. A problem is never stored, so it is always reported."""
    stored = VALIDATED_DIR / f"tables-{content_key(directory, signature)}.pickle"
    if stored.exists():
        try:
            return pd.read_pickle(stored), ()
        except Exception:  # noqa: BLE001 - an unreadable store is only a missed shortcut
            pass
    tables, problems = _check_package(directory)
    if not problems:
        try:
            VALIDATED_DIR.mkdir(parents=True, exist_ok=True)
            tmp = stored.with_name(f"{stored.name}.{os.getpid()}.tmp")
            pd.to_pickle(tables, tmp)
            tmp.replace(stored)
        except OSError:
            pass  # a read-only build folder: validate every time
    return tables, problems


def _check_package(directory: Path) -> tuple[dict[str, pd.DataFrame], tuple[Problem, ...]]:
    """Read and check every table; return the typed tables that passed their own checks and all problems."""
    try:
        descriptor = _read_descriptor(directory)
    except ValidationFailed as exc:
        return {}, tuple(exc.problems)
    problems: list[Problem] = []
    doc = _read_source(directory, problems)
    raw_tables: dict[str, pd.DataFrame] = {}
    for resource in descriptor["resources"]:
        frame, found = _read_table(directory, resource)
        problems += found
        if frame is not None:
            raw_tables[resource["name"]] = frame
    problems += _foreign_key_problems(descriptor, raw_tables)
    problems += _cross_check_problems(descriptor, raw_tables, doc)
    problems = sorted(_without_encoding_echoes(problems), key=_problem_order)
    bad_files = {p.file for p in problems}
    typed = {
        r["name"]: _typed(raw_tables[r["name"]], r["schema"])
        for r in descriptor["resources"]
        if r["name"] in raw_tables and r["path"] not in bad_files
    }
    return typed, tuple(problems)


def _without_encoding_echoes(problems: list[Problem]) -> list[Problem]:
    """Drop later problems in a cell already reported as not UTF-8: its replaced bytes break other checks too."""
    undecodable = {(p.file, p.row, p.column) for p in problems if p.message == NOT_UTF8}
    return [p for p in problems if p.message == NOT_UTF8 or (p.file, p.row, p.column) not in undecodable]


def _problem_order(problem: Problem) -> tuple:
    """Order problems by file (descriptor, raw text, then tables in package order), row, column."""
    files = [DESCRIPTOR, RAW, *(_file(t) for t in TABLES)]
    rank = files.index(problem.file) if problem.file in files else len(files)
    return rank, problem.row or 0, problem.column or ""


def _read_descriptor(directory: Path) -> dict:
    """Return the descriptor as a dict; raise ValidationFailed if it is unreadable or invalid."""
    import frictionless

    path = directory / DESCRIPTOR
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        errors = [e.message for e in frictionless.Package.metadata_validate(descriptor)]
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        errors = [f"cannot read the descriptor: {exc}"]
    except frictionless.FrictionlessException as exc:
        errors = [str(exc)]
    if not errors:
        names = [r.get("name") for r in descriptor["resources"]]
        errors = [f"resource '{t}' is missing" for t in TABLES if t not in names]
        errors += _foreign_key_declaration_problems(descriptor)
    if errors:
        raise ValidationFailed(f"{_what(directory)}", [Problem(DESCRIPTOR, None, None, e) for e in errors])
    return descriptor


def _read_source(directory: Path, problems: list[Problem]) -> source.Document | None:
    """Return the parsed raw source, or None after adding its problem to ``problems``."""
    try:
        return source.load_document(paths.raw_source(directory))
    except CompendiumError as exc:
        problems.append(Problem(RAW, getattr(exc, "line", None), None, getattr(exc, "problem", str(exc))))
        return None


# -- one table against its schema --------------------------------------------------------


def _read_table(directory: Path, resource: dict) -> tuple[pd.DataFrame | None, list[Problem]]:
    """Return the table as strings ('' for empty cells) and the problems of its file, header and cells."""
    name, schema = resource["path"], resource["schema"]
    path = directory / name
    if not path.is_file():
        return None, [Problem(name, None, None, "file not found")]
    data = path.read_bytes()
    text, problems = _decode(name, data)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        return None, [*problems, Problem(name, None, None, "file is empty")]
    header, body = rows[0], rows[1:]
    problems += _header_problems(name, header, schema)
    problems += _cell_problems(name, text, schema)
    width = len(header)
    frame = pd.DataFrame([(r + [""] * width)[:width] for r in body], columns=header, dtype=object)
    return frame, problems


def _decode(name: str, data: bytes) -> tuple[str, list[Problem]]:
    """Return the text (bad bytes replaced) and a problem per cell that is not UTF-8, and for CR line ends."""
    problems: list[Problem] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        rows = list(csv.reader(io.StringIO(text, newline="")))
        header = rows[0] if rows else []
        for number, row in enumerate(rows, start=1):
            for index, cell in enumerate(row):
                if "\ufffd" in cell:
                    column = header[index] if index < len(header) and number > 1 else None
                    problems.append(Problem(name, number, column, NOT_UTF8))
    if "\r" in text:
        line = text[: text.index("\r")].count("\n") + 1
        problems.append(Problem(name, line, None, "line ends must be LF, not CRLF or CR"))
    return text, problems


def _header_problems(name: str, header: list[str], schema: dict) -> list[Problem]:
    """Return problems with the header row: missing, unexpected, repeated or reordered columns."""
    expected = [f["name"] for f in schema["fields"]]
    problems = [Problem(name, 1, c, "missing column") for c in expected if c not in header]
    allowed = ", ".join(expected)
    problems += [Problem(name, 1, c, f"unexpected column (allowed: {allowed})") for c in header if c not in expected]
    problems += [Problem(name, 1, c, "repeated column") for c in sorted({c for c in header if header.count(c) > 1})]
    present = [c for c in header if c in expected]
    if not problems and present != expected:
        problems.append(Problem(name, 1, None, f"columns out of order; expected: {', '.join(expected)}"))
    return problems


def _cell_problems(name: str, text: str, schema: dict) -> list[Problem]:
    """Return frictionless's cell and row errors, columns matched by name (header problems are reported apart)."""
    import frictionless

    # Match columns by name ("partial"); foreign keys are resolved across tables below.
    own = {k: v for k, v in schema.items() if k != "foreignKeys"} | {"fieldsMatch": "partial"}
    schema_object = frictionless.Schema.from_descriptor(own)
    resource = frictionless.Resource(text.encode("utf-8"), format="csv", schema=schema_object)
    report = resource.validate(limit_errors=10_000)
    errors = [e for task in report.tasks for e in task.errors if e.type not in _LABEL_ERRORS]
    flagged_rows = {getattr(e, "row_number", None) for e in errors if e.type != "primary-key"}
    problems = []
    for error in errors:
        row = getattr(error, "row_number", None)
        if error.type == "primary-key" and row in flagged_rows:
            continue  # the same duplicate is already reported by a unique or blank-row error
        key = ",".join(schema["primaryKey"]) if error.type == "primary-key" else None
        column = getattr(error, "field_name", None) or key
        problems.append(Problem(name, row, column, _message(error)))
    return problems


def _message(error: frictionless.errors.Error) -> str:
    """Return frictionless's error in one line: what kind, the offending value, the rule it breaks."""
    cell = getattr(error, "cell", None)
    value = f" (value {cell!r})" if cell not in (None, "") else ""
    note = f": {error.note}" if error.note else ""
    return f"{error.title.lower()}{value}{note}"


# -- typing ------------------------------------------------------------------------------


def _typed(frame: pd.DataFrame, schema: dict) -> pd.DataFrame:
    """Return ``frame`` (strings) with each column converted to the dtype its descriptor field declares."""
    import frictionless

    fields = frictionless.Schema.from_descriptor({k: v for k, v in schema.items() if k != "foreignKeys"})
    columns = {f["name"]: _typed_column(frame[f["name"]], f, fields.get_field(f["name"])) for f in schema["fields"]}
    return pd.DataFrame(columns)


def _typed_column(column: pd.Series, spec: dict, field: frictionless.Field) -> pd.Series:
    """Return one column in its dtype: int64/Int64, float64, bool/boolean, datetime64 or str (missing: NA/NaN)."""
    required = spec.get("constraints", {}).get("required", False)
    values = column.where(column != "")
    kind = spec["type"]
    if kind == "integer":
        return pd.to_numeric(values).astype("int64" if required else "Int64")
    if kind == "number":
        return pd.to_numeric(values).astype("float64")
    if kind == "boolean":
        truth = {**{v: True for v in field.true_values}, **{v: False for v in field.false_values}}
        return values.map(truth).astype("bool" if required else "boolean")
    if kind == "date":
        return pd.to_datetime(values, format="%Y-%m-%d")
    return values.astype("str")  # enums too: order them with allowed_values(), not a categorical dtype


# -- foreign keys and cross-checks -------------------------------------------------------


def _foreign_keys(resource: dict) -> list[tuple[str, str, str]]:
    """Return the resource's foreign keys as (column, referenced resource, referenced column)."""
    keys = []
    for key in resource["schema"].get("foreignKeys", []):
        fields, target = key["fields"], key["reference"]
        target_fields = target["fields"]
        columns = [fields] if isinstance(fields, str) else list(fields)
        target_columns = [target_fields] if isinstance(target_fields, str) else list(target_fields)
        keys += [(c, target["resource"] or resource["name"], t) for c, t in zip(columns, target_columns)]
    return keys


def _foreign_key_declaration_problems(descriptor: dict) -> list[str]:
    """Return a message for each foreign key that names a field or resource the descriptor does not have."""
    fields = {r["name"]: {f["name"] for f in r["schema"]["fields"]} for r in descriptor["resources"]}
    messages = []
    for resource in descriptor["resources"]:
        for key in resource["schema"].get("foreignKeys", []):
            local, target = key["fields"], key["reference"]["fields"]
            if (isinstance(local, list) and len(local) != 1) or (isinstance(target, list) and len(target) != 1):
                messages.append(f"{resource['name']}: only single-field foreign keys are supported")
        for column, parent, target_column in _foreign_keys(resource):
            if column not in fields[resource["name"]]:
                messages.append(f"{resource['name']}: foreign key field {column!r} is not a field of the table")
            if target_column not in fields.get(parent, set()):
                where = f"{resource['name']}.{column}"
                messages.append(f"{where}: references {parent}.{target_column}, which does not exist")
    return messages


def _foreign_key_problems(descriptor: dict, tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Yield a problem for each non-empty reference that the descriptor's foreign keys cannot resolve."""
    for resource in descriptor["resources"]:
        frame = tables.get(resource["name"])
        for column, parent_name, target_column in _foreign_keys(resource):
            parent = tables.get(parent_name)
            if frame is None or parent is None or column not in frame or target_column not in parent:
                continue  # a missing file or column is reported already
            known = set(parent[target_column])
            for row, value in _cells(frame, column):
                if value and value not in known:
                    message = f"{value!r} not found in {parent_name}.{target_column}"
                    yield Problem(resource["path"], row, column, message)


def _cells(frame: pd.DataFrame, column: str) -> Iterator[tuple[int, str]]:
    """Yield (spreadsheet row number, value) for one column."""
    for index, value in enumerate(frame[column], start=2):
        yield index, value


def _cross_check_problems(
    descriptor: dict, tables: dict[str, pd.DataFrame], doc: source.Document | None
) -> list[Problem]:
    """Return the problems found by the checks that span tables or the source text."""
    checks = [
        lambda: _passage_problems(tables, doc),
        lambda: _issue_problems(tables, doc),
        lambda: _actor_problems(tables),
        lambda: _claim_problems(tables, doc),
        lambda: _claim_wording_problems(descriptor, tables, doc),
        lambda: _claim_item_problems(tables, doc),
        lambda: _codebook_claim_example_problems(tables),
        lambda: _figure_problems(tables, doc),
        lambda: _ledger_problems(tables),
        lambda: _context_problems(tables),
        lambda: _codebook_problems(descriptor, tables),
        lambda: _outcome_problems(tables),
    ]
    return [p for check in checks for p in check()]


def _has(tables: dict[str, pd.DataFrame], name: str, columns: Iterable[str]) -> bool:
    """Return True if table ``name`` was read and has all ``columns`` (missing ones are reported already)."""
    return name in tables and all(c in tables[name] for c in columns)


def _int(value: str) -> int | None:
    """Return ``value`` as an int, or None if it is not one (reported as a type error)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _passage_spans(tables: dict[str, pd.DataFrame], doc: source.Document | None) -> dict[str, str]:
    """Return {passage_id: raw[start:end]} for passages whose offsets are usable."""
    if doc is None or not _has(tables, "passages", ("passage_id", "start", "end")):
        return {}
    spans = {}
    for row in tables["passages"].itertuples(index=False):
        start, end = _int(row.start), _int(row.end)
        if start is not None and end is not None and 0 <= start <= end <= len(doc.raw):
            spans[row.passage_id] = doc.raw[start:end]
    return spans


def _passage_problems(tables: dict[str, pd.DataFrame], doc: source.Document | None) -> Iterator[Problem]:
    """Yield where passages.csv disagrees with the source model derived from the raw text."""
    columns = ("passage_id", "section", "kind", "line", "start", "end", "text")
    if doc is None or not _has(tables, "passages", columns):
        return
    model = {b.id: b for b in doc.blocks}
    frame = tables["passages"]
    for row, record in enumerate(frame.to_dict("records"), start=2):
        block = model.get(record["passage_id"])
        if block is None:
            yield Problem(
                "passages.csv", row, "passage_id",
                f"{record['passage_id']!r} is not a passage of the source model",
            )
            continue
        expected = {"section": block.section, "kind": block.kind, "line": str(block.line), "start": str(block.start),
                    "end": str(block.end), "text": block.plain}
        for column, value in expected.items():
            if record[column] != value:
                yield Problem(
                    "passages.csv", row, column,
                    f"{record[column]!r} differs from the source model ({value!r}); "
                    "regenerate with `python -m compendium passages`",
                )
    for missing in sorted(set(model) - set(frame["passage_id"])):
        yield Problem("passages.csv", None, "passage_id", f"passage {missing!r} of the source model is missing")


def _issue_problems(tables: dict[str, pd.DataFrame], doc: source.Document | None) -> Iterator[Problem]:
    """Yield problems with survey flags: surveyed iff labelled, and the labels are exactly the annex table's."""
    if not _has(tables, "issues", ("surveyed", "survey_label")):
        return
    frame = tables["issues"]
    for row, (surveyed, label) in enumerate(zip(frame["surveyed"], frame["survey_label"]), start=2):
        if surveyed not in _booleans():
            continue  # reported as a type error
        if _booleans()[surveyed] != bool(label):
            yield Problem("issues.csv", row, "survey_label", "survey_label must be given exactly when surveyed is true")
    if doc is not None:
        annex = set(source.survey_table(doc)["issue_label"])
        for label in sorted(annex - set(frame["survey_label"])):
            yield Problem("issues.csv", None, "survey_label", f"the annex table's issue {label!r} has no row")


def _actor_problems(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Yield problems with the lexicon: terms that are not valid regular expressions, survey actors missing."""
    if not _has(tables, "actors", ("actor_id", "terms")):
        return
    frame = tables["actors"]
    for row, terms in _cells(frame, "terms"):
        try:
            lexicon.term_pattern(terms)
        except Exception as exc:  # re.error, or a term that breaks the combined pattern
            yield Problem("actors.csv", row, "terms", f"invalid regular expression: {exc}")
    for actor_id in sorted(set(source.SURVEY_ACTORS.values()) - set(frame["actor_id"])):
        yield Problem("actors.csv", None, "actor_id", f"survey actor {actor_id!r} (Annex A table) has no row")


def _patterns(tables: dict[str, pd.DataFrame]) -> dict:
    """Return the lexicon's compiled patterns, or {} if the actors table cannot provide them."""
    if not _has(tables, "actors", ("actor_id", "terms")):
        return {}
    try:
        return lexicon.actor_patterns(tables["actors"])
    except Exception:  # reported by _actor_problems
        return {}


def _quote_problems(name: str, frame: pd.DataFrame, spans: dict[str, str]) -> Iterator[Problem]:
    """Yield a problem for each quote that is not a verbatim substring of its passage's raw text."""
    for row, (passage_id, quote) in enumerate(zip(frame["passage_id"], frame["quote"]), start=2):
        if passage_id in spans and quote not in spans[passage_id]:
            yield Problem(
                name, row, "quote",
                f"not found verbatim in raw[start:end] of passage {passage_id!r}: {quote!r}",
            )


# A claim is a whole sentence or an independent clause: it has a finite verb. The list holds the
# auxiliaries and modals of English and the lexical verbs that head a main clause of a coded passage
# without an auxiliary, in the forms used there. It is closed on purpose: a new claim whose only verb
# is missing fails until a coder adds the verb here, which is the review step. -ing forms and
# infinitives are never finite, so "advancing access to technology" or "3D printing" cannot pass.
FINITE_VERBS = frozenset(
    "am is are was were has have had do does did can cannot could may might must shall should will would "
    "include includes mitigate mitigates raise raises need reflect reflects lack lacks create creates face faces "
    "ain't isn't aren't wasn't weren't hasn't haven't doesn't don't didn't can't couldn't won't wouldn't".split()
)
# A bullet that completes a lead-in ending in a modal ("The international community could, for example:")
# starts with a bare verb whose finite part is in the lead-in; these are the verbs that do so.
LEAD_IN_VERBS = frozenset("strengthen convene clarify engage re-open".split())
# Words that hedge a claim (modality 'hedged'); an 'asserted' claim holding one must say in its note, in one
# sentence, that the quoted word is "not the claim" or "not a hedge" ("'potential' qualifies the spoilers,
# not the claim"). Mentioning the word is not enough: a note that explains a hedge mentions it too.
HEDGE_WORDS = frozenset(
    "may might could likely unlikely probably possibly perhaps potentially potential necessarily "
    "appear appears appeared seem seems seemed supposedly".split()
)
# What a 'reported', 'proposed' or 'question' claim must contain.
REPORTED_MARKERS = re.compile(
    r"\b(?:were|was)\s+(?:raised|emphasi[sz]ed|noted|stressed|mentioned|expressed)\b|\bsome participants\b",
    re.IGNORECASE,
)
PROPOSED_MARKERS = re.compile(r"\bpropos(?:ed|al|als|es)\b", re.IGNORECASE)
QUESTION_MARKERS = re.compile(r"\?|\bwhether\b", re.IGNORECASE)
# A clause that starts inside a sentence may not start with a word that makes it subordinate or a phrase.
SUBORDINATE_STARTS = frozenset(
    "to which who whom whose that as given such including from for by of with where when while because if "
    "although though than".split()
)
# Which named actors (actors.csv) a value of `acts` stands for: by actor id, else by actor category.
ACTS_ACTOR_IDS = {"secretary-general": {"secretary-general"}, "un-system": {"un-system"}}
ACTS_CATEGORIES = {"member-states": {"states"}, "international-community": {"collective"},
                   "non-state": {"non-state", "market", "mixed"}}

_WORD = re.compile(r"[A-Za-z][A-Za-z’'-]*")
_SENTENCE_BEFORE = re.compile(r"[.?!][)\"'’”]?\s+$")
_CLAUSE_BEFORE = re.compile(r"(?:[;:,]|\s[–—-]|—)\s*(?:(?:and|but|yet|or)\s+)?$")
_SENTENCE_END = re.compile(r"[.?!][)\"'’”]?$")
_CLAUSE_AFTER = re.compile(r"^(?:\s*[;:,]|[.?!](?:\s|$)|\s[–—-]\s|—|\))")


def words(text: str) -> list[str]:
    """Return the words of ``text``, lower-cased (hyphenated words and apostrophes kept)."""
    return [w.lower() for w in _WORD.findall(text)]


def fragment_problems(quote: str, span: str, lead_in: bool = False) -> list[str]:
    """Return why ``quote`` is not a sentence or independent clause of ``span`` ([] when it is one).

    The quote must start at the passage's start, after a sentence end, or after a clause boundary
    (; : , or a dash, optionally followed by and/but/yet/or) and then not with a subordinating word;
    it must end at a sentence end, before such a boundary, or at the passage's end; and it must hold
    a finite verb (FINITE_VERBS), or, completing a lead-in, start with one of LEAD_IN_VERBS.
    """
    reasons = []
    starts = [m.start() for m in re.finditer(re.escape(quote), span)]
    if not starts:
        return []  # not verbatim: reported by the quote check
    first = (words(quote) or [""])[0]

    def start_ok(i: int) -> bool:
        before = span[:i]
        if i == 0 or _SENTENCE_BEFORE.search(before):
            return True
        return bool(_CLAUSE_BEFORE.search(before)) and first not in SUBORDINATE_STARTS

    def end_ok(i: int) -> bool:
        after = span[i + len(quote):]
        if not after.strip():
            return True
        if _SENTENCE_END.search(quote) and after[:1].isspace():
            return True
        return bool(_CLAUSE_AFTER.search(after))

    if not any(start_ok(i) for i in starts):
        reasons.append("does not start at a sentence or clause boundary of its passage (or starts a subordinate "
                       f"clause or phrase with {first!r})")
    if not any(end_ok(i) for i in starts):
        reasons.append("does not end at a sentence or clause boundary of its passage")
    verbs = set(words(quote)) & FINITE_VERBS
    if not verbs and not (lead_in and first in LEAD_IN_VERBS):
        reasons.append("has no finite verb (see FINITE_VERBS), so it is a list item or phrase, not a claim: "
                       "put it in claim_items under its sentence")
    return reasons


def _ordered_passages(tables: dict[str, pd.DataFrame]) -> pd.DataFrame | None:
    """Return passages (passage_id, section, kind, start, text) in document order, or None."""
    if not _has(tables, "passages", ("passage_id", "section", "kind", "start", "text")):
        return None
    frame = tables["passages"]
    order = pd.to_numeric(frame["start"], errors="coerce")
    return frame.assign(_order=order).sort_values("_order", kind="stable").drop(columns="_order")


def lead_in_passages(tables: dict[str, pd.DataFrame]) -> dict[str, list[str]]:
    """Return {lead-in passage id: the bullets that complete it}: a paragraph ending in ':' and the run of
    bullets that follows it in its section."""
    passages = _ordered_passages(tables)
    if passages is None:
        return {}
    found: dict[str, list[str]] = {}
    current = None
    for row in passages.itertuples(index=False):
        if row.kind == "bullet" and current is not None and row.section == current[1]:
            found[current[0]].append(row.passage_id)
            continue
        current = None
        if row.kind == "paragraph" and row.text.rstrip().endswith(":"):
            current = (row.passage_id, row.section)
            found[row.passage_id] = []
    return {k: v for k, v in found.items() if v}


def lead_in_sentence(text: str) -> str:
    """Return the last sentence of a lead-in passage: the words the following bullets complete."""
    return re.split(r"(?<=[.?!])\s+", text.strip())[-1]


def _whole_lead_in(text: str) -> bool:
    """Return True if a lead-in passage holds nothing but its lead-in sentence (so it needs no claim)."""
    return lead_in_sentence(text) == text.strip()


def _claim_problems(tables: dict[str, pd.DataFrame], doc: source.Document | None) -> Iterator[Problem]:
    """Yield claim problems: ids, quotes, sections, clusters, actor lists and coverage of the coded passages
    (a passage that is only a lead-in needs no claim)."""
    columns = ("claim_id", "passage_id", "quote", "section", "cluster", "issue_id", "actors")
    if not _has(tables, "claims", columns):
        return
    claims = tables["claims"]
    yield from _quote_problems("claims.csv", claims, _passage_spans(tables, doc))
    passages = None
    if _has(tables, "passages", ("passage_id", "section", "kind")):
        passages = tables["passages"].set_index("passage_id")
    issues = {}
    if _has(tables, "issues", ("issue_id", "cluster")):
        issues = dict(zip(tables["issues"]["issue_id"], tables["issues"]["cluster"]))
    patterns = _patterns(tables)
    for row, claim in enumerate(claims.to_dict("records"), start=2):
        if claim["claim_id"].split("#")[0] != claim["passage_id"]:
            yield Problem(
                "claims.csv", row, "claim_id",
                f"claim id must start with its passage id {claim['passage_id']!r}",
            )
        if passages is not None and claim["passage_id"] in passages.index:
            passage = passages.loc[claim["passage_id"]]
            if passage["section"] != claim["section"]:
                yield Problem(
                    "claims.csv", row, "section",
                    f"passage {claim['passage_id']!r} is in section {passage['section']!r}",
                )
            if passage["kind"] not in CODED_KINDS:
                yield Problem(
                    "claims.csv", row, "passage_id",
                    f"only paragraphs and bullets are coded, not a {passage['kind']}",
                )
        yield from _claim_cluster_problems(row, claim, issues)
        yield from _claim_actor_problems(row, claim, patterns)
    if passages is not None:
        coded = passages[passages["section"].isin(CODED_SECTIONS) & passages["kind"].isin(CODED_KINDS)]
        lead_ins = {p for p in lead_in_passages(tables) if p in passages.index and "text" in passages
                    and _whole_lead_in(passages.loc[p, "text"])}
        for passage_id in coded.index.difference(pd.Index(claims["passage_id"].unique()), sort=False):
            if passage_id in lead_ins:
                continue  # a lead-in is not a claim; its bullets carry what it says (claims.lead_in)
            yield Problem(
                "claims.csv", None, "passage_id",
                f"passage {passage_id!r} has no claim (every coded passage needs one, except a lead-in)",
            )


def _claim_wording_problems(
    descriptor: dict, tables: dict[str, pd.DataFrame], doc: source.Document | None
) -> Iterator[Problem]:
    """Yield problems with what a claim is and how strongly it is put: fragments and lead-ins, missing or
    unfounded modality, a hedge dropped, acts and role out of step, lead-ins not carried into their bullets."""
    columns = ("claim_id", "passage_id", "quote", "modality", "acts", "role", "actors", "lead_in", "note")
    if not _has(tables, "claims", columns):
        return
    claims = tables["claims"]
    spans = _passage_spans(tables, doc)
    enums = _enums(descriptor)
    modalities = enums.get("claims.modality", list(MODALITY_LABELS))
    lead_ins = lead_in_passages(tables)
    texts = dict(zip(tables["passages"]["passage_id"], tables["passages"]["text"])) if _has(
        tables, "passages", ("passage_id", "text")) else {}
    named_by = _acts_named_by(tables)
    patterns = _patterns(tables)
    for row, claim in enumerate(claims.to_dict("records"), start=2):
        quote, lead_in = claim["quote"], claim["lead_in"]
        lead_text = lead_in_sentence(texts[lead_in]) if lead_in in texts else ""
        lead_named = set(lexicon.actors_named(lead_text, patterns)) if patterns and lead_text else set()
        if quote.rstrip().endswith(":"):
            what = "a lead-in" if claim["passage_id"] in lead_ins else "cut before what its ':' introduces"
            yield Problem("claims.csv", row, "quote",
                          f"{what}, not a claim: a quote may not end with ':'; code the sentences or bullets that "
                          "complete it and name its passage in their lead_in")
        elif claim["passage_id"] in spans:
            for reason in fragment_problems(quote, spans[claim["passage_id"]], lead_in=bool(lead_in)):
                yield Problem("claims.csv", row, "quote", f"a fragment, not a claim: the quote {reason}")
        yield from _modality_problems(row, claim, modalities, lead_text)
        yield from _acts_role_problems(row, claim, lead_named, named_by)
        if lead_in:
            bullets = lead_ins.get(lead_in, [])
            if claim["passage_id"] not in bullets:
                yield Problem("claims.csv", row, "lead_in",
                              f"{lead_in!r} is not a lead-in (a paragraph ending in ':') followed by the bullet "
                              f"{claim['passage_id']!r}")
    carried = set(zip(claims["passage_id"], claims["lead_in"]))
    for lead_in, bullets in lead_ins.items():
        for bullet in bullets:
            if bullet in set(claims["passage_id"]) and (bullet, lead_in) not in carried:
                yield Problem("claims.csv", None, "lead_in",
                              f"no claim of bullet {bullet!r} names its lead-in {lead_in!r}: code what the lead-in "
                              "contributes (actor, hedge) into the claim that completes it")


def _modality_problems(row: int, claim: dict, modalities: list[str], lead_text: str) -> Iterator[Problem]:
    """Yield problems if the modality is missing or unknown, or the wording does not bear it out."""
    modality, quote = claim["modality"], claim["quote"]
    choices = ", ".join(modalities)
    if not modality:
        yield Problem("claims.csv", row, "modality", f"missing modality: code one of {choices} from the wording")
        return
    if modality not in modalities:
        yield Problem("claims.csv", row, "modality", f"{modality!r} is not a modality; choose one of {choices}")
        return
    hedges = sorted(set(words(quote)) & HEDGE_WORDS)
    if quote.rstrip(" )").endswith("?") and modality != "question":
        yield Problem("claims.csv", row, "modality", f"the quote is a question, coded {modality!r}: code 'question'")
    expected = {"question": QUESTION_MARKERS, "proposed": PROPOSED_MARKERS, "reported": REPORTED_MARKERS}
    if modality in expected and not expected[modality].search(quote):
        yield Problem("claims.csv", row, "modality",
                      f"coded {modality!r} but the quote has no marker of it ({expected[modality].pattern})")
    if modality == "hedged" and not hedges and not set(words(lead_text)) & HEDGE_WORDS:
        yield Problem("claims.csv", row, "modality",
                      "coded 'hedged' but neither the quote nor its lead-in has a hedge word (HEDGE_WORDS)")
    if modality == "asserted" and hedges:
        note = claim["note"].lower()
        unexplained = [h for h in hedges if not re.search(rf"'{h}'[^.]*\bnot (?:the claim|a hedge)\b", note)]
        if unexplained:
            yield Problem("claims.csv", row, "modality",
                          f"coded 'asserted' but the quote says {', '.join(repr(h) for h in unexplained)}: code "
                          "'hedged', or say in the note why the word does not hedge the claim, as in "
                          "\"'potential' qualifies the spoilers, not the claim\"")


def _acts_named_by(tables: dict[str, pd.DataFrame]) -> dict[str, set[str]]:
    """Return {acts value: the actor ids that name it} from the lexicon (ACTS_ACTOR_IDS, ACTS_CATEGORIES)."""
    if not _has(tables, "actors", ("actor_id", "category")):
        return {}
    actors = tables["actors"]
    named = {acts: set(ids) for acts, ids in ACTS_ACTOR_IDS.items()}
    for acts, categories in ACTS_CATEGORIES.items():
        named[acts] = set(actors.loc[actors["category"].isin(categories), "actor_id"])
    return named


def _acts_role_problems(
    row: int, claim: dict, lead_named: set[str], named_by: dict[str, set[str]]
) -> Iterator[Problem]:
    """Yield problems if role and acts disagree about whether an actor has a part, or if the actor in acts is
    named neither in the quote nor in its lead-in and the note does not say who it is."""
    acts, role = claim["acts"], claim["role"]
    if acts and role and (acts == "none") != (role == "none"):
        yield Problem("claims.csv", row, "role",
                      f"role is 'none' exactly when acts is 'none' (found acts {acts!r}, role {role!r})")
    if acts in named_by and not claim["note"]:
        named = {a for a in claim["actors"].split(";") if a} | lead_named
        if not named & named_by[acts]:
            yield Problem("claims.csv", row, "acts",
                          f"acts is {acts!r} but the quote names no such actor ({', '.join(sorted(named)) or 'none'}"
                          " named): correct acts, or say in the note who acts (a pronoun, 'this role', a lead-in)")


def _claim_item_problems(tables: dict[str, pd.DataFrame], doc: source.Document | None) -> Iterator[Problem]:
    """Yield item problems: text not verbatim in its passage or outside its claim's quote, numbers not 1..n."""
    if not _has(tables, "claim_items", ("claim_id", "item", "text")) or not _has(
            tables, "claims", ("claim_id", "passage_id", "quote")):
        return
    claims = tables["claims"].set_index("claim_id")
    spans = _passage_spans(tables, doc)
    items = tables["claim_items"]
    for row, entry in enumerate(items.to_dict("records"), start=2):
        if entry["claim_id"] not in claims.index:
            continue  # reported by the foreign key
        claim = claims.loc[entry["claim_id"]]
        span = spans.get(claim["passage_id"])
        if span is not None and entry["text"] not in span:
            yield Problem("claim_items.csv", row, "text",
                          f"not found verbatim in raw[start:end] of passage {claim['passage_id']!r}: "
                          f"{entry['text']!r}")
        elif entry["text"] not in claim["quote"]:
            yield Problem("claim_items.csv", row, "text",
                          f"not inside the quote of claim {entry['claim_id']!r}: an item belongs to its sentence")
    for claim_id, numbers in items.groupby("claim_id", sort=False)["item"]:
        found = [str(n) for n in numbers]
        expected = [str(n) for n in range(1, len(found) + 1)]
        if found != expected:
            yield Problem("claim_items.csv", None, "item",
                          f"items of {claim_id!r} must be numbered {', '.join(expected)} in order, "
                          f"found {', '.join(found)}")


def _codebook_claim_example_problems(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Yield problems if a codebook row's example claim is not in its example passage or not coded so."""
    columns = ("variable", "category", "fields", "example_passage_id", "example_claim_id")
    if not _has(tables, "codebook", columns) or not _has(tables, "claims", ("claim_id", "passage_id")):
        return
    claims = tables["claims"].set_index("claim_id")
    for row, entry in enumerate(tables["codebook"].to_dict("records"), start=2):
        claim_id = entry["example_claim_id"]
        claim_fields = [f.split(".", 1)[1] for f in entry["fields"].split(";") if f.startswith("claims.")]
        if not claim_id:
            if claim_fields:
                yield Problem("codebook.csv", row, "example_claim_id",
                              "a category of the claims table needs an example claim (its verbatim example)")
            continue
        if claim_id not in claims.index:
            continue  # reported by the foreign key
        claim = claims.loc[claim_id]
        if claim["passage_id"] != entry["example_passage_id"]:
            yield Problem("codebook.csv", row, "example_claim_id",
                          f"claim {claim_id!r} is in passage {claim['passage_id']!r}, "
                          f"not {entry['example_passage_id']!r}")
        for field in claim_fields:
            if field in claim and claim[field] != entry["category"]:
                yield Problem("codebook.csv", row, "example_claim_id",
                              f"claim {claim_id!r} is coded {claim[field]!r} in {field}, not {entry['category']!r}")


def _claim_cluster_problems(row: int, claim: dict, issues: dict[str, str]) -> Iterator[Problem]:
    """Yield a problem if the claim's cluster breaks the rule: its section's cluster, else its issue's."""
    if claim["issue_id"] not in issues:
        return
    issue_cluster = issues[claim["issue_id"]]
    if claim["section"].startswith("cluster-"):
        expected = claim["section"].removeprefix("cluster-")
        if issue_cluster not in ("", expected):
            yield Problem(
                "claims.csv", row, "issue_id",
                f"issue {claim['issue_id']!r} is in cluster {issue_cluster}, not {expected} or cross-cutting",
            )
    else:
        expected = issue_cluster
    if claim["cluster"] != expected:
        yield Problem(
            "claims.csv", row, "cluster",
            f"must be {expected or 'empty (cross-cutting issue)'!r}, found {claim['cluster'] or 'empty'!r}",
        )


def _claim_actor_problems(row: int, claim: dict, patterns: dict) -> Iterator[Problem]:
    """Yield problems if the actor list names unknown actors or differs from the actors the quote names."""
    coded = [a for a in claim["actors"].split(";") if a]
    for actor_id in coded:
        if patterns and actor_id not in patterns:
            yield Problem("claims.csv", row, "actors", f"{actor_id!r} not found in actors.actor_id")
    if not patterns:
        return
    named = lexicon.actors_named(claim["quote"], patterns)
    for actor_id in named:
        if actor_id not in coded:
            yield Problem(
                "claims.csv", row, "actors",
                f"the quote names {actor_id!r} (lexicon terms) but actors omits it",
            )
    for actor_id in coded:
        if actor_id in patterns and actor_id not in named:
            yield Problem(
                "claims.csv", row, "actors",
                f"{actor_id!r} is not named in the quote (no lexicon term matches)",
            )


def _figure_problems(tables: dict[str, pd.DataFrame], doc: source.Document | None) -> Iterator[Problem]:
    """Yield figure problems: quotes not verbatim; a quantity without a value or a date without a date."""
    if not _has(tables, "figures", ("passage_id", "quote", "kind", "value", "date")):
        return
    figures = tables["figures"]
    yield from _quote_problems("figures.csv", figures, _passage_spans(tables, doc))
    for row, figure in enumerate(figures.to_dict("records"), start=2):
        needs, other = ("value", "date") if figure["kind"] == "quantity" else ("date", "value")
        if not figure[needs]:
            yield Problem("figures.csv", row, needs, f"a {figure['kind']} figure needs a {needs}")
        if figure[other]:
            yield Problem("figures.csv", row, other, f"a {figure['kind']} figure has no {other}")


def _ledger_problems(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Yield ledger problems: ids, a figure without a reading, and not-found rows that carry values."""
    columns = ("ledger_id", "figure_id", "source_value", "source_date", "publisher", "confidence", "verdict")
    if not _has(tables, "ledger", columns):
        return
    ledger = tables["ledger"]
    for row, entry in enumerate(ledger.to_dict("records"), start=2):
        if entry["ledger_id"].rsplit("/", 1)[0] != entry["figure_id"]:
            yield Problem(
                "ledger.csv", row, "ledger_id",
                f"ledger id must start with its figure id {entry['figure_id']!r}",
            )
        found = entry["confidence"] != "not-found"
        if found == (entry["verdict"] == "no-source-found"):
            yield Problem(
                "ledger.csv", row, "verdict",
                "verdict is 'no-source-found' exactly when confidence is 'not-found'",
            )
        has_value = bool(entry["source_value"] or entry["source_date"])
        if found and not has_value:
            yield Problem("ledger.csv", row, "source_value", "a reading needs a source_value or a source_date")
        if found and not entry["publisher"]:
            yield Problem("ledger.csv", row, "publisher", "a reading needs its publisher")
        if not found and has_value:
            yield Problem("ledger.csv", row, "source_value", "a not-found row carries no value: never estimate")
    if _has(tables, "figures", ("figure_id",)):
        for figure_id in sorted(set(tables["figures"]["figure_id"]) - set(ledger["figure_id"])):
            yield Problem(
                "ledger.csv", None, "figure_id",
                f"figure {figure_id!r} has no ledger row (use not-found / no-source-found)",
            )


def _context_problems(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Yield context problems: a quantity needs a value or a low-high range, an event a date or year."""
    columns = ("kind", "value", "value_low", "value_high", "unit", "year", "date")
    if not _has(tables, "context", columns):
        return
    for row, entry in enumerate(tables["context"].to_dict("records"), start=2):
        if entry["kind"] == "quantity":
            ranged = bool(entry["value_low"] or entry["value_high"])
            if bool(entry["value"]) == ranged:
                yield Problem("context.csv", row, "value", "give either value or value_low and value_high")
            if ranged and not (entry["value_low"] and entry["value_high"]):
                yield Problem("context.csv", row, "value_high", "a range needs both value_low and value_high")
            if not entry["unit"]:
                yield Problem("context.csv", row, "unit", "a quantity needs its unit")
        elif entry["kind"] == "event":
            if not (entry["date"] or entry["year"]):
                yield Problem("context.csv", row, "date", "an event needs a date or a year")
            if entry["value"] or entry["value_low"] or entry["value_high"]:
                yield Problem("context.csv", row, "value", "an event has no value")
        if entry["date"] and entry["year"] and not entry["date"].startswith(entry["year"]):
            yield Problem("context.csv", row, "year", f"year {entry['year']} disagrees with date {entry['date']}")


# Confidence words of the outcomes table, weakest first (a row never rises above its lead's).
OUTCOME_CONFIDENCE = ("unverified", "second-hand", "direct")


def _outcome_problems(tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Yield outcome problems the schema cannot express: ids in the semicolon lists resolve (issues,
    passages) and do not repeat; end_date is after date; a month or year date is its first day; a value
    comes with unit, qualifier, year and measure (and those only with a value); the cluster agrees with
    the issues; an 'unverified' row says so."""
    columns = ("issue_ids", "passage_ids", "date", "date_precision", "end_date", "value", "unit", "qualifier",
               "year", "measure", "cluster", "confidence", "event", "note")
    if not _has(tables, "outcomes", columns):
        return
    name = "outcomes.csv"
    issues: dict[str, str] = {}
    if _has(tables, "issues", ("issue_id", "cluster")):
        issues = dict(zip(tables["issues"]["issue_id"], tables["issues"]["cluster"]))
    passages: list[str] = []
    if _has(tables, "passages", ("passage_id",)):
        passages = list(tables["passages"]["passage_id"])
    for row, entry in enumerate(tables["outcomes"].to_dict("records"), start=2):
        yield from _id_list_problems(name, row, "issue_ids", entry["issue_ids"], list(issues),
                                     lambda bad: f"valid: {_choices(issues, limit=40)}", "issues.issue_id")
        yield from _id_list_problems(name, row, "passage_ids", entry["passage_ids"], passages,
                                     lambda bad: _passage_hint(bad, passages), "passages.passage_id")
        yield from _outcome_date_problems(name, row, entry)
        yield from _outcome_value_problems(name, row, entry)
        if issues:
            yield from _outcome_cluster_problems(name, row, entry, issues)
        if entry["confidence"] == "unverified" and "unverified" not in (entry["event"] + " " + entry["note"]).lower():
            yield Problem(name, row, "note", "an 'unverified' row must say so in its event or note (never shown as fact)")


def _ids(cell: str) -> list[str]:
    """Return the ids of a semicolon-separated cell, empty items dropped (the schema pattern reports those)."""
    return [item for item in cell.split(";") if item]


def _choices(values: Iterable[str], limit: int = 12) -> str:
    """Return the valid choices in words, shortened past ``limit``."""
    values = list(values)
    shown = ", ".join(values[:limit])
    return shown + (f", ... ({len(values)} in all)" if len(values) > limit else "")


def _passage_hint(passage_id: str, passages: list[str]) -> str:
    """Return the valid passage ids to name for a bad one: those of its section, else the sections."""
    section = passage_id.split("/")[0]
    same = [p for p in passages if p.split("/")[0] == section]
    if same:
        return f"passages of section {section!r}: {_choices(same, limit=20)}"
    return f"sections: {_choices(dict.fromkeys(p.split('/')[0] for p in passages), limit=20)}"


def _iso(value: str) -> tuple[int, int, int] | None:
    """Return (year, month, day) of an ISO date string, or None if it is not one (reported as a type error)."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    return tuple(int(g) for g in match.groups()) if match else None  # type: ignore[return-value]


def _id_list_problems(name: str, row: int, column: str, cell: str, known: list[str], hint, target: str
                      ) -> Iterator[Problem]:
    """Yield problems for one semicolon list: repeated ids, and ids not in ``known`` (when it could be read)."""
    ids = _ids(cell)
    for item in sorted({i for i in ids if ids.count(i) > 1}):
        yield Problem(name, row, column, f"{item!r} is listed more than once")
    if not known:
        return  # the referenced table could not be read; its own problems are reported
    for item in dict.fromkeys(ids):
        if item not in known:
            yield Problem(name, row, column, f"{item!r} not found in {target} ({hint(item)})")


def _outcome_date_problems(name: str, row: int, entry: dict) -> Iterator[Problem]:
    """Yield problems with end_date not after date, and a month or year date not written as its first day."""
    start, end = _iso(entry["date"]), _iso(entry["end_date"])
    if start and end and end < start:
        yield Problem(name, row, "end_date", f"{entry['end_date']!r} is before date {entry['date']!r}")
    if start and end and end == start:
        yield Problem(name, row, "end_date", "end_date equals date: leave it empty for a single day")
    precision = entry["date_precision"]
    if start and precision == "month" and start[2] != 1:
        yield Problem(name, row, "date",
                      f"a month-precision date is written as the month's first day, not {entry['date']!r}")
    if start and precision == "year" and start[1:] != (1, 1):
        yield Problem(name, row, "date", f"a year-precision date is written as 1 January, not {entry['date']!r}")


def _outcome_value_problems(name: str, row: int, entry: dict) -> Iterator[Problem]:
    """Yield problems when a value lacks its unit, qualifier, year or measure, or those come without a value."""
    for column in ("unit", "qualifier", "year", "measure"):
        if entry["value"] and not entry[column]:
            yield Problem(name, row, column, f"a numeric row (value {entry['value']!r}) needs its {column}")
        if not entry["value"] and entry[column]:
            yield Problem(name, row, column, f"{column} {entry[column]!r} is given without a value")


def _outcome_cluster_problems(name: str, row: int, entry: dict, issues: dict[str, str]) -> Iterator[Problem]:
    """Yield a problem if the row's cluster is not the cluster of any of its (known) issues."""
    known = [i for i in _ids(entry["issue_ids"]) if i in issues]
    if not known:
        return
    clusters = {issues[i] for i in known}
    if entry["cluster"] and entry["cluster"] not in clusters:
        allowed = sorted(c for c in clusters if c) or ["empty (cross-cutting issues only)"]
        yield Problem(name, row, "cluster",
                      f"cluster {entry['cluster']!r} is not the cluster of any of its issues (valid: {', '.join(allowed)})")
    if not entry["cluster"] and "" not in clusters:
        yield Problem(name, row, "cluster", "an empty cluster needs a cross-cutting issue; its issues are in "
                      f"cluster(s) {', '.join(sorted(clusters))}")


def _codebook_problems(descriptor: dict, tables: dict[str, pd.DataFrame]) -> Iterator[Problem]:
    """Yield codebook problems: unknown fields or categories, enum values without a row, examples not coded so."""
    if not _has(tables, "codebook", ("variable", "category", "fields", "example_passage_id")):
        return
    enums = _enums(descriptor)
    codings = _codings(tables)
    defined: dict[str, set[str]] = {}
    for row, entry in enumerate(tables["codebook"].to_dict("records"), start=2):
        fields = [f for f in entry["fields"].split(";") if f]
        for field in fields:
            defined.setdefault(field, set()).add(entry["category"])
            if field not in enums:
                yield Problem(
                    "codebook.csv", row, "fields",
                    f"{field!r} is not a field with allowed values in the descriptor",
                )
            elif entry["category"] not in enums[field]:
                yield Problem(
                    "codebook.csv", row, "category",
                    f"{entry['category']!r} is not an allowed value of {field}",
                )
        if not any((entry["example_passage_id"], entry["category"]) in codings.get(f, set()) for f in fields):
            example = entry["example_passage_id"]
            message = f"passage {example!r} is not coded {entry['category']!r} in {entry['fields']}"
            yield Problem("codebook.csv", row, "example_passage_id", message)
    for field, categories in defined.items():
        for category in enums.get(field, []):
            if category not in categories:
                yield Problem("codebook.csv", None, "category", f"{field} value {category!r} has no codebook row")


def _enums(descriptor: dict) -> dict[str, list]:
    """Return {'table.field': allowed values} for every field with an enum constraint."""
    return {
        f"{r['name']}.{f['name']}": f["constraints"]["enum"]
        for r in descriptor["resources"]
        for f in r["schema"]["fields"]
        if "enum" in f.get("constraints", {})
    }


def _codings(tables: dict[str, pd.DataFrame]) -> dict[str, set[tuple[str, str]]]:
    """Return {'table.field': {(passage_id, value)}}: which passages each coded value is attached to."""
    pairs: dict[str, pd.DataFrame] = {}
    claim_columns = ("claim_type", "modality", "acts", "role", "feasibility")
    for table, columns in (("claims", claim_columns), ("context", ("confidence",))):
        if _has(tables, table, ("passage_id", *columns)):
            pairs.update({f"{table}.{c}": tables[table][["passage_id", c]] for c in columns})
    ledger_ok = _has(tables, "ledger", ("figure_id", "confidence", "verdict"))
    if ledger_ok and _has(tables, "figures", ("figure_id", "passage_id")):
        linked = tables["ledger"].merge(tables["figures"][["figure_id", "passage_id"]], on="figure_id")
        pairs.update({f"ledger.{c}": linked[["passage_id", c]] for c in ("confidence", "verdict")})
    patterns = _patterns(tables)
    if patterns and _has(tables, "passages", ("passage_id", "section", "text")):
        categories = dict(zip(tables["actors"]["actor_id"], tables["actors"]["category"]))
        mentions = lexicon.actor_mentions(tables["passages"], tables["actors"])
        with_category = mentions.assign(category=mentions["actor_id"].map(categories))
        pairs["actors.category"] = with_category[["passage_id", "category"]]
    return {field: set(frame.itertuples(index=False, name=None)) for field, frame in pairs.items()}


# -- data dictionary ---------------------------------------------------------------------


def _dictionary_row(resource: dict, field: dict) -> dict:
    """Return one data-dictionary row for ``field`` of ``resource``."""
    schema = resource["schema"]
    constraints = field.get("constraints", {})
    references = [
        f"{k['reference']['resource']}.{k['reference']['fields'][0]}"
        for k in schema.get("foreignKeys", [])
        if k["fields"] == [field["name"]]
    ]
    key = ["primary key"] if field["name"] in schema.get("primaryKey", []) else []
    key += [f"references {r}" for r in references]
    return {
        "table": resource["name"],
        "field": field["name"],
        "type": field["type"],
        "required": bool(constraints.get("required", False)),
        "allowed": allowed_summary(constraints),
        "key": "; ".join(key),
        "description": field.get("description", ""),
    }


def allowed_summary(constraints: dict) -> str:
    """Return the allowed values of a field in words: its enum, range, or pattern."""
    if "enum" in constraints:
        return ", ".join(str(v) for v in constraints["enum"])
    parts = []
    if "minimum" in constraints and "maximum" in constraints:
        parts.append(f"{constraints['minimum']} to {constraints['maximum']}")
    elif "minimum" in constraints:
        parts.append(f"at least {constraints['minimum']}")
    elif "maximum" in constraints:
        parts.append(f"at most {constraints['maximum']}")
    if "pattern" in constraints:
        parts.append(f"pattern {constraints['pattern']}")
    if constraints.get("unique"):
        parts.append("unique")
    return "; ".join(parts)
