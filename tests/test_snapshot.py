"""The committed results snapshot matches a fresh run, and reruns are reproducible to the byte."""

from __future__ import annotations

import difflib

import pytest

from compendium.book.runner import plan_runs, run_chapters
from compendium.book.snapshot import SNAPSHOT_DIR, committed_snapshot, results_of

# Files of a run folder whose bytes legitimately differ between two identical runs, and why:
NOT_COMPARED = {
    "run.json": "records start/finish times and durations",
    "kernel.log": "the kernel's own start-up notices (ports, timestamps)",
}
# The executed notebook is compared after removing these notebook fields: execution timestamps
# and durations that papermill and nbclient write into metadata, and the run folder's own path,
# which the runner injects as output_dir (each run has its own folder).
VOLATILE_NOTEBOOK_METADATA = ("papermill", "execution")


def unified(name: str, expected: str, actual: str) -> str:
    diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), f"snapshot/{name}", f"fresh/{name}", lineterm="", n=1)
    return "\n".join(list(diff)[:40])


def test_snapshot_matches_a_fresh_run_of_every_chapter(default_runs):
    fresh, committed = results_of(default_runs), committed_snapshot()
    assert committed, f"no snapshot committed in {SNAPSHOT_DIR}: run `make snapshot`"
    missing, extra = sorted(set(committed) - set(fresh)), sorted(set(fresh) - set(committed))
    changed = [n for n in sorted(set(fresh) & set(committed)) if fresh[n] != committed[n]]
    report = [f"no longer produced: {missing}" if missing else "", f"new, not in the snapshot: {extra}" if extra else ""]
    report += [unified(n, committed[n], fresh[n]) for n in changed[:5]]
    assert not (missing or extra or changed), (
        "the analysis output differs from tests/snapshots; if the change is deliberate run `make snapshot` "
        "and review `git diff -- tests/snapshots`\n" + "\n".join(r for r in report if r)
    )


def test_snapshot_holds_tables_and_chart_specs_of_every_chapter(default_runs):
    committed = committed_snapshot()
    for run in default_runs:
        files = [n for n in committed if n.startswith(f"{run.chapter}/")]
        assert any("/tables/" in n for n in files), f"{run.chapter}: no table in the snapshot"
    assert sum("/charts/" in n for n in committed) >= 3 * 5  # at least three charts in each of the five analysis chapters


def normalised_notebook(path) -> str:
    import nbformat

    text = path.read_text(encoding="utf-8").replace(str(path.parent), "<run folder>")
    nb = nbformat.reads(text, as_version=4)
    for key in VOLATILE_NOTEBOOK_METADATA:
        nb.metadata.pop(key, None)
    for cell in nb.cells:
        for key in VOLATILE_NOTEBOOK_METADATA:
            cell.metadata.pop(key, None)
    return nbformat.writes(nb)


@pytest.mark.parametrize("jobs", [2])
def test_two_runs_with_the_same_parameters_give_identical_outputs(default_runs, tmp_path, jobs):
    again = run_chapters(plan_runs([], all_chapters=True), runs_dir=tmp_path, jobs=jobs, progress=False)
    for first, second in zip(default_runs, again):
        assert second.status == "ok", second.error
        a, b = first.record["outputs"], second.record["outputs"]
        notebook = f"{first.chapter}.ipynb"
        compared = {k for k in a if k not in NOT_COMPARED and k != notebook}
        assert set(a) == set(b), f"{first.chapter}: different files"
        differing = sorted(k for k in compared if a[k] != b[k])
        assert not differing, f"{first.chapter}: outputs differ between identical runs: {differing}"
        assert normalised_notebook(first.folder / notebook) == normalised_notebook(second.folder / notebook)
