"""The whole book as one PDF, printed by Chromium (through Playwright) from the built HTML.

Every chapter page of ``_build/html`` gives its article; they are set one after another, after a
title page and a table of contents, in one print document that links the book's own stylesheets
and a print stylesheet (``_static/print.css``): no navigation, no code (hidden or not), no download
links, each chapter on a new page. Charts print as their static SVG, which Chromium keeps as
vectors. Chromium adds page numbers and an outline (one entry per heading, so one per chapter).
"""

from __future__ import annotations

import html
from datetime import date
from pathlib import Path

from compendium import paths
from compendium.book.layout import chromium_path, launch_chromium
from compendium.charts.theme import MUTED
from compendium.errors import CompendiumError

PDF_DIR = paths.BUILD_DIR / "pdf"
CHROMIUM = chromium_path()
# What a reader of paper cannot use: code (shown or folded), buttons, anchors, scripts, downloads.
DROPPED = ("script", "div.cell_input", "details.hide.above-input", "button", "a.headerlink",
           "p.vega-offline-downloads", "div.rerun-note")
FOOTER = (f'<div style="font-size:8px;width:100%;text-align:center;color:{MUTED}">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


class PdfError(CompendiumError):
    """The PDF cannot be made: no built book, or no browser to print it."""


def chapter_pages(html_dir: Path, root: Path = paths.ROOT) -> list[tuple[str, Path]]:
    """Return (name, built page) for every page of the table of contents, in order."""
    from compendium.book.params import toc_chapters

    pages = []
    for name in toc_chapters(root):
        page = html_dir / "chapters" / f"{name}.html"
        if not page.exists():
            raise PdfError(f"{page} is missing: build the book first (make book)")
        pages.append((name, page))
    return pages


def chapter_article(page: Path, name: str) -> tuple[str, str]:
    """Return (title, article HTML) of a built chapter page, with everything paper cannot use removed."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article.bd-article")
    if article is None:
        raise PdfError(f"{page} has no article: is it a page of this book?")
    for selector in DROPPED:
        for node in article.select(selector):
            node.decompose()
    # a folded output stays, unfolded; its toggle does not
    for node in article.select("details"):
        node.name = "div"
    heading = article.find("h1")
    title = " ".join(heading.get_text(" ", strip=True).split()) if heading else name
    article.name = "div"
    article.attrs = {"class": ["chapter"], "id": f"chapter-{name}"}
    return title, str(article)


def print_document(html_dir: Path, root: Path = paths.ROOT) -> str:
    """Return the print document: title page, contents, then every chapter's article."""
    import yaml

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    chapters = [(name, *chapter_article(page, name)) for name, page in chapter_pages(html_dir, root)]
    styles = [f'<link rel="stylesheet" href="{html.escape(p.as_uri())}">'
              for p in sorted((html_dir / "_static").rglob("*.css"))
              if p.name in {"theme.css", "pydata-sphinx-theme.css", "sphinx-book-theme.css", "pygments.css",
                            "sphinx-design.min.css", "compendium.css", "print.css"}
              or p.name.startswith("mystnb.")]
    contents = "".join(f'<li><a href="#chapter-{name}">{html.escape(title)}</a></li>' for name, title, _ in chapters)
    title = html.escape(config.get("title", "The book"))
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title><base href=\"{html.escape((html_dir / 'chapters').as_uri())}/\">"
        + "".join(styles)
        + "</head><body class=\"print-book\">"
        f"<div class=\"title-page\"><h1>{title}</h1>"
        "<p class=\"subtitle\">A reproducible compendium of the meeting summary <em>Updating the Rules and "
        "Infrastructure for Globalization</em> (NYU Center on International Cooperation, consultation of "
        "7 May 2015)</p>"
        f"<p class=\"author\">{html.escape(config.get('author', ''))}</p>"
        f"<p class=\"printed\">Printed from the built book on {date.today().isoformat()}</p></div>"
        f"<div class=\"contents\"><h2>Contents</h2><ol>{contents}</ol></div>"
        + "".join(article for _, _, article in chapters)
        + "</body></html>\n"
    )


def write_pdf(html_dir: Path = paths.BUILD_DIR / "html", out: Path = PDF_DIR / "book.pdf",
              root: Path = paths.ROOT) -> Path:
    """Print the built book to ``out`` (via ``out``'s folder/book.html); return the PDF's path."""
    if not (html_dir / "index.html").exists():
        raise PdfError(f"no built book in {html_dir}: run make book first")
    if not CHROMIUM.exists():
        raise PdfError(f"no Chromium at {CHROMIUM}: install Debian's chromium package or set CHROMIUM")
    document = out.with_suffix(".html")
    out.parent.mkdir(parents=True, exist_ok=True)
    document.write_text(print_document(html_dir, root), encoding="utf-8")
    tmp = out.with_name(out.name + ".tmp")
    with launch_chromium(CHROMIUM) as browser:
        page = browser.new_page()
        page.goto(document.as_uri(), wait_until="load")
        page.emulate_media(media="print")
        page.pdf(path=str(tmp), format="A4", print_background=True, display_header_footer=True,
                 header_template="<div></div>", footer_template=FOOTER,
                 margin={"top": "16mm", "bottom": "18mm", "left": "16mm", "right": "16mm"},
                 outline=True, tagged=True)
    tmp.replace(out)
    return out
