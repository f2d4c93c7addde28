"""Offline, accessible Altair charts for the built book.

Each chart becomes one self-contained HTML fragment: the Vega-Lite spec, a static
SVG fallback, its one-sentence description and a CSV download link. The fragment
draws itself with the global ``vegaEmbed`` from one shared bundle that the book
serves from its own ``_static`` folder, so no page reaches another host.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import math
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote

import altair as alt

from compendium.book.bundle import BUNDLE_NAME, write_vega_bundle  # noqa: F401  (part of this module's interface)

# vl-convert ships several Vega-Lite versions; pick the one Altair writes specs for.
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


# An id the SVG defines or refers to: id="x", url(#x), href="#x" (and xlink:href="#x").
_ID_USE = re.compile(r'(\sid="|url\(#|href="#)([^")]+)')


def render_svg(spec: Mapping[str, Any]) -> str:
    """Return the chart's static SVG, rendered by vl-convert (imported here: only charts need it)."""
    import vl_convert

    return canonical_ids(vl_convert.vegalite_to_svg(dict(spec), vl_version=VL_VERSION))


def canonical_ids(svg: str) -> str:
    """Return the SVG with its own ids (gradients, clip paths) numbered from 0 in order of appearance.

    vl-convert numbers them across every chart one process renders, so without this the same
    chart's SVG would depend on what the process drew before it."""
    defined = list(dict.fromkeys(m[2] for m in _ID_USE.finditer(svg) if m[1].endswith('id="')))
    if not defined:
        return svg
    counts: dict[str, int] = {}
    mapping = {}
    for old in defined:
        stem = re.sub(r"\d+$", "", old) or "id"
        mapping[old] = f"{stem}{counts.setdefault(stem, 0)}"
        counts[stem] += 1
    return _ID_USE.sub(lambda m: m[1] + mapping.get(m[2], m[2]), svg)


RENDERER_NAME = "offline"
# svg keeps text selectable and lets the browser tests count marks; actions are off
# because the menu's "Open in Vega Editor" link leaves the book and its <details>
# widget adds nothing the CSV link does not already give.
DEFAULT_EMBED_OPTIONS: dict[str, Any] = {"renderer": "svg", "actions": False}

# Characters left as they are in data: URIs. Percent-encoding everything would
# triple the size of an SVG; the browser accepts these raw. '&' and '#' always stay
# encoded, and so does the quote that delimits the attribute the URI sits in, so
# no HTML escaping is needed on top.
_URI_SAFE = " !$()*+,-./:;=?@[]_~<>{}|^`"
_CSV_URI_SAFE = _URI_SAFE + "'"  # goes in href="..."
_SVG_URI_SAFE = _URI_SAFE + '"'  # goes in src='...': SVG is full of double quotes
# Inside an <img> the SVG's own ARIA tree, classes and pointer hints are never
# read (the img's alt is), and per-mark aria-labels are a third of its bytes.
_SVG_UNREAD_ATTRS = re.compile(r' (?:aria-[a-z]+|role|class|pointer-events)="[^"]*"')


def chart_id(spec: Mapping[str, Any]) -> str:
    """Return an HTML id for the chart: its ``name`` if given, else a hash of the spec."""
    name = spec.get("name")
    if isinstance(name, str) and name:
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")
        if slug:
            return f"chart-{slug}"
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return "chart-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:12]


def chart_datasets(spec: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Return every inline dataset in the spec, keyed by dataset name."""
    found: dict[str, list[dict[str, Any]]] = {}
    for name, rows in (spec.get("datasets") or {}).items():
        found[str(name)] = list(rows)
    for i, rows in enumerate(_inline_values(spec)):
        found.setdefault(f"values-{i + 1}", rows)
    return found


def _inline_values(node: Any) -> Iterator[list[dict[str, Any]]]:
    # Charts built with data transformers other than Altair's default keep their
    # rows in nested ``data: {values: [...]}`` blocks instead of top-level datasets.
    if isinstance(node, Mapping):
        data = node.get("data")
        if isinstance(data, Mapping) and isinstance(data.get("values"), list):
            yield [row if isinstance(row, Mapping) else {"data": row} for row in data["values"]]
        for key, value in node.items():
            if key not in ("data", "datasets"):
                yield from _inline_values(value)
    elif isinstance(node, list):
        for item in node:
            yield from _inline_values(item)


def records_to_csv(rows: list[Mapping[str, Any]]) -> str:
    """Return the rows as CSV text, columns in order of first appearance."""
    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _csv_cell(v) for k, v in row.items()})
    return out.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def csv_data_uri(rows: list[Mapping[str, Any]]) -> str:
    """Return a ``data:text/csv`` URI holding the rows as CSV."""
    return "data:text/csv;charset=utf-8," + quote(records_to_csv(rows), safe=_CSV_URI_SAFE)


def svg_data_uri(svg: str) -> str:
    """Return a ``data:image/svg+xml`` URI holding the SVG, for a single-quoted attribute."""
    # An <img> isolates the fallback: inline SVGs on one page would share ids
    # such as clip paths, and the img's alt text carries the description.
    slim = _SVG_UNREAD_ATTRS.sub("", svg)
    return "data:image/svg+xml;charset=utf-8," + quote(slim, safe=_SVG_URI_SAFE)


def chart_description(spec: Mapping[str, Any]) -> str:
    """Return the chart's one-sentence description; raise ValueError if it has none."""
    description = spec.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ValueError(
            "chart has no description: add .properties(description='One sentence "
            "saying what the chart shows.') so screen readers can announce it"
        )
    return " ".join(description.split())


def _title_text(spec: Mapping[str, Any]) -> str:
    title = spec.get("title")
    if not title:
        # A layered or concatenated chart often carries its title on the first part.
        for key in ("layer", "hconcat", "vconcat", "concat"):
            parts = spec.get(key)
            if isinstance(parts, list) and parts and isinstance(parts[0], Mapping):
                return _title_text(parts[0])
        return ""
    return " ".join(_title_parts(title)[0])


def json_safe(value: Any) -> Any:
    """Return ``value`` with every float that JSON cannot hold (NaN, infinity: a missing value in a
    DataFrame) replaced by null, as Vega reads a missing value."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value


def _json_for_script(value: Any) -> str:
    # Escaping <, > and & inside JSON strings keeps "</script>" in the data from
    # closing the script element; JSON.parse reads the escapes back unchanged.
    text = json.dumps(json_safe(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _download_links(cid: str, spec: Mapping[str, Any]) -> str:
    datasets = chart_datasets(spec)
    title = _title_text(spec)
    what = f"“{title}”" if title else "this chart"
    links = []
    for i, (name, rows) in enumerate(datasets.items(), start=1):
        suffix = f"-{i}" if len(datasets) > 1 else ""
        part = f"table {i} of {len(datasets)}, " if len(datasets) > 1 else ""
        size = f"{len(rows)} row{'' if len(rows) == 1 else 's'}"
        # short visible text; the accessible name says which chart the data belong to
        visible = f"Download data ({part}CSV, {size})"
        label = f"Download the data behind {what} ({part}CSV, {size})"
        links.append(
            f'<a class="vega-offline-csv" download="{cid}{suffix}.csv" '
            f'data-dataset="{html.escape(name)}" aria-label="{html.escape(label)}" '
            f'href="{csv_data_uri(rows)}">{html.escape(visible)}</a>'
        )
    if not links:
        return ""
    return '<p class="vega-offline-downloads">' + " · ".join(links) + "</p>"


def _title_parts(title: Any) -> tuple[list[str], list[str]]:
    """Return (title lines, subtitle lines) of a Vega-Lite title: a string, a list, or {text, subtitle}."""
    def lines(value: Any) -> list[str]:
        if not value:
            return []
        return [" ".join(str(v).split()) for v in (value if isinstance(value, list) else [value]) if str(v).strip()]

    if isinstance(title, Mapping):
        return lines(title.get("text")), lines(title.get("subtitle"))
    return lines(title), []


def page_spec(spec: Mapping[str, Any]) -> tuple[dict[str, Any], list[str], list[str]]:
    """Return (the spec as the page draws it, title lines, subtitle lines).

    The title leaves the drawing for the page's own text, which wraps at any width, between the
    title's lines first (each line is a phrase); a chart that is one view or one layered view with a
    fixed width takes the width of its container instead, so it fills the text column and narrows on
    a phone. Concatenated and faceted charts keep their widths."""
    page = dict(spec)
    title = page.pop("title", None)
    if isinstance(page.get("layer"), list):
        # a layered chart may carry its title on several layers (each layer of a titled chart keeps it)
        layers = [dict(part) if isinstance(part, Mapping) else part for part in page["layer"]]
        for part in layers:
            if isinstance(part, dict) and "title" in part:
                found = part.pop("title")
                title = title or found
        page["layer"] = layers
    lines, subtitle = _title_parts(title)
    single = not any(key in page for key in ("hconcat", "vconcat", "concat", "facet", "repeat"))
    if single and isinstance(page.get("width"), (int, float)):
        page["width"] = "container"
    return _wrap_legend_labels(page), lines, subtitle


# A legend label over LEGEND_LINE characters breaks into lines at spaces, so a legend fits a phone's
# column instead of running past the chart's edge (Vega cannot shrink a legend to fit).
LEGEND_LINE = 22
LEGEND_LABEL_EXPR = (f"length(datum.label) > {LEGEND_LINE} ? "
                     f"split(trim(replace(datum.label, regexp('(.{{6,{LEGEND_LINE}}})( |$)', 'g'), '$1\\n')), '\\n') "
                     ": datum.label")
_LEGEND_CHANNELS = ("color", "fill", "stroke", "opacity", "fillOpacity", "strokeOpacity", "shape", "size",
                    "strokeDash", "strokeWidth")


def _wrap_legend_labels(node: Any) -> Any:
    """Return the spec with LEGEND_LABEL_EXPR on every legend that sets no label expression of its own."""
    if isinstance(node, list):
        return [_wrap_legend_labels(part) for part in node]
    if not isinstance(node, Mapping):
        return node
    out = {key: _wrap_legend_labels(value) if key in ("layer", "hconcat", "vconcat", "concat", "spec") else value
           for key, value in node.items()}
    encoding = out.get("encoding")
    if isinstance(encoding, Mapping):
        channels = dict(encoding)
        for channel in _LEGEND_CHANNELS:
            definition = channels.get(channel)
            if isinstance(definition, Mapping) and "field" in definition and definition.get("legend", {}) is not None:
                legend = dict(definition.get("legend") or {})
                legend.setdefault("labelExpr", LEGEND_LABEL_EXPR)
                channels[channel] = {**definition, "legend": legend}
        out["encoding"] = channels
    return out


def static_spec(page: Mapping[str, Any], spec: Mapping[str, Any]) -> dict[str, Any]:
    """Return the page's spec with the chart's own fixed width back, for the static SVG (no container there)."""
    return {**page, "width": spec["width"]} if page.get("width") == "container" else dict(page)


def _title_html(lines: list[str], subtitle: list[str]) -> str:
    if not lines and not subtitle:
        return ""
    phrases = " ".join(f'<span class="phrase">{html.escape(line)}</span>' for line in lines)
    sub = " ".join(f'<span class="phrase">{html.escape(line)}</span>' for line in subtitle)
    sub_html = f'<span class="vega-offline-subtitle">{sub}</span>' if sub else ""
    return f'<p class="vega-offline-title">{phrases}{sub_html}</p>'


def offline_html(spec: Mapping[str, Any], embed_options: Mapping[str, Any] | None = None) -> str:
    """Return the chart's HTML fragment: its title as text, the spec as the page draws it (page_spec),
    an SVG fallback, the description and CSV links."""
    description = chart_description(spec)
    cid = chart_id(spec)
    options = {**DEFAULT_EMBED_OPTIONS, **(embed_options or {})}
    page, title_lines, subtitle = page_spec(spec)
    svg = render_svg(static_spec(page, spec))
    size = re.search(r'<svg[^>]*\swidth="([\d.]+)"[^>]*\sheight="([\d.]+)"', svg)
    width_height = f' width="{size[1]}" height="{size[2]}"' if size else ""
    # The script finds its chart through document.currentScript rather than ids, so
    # the same chart shown twice on one page still draws twice. The fallback image
    # sits inside the target; it is swapped for the live view only once vegaEmbed is
    # there, and put back if embedding fails.
    script = (
        "(function(){var box=document.currentScript.parentNode;function draw(){"
        'var v=box.querySelector(".vega-offline-view");'
        'if(typeof vegaEmbed!=="function"){'
        f'console.warn("{BUNDLE_NAME} not loaded; showing the static chart");return;}}'
        'var s=JSON.parse(box.querySelector("script[type=\'application/json\']").textContent);'
        "var fb=Array.from(v.childNodes);v.replaceChildren();"
        f"vegaEmbed(v,s,{_json_for_script(options)})"
        ".catch(function(e){v.replaceChildren.apply(v,fb);console.error(e);});}"
        'if(document.readyState==="loading"){'
        'document.addEventListener("DOMContentLoaded",draw);}else{draw();}})();'
    )
    return (
        f'<div class="vega-offline" id="{cid}">'
        f"{_title_html(title_lines, subtitle)}"
        '<div class="vega-offline-view">'
        f'<img class="vega-offline-fallback" alt="{html.escape(description)}"'
        f'{width_height} style="max-width:100%;height:auto" '
        f"src='{svg_data_uri(svg)}'>"
        "</div>"
        f"{_download_links(cid, spec)}"
        f'<script type="application/json">{_json_for_script(page)}</script>'
        f"<script>{script}</script>"
        "</div>"
    )


def offline_renderer(spec: dict[str, Any], **embed_options: Any) -> dict[str, str]:
    """Return the Jupyter mimebundle for a chart: offline HTML plus a plain-text summary."""
    return {
        "text/html": offline_html(spec, embed_options),
        "text/plain": f"<Chart: {chart_description(spec)}>",
    }


def enable_offline_renderer(**embed_options: Any) -> None:
    """Switch Altair to the offline renderer; returns None, so the cell shows no output."""
    alt.renderers.register(RENDERER_NAME, offline_renderer)
    alt.renderers.enable(RENDERER_NAME, **embed_options)
