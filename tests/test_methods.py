"""Methods-chapter frames: codebook examples, coverage and provenance checks."""

from __future__ import annotations

import shutil

import pandas as pd

from compendium import paths
from compendium.data.tables import load_tables
from compendium.methods import codebook_with_examples, coding_coverage, provenance_checks, sha256_of


def test_codebook_examples_are_quotes_coded_with_that_category():
    tables = load_tables()
    book = codebook_with_examples(tables["codebook"], tables["claims"], tables["passages"])
    assert len(book) == len(tables["codebook"])
    claims = tables["claims"]
    for row in book[book["Variable"] == "un_stance"].itertuples():
        coded = claims[(claims["passage_id"] == row._4) & (claims["un_stance"] == row.Category)]
        assert row.Example in set(coded["quote"])


def test_coding_coverage_on_a_crafted_frame():
    passages = pd.DataFrame(
        {"passage_id": ["cluster-1/p1", "cluster-1/p2", "summary/p1", "cluster-1/c1"],
         "section": ["cluster-1", "cluster-1", "summary", "cluster-1"],
         "kind": ["paragraph", "paragraph", "paragraph", "caption"]}
    )
    claims = pd.DataFrame({"passage_id": ["cluster-1/p1", "cluster-1/p1", "summary/p1"]})
    frame = coding_coverage(passages, claims)
    assert frame.to_dict("records") == [{"section": "cluster-1", "passages": 2, "coded": 1, "claims": 2}]


def test_coding_coverage_is_total_on_the_real_data():
    tables = load_tables()
    frame = coding_coverage(tables["passages"], tables["claims"])
    assert (frame["coded"] == frame["passages"]).all()
    assert frame["claims"].sum() == len(tables["claims"])


def test_provenance_checks_pass_on_the_real_data():
    frame = provenance_checks()
    assert (frame["problems"] == 0).all()
    assert (frame["checked"] > 0).all()


def test_provenance_check_catches_a_changed_raw_hash_record(tmp_path):
    copy = tmp_path / "data"
    shutil.copytree(paths.DATA_DIR, copy)
    readme = copy / "README.md"
    digest = sha256_of(paths.RAW_SOURCE)
    readme.write_text(readme.read_text(encoding="utf-8").replace(digest, "0" * 64), encoding="utf-8")
    frame = provenance_checks(copy).set_index("check")
    assert frame["problems"].iloc[0] == 1
