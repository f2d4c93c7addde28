"""The offline renderer: spec, SVG fallback, description, CSV link, stable ids, the bundle."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser
from urllib.parse import unquote

import altair as alt
import pandas as pd
import pytest

from compendium.book import render

DESCRIPTION = "Bar chart of mentions per actor; C has the most with 8."


def mentions_by_actor() -> pd.DataFrame:
    """Return a small tidy frame: one row per actor with its mention count."""
    return pd.DataFrame({"actor": list("ABCD"), "mentions": [5, 3, 8, 1]})


def bar_chart(**properties) -> alt.Chart:
    """Return a described bar chart of mentions by actor; a property set to None is left out."""
    props = {"title": "Actor C is mentioned most", "description": DESCRIPTION, **properties}
    return (
        alt.Chart(mentions_by_actor())
        .mark_bar()
        .encode(x=alt.X("mentions:Q", title="Mentions"), y=alt.Y("actor:N", title="Actor"))
        .properties(**{k: v for k, v in props.items() if v is not None})
    )


class _Fragment(HTMLParser):
    """Collect the tags, attributes and script bodies of an HTML fragment."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.open: list[str] = []
        self._script: dict[str, str | None] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in ("img", "br", "meta", "link"):
            self.open.append(tag)
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()

    def handle_data(self, data):
        if self._script is not None and self.open and self.open[-1] == "script":
            attrs, body = self.scripts[-1]
            self.scripts[-1] = (attrs, body + data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def fragment_of(chart: alt.TopLevelMixin) -> _Fragment:
    return _Fragment(render.offline_html(chart.to_dict()))


def test_fragment_is_balanced_html_with_one_container():
    fragment = fragment_of(bar_chart())
    assert fragment.open == []
    assert len(fragment.find("div", **{"class": "vega-offline"})) == 1


def test_fragment_carries_the_spec_as_json():
    chart = bar_chart()
    fragment = fragment_of(chart)
    [body] = [b for a, b in fragment.scripts if a.get("type") == "application/json"]
    assert json.loads(body) == render.page_spec(chart.to_dict())[0]
    [box] = fragment.find("div", **{"class": "vega-offline"})
    assert box["id"] == render.chart_id(chart.to_dict())


def test_fallback_is_an_svg_image_described_by_the_chart():
    [img] = fragment_of(bar_chart()).find("img")
    assert img["alt"] == DESCRIPTION
    assert img["src"].startswith("data:image/svg+xml;charset=utf-8,")
    svg = unquote(img["src"].split(",", 1)[1])
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "Actor C is mentioned most" not in svg  # the title is page text, above the chart
    assert "Actor C" not in svg and ">C<" in svg


# -- the chart as the page draws it ----------------------------------------------------------------


def test_the_title_is_page_text_that_wraps_between_its_lines():
    chart = bar_chart(title=alt.Title(["Actor C is mentioned most,", "A least"], subtitle="Mentions per actor"))
    fragment = render.offline_html(chart.to_dict())
    assert ('<p class="vega-offline-title"><span class="phrase">Actor C is mentioned most,</span> '
            '<span class="phrase">A least</span><span class="vega-offline-subtitle">'
            '<span class="phrase">Mentions per actor</span></span></p>') in fragment
    page, lines, subtitle = render.page_spec(chart.to_dict())
    assert "title" not in page and lines == ["Actor C is mentioned most,", "A least"] and subtitle == ["Mentions per actor"]


def test_a_layered_chart_loses_its_title_from_every_layer():
    base = bar_chart(title=None)
    layered = alt.layer(base, base.mark_text()).properties(title="Layered title")
    spec = layered.to_dict()
    spec["layer"][0]["title"] = spec["layer"][1]["title"] = "Layered title"
    spec.pop("title")
    page, lines, _ = render.page_spec(spec)
    assert lines == ["Layered title"] and not any("title" in part for part in page["layer"])


def test_a_single_view_takes_its_container_width_and_the_static_svg_keeps_its_own():
    spec = bar_chart(width=420).to_dict()
    page, _, _ = render.page_spec(spec)
    assert page["width"] == "container" and render.static_spec(page, spec)["width"] == 420
    [img] = _Fragment(render.offline_html(spec)).find("img")
    assert float(img["width"]) >= 420  # the fallback drawn at the chart's own width, not a guess


def test_side_by_side_panels_keep_their_widths():
    spec = alt.hconcat(bar_chart(title=None, width=200), bar_chart(title=None, width=200)).to_dict()
    page, _, _ = render.page_spec(spec)
    assert [part["width"] for part in page["hconcat"]] == [200, 200] and "width" not in page


def test_legend_labels_wrap_unless_the_chart_sets_its_own_expression():
    chart = bar_chart().encode(color=alt.Color("actor:N"), shape=alt.Shape("actor:N", legend=None),
                               opacity=alt.Opacity("mentions:Q", legend=alt.Legend(labelExpr="datum.label")))
    encoding = render.page_spec(chart.to_dict())[0]["encoding"]
    assert encoding["color"]["legend"]["labelExpr"] == render.LEGEND_LABEL_EXPR
    assert encoding["shape"]["legend"] is None and encoding["opacity"]["legend"]["labelExpr"] == "datum.label"


def test_a_long_legend_label_is_drawn_on_lines_of_at_most_legend_line_characters():
    import vl_convert

    long = "Secretary-General and selection of the next one"
    frame = pd.DataFrame({"actor": [long, "B"], "mentions": [1, 2]})
    chart = alt.Chart(frame).mark_point().encode(x="mentions:Q", color="actor:N").properties(description=DESCRIPTION)
    page, _, _ = render.page_spec(chart.to_dict())
    svg = vl_convert.vegalite_to_svg(page, vl_version=render.VL_VERSION)
    lines = re.findall(r"<tspan[^>]*>([^<]*)</tspan>", svg)
    assert " ".join(lines) == long and all(len(line) <= render.LEGEND_LINE for line in lines)


def test_csv_link_holds_the_chart_data():
    [link] = fragment_of(bar_chart()).find("a", **{"class": "vega-offline-csv"})
    assert link["href"].startswith("data:text/csv;charset=utf-8,")
    assert link["download"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(unquote(link["href"].split(",", 1)[1]))))
    expected = mentions_by_actor().astype(str).to_dict(orient="records")
    assert rows == expected


def test_layer_with_two_frames_gets_one_link_per_table():
    other = pd.DataFrame({"actor": ["A"], "threshold": [4]})
    rule = alt.Chart(other).mark_rule().encode(x="threshold:Q")
    layered = (bar_chart(title=None, description=None) + rule).properties(
        description="Bars with a threshold rule."
    )
    links = fragment_of(layered).find("a", **{"class": "vega-offline-csv"})
    assert len(links) == 2
    assert len({a["download"] for a in links}) == 2


def test_link_names_the_title_even_when_a_layer_carries_it():
    title = alt.Title("Actor C is mentioned most", subtitle="Counted with the lexicon")
    base = alt.Chart(mentions_by_actor(), title=title)
    bars = base.mark_bar().encode(x="mentions:Q", y="actor:N")
    labels = base.mark_text(dx=6).encode(x="mentions:Q", y="actor:N", text="mentions:Q")
    layered = (bars + labels).properties(description=DESCRIPTION)
    html = render.offline_html(layered.to_dict())
    [label] = re.findall(r'class="vega-offline-csv"[^>]*aria-label="([^"]*)"', html)
    [text] = re.findall(r'class="vega-offline-csv"[^>]*>([^<]*)</a>', html)
    assert label == "Download the data behind “Actor C is mentioned most” (CSV, 4 rows)"
    assert text == "Download data (CSV, 4 rows)"


def test_inline_values_are_found_without_top_level_datasets():
    spec = {
        "description": "Two points.",
        "data": {"values": [{"x": 1, "y": 2}, {"x": 3, "y": None}]},
        "mark": "point",
        "encoding": {"x": {"field": "x", "type": "quantitative"}},
    }
    assert render.chart_datasets(spec) == {"values-1": spec["data"]["values"]}
    assert render.records_to_csv(spec["data"]["values"]) == "x,y\n1,2\n3,\n"


def test_script_closing_text_in_data_cannot_end_the_script():
    nasty = pd.DataFrame({"actor": ["</script><script>alert(1)</script>"], "mentions": [1]})
    chart = alt.Chart(nasty).mark_bar().encode(x="mentions:Q", y="actor:N").properties(
        description="One bar with a hostile label."
    )
    fragment = _Fragment(render.offline_html(chart.to_dict()))
    # The label may sit raw inside a double-quoted data: URI, where it is inert text;
    # what matters is that the parser still sees only the fragment's own two scripts.
    assert [a.get("type") for a, _ in fragment.scripts] == ["application/json", None]
    assert json.loads(fragment.scripts[0][1]) == chart.to_dict()


def test_output_is_deterministic():
    assert render.offline_html(bar_chart().to_dict()) == render.offline_html(bar_chart().to_dict())


def test_ids_come_from_the_spec_or_the_given_name():
    plain, other = bar_chart().to_dict(), bar_chart(title="Another title").to_dict()
    assert re.fullmatch(r"chart-[0-9a-f]{12}", render.chart_id(plain))
    assert render.chart_id(plain) != render.chart_id(other)
    named = bar_chart(name="mentions by actor").to_dict()
    assert render.chart_id(named) == "chart-mentions-by-actor"


@pytest.mark.parametrize(
    "description",
    [None, "", "   "],
    ids=["missing", "empty", "blank"],
)
def test_chart_without_description_is_refused(description):
    chart = bar_chart(description=description)
    with pytest.raises(ValueError, match="description"):
        render.offline_html(chart.to_dict())


@pytest.fixture
def restore_renderer():
    previous = alt.renderers.active
    options = alt.renderers.options
    yield
    alt.renderers.enable(previous, **options)


@pytest.mark.usefixtures("restore_renderer")
def test_enabled_renderer_is_what_jupyter_displays():
    assert render.enable_offline_renderer() is None
    bundle = bar_chart()._repr_mimebundle_()
    assert bundle["text/html"] == render.offline_html(bar_chart().to_dict())
    assert DESCRIPTION in bundle["text/plain"]


@pytest.mark.usefixtures("restore_renderer")
def test_embed_options_reach_vega_embed():
    render.enable_offline_renderer(renderer="canvas")
    html = bar_chart()._repr_mimebundle_()["text/html"]
    assert '"renderer":"canvas"' in html
    assert '"actions":false' in html


@pytest.fixture(scope="module")
def bundle_path(tmp_path_factory):
    return render.write_vega_bundle(tmp_path_factory.mktemp("book") / "_static")


def test_bundle_defines_vega_embed_in_its_own_scope(bundle_path):
    assert bundle_path.name == render.BUNDLE_NAME
    text = bundle_path.read_text(encoding="utf-8")
    assert "window.vegaEmbed=" in text and "window.vegaLite=" in text
    # A function scope keeps its top-level names from clashing with Sphinx's scripts.
    assert text.splitlines()[1] == "(function () {"
    assert text.rstrip().endswith("})();")


def test_unchanged_bundle_is_not_rewritten(bundle_path):
    mtime = bundle_path.stat().st_mtime_ns
    assert render.write_vega_bundle(bundle_path.parent) == bundle_path
    assert bundle_path.stat().st_mtime_ns == mtime


def test_bundle_of_other_versions_is_rebuilt(tmp_path):
    stale = tmp_path / render.BUNDLE_NAME
    stale.write_text("/* vega 0.0.1, vega-lite 0.1, vega-embed 0.0.1; bundled by vl-convert */\nold\n", encoding="utf-8")
    path = render.write_vega_bundle(tmp_path)
    assert "window.vegaEmbed=" in path.read_text(encoding="utf-8")


def test_bundle_loads_nothing_from_another_host(bundle_path):
    # Schema and editor addresses may appear as text; no script, style or font may.
    urls = set(re.findall(r"https?://[^\s\"'`)]+", bundle_path.read_text(encoding="utf-8")))
    assert not {u for u in urls if re.search(r"\.(js|mjs|css|woff2?|ttf)(\?|$)", u)}


def test_missing_values_reach_the_page_as_null_not_nan():
    import json
    import math

    spec = {"description": "A chart with a gap.", "mark": "point",
            "data": {"values": [{"x": 1.0, "end": math.nan}, {"x": math.inf, "end": 2.0}]}}
    html = render.offline_html(spec)
    payload = html.split('<script type="application/json">')[1].split("</script>")[0]
    assert json.loads(payload)["data"]["values"] == [{"x": 1.0, "end": None}, {"x": None, "end": 2.0}]
