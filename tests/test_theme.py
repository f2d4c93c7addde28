"""The theme (compendium.charts.theme): its categorical palettes stay distinct to colour-blind readers, the
greyscale check says which do not survive printing, its text colours are readable, and its scales follow the
labels' order."""

from __future__ import annotations

import re

import pytest

from compendium.charts import theme

# Every palette whose colours stand for categories, with what it encodes.
CATEGORICAL = {
    "MODALITY_COLOURS": "how strongly a claim is put",
    "ACTS_COLOURS": "who acts in a claim",
    "CLUSTER_COLOURS": "the Secretary-General's group and the four clusters",
    "CATEGORY_COLOURS": "any other categories (the theme's default range)",
    "VERDICT_COLOURS": "ledger verdicts",
    "PUBLISHER_COLOURS": "publishers of published estimates",
    "COVERAGE_COLOURS": "whether the survey asked and the meeting discussed an issue",
}
# Colour Buddy's CVD lint lists Tableau 10 among the palettes its check must fail (cvd-check.ts).
TABLEAU_10 = ["#0078b4", "#ff7e0e", "#3d9f2f", "#da2827", "#8c69bc", "#8e564b", "#e179c1", "#7f7f7f", "#c4bc27",
              "#00becf"]


def describe(colours: list[str]) -> str:
    return ", ".join(f"{view} {value:.1f}" for view, value in theme.palette_report(colours).items())


# -- colour-vision deficiencies -------------------------------------------------------------------------


@pytest.mark.parametrize("name", CATEGORICAL)
def test_every_categorical_palette_stays_distinct_under_each_colour_vision_deficiency(name):
    colours = getattr(theme, name)
    report = theme.palette_report(colours)
    too_close = {view: round(report[view], 1) for view in ("normal", *theme.DEFICIENCIES)
                 if report[view] < theme.DISTINCT_DELTA_E}
    assert too_close == {}, f"{name} ({CATEGORICAL[name]}): smallest ΔE 2000 {describe(colours)}"
    assert theme.colour_blind_safe(colours)


def test_the_checked_palettes_are_every_categorical_palette_in_the_theme():
    assert {name for name in vars(theme) if name.endswith("_COLOURS")} == set(CATEGORICAL)


def test_the_default_category_range_is_the_checked_palette():
    assert theme.compendium_theme()["config"]["range"]["category"] == theme.CATEGORY_COLOURS


@pytest.mark.parametrize(
    ("colours", "fails_under"),
    [
        (["#d1495b", "#3b8b5a"], "deutan"),  # a plain red and green: the classic red-green confusion
        (["#E69F00", "#CC79A7"], "tritan"),  # Okabe-Ito's orange and reddish purple, to a tritanope
        (["#0072B2", "#0072B3"], "normal"),  # one blue, twice
    ],
)
def test_the_check_fails_a_pair_a_viewer_cannot_tell_apart(colours, fails_under):
    assert theme.min_distance(colours, fails_under) < theme.DISTINCT_DELTA_E
    assert not theme.colour_blind_safe(colours)


def test_the_check_fails_tableau_10_and_passes_black_white_red_blue():
    assert not theme.colour_blind_safe(TABLEAU_10)
    assert theme.colour_blind_safe(["#000000", "#ffffff", "#ff0000", "#0000ff"])


def test_a_simulated_deficiency_changes_a_colour_and_greyscale_keeps_its_lightness():
    from coloraide import Color

    assert theme.seen_as("#d1495b", "deutan") != "#d1495b"
    assert theme.seen_as("#1f5f8b", "normal") == "#1f5f8b"
    grey = Color(theme.seen_as("#E69F00", "greyscale")).convert("lab")
    assert abs(grey["a"]) < 0.5 and abs(grey["b"]) < 0.5
    assert grey["lightness"] == pytest.approx(Color("#E69F00").convert("lab")["lightness"], abs=0.5)
    with pytest.raises(ValueError, match="unknown view"):
        theme.seen_as("#000000", "monochrome")
    with pytest.raises(ValueError, match="at least two"):
        theme.min_distance(["#000000"])


def test_the_threshold_rule_stays_apart_from_the_series_it_is_drawn_over():
    # the appeals chart draws THRESHOLD over up to three series in the first category colours
    for series in theme.CATEGORY_COLOURS[:3]:
        assert theme.colour_blind_safe([theme.THRESHOLD, series]), describe([theme.THRESHOLD, series])


@pytest.mark.parametrize(("name", "index"), [("ACTS_COLOURS", -1), ("VERDICT_COLOURS", -1)])
def test_no_actor_and_no_source_stay_grey(name, index):
    from coloraide import Color

    # "No actor" and "no source found" say something is missing: a grey, not a hue that reads as a category
    assert Color(getattr(theme, name)[index]).convert("oklch")["chroma"] < 0.03


# -- greyscale -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("colours", "distinct"),
    [
        (["#000000", "#777777", "#ffffff"], True),
        (["#1f5f8b", "#9aa5b1"], True),  # the accent beside the context grey (introduction)
        (["#E69F00", "#56B4E9"], False),  # Okabe-Ito's orange and sky blue share a lightness
        (["#d1495b", "#3b8b5a"], False),
    ],
)
def test_distinct_in_greyscale_compares_lightness_only(colours, distinct):
    assert theme.distinct_in_greyscale(colours) is distinct
    assert (theme.min_distance(colours, "greyscale") >= theme.DISTINCT_DELTA_E) is distinct


def test_the_first_three_category_colours_stay_distinct_in_greyscale():
    # charts with two or three series in the default range (a timeline's two groups, the warheads' two
    # confidence words, the appeals' and Oxfam's three series) keep their meaning in greyscale by lightness
    assert theme.distinct_in_greyscale(theme.CATEGORY_COLOURS[:3]), describe(theme.CATEGORY_COLOURS[:3])


@pytest.mark.parametrize("name", CATEGORICAL)
def test_the_report_covers_every_view_and_greyscale_never_beats_normal_vision(name):
    report = theme.palette_report(getattr(theme, name))
    assert list(report) == list(theme.VIEWS)
    # losing hue can only bring two colours closer
    assert report["greyscale"] <= report["normal"]


# -- text ------------------------------------------------------------------------------------------------------


def test_contrast_ratio_matches_wcag_on_known_pairs():
    assert theme.contrast_ratio("#000000") == pytest.approx(21)
    assert theme.contrast_ratio("#ffffff") == pytest.approx(1)
    assert theme.contrast_ratio("#777777") < theme.TEXT_CONTRAST_AA < theme.contrast_ratio("#767676")


@pytest.mark.parametrize("name", ["INK", "MUTED", "THRESHOLD"])  # THRESHOLD labels its own rule
def test_the_text_colours_meet_wcag_aa_on_white(name):
    assert theme.contrast_ratio(getattr(theme, name), "white") >= theme.TEXT_CONTRAST_AA


def test_every_text_colour_the_theme_sets_meets_wcag_aa_on_its_background():
    config = theme.compendium_theme()["config"]
    text_colours = {f"{part}.{key}": value for part, block in config.items() if isinstance(block, dict)
                    for key, value in block.items()
                    if key in {"labelColor", "titleColor", "subtitleColor"} or (part in {"title", "text"} and key == "color")}
    assert len(text_colours) >= 8
    weak = {where: round(theme.contrast_ratio(colour, config["background"]), 2) for where, colour in text_colours.items()
            if theme.contrast_ratio(colour, config["background"]) < theme.TEXT_CONTRAST_AA}
    assert weak == {}


# -- scales ----------------------------------------------------------------------------------------------------


def test_the_colour_scales_follow_the_labels_order():
    from compendium.data.tables import ACTS_LABELS, MODALITY_LABELS

    assert theme.modality_scale().to_dict()["domain"] == list(MODALITY_LABELS.values())
    assert len(theme.MODALITY_COLOURS) == len(MODALITY_LABELS) == len(set(theme.MODALITY_COLOURS))
    assert theme.acts_scale().to_dict()["domain"] == list(ACTS_LABELS.values())
    assert len(theme.ACTS_COLOURS) == len(ACTS_LABELS) == len(set(theme.ACTS_COLOURS))
    assert theme.cluster_scale().to_dict()["range"] == theme.CLUSTER_COLOURS
    assert len(theme.CLUSTER_COLOURS) == len(theme.CLUSTER_LABELS) + 1
    assert not hasattr(theme, "AGREEMENT_COLOURS") and not hasattr(theme, "STANCE_COLOURS")


def test_colours_live_only_in_the_theme():
    from compendium import paths

    hex_colour = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b(?![\w-])")
    places = [*sorted((paths.ROOT / "src" / "compendium").rglob("*.py")), *sorted(paths.CHAPTERS_DIR.glob("*.md"))]
    outside = [f"{p.relative_to(paths.ROOT)}: {m[0]}" for p in places
               if p.name != "theme.py"
               for m in hex_colour.finditer(p.read_text(encoding="utf-8"))]
    assert outside == []
