"""The benchmark's arithmetic and report (the timings themselves are `make bench`, not a test)."""

from __future__ import annotations

from compendium.book.bench import EXECUTING, FAILED, floor_seconds, import_cells, module_to_edit, ratios, table

REPORT = {
    "machine": {"cpus": 2, "jobs": 3},
    "template": {"clean_build": {"seconds": 2.0, "kernels_started": 2, "notebooks_failed": 1},
                 "no_change_rebuild": {"seconds": 1.0, "kernels_started": 0, "notebooks_failed": 0}},
    "book": {"clean_build": {"seconds": 7.0, "kernels_started": 7},
             "no_change_rebuild": {"seconds": 1.6, "kernels_started": 0},
             "prose_edit_rebuild": {"seconds": 1.7, "kernels_started": 0},
             "module_edit_rebuild": {"seconds": 3.0, "kernels_started": 1, "module": "src/m.py",
                                     "chapters_importing_it": 1},
             "kernel_floor": {"per_chapter": {"a": 3.0, "b": 3.0}, "seconds": 6.0}},
    "runner": {"1_job": {"seconds": 20.0}, "2_jobs": {"seconds": 12.0}},
}


def test_ratios_are_measured_against_their_targets():
    got = ratios(REPORT)
    assert floor_seconds(REPORT) == 6.0 / 2 + 2.0  # two cores used of three jobs
    assert got["clean_build_vs_floor"] == {"ratio": 1.4, "target": 1.3, "met": False}
    assert got["clean_build_vs_template"] == {"ratio": 3.5, "target": 3.0, "met": False}
    assert got["no_change_rebuild_vs_template"] == {"ratio": 1.6, "target": 1.5, "met": False}
    assert got["runner_2_jobs_vs_1_job"] == {"ratio": 0.6, "target": 0.65, "met": True}


def test_table_shows_every_measurement_and_what_failed():
    text = table({**REPORT, "ratios": ratios(REPORT)})
    assert "book: clean build" in text and "runner: 2 jobs" in text
    assert text.count(" NO") == 3 and text.count(" yes") == 1
    assert "kernels started after editing src/m.py: 1 (chapters importing it: 1)" in text
    assert "template notebooks whose execution failed: 1" in text


def test_kernel_count_reads_myst_nb_log_lines():
    log = ("/t/a.md: Executing notebook using local CWD [mystnb]\n/t/a.md: Executed notebook in 0.5 seconds\n"
           "/t/b.ipynb: Executing notebook using local CWD [mystnb]\n"
           "/t/b.ipynb: WARNING: Executing notebook failed: CellExecutionError [mystnb.exec]\n")
    assert log.count(EXECUTING) == 2 and log.count(FAILED) == 1


def test_the_module_to_edit_is_the_one_fewest_chapters_import():
    users = {"src/c/__init__.py": ["a"], "src/c/shared.py": ["a", "b"], "src/c/one.py": ["b"]}
    assert module_to_edit(users) == ("src/c/one.py", ["b"])


def test_import_cells_are_the_cells_that_only_import(tmp_path):
    chapter = tmp_path / "c.md"
    chapter.write_text("---\nkernelspec: {name: python3}\n---\n```{code-cell} ipython3\n:tags: [remove-input]\n"
                       "import pandas as pd\nfrom compendium import paths\n```\n\n```{code-cell} ipython3\n"
                       "import json\nx = json.dumps(1)\n```\n")
    assert import_cells(chapter) == ["import pandas as pd\nfrom compendium import paths"]
