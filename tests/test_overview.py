"""The introduction's frames and charts: crafted inputs with known answers, then the real data,
then the chapter itself rerun with changed settings."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, title_text, tooltip_fields

from compendium import overview
from compendium.book import runner

pytestmark = pytest.mark.usefixtures("theme")


class FakeDocument:
    """Stands in for a Document where a function only reads blocks by id."""

    def __init__(self, **texts: str):
        self.texts = {k.replace("_", "/"): v for k, v in texts.items()}

    def block(self, block_id: str):
        return SimpleNamespace(id=block_id, plain=self.texts[block_id])


def claims_frame(rows):
    columns = ["claim_id", "passage_id", "section", "cluster", "issue_id"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.assign(cluster=frame["cluster"].astype("Int64"))


# -- what the consultation was --------------------------------------------------------------


def test_consultation_date_is_written_out():
    figures = pd.DataFrame({"figure_id": ["consultation-date", "x"], "date": ["2015-05-07", ""]})
    assert overview.consultation_date(figures) == "7 May 2015"
    other = pd.DataFrame({"figure_id": ["d"], "date": ["2020-12-31"]})
    assert overview.consultation_date(other, "d") == "31 December 2020"


def test_consultation_date_from_the_figures_table(tables):
    assert overview.consultation_date(tables["figures"]) == "7 May 2015"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Experts in the fields of law. More.", ["law"]),
        ("Experts in the fields of law and order. More.", ["law", "order"]),
        ("Experts in the fields of a, b, and c.", ["a", "b", "c"]),
    ],
)
def test_participant_fields_crafted(text, expected):
    assert overview.participant_fields(FakeDocument(opening_p1=text)) == expected


def test_participant_fields_missing_raises():
    with pytest.raises(ValueError, match="fields of"):
        overview.participant_fields(FakeDocument(opening_p1="No list here."))


def test_participant_fields_real(document):
    assert overview.participant_fields(document) == ["diplomacy", "security", "development", "law"]


def test_key_questions_crafted():
    doc = FakeDocument(opening_p1="Two key questions: why act?; and who acts? Then more text.")
    questions = overview.key_questions(doc)
    assert list(questions["question"]) == ["why act?", "who acts?"]
    assert list(questions["number"]) == [1, 2]


def test_key_questions_missing_raises():
    with pytest.raises(ValueError, match="questions"):
        overview.key_questions(FakeDocument(opening_p1="No questions here."))


def test_key_questions_real_are_verbatim(document):
    questions = overview.key_questions(document)
    assert len(questions) == 3
    assert questions["question"].iloc[-1] == "does the UNSG have a role to play?"
    assert all(q in document.block("opening/p1").plain for q in questions["question"])
    markdown = overview.questions_markdown(questions).data
    assert markdown.startswith("1. “in what areas") and markdown.count("`opening/p1`") == 3


# -- key findings -----------------------------------------------------------------------------


def test_finding_chapters_crafted():
    claims = claims_frame(
        [
            # b1: one claim in cluster 4, two in cluster 2 -> peace-security first
            ("k/b1#1", "key-findings/b1", "key-findings", 4, "i4"),
            ("k/b1#2", "key-findings/b1", "key-findings", 2, "i2"),
            ("k/b1#3", "key-findings/b1", "key-findings", 2, "i2"),
            # b2: a tie, broken by the cluster named first
            ("k/b2#1", "key-findings/b2", "key-findings", 3, "i3"),
            ("k/b2#2", "key-findings/b2", "key-findings", 1, "i1"),
            # b3: cross-cutting; its issue returns in cluster 1 and the final remarks
            ("k/b3#1", "key-findings/b3", "key-findings", None, "lead"),
            ("c/p1#1", "cluster-1/p1", "cluster-1", 1, "lead"),
            ("f/p1#1", "final-remarks/p1", "final-remarks", None, "lead"),
            # the lead-in paragraph is not a finding
            ("k/p1#1", "key-findings/p1", "key-findings", None, "x"),
        ]
    )
    mapping = overview.finding_chapters(claims).set_index("passage_id")
    assert list(mapping.index) == ["key-findings/b1", "key-findings/b2", "key-findings/b3"]
    assert mapping.loc["key-findings/b1", "targets"] == ["peace-security", "sustainable-development"]
    assert mapping.loc["key-findings/b1", "clusters"] == [(2, 2), (4, 1)]
    assert mapping.loc["key-findings/b2", "targets"] == ["illicit-globalization", "r2p-human-rights"]
    assert mapping.loc["key-findings/b3", "targets"] == ["r2p-human-rights", "final-remarks"]
    assert mapping.loc["key-findings/b3", "via"] == "issue"


def test_finding_note_links_chapters_and_sections():
    labels = pd.Series({"lead": "Leadership"})
    row = pd.Series({"targets": ["peace-security", "final-remarks", "summary"], "via": "issue",
                     "issues": ["lead"], "clusters": []})
    assert overview.finding_note(row, labels) == (
        "Its coded claims are cross-cutting (Leadership), tied to no one cluster; the theme returns in "
        "{doc}`peace-security`, {ref}`intro-final-remarks` and the section `summary`."
    )
    row = pd.Series({"targets": ["r2p-human-rights"], "via": "cluster", "issues": ["x"], "clusters": [(1, 2)]})
    assert overview.finding_note(row, labels) == (
        "Its coded claims concern cluster 1 (2 claims). Read more in {doc}`r2p-human-rights`."
    )


def test_finding_chapters_real(tables):
    mapping = overview.finding_chapters(tables["claims"]).set_index("passage_id")
    assert mapping["targets"].to_dict() == {
        "key-findings/b1": ["r2p-human-rights", "sustainable-development"],
        "key-findings/b2": ["illicit-globalization", "sustainable-development"],
        "key-findings/b3": ["peace-security"],
        "key-findings/b4": ["final-remarks"],
    }
    # every cluster chapter develops at least one finding
    assert set(overview.CLUSTER_CHAPTERS.values()) <= {t for ts in mapping["targets"] for t in ts}


def test_findings_markdown_quotes_and_links(document, tables):
    mapping = overview.finding_chapters(tables["claims"])
    text = overview.findings_markdown(document, mapping, tables["issues"]).data
    for block in document.section("key-findings").blocks:
        if block.kind == "bullet":
            assert f"{block.plain}\n\n-- CIC meeting summary, 7 May 2015, passage `{block.id}`" in text
    assert "{doc}`r2p-human-rights`" in text and "{doc}`peace-security`" in text
    assert "cluster 3 (3 claims) and cluster 4 (3 claims)" in text
    assert "{ref}`intro-final-remarks`" in text and "Leadership of the Secretary-General" in text


def test_intro_claims_keeps_only_findings_and_final_remarks(tables):
    covered = overview.intro_claims(tables["claims"])
    assert set(covered["section"]) == {"key-findings", "final-remarks"}
    assert len(covered) == tables["claims"]["section"].isin(["key-findings", "final-remarks"]).sum()


# -- words by section ---------------------------------------------------------------------------


def test_section_words_orders(document):
    as_printed = overview.section_words(document)
    longest_first = overview.section_words(document, "words")
    assert list(as_printed["section"]) == [s.id for s in document.sections]
    assert list(longest_first["words"]) == sorted(as_printed["words"], reverse=True)
    assert longest_first["section"].iloc[0] == "cluster-4"
    assert as_printed["share"].sum() == pytest.approx(1)
    assert (as_printed["part"] == "Cluster").sum() == 4
    assert as_printed.set_index("section").loc["cluster-3", "label"] == "Cluster 3: Illicit globalization"


def test_section_words_bad_order_names_the_choices(document):
    with pytest.raises(ValueError, match="document, words"):
        overview.section_words(document, "alphabetical")


def test_words_title_crafted():
    words = pd.DataFrame(
        {"label": ["A", "Cluster 1: X", "Cluster 2: Y"], "part": ["Other section", "Cluster", "Cluster"],
         "words": [50, 30, 20], "share": [0.5, 0.3, 0.2]}
    )
    assert overview.cluster_share(words) == pytest.approx(0.5)
    assert overview.words_title(words) == "The 2 clusters hold 50% of the words; the longest section is A (50%)"
    assert overview.semicolon_lines(overview.words_title(words)) == [
        "The 2 clusters hold 50% of the words;", "the longest section is A (50%)"
    ]


def test_words_chart_real(document):
    words = overview.section_words(document)
    spec = chart_spec(overview.words_chart(words))
    share = words.loc[words["part"] == "Cluster", "words"].sum() / words["words"].sum()
    assert title_text(spec).startswith(f"The 4 clusters hold {share:.0%} of the words;")
    assert title_text(spec).endswith("the longest section is Cluster 4: Sustainable development (21%)")
    assert spec["description"]
    assert {"heading", "ids", "words"} <= tooltip_fields(spec)


# -- actors by cluster --------------------------------------------------------------------------


def crafted_mentions(min_mentions: int) -> pd.DataFrame:
    passages = pd.DataFrame(
        {
            "passage_id": ["cluster-1/p1", "cluster-2/p1", "key-findings/b1"],
            "section": ["cluster-1", "cluster-2", "key-findings"],
            "text": ["The UN and the UN again; states.", "The UN acts.", "The UN, the UN, the UN."],
        }
    )
    actors = pd.DataFrame(
        {"actor_id": ["un", "states"], "label": ["The UN", "States"], "terms": ["UN", "states"]}
    )
    return overview.cluster_actor_mentions(passages, actors, min_mentions)


def test_cluster_actor_mentions_crafted():
    every = crafted_mentions(1)
    counts = every.set_index(["cluster", "actor_id"])["mentions"]
    assert counts[(1, "un")] == 2 and counts[(2, "un")] == 1 and counts[(1, "states")] == 1
    assert counts[(3, "un")] == 0  # zeros kept; the key findings are not a cluster
    assert set(crafted_mentions(2)["actor_id"]) == {"un"}
    assert crafted_mentions(4).empty
    assert overview.actors_title(crafted_mentions(4)) == "No actor reaches the threshold in any cluster"


def test_actors_title_crafted():
    assert overview.actors_title(crafted_mentions(1)) == (
        "Named most: The UN (3 times, in 2 of 4 clusters); cluster 1 names the widest cast (2 actors)"
    )


def test_actor_threshold_real(tables):
    shown = overview.cluster_actor_mentions(tables["passages"], tables["actors"], 2)
    totals = shown.groupby("actor_id")["mentions"].sum()
    assert (totals >= 2).all() and len(totals) == 10
    assert totals.idxmax() == "un-system"


def test_peace_and_security_names_most_actors_but_in_passing(tables):
    # the chapter's prose says so; a change in the data or lexicon that breaks it fails here
    every = overview.cluster_actor_mentions(tables["passages"], tables["actors"], 1)
    named = every[every["mentions"] > 0].groupby("cluster")["actor_id"].nunique()
    assert named.idxmax() == 2
    shown = overview.cluster_actor_mentions(tables["passages"], tables["actors"], 2)
    cast = shown[shown["mentions"] > 0].groupby("cluster")["actor_id"].nunique()
    assert cast.idxmax() == 3


def test_actors_chart_real(tables):
    mentions = overview.cluster_actor_mentions(tables["passages"], tables["actors"], 2)
    spec = chart_spec(overview.actors_chart(mentions))
    assert title_text(spec) == (
        "Named most: UN and UN agencies (15 times, in all 4 clusters); "
        "cluster 3 names the widest cast (9 actors)"
    )
    assert spec["description"]
    assert {"actor", "mentions", "passages"} <= tooltip_fields(spec)


# -- claim types ----------------------------------------------------------------------------------


def test_leading_types_and_title_crafted():
    counts = pd.DataFrame(
        {
            "part": ["Cluster 1: A", "Cluster 1: A", "Cluster 2: B", "Cluster 2: B", "Key findings"],
            "claim_type": ["diagnosis", "finding", "diagnosis", "actor-assessment", "finding"],
            "claims": [1, 3, 2, 2, 9],
            "passages": ["p"] * 5,
        }
    )
    # the tie in cluster 2 goes to the type more frequent overall (diagnosis 3 > actor assessment 2)
    lead = overview.leading_types(counts)
    assert lead["Cluster 1: A"] == "finding" and lead["Cluster 2: B"] == "diagnosis"
    assert overview.claim_types_title(counts) == (
        "Findings are the commonest claims (12 of 17); yet cluster 2 leads with diagnoses"
    )
    same = counts.assign(claim_type="finding")
    assert overview.claim_types_title(same).endswith(", in every cluster")


def test_claim_type_parts_real(document, tables):
    parts = overview.claim_type_parts(tables["claims"], document)
    order = list(dict.fromkeys(parts["part"]))
    assert order == [
        "Key findings", "Cluster 1: R2P and human rights", "Cluster 2: Peace and security",
        "Cluster 3: Illicit globalization", "Cluster 4: Sustainable development", "Final remarks",
    ]
    assert parts["claims"].sum() == len(tables["claims"])


def test_claim_type_parts_unknown_section_raises(document, tables):
    claims = tables["claims"].head(2).assign(section="appendix")
    with pytest.raises(ValueError, match="appendix"):
        overview.claim_type_parts(claims, document)


def test_claim_types_chart_real(document, tables):
    parts = overview.claim_type_parts(tables["claims"], document)
    spec = chart_spec(overview.claim_types_chart(parts))
    assert title_text(spec) == (
        "Diagnoses are the commonest claims (40 of 106); "
        "yet cluster 1 leads with recommendations and cluster 4 with findings"
    )
    assert spec["description"]
    assert {"part", "claim_type", "claims", "passages"} <= tooltip_fields(spec)


# -- the chapter, rerun with changed settings ----------------------------------------------------------


def chart_rows(folder, name: str) -> list[dict]:
    (rows,) = exported_spec(folder, name)["datasets"].values()
    return rows


def test_introduction_reruns_with_changed_settings(tmp_path, tables, document):
    plan = runner.plan_runs(["introduction"], {"min_mentions": 5, "section_order": "words"})
    result = run_plans(tmp_path, changed=plan)["changed"]
    assert result.status == "ok", result.error
    assert result.record["overrides"] == {"min_mentions": 5, "section_order": "words"}

    actors = {row["actor"] for row in chart_rows(result.folder, "intro-fig-actors")}
    expected = overview.cluster_actor_mentions(tables["passages"], tables["actors"], 5)
    assert actors == set(expected["actor"])
    assert len(actors) < 10  # the default threshold of 2 shows 10

    words = [row["label"] for row in chart_rows(result.folder, "intro-fig-words")]
    assert words == list(overview.section_words(document, "words")["label"])
    assert words[0] == "Cluster 4: Sustainable development"
    assert {"charts/intro-fig-claim-types.svg", "tables/intro-claims.csv"} <= set(result.record["outputs"])
