"""The parser on the real source, on varied whitespace, and on malformed input."""

from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compendium import paths
from compendium.cli import main
from compendium.errors import SourceError
from compendium.data.source import (
    LOST_CHART_CAPTIONS,
    SECTION_IDS,
    SURVEY_ACTORS,
    TYPOLOGY_GROUPS,
    TYPOLOGY_OUTLOOKS,
    key_questions,
    parse_source,
    parse_text,
    parse_typology,
    participant_fields,
    passages_frame,
    split_actors,
    survey_table,
)

# Block counts per section, read off the source by eye: (paragraphs, bullets, captions, header, rows).
EXPECTED_COUNTS = {
    "opening": (2, 0, 0, 0, 0),
    "key-findings": (1, 4, 0, 0, 0),
    "summary": (2, 0, 0, 0, 0),
    "cluster-1": (3, 5, 0, 0, 0),
    "cluster-2": (5, 0, 0, 0, 0),
    "cluster-3": (7, 0, 0, 0, 0),
    "cluster-4": (6, 0, 0, 0, 0),
    "final-remarks": (1, 0, 0, 0, 0),
    "annex-a": (1, 0, 5, 1, 11),
}


def test_raw_copy_is_the_shared_source_byte_for_byte():
    shared = paths.ROOT.parent / "shared" / "source" / "meeting-summary.txt"
    if not shared.exists():
        pytest.skip("the shared source folder is not beside this checkout")
    assert paths.RAW_SOURCE.read_bytes() == shared.read_bytes()


def test_data_readme_records_the_raw_files_sha256():
    digest = hashlib.sha256(paths.RAW_SOURCE.read_bytes()).hexdigest()
    assert digest in (paths.DATA_DIR / "README.md").read_text(encoding="utf-8")


def test_every_section_found_in_order(document):
    assert [s.id for s in document.sections] == list(SECTION_IDS)
    assert document.title.startswith("Updating the Rules and Infrastructure for Globalization")


@pytest.mark.parametrize("section_id", list(EXPECTED_COUNTS))
def test_block_counts_per_section(document, section_id):
    section = document.section(section_id)
    counts = tuple(section.kind_count(k) for k in ("paragraph", "bullet", "caption", "header", "row"))
    assert counts == EXPECTED_COUNTS[section_id]


def test_offsets_slice_back_to_every_block(document):
    for block in document.blocks:
        assert document.raw[block.start : block.end] == block.text
        assert block.text == block.text.strip()
        assert document.raw.split("\n")[block.line - 1].find(block.text.split("\n")[0]) >= 0


def test_ids_are_unique_and_stable_across_runs(document):
    again = parse_source(paths.RAW_SOURCE)
    ids = [b.id for b in document.blocks]
    assert ids == [b.id for b in again.blocks]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z0-9-]+/[pbchr]\d+", i) for i in ids)


def test_known_ids_point_at_known_text(document):
    assert document.block("key-findings/b2").text.startswith("There are significant gaps in collective action")
    assert document.block("cluster-3/p4").text.startswith("The negative discourse in many regions on migration")
    assert document.block("cluster-1/b5").text.startswith("Re-open the issue of compliance mechanisms")


def test_key_finding_bullets_drop_the_stray_asterisk(document):
    for block in document.section("key-findings").blocks:
        assert not block.text.endswith("*")
        assert not block.text.startswith("- ")


def test_passages_table_on_disk_matches_the_model(document):
    on_disk = pd.read_csv(paths.PASSAGES_CSV, keep_default_na=False)
    pd.testing.assert_frame_equal(on_disk, passages_frame(document), check_dtype=False)


def test_lost_charts_keep_their_captions(document):
    captions = [b.plain for b in document.section("annex-a").blocks if b.kind == "caption"]
    assert set(LOST_CHART_CAPTIONS) <= set(captions)


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("CSOs, IFIs, and UN/UN agencies", ["CSOs", "IFIs", "UN/UN agencies"]),
        ("Regional organizations and UN/UN agencies", ["Regional organizations", "UN/UN agencies"]),
        ("Think tanks", ["Think tanks"]),
    ],
)
def test_compound_cells_split(cell, names):
    assert split_actors(cell) == names


def test_survey_table_has_one_row_per_issue_and_actor(document):
    table = survey_table(document)
    assert table["issue_label"].nunique() == 11
    assert len(table) == 14  # 9 single-actor rows, one with three actors, one with two
    assert set(table["actor_id"]) <= set(SURVEY_ACTORS.values())
    health = table[table["issue_label"] == "Disease / public health"]
    assert list(health["actor_id"]) == ["civil-society", "ifis", "un-system"]
    assert not table.duplicated(["issue_label", "actor_id"]).any()


# -- whitespace variation (property-based) ---------------------------------------------------

blank_runs = st.lists(st.sampled_from(["", " ", "  ", "\t "]), min_size=1, max_size=3)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_offsets_survive_varied_blank_lines_and_trailing_spaces(document, data):
    """Vary blank-line runs and trailing spaces: ids and texts stay, offsets still slice back."""
    out: list[str] = []
    for line in document.raw.split("\n"):
        if line.strip():
            out.append(line + data.draw(st.sampled_from(["", " ", "  ", " \t"]), label="trail"))
        else:
            out.extend(data.draw(blank_runs, label="blanks"))
    raw = "\n".join(out)
    varied = parse_text(raw)
    assert [b.id for b in varied.blocks] == [b.id for b in document.blocks]
    for mine, theirs in zip(varied.blocks, document.blocks):
        assert raw[mine.start : mine.end] == mine.text
        assert mine.plain == theirs.plain


# -- malformed input ---------------------------------------------------------------------------

def _source_text() -> str:
    return paths.RAW_SOURCE.read_text(encoding="utf-8")


MALFORMED = {
    "missing file": (None, "file not found"),
    "empty file": (b"", "file is empty"),
    "blank lines only": (b"\n\n  \n", "file is empty"),
    "not UTF-8": (_source_text().encode("cp1252", errors="replace"), "not valid UTF-8"),
    "heading missing": (_source_text().replace("\nSummary of Issues Raised\n", "\n").encode(), "'Summary of Issues Raised' is missing or renamed"),
    "heading renamed": (_source_text().replace("\nFinal remarks\n", "\nClosing remarks\n").encode(), "'Final remarks' is missing or renamed"),
    "annex row without tab": (_source_text().replace("Migration\tRegional", "Migration Regional").encode(), "without its tab"),
    "annex table removed": (re.sub(r"Issue\t.*?\n\n", "\n", _source_text(), flags=re.S).encode(), "has no 'Best placed actors by issue' table"),
    "unknown survey actor": (_source_text().replace("Maritime security\tUnited States", "Maritime security\tNavies").encode(), "unknown actor 'Navies'"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_input_names_file_and_problem(tmp_path, case):
    content, message = MALFORMED[case]
    path = tmp_path / "summary.txt"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(SourceError) as err:
        parse_source(path)
    assert str(path) in str(err.value)
    assert message in str(err.value)


def test_row_without_tab_names_the_line(tmp_path):
    path = tmp_path / "summary.txt"
    text = _source_text().replace("Migration\tRegional", "Migration Regional")
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourceError) as err:
        parse_source(path)
    assert err.value.line == text.split("\n").index("Migration Regional organizations") + 1


@pytest.mark.parametrize("case", list(MALFORMED))
def test_cli_reports_bad_input_without_traceback_and_writes_nothing(tmp_path, capsys, case):
    content, message = MALFORMED[case]
    source, out = tmp_path / "summary.txt", tmp_path / "passages.csv"
    if content is not None:
        source.write_bytes(content)
    status = main(["passages", "--source", str(source), "--out", str(out)])
    err = capsys.readouterr().err
    assert status != 0
    assert err.startswith("error: ") and str(source) in err and message in err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == ([source] if content is not None else [])


def test_cli_writes_passages(tmp_path, capsys):
    out = tmp_path / "passages.csv"
    assert main(["passages", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == paths.PASSAGES_CSV.read_text(encoding="utf-8")


# -- the groups and outlooks of cluster-2/p2 -------------------------------------------------


def test_typology_is_parsed_from_the_passage_not_typed(document):
    text = document.block("cluster-2/p2").plain
    lists = parse_typology(text, "cluster-2/p2")
    groups = lists[lists["list"] == TYPOLOGY_GROUPS]
    outlooks = lists[lists["list"] == TYPOLOGY_OUTLOOKS]
    assert list(groups["item"]) == ["rule takers", "rule breakers", "rule shapers"]
    assert list(outlooks["item"]) == ["if it ain't broke, don't fix it", "ambitions to reshape global institutions",
                                      "ambitions to create alternative institutions as competitors"]
    assert list(lists["position"]) == [1, 2, 3, 1, 2, 3]
    assert all(quote in text for quote in lists["quote"]) and all(item in text for item in lists["item"])
    assert set(lists["passage_id"]) == {"cluster-2/p2"}


def test_typology_reads_any_number_of_groups_and_outlooks():
    text = ("There may be two groups of countries: the rule makers and the rule followers. "
            "The groups have outlooks: 1) keep it; 2) change it, slowly.")
    lists = parse_typology(text, "x/p1")
    assert lists[["list", "position", "item"]].values.tolist() == [
        [TYPOLOGY_GROUPS, 1, "rule makers"], [TYPOLOGY_GROUPS, 2, "rule followers"],
        [TYPOLOGY_OUTLOOKS, 1, "keep it"], [TYPOLOGY_OUTLOOKS, 2, "change it, slowly"],
    ]
    assert lists["quote"].tolist()[0] == "There may be two groups of countries: the rule makers and the rule followers."


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Some countries make rules. Outlooks: 1) keep it; 2) change it.", "groups"),
        ("There are the rule makers and the rule followers. They disagree.", "outlooks"),
        ("There are the rule makers. Outlooks 1) keep it; 2) change it.", "outlooks"),  # no colon before the list
        ("", "groups"),
    ],
)
def test_typology_without_a_list_names_the_passage_and_what_is_missing(text, missing):
    with pytest.raises(ValueError, match=rf"x/p9: no sentence lists the {missing}"):
        parse_typology(text, "x/p9")


# -- the opening's fields and key questions ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Experts in the fields of law. More.", ["law"]),
        ("Experts in the fields of law and order. More.", ["law", "order"]),
        ("Experts in the fields of a, b, and c.", ["a", "b", "c"]),
    ],
)
def test_participant_fields_splits_the_list(text, expected):
    assert participant_fields(text, "x/p1") == expected


@pytest.mark.parametrize("text", ["No list here.", "Experts in the fields of law", ""])
def test_participant_fields_without_a_list_names_the_passage(text):
    with pytest.raises(ValueError, match=r"'x/p1' names no 'fields of"):
        participant_fields(text, "x/p1")


def test_participant_fields_of_the_opening(document):
    opening = document.block("opening/p1")
    assert participant_fields(opening.plain, opening.id) == ["diplomacy", "security", "development", "law"]


def test_key_questions_are_numbered_and_verbatim():
    text = "Two key questions: why act?; and who acts? Then more text."
    questions = key_questions(text, "x/p1")
    assert questions.to_dict("list") == {"number": [1, 2], "question": ["why act?", "who acts?"],
                                         "passage_id": ["x/p1", "x/p1"]}


@pytest.mark.parametrize("text", ["No questions here.", "Key questions: none asked.", ""])
def test_key_questions_without_a_list_names_the_passage(text):
    with pytest.raises(ValueError, match=r"'x/p1' lists no 'questions"):
        key_questions(text, "x/p1")


def test_key_questions_of_the_opening(document):
    opening = document.block("opening/p1")
    questions = key_questions(opening.plain, opening.id)
    assert len(questions) == 3
    assert questions["question"].iloc[0].startswith("in what areas")
    assert questions["question"].iloc[-1] == "does the UNSG have a role to play?"
    assert all(q in opening.plain for q in questions["question"])
