"""The runner: every chapter reruns into its own folder with a record; bad input runs nothing; failures are kept."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from compendium import paths
from compendium.book import runner
from compendium.cli import main
from compendium.book.params import toc_chapters

CHAPTERS = toc_chapters()
BIN = Path(sys.executable).parent

# The changed parameter whose effect is checked: a copy of data/ with one word of one passage altered.
# Same length, so the passages table's offsets still fit the text.
ALTERED_CHAPTER = "peace-security"
ORIGINAL = "are unlikely to be rivaled."
ALTERED = "are unlikely to be matched."

MYST_HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

TINY = MYST_HEADER + '''
# Tiny

```{code-cell} ipython3
import altair as alt
import pandas as pd

from compendium.book.publish import Publisher
```

```{code-cell} ipython3
:tags: [parameters]

# how many rows to keep
top_n = 10
# where charts and tables are exported; "" exports nothing
output_dir = ""
```

```{code-cell} ipython3
publish = Publisher(output_dir)
frame = pd.DataFrame({"n": range(top_n)})
publish.table("rows", frame)
publish.chart("bars", alt.Chart(frame).mark_bar().encode(x="n:Q", y="n:O").properties(description="One bar per kept row."))
print(f"kept {len(frame)} rows")
```
'''

BROKEN = MYST_HEADER + '''
# Broken

```{code-cell} ipython3
:tags: [parameters]

output_dir = ""
```

```{code-cell} ipython3
import pandas as pd

from compendium.book.publish import Publisher

Publisher(output_dir).table("before", pd.DataFrame({"a": [1]}))
```

```{code-cell} ipython3
raise RuntimeError("this cell fails on purpose")
```

```{code-cell} ipython3
print("never reached")
```
'''


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def notebook_text(path: Path) -> str:
    """Return every output of an executed notebook as one string."""
    nb = nbformat.read(path, as_version=4)
    return json.dumps([c.get("outputs", []) for c in nb.cells])


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> dict[str, Path]:
    """Two tiny chapters outside the book: one exports a chart and a table, one fails in its third cell."""
    folder = tmp_path_factory.mktemp("crafted")
    (folder / "tiny.md").write_text(TINY)
    (folder / "broken.md").write_text(BROKEN)
    return {"tiny": folder / "tiny.md", "broken": folder / "broken.md"}


@pytest.fixture(scope="module")
def altered_data(tmp_path_factory) -> Path:
    """A copy of data/ whose raw text has one word changed."""
    copy = tmp_path_factory.mktemp("altered") / "data"
    shutil.copytree(paths.DATA_DIR, copy)
    raw = paths.raw_source(copy)
    text = raw.read_text(encoding="utf-8")
    assert text.count(ORIGINAL) == 1, "pick another passage to alter: the source text changed"
    assert len(ORIGINAL) == len(ALTERED), "same length keeps every passage's offsets"
    recorded = hashlib.sha256(raw.read_bytes()).hexdigest()
    raw.write_text(text.replace(ORIGINAL, ALTERED), encoding="utf-8")
    # a deliberately edited text records its own SHA-256, which every load checks first
    readme = copy / "README.md"
    readme.write_text(readme.read_text(encoding="utf-8").replace(recorded, hashlib.sha256(raw.read_bytes()).hexdigest()),
                      encoding="utf-8")
    # chapters load validated tables, which must agree with the raw text: change them alike
    for table in ("passages.csv", "claims.csv"):
        path = copy / table
        path.write_text(path.read_text(encoding="utf-8").replace(ORIGINAL, ALTERED), encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def batch(tmp_path_factory, crafted, altered_data) -> dict[str, runner.RunResult]:
    """One runner call, two at a time: every chapter with defaults, one with altered data, the crafted ones."""
    runs_dir = tmp_path_factory.mktemp("runs")
    plan = (
        runner.plan_runs([], all_chapters=True)
        + runner.plan_runs([ALTERED_CHAPTER], texts=[("data_dir", str(altered_data))])
        + runner.plan_runs(["tiny", "broken"], texts=[("top_n", "3")], chapters=crafted)
    )
    results = runner.run_chapters(plan, runs_dir=runs_dir, jobs=2, progress=True, command=["test"])
    keys = list(CHAPTERS) + ["altered", "tiny", "broken"]
    return dict(zip(keys, results, strict=True))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_chapter_runs_with_defaults(batch, chapter):
    result = batch[chapter]
    assert result.status == "ok", result.error
    assert result.folder.name.endswith(f"-{chapter}")
    assert (result.folder / f"{chapter}.ipynb").is_file()
    assert not (result.folder / runner.FAILED_MARK).exists()
    assert "Traceback" not in notebook_text(result.folder / f"{chapter}.ipynb")


def test_no_notebook_is_written_next_to_the_sources(batch, crafted):
    assert not list(paths.CHAPTERS_DIR.glob("*.ipynb"))
    assert not list(crafted["tiny"].parent.glob("*.ipynb"))


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_run_record_has_parameters_inputs_versions_and_output_hashes(batch, chapter):
    result = batch[chapter]
    record = json.loads((result.folder / runner.RECORD).read_text())
    assert record["chapter"] == chapter and record["status"] == "ok" and record["error"] is None
    assert record["source"] == f"chapters/{chapter}.md"
    assert record["parameters"]["data_dir"] == "data" and record["overrides"] == {}
    assert record["inputs"][record["source"]] == sha256(CHAPTERS[chapter])
    assert record["inputs"]["data/raw/meeting-summary.txt"] == sha256(paths.RAW_SOURCE)
    assert "src/compendium/data/tables.py" in record["inputs"] and "src/compendium/book/runner.py" not in record["inputs"]
    assert {"python", "papermill", "pandas", "altair", "vl-convert-python", "jupytext"} <= set(record["packages"])
    assert record["git"] is None or len(record["git"]["commit"]) == 40
    assert record["seconds"] > 0 and record["started"] <= record["finished"]
    files = {str(p.relative_to(result.folder)) for p in result.folder.rglob("*") if p.is_file()} - {runner.RECORD}
    assert set(record["outputs"]) == files
    assert all(record["outputs"][f] == sha256(result.folder / f) for f in files)


def test_changed_data_dir_shows_in_the_output(batch, altered_data):
    default, altered = batch[ALTERED_CHAPTER], batch["altered"]
    assert altered.status == "ok", altered.error
    assert altered.folder != default.folder  # same chapter twice at the same second gets its own folder
    assert ALTERED in notebook_text(altered.folder / f"{ALTERED_CHAPTER}.ipynb")
    assert ORIGINAL not in notebook_text(altered.folder / f"{ALTERED_CHAPTER}.ipynb")
    assert ORIGINAL in notebook_text(default.folder / f"{ALTERED_CHAPTER}.ipynb")
    record = altered.record
    assert record["overrides"] == {"data_dir": str(altered_data)}
    assert record["inputs"][str(paths.raw_source(altered_data))] != record["inputs"]["data/raw/meeting-summary.txt"]


def test_charts_and_tables_are_exported_into_the_run_folder(batch):
    result = batch["tiny"]
    assert result.status == "ok", result.error
    assert result.record["parameters"] == {"top_n": 3, "output_dir": str(result.folder)}
    assert "kept 3 rows" in notebook_text(result.folder / "tiny.ipynb")
    expected = {"charts/bars.vl.json", "charts/bars.svg", "charts/bars.png", "tables/rows.csv"}
    assert expected <= set(result.record["outputs"])
    assert (result.folder / "tables" / "rows.csv").read_text().splitlines() == ["n", "0", "1", "2"]
    assert (result.folder / "charts" / "bars.png").read_bytes().startswith(b"\x89PNG")


def test_a_failing_chapter_keeps_its_partial_notebook_and_names_the_cell(batch):
    result = batch["broken"]
    assert result.status == "failed"
    record = json.loads((result.folder / runner.RECORD).read_text())
    assert record["status"] == "failed"
    assert record["error"]["cell_index"] == 3  # heading, parameters, export, then the failing cell
    assert record["error"]["cell_first_line"] == 'raise RuntimeError("this cell fails on purpose")'
    assert record["error"]["ename"] == "RuntimeError"
    assert record["error"]["evalue"] == "this cell fails on purpose"
    assert "cell 3" in (result.folder / runner.FAILED_MARK).read_text()
    text = notebook_text(result.folder / "broken.ipynb")
    assert "this cell fails on purpose" in text and "never reached" not in text
    assert "tables/before.csv" in record["outputs"]  # what was exported before the failure is kept
    # the other chapters of the same batch finished
    assert all(batch[c].status == "ok" for c in CHAPTERS)
    assert runner.exit_status(list(batch.values())) == 1


@pytest.mark.chapters
def test_command_line_run_exits_nonzero_when_a_chapter_fails(tmp_path, crafted, monkeypatch, capsys):
    monkeypatch.setattr(runner, "toc_chapters", lambda: {**crafted, "introduction": CHAPTERS["introduction"]})
    status = main(["run", "broken", "introduction", "--runs-dir", str(tmp_path), "--jobs", "2", "--no-progress"])
    assert status == 1
    out = capsys.readouterr().out
    assert "failed broken" in out and "ok     introduction" in out
    folders = sorted(p.name.split("-", 1)[1] for p in tmp_path.iterdir())
    assert folders == ["broken", "introduction"]


def test_params_file_and_p_values_are_combined(tmp_path, crafted, monkeypatch):
    monkeypatch.setattr(runner, "toc_chapters", lambda: crafted)
    params = tmp_path / "params.yml"
    params.write_text("top_n: 7\n")
    (plan,) = runner.plan_runs(["tiny"], params_file=params)
    assert plan.parameters == {"top_n": 7, "output_dir": ""}
    (plan,) = runner.plan_runs(["tiny"], texts=[("top_n", "4")], params_file=params)
    assert plan.overrides == {"top_n": 4}


@pytest.mark.parametrize(
    "args, words",
    [
        (["peace"], ["unknown chapter 'peace'", *CHAPTERS]),
        ([], ["name at least one chapter", *CHAPTERS]),
        (["peace-security", "-p", "top", "5"], ["unknown parameter 'top'", "data_dir (str, default \"data\")"]),
        (["peace-security", "--params-file", "{params}"], ["'data_dir'", "must be str", "got int 5"]),
        (["--all", "-p", "data_dir", "no/such/data"], ["no/such/data does not exist", "existing folder"]),
        (["peace-security", "-p", "output_dir", "x"], ["set by the runner", "--runs-dir"]),
        (["peace-security", "--params-file", "{missing}"], ["does not exist"]),
    ],
)
def test_bad_input_runs_nothing_and_names_the_valid_choices(tmp_path, capsys, args, words):
    (tmp_path / "params.yml").write_text("data_dir: 5\n")
    args = [a.format(params=tmp_path / "params.yml", missing=tmp_path / "none.yml") for a in args]
    runs_dir = tmp_path / "runs"
    assert main(["run", *args, "--runs-dir", str(runs_dir), "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert all(w in err for w in words), err
    assert not runs_dir.exists()


def test_wrong_type_for_a_number_parameter_runs_nothing(tmp_path, crafted, monkeypatch, capsys):
    monkeypatch.setattr(runner, "toc_chapters", lambda: crafted)
    assert main(["run", "tiny", "-p", "top_n", "ten", "--runs-dir", str(tmp_path / "runs")]) == 2
    assert "'top_n' (tiny) must be int, like its default 10; got str 'ten'" in capsys.readouterr().err
    assert not (tmp_path / "runs").exists()


@pytest.mark.chapters
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_plain_papermill_pipe_runs_every_chapter_from_any_folder(tmp_path, chapter):
    # jupytext | papermill, started outside the project: relative data_dir is still taken from the root.
    jupytext = subprocess.Popen(
        [BIN / "jupytext", "--to", "ipynb", CHAPTERS[chapter], "-o", "-"], stdout=subprocess.PIPE, cwd=tmp_path
    )
    done = subprocess.run(
        [BIN / "papermill", "-", "out.ipynb", "-p", "data_dir", "data", "--no-progress-bar"],
        stdin=jupytext.stdout, capture_output=True, text=True, cwd=tmp_path, timeout=600,
    )
    jupytext.stdout.close()
    assert jupytext.wait() == 0
    assert done.returncode == 0, done.stderr[-3000:]
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    injected = tags.index(["injected-parameters"])
    assert "parameters" in tags[injected - 1]  # papermill found the parameters cell (which may also be folded)
    assert "Passed unknown parameter" not in done.stderr


def test_kernels_talk_over_ipc_and_leave_no_tcp_notice_or_socket(batch, crafted):
    """The kernel's "running over TCP without encryption" notice is not in any run's kernel.log, and no
    socket file is left next to the chapters or in the run folders."""
    import stat

    from compendium.book.kernels import TCP_NOTICE, ipc_available

    logs = [r.folder / runner.KERNEL_LOG for r in batch.values()]
    assert all(log.is_file() for log in logs)
    if ipc_available():
        assert not [log for log in logs if TCP_NOTICE in log.read_text(encoding="utf-8")]
    for folder in (paths.CHAPTERS_DIR, crafted["tiny"].parent, *(r.folder for r in batch.values())):
        sockets = [p for p in folder.rglob("*") if stat.S_ISSOCK(p.lstat().st_mode)]
        assert not sockets, sockets


def test_a_runs_folder_that_is_a_file_runs_nothing_and_says_why(tmp_path, crafted):
    target = tmp_path / "runs"
    target.write_text("not a folder\n", encoding="utf-8")
    plan = runner.plan_runs(["tiny"], chapters=crafted)
    with pytest.raises(runner.FolderError) as raised:
        runner.run_chapters(plan, runs_dir=target, progress=False)
    assert str(target) in str(raised.value) and "it is a file, not a folder" in str(raised.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"] and target.read_text(encoding="utf-8") == "not a folder\n"

