"""Benchmark of builds and reruns, against the stock `jupyter-book create` template (`make bench`).

Everything runs on a copy of the project in a temporary folder, so the working tree is never
touched. Times are wall-clock seconds on this machine in this run; ratios compare like with like.
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
    "clean_build_vs_template": 3.0,
    "no_change_rebuild_vs_template": 1.5,
    "runner_2_jobs_vs_1_job": 0.65,
}


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


def bench_project(work: Path) -> dict[str, dict]:
    """Time a clean build, a no-change rebuild and a prose-only rebuild of a copy of the book."""
    root = work / "book"
    shutil.copytree(paths.ROOT, root, ignore=COPY_IGNORE)
    results = {}
    for label in ("clean_build", "no_change_rebuild", "prose_edit_rebuild"):
        if label == "prose_edit_rebuild":
            page = root / "chapters" / "methods.md"
            page.write_text(page.read_text(encoding="utf-8").replace(*PROSE_EDIT), encoding="utf-8")
        say(f"book: {label.replace('_', ' ')} ...")
        start = time.perf_counter()
        result = build_book(root, capture=True)  # exactly what `make book` runs
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(f"building {root} failed:\n{(result.stdout + result.stderr)[-4000:]}")
        kernels = result.prefilled + (result.stdout + result.stderr).count(EXECUTING)
        results[label] = {"seconds": round(seconds, 2), "kernels_started": kernels}
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


def ratios(report: dict) -> dict[str, dict]:
    """Return each measured ratio with its target and whether it is met."""
    book, template, runner = report["book"], report["template"], report["runner"]
    measured = {
        "clean_build_vs_template": book["clean_build"]["seconds"] / template["clean_build"]["seconds"],
        "no_change_rebuild_vs_template": book["no_change_rebuild"]["seconds"] / template["no_change_rebuild"]["seconds"],
        "runner_2_jobs_vs_1_job": runner["2_jobs"]["seconds"] / runner["1_job"]["seconds"],
    }
    return {k: {"ratio": round(v, 2), "target": TARGETS[k], "met": v <= TARGETS[k]} for k, v in measured.items()}


def table(report: dict) -> str:
    """Return the report as a plain-text table."""
    lines = [f"{'measurement':<40} {'seconds':>8} {'kernels':>8}"]
    for group in ("book", "template", "runner"):
        for label, row in report[group].items():
            kernels = row.get("kernels_started", "")
            lines.append(f"{group + ': ' + label.replace('_', ' '):<40} {row['seconds']:>8.2f} {kernels!s:>8}")
    lines.append("")
    lines.append(f"{'ratio':<40} {'value':>8} {'target':>8}  met")
    for label, row in report["ratios"].items():
        lines.append(f"{label.replace('_', ' '):<40} {row['ratio']:>8.2f} {'≤' + str(row['target']):>8}  {'yes' if row['met'] else 'NO'}")
    extra = report["book"]["no_change_rebuild"]["kernels_started"]
    lines.append(f"kernels started by the no-change rebuild: {extra} (target 0)")
    failed = report["template"]["clean_build"].get("notebooks_failed", 0)
    if failed:
        lines.append(f"template notebooks whose execution failed: {failed} (the stock notebooks.ipynb imports "
                     "matplotlib, which Jupyter Book does not install)")
    return "\n".join(lines)


def run_benchmark(out: Path = paths.BUILD_DIR / "bench" / "bench.json") -> dict:
    """Run every measurement, print the table, save the JSON report to ``out``; return the report."""
    with tempfile.TemporaryDirectory(prefix="compendium-bench-") as tmp:
        work = Path(tmp)
        report = {
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
            "template": bench_template(work),
            "book": bench_project(work),
            "runner": bench_runner(work),
        }
    report["ratios"] = ratios(report)
    print(table(report))
    write_text_atomic(out, json.dumps(report, indent=2) + "\n")
    print(f"saved {out}")
    return report
