"""Cluster 2 (compendium.security): crafted frames with known answers, the real data, every chart
built and validated, and the chapter rerun with one changed setting."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import chart_spec, exported_spec, run_plans, title_text, tooltip_fields

from compendium.book import runner
from compendium import security

CHAPTER = "peace-security"

pytestmark = pytest.mark.usefixtures("theme")


# -- crafted frames ------------------------------------------------------------------------

ISSUES = pd.DataFrame({
    "issue_id": ["norms", "tech", "cyber", "drones", "extremism"],
    "label": ["Norms (general)", "Technologies (general)", "Cyber", "Drones", "Violent extremism"],
})


def crafted_claims(rows):
    columns = ["claim_id", "passage_id", "quote", "cluster", "issue_id", "un_stance", "feasibility"]
    return pd.DataFrame(rows, columns=columns)


CLAIMS = crafted_claims([
    ("cluster-2/p3#1", "cluster-2/p3", "The existing norms hold.", 2, "norms", "no-position", "not-stated"),
    ("cluster-2/p3#2", "cluster-2/p3", "market leaders resist", 2, "tech", "un-not-well-placed", "low"),
    ("cluster-2/p3#3", "cluster-2/p3", "cyber security, information privacy", 2, "cyber", "un-not-well-placed", "low"),
    ("cluster-2/p3#4", "cluster-2/p3", "drones", 2, "drones", "un-should-lead", "high"),
    ("cluster-2/p4#1", "cluster-2/p4", "local actors", 2, "extremism", "no-position", "not-stated"),
])


def test_technology_domains_skip_general_issues_and_split_listed_terms():
    domains = security.technology_domains(CLAIMS, ISSUES).set_index("issue_id")
    assert list(domains.index) == ["cyber", "drones"]
    assert domains.loc["cyber", "terms"] == "cyber security; information privacy"
    assert domains["n_terms"].sum() == 3
    assert domains.loc["drones", "stance_label"] == "UN should lead"


def test_stance_counts_place_each_issue_in_its_group():
    domains = security.technology_domains(CLAIMS, ISSUES)
    counts = security.stance_counts(CLAIMS, ISSUES, domains).set_index("issue")
    assert counts.loc["Cyber", "group"] == security.GROUP_DOMAIN
    assert counts.loc["Norms (general)", "group"] == security.GROUP_GENERAL
    assert counts.loc["Violent extremism", "group"] == security.GROUP_OTHER
    title = title_text(security.stance_chart(counts.reset_index()).to_dict())
    assert title == "In 1 of 2 new technology domains, the UN is 'not well placed'"


def test_groups_and_outlooks_are_parsed_from_the_passage_not_typed(document):
    lists = security.groups_and_outlooks(document)
    groups = lists[lists["list"] == "Group of countries"]
    outlooks = lists[lists["list"] == "Outlook on norms and institutions"]
    assert list(groups["item"]) == ["rule takers", "rule breakers", "rule shapers"]
    assert list(outlooks["item"]) == ["if it ain't broke, don't fix it", "ambitions to reshape global institutions",
                                      "ambitions to create alternative institutions as competitors"]
    text = document.block(security.TYPOLOGY_PASSAGE).plain
    assert all(quote in text for quote in lists["quote"])
    assert all(item in text for item in lists["item"])


def test_parse_typology_reads_any_number_of_groups_and_outlooks():
    text = ("There may be two groups of countries: the rule makers and the rule followers. "
            "The groups have outlooks: 1) keep it; 2) change it, slowly.")
    lists = security.parse_typology(text, "x/p1")
    assert lists[["list", "position", "item"]].values.tolist() == [
        ["Group of countries", 1, "rule makers"], ["Group of countries", 2, "rule followers"],
        [security.OUTLOOKS, 1, "keep it"], [security.OUTLOOKS, 2, "change it, slowly"],
    ]
    assert set(lists["passage_id"]) == {"x/p1"}


def test_pairing_grid_states_only_the_pairs_it_is_given():
    lists = pd.DataFrame({
        "list": ["Group of countries"] * 2 + ["Outlook on norms and institutions"] * 2,
        "position": [1, 2, 1, 2], "item": ["makers", "followers", "keep it", "change it"],
        "quote": ["q1", "q1", "q2", "q2"], "passage_id": "cluster-2/p2",
    })
    grid = security.pairing_grid(lists)
    assert len(grid) == 4 and not grid["stated"].any()
    assert title_text(security.pairing_chart(grid).to_dict()) == (
        "The text names 2 groups and 2 outlooks but pairs none of them")
    stated = security.pairing_grid(lists, stated=(("makers", "change it"),))
    assert stated.loc[stated["stated"], ["group", "outlook"]].values.tolist() == [["makers", "change it"]]
    assert title_text(security.pairing_chart(stated).to_dict()).endswith("but pairs 1 of them")
    table = security.typology_table(lists)
    assert table["List"].tolist() == lists["list"].tolist()  # one list after the other, never side by side
    assert table.columns.tolist() == ["List", "Order in the text", "Item", "Passage"]


def crafted_context():
    rows = [
        ("all nuclear-armed states", 1000.0, None, None, "about", "direct"),
        ("deployed, all nuclear-armed states", 400.0, None, None, "about", "direct"),
        ("Big", 600.0, None, None, "exact", "second-hand"),
        ("Middle", 300.0, None, None, "exact", "second-hand"),
        ("Ranged", None, 80.0, 120.0, "exact", "second-hand"),
        ("Tiny", None, 2.0, 4.0, "exact", "second-hand"),
    ]
    frame = pd.DataFrame(rows, columns=["label", "value", "value_low", "value_high", "qualifier", "confidence"])
    return frame.assign(kind="quantity", subject=security.WARHEADS, unit="warheads", year=pd.array([2015] * 6, "Int64"),
                        publisher="SIPRI", document="Yearbook", note=None, passage_id="summary/p2")


def test_warhead_estimates_keep_ranges_apart_and_filter_by_the_high_end():
    estimates = security.warhead_estimates(crafted_context())
    assert list(estimates["label"]) == ["All nuclear-armed states (total)", "Big", "Middle", "Ranged", "Tiny"]
    ranged = estimates.set_index("label").loc["Ranged"]
    assert (ranged["low"], ranged["high"], ranged["shown"]) == (80, 120, "80–120") and pd.isna(ranged["value"])
    assert estimates.loc[0, "shown"] == "about 1,000"
    assert security.country_sum(estimates) == (982, 1024)
    assert security.largest_share(estimates, 1000) == (["Big", "Middle"], 0.9)
    assert list(security.warhead_estimates(crafted_context(), min_warheads=100, include_total=False)["label"]) == [
        "Big", "Middle", "Ranged"]


def test_warhead_chart_title_and_scale():
    estimates = security.warhead_estimates(crafted_context())
    log = security.warhead_chart(estimates, 1000).to_dict()
    assert title_text(log) == "90% of nuclear warheads are in two states: Big, Middle"
    assert log["layer"][0]["encoding"]["x"]["scale"]["type"] == "log"
    linear = security.warhead_chart(estimates, 1000, log_scale=False).to_dict()
    assert linear["layer"][0]["encoding"]["x"]["scale"]["type"] == "linear"


@pytest.mark.parametrize(
    ("value", "low", "high", "qualifier", "expected"),
    [(7500, 7500, 7500, "exact", "7,500"), (15850, 15850, 15850, "about", "about 15,850"),
     (float("nan"), 6, 8, "exact", "6–8")],
)
def test_estimate_text(value, low, high, qualifier, expected):
    assert security.estimate_text(value, low, high, qualifier) == expected


# -- the real data ---------------------------------------------------------------------------


def test_real_domains_are_the_six_named_in_cluster_2(tables, document):
    domains = security.technology_domains(tables["claims"], tables["issues"])
    terms = [t for cell in domains["terms"] for t in cell.split("; ")]
    assert terms == ["cyber security", "information privacy", "drones", "lethal autonomous weapons systems",
                     "synthetic biological weapons", "3D printing"]
    assert all(t in document.block(security.DOMAINS_PASSAGE).plain for t in terms)
    assert set(domains["un_stance"]) == {"un-not-well-placed"}


def test_real_warheads_match_the_published_total(tables):
    estimates = security.warhead_estimates(tables["context"])
    total = estimates.loc[estimates["scope"] == "all states"].iloc[0]
    assert total["value"] == 15850 and total["confidence"] == "direct"
    countries = estimates[estimates["scope"] == "country"]
    assert len(countries) == 9 and set(countries["confidence"]) == {"second-hand"}
    low, high = security.country_sum(estimates)
    assert low <= total["value"] <= high + 50  # the published total is "about" 15,850
    top, share = security.largest_share(estimates, total["value"])
    assert top == ["Russia", "United States"] and round(share, 2) == 0.93


# -- charts ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tables, document):
    domains = security.technology_domains(tables["claims"], tables["issues"])
    estimates = security.warhead_estimates(tables["context"])
    return {
        "typology": security.pairing_chart(security.pairing_grid(security.groups_and_outlooks(document))),
        "stances": security.stance_chart(security.stance_counts(tables["claims"], tables["issues"], domains)),
        "warheads": security.warhead_chart(estimates, 15850),
    }


@pytest.mark.parametrize("name", ["typology", "stances", "warheads"])
def test_chart_validates_renders_and_describes_itself(built, name):
    assert title_text(chart_spec(built[name]))


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("typology", {"group", "outlook", "status", "passage_id", "quote"}),
        ("stances", {"issue", "stance_label", "passages", "quotes"}),
        ("warheads", {"label", "shown", "publisher", "document", "year", "confidence"}),
    ],
)
def test_chart_tooltips_show_the_source(built, name, fields):
    assert fields <= tooltip_fields(built[name].to_dict())


def test_chart_titles_state_the_computed_findings(built):
    assert title_text(built["typology"].to_dict()) == "The text names 3 groups and 3 outlooks but pairs none of them"
    assert title_text(built["stances"].to_dict()) == "In all 5 new technology domains, the UN is 'not well placed'"
    assert title_text(built["warheads"].to_dict()) == "93% of nuclear warheads are in two states: Russia, United States"


# -- the chapter, rerun with one changed setting ----------------------------------------------


def test_chapter_with_a_warhead_threshold_exports_only_the_larger_arsenals(tmp_path):
    result = run_plans(tmp_path, changed=runner.plan_runs([CHAPTER], texts=[("min_warheads", "100")]))["changed"]
    assert result.status == "ok", result.error
    table = pd.read_csv(result.folder / "tables" / "c2-warheads.csv")
    assert "Israel" not in set(table["label"]) and "North Korea" not in set(table["label"])
    assert {"Pakistan", "India", "Russia"} <= set(table["label"])  # a range counts by its high end
    spec = exported_spec(result.folder, "c2-fig-warheads")
    assert "93%" in title_text(spec)  # the share is of the published total, whatever is shown
    assert result.record["overrides"] == {"min_warheads": 100}
