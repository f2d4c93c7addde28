"""Shared fixtures: the parsed source and one build of the book per test session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import vl_convert as vlc

from compendium import paths
from compendium.book import runner
from compendium.analysis import survey_best_placed
from compendium.book.build import build_book
from compendium.data.tables import load_tables
from compendium.data.source import load_document
from compendium.charts.theme import enable_theme


# Fixtures that execute chapters; a test that uses one (directly or through another fixture) gets
# the "chapters" marker, so `make test-fast` (-m "not chapters") runs every other test.
EXECUTING_FIXTURES = {"book_build", "built_book", "default_runs", "default_run_cache", "executed_run", "batch"}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if EXECUTING_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.chapters)


@pytest.fixture(scope="session")
def document():
    """The parsed meeting summary from data/raw."""
    return load_document(paths.RAW_SOURCE)


@pytest.fixture(scope="session")
def book_build() -> subprocess.CompletedProcess | None:
    """Build the book once per session, exactly as `make book` does; None when reusing a build."""
    if os.environ.get("COMPENDIUM_REUSE_BUILD") and (paths.BUILD_DIR / "html" / "index.html").exists():
        return None  # a developer's shortcut; CI never sets it
    shutil.rmtree(paths.BUILD_DIR / "html", ignore_errors=True)
    result = build_book(capture=True)
    if result.returncode != 0:
        pytest.fail(f"book build failed (exit {result.returncode}):\n{(result.stdout + result.stderr)[-8000:]}")
    return result


@pytest.fixture(scope="session")
def built_book(book_build) -> Path:
    """The built HTML book, _build/html."""
    return paths.BUILD_DIR / "html"


@pytest.fixture(scope="session")
def default_run_cache(tmp_path_factory) -> dict[str, runner.RunResult]:
    """The session's default runs, by chapter: each chapter is run at most once per session."""
    return {"_folder": tmp_path_factory.mktemp("default-runs")}


def _default_runs(cache: dict, chapters: list[str]) -> list[runner.RunResult]:
    missing = [c for c in chapters if c not in cache]
    if missing:
        runs = runner.run_chapters(runner.plan_runs(missing), runs_dir=cache["_folder"], jobs=2, progress=False)
        cache.update({run.chapter: run for run in runs})
    failed = {c: cache[c].error for c in chapters if cache[c].status != "ok"}
    if failed:
        pytest.fail(f"chapters failed with default parameters: {failed}")
    return [cache[c] for c in chapters]


@pytest.fixture(scope="session")
def default_runs(default_run_cache):
    """Every chapter run once through the runner with its default parameters (two at a time)."""
    from compendium.book.params import toc_chapters

    return _default_runs(default_run_cache, list(toc_chapters()))


# -- shared by the tests of the chapter modules -------------------------------------------------


@pytest.fixture(scope="session")
def tables() -> dict[str, pd.DataFrame]:
    """The data package's tables from data/, loaded and validated once."""
    return load_tables(paths.DATA_DIR)


@pytest.fixture(scope="session")
def best_placed(document, tables) -> pd.DataFrame:
    """The Annex A table joined to issue ids: one row per (issue, best-placed actor)."""
    return survey_best_placed(document, tables["issues"])


@pytest.fixture(scope="session")
def theme() -> str:
    """The book's theme and display settings, as every chapter enables them."""
    return enable_theme()


def chart_spec(chart) -> dict:
    """Return the chart's Vega-Lite spec once it validates, renders to SVG and describes itself."""
    spec = chart.to_dict()  # validates against the Vega-Lite schema
    assert vlc.vegalite_to_svg(spec).startswith("<svg")
    assert spec.get("description", "").strip(), "the renderer needs a one-sentence description"
    return spec


def title_text(spec: dict) -> str:
    """Return a spec's title as one line, whether the top level or its first layer carries it."""
    title = spec.get("title") or spec["layer"][0].get("title")
    text = title["text"] if isinstance(title, dict) else title
    return " ".join(text) if isinstance(text, list) else text


def tooltip_fields(spec: dict) -> set[str]:
    """Return every field named in a tooltip anywhere in a Vega-Lite spec (top level, layers, facets)."""
    found: set[str] = set()

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("tooltip"), list):
                found.update(t["field"] for t in node["tooltip"] if isinstance(t, dict) and "field" in t)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def spec_rows(spec: dict) -> pd.DataFrame:
    """Return the rows of the dataset a chart (or every layer of a layered chart) draws."""
    return pd.DataFrame(spec["datasets"][spec["data"]["name"]])


def spec_dataset(spec: dict, column: str) -> pd.DataFrame:
    """Return the one dataset of a (concatenated) chart that has ``column``."""
    (rows,) = [pd.DataFrame(d) for d in spec["datasets"].values() if d and column in d[0]]
    return rows


def exported_spec(folder: Path, name: str) -> dict:
    """Return the Vega-Lite spec a chapter run exported as charts/<name>.vl.json."""
    return json.loads((folder / "charts" / f"{name}.vl.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def executed_run(default_run_cache):
    """Return a function giving the default run of one chapter (a runner.RunResult); a chapter is run
    the first time a test asks for it, and only that chapter."""
    return lambda chapter: _default_runs(default_run_cache, [chapter])[0]


def run_plans(runs_dir: Path, jobs: int = 2, **plans: list[runner.ChapterRun]) -> dict[str, runner.RunResult]:
    """Run each named plan of one chapter run (runner.plan_runs) in ``runs_dir``; return the results by name."""
    results = runner.run_chapters([run for plan in plans.values() for run in plan], runs_dir=runs_dir, jobs=jobs,
                                  progress=False)
    return dict(zip(plans, results, strict=True))
