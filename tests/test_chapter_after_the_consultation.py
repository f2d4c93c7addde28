"""After the consultation: the chapter's own functions on crafted frames with known answers, its readings
and prose against the outcomes table, the executed chapter's exported chart, tables and glued numbers,
and reruns with a cut-off year, one confidence word and bad settings."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import exported_spec, run_plans, title_text, tooltip_fields
from test_hedges import dropped_hedges

from compendium import paths
from compendium.book import runner
from compendium.book.params import chapter_parameters, read_notebook
from compendium.charts import theme

CHAPTER = "after-the-consultation"
SOURCE = paths.CHAPTERS_DIR / f"{CHAPTER}.md"
READINGS = ("SG_READINGS", "C1_READINGS", "C2_READINGS", "C3_READINGS", "C4_READINGS")
TABLES = ("after-needs", "after-selection-2016", "after-selection-2026", "after-sg-readings", "after-c1-readings",
          "after-c2-readings", "after-c3-readings", "after-c4-readings", "after-other-rows")


def code_cells() -> list:
    return [c for c in read_notebook(SOURCE).cells if c.cell_type == "code"]


def is_constant(node: ast.stmt) -> bool:
    """Return True for an assignment to UPPER_CASE names only (``A = ...`` or ``A, B = ...``)."""
    if not isinstance(node, ast.Assign):
        return False
    names = [e for t in node.targets for e in (t.elts if isinstance(t, ast.Tuple) else [t])]
    return all(isinstance(n, ast.Name) and n.id.isupper() for n in names)


@pytest.fixture(scope="module")
def chapter() -> dict:
    """The chapter's imports, functions and constants (its UPPER_CASE tables of readings, needs, stages),
    executed from its MyST source without running the chapter: what the tests call on crafted frames."""
    cells = code_cells()
    namespace: dict = {}
    exec(compile(cells[0].source, SOURCE.name, "exec"), namespace)  # the imports cell
    for cell in cells[1:]:
        kept = [n for n in ast.parse(cell.source).body if isinstance(n, ast.FunctionDef) or is_constant(n)]
        exec(compile(ast.Module(body=kept, type_ignores=[]), SOURCE.name, "exec"), namespace)
    return namespace


def outcome_rows(*rows: dict) -> pd.DataFrame:
    """Return a crafted outcomes table: the given fields, the rest empty, typed as load_outcomes types them."""
    frame = pd.DataFrame([{"date_precision": "day", "end_date": None, "value": None, "year": None, "symbol": None,
                           "note": None, "event": "something happened", "document": "A document",
                           "publisher": "A publisher", "address": "https://example.org/a", "confidence": "direct",
                           "cluster": None, **row}
                          for row in rows])
    return frame.assign(date=pd.to_datetime(frame["date"]), end_date=pd.to_datetime(frame["end_date"]),
                        value=frame["value"].astype("float64"), year=frame["year"].astype("Int64"),
                        cluster=frame["cluster"].astype("Int64"))


def notebook_outputs(folder: Path) -> dict[str, str]:
    """Return an executed run's glued values, name -> plain-text repr."""
    notebook = json.loads((folder / f"{CHAPTER}.ipynb").read_text(encoding="utf-8"))
    return {o["metadata"]["scrapbook"]["name"]: o["data"]["application/papermill.record/text/plain"]
            for cell in notebook["cells"] for o in cell.get("outputs", [])
            if o.get("metadata", {}).get("scrapbook", {}).get("name")
            and "application/papermill.record/text/plain" in o.get("data", {})}


def chart_rows(folder: Path, name: str = "after-fig-timeline") -> pd.DataFrame:
    (rows,) = exported_spec(folder, name)["datasets"].values()
    return pd.DataFrame(rows)


def table(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / "tables" / f"{name}.csv", keep_default_na=False)


# -- layout -----------------------------------------------------------------------------------------------


def test_code_is_folded_and_each_parameter_says_what_it_means():
    cells = code_cells()
    assert cells[0].metadata["tags"] == ["remove-input"] and "import" in cells[0].source
    (parameters,) = [c for c in cells if "parameters" in c.metadata.get("tags", [])]
    assert parameters.metadata["tags"] == ["parameters", "hide-input"]
    declared = chapter_parameters(SOURCE)
    assert list(declared) == ["data_dir", "output_dir", "until_year", "confidence_levels"]
    assert all(p.meaning for p in declared.values())
    assert declared["until_year"].default == 0 and declared["confidence_levels"].default == ["direct", "second-hand"]
    long_cells = [c for c in cells if len(c.source.splitlines()) > 3]
    assert all({"hide-input", "remove-input"} & set(c.metadata.get("tags", [])) for c in long_cells)


def test_each_section_glues_its_numbers_in_one_call():
    source = SOURCE.read_text(encoding="utf-8")
    assert "publisher.number(" not in source
    for section in source.split("\n## "):
        assert section.count("publisher.numbers(") <= 1, section.splitlines()[0]


def test_the_chapter_follows_the_four_clusters_in_the_toc():
    from compendium.book.params import toc_chapters

    order = list(toc_chapters())
    assert order.index(CHAPTER) == order.index("sustainable-development") + 1


# -- the chapter's functions on crafted frames ------------------------------------------------------------


@pytest.mark.parametrize(("date", "precision", "end", "expected"), [
    ("2017-07-07", "day", None, "7 July 2017"),
    ("2025-01-01", "month", None, "January 2025"),
    ("2025-01-01", "year", None, "2025"),
    ("2016-04-12", "day", "2016-04-14", "12–14 April 2016"),
    ("2016-07-21", "day", "2016-10-05", "21 July – 5 October 2016"),
    ("2025-12-30", "day", "2026-01-02", "30 December 2025 – 2 January 2026"),
])
def test_date_text_says_the_date_as_precisely_as_the_source(chapter, date, precision, end, expected):
    assert chapter["date_text"](pd.Timestamp(date), precision, pd.Timestamp(end) if end else pd.NaT) == expected


def test_stack_rows_puts_marks_closer_than_the_gap_on_new_lines(chapter):
    frame = pd.DataFrame({
        "lane": ["A", "B", "A", "B", "A", "A", "B"],
        "date": pd.to_datetime(["2020-02-01", "2020-01-10", "2020-01-01", "2020-08-01", "2020-03-15",
                                "2020-04-01", "2020-10-01"]),
        "end_date": pd.to_datetime([None, "2020-06-30", None, None, None, None, None]),
    }, index=["a2", "b1", "a1", "b2", "a3", "a4", "b3"])
    lines = chapter["stack_rows"](frame, 90)
    # a2 is 31 days after a1, a3 74 and 43 days after them; a4 is 91 days after a1, so it returns to line 0;
    # b2 starts 32 days after the end of b1's range, b3 93 days after it
    assert lines.to_dict() == {"a2": 1, "b1": 0, "a1": 0, "b2": 1, "a3": 2, "a4": 0, "b3": 0}
    assert chapter["stack_rows"](frame, 30).to_dict() == {"a2": 0, "b1": 0, "a1": 0, "b2": 0, "a3": 0, "a4": 1,
                                                          "b3": 0}


def crafted(chapter) -> pd.DataFrame:
    return outcome_rows(
        {"outcome_id": "x-1", "date": "2015-09-11", "issue_ids": "unsg-leadership", "passage_ids": "p/1"},
        {"outcome_id": "x-2", "date": "2016-07-21", "end_date": "2016-10-05", "confidence": "second-hand",
         "cluster": 1, "passage_ids": "p/1;p/2"},
        {"outcome_id": "x-3", "date": "2017-01-01", "date_precision": "month", "value": 12.5, "year": 2017,
         "cluster": 4, "passage_ids": "p/3"},
        {"outcome_id": "x-4", "date": "2016-03-01", "confidence": "unverified", "cluster": 2, "passage_ids": "p/2"},
    )


def test_outcomes_shown_applies_the_cut_off_year_and_the_confidence_words(chapter):
    rows, valid, since = crafted(chapter), ["direct", "second-hand", "unverified"], pd.Timestamp("2015-05-07")
    shown = chapter["outcomes_shown"]
    assert list(shown(rows, 0, ["direct", "second-hand"], valid, since)["outcome_id"]) == ["x-1", "x-2", "x-3"]
    assert list(shown(rows, 2016, ["direct", "second-hand"], valid, since)["outcome_id"]) == ["x-1", "x-2"]
    assert list(shown(rows, 2016, valid, valid, since)["outcome_id"]) == ["x-1", "x-4", "x-2"]  # by date
    assert list(shown(rows, 0, ["second-hand"], valid, since)["outcome_id"]) == ["x-2"]
    with pytest.raises(ValueError, match="'verified' not among direct, second-hand, unverified"):
        shown(rows, 0, ["direct", "verified"], valid, since)
    with pytest.raises(ValueError, match="2010 is before the consultation \\(2015\\)"):
        shown(rows, 2010, ["direct"], valid, since)


def test_timeline_frame_gives_each_row_its_lane_kind_dates_and_sources(chapter):
    long = "A long event " + "that goes on " * 10 + "to the end."
    rows = crafted(chapter).assign(event=["One event.", long, "A figure.", "Other."])
    marks = chapter["timeline_frame"](rows).set_index("outcome_id")
    assert marks["lane"].to_dict() == {"x-1": theme.SECRETARY_GENERAL_LABEL, "x-2": theme.CLUSTER_LABELS[1],
                                       "x-3": theme.CLUSTER_LABELS[4], "x-4": theme.CLUSTER_LABELS[2]}
    assert marks["kind"].to_dict() == {"x-1": "Event", "x-2": "Event", "x-3": "Published figure", "x-4": "Event"}
    assert marks.loc["x-2", ["date", "end", "when"]].tolist() == ["2016-07-21", "2016-10-05",
                                                                 "21 July – 5 October 2016"]
    assert marks.loc["x-1", "end"] is None and marks.loc["x-3", "when"] == "January 2017"
    assert marks.loc["x-2", "passages"] == "p/1, p/2"
    # the tooltip gives an event's opening words; the tables give it whole
    assert marks.loc["x-1", "event"] == "One event."
    assert marks.loc["x-2", "event"].startswith("A long event that goes on") and marks.loc["x-2", "event"].endswith(" …")
    assert len(marks.loc["x-2", "event"]) <= 100 < len(long)
    assert marks.loc["x-1", ["document", "publisher", "confidence", "symbol"]].tolist() == [
        "A document", "A publisher", "direct", ""]


def test_timeline_title_states_the_span_the_busiest_year_and_its_largest_lane(chapter):
    sg, c1, c2 = theme.SECRETARY_GENERAL_LABEL, theme.CLUSTER_LABELS[1], theme.CLUSTER_LABELS[2]
    marks = pd.DataFrame({"date": ["2016-01-05", "2016-03-01", "2016-11-30", "2017-02-01", "2015-06-01"],
                          "lane": [c1, sg, sg, c2, c2]})
    assert chapter["timeline_title"](marks) == (
        f"5 events and figures, June 2015 to February 2017: the most in 2016 (3), led by {sg} (2)")
    tied = pd.DataFrame({"date": ["2018-01-01", "2018-05-01", "2017-01-01", "2017-02-01"], "lane": [c1, c2, c2, c1]})
    assert chapter["timeline_title"](tied) == (
        f"4 events and figures, January 2017 to May 2018: the most in 2017 (2), led by {c1} (1)")  # ties: earliest
    assert chapter["timeline_title"](marks.iloc[:0]) == "No row of the outcomes table matches the chapter's settings"


CLAIMS = pd.DataFrame({
    "claim_id": ["p/1#1", "b/1#1"], "passage_id": ["p/1", "b/1"], "section": ["cluster-9", "cluster-9"],
    "quote": ["The UN may act now", "Convene civil society"], "modality": ["hedged", "hedged"],
    "lead_in": [None, "x/lead"],
})
PASSAGES = pd.DataFrame({"passage_id": ["p/1", "p/2", "p/3", "b/1", "b/2", "x/lead"],
                         "text": ["The UN may act now.", "Other.", "The topics: drones and cyber.", "Convene civil "
                                  "society", "Unclaimed.", "An intro. The community could, for example:"]})


def test_concern_of_quotes_a_claim_after_its_lead_in_or_checked_agenda_words(chapter):
    concern = chapter["concern_of"]
    assert concern("b/1#1", CLAIMS, PASSAGES) == {
        "passage_id": "b/1", "claim_id": "b/1#1", "how": "Hedged",
        "words": "[The community could, for example:] Convene civil society"}
    assert concern("p/3: drones", CLAIMS, PASSAGES) == {
        "passage_id": "p/3", "claim_id": "", "words": "drones", "how": chapter["AGENDA"]}
    with pytest.raises(ValueError, match="not in passage p/3"):
        concern("p/3: tanks", CLAIMS, PASSAGES)


def test_readings_table_checks_each_pairing_and_fills_its_numbers_from_the_row(chapter):
    rows = outcome_rows(
        {"outcome_id": "o-1", "date": "2016-01-01", "passage_ids": "p/1", "value": 12.5, "year": 2016},
        {"outcome_id": "o-2", "date": "2017-01-01", "passage_ids": "p/2;p/1", "confidence": "second-hand",
         "symbol": "A/RES/1"},
        {"outcome_id": "o-3", "date": "2018-01-01", "passage_ids": "p/3", "cluster": 2},
    )
    readings = [("p/1#1", "o-1", "It was {row[value]:g} in {row[year]}, against {v[o-1][value]:g}."),
                ("p/1#1", "o-2", "As reported (second-hand), a resolution."),
                ("p/3: drones", "o-3", "A topic only.")]
    found = chapter["readings_table"](readings, rows, rows, CLAIMS, PASSAGES)
    assert list(found.columns) == chapter["READING_COLUMNS"]
    assert found["Row"].tolist() == ["o-1", "o-2", "o-3"]
    assert found["Reading"].tolist()[0] == "It was 12.5 in 2016, against 12.5."
    assert found.loc[1, ["The meeting (verbatim)", "Passage", "Claim", "How it is put", "Document (symbol)",
                         "Confidence"]].tolist() == ["The UN may act now", "p/1", "p/1#1", "Hedged",
                                                     "A document (A/RES/1)", "second-hand"]
    assert found.loc[0, "Document (symbol)"] == "A document"
    assert found.loc[2, ["The meeting (verbatim)", "Claim", "How it is put"]].tolist() == ["drones", "",
                                                                                          chapter["AGENDA"]]
    # a row the settings leave out is checked all the same, and not shown
    assert chapter["readings_table"](readings, rows[rows["outcome_id"] != "o-2"], rows, CLAIMS, PASSAGES)[
        "Row"].tolist() == ["o-1", "o-3"]
    for bad, message in [
        (("p/1#1", "o-9", "x"), "no row 'o-9'"),
        (("p/1#1", "o-3", "x"), "o-3 answers p/3, not p/1"),
        (("p/1#1", "o-2", "A resolution followed."), "the reading of o-2 \\(second-hand\\) must say so"),
    ]:
        with pytest.raises(ValueError, match=message):
            chapter["readings_table"]([bad], rows, rows, CLAIMS, PASSAGES)


def test_unanswered_lists_the_claimed_passages_no_row_names(chapter):
    rows = outcome_rows({"outcome_id": "o-1", "date": "2016-01-01", "passage_ids": "p/1;b/2"})
    assert chapter["unanswered"]("cluster-9", CLAIMS, rows) == ["b/1"]  # b/2 carries no claim
    assert chapter["unanswered"]("cluster-8", CLAIMS, rows) == []


def test_selection_and_needs_tables_keep_the_given_order_and_check_the_words(chapter):
    rows = crafted(chapter)
    stages = [("x-2", "Second"), ("x-1", "First"), ("x-9", "Not in the table")]
    found = chapter["selection_table"](stages, rows)
    assert found[["Row", "Stage", "Date", "Confidence"]].values.tolist() == [
        ["x-2", "Second", "21 July – 5 October 2016", "second-hand"], ["x-1", "First", "11 September 2015", "direct"]]
    needs = chapter["needs_table"]([("b/1#1", "civil society")], CLAIMS, PASSAGES)
    assert needs.iloc[0].tolist() == ["civil society", "[The community could, for example:] Convene civil society",
                                      "b/1#1", "b/1", "Hedged"]
    with pytest.raises(ValueError, match="'civic space' is not in its sentence"):
        chapter["needs_table"]([("b/1#1", "civic space")], CLAIMS, PASSAGES)


# -- the chapter's readings and prose against the real tables -------------------------------------------


def every_reading(chapter) -> list[tuple[str, str, str]]:
    return [reading for name in READINGS for reading in chapter[name]]


def test_every_reading_pairs_a_concern_with_a_row_that_answers_it(chapter, tables):
    outcomes = tables["outcomes"]
    found = chapter["readings_table"](every_reading(chapter), outcomes, outcomes, tables["claims"],
                                      tables["passages"])
    assert len(found) == len(every_reading(chapter))
    assert not found.duplicated(["Claim", "Passage", "Row"]).any()
    by_id = outcomes.set_index("outcome_id")
    for name, cluster in zip(READINGS, [None, 1, 2, 3, 4]):
        clusters = {by_id.loc[row, "cluster"] for _, row, _ in chapter[name]}
        assert clusters == ({pd.NA} if cluster is None else {cluster}), name


def test_readings_keep_the_sources_hedges_and_type_no_number(chapter, tables):
    claims, items = tables["claims"], tables["claim_items"]
    names = r"R2P|UN80|1961 Convention|Global Slavery Index 2014"  # names of norms, documents, bodies: not figures
    for concern, row, reading in every_reading(chapter):
        assert not re.search(r"\d", re.sub(names, "", re.sub(r"\{[^}]*\}", "", reading))), (row, reading)
    found = chapter["readings_table"](every_reading(chapter), tables["outcomes"], tables["outcomes"], claims,
                                      tables["passages"])
    problems = [str(f) for r in found.itertuples() for f in dropped_hedges(r.Reading, claims, r.Row, items)]
    assert problems == []


def test_every_row_of_the_secretary_generals_lane_is_a_stage_or_is_read(chapter, tables):
    outcomes = tables["outcomes"]
    lane = set(outcomes.loc[outcomes["cluster"].isna(), "outcome_id"])
    staged = [i for stages in chapter["SELECTIONS"].values() for i, _ in stages]
    read = [row for _, row, _ in chapter["SG_READINGS"]]
    assert sorted(staged + read) == sorted(lane)
    staged_rows = outcomes[outcomes["outcome_id"].isin(staged)]
    assert (staged_rows["issue_ids"] == "unsg-leadership").all()
    assert staged_rows.set_index("outcome_id").loc[[i for i, _ in chapter["SELECTIONS"][2016]], "date"].dt.year.le(
        2016).all()


# The confidence word the prose gives each row it describes ("(direct)", "as reported (second-hand)"): a change in
# the table that weakens one of them fails here, and the sentence must be rewritten.
PROSE_CONFIDENCE = {
    "direct": ["r2p-05", "r2p-07", "r2p-09", "ps-01", "ps-04", "ps-15", "ps-24", "ig-01", "ig-05", "ig-06", "ig-08",
               "ig-10", "ig-12", "ig-14", "ig-17", "ig-25", "ig-27", "sd-11", "sd-15", "sd-26"],
    "second-hand": ["r2p-08", "r2p-15", "r2p-16", "ps-09", "ps-20", "ps-21", "ps-23", "ig-20", "ig-29", "ig-34",
                    "sd-28", "sd-30"],
}


def test_the_prose_gives_each_row_it_describes_its_confidence(tables):
    confidence = tables["outcomes"].set_index("outcome_id")["confidence"]
    assert {word: [confidence[i] for i in ids] for word, ids in PROSE_CONFIDENCE.items()} == {
        word: [word] * len(ids) for word, ids in PROSE_CONFIDENCE.items()}


def test_the_table_holds_no_un_decision_on_wealth_inequality(tables):
    # the cluster 4 prose says so
    outcomes = tables["outcomes"]
    inequality = outcomes[outcomes["issue_ids"].str.split(";").map(lambda ids: "inequality" in ids)]
    assert len(inequality) and not inequality["publisher"].str.contains(r"United Nations|\bUN\b").any()


def test_the_word_independence_is_not_in_the_summary(document):
    assert not re.search(r"(?i)independen", document.raw)


# -- the executed chapter ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(executed_run) -> Path:
    return executed_run(CHAPTER).folder


def test_chapter_exports_its_chart_and_tables(folder):
    assert {p.name for p in (folder / "charts").glob("*.vl.json")} == {"after-fig-timeline.vl.json"}
    assert {p.stem for p in (folder / "tables").glob("*.csv")} == set(TABLES)


def test_timeline_title_tooltips_and_colours(folder, tables):
    spec, rows = exported_spec(folder, "after-fig-timeline"), chart_rows(folder)
    outcomes = tables["outcomes"]
    years = outcomes["date"].dt.year
    busiest = years.value_counts().sort_index().idxmax()
    lanes = outcomes[years == busiest]["cluster"].map(
        lambda c: theme.SECRETARY_GENERAL_LABEL if pd.isna(c) else theme.CLUSTER_LABELS[int(c)]).value_counts()
    assert title_text(spec) == (
        f"{len(outcomes)} events and figures, {outcomes['date'].min():%B %Y} to {outcomes['date'].max():%B %Y}: "
        f"the most in {busiest} ({(years == busiest).sum()}), led by {lanes.idxmax()} ({lanes.max()})")
    assert title_text(spec).startswith("73 events and figures, May 2015 to April 2026: the most in 2016 (11)")
    assert {"when", "event", "document", "symbol", "publisher", "confidence", "passages",
            "outcome_id"} <= tooltip_fields(spec)
    assert spec["description"].startswith(f"Timeline of {len(outcomes)} later events")
    colours = [layer["encoding"]["color"]["scale"] for layer in spec["layer"] if "color" in layer.get("encoding", {})]
    assert colours and all(c == {"domain": [theme.SECRETARY_GENERAL_LABEL, *theme.CLUSTER_LABELS.values()],
                                 "range": theme.CLUSTER_COLOURS} for c in colours)
    assert sorted(rows["outcome_id"]) == sorted(outcomes["outcome_id"])
    by_id = outcomes.set_index("outcome_id")
    assert (rows.set_index("outcome_id")["confidence"] == by_id["confidence"]).all()
    assert (rows["publisher"].str.len() > 0).all() and (rows["document"].str.len() > 0).all()
    expected_lane = by_id["cluster"].map(
        lambda c: theme.SECRETARY_GENERAL_LABEL if pd.isna(c) else theme.CLUSTER_LABELS[int(c)])
    assert (rows.set_index("outcome_id")["lane"] == expected_lane).all()


def test_no_two_marks_of_a_lane_overlap_on_one_line(folder, chapter):
    rows = chart_rows(folder).assign(start=lambda f: pd.to_datetime(f["date"]),
                                     stop=lambda f: pd.to_datetime(f["end"].fillna(f["date"])))
    for _, line in rows.sort_values("start").groupby(["lane", "line"]):
        gaps = (line["start"].iloc[1:].to_numpy() - line["stop"].iloc[:-1].to_numpy()) / pd.Timedelta(days=1)
        assert (gaps >= chapter["MIN_GAP_DAYS"]).all()


def rows_in_tables(folder: Path) -> set[str]:
    """Return the outcome rows shown in any of the chapter's tables."""
    return {row for name in TABLES[1:] for row in table(folder, name)["Row"]}


def test_every_row_shown_carries_its_source_and_confidence(folder, tables):
    outcomes = tables["outcomes"].set_index("outcome_id")
    for name in TABLES[1:]:
        shown = table(folder, name)
        (document,) = [c for c in shown.columns if c.startswith("Document")]
        assert (shown["Confidence"] == outcomes.loc[shown["Row"], "confidence"].to_numpy()).all(), name
        assert (shown["Publisher"] == outcomes.loc[shown["Row"], "publisher"].to_numpy()).all(), name
        assert [d.startswith(o) for d, o in zip(shown[document], outcomes.loc[shown["Row"], "document"])] == [
            True] * len(shown), name
        if "Address" in shown:
            assert (shown["Address"] == outcomes.loc[shown["Row"], "address"].to_numpy()).all(), name
    # every row of the table is in one of the chapter's tables, and the last lists only those no other shows
    assert rows_in_tables(folder) == set(outcomes.index)
    others = set(table(folder, "after-other-rows")["Row"])
    assert others and not others & {row for name in TABLES[1:-1] for row in table(folder, name)["Row"]}


def test_readings_quote_the_meeting_verbatim_and_name_second_hand_rows(folder, tables):
    claims = tables["claims"].set_index("claim_id")
    texts = tables["passages"].set_index("passage_id")["text"]
    outcomes = tables["outcomes"].set_index("outcome_id")
    shown = pd.concat([table(folder, name) for name in TABLES if name.endswith("-readings")], ignore_index=True)
    for r in shown.itertuples():
        words = r._1  # "The meeting (verbatim)"
        if r.Claim:
            assert words.endswith(claims.loc[r.Claim, "quote"]) and r.Passage == claims.loc[r.Claim, "passage_id"]
        else:
            assert words in texts[r.Passage]
        assert r.Passage in outcomes.loc[r.Row, "passage_ids"].split(";")
        if r.Confidence != "direct":
            assert r.Confidence in r.Reading, r.Row


def test_the_selections_are_stated_from_their_rows(folder, tables):
    first, second = table(folder, "after-selection-2016"), table(folder, "after-selection-2026")
    assert first["Row"].tolist() == ["sg-01", "sg-03", "sg-04", "sg-11", "sg-08", "sg-13", "sg-14"]
    assert first.set_index("Row").loc["sg-13", "Symbol"] == "S/RES/2311 (2016)"
    assert first.set_index("Row").loc["sg-01", "Symbol"] == "A/RES/69/321"
    assert second["Row"].tolist() == ["sg-27", "sg-29", "sg-30"] and set(second["Confidence"]) == {"second-hand"}
    assert not any("score" in c.lower() for c in [*first.columns, *second.columns])
    needs = table(folder, "after-needs")
    claims = tables["claims"].set_index("claim_id")
    assert needs["Claim"].tolist() == ["key-findings/b4#1", "key-findings/b4#2", "key-findings/b4#2",
                                       "key-findings/b1#1", "cluster-4/p6#2", "final-remarks/p1#1",
                                       "final-remarks/p1#2", "final-remarks/p1#3"]
    for r in needs.itertuples():
        assert r._1 in claims.loc[r.Claim, "quote"] and r._2.endswith(claims.loc[r.Claim, "quote"])
    assert needs.set_index("Claim").loc["cluster-4/p6#2", "How it is put"] == "Reported view"


def test_glued_numbers_are_computed_from_the_tables(folder, tables):
    glued, outcomes = notebook_outputs(folder), tables["outcomes"]
    counts = outcomes["confidence"].value_counts()
    expected = {
        "after-date": "'7 May 2015'",
        "after-n-rows": str(len(outcomes)),
        "after-n-direct": str(counts["direct"]),
        "after-n-second-hand": str(counts["second-hand"]),
        "after-n-unverified": "0",
        "after-first": "'May 2015'",
        "after-last": "'April 2026'",
        "after-n-shown": str(len(outcomes)),
        "after-n-needs": "8",
        "after-n-needs-asserted": "6",
        "after-n-independence": "0",
        "after-resolution": "'A/RES/69/321'",
        "after-recommendation": "'S/RES/2311'",
        "after-when-sg-14": "'13 October 2016'",
        "after-conf-sg-11": "'second-hand'",
        "after-conf-sg-13-14": "'direct'",
        "after-n-next-second-hand": "3",
        "after-c1-open": "'cluster-1/b2, cluster-1/b3 and cluster-1/b4'",  # the prose names these three bullets
        "after-c4-open": "'cluster-4/p3'",  # the prose names this passage
        "after-c2-warheads-2015": "15850",
        "after-c4-appeal-peak": "'US$51.5 billion'",
        "after-c4-appeal-last-confidence": "'second-hand'",
        "after-n-other-rows": str(len(table(folder, "after-other-rows"))),
        "after-n-in-tables": str(len(outcomes) - len(table(folder, "after-other-rows"))),
    }
    assert {name: glued[name] for name in expected} == expected
    for cluster in (1, 2, 3, 4):
        rows = outcomes[outcomes["cluster"] == cluster]
        assert glued[f"after-c{cluster}-n-rows"] == str(len(rows))
        assert glued[f"after-c{cluster}-n-direct"] == str((rows["confidence"] == "direct").sum())


# -- the chapter, rerun with other settings ----------------------------------------------------------------


@pytest.mark.chapters
def test_settings_choose_the_rows_and_bad_settings_fail_with_the_valid_values(tmp_path, tables, folder):
    results = run_plans(
        tmp_path,
        early=runner.plan_runs([CHAPTER], {"until_year": 2017}),
        direct=runner.plan_runs([CHAPTER], {"confidence_levels": ["direct"]}),
        bad_word=runner.plan_runs([CHAPTER], {"confidence_levels": ["direct", "verified"]}),
        too_early=runner.plan_runs([CHAPTER], {"until_year": 2010}),
    )
    outcomes = tables["outcomes"]

    early = results["early"]
    assert early.status == "ok", early.error
    kept = outcomes[outcomes["date"].dt.year <= 2017]
    rows = chart_rows(early.folder)
    assert sorted(rows["outcome_id"]) == sorted(kept["outcome_id"]) and len(rows) < len(outcomes)
    assert title_text(exported_spec(early.folder, "after-fig-timeline")).startswith(
        f"{len(kept)} events and figures, May 2015 to {kept['date'].max():%B %Y}: the most in 2016 (11)")
    assert table(early.folder, "after-selection-2026").empty
    assert table(early.folder, "after-selection-2016")["Row"].tolist() == table(folder, "after-selection-2016")[
        "Row"].tolist()
    assert rows_in_tables(early.folder) == set(kept["outcome_id"])
    for name in TABLES:
        if name.endswith("-readings"):
            assert set(table(early.folder, name)["Row"]) <= set(kept["outcome_id"])
    assert set(table(early.folder, "after-c1-readings")["Row"]) == {"r2p-03", "r2p-05", "r2p-07", "r2p-08"}
    # the prose's numbers describe the whole table whatever the settings
    assert notebook_outputs(early.folder)["after-n-rows"] == str(len(outcomes))
    assert notebook_outputs(early.folder)["after-n-shown"] == str(len(kept))

    direct = results["direct"]
    assert direct.status == "ok", direct.error
    assert set(chart_rows(direct.folder)["confidence"]) == {"direct"}
    assert rows_in_tables(direct.folder) == set(outcomes.loc[outcomes["confidence"] == "direct", "outcome_id"])
    assert table(direct.folder, "after-selection-2026").empty
    assert "sg-11" not in set(table(direct.folder, "after-selection-2016")["Row"])

    for name, words in [("bad_word", ["'verified' not among direct, second-hand, unverified"]),
                        ("too_early", ["2010 is before the consultation (2015)", "use 0 for every year"])]:
        result = results[name]
        assert result.status == "failed"
        assert all(w in result.error["evalue"] for w in words), result.error
