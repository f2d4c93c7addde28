"""The command line: ``python -m compendium <command>``; bad input exits non-zero with one message."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import paths
from .errors import CompendiumError
from .io import write_csv_atomic
from .source import parse_source, passages_frame


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
    """Build the HTML book into _build/html."""
    from .book import build_book

    return build_book().returncode


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

    p = sub.add_parser("build", help="build the HTML book into _build/html (warnings are errors)")
    p.set_defaults(func=cmd_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CompendiumError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
