"""The parameter contract: every chapter's ``parameters`` cell, read without running the notebook.

A chapter's cell tagged ``parameters`` holds only literal assignments, each optionally
preceded by a ``# comment`` that states its meaning::

    # folder holding the data tables and raw/; relative paths are taken from the project root
    data_dir = "data"

This module reads those cells (jupytext + ``ast``), lists the chapters from ``_toc.yml``,
and checks a reader's overrides against the declared defaults before anything runs.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from compendium import paths
from compendium.errors import CompendiumError

PARAMETERS_TAG = "parameters"
OUTPUT_PARAMETER = "output_dir"
PATH_SUFFIXES = ("_dir", "_file", "_path")


class ParameterError(CompendiumError):
    """A chapter name, parameter name or value that cannot be used; lists every problem found."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems) if len(self.problems) == 1 else
                         f"{len(self.problems)} problems:\n" + "\n".join(f"  - {p}" for p in self.problems))


class UnknownChapterError(ParameterError):
    """A chapter name that is not in _toc.yml."""


class UnknownParameterError(ParameterError):
    """A parameter name that none of the chosen chapters declares."""


class ParameterTypeError(ParameterError):
    """A value whose type does not match the parameter's default."""


class MissingPathError(ParameterError):
    """A path parameter that points to nothing."""


class ParametersCellError(CompendiumError):
    """A chapter whose ``parameters`` cell is missing, duplicated or not plain literal assignments."""


@dataclass(frozen=True)
class Parameter:
    """One parameter as declared in a chapter: name, default, the default as written, and meaning."""

    name: str
    default: Any
    literal: str
    meaning: str = ""

    @property
    def type_name(self) -> str:
        """Return the name of the type a value must have (``any`` when the default is None)."""
        return "any" if self.default is None else type(self.default).__name__

    @property
    def is_path(self) -> bool:
        """Return True when the parameter names a file or folder (by its name or its default)."""
        return self.name.endswith(PATH_SUFFIXES) or is_path_like(self.default)


def is_path_like(value: Any) -> bool:
    """Return True for a string that reads as a path (it has a slash, or starts with ~ or .)."""
    return isinstance(value, str) and ("/" in value or "\\" in value or value.startswith(("~", "./", "../")))


# --- reading the chapters -------------------------------------------------------------------


def toc_chapters(root: Path = paths.ROOT) -> dict[str, Path]:
    """Return every notebook chapter in ``_toc.yml`` (root, then each part's chapters), by file stem, in order.

    Plain Markdown pages (no kernelspec in their front matter, e.g. the build status page) are not chapters.
    The toc is read by sphinx-external-toc, the parser Jupyter Book itself uses."""
    from sphinx_external_toc.parsing import FileItem, parse_toc_yaml

    site = parse_toc_yaml(root / "_toc.yml")

    def in_order(docname: str):
        yield docname
        for tree in site[docname].subtrees:
            for item in tree.items:
                if isinstance(item, FileItem):
                    yield from in_order(str(item))

    sources = {Path(f).stem: chapter_source(root / f) for f in in_order(site.root.docname)}
    return {name: path for name, path in sources.items() if is_notebook(path)}


def is_notebook(source: Path) -> bool:
    """Return True when the MyST file declares a kernel in its front matter (an executable chapter)."""
    text = source.read_text(encoding="utf-8")
    return text.startswith("---") and "kernelspec:" in text.split("\n---", 1)[0]


def chapter_source(path: Path) -> Path:
    """Return the MyST file for a toc entry, which may be written with or without its suffix."""
    return path if path.suffix == ".md" else path.with_name(path.name + ".md")


def read_notebook(source: Path):
    """Return the chapter's MyST file as an in-memory nbformat notebook (nothing is written)."""
    import jupytext

    notebook = jupytext.read(source, fmt="md:myst")
    # nbformat gives new cells random ids; numbered ids keep two conversions of one file identical
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index}"
    return notebook


def parameters_cell_source(notebook, name: str = "<chapter>") -> str:
    """Return the source of the one cell tagged ``parameters``."""
    cells = [c for c in notebook.cells if PARAMETERS_TAG in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParametersCellError(f"{name}: expected exactly one cell tagged '{PARAMETERS_TAG}', found {len(cells)}")
    if cells[0].cell_type != "code":
        raise ParametersCellError(f"{name}: the cell tagged '{PARAMETERS_TAG}' must be a code cell")
    return cells[0].source


def parse_parameters(source: str, name: str = "<chapter>") -> dict[str, Parameter]:
    """Return the parameters declared by a ``parameters`` cell's source, in order of appearance."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParametersCellError(f"{name}: parameters cell line {exc.lineno}: {exc.msg}") from exc
    lines = source.splitlines()
    params: dict[str, Parameter] = {}
    for node in tree.body:
        target, value = assignment_parts(node, name)
        try:
            default = ast.literal_eval(value)
        except ValueError as exc:
            raise ParametersCellError(
                f"{name}: parameters cell line {node.lineno}: '{target}' must be a literal value"
                " (a string, number, boolean, None, list or dict), not an expression"
            ) from exc
        literal = ast.get_source_segment(source, value) or repr(default)
        params[target] = Parameter(target, default, literal, meaning_of(lines, node))
    return params


def assignment_parts(node: ast.stmt, name: str) -> tuple[str, ast.expr]:
    """Return (target name, value expression) of a plain ``name = value`` (annotation allowed)."""
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id, node.value
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        return node.target.id, node.value
    raise ParametersCellError(
        f"{name}: parameters cell line {node.lineno}: only plain assignments 'name = literal' are allowed"
    )


def meaning_of(lines: list[str], node: ast.stmt) -> str:
    """Return the meaning of one assignment: the ``#`` comment lines just above it, else its inline comment."""
    above: list[str] = []
    i = node.lineno - 2  # the line before the assignment, 0-based
    while i >= 0 and lines[i].strip().startswith("#"):
        above.insert(0, lines[i].strip().lstrip("#").strip())
        i -= 1
    if above:
        return " ".join(above)
    # An inline comment is a fallback; '#' inside the literal itself is not a comment.
    tail = lines[node.end_lineno - 1][node.end_col_offset:]
    return tail.split("#", 1)[1].strip() if "#" in tail else ""


def chapter_parameters(source: Path, name: str | None = None) -> dict[str, Parameter]:
    """Return the parameters a chapter's MyST file declares, without executing it."""
    name = name or source.stem
    return parse_parameters(parameters_cell_source(read_notebook(source), name), name)


def all_parameters(chapters: Mapping[str, Path] | None = None) -> dict[str, dict[str, Parameter]]:
    """Return every chapter's parameters, by chapter name, in table-of-contents order."""
    chapters = toc_chapters() if chapters is None else chapters
    return {name: chapter_parameters(src, name) for name, src in chapters.items()}


def parameters_table(chapters: Mapping[str, Path] | None = None) -> pd.DataFrame:
    """Return one row per chapter parameter: chapter, parameter, type, default (as written), meaning."""
    rows = [
        {"chapter": chapter, "parameter": p.name, "type": p.type_name, "default": p.literal, "meaning": p.meaning}
        for chapter, params in all_parameters(chapters).items()
        for p in params.values()
    ]
    return pd.DataFrame(rows, columns=["chapter", "parameter", "type", "default", "meaning"])


# --- checking a reader's values ------------------------------------------------------------


def value_from_text(text: str, param: Parameter | None = None) -> Any:
    """Return a command-line value parsed as a YAML scalar; a text parameter keeps the text as typed."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        value = text
    # YAML reads 'yes' as True and '2015' as 2015; for a text parameter the reader meant the text.
    if param is not None and isinstance(param.default, str) and not isinstance(value, str):
        return text
    # YAML 1.1 reads '1e3' as text; a number parameter means the number.
    if param is not None and isinstance(param.default, float) and isinstance(value, str):
        try:
            return float(text)
        except ValueError:
            pass
    return value


def type_matches(value: Any, default: Any) -> bool:
    """Return True when ``value`` may replace ``default``: same type, int for float, anything for None."""
    if default is None:
        return True
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(value, bool) and isinstance(default, bool)
    if isinstance(default, float):
        return isinstance(value, (int, float))
    return isinstance(value, type(default))


def describe_parameters(chapter_params: Mapping[str, Mapping[str, Parameter]]) -> str:
    """Return each declared parameter once, ``name (type, default …)``, naming its chapters unless all have it."""
    declaring: dict[str, list[str]] = {}
    first: dict[str, Parameter] = {}
    for chapter, params in chapter_params.items():
        for p in params.values():
            declaring.setdefault(p.name, []).append(chapter)
            first.setdefault(p.name, p)
    parts = []
    for name, chapters in declaring.items():
        where = "" if len(chapters) == len(chapter_params) else f" in {', '.join(chapters)}"
        parts.append(f"{name} ({first[name].type_name}, default {first[name].literal}{where})")
    return ", ".join(parts) or "(none)"


def check_chapter_names(requested: list[str], chapters: Mapping[str, Path]) -> list[str]:
    """Return the requested chapter names, de-duplicated in order; raise if any is unknown."""
    unknown = [n for n in requested if n not in chapters]
    if unknown:
        raise UnknownChapterError(
            [f"unknown chapter '{n}'; valid chapters: {', '.join(chapters)}" for n in unknown]
        )
    return list(dict.fromkeys(requested))


def value_problem(chapters: str, param: Parameter, value: Any) -> tuple[type[ParameterError], str] | None:
    """Return (error class, message) when ``value`` does not fit ``param`` (as declared in ``chapters``), else None."""
    if not type_matches(value, param.default):
        return ParameterTypeError, (
            f"parameter '{param.name}' ({chapters}) must be {param.type_name}, like its default "
            f"{param.literal}; got {type(value).__name__} {value!r}"
        )
    if param.is_path and param.name != OUTPUT_PARAMETER and isinstance(value, str):
        where = paths.resolve_data_dir(value)
        if not where.exists():
            return MissingPathError, (
                f"parameter '{param.name}' ({chapters}): {where} does not exist; give an existing "
                f"{'folder' if param.name.endswith('_dir') else 'path'} (relative paths are taken from {paths.ROOT})"
            )
    return None


def declarations(chapter_params: Mapping[str, Mapping[str, Parameter]], name: str) -> list[tuple[Parameter, list[str]]]:
    """Return each distinct declaration (type and default) of parameter ``name`` with the chapters making it."""
    groups: dict[tuple[str, str], tuple[Parameter, list[str]]] = {}
    for chapter, params in chapter_params.items():
        if name in params:
            p = params[name]
            groups.setdefault((p.type_name, p.literal), (p, []))[1].append(chapter)
    return list(groups.values())


def checked_overrides(
    chapter_params: Mapping[str, Mapping[str, Parameter]], overrides: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """Return, per chapter, the overrides that apply to it; raise one error listing every problem.

    An override applies to each chosen chapter that declares it, and must be declared by at least one.
    """
    problems: list[tuple[type[ParameterError], str]] = []
    for name, value in overrides.items():
        groups = declarations(chapter_params, name)
        if not groups:
            problems.append((UnknownParameterError,
                             f"unknown parameter '{name}'; valid parameters: {describe_parameters(chapter_params)}"))
        for param, chapters in groups:
            if (problem := value_problem(", ".join(chapters), param, value)) is not None:
                problems.append(problem)
    if problems:
        kinds = {kind for kind, _ in problems}
        raise (kinds.pop() if len(kinds) == 1 else ParameterError)([message for _, message in problems])
    return {chapter: {n: v for n, v in overrides.items() if n in params} for chapter, params in chapter_params.items()}


def overrides_from(
    pairs: list[tuple[str, str]],
    params_file: Path | None,
    chapter_params: Mapping[str, Mapping[str, Parameter]],
    typed: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the overrides from a YAML file, then ``typed`` values, then ``-p NAME VALUE`` pairs (later win)."""
    overrides: dict[str, Any] = dict(params_from_file(params_file)) if params_file else {}
    overrides |= dict(typed or {})
    declared = {n: p for params in chapter_params.values() for n, p in params.items()}
    for name, text in pairs:
        overrides[name] = value_from_text(text, declared.get(name))
    return overrides


def params_from_file(path: Path) -> dict[str, Any]:
    """Return the ``name: value`` mapping of a YAML parameters file."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"parameters file {path} does not exist")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ParameterError(f"parameters file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(k, str) for k in data):
        raise ParameterError(f"parameters file {path} must be a mapping of parameter names to values")
    return data
