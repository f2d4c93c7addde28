"""The command line: ``python -m compendium <command>``; bad input exits non-zero with one message."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compendium import paths
from compendium.errors import CompendiumError
from compendium.io import write_csv_atomic
from compendium.data.source import parse_source, passages_frame


def cmd_parse(args: argparse.Namespace) -> int:
    """Print the document model: sections, block counts and ids."""
    doc = parse_source(args.source)
    print(f"{doc.title}  ({args.source})")
    for s in doc.sections:
        counts = ", ".join(f"{k}={s.kind_count(k)}" for k in ("paragraph", "bullet", "caption", "header", "row") if s.kind_count(k))
        print(f"  {s.id:<14} {counts}")
        if args.ids:
            print("    " + " ".join(b.id for b in s.blocks))
    return 0


def cmd_passages(args: argparse.Namespace) -> int:
    """Write the passages table (one row per block) derived from the source model."""
    frame = passages_frame(parse_source(args.source))
    out = write_csv_atomic(frame, args.out)
    print(f"wrote {len(frame)} passages to {out}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    """Build the HTML book into _build/html; a failure ends with one line naming the chapter or step and its log."""
    from compendium.book.build import build_book

    return build_book().returncode


def cmd_log(args: argparse.Namespace) -> int:
    """Print a log of the last build: a chapter's, or the jupyter-book step's (``book``); all of them without a name."""
    from compendium.book.build import LOGS

    folder = args.build_dir / LOGS
    logs = sorted(folder.glob("*.log")) if folder.is_dir() else []
    if args.name:
        chosen = [folder / f"{args.name}.log"]
        if not chosen[0].is_file():
            names = ", ".join(p.stem for p in logs) or "none"
            print(f"error: the last build in {args.build_dir} has no log '{args.name}' (logs: {names})", file=sys.stderr)
            return 2
    else:
        chosen = logs
        if not chosen:
            print(f"error: no build logs in {folder}", file=sys.stderr)
            return 2
    for path in chosen:
        if len(chosen) > 1:
            print(f"==> {path} <==")
        print(path.read_text(encoding="utf-8", errors="replace"), end="")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate every table of the data package; print each problem with file, row and column."""
    from compendium.data.tables import TABLES, validate_tables

    problems = validate_tables(args.data_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"error: {len(problems)} problem(s) in {args.data_dir}", file=sys.stderr)
        return 2
    print(f"{args.data_dir}: all {len(TABLES)} tables valid against datapackage.json")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Time builds and reruns against the stock template book; print a table and save JSON."""
    from compendium.book.bench import run_benchmark

    run_benchmark(tests=not args.skip_tests)
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Regenerate the committed results snapshot (tests/snapshots) from a fresh run of every chapter."""
    from compendium.book.snapshot import regenerate, write_snapshot

    files = regenerate(jobs=args.jobs)
    folder = write_snapshot(files)
    print(f"wrote {len(files)} files to {folder}; review them with `git diff -- {folder.relative_to(paths.ROOT)}`")
    return 0


def cmd_pageweight(args: argparse.Namespace) -> int:
    """Print the bytes each page of the built book costs beyond the shared assets."""
    from compendium.book.pageweight import format_report, page_weights

    if not (args.html_dir / "index.html").exists():
        print(f"error: no built book in {args.html_dir}; run `make book` first", file=sys.stderr)
        return 2
    print(format_report(page_weights(args.html_dir)))
    return 0


def cmd_layout(args: argparse.Namespace) -> int:
    """Measure every page of the built book in Chromium at each width; print tables and save JSON."""
    from compendium.book.layout import run

    return run(args.html_dir, args.widths, screens=args.screens, out=args.out)


def cmd_pdf(args: argparse.Namespace) -> int:
    """Print the built book to one PDF with Chromium (what `make pdf` runs)."""
    from compendium.book.pdf import write_pdf

    out = write_pdf(args.html_dir, args.out)
    print(f"wrote {out}")
    return 0


def positive_int(text: str) -> int:
    """Return ``text`` as an integer of at least 1 (argparse type)."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def cmd_list(args: argparse.Namespace) -> int:
    """Print every chapter and its parameters: name, type, default and meaning."""
    from compendium.book.params import all_parameters

    for chapter, params in all_parameters().items():
        print(chapter)
        width = max((len(p.name) for p in params.values()), default=0)
        for p in params.values():
            print(f"  {p.name:<{width}}  {p.type_name:<5}  default {p.literal}" + (f"  — {p.meaning}" if p.meaning else ""))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Check every chapter and value first, then run the chapters with papermill; exit 1 if any failed."""
    from compendium.book.runner import exit_status, plan_runs, run_chapters, summary_lines

    plan = plan_runs(args.chapters, texts=args.param or [], params_file=args.params_file, all_chapters=args.all)
    results = run_chapters(plan, runs_dir=args.runs_dir, jobs=args.jobs, progress=not args.no_progress,
                           timeout=args.timeout, command=sys.argv)
    print("\n".join(summary_lines(results)))
    return exit_status(results)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m compendium", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("parse", help="parse the meeting summary and print its sections and blocks")
    p.add_argument("--source", type=Path, default=paths.RAW_SOURCE, help="raw text file (default: %(default)s)")
    p.add_argument("--ids", action="store_true", help="also list every block id")
    p.set_defaults(func=cmd_parse)

    p = sub.add_parser("passages", help="write data/passages.csv from the source model")
    p.add_argument("--source", type=Path, default=paths.RAW_SOURCE, help="raw text file (default: %(default)s)")
    p.add_argument("--out", type=Path, default=paths.PASSAGES_CSV, help="output CSV (default: %(default)s)")
    p.set_defaults(func=cmd_passages)

    p = sub.add_parser("validate", help="validate the data tables against data/datapackage.json")
    p.add_argument("--data-dir", type=Path, default=paths.DATA_DIR, help="data folder (default: %(default)s)")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("bench", help="time builds and reruns against the stock template (writes _build/bench/bench.json)")
    p.add_argument("--skip-tests", action="store_true", help="leave out timing the two test lanes (several minutes)")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("snapshot", help="regenerate tests/snapshots from a fresh run of every chapter")
    p.add_argument("--jobs", type=positive_int, default=2, help="chapters run at once (default: %(default)s)")
    p.set_defaults(func=cmd_snapshot)

    p = sub.add_parser("pageweight", help="bytes per page of the built book (chapter budget: 400 KB)")
    p.add_argument("html_dir", nargs="?", type=Path, default=paths.BUILD_DIR / "html", help="built book (default: %(default)s)")
    p.set_defaults(func=cmd_pageweight)

    p = sub.add_parser("layout", help="measure the built book in Chromium at each width (writes _build/layout/layout.json)")
    p.add_argument("html_dir", nargs="?", type=Path, default=paths.BUILD_DIR / "html", help="built book (default: %(default)s)")
    p.add_argument("--widths", default="1280x1000,390x844", metavar="WxH[,WxH...]",
                   help="viewports to measure (default: %(default)s)")
    p.add_argument("--screens", nargs="?", type=Path, const=paths.BUILD_DIR / "screens", metavar="DIR",
                   help="also save a full-page PNG per page and width, <page>-<width>.png (DIR default: _build/screens)")
    p.add_argument("--out", type=Path, default=paths.BUILD_DIR / "layout" / "layout.json",
                   help="the JSON to write (default: %(default)s)")
    p.set_defaults(func=cmd_layout)

    p = sub.add_parser("pdf", help="print the built book to one PDF, _build/pdf/book.pdf (needs Chromium)")
    p.add_argument("--html-dir", type=Path, default=paths.BUILD_DIR / "html", help="the built book (default _build/html)")
    p.add_argument("--out", type=Path, default=paths.BUILD_DIR / "pdf" / "book.pdf", help="the PDF to write")
    p.set_defaults(func=cmd_pdf)

    p = sub.add_parser("build", help="build the HTML book into _build/html (warnings are errors)")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("log", help="print a log of the last build: a chapter's, or 'book' for the jupyter-book step")
    p.add_argument("name", nargs="?", help="chapter name or 'book' (default: every log of the last build)")
    p.add_argument("--build-dir", type=Path, default=paths.BUILD_DIR, help="build folder (default: %(default)s)")
    p.set_defaults(func=cmd_log)

    p = sub.add_parser("list", help="list the chapters and their parameters (name, type, default, meaning)")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser(
        "run",
        help="rerun chapters with papermill, each into its own folder under runs/",
        description="Rerun chapters with papermill. Every chapter name and value is checked before anything "
        "runs; each run goes to RUNS_DIR/<UTC timestamp>-<chapter>/ with the executed notebook, exported "
        "charts and tables, and run.json. Exit 0 if all succeeded, 1 if any chapter failed, 2 on bad input.",
    )
    p.add_argument("chapters", nargs="*", metavar="CHAPTER", help="chapter names (file stems in _toc.yml)")
    p.add_argument("--all", action="store_true", help="run every chapter in _toc.yml")
    p.add_argument("-p", "--param", nargs=2, action="append", metavar=("NAME", "VALUE"),
                   help="set a parameter (value read as YAML: 5, 0.5, true, text); repeatable; "
                   "applies to each chosen chapter that declares it")
    p.add_argument("--params-file", type=Path, metavar="FILE.yml", help="YAML mapping of parameter names to values (-p wins)")
    p.add_argument("--jobs", "-j", type=positive_int, default=2, metavar="N", help="chapters run in parallel (default: %(default)s)")
    p.add_argument("--runs-dir", type=Path, default=paths.RUNS_DIR, help="where run folders go (default: %(default)s)")
    p.add_argument("--timeout", type=positive_int, default=600, metavar="SECONDS", help="limit per cell (default: %(default)s)")
    p.add_argument("--no-progress", action="store_true", help="no progress bars on stderr")
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CompendiumError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130  # Ctrl-C (or SIGTERM during a build): no traceback; a build says itself where it stopped
