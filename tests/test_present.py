"""Presentation helpers (compendium.present): readable tables on crafted and real frames, and the words
around numbers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from compendium.book import present
from compendium.analysis import (
    cluster_issue_ids,
    comparison_for_issues,
    sentences_on_issues,
    survey_beside_meeting,
    survey_issues,
)

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cluster_3(tables):
    return cluster_issue_ids(tables["issues"], 3)


# -- tables --------------------------------------------------------------------------------


def test_readable_table_hides_row_numbers_and_escapes_html():
    html = present.readable_table(pd.DataFrame({"a": ["<b>x</b>"], "b": [None]}), "t-demo")._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>" not in html
    assert html.count("<th ") == 2  # a header per column, none for row numbers
    assert ">None<" not in html and ">nan<" not in html  # a missing value shows as an empty cell


def test_readable_table_writes_the_same_html_every_time():
    frame = pd.DataFrame({"Issue": ["A", "B"], "Claims": [1, 2]})
    first = present.readable_table(frame, "c9-demo")._repr_html_()
    assert first == present.readable_table(frame.copy(), "c9-demo")._repr_html_()
    assert 'id="table-c9-demo"' in first


def test_whole_numbers_show_without_decimals():
    html = present.readable_table(pd.DataFrame({"n": [3.0, 2.5, float("nan")]}), "t-n")._repr_html_()
    assert ">3<" in html and ">2.5<" in html and "nan" not in html


LONG = "word " * 20  # 100 characters: long text


def test_the_first_long_column_leads_and_the_other_long_columns_fold_under_it():
    frame = pd.DataFrame({"Date": ["2016"], "What happened": [LONG + "A"], "Note": [LONG + "B"],
                          "Confidence": ["direct"]})
    table = present.readable_table(frame, "t-long")
    assert (table.shown, table.lead, table.folded) == (["Date", "What happened", "Confidence"], "What happened", ["Note"])
    html = table._repr_html_()
    # the lead is whole, the note is reachable in the row's folded block, named in its summary
    assert LONG + "A" in html and LONG + "B" in html
    assert '<details class="table-more"><summary>More: note</summary>' in html
    assert html.index("<dt>Note</dt>") > html.index(">More: note<")


def test_short_columns_beyond_the_budget_fold_too():
    # each short column costs MIN_CELL..MAX_CELL characters plus 3; the lead takes the rest of the width
    frame = pd.DataFrame({f"c{i}": ["x" * 20] for i in range(5)} | {"Quote": [LONG]})
    shown, lead, folded = present.table_layout(frame)
    assert lead == "Quote" and shown == ["c0", "c1", "Quote"]  # 2 x 23 = 46 <= 48; a third would be 69
    assert folded == ["c2", "c3", "c4"]


def test_a_table_of_short_columns_is_shown_whole():
    frame = pd.DataFrame({"Issue": ["Migration"], "Claims": [3]})
    assert present.table_layout(frame) == (["Issue", "Claims"], None, [])
    assert "<details" not in present.readable_table(frame, "t-short")._repr_html_()


def test_a_chapter_can_choose_the_lead_and_the_shown_columns():
    frame = pd.DataFrame({"table": ["t"], "allowed": [LONG], "description": [LONG + "d"], "type": ["string"]})
    assert present.table_layout(frame, lead="description", show=["table"]) == (
        ["table", "description"], "description", ["allowed", "type"])


@pytest.mark.parametrize("kwargs, named", [({"lead": "Nope"}, "lead column 'Nope'"),
                                           ({"show": ["Nope"]}, "shown column(s) 'Nope'")])
def test_an_unknown_column_is_named_with_the_valid_ones(kwargs, named):
    frame = pd.DataFrame({"Date": ["2016"], "Text": [LONG]})
    with pytest.raises(ValueError, match=r"columns: Date, Text") as error:
        present.table_layout(frame, **kwargs)
    assert named in str(error.value)


def test_web_addresses_become_links_and_text_stays_escaped():
    frame = pd.DataFrame({"Text": [LONG], "Address": ["https://example.org/a?b=1&c=2 ; see <note>"]})
    html = present.readable_table(frame, "t-url")._repr_html_()
    assert '<a class="url" href="https://example.org/a?b=1&amp;c=2">' in html and "&lt;note&gt;" in html


def test_side_by_side_table_shows_both_answers_and_no_score(tables, document, cluster_3):
    every = survey_beside_meeting(tables["claims"], tables["claim_items"], tables["issues"],
                                  survey_issues(document, tables["issues"]))
    table = present.side_by_side_table(comparison_for_issues(every, cluster_3))
    assert list(dict.fromkeys(table["Survey issue"])) == ["Migration", "Illicit flows", "Maritime security",
                                                          "Drug control policies"]
    maritime = table[table["Survey issue"] == "Maritime security"]
    assert maritime["Meeting sentence (verbatim)"].tolist() == ["Not discussed"] and maritime["Claim"].tolist() == [""]
    drugs = table[table["Survey issue"] == "Drug control policies"].set_index("Claim")
    assert drugs.loc["cluster-3/p6#2", "Who acts"] == "Secretary-General"
    assert drugs.loc["cluster-3/p6#2", "Survey: best placed (as written)"] == "Think tanks"
    assert not any("agree" in c.lower() or "stance" in c.lower() for c in table.columns)


def test_sentences_table_names_how_each_sentence_is_put(tables, cluster_3):
    sentences = sentences_on_issues(tables["claims"], tables["claim_items"], tables["issues"], cluster_3)
    table = present.sentences_table(sentences).set_index("Claim")
    informal = table.loc["cluster-3/p7#1"]
    assert informal["How it is put"] == "Reported view" and informal["Issue"] == "Informal economies"
    # one row per issue the key finding's list names: illicit flows, migration, modern slavery
    assert table.loc["key-findings/b2#2", "Named in its list as"].tolist() == [
        "illicit financial flows", "migration", "modern slavery"]


def test_claims_table_shows_modality_acts_and_role(tables):
    table = present.claims_table(tables["claims"], tables["issues"], tables["actors"]).set_index("Claim")
    row = table.loc["key-findings/b3#1"]
    assert (row["How it is put"], row["Who acts"], row["Role"]) == ("Hedged", "UN system", "Limited or not well placed")
    assert table.loc["cluster-1/p3#2", "Who acts"] == "Secretary-General"


def test_quote_claims_carries_the_coding_and_the_lead_in(tables):
    text = present.quote_claims(tables["claims"], ["cluster-1/b1#1"], tables["passages"]).data
    assert "[The international community could, for example:] Strengthen steps" in text
    assert "claim `cluster-1/b1#1`: hedged; who acts: International community" in text
    plain = present.quote_claims(tables["claims"], ["cluster-4/p3#2"]).data
    assert "Could the UN work more" in plain and "question" in plain


def test_quote_claims_attributes_a_run_of_one_passage_once(tables):
    text = present.quote_claims(tables["claims"], ["cluster-4/p1#1", "cluster-4/p1#2", "cluster-4/p2#1"]).data
    assert text.count("```{epigraph}") == 2 and text.count("passage `cluster-4/p1`") == 1
    # every sentence keeps its own coding, in small type, after it
    assert text.count("]{.coding}") == 3 and "[claim `cluster-4/p1#2`: asserted; no actor]{.coding}" in text


def test_folded_quotations_name_what_they_hold_and_keep_every_sentence(tables):
    ids = ["cluster-4/p1#1", "cluster-4/p1#2", "cluster-4/p2#1"]
    folded = present.quote_claims(tables["claims"], ids, fold=True).data
    assert folded.startswith("````{dropdown} The summary's words: 3 sentences of passages cluster-4/p1 and "
                             "cluster-4/p2, verbatim\n")
    assert folded.rstrip().endswith("````")
    assert present.quote_claims(tables["claims"], ids).data in folded  # the same quotations, folded


# -- a claim's strength in prose ----------------------------------------------------------------------

CLAIM = {"claim_id": "key-findings/b3#1", "quote": "The UN may not be well placed to deal with other normative gaps.",
         "modality": "hedged"}


@pytest.mark.parametrize(
    ("claim", "lead_in", "expected"),
    [
        (CLAIM, "", "The summary suggests, with a hedge (“may”): “The UN may not be well placed to deal with other "
                    "normative gaps.”"),
        ({"quote": "Could the UN work more on resource scarcity?", "modality": "question"}, "",
         "The summary asks: “Could the UN work more on resource scarcity?”"),
        ({"quote": "It was proposed that the UN could advance norms.", "modality": "proposed"}, "",
         "The summary records a proposal: “It was proposed that the UN could advance norms.”"),
        ({"quote": "Concerns were raised about how and whether the UN can act.", "modality": "reported"}, "",
         "The summary reports a view raised at the meeting: “Concerns were raised about how and whether the UN can act.”"),
        ({"quote": "The UNSG alone cannot advance the R2P norm.", "modality": "asserted"}, "",
         "The summary states: “The UNSG alone cannot advance the R2P norm.”"),
        ({"quote": "Strengthen steps", "modality": "hedged"}, "Some text. The international community could, for example:",
         "The summary suggests, with a hedge (“could”): “[The international community could, for example:] Strengthen steps”"),
    ],
)
def test_claim_in_prose_keeps_the_strength_of_the_source(claim, lead_in, expected):
    assert present.claim_in_prose(claim, lead_in) == expected


def test_every_modality_has_its_words_and_an_unknown_one_is_refused():
    from compendium.data.tables import MODALITY_LABELS

    assert list(present.REPORTING) == list(present.QUOTING) == list(MODALITY_LABELS)
    assert present.reporting_phrase("proposed") == "participants proposed that"
    assert present.reporting_phrase("question") == "the summary asks whether"
    with pytest.raises(ValueError, match="valid: asserted, hedged"):
        present.claim_in_prose(CLAIM | {"modality": "certain"})


def test_hedge_words_are_found_in_order_once():
    assert present.hedge_words("The UNSG potentially could not be, could it? Likely.") == ["potentially", "could", "likely"]
    assert present.hedge_words("The UNSG alone cannot advance the R2P norm.") == []


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
    assert '<td class="id" data-label="Passage">annex-a/c1</td>' in html
    assert ".readable-table td.id { white-space: nowrap; }" in (ROOT / "_static" / "compendium.css").read_text()
