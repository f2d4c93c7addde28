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
# from the Okabe-Ito palette, which stays distinct under the common colour-vision deficiencies (its orange
# and reddish purple come within 8 ΔE of each other to a tritanope, so "hedged" takes the vermilion). No
# colour means better or worse: a hedge is a reading of the wording, not a verdict.
MODALITY_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9"]
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
# under the common colour-vision deficiencies (its yellow left out: too pale on white). The group that is no
# cluster takes Okabe-Ito's black: its reddish purple and orange come too close for a tritanope.
CLUSTER_COLOURS = ["#000000", "#0072B2", "#D55E00", "#009E73", "#E69F00"]

# Any other categories (the theme's default range), from Paul Tol's "muted" scheme, which stays distinct under
# the common colour-vision deficiencies; its sand is left out (too pale on white), its pale cyan comes late.
CATEGORY_COLOURS = ["#332288", "#CC6677", "#117733", "#882255", "#44AA99", "#AA4499", "#999933", "#88CCEE"]

# Ledger verdicts, in the data package's order: supported, different measure, contradicted, no source found:
# Paul Tol's muted green, sand and rose (told apart by red-green colour-blind readers, unlike a plain green
# and red), and the theme's context grey for "no source found".
VERDICT_COLOURS = ["#117733", "#DDCC77", "#CC6677", "#9aa5b1"]
# The publishers of published estimates set beside the meeting's claims (Paul Tol's muted scheme).
PUBLISHER_COLOURS = ["#332288", "#CC6677", "#117733", "#882255", "#44AA99", "#AA4499"]
# A threshold drawn as a rule over the data, and text drawn inside a dark mark. The threshold (Paul Tol's vibrant
# red) is also drawn as its label's text, so it keeps WCAG AA contrast on white, and it stays apart from the first
# three category colours it is drawn over.
THRESHOLD = "#CC3311"
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
                       "titleColor": MUTED, "labelColor": INK, "orient": "bottom", "symbolDirection": "vertical", "gradientDirection": "horizontal",
                       "titleOrient": "top", "labelLimit": 260,
                       # several legends stack one above the other, so none is pushed past a narrow column
                       # (Vega-Lite's schema takes Vega's legend layout only as an expression)
                       "layout": {"expr": "{bottom: {anchor: 'start', direction: 'vertical'}}"}},
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


# -- colour-vision and greyscale checks ------------------------------------------------------------

# How the palettes are seen: as drawn, by a protanope, deuteranope or tritanope (coloraide's full-severity
# simulations: Viénot et al. 1999 for protan and deutan, Brettel et al. 1997 for tritan), and printed in greyscale
# (the W3C grayscale filter: luminance only, Rec. 709 weights in linear sRGB).
VIEWS = ("normal", "protan", "deutan", "tritan", "greyscale")
DEFICIENCIES = ("protan", "deutan", "tritan")
# Two categories are told apart when their colours, as seen, are at least this far apart in CIEDE2000. The value
# is the "smallest perceivable distance" of Gregor Aisch's colour-blindness check in the chroma.js palette helper
# (github.com/gka/palettes, src/colorBlind.js, ΔE 2000 via chroma.deltaE), which Color Buddy's palette linter
# applies to every pair under each simulated deficiency and in black and white (github.com/mcnuttandrew/
# color-buddy, packages/palette-lint/src/lints/cvd-check.ts: a pair fails when ΔE 2000 < 9). For two greys
# CIEDE2000 measures lightness alone, so the same floor is the greyscale test.
DISTINCT_DELTA_E = 9.0
# WCAG 2.1 success criterion 1.4.3 (AA): body text needs a contrast ratio of at least 4.5:1 with its background.
TEXT_CONTRAST_AA = 4.5


def seen_as(colour: str, view: str = "normal") -> str:
    """Return the colour as a viewer with ``view`` (one of VIEWS) sees it, as sRGB hex."""
    # imported here: the check runs in tests, so a chapter drawing a chart never pays for loading it
    from coloraide import Color

    if view not in VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {VIEWS}")
    seen = Color(colour).convert("srgb-linear")
    if view == "greyscale":
        seen = seen.filter("grayscale")
    elif view != "normal":
        seen = seen.filter(view)
    return seen.convert("srgb").clip().to_string(hex=True)


def min_distance(colours: list[str], view: str = "normal") -> float:
    """Return the smallest CIEDE2000 difference between any two of the colours as seen under ``view``."""
    from coloraide import Color

    if len(colours) < 2:
        raise ValueError("a palette needs at least two colours to compare")
    seen = [Color(seen_as(c, view)) for c in colours]
    return min(a.delta_e(b, method="2000") for i, a in enumerate(seen) for b in seen[i + 1:])


def palette_report(colours: list[str]) -> dict[str, float]:
    """Return the palette's smallest pairwise ΔE 2000 under each view: normal, protan, deutan, tritan, greyscale."""
    return {view: min_distance(colours, view) for view in VIEWS}


def colour_blind_safe(colours: list[str], threshold: float = DISTINCT_DELTA_E) -> bool:
    """Return whether every pair stays at least ``threshold`` apart as drawn and under each simulated deficiency."""
    return all(min_distance(colours, view) >= threshold for view in ("normal", *DEFICIENCIES))


def distinct_in_greyscale(colours: list[str], threshold: float = DISTINCT_DELTA_E) -> bool:
    """Return whether every pair stays at least ``threshold`` apart in lightness once printed in greyscale."""
    return min_distance(colours, "greyscale") >= threshold


def contrast_ratio(foreground: str, background: str = "white") -> float:
    """Return the WCAG 2.1 contrast ratio of the two colours (1 to 21)."""
    from coloraide import Color

    return Color(foreground).contrast(background, method="wcag21")
