"""Publishing a chapter's results: glue them into the book and, on a rerun, export them to files.

A chapter makes one ``Publisher(output_dir)`` from its parameters. Every chart, table and
number it shows goes through it, so the book's glued values and a run's exported files
come from the same objects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from compendium.io import write_bytes_atomic, write_csv_atomic, write_text_atomic, writable_folder
from compendium.paths import resolve_data_dir


def export_chart(chart: alt.TopLevelMixin, stem: Path) -> list[Path]:
    """Write ``chart`` as Vega-Lite JSON, SVG and PNG next to ``stem``; return the paths."""
    import vl_convert as vlc

    from compendium.book.render import VL_VERSION, render_svg

    spec = chart.to_dict()
    json_path = write_text_atomic(stem.with_suffix(".vl.json"), json.dumps(spec, indent=2, sort_keys=True) + "\n")
    svg_path = write_text_atomic(stem.with_suffix(".svg"), render_svg(spec))
    png_path = write_bytes_atomic(stem.with_suffix(".png"), vlc.vegalite_to_png(spec, scale=2, vl_version=VL_VERSION))
    return [json_path, svg_path, png_path]


class Publisher:
    """Glue a chapter's charts, tables and numbers; export them when an output folder is set."""

    def __init__(self, output_dir: str | Path = ""):
        from compendium.book.render import enable_offline_renderer
        from compendium.charts.theme import enable_theme

        enable_theme()
        # the default renderer loads Vega from another host; ours uses the book's own bundle
        enable_offline_renderer()
        # tables in the book are shown whole: no "..." rows or clipped quotes
        pd.set_option("display.max_rows", 500)
        pd.set_option("display.max_colwidth", None)
        self.output_dir = resolve_data_dir(output_dir) if str(output_dir) else None
        if self.output_dir is not None:
            # one message naming the folder and why, before anything is exported
            writable_folder(self.output_dir, "the export folder")
        self.names: list[str] = []

    def _claim(self, name: str) -> None:
        if name in self.names:
            raise ValueError(f"'{name}' is published twice in this chapter; names must be unique")
        self.names.append(name)

    def chart(self, name: str, chart: alt.TopLevelMixin) -> None:
        """Glue ``chart`` under ``name`` for a {glue:figure} and export it; show nothing here."""
        from myst_nb import glue

        self._claim(name)
        glue(name, chart, display=False)
        if self.output_dir is not None:
            export_chart(chart, self.output_dir / "charts" / name)

    def table(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        """Export ``frame`` as CSV under ``name`` when rerun; return it for display."""
        self._claim(name)
        if self.output_dir is not None:
            write_csv_atomic(frame, self.output_dir / "tables" / f"{name}.csv")
        return frame

    def numbers(self, values: dict[str, Any]) -> dict[str, Any]:
        """Glue every value of a section's ``{name: value}`` dict (the numbers its prose cites); return the dict."""
        for name, value in values.items():
            self.number(name, value)
        return values

    def number(self, name: str, value: Any) -> Any:
        """Glue a value used in the prose (e.g. a count) under ``name``; return it."""
        from myst_nb import glue

        self._claim(name)
        glue(name, value, display=False)
        return value
