"""Page-weight report for a built book: bytes each page costs beyond the site-wide assets.

A page's own weight is its HTML (charts, their SVG fallbacks and CSV links are all
inline) plus the local files only it references. Files under ``_static/`` (theme,
search, the vega bundle) or referenced by more than one page are shared: a reader
downloads them once for the whole book, so they are reported apart.

Print the table with ``python -m compendium pageweight [HTML_DIR]`` (default ``_build/html``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

# Chapter pages must stay under this many bytes of their own. It was 300 KB while the analysis lived
# in src/; a chapter now carries its own analysis code (folded, and about 40% of its bytes once
# highlighted), so the budget is 400 KB.
PAGE_BUDGET_BYTES = 400 * 1024
# Sphinx's generated pages, not chapters: never charts, and their weight is the theme's.
GENERATED_PAGES = frozenset({"genindex.html", "search.html", "py-modindex.html"})
_RESOURCE_ATTRS = {
    "img": ("src",),
    "script": ("src",),
    "link": ("href",),
    "source": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "image": ("href", "xlink:href"),
}
_LOADING_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut"}


@dataclass(frozen=True)
class PageWeight:
    """One page's bytes: its HTML, its own assets, and the shared assets it loads."""

    page: str
    html_bytes: int
    own_asset_bytes: int
    shared_asset_bytes: int

    @property
    def own_bytes(self) -> int:
        """Return the bytes this page alone costs a reader: HTML plus its own assets."""
        return self.html_bytes + self.own_asset_bytes


class _ResourceParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self.redirect = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "meta" and (found.get("http-equiv") or "").lower() == "refresh":
            self.redirect = True
        if tag == "link":
            rels = set((found.get("rel") or "").lower().split())
            if not rels & _LOADING_LINK_RELS:
                return  # rel=next/prev/index are navigation, not loads
        for attr in _RESOURCE_ATTRS.get(tag, ()):
            if found.get(attr):
                self.urls.append(found[attr])  # type: ignore[arg-type]


def _local_files(page: Path, html_dir: Path, urls: list[str]) -> set[Path]:
    files = set()
    for url in urls:
        parts = urlsplit(url)
        # data: URIs are inside the HTML already; other hosts are the browser test's job.
        if parts.scheme or parts.netloc or not parts.path:
            continue
        target = (page.parent / unquote(parts.path)).resolve()
        if target.is_file() and target.is_relative_to(html_dir):
            files.add(target)
    return files


def foreign_resources(page: Path | str) -> list[str]:
    """Return the URLs on other hosts that the page's tags would load (scripts, styles, images)."""
    parser = _ResourceParser()
    parser.feed(Path(page).read_text(encoding="utf-8", errors="replace"))
    # Lazy images below the fold never load in a headless visit, so the browser
    # test cannot see them; reading the tags can.
    return [u for u in parser.urls if urlsplit(u).netloc]


def content_pages(html_dir: Path | str) -> list[Path]:
    """Return the book's HTML pages, without Sphinx's source copies and redirect stubs."""
    html_dir = Path(html_dir).resolve()
    pages = []
    for page in sorted(html_dir.rglob("*.html")):
        rel = page.relative_to(html_dir)
        if rel.parts[0] in ("_static", "_sources", "_images", "_downloads"):
            continue
        parser = _ResourceParser()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        if not parser.redirect:
            pages.append(page)
    return pages


def page_weights(html_dir: Path | str) -> list[PageWeight]:
    """Return the weight of every content page in the built book, by page path."""
    html_dir = Path(html_dir).resolve()
    loads: dict[Path, set[Path]] = {}
    for page in content_pages(html_dir):
        parser = _ResourceParser()
        parser.feed(page.read_text(encoding="utf-8", errors="replace"))
        loads[page] = _local_files(page, html_dir, parser.urls)
    users = Counter(f for files in loads.values() for f in files)
    static = html_dir / "_static"

    def shared(f: Path) -> bool:
        return f.is_relative_to(static) or users[f] > 1

    return [
        PageWeight(
            page=page.relative_to(html_dir).as_posix(),
            html_bytes=page.stat().st_size,
            own_asset_bytes=sum(f.stat().st_size for f in files if not shared(f)),
            shared_asset_bytes=sum(f.stat().st_size for f in files if shared(f)),
        )
        for page, files in loads.items()
    ]


def format_report(weights: list[PageWeight]) -> str:
    """Return the weights as a plain-text table, heaviest page first."""
    lines = [f"{'page':<48} {'html':>9} {'own assets':>11} {'own total':>10} {'shared':>10}"]
    for w in sorted(weights, key=lambda w: w.own_bytes, reverse=True):
        flag = "  OVER BUDGET" if w.own_bytes > PAGE_BUDGET_BYTES else ""
        lines.append(
            f"{w.page:<48} {w.html_bytes:>9,} {w.own_asset_bytes:>11,} "
            f"{w.own_bytes:>10,} {w.shared_asset_bytes:>10,}{flag}"
        )
    return "\n".join(lines)
