"""How the built book lays out in a real browser, page by page, at each viewport width.

Every content page is opened in Debian's Chromium (through Playwright) at each width, after its
charts have drawn, and measured in the page: its height, whether it scrolls sideways, code cells
a reader sees without unfolding anything, elements wider than the viewport, charts whose SVG does
not fit its container, chart texts Vega cut with an ellipsis, and the narrowest table body cell in
characters. The browser tests (tests/test_browser.py) assert on the same measurements.

Print the tables with ``python -m compendium layout [HTML_DIR] [--widths 1280x1000,390x844]
[--screens [DIR]]``; the numbers also go to ``_build/layout/layout.json``.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from compendium import paths
from compendium.book.pageweight import content_pages
from compendium.errors import CompendiumError

DEFAULT_WIDTHS = "1280x1000,390x844"
LAYOUT_JSON = paths.BUILD_DIR / "layout" / "layout.json"
SCREENS_DIR = paths.BUILD_DIR / "screens"
# Issue 15: at 1280 px no table cell should be narrower than about 12 characters.
MIN_CELL_CH = 12
DRAW_TIMEOUT_MS = 15_000
# Playwright's own browser download cannot run here; these flags also stop Chromium
# from phoning home, which would show up as requests to other hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Vega's truncation mark (its default `ellipsis`).
ELLIPSIS = "\u2026"
# Vega's role for a text mark: its text is data, which may end in an ellipsis of its own; every
# other role (axis and legend labels and titles, the chart's title) is a label Vega has cut.
TEXT_MARK_ROLE = "mark"

_SIZE = re.compile(r"\s*(\d+)\s*[xX\u00d7]\s*(\d+)\s*")


class LayoutError(CompendiumError):
    """The layout cannot be measured: no built book, no browser, or a malformed --widths."""


@dataclass(frozen=True)
class Viewport:
    """A browser window size in CSS pixels."""

    width: int
    height: int

    def __str__(self) -> str:
        return f"{self.width}x{self.height}"


def parse_widths(text: str) -> list[Viewport]:
    """Return the viewports of a ``--widths`` value such as ``1280x1000,390x844``, in order."""
    form = f"use WIDTHxHEIGHT[,WIDTHxHEIGHT...], e.g. --widths {DEFAULT_WIDTHS}"
    viewports: list[Viewport] = []
    for item in (text or "").split(","):
        match = _SIZE.fullmatch(item)
        if not match or min(int(match[1]), int(match[2])) < 1:
            raise LayoutError(f"--widths {text!r}: {item.strip()!r} is not a size in pixels; {form}")
        viewport = Viewport(int(match[1]), int(match[2]))
        if viewport not in viewports:
            viewports.append(viewport)
    return viewports


def chromium_path() -> Path:
    """Return the Chromium to drive: $CHROMIUM, else Debian's /usr/bin/chromium."""
    return Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def check_ready(html_dir: Path | str, chromium: Path | str | None = None) -> list[Path]:
    """Return the book's content pages; raise LayoutError naming what is missing (book, browser, Playwright)."""
    html_dir = Path(html_dir)
    pages = content_pages(html_dir) if (html_dir / "index.html").is_file() else []
    if not pages:
        raise LayoutError(f"no built book in {html_dir}; run `make book` first")
    chromium = Path(chromium) if chromium else chromium_path()
    if not (chromium.is_file() and os.access(chromium, os.X_OK)):
        raise LayoutError(f"no Chromium at {chromium}: install Debian's chromium package or set CHROMIUM")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError as exc:
        raise LayoutError("playwright is not installed: `pip install -r requirements.txt`") from exc
    return pages


# -- in the browser ------------------------------------------------------------------------------

ALL_DRAWN_JS = """
() => Array.from(document.querySelectorAll('.vega-offline-view'))
  .every(v => v.querySelector('svg.marks, canvas.marks'))
"""

# Fonts loaded, finite animations over (a fading-in block has opacity 0 until then, and would pass
# for hidden), and two frames drawn: Vega sizes a `width: "container"` chart on the next frame.
SETTLED_JS = """
async () => {
  await document.fonts.ready;
  const finite = document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity);
  await Promise.race([Promise.all(finite.map(a => a.finished.catch(() => null))),
                      new Promise(r => setTimeout(r, 5000))]);
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
}
"""

MEASURE_JS = r"""
(opts) => {
  const TOL = 1;  // px: sub-pixel rounding is not overflow
  const root = document.documentElement;
  const limit = root.clientWidth;  // the width content may use without the page scrolling sideways

  const visible = el => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0
      && el.checkVisibility({visibilityProperty: true, opacityProperty: true});
  };
  const short = el => {
    if (el.id) return `${el.tagName.toLowerCase()}#${el.id}`;
    const cls = typeof el.className === 'string'
      ? el.className.trim().split(/\s+/).filter(c => c).slice(0, 2) : [];
    return el.tagName.toLowerCase() + cls.map(c => '.' + c).join('');
  };
  const cssPath = el => {
    const parts = [];
    for (let e = el; e && e !== document.body && parts.length < 4; e = e.parentElement) {
      parts.unshift(short(e));
      if (e.id) break;
    }
    return parts.join(' > ');
  };
  // Only the offenders no other offender contains: one wide table, not its hundred cells.
  const outermost = els => {
    const set = new Set(els);
    return els.filter(el => {
      for (let p = el.parentElement; p; p = p.parentElement) if (set.has(p)) return false;
      return true;
    });
  };
  const snippet = el => (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, opts.snippet);

  // Code a reader sees without unfolding anything.
  const code = outermost(Array.from(
    document.querySelectorAll('.cell_input, .cell div.highlight')).filter(visible));

  // Elements reaching past the viewport's right edge, unless a fitting ancestor clips them.
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body && p !== root; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible'
          && p.getBoundingClientRect().right <= limit + TOL) return true;
    }
    return false;
  };
  const wide = outermost(Array.from(document.body.querySelectorAll('*')).filter(el =>
    el.getBoundingClientRect().right > limit + TOL && visible(el) && !clipped(el)));

  const roleOf = t => {
    for (let g = t.parentElement; g && g.tagName.toLowerCase() !== 'svg'; g = g.parentElement) {
      const m = (g.getAttribute('class') || '').match(/\brole-([\w-]+)/);
      if (m) return m[1];
    }
    return null;
  };
  const contentWidth = el => {
    const s = getComputedStyle(el);
    return el.getBoundingClientRect().width - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight)
      - parseFloat(s.borderLeftWidth) - parseFloat(s.borderRightWidth);
  };
  const charts = Array.from(document.querySelectorAll('.vega-offline')).map(box => {
    const svg = box.querySelector('.vega-offline-view svg.marks');
    const svgWidth = svg ? svg.getBoundingClientRect().width : null;
    const containerWidth = contentWidth(box);
    return {
      id: box.id || cssPath(box),
      drawn: !!svg,
      visible: visible(box),
      svg_width: svgWidth === null ? null : Math.round(svgWidth * 10) / 10,
      container_width: Math.round(containerWidth * 10) / 10,
      fits: svg !== null && svgWidth <= containerWidth + TOL,
      ellipsis: svg ? Array.from(svg.querySelectorAll('text'))
        .filter(t => t.textContent.trim().endsWith(opts.ellipsis))
        .map(t => ({text: t.textContent.trim(), role: roleOf(t)})) : [],
    };
  });

  // Table body cells in the article, in characters: content width over the cell font's "0" (1ch).
  const article = document.querySelector('article.bd-article') || document.querySelector('main') || document.body;
  const tables = Array.from(article.querySelectorAll('table')).map(table => {
    const cells = Array.from(table.querySelectorAll(':scope > tbody > tr > td, :scope > tbody > tr > th'))
      .filter(visible);
    const probes = cells.map(cell => {
      const span = document.createElement('span');
      span.style.cssText = 'position:absolute;visibility:hidden;width:1ch;height:0;padding:0;border:0;margin:0';
      cell.appendChild(span);
      return span;
    });
    const headers = Array.from(table.querySelectorAll(':scope > thead > tr:last-child > *'));
    let narrowest = null;
    cells.forEach((cell, i) => {
      const ch = probes[i].getBoundingClientRect().width;
      if (!(ch > 0)) return;
      const chars = contentWidth(cell) / ch;
      if (narrowest === null || chars < narrowest.chars) {
        const r = cell.getBoundingClientRect();
        const mid = (r.left + r.right) / 2;
        const head = headers.find(h => {
          const hr = h.getBoundingClientRect();
          return hr.left <= mid && mid <= hr.right;
        });
        narrowest = {chars: Math.round(chars * 10) / 10, width: Math.round(r.width),
                     text: snippet(cell), column: head ? snippet(head) : null};
      }
    });
    probes.forEach(p => p.remove());
    // Not a failure by itself (a box that scrolls keeps the page still), but worth seeing.
    let box = table;
    while (box && box !== article && getComputedStyle(box).overflowX === 'visible') box = box.parentElement;
    const scrolls = !!box && box !== article && box.scrollWidth > box.clientWidth + TOL;
    return {id: table.id || cssPath(table), cells: cells.length, narrowest: narrowest, scrolls_in_box: scrolls};
  });

  return {
    page_height: Math.max(root.scrollHeight, document.body.scrollHeight),
    scroll_width: root.scrollWidth,
    client_width: limit,
    visible_code: code.map(el => ({path: cssPath(el), text: snippet(el)})),
    wide_count: wide.length,
    wide: wide.slice(0, opts.offenders).map(el => {
      const r = el.getBoundingClientRect();
      return {path: cssPath(el), right: Math.round(r.right), width: Math.round(r.width)};
    }),
    charts: charts,
    tables: tables,
  };
}
"""


@dataclass
class PageLayout:
    """One page measured at one viewport: height, sideways scroll, visible code, wide elements, charts, tables."""

    page: str
    viewport: str
    page_height: int
    scroll_width: int
    client_width: int
    visible_code: list[dict] = field(default_factory=list)
    wide_count: int = 0
    wide: list[dict] = field(default_factory=list)
    charts: list[dict] = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    screenshot: str | None = None

    @property
    def sideways(self) -> bool:
        """Return whether the page scrolls sideways (its content is wider than the window)."""
        return self.scroll_width > self.client_width

    @property
    def charts_not_fitting(self) -> list[dict]:
        """Return the charts whose drawn SVG is wider than their container (or that never drew)."""
        return [c for c in self.charts if not c["fits"]]

    @property
    def ellipsis_texts(self) -> list[dict]:
        """Return every chart text Vega cut with an ellipsis, with its chart id and role."""
        return [{"chart": c["id"], **t} for c in self.charts for t in c["ellipsis"]]

    @property
    def cut_labels(self) -> list[dict]:
        """Return the cut texts that are labels or titles (axis, legend, chart), not text marks."""
        return [t for t in self.ellipsis_texts if t["role"] != TEXT_MARK_ROLE]

    @property
    def narrowest_cell(self) -> dict | None:
        """Return the narrowest visible table body cell on the page (with its table id), or None."""
        found = [{"table": t["id"], **t["narrowest"]} for t in self.tables if t["narrowest"]]
        return min(found, key=lambda n: n["chars"], default=None)

    def to_json(self) -> dict:
        """Return the measurements and the derived verdicts as plain JSON data."""
        return {
            **asdict(self),
            "sideways": self.sideways,
            "charts_not_fitting": [c["id"] for c in self.charts_not_fitting],
            "ellipsis_texts": self.ellipsis_texts,
            "narrowest_cell": self.narrowest_cell,
        }


def is_local(url: str, origin: str) -> bool:
    """Return whether a request stays in the served book (or is a data:, blob: or about: URL)."""
    return urlsplit(url).scheme in ("data", "blob", "about") or url.startswith(origin)


def measure_page(page, url: str, viewport: Viewport | str, rel: str, screenshot: Path | None = None,
                 offenders: int = 5) -> PageLayout:
    """Open ``url`` in a Playwright page, wait for its charts, and return its measured layout."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.goto(url, wait_until="load")
    try:
        page.wait_for_function(ALL_DRAWN_JS, timeout=DRAW_TIMEOUT_MS)
    except PlaywrightTimeout:
        pass  # a chart that never drew is measured as not fitting
    page.evaluate(SETTLED_JS)
    found = page.evaluate(MEASURE_JS, {"snippet": 60, "offenders": offenders, "ellipsis": ELLIPSIS})
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshot), full_page=True)
    return PageLayout(page=rel, viewport=str(viewport), screenshot=str(screenshot) if screenshot else None, **found)


def screen_name(rel: str, viewport: Viewport) -> str:
    """Return the screenshot file name of a page at a width: ``<page-stem>-<width>.png``."""
    return f"{Path(rel).stem}-{viewport.width}.png"


def measure_pages(browser, base_url: str, html_dir: Path | str, viewport: Viewport,
                  screens: Path | None = None,
                  progress: Callable[[PageLayout], None] | None = None) -> list[PageLayout]:
    """Return the layout of every content page at one viewport; requests to other hosts are aborted."""
    html_dir = Path(html_dir).resolve()
    context = browser.new_context(viewport={"width": viewport.width, "height": viewport.height},
                                  service_workers="block")
    results = []
    try:
        for path in content_pages(html_dir):
            rel = path.relative_to(html_dir).as_posix()
            page = context.new_page()
            page.route("**/*", lambda r: r.continue_() if is_local(r.request.url, base_url) else r.abort())
            try:
                layout = measure_page(page, base_url + rel, viewport, rel,
                                      screenshot=screens / screen_name(rel, viewport) if screens else None)
            finally:
                page.close()
            results.append(layout)
            if progress:
                progress(layout)
    finally:
        context.close()
    return results


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve_book(html_dir: Path | str) -> Iterator[str]:
    """Serve the built book on a free localhost port; yield its base URL (ending in '/')."""
    handler = functools.partial(_QuietHandler, directory=str(html_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@contextmanager
def launch_chromium(chromium: Path | str | None = None) -> Iterator[object]:
    """Yield a headless Chromium driven by Playwright, with the flags that keep it offline."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(chromium or chromium_path()), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def progress_line(layout: PageLayout) -> str:
    """Return the one line printed as a page is measured."""
    return (f"{layout.viewport:>10}  {layout.page}: {layout.page_height:,} px high"
            + (", scrolls sideways" if layout.sideways else ""))


def measure_book(html_dir: Path | str, viewports: Sequence[Viewport], screens: Path | None = None,
                 progress: Callable[[PageLayout], None] | None = None) -> list[PageLayout]:
    """Return the layout of every content page at every viewport (raises LayoutError if it cannot run)."""
    check_ready(html_dir)
    results: list[PageLayout] = []
    with serve_book(html_dir) as base_url, launch_chromium() as browser:
        for viewport in viewports:
            results += measure_pages(browser, base_url, html_dir, viewport, screens=screens, progress=progress)
    return results


# -- reporting -----------------------------------------------------------------------------------


def _cell(n: dict | None) -> str:
    return "-" if n is None else f"{n['chars']:.1f} ch" + (" <" if n["chars"] < MIN_CELL_CH else "")


def _details(layout: PageLayout, offenders: int) -> list[str]:
    lines = []
    if layout.sideways:
        lines.append(f"scrolls sideways: content {layout.scroll_width} px in a {layout.client_width} px window")
    for c in layout.visible_code[:offenders]:
        lines.append(f"visible code: {c['path']}: {c['text']!r}")
    shown = layout.wide[:offenders]
    for w in shown:
        lines.append(f"wider than the window: {w['path']} (right edge {w['right']} px, {w['width']} px wide)")
    if layout.wide_count > len(shown):
        lines.append(f"... and {layout.wide_count - len(shown)} more wide elements")
    for c in layout.charts_not_fitting:
        lines.append(f"chart not fitting: {c['id']} (svg {c['svg_width']} px in {c['container_width']} px)"
                     if c["drawn"] else f"chart not drawn: {c['id']}")
    for t in layout.ellipsis_texts:
        lines.append(f"cut text ({t['role']}, {t['chart']}): {t['text']!r}")
    for t in layout.tables:
        if t.get("scrolls_in_box"):
            lines.append(f"table scrolls inside its box (not a failure): {t['id']}")
    n = layout.narrowest_cell
    if n and n["chars"] < MIN_CELL_CH:
        lines.append(f"narrowest cell: {n['chars']:.1f} ch in {n['table']}, column {n['column']!r}: {n['text']!r}")
    return lines


def format_report(layouts: Sequence[PageLayout], details: bool = True, offenders: int = 3) -> str:
    """Return one plain-text table per viewport (pages in book order), each followed by what failed."""
    viewports = list(dict.fromkeys(layout.viewport for layout in layouts))
    blocks = []
    for viewport in viewports:
        rows = [layout for layout in layouts if layout.viewport == viewport]
        width = max([len("page")] + [len(r.page) for r in rows])
        lines = [
            f"at {viewport}:",
            f"{'page':<{width}}  {'height px':>9}  {'sideways':>8}  {'visible code':>12}  {'wide elements':>13}  "
            f"{'charts not fitting':>18}  {'ellipsis labels':>15}  {'narrowest cell':>14}",
        ]
        for r in rows:
            lines.append(
                f"{r.page:<{width}}  {r.page_height:>9,}  {'yes' if r.sideways else 'no':>8}  "
                f"{len(r.visible_code):>12}  {r.wide_count:>13}  "
                f"{f'{len(r.charts_not_fitting)} of {len(r.charts)}':>18}  {len(r.ellipsis_texts):>15}  "
                f"{_cell(r.narrowest_cell):>14}"
            )
        if details:
            for r in rows:
                lines += [f"  {r.page}: {line}" for line in _details(r, offenders)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def write_json(layouts: Sequence[PageLayout], out: Path | str = LAYOUT_JSON) -> Path:
    """Write the measurements to ``out`` (by default _build/layout/layout.json); return its path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "viewports": list(dict.fromkeys(layout.viewport for layout in layouts)),
        "min_cell_ch": MIN_CELL_CH,
        "pages": [layout.to_json() for layout in layouts],
    }
    out.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def run(html_dir: Path | str, widths: str, screens: Path | None, out: Path | str) -> int:
    """Measure, print the report, write the JSON (and screenshots); return 0 (this measures, it does not judge)."""
    viewports = parse_widths(widths)
    layouts = measure_book(html_dir, viewports, screens=screens,
                           progress=lambda layout: print(progress_line(layout), file=sys.stderr, flush=True))
    print(format_report(layouts))
    print(f"\nwrote {write_json(layouts, out)}" + (f"; screenshots in {screens}" if screens else ""))
    return 0
