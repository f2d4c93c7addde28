"""Rerunning chapters with papermill: each run in its own folder with a ``run.json`` record.

A run folder ``runs/<UTC timestamp>-<chapter>/`` holds the executed notebook ``<chapter>.ipynb``,
the charts (``charts/<name>.vl.json|.svg|.png``) and tables (``tables/<name>.csv``) the chapter's
``Publisher`` exported there, the kernel's own stderr ``kernel.log``, and ``run.json``. A chapter that fails keeps its partial notebook and
gets a ``FAILED`` file naming the failing cell. Everything a reader asks for is checked before the
first folder is made.
"""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import Any

from compendium import paths
from compendium.errors import CompendiumError
from compendium.io import FolderError, write_text_atomic, writable_folder
from .params import (
    OUTPUT_PARAMETER,
    ParameterError,
    all_parameters,
    check_chapter_names,
    checked_overrides,
    overrides_from,
    read_notebook,
    toc_chapters,
)

KERNEL = "python3"
PACKAGES = ("papermill", "pandas", "altair", "vl-convert-python", "jupytext", "nbclient", "ipykernel")
RECORD = "run.json"
KERNEL_LOG = "kernel.log"
FAILED_MARK = "FAILED"
# Cells papermill adds to the chapter's own cells; they are skipped when naming a failing cell.
PAPERMILL_TAGS = ("injected-parameters", "papermill-error-cell-tag")

CellCallback = Callable[[int, int], None]


@dataclass(frozen=True)
class ChapterRun:
    """One planned run: the chapter, its MyST source, its effective parameters and what was overridden."""

    chapter: str
    source: Path
    parameters: dict[str, Any]
    overrides: dict[str, Any]


@dataclass
class RunResult:
    """What one run produced: its folder, status (``ok`` or ``failed``), duration and error if any."""

    chapter: str
    folder: Path
    status: str
    seconds: float
    error: dict[str, Any] | None = None
    record: dict[str, Any] = field(default_factory=dict)


class RunnerError(CompendiumError):
    """A request the runner cannot start (e.g. no chapter chosen)."""


# --- planning: everything is checked here, before any folder exists ------------------------


def plan_runs(
    names: list[str],
    overrides: Mapping[str, Any] | None = None,
    *,
    texts: list[tuple[str, str]] | tuple = (),
    params_file: Path | None = None,
    chapters: Mapping[str, Path] | None = None,
    all_chapters: bool = False,
) -> list[ChapterRun]:
    """Return one checked ``ChapterRun`` per chosen chapter; raise a ``CompendiumError`` on any bad input.

    Values come from ``params_file``, then ``overrides`` (typed), then ``texts`` (``-p NAME VALUE``
    pairs, read as YAML scalars); later ones win.
    """
    chapters = toc_chapters() if chapters is None else dict(chapters)
    if not names and not all_chapters:
        raise RunnerError(f"name at least one chapter, or --all; valid chapters: {', '.join(chapters)}")
    chosen = list(chapters) if all_chapters else check_chapter_names(list(names), chapters)
    declared = all_parameters({name: chapters[name] for name in chosen})
    values = overrides_from(list(texts), params_file, declared, dict(overrides or {}))
    if OUTPUT_PARAMETER in values:
        raise ParameterError(
            f"'{OUTPUT_PARAMETER}' is set by the runner to each run's folder; choose where runs go with --runs-dir"
        )
    applied = checked_overrides(declared, values)
    return [
        ChapterRun(
            chapter=name,
            source=chapters[name],
            parameters={p.name: p.default for p in declared[name].values()} | applied[name],
            overrides=applied[name],
        )
        for name in chosen
    ]


def batch_stamp() -> str:
    """Return the UTC timestamp that starts every run folder name of one invocation."""
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def new_run_folder(runs_dir: Path, stamp: str, chapter: str) -> Path:
    """Create and return ``runs_dir/<stamp>-<chapter>``, adding ``-2``, ``-3``… if it already exists.

    Raise ``FolderError`` (naming the folder and the reason) if it cannot be made."""
    writable_folder(runs_dir, "the runs folder")
    for n in range(1, 1000):
        folder = runs_dir / (f"{stamp}-{chapter}" + (f"-{n}" if n > 1 else ""))
        try:
            folder.mkdir()
            return folder
        except FileExistsError:
            continue
        except OSError as exc:
            raise FolderError(folder, exc, "the run folder") from exc
    raise RunnerError(f"too many runs of '{chapter}' at {stamp} in {runs_dir}")


# --- executing --------------------------------------------------------------------------------


def kernel_manager_logging_to(log, kernels=None) -> type:
    """Return a kernel manager class whose kernels write their own stderr to ``log`` (an open file);
    with ``kernels`` (a ``compendium.book.kernels.Kernels``), over its transport and tracked by it."""
    if kernels is not None:
        return kernels.manager_class(stderr=log)
    from jupyter_client.manager import AsyncKernelManager

    class LoggedKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            # The kernel's start-up and shutdown notices would otherwise interleave with the progress bars.
            kw.setdefault("stderr", log)
            return await super().start_kernel(**kw)

    return LoggedKernelManager


def execute_chapter(run: ChapterRun, notebook_path: Path, on_cell: CellCallback | None = None, timeout: int = 600,
                    kernels=None):
    """Execute the chapter into ``notebook_path`` with papermill; return the executed notebook.

    The MyST source is converted in memory; the kernel starts in the chapter's folder. Raises on failure,
    after papermill has saved the partial notebook.
    """
    import papermill

    notebook = read_notebook(run.source)
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": "Python 3", "language": "python"}
    injected = dict(run.overrides)
    if OUTPUT_PARAMETER in run.parameters:
        injected[OUTPUT_PARAMETER] = run.parameters[OUTPUT_PARAMETER]
    # cwd= would os.chdir the whole process, which parallel threads share; the kernel's own cwd is enough.
    # nbclient calls the hook for each code cell it runs (papermill adds one for the injected values)
    total = sum(c.cell_type == "code" and bool(c.source.strip()) for c in notebook.cells) + (1 if injected else 0)
    done = iter(range(1, total + 1))

    def cell_executed(**_):  # nbclient's on_cell_executed hook, which papermill passes through
        if on_cell is not None:
            on_cell(next(done, total), total)

    with (notebook_path.parent / KERNEL_LOG).open("w", encoding="utf-8") as log:
        return papermill.execute_notebook(
            notebook,
            str(notebook_path),
            parameters=injected,
            kernel_name=KERNEL,
            progress_bar=False,
            execution_timeout=timeout,
            resources={"metadata": {"path": str(run.source.parent)}},
            kernel_manager_class=kernel_manager_logging_to(log, kernels),
            on_cell_executed=cell_executed,
        )


def name_papermill_cells(notebook_path: Path, source: Path) -> None:
    """Give the cells papermill added (parameters, error banner) fixed ids instead of random ones,
    so that two runs with the same parameters write the same notebook, and record the MyST source
    as the notebook's input (papermill records the in-memory notebook it was given)."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.metadata.setdefault("papermill", {})["input_path"] = str(display_path(source))
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        tags = [t for t in cell.metadata.get("tags", []) if t in PAPERMILL_TAGS]
        if tags:
            seen[tags[0]] = seen.get(tags[0], 0) + 1  # papermill may add two error cells
            cell["id"] = tags[0] if seen[tags[0]] == 1 else f"{tags[0]}-{seen[tags[0]]}"
    write_text_atomic(notebook_path, nbformat.writes(notebook))


def failing_cell(notebook_path: Path, exc: BaseException) -> dict[str, Any]:
    """Return where and why a run failed: the chapter cell's index and first line, error name and message."""
    import nbformat

    error: dict[str, Any] = {"ename": getattr(exc, "ename", type(exc).__name__),
                             "evalue": getattr(exc, "evalue", str(exc))}
    if not notebook_path.exists():
        return error | {"cell_index": None, "cell_first_line": None}
    cells = nbformat.read(notebook_path, as_version=4).cells
    own = [c for c in cells if not set(c.get("metadata", {}).get("tags", [])) & set(PAPERMILL_TAGS)]
    for index, cell in enumerate(own):
        state = cell.get("metadata", {}).get("papermill", {})
        has_error = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if has_error or state.get("exception") or state.get("status") == "running":
            lines = [line for line in cell.source.splitlines() if line.strip()]
            return error | {
                "cell_index": index,
                "execution_count": cell.get("execution_count"),
                "cell_first_line": lines[0] if lines else "",
            }
    return error | {"cell_index": None, "cell_first_line": None}


# --- recording --------------------------------------------------------------------------------


def sha256(path: Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def display_path(path: Path) -> Path:
    """Return ``path`` relative to the project root when it lies inside it, else absolute."""
    path = Path(path).resolve()
    return path.relative_to(paths.ROOT) if path.is_relative_to(paths.ROOT) else path


def files_under(folder: Path) -> list[Path]:
    """Return every file below ``folder``, sorted, skipping Python caches."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def input_files(run: ChapterRun) -> list[Path]:
    """Return the files a run reads: its source, data/, the package modules it imports (directly or
    through other modules) and any path parameter's files."""
    from compendium.book.cachekey import code_cells, imported_names, module_closure

    names = set().union(*(imported_names(cell) for cell in code_cells(run.source.read_text(encoding="utf-8"))))
    files = [run.source, *files_under(paths.DATA_DIR), *module_closure(names, paths.ROOT / "src")]
    for name, value in run.parameters.items():
        if name == OUTPUT_PARAMETER or not isinstance(value, str) or not value:
            continue
        where = paths.resolve_data_dir(value)
        if where.is_dir() and where.resolve() != paths.ROOT:
            files += files_under(where)
        elif where.is_file():
            files.append(where)
    return list(dict.fromkeys(p.resolve() for p in files))


def input_hashes(run: ChapterRun) -> dict[str, str]:
    """Return SHA-256 of every input file, keyed by path (relative to the project root where possible)."""
    return {str(display_path(p)): sha256(p) for p in input_files(run)}


def output_hashes(folder: Path) -> dict[str, str]:
    """Return SHA-256 of every file in a run folder except the record itself, keyed by relative path."""
    return {str(p.relative_to(folder)): sha256(p) for p in files_under(folder) if p.name != RECORD}


def package_versions() -> dict[str, str | None]:
    """Return the Python version and the installed version of each package a run depends on."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def git_state(root: Path = paths.ROOT) -> dict[str, Any] | None:
    """Return the git commit of the project and whether the work tree has changes; None without git."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True)
        status = subprocess.run(["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return {"commit": commit.stdout.strip(), "dirty": bool(status.stdout.strip())}


def run_record(run: ChapterRun, folder: Path, started: datetime, seconds: float, error: dict | None,
               context: Mapping[str, Any]) -> dict[str, Any]:
    """Return the ``run.json`` content for one finished (or failed) run."""
    return {
        "chapter": run.chapter,
        "source": str(display_path(run.source)),
        "status": "failed" if error else "ok",
        "error": error,
        "parameters": run.parameters,
        "overrides": run.overrides,
        "kernel": KERNEL,
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "seconds": round(seconds, 3),
        "command": context.get("command"),
        "git": context.get("git"),
        "packages": context.get("packages"),
        "inputs": input_hashes(run),
        "outputs": output_hashes(folder),
    }


def failure_note(error: Mapping[str, Any]) -> str:
    """Return the one-paragraph text of a ``FAILED`` file: which cell failed and why."""
    where = f"cell {error['cell_index']}: {error['cell_first_line']}" if error.get("cell_index") is not None else "before any cell"
    return f"failed at {where}\n{error['ename']}: {error['evalue']}\n"


def run_one(run: ChapterRun, folder: Path, context: Mapping[str, Any], on_cell: CellCallback | None = None,
            timeout: int = 600, kernels=None) -> RunResult:
    """Execute one planned run into its folder, write ``run.json`` (and ``FAILED``); return the result."""
    if OUTPUT_PARAMETER in run.parameters:
        run = ChapterRun(run.chapter, run.source, run.parameters | {OUTPUT_PARAMETER: str(folder)}, run.overrides)
    notebook_path = folder / f"{run.chapter}.ipynb"
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    error = None
    try:
        execute_chapter(run, notebook_path, on_cell=on_cell, timeout=timeout, kernels=kernels)
    except Exception as exc:  # any failure is recorded; the other chapters go on
        error = failing_cell(notebook_path, exc)
        write_text_atomic(folder / FAILED_MARK, failure_note(error))
    if notebook_path.exists():
        name_papermill_cells(notebook_path, run.source)
    seconds = time.perf_counter() - clock
    record = run_record(run, folder, started, seconds, error, context)
    write_text_atomic(folder / RECORD, json.dumps(record, indent=2, default=str) + "\n")
    return RunResult(run.chapter, folder, record["status"], seconds, error, record)


# --- many chapters at once ---------------------------------------------------------------------


def run_context(command: list[str] | None = None) -> dict[str, Any]:
    """Return what every run of one invocation shares: command line, git state, package versions."""
    return {"command": command, "git": git_state(), "packages": package_versions()}


def run_chapters(
    plan: list[ChapterRun],
    runs_dir: Path = paths.RUNS_DIR,
    jobs: int = 1,
    progress: bool = True,
    timeout: int = 600,
    command: list[str] | None = None,
) -> list[RunResult]:
    """Run every planned chapter, ``jobs`` at a time; return the results in plan order.

    Threads suffice: each chapter executes in its own kernel process. Every run folder is made
    before the first chapter starts; if one cannot be, those made are removed again and
    ``FolderError`` names the folder and the reason.
    """
    from compendium.book.kernels import Kernels

    context = run_context(command)
    stamp = batch_stamp()
    folders: list[Path] = []
    try:
        for run in plan:
            folders.append(new_run_folder(Path(runs_dir), stamp, run.chapter))
    except FolderError:
        for folder in folders:
            folder.rmdir()
        raise
    with ProgressDisplay(progress) as report, Kernels() as kernels:

        def job(run: ChapterRun, folder: Path) -> RunResult:
            bar = report.add(folder.name.removeprefix(f"{stamp}-"))
            result = run_one(run, folder, context, report.cell_callback(bar), timeout, kernels)
            report.finish(bar, result.status)
            return result

        pool = ThreadPoolExecutor(max_workers=max(1, jobs))
        try:
            futures = [pool.submit(job, run, folder) for run, folder in zip(plan, folders)]
            return [future.result() for future in futures]
        finally:
            # On Ctrl-C, chapters not yet started are dropped; running ones finish and are recorded.
            pool.shutdown(wait=True, cancel_futures=True)


class ProgressDisplay:
    """Context manager showing one rich progress bar per run on stderr (or nothing when disabled)."""

    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.progress = None

    def __enter__(self) -> ProgressDisplay:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.progress = Progress(
                TextColumn("{task.description:<30}"), BarColumn(), MofNCompleteColumn(), TextColumn("cells"),
                TimeElapsedColumn(), console=Console(stderr=True),
            )
            self.progress.start()
        return self

    def add(self, label: str) -> tuple[Any, str] | None:
        """Return a new bar (task id and label) for one run, or None when disabled."""
        return None if self.progress is None else (self.progress.add_task(label, total=None), label)

    def cell_callback(self, bar: tuple[Any, str] | None) -> CellCallback | None:
        """Return the callback that advances ``bar`` after each cell (None when disabled)."""
        if bar is None:
            return None
        return lambda done, total: self.progress.update(bar[0], completed=done, total=total)

    def finish(self, bar: tuple[Any, str] | None, status: str) -> None:
        """Show the run's final status on its bar."""
        if bar is not None:
            self.progress.update(bar[0], description=f"{bar[1]} {'✓' if status == 'ok' else '✗ failed'}")

    def __exit__(self, *exc) -> None:
        if self.progress is not None:
            self.progress.stop()


def summary_lines(results: list[RunResult]) -> list[str]:
    """Return one line per run: status, chapter, seconds, folder, and the failing cell if any."""
    lines = []
    for r in results:
        line = f"{r.status:<6} {r.chapter:<26} {r.seconds:6.1f}s  {display_path(r.folder)}"
        if r.error:
            line += f"\n       {failure_note(r.error).strip().replace(chr(10), chr(10) + '       ')}"
        lines.append(line)
    return lines


def exit_status(results: list[RunResult]) -> int:
    """Return 0 when every run succeeded, 1 when any failed."""
    return 1 if any(r.status != "ok" for r in results) else 0
