"""The book's one Altair theme, and the colour scales every chapter shares."""

from __future__ import annotations

import altair as alt

from compendium.data.tables import ACTS_LABELS, MODALITY_LABELS

THEME_NAME = "compendium"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
INK = "#1f2933"
MUTED = "#52606d"
GRID = "#e4e7eb"
ACCENT = "#1f5f8b"

# How strongly a claim is put (MODALITY_LABELS' order: asserted, hedged, proposed, reported, question),
# from the Okabe-Ito palette, which stays distinct under the common colour-vision deficiencies. No
# colour means better or worse: a hedge is a reading of the wording, not a verdict.
MODALITY_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
# Who acts in a claim (ACTS_LABELS' order: Secretary-General, UN system, member states, international
# community, non-state actors, none), Okabe-Ito again; "no actor" is grey.
ACTS_COLOURS = ["#0072B2", "#56B4E9", "#D55E00", "#E69F00", "#009E73", "#999999"]

CLUSTER_LABELS = {
    1: "1 R2P and human rights",
    2: "2 Peace and security",
    3: "3 Illicit globalization",
    4: "4 Sustainable development",
}

# Later events the outcomes table files under no cluster: the Secretary-General, the selection and UN-wide reform.
SECRETARY_GENERAL_LABEL = "Secretary-General and selection"
# That group, then the four clusters (CLUSTER_LABELS' order), from the Okabe-Ito palette, which stays distinct
# under the common colour-vision deficiencies (its yellow left out: too pale on white).
CLUSTER_COLOURS = ["#CC79A7", "#0072B2", "#D55E00", "#009E73", "#E69F00"]

CATEGORY_COLOURS = ["#1f5f8b", "#e07a1f", "#3b8b5a", "#d1495b", "#7d5ba6", "#8c6d46", "#c2577f", "#6b7b8c"]

# Ledger verdicts, in the data package's order: supported, different measure, contradicted, no source found.
VERDICT_COLOURS = ["#3b8b5a", "#e0a31f", "#d1495b", "#9aa5b1"]
# The publishers of published estimates set beside the meeting's claims.
PUBLISHER_COLOURS = ["#1f5f8b", "#e07a1f", "#3b8b5a", "#7d5ba6", "#8c6d46", "#c2577f"]
# A threshold drawn as a rule over the data, and text drawn inside a dark mark.
THRESHOLD = "#d1495b"
ON_DARK = "white"


# Whether the survey asked about an issue and the meeting discussed it (survey annex): asked and
# discussed, asked only, discussed only, neither.
COVERAGE_COLOURS = ["#1f5f8b", "#e07a1f", "#9aa5b1", "#e4e7eb"]
# A light tint of the accent, for the weaker of two marks of one kind (an actor named with others).
LIGHT_ACCENT = "#9cc3e0"
# Bars that give context rather than the finding (e.g. the sections other than the clusters).
CONTEXT_COLOUR = "#9aa5b1"


def modality_scale() -> alt.Scale:
    """Return the colour scale for modality labels (MODALITY_LABELS), the same in every chart."""
    return alt.Scale(domain=list(MODALITY_LABELS.values()), range=MODALITY_COLOURS)


def acts_scale() -> alt.Scale:
    """Return the colour scale for who-acts labels (ACTS_LABELS), the same in every chart."""
    return alt.Scale(domain=list(ACTS_LABELS.values()), range=ACTS_COLOURS)


def cluster_scale() -> alt.Scale:
    """Return the colour scale for the Secretary-General's group and the four clusters (CLUSTER_LABELS),
    the same in every chart."""
    return alt.Scale(domain=[SECRETARY_GENERAL_LABEL, *CLUSTER_LABELS.values()], range=CLUSTER_COLOURS)


def compendium_theme() -> dict:
    """Return the theme's Vega-Lite config: plain type, light grid, readable sizes."""
    return {
        "config": {
            "font": FONT,
            "background": "white",
            "view": {"stroke": None, "continuousWidth": 520, "continuousHeight": 300},
            "title": {"font": FONT, "fontSize": 15, "fontWeight": 600, "color": INK, "anchor": "start", "offset": 12,
                      "subtitleFont": FONT, "subtitleFontSize": 12, "subtitleColor": MUTED},
            "axis": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "titleFontSize": 12,
                     "labelColor": INK, "titleColor": MUTED, "titleFontWeight": 500,
                     "gridColor": GRID, "domainColor": MUTED, "tickColor": MUTED, "labelLimit": 260},
            "axisBand": {"grid": False},
            "legend": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "titleFontSize": 12,
                       "titleColor": MUTED, "labelColor": INK, "orient": "bottom", "direction": "horizontal",
                       "titleOrient": "top", "labelLimit": 260},
            "header": {"labelFont": FONT, "titleFont": FONT, "labelFontSize": 12, "titleFontSize": 12,
                       "labelColor": INK, "titleColor": MUTED},
            "range": {"category": CATEGORY_COLOURS, "ramp": {"scheme": "blues"}, "heatmap": {"scheme": "blues"}},
            "bar": {"color": ACCENT},
            "point": {"color": ACCENT, "filled": True, "size": 70},
            "line": {"color": ACCENT, "strokeWidth": 2},
            "rule": {"color": MUTED},
            "text": {"font": FONT, "fontSize": 12, "color": INK},
        }
    }


def enable_theme() -> str:
    """Make the book's theme the active Altair theme; return its name."""
    alt.theme.register(THEME_NAME, enable=True)(compendium_theme)
    return THEME_NAME
