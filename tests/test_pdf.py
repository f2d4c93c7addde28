"""The book as one PDF: a section per chapter, every chart as a described figure, no code."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from compendium import paths
from compendium.book.cachekey import code_cells
from compendium.book.params import toc_chapters
from compendium.book.pdf import CHROMIUM, PdfError, chapter_article, print_document, write_pdf

pytestmark = pytest.mark.browser


def _unavailable(reason: str) -> None:
    # CI must not go green on a PDF nobody made (as in the browser tests)
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason} (CI=true, so this is a failure, not a skip)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def book_pdf(built_book, tmp_path_factory) -> Path:
    """The built book printed to a PDF in a temporary folder."""
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"Chromium not found at {CHROMIUM}: `apt-get install -y chromium`")
    return write_pdf(built_book, tmp_path_factory.mktemp("pdf") / "book.pdf")


@pytest.fixture(scope="module")
def reader(book_pdf):
    from pypdf import PdfReader

    return PdfReader(book_pdf)


def chart_descriptions(html_dir: Path) -> list[str]:
    """Return the description of every chart on the book's chapter pages."""
    found = []
    for page in sorted((html_dir / "chapters").glob("*.html")):
        for spec in re.findall(r'<script type="application/json">(.*?)</script>', page.read_text(encoding="utf-8")):
            found.append(" ".join(json.loads(spec)["description"].split()))
    return found


def figure_alts(reader) -> list[str]:
    """Return the alternative text of every Figure in the PDF's structure tree (tagged PDF)."""
    alts: list[str] = []

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if node.get("/S") == "/Figure" and node.get("/Alt"):
                alts.append(" ".join(str(node["/Alt"]).split()))
            if node.get("/K") is not None:
                walk(node["/K"])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return alts


def test_the_pdf_has_one_section_per_chapter_after_the_title(reader):
    top = [item.title for item in reader.outline if not isinstance(item, list)]
    titles = top[1:]
    assert top[0] == "Norms for the next Secretary-General"
    assert len(titles) == len(toc_chapters())
    assert titles[0].startswith("Introduction") and titles[-1].startswith("Methods")


def test_every_chart_is_in_the_pdf_as_a_described_figure(reader, built_book):
    charts = chart_descriptions(built_book)
    alts = figure_alts(reader)
    assert charts, "the book has charts"
    assert sorted(a for a in alts if a in charts) == sorted(charts)
    # vectors: the charts are drawn into the page, not embedded as raster images
    rasters = [x for page in reader.pages for x in (page.get("/Resources", {}).get("/XObject") or {}).values()
               if x.get_object().get("/Subtype") == "/Image"]
    assert rasters == []


def test_the_pdf_holds_no_code_from_the_chapters(reader):
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    lines = {line.strip() for source in toc_chapters().values()
             for cell in code_cells(source.read_text(encoding="utf-8")) for line in cell.splitlines()
             if len(line.strip()) > 25 and not line.strip().startswith("#")}
    assert lines, "the chapters have code"
    shown = sorted(line for line in lines if " ".join(line.split()) in text)
    assert shown == []


def test_every_page_is_numbered(reader):
    total = len(reader.pages)
    assert all(re.search(rf"\b{i} / {total}\b", page.extract_text()) for i, page in enumerate(reader.pages, start=1))


def test_a_chapter_article_loses_code_buttons_and_downloads(tmp_path):
    page_html = (
        '<html><body><article class="bd-article"><h1>Title<a class="headerlink" href="#t">#</a></h1>'
        '<div class="cell"><details class="hide above-input"><summary>Show code</summary>'
        '<div class="cell_input">import os</div></details><div class="cell_output">out</div></div>'
        '<p class="vega-offline-downloads"><a>Download data</a></p><script>x()</script>'
        "</article></body></html>"
    )
    path = tmp_path / "page.html"
    path.write_text(page_html, encoding="utf-8")
    title, article = chapter_article(path, "x")
    assert title == "Title"
    assert "import os" not in article and "Download data" not in article and "x()" not in article
    assert "out" in article and 'id="chapter-x"' in article


def test_an_unbuilt_book_gives_a_clear_error(tmp_path):
    with pytest.raises(PdfError, match="build the book first|run make book first"):
        write_pdf(tmp_path / "html", tmp_path / "book.pdf")
    with pytest.raises(PdfError, match="missing"):
        (tmp_path / "html" / "chapters").mkdir(parents=True)
        print_document(tmp_path / "html", paths.ROOT)
