"""Benchmark of builds, reruns and the test suite, against the stock `jupyter-book create` template
and against the stock-kernel floor (`make bench`).

The floor is what a build of ordinary kernels cannot beat: the number of chapters times the measured
cost of starting a kernel and importing what a chapter imports, divided by the cores used, plus the
template's own build time. Everything runs on a copy of the project in a temporary folder, so the
working tree is never touched. Times are wall-clock seconds on this machine in this run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from compendium import paths
from compendium.book.build import build_book
from compendium.io import write_text_atomic

EXECUTING = "Executing notebook using"  # myst-nb's line for each kernel it starts
FAILED = "Executing notebook failed"  # and for each notebook whose execution raised
COPY_IGNORE = shutil.ignore_patterns("_build", ".venv", "runs", ".git", "*.egg-info", "__pycache__", ".*cache*")
PROSE_EDIT = ("This chapter explains how", "This chapter sets out how")
TARGETS = {
    "clean_build_vs_floor": 1.3,
    "clean_build_vs_template": 3.0,
    "no_change_rebuild_vs_template": 1.5,
    "runner_2_jobs_vs_1_job": 0.65,
}
TEST_TARGETS = {"test_fast": 30.0, "test": 120.0}  # seconds


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    """Run ``command``; return its wall time and output, or raise with the output if it fails."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{(result.stdout + result.stderr)[-4000:]}")
    return seconds, result.stdout + result.stderr


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def importing_chapters(root: Path) -> dict[str, list[str]]:
    """Return, for each package module file (relative to ``root``), the chapters whose code imports it."""
    from compendium.book.cachekey import code_cells, imported_names, module_closure
    from compendium.book.params import toc_chapters

    users: dict[str, list[str]] = {}
    for name, source in toc_chapters(root).items():
        names = set().union(*(imported_names(c) for c in code_cells(source.read_text(encoding="utf-8"))))
        for path in module_closure(names, root / "src"):
            users.setdefault(path.relative_to(root).as_posix(), []).append(name)
    return users


def module_to_edit(users: dict[str, list[str]]) -> tuple[str, list[str]]:
    """Return the non-package module imported by the fewest chapters (at least one), and those chapters."""
    modules = [(len(c), m) for m, c in users.items() if not m.endswith("__init__.py")]
    _, module = min(modules)
    return module, users[module]


def import_cells(source: Path) -> list[str]:
    """Return the chapter's code cells that only import (what a kernel pays for before any analysis)."""
    import ast

    from compendium.book.cachekey import code_cells

    def only_imports(code: str) -> bool:
        body = ast.parse(code).body
        return bool(body) and all(isinstance(node, (ast.Import, ast.ImportFrom)) for node in body)

    return [c for c in code_cells(source.read_text(encoding="utf-8")) if only_imports(c)]


def kernel_floor(root: Path) -> dict:
    """Measure, chapter by chapter and one at a time, a kernel's start plus the chapter's imports."""
    import nbformat
    from nbclient import NotebookClient

    from compendium.book.kernels import Kernels
    from compendium.book.params import toc_chapters

    per_chapter = {}
    with Kernels() as kernels:  # the kernels the build uses
        for name, source in toc_chapters(root).items():
            nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in import_cells(source)])
            nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
            start = time.perf_counter()
            NotebookClient(nb, timeout=600, kernel_name="python3", kernel_manager_class=kernels.manager_class(),
                           resources={"metadata": {"path": str(source.parent)}}).execute()
            per_chapter[name] = round(time.perf_counter() - start, 2)
    return {"per_chapter": per_chapter, "seconds": round(sum(per_chapter.values()), 2)}


def bench_project(work: Path) -> dict[str, dict]:
    """Time a clean build, a no-change rebuild, a prose-only rebuild and a one-module edit of a copy of the book."""
    root = work / "book"
    shutil.copytree(paths.ROOT, root, ignore=COPY_IGNORE)
    results = {}
    for label in ("clean_build", "no_change_rebuild", "prose_edit_rebuild", "module_edit_rebuild"):
        if label == "prose_edit_rebuild":
            page = root / "chapters" / "methods.md"
            page.write_text(page.read_text(encoding="utf-8").replace(*PROSE_EDIT), encoding="utf-8")
        if label == "module_edit_rebuild":
            module, chapters = module_to_edit(importing_chapters(root))
            with (root / module).open("a", encoding="utf-8") as fh:
                fh.write("\n# an edit for the benchmark\n")
        say(f"book: {label.replace('_', ' ')} ...")
        start = time.perf_counter()
        result = build_book(root, capture=True)  # exactly what `make book` runs
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(f"building {root} failed:\n{(result.stdout + result.stderr)[-4000:]}")
        kernels = result.prefilled + (result.stdout + result.stderr).count(EXECUTING)
        results[label] = {"seconds": round(seconds, 2), "kernels_started": kernels}
        if label == "module_edit_rebuild":
            results[label] |= {"module": module, "chapters_importing_it": len(chapters)}
    say("book: kernel start plus each chapter's imports, one chapter at a time ...")
    results["kernel_floor"] = kernel_floor(root)
    return results


def bench_tests() -> dict[str, dict]:
    """Time `make test-fast` and `make test` (the fast lane and the whole suite) in the project itself."""
    results = {}
    for label, marker in (("test_fast", ["-m", "not chapters"]), ("test", [])):
        say(f"tests: {label.replace('_', '-')} ...")
        seconds, _ = timed([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *marker], paths.ROOT)
        results[label] = {"seconds": round(seconds, 2), "target": TEST_TARGETS[label],
                          "met": seconds <= TEST_TARGETS[label]}
    return results


def bench_template(work: Path) -> dict[str, dict]:
    """Time a clean build and a no-change rebuild of the stock `jupyter-book create` book."""
    jb = str(Path(sys.executable).with_name("jupyter-book"))
    template = work / "template"
    subprocess.run([jb, "create", str(template)], check=True, capture_output=True)
    results = {}
    for label in ("clean_build", "no_change_rebuild"):
        say(f"template: {label.replace('_', ' ')} ...")
        seconds, log = timed([jb, "build", str(template)], template)
        # the stock notebooks.ipynb needs matplotlib, which Jupyter Book does not install: counted, not hidden
        results[label] = {"seconds": round(seconds, 2), "kernels_started": log.count(EXECUTING),
                          "notebooks_failed": log.count(FAILED)}
    return results


def bench_runner(work: Path) -> dict[str, dict]:
    """Time the runner over every chapter with one job and with two."""
    results = {}
    for jobs in (1, 2):
        say(f"runner: all chapters, {jobs} job(s) ...")
        runs = work / f"runs-{jobs}"
        seconds, _ = timed(
            [sys.executable, "-m", "compendium", "run", "--all", "--jobs", str(jobs), "--runs-dir", str(runs), "--no-progress"],
            paths.ROOT,
        )
        results[f"{jobs}_job{'s' if jobs > 1 else ''}"] = {"seconds": round(seconds, 2)}
    return results


def floor_seconds(report: dict) -> float:
    """Return the stock-kernel floor: chapters x kernel-and-imports cost / cores used + the template's build."""
    cores = max(1, min(report["machine"]["cpus"] or 1, report["machine"]["jobs"]))
    return report["book"]["kernel_floor"]["seconds"] / cores + report["template"]["clean_build"]["seconds"]


def ratios(report: dict) -> dict[str, dict]:
    """Return each measured ratio with its target and whether it is met."""
    book, template, runner = report["book"], report["template"], report["runner"]
    measured = {
        "clean_build_vs_floor": book["clean_build"]["seconds"] / floor_seconds(report),
        "clean_build_vs_template": book["clean_build"]["seconds"] / template["clean_build"]["seconds"],
        "no_change_rebuild_vs_template": book["no_change_rebuild"]["seconds"] / template["no_change_rebuild"]["seconds"],
        "runner_2_jobs_vs_1_job": runner["2_jobs"]["seconds"] / runner["1_job"]["seconds"],
    }
    return {k: {"ratio": round(v, 2), "target": TARGETS[k], "met": v <= TARGETS[k]} for k, v in measured.items()}


def table(report: dict) -> str:
    """Return the report as a plain-text table."""
    lines = [f"{'measurement':<40} {'seconds':>8} {'kernels':>8}"]
    for group in ("book", "template", "runner", "tests"):
        for label, row in report.get(group, {}).items():
            kernels = row.get("kernels_started", "")
            lines.append(f"{group + ': ' + label.replace('_', ' '):<40} {row['seconds']:>8.2f} {kernels!s:>8}")
    lines.append("")
    lines.append(f"{'ratio':<40} {'value':>8} {'target':>8}  met")
    for label, row in report["ratios"].items():
        lines.append(f"{label.replace('_', ' '):<40} {row['ratio']:>8.2f} {'≤' + str(row['target']):>8}  {'yes' if row['met'] else 'NO'}")
    lines.append(f"{'stock-kernel floor':<40} {floor_seconds(report):>8.2f}")
    extra = report["book"]["no_change_rebuild"]["kernels_started"]
    lines.append(f"kernels started by the no-change rebuild: {extra} (target 0)")
    edit = report["book"]["module_edit_rebuild"]
    lines.append(f"kernels started after editing {edit['module']}: {edit['kernels_started']} "
                 f"(chapters importing it: {edit['chapters_importing_it']})")
    for label, row in report.get("tests", {}).items():
        lines.append(f"{'make ' + label.replace('_', '-'):<40} {row['seconds']:>8.2f} {'≤' + str(row['target']):>8}  "
                     f"{'yes' if row['met'] else 'NO'}")
    failed = report["template"]["clean_build"].get("notebooks_failed", 0)
    if failed:
        lines.append(f"template notebooks whose execution failed: {failed} (the stock notebooks.ipynb imports "
                     "matplotlib, which Jupyter Book does not install)")
    return "\n".join(lines)


def run_benchmark(out: Path = paths.BUILD_DIR / "bench" / "bench.json", tests: bool = True) -> dict:
    """Run every measurement, print the table, save the JSON report to ``out``; return the report."""
    from compendium.book.build import DEFAULT_JOBS

    with tempfile.TemporaryDirectory(prefix="compendium-bench-") as tmp:
        work = Path(tmp)
        report = {
            "machine": {"cpus": os.cpu_count(), "jobs": DEFAULT_JOBS, "python": sys.version.split()[0]},
            "template": bench_template(work),
            "book": bench_project(work),
            "runner": bench_runner(work),
        }
    if tests:
        report["tests"] = bench_tests()
    report["ratios"] = ratios(report)
    print(table(report))
    write_text_atomic(out, json.dumps(report, indent=2) + "\n")
    print(f"saved {out}")
    return report
