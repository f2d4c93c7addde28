"""The results snapshot: every chapter's exported tables (CSV) and chart specs (Vega-Lite JSON),
committed under ``tests/snapshots/`` so that any change to the analysis shows as a readable diff.

Update it with ``python -m compendium snapshot`` (or ``make snapshot``) after a deliberate change.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from compendium import paths
from compendium.errors import CompendiumError
from compendium.io import write_text_atomic

SNAPSHOT_DIR = paths.ROOT / "tests" / "snapshots"
SNAPSHOT_GLOBS = ("tables/*.csv", "charts/*.vl.json")


def snapshot_files(run_folder: Path, chapter: str) -> dict[str, str]:
    """Return {``<chapter>/<tables|charts>/<file>``: text} for one run folder's exported results."""
    return {
        f"{chapter}/{path.relative_to(run_folder).as_posix()}": path.read_text(encoding="utf-8")
        for pattern in SNAPSHOT_GLOBS
        for path in sorted(run_folder.glob(pattern))
    }


def results_of(runs: list) -> dict[str, str]:
    """Return the snapshot files of every successful run in ``runs`` (runner.RunResult objects)."""
    failed = [r.chapter for r in runs if r.status != "ok"]
    if failed:
        raise CompendiumError(f"cannot snapshot: these chapters failed: {', '.join(failed)}")
    files: dict[str, str] = {}
    for run in runs:
        files |= snapshot_files(run.folder, run.chapter)
    return files


def committed_snapshot(folder: Path = SNAPSHOT_DIR) -> dict[str, str]:
    """Return the committed snapshot as {relative path: text}."""
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != "README.md"
    }


def write_snapshot(files: dict[str, str], folder: Path = SNAPSHOT_DIR) -> Path:
    """Replace the snapshot in ``folder`` with ``files``; keep its README; return the folder."""
    for child in folder.glob("*"):
        if child.is_dir():
            shutil.rmtree(child)
    for name, text in files.items():
        write_text_atomic(folder / name, text)
    return folder


def regenerate(jobs: int = 2) -> dict[str, str]:
    """Run every chapter with its default parameters in a temporary folder; return the snapshot files."""
    from compendium.book.runner import plan_runs, run_chapters

    with tempfile.TemporaryDirectory(prefix="compendium-snapshot-") as tmp:
        runs = run_chapters(plan_runs([], all_chapters=True), runs_dir=Path(tmp), jobs=jobs)
        return results_of(runs)
