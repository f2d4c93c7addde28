"""Page weights on a tiny crafted site with known sizes."""

from __future__ import annotations

from compendium.book.pageweight import content_pages, foreign_resources, page_weights


def make_site(root):
    (root / "_static").mkdir(parents=True)
    (root / "_static" / "bundle.js").write_text("x" * 1000)
    (root / "own.png").write_bytes(b"p" * 300)
    (root / "both.css").write_text("c" * 50)
    (root / "a.html").write_text('<script src="_static/bundle.js"></script><img src="own.png"><link href="both.css" rel="stylesheet">')
    (root / "b.html").write_text('<script src="_static/bundle.js"></script><link href="both.css" rel="stylesheet">'
                                 '<img src="https://example.org/x.png">')
    (root / "index.html").write_text('<meta http-equiv="refresh" content="0; url=a.html">')


def test_own_and_shared_bytes(tmp_path):
    make_site(tmp_path)
    weights = {w.page: w for w in page_weights(tmp_path)}
    assert set(weights) == {"a.html", "b.html"}  # the redirect stub is not a content page
    a = weights["a.html"]
    assert a.own_asset_bytes == 300  # the image only a.html uses
    assert a.shared_asset_bytes == 1000 + 50  # the bundle under _static and the stylesheet both pages load
    assert a.own_bytes == a.html_bytes + 300


def test_foreign_resources_are_listed(tmp_path):
    make_site(tmp_path)
    assert foreign_resources(tmp_path / "b.html") == ["https://example.org/x.png"]
    assert foreign_resources(tmp_path / "a.html") == []
    assert [p.name for p in content_pages(tmp_path)] == ["a.html", "b.html"]
