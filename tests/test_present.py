"""Presentation helpers (compendium.present): readable tables on crafted and real frames, and the words
around numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from compendium.book import present
from compendium.analysis import cluster_issue_ids, comparison_for_issues, issue_positions, survey_vs_meeting


@pytest.fixture(scope="module")
def cluster_3(tables):
    return cluster_issue_ids(tables["issues"], 3)


# -- tables --------------------------------------------------------------------------------


def test_readable_table_hides_row_numbers_and_escapes_html():
    html = present.readable_table(pd.DataFrame({"a": ["<b>x</b>"], "b": [None]}), "t-demo")._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "text-align: left" in html
    assert 'class="row_heading' not in html
    assert ">None<" not in html and ">nan<" not in html  # a missing value shows as an empty cell


def test_readable_table_writes_the_same_html_every_time():
    frame = pd.DataFrame({"Issue": ["A", "B"], "Claims": [1, 2]})
    first = present.readable_table(frame, "c9-demo")._repr_html_()
    assert first == present.readable_table(frame.copy(), "c9-demo")._repr_html_()
    assert 'id="T_c9-demo"' in first


def test_comparison_table_reads_one_row_per_surveyed_issue(tables, best_placed, cluster_3):
    every = survey_vs_meeting(tables["claims"], tables["issues"], best_placed)
    table = present.comparison_table(comparison_for_issues(every, cluster_3))
    assert list(table["Survey issue"]) == ["Migration", "Illicit flows", "Maritime security", "Drug control policies"]
    assert set(table["Survey names the UN"]) == {"no"}


def test_positions_table_names_unasked_issues(tables, best_placed, cluster_3):
    positions = issue_positions(tables["claims"], tables["issues"], best_placed, cluster_3)
    table = present.positions_table(positions).set_index("Issue")
    assert table.loc["Informal economies", "Survey's best-placed actor"] == "(not asked)"
    assert table.loc["Migration and forced displacement", "Survey's best-placed actor"] == "Regional organizations"


# -- words ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")],
)
def test_join_words(words, expected):
    assert present.join_words(words) == expected


def test_in_sentence_lowers_a_word_but_keeps_an_acronym():
    assert present.in_sentence("International community") == "international community"
    assert present.in_sentence("UN Secretary-General") == "UN Secretary-General"


@pytest.mark.parametrize(
    ("value", "low", "high", "qualifier", "expected"),
    [(7500, 7500, 7500, "exact", "7,500"), (15850, 15850, 15850, "about", "about 15,850"),
     (float("nan"), 6, 8, "exact", "6–8"), (None, 80, 120, "about", "80–120"), (1234.4, None, None, "over", "1,234")],
)
def test_estimate_text_says_a_figure_as_published(value, low, high, qualifier, expected):
    assert present.estimate_text(value, low, high, qualifier) == expected


def test_sources_line_names_each_source_once():
    crafted = pd.DataFrame({"publisher": ["P", "P", "Q"], "document": ["D", "D", "E"], "year": [2014, 2014, 2013],
                            "confidence": ["direct", "direct", "second-hand"]})
    assert present.sources_line(crafted) == "P, D (2014; direct); Q, E (2013; second-hand)"


def test_readable_table_plain_text_has_no_memory_address():
    frame = pd.DataFrame({"a": [1, 2]})
    text = repr(present.readable_table(frame, "t-demo"))
    assert "0x" not in text and text == "<table 't-demo': 2 rows, columns a>"


def test_passage_ids_do_not_break_across_lines():
    html = present.readable_table(pd.DataFrame({"Passage": ["annex-a/c1"], "x": [1]}), "t-ids")._repr_html_()
    assert "white-space: nowrap" in html and 'id="T_t-ids_row0_col0"' in html
