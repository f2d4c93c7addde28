"""The one place that knows where the compendium's files live."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
RAW_DIR = DATA_DIR / "raw"
RAW_SOURCE = RAW_DIR / "meeting-summary.txt"
PASSAGES_CSV = DATA_DIR / "passages.csv"
DATAPACKAGE = DATA_DIR / "datapackage.json"
CHAPTERS_DIR = ROOT / "chapters"
RUNS_DIR = ROOT / "runs"
BUILD_DIR = ROOT / "_build"


def raw_source(data_dir: Path | str = DATA_DIR) -> Path:
    """Return the raw meeting-summary text file inside ``data_dir``."""
    return Path(data_dir) / "raw" / RAW_SOURCE.name


def resolve_data_dir(data_dir: Path | str) -> Path:
    """Return ``data_dir`` as an absolute path; a relative path is taken from the project root."""
    path = Path(data_dir).expanduser()
    return path if path.is_absolute() else ROOT / path
