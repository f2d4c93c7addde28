"""The layout command's pure parts: --widths, the report, the JSON, and its errors (no browser needed)."""

from __future__ import annotations

import json

import pytest

from compendium import paths
from compendium.book.layout import (
    DEFAULT_WIDTHS,
    LAYOUT_JSON,
    MIN_CELL_CH,
    SCREENS_DIR,
    LayoutError,
    PageLayout,
    Viewport,
    check_ready,
    format_report,
    parse_widths,
    progress_line,
    screen_name,
    write_json,
)
from compendium.cli import build_parser, main


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1280x1000", [Viewport(1280, 1000)]),
        ("1280x1000,390x844", [Viewport(1280, 1000), Viewport(390, 844)]),
        (" 390X844 , 1280 x 1000 ", [Viewport(390, 844), Viewport(1280, 1000)]),
        ("390\u00d7844", [Viewport(390, 844)]),
        ("390x844,390x844", [Viewport(390, 844)]),  # each width measured once
    ],
)
def test_widths_are_parsed_in_order(text, expected):
    assert parse_widths(text) == expected


def test_the_default_widths_are_a_laptop_and_a_phone():
    assert parse_widths(DEFAULT_WIDTHS) == [Viewport(1280, 1000), Viewport(390, 844)]
    assert str(Viewport(390, 844)) == "390x844"


@pytest.mark.parametrize(
    "text", ["", "1280", "1280x", "x1000", "1280x1000,", "0x844", "390x0", "-390x844", "1280*1000", "wide", "12.5x10"]
)
def test_malformed_widths_name_the_option_and_the_form(text):
    with pytest.raises(LayoutError) as info:
        parse_widths(text)
    message = str(info.value)
    assert "--widths" in message and "WIDTHxHEIGHT" in message and DEFAULT_WIDTHS in message


def _layout(page="chapters/a.html", viewport="1280x1000", **changes) -> PageLayout:
    values = dict(page=page, viewport=viewport, page_height=12345, scroll_width=1280, client_width=1280)
    return PageLayout(**{**values, **changes})


def _chart(id, svg, box, ellipsis=()):
    drawn = svg is not None
    return {"id": id, "drawn": drawn, "visible": True, "svg_width": svg, "container_width": box,
            "fits": drawn and svg <= box + 1, "ellipsis": [{"text": t, "role": r} for t, r in ellipsis]}


def _table(id, chars, text="x", column="c"):
    narrowest = None if chars is None else {"chars": chars, "width": 100, "text": text, "column": column}
    return {"id": id, "cells": 3, "narrowest": narrowest, "scrolls_in_box": False}


def test_a_page_layout_derives_its_verdicts():
    layout = _layout(
        scroll_width=1400,
        charts=[_chart("fits", 600, 672), _chart("wide", 800, 672, [("Protection of civ…", "axis-label")]),
                _chart("undrawn", None, 672, []), _chart("marks", 500, 672, [("opening words…", "mark")])],
        tables=[_table("t1", 14.2), _table("t2", 5.8, "✅", "Status"), _table("hidden", None)],
    )
    assert layout.sideways
    assert [c["id"] for c in layout.charts_not_fitting] == ["wide", "undrawn"]
    assert [t["text"] for t in layout.ellipsis_texts] == ["Protection of civ…", "opening words…"]
    # a text mark's ellipsis may be the data's own; an axis label's is Vega's cut
    assert layout.cut_labels == [{"chart": "wide", "text": "Protection of civ…", "role": "axis-label"}]
    assert layout.narrowest_cell == {"table": "t2", "chars": 5.8, "width": 100, "text": "✅", "column": "Status"}
    assert not _layout(tables=[_table("hidden", None)]).narrowest_cell
    assert not _layout(scroll_width=1280).sideways


def test_the_report_has_one_table_per_width_in_page_order():
    layouts = [
        _layout("chapters/b.html", "1280x1000", page_height=25812, tables=[_table("t", 11.4, "cluster-3/p7", "Passage")]),
        _layout("chapters/a.html", "1280x1000", page_height=900, tables=[_table("t", 30.0)]),
        _layout("chapters/c.html", "1280x1000", tables=[{**_table("wide-t", 20.0), "scrolls_in_box": True}]),
        _layout("chapters/b.html", "390x844", page_height=47399, scroll_width=738, client_width=390, wide_count=7,
                wide=[{"path": "div#chart-1 > div.vega-offline-view", "right": 738, "width": 714}],
                visible_code=[{"path": "div.cell_input", "text": "import pandas as pd"}],
                charts=[_chart("chart-1", 714, 342, [("Humanitarian costs and protracted cr…", "axis-label")])]),
    ]
    report = format_report(layouts)
    laptop, phone = report.split("\n\n")
    assert laptop.splitlines()[0] == "at 1280x1000:" and phone.splitlines()[0] == "at 390x844:"
    header = laptop.splitlines()[1]
    for column in ("page", "height px", "sideways", "visible code", "wide elements", "charts not fitting",
                   "ellipsis labels", "narrowest cell"):
        assert column in header
    rows = laptop.splitlines()[2:4]
    assert rows[0].split()[:3] == ["chapters/b.html", "25,812", "no"] and rows[0].endswith("11.4 ch <")
    assert rows[1].split()[:2] == ["chapters/a.html", "900"] and rows[1].endswith("30.0 ch")
    assert "narrowest cell: 11.4 ch in t, column 'Passage': 'cluster-3/p7'" in laptop
    assert "chapters/a.html:" not in laptop.split(rows[1])[1]  # nothing failed on a.html: no detail line
    assert "  chapters/c.html: table scrolls inside its box (not a failure): wide-t" in laptop
    phone_row = phone.splitlines()[2]
    assert phone_row.split()[:6] == ["chapters/b.html", "47,399", "yes", "1", "7", "1"]
    for detail in ("scrolls sideways: content 738 px in a 390 px window",
                   "visible code: div.cell_input: 'import pandas as pd'",
                   "wider than the window: div#chart-1 > div.vega-offline-view (right edge 738 px, 714 px wide)",
                   "... and 6 more wide elements",
                   "chart not fitting: chart-1 (svg 714 px in 342 px)",
                   "cut text (axis-label, chart-1): 'Humanitarian costs and protracted cr…'"):
        assert f"  chapters/b.html: {detail}" in phone


def test_the_report_without_details_is_only_the_tables():
    layout = _layout(scroll_width=2000, tables=[_table("t", 3.0)])
    assert len(format_report([layout], details=False).splitlines()) == 3


def test_json_holds_the_measurements_and_the_verdicts(tmp_path):
    layouts = [_layout(charts=[_chart("c", 800, 672)], tables=[_table("t", 9.5)]), _layout(viewport="390x844")]
    out = write_json(layouts, tmp_path / "layout" / "layout.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["viewports"] == ["1280x1000", "390x844"] and data["min_cell_ch"] == MIN_CELL_CH
    first = data["pages"][0]
    assert first["page_height"] == 12345 and first["sideways"] is False
    assert first["charts_not_fitting"] == ["c"] and first["narrowest_cell"]["chars"] == 9.5


def test_screenshot_and_progress_names():
    assert screen_name("chapters/methods.html", Viewport(390, 844)) == "methods-390.png"
    line = progress_line(_layout(scroll_width=1400))
    assert "1280x1000" in line and "chapters/a.html" in line and "12,345 px" in line and "sideways" in line


def test_the_command_line_defaults_are_the_module_s():
    args = build_parser().parse_args(["layout"])
    assert args.widths == DEFAULT_WIDTHS and args.screens is None and args.out == LAYOUT_JSON
    assert args.html_dir == paths.BUILD_DIR / "html"
    assert build_parser().parse_args(["layout", "--screens"]).screens == SCREENS_DIR
    assert str(build_parser().parse_args(["layout", "--screens", "shots"]).screens) == "shots"


def _tiny_book(root):
    (root / "_static").mkdir(parents=True)
    (root / "index.html").write_text('<meta http-equiv="refresh" content="0; url=a.html">')
    (root / "a.html").write_text("<p>a page</p>")
    return root


def _one_error(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), captured.err
    assert captured.out == ""
    return lines[0]


def test_no_built_book_exits_2_naming_the_folder(tmp_path, capsys):
    assert main(["layout", str(tmp_path / "html")]) == 2
    assert str(tmp_path / "html") in _one_error(capsys)
    stub = tmp_path / "stub"  # an index that only redirects, and no page to measure
    stub.mkdir()
    (stub / "index.html").write_text('<meta http-equiv="refresh" content="0; url=a.html">')
    with pytest.raises(LayoutError, match=f"no built book in {stub}"):
        check_ready(stub)


def test_no_chromium_exits_2_naming_where_it_looked(tmp_path, capsys, monkeypatch):
    book = _tiny_book(tmp_path / "html")
    monkeypatch.setenv("CHROMIUM", str(tmp_path / "no-chromium"))
    assert main(["layout", str(book), "--out", str(tmp_path / "layout.json")]) == 2
    message = _one_error(capsys)
    assert str(tmp_path / "no-chromium") in message and "CHROMIUM" in message
    assert not (tmp_path / "layout.json").exists()


def test_malformed_widths_exit_2_before_anything_else(tmp_path, capsys):
    assert main(["layout", str(tmp_path / "missing"), "--widths", "1280"]) == 2
    message = _one_error(capsys)
    assert "--widths" in message and "WIDTHxHEIGHT" in message and "missing" not in message
