"""The parameter contract: every chapter's parameters cell is read without running it, and bad values are refused."""

from __future__ import annotations

import json

import jupytext
import nbformat
import papermill
import pytest

from compendium import paths
from compendium.cli import main
from compendium.book.params import (
    MissingPathError,
    Parameter,
    ParameterError,
    ParametersCellError,
    ParameterTypeError,
    UnknownChapterError,
    UnknownParameterError,
    all_parameters,
    check_chapter_names,
    checked_overrides,
    chapter_parameters,
    is_notebook,
    parameters_table,
    params_from_file,
    parse_parameters,
    toc_chapters,
    type_matches,
    value_from_text,
)

CHAPTERS = toc_chapters()


def test_toc_lists_every_notebook_chapter_file_once():
    assert list(CHAPTERS)[0] == "introduction"
    notebooks = {p.stem for p in paths.CHAPTERS_DIR.glob("*.md") if is_notebook(p)}
    assert set(CHAPTERS) == notebooks
    assert "status" not in CHAPTERS  # a plain Markdown page: nothing to run
    assert all(src.is_file() for src in CHAPTERS.values())


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_papermill_finds_the_same_parameters_after_jupytext_conversion(chapter):
    # The round trip through ipynb text is what `jupytext --to ipynb ... | papermill` sees.
    ipynb = nbformat.reads(jupytext.writes(jupytext.read(CHAPTERS[chapter]), fmt="ipynb"), as_version=4)
    tagged = [c for c in ipynb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1 and tagged[0].cell_type == "code"
    ours = chapter_parameters(CHAPTERS[chapter])
    assert list(papermill.inspect_notebook(ipynb)) == list(ours)
    assert "data_dir" in ours


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_parameter_has_a_type_and_a_literal_default(chapter):
    for p in chapter_parameters(CHAPTERS[chapter]).values():
        assert p.name.isidentifier()
        assert p.type_name in {"str", "int", "float", "bool", "list", "dict", "tuple", "any"}
        assert p.literal.strip()
        if p.name == "output_dir":
            assert p.default == "", "output_dir must default to '' (no export) so the book build writes nothing"


def test_parameters_table_has_one_row_per_chapter_parameter():
    table = parameters_table()
    assert list(table.columns) == ["chapter", "parameter", "type", "default", "meaning"]
    assert list(table["chapter"].unique()) == list(CHAPTERS)
    assert len(table) == sum(len(ps) for ps in all_parameters().values())
    assert not table.duplicated(["chapter", "parameter"]).any()


CELL = '''\
# folder holding the data tables; relative paths are taken
# from the project root
data_dir = "data"
top_n = 10  # how many issues to show
ratio: float = 0.5
label = "a # not a comment"
output_dir = ""
'''


def test_parse_reads_names_defaults_literals_and_meanings():
    params = parse_parameters(CELL)
    assert list(params) == ["data_dir", "top_n", "ratio", "label", "output_dir"]
    assert params["data_dir"] == Parameter(
        "data_dir", "data", '"data"', "folder holding the data tables; relative paths are taken from the project root"
    )
    assert params["top_n"].meaning == "how many issues to show"
    assert params["ratio"].default == 0.5 and params["ratio"].meaning == ""
    assert params["label"].default == "a # not a comment" and params["label"].meaning == ""
    assert params["data_dir"].is_path and params["output_dir"].is_path and not params["top_n"].is_path


@pytest.mark.parametrize(
    "source, problem",
    [
        ("data_dir = make_path()\n", "literal"),
        ("import os\n", "plain assignments"),
        ("a = b = 1\n", "plain assignments"),
        ("x.y = 1\n", "plain assignments"),
        ("data_dir = 'data'\nprint(data_dir)\n", "plain assignments"),
        ("data_dir = \n", "line 1"),
    ],
)
def test_parse_refuses_anything_but_literal_assignments(source, problem):
    with pytest.raises(ParametersCellError, match=problem):
        parse_parameters(source, "demo")


@pytest.mark.parametrize("cells", [0, 2])
def test_a_chapter_needs_exactly_one_parameters_cell(tmp_path, cells):
    body = "".join("```{code-cell} ipython3\n:tags: [parameters]\n\nx = 1\n```\n\n" for _ in range(cells))
    path = tmp_path / "demo.md"
    path.write_text("---\njupytext:\n  text_representation:\n    format_name: myst\n---\n\n# Demo\n\n" + body)
    with pytest.raises(ParametersCellError, match=f"found {cells}"):
        chapter_parameters(path)


@pytest.mark.parametrize(
    "value, default, ok",
    [(5, 10, True), (5, 0.5, True), (0.5, 10, False), (True, 10, False), (1, True, False), (False, True, True),
     ("5", 10, False), ("x", "data", True), (5, "data", False), ([1], [2, 3], True), ({"a": 1}, None, True)],
)
def test_type_matches_the_default_with_int_allowed_for_float(value, default, ok):
    assert type_matches(value, default) is ok


@pytest.mark.parametrize(
    "text, default, expected",
    [("5", 10, 5), ("0.25", 0.5, 0.25), ("1e3", 0.5, 1000.0), ("true", False, True), ("[a, b]", [], ["a", "b"]),
     ("2015", "data", "2015"), ("yes", "data", "yes"), ("ten", 10, "ten"), ("", "data", "")],
)
def test_command_line_values_are_yaml_scalars_but_text_stays_text(text, default, expected):
    assert value_from_text(text, Parameter("p", default, repr(default))) == expected


def test_unknown_chapter_names_the_valid_ones():
    with pytest.raises(UnknownChapterError) as err:
        check_chapter_names(["peace-security", "peace"], CHAPTERS)
    assert "unknown chapter 'peace'" in str(err.value)
    assert all(name in str(err.value) for name in CHAPTERS)


DECLARED = {
    "one": {"data_dir": Parameter("data_dir", "data", '"data"'), "top_n": Parameter("top_n", 10, "10")},
    "two": {"data_dir": Parameter("data_dir", "data", '"data"'), "output_dir": Parameter("output_dir", "", '""')},
}


@pytest.mark.parametrize(
    "overrides, error, words",
    [
        ({"top": 3}, UnknownParameterError, ["unknown parameter 'top'", "top_n (int, default 10 in one)", "data_dir (str"]),
        ({"top_n": "ten"}, ParameterTypeError, ["'top_n' (one) must be int", "got str 'ten'"]),
        ({"top_n": 2.5}, ParameterTypeError, ["must be int"]),
        ({"data_dir": 3}, ParameterTypeError, ["'data_dir' (one, two) must be str"]),
        ({"data_dir": "no/such/folder"}, MissingPathError, ["no/such/folder does not exist", "existing folder"]),
        ({"top": 1, "top_n": "x"}, ParameterError, ["2 problems", "unknown parameter 'top'", "must be int"]),
    ],
)
def test_bad_overrides_are_refused_with_the_valid_choices(overrides, error, words):
    with pytest.raises(error) as err:
        checked_overrides(DECLARED, overrides)
    assert all(w in str(err.value) for w in words), str(err.value)


def test_good_overrides_apply_only_where_declared(tmp_path):
    applied = checked_overrides(DECLARED, {"top_n": 3, "data_dir": str(tmp_path), "output_dir": str(tmp_path / "new")})
    assert applied == {
        "one": {"top_n": 3, "data_dir": str(tmp_path)},
        "two": {"data_dir": str(tmp_path), "output_dir": str(tmp_path / "new")},  # output_dir need not exist
    }


@pytest.mark.parametrize(
    "content, problem",
    [(None, "does not exist"), ("[1, 2]\n", "must be a mapping"), ("a: [\n", "not valid YAML"), ("1: x\n", "mapping")],
)
def test_bad_parameters_files_are_refused(tmp_path, content, problem):
    path = tmp_path / "params.yml"
    if content is not None:
        path.write_text(content)
    with pytest.raises(ParameterError, match=problem):
        params_from_file(path)


def test_parameters_file_gives_typed_values(tmp_path):
    path = tmp_path / "params.yml"
    path.write_text("top_n: 5\ndata_dir: data\n")
    assert params_from_file(path) == {"top_n": 5, "data_dir": "data"}


def test_list_command_shows_every_chapter_and_parameter(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for chapter, params in all_parameters().items():
        assert f"\n{chapter}\n" in f"\n{out}"
        for p in params.values():
            assert p.name in out and p.literal in out
    json.dumps(parameters_table().to_dict("records"))  # the table is plain data
