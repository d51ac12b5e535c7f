"""``migspec generate --out DIR``: write every artefact and an index.html.

See :mod:`migspec.generate` for the directory layout.  Files whose content
did not change are not rewritten.  Without Graphviz ``dot`` the ``.dot`` files
are still written, with a warning; exit 0 (``--strict``: 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .. import pipeline
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_spec_option, emit, exit_code


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    add_spec_option(p)
    p.add_argument("--out", metavar="DIR", required=True, help="the directory to write into")
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a directory that holds other files, and over read-only files",
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="exit 1 on any warning (Graphviz dot missing, a flow state with no stand-in)",
    )


def run(args: argparse.Namespace) -> int:
    if not args.out:
        sys.stderr.write("migspec generate: error: --out needs a directory (it was empty)\n")
        return EXIT_USAGE
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        sys.stderr.write(f"migspec generate: error: {out} exists and is not a directory\n")
        return EXIT_USAGE
    prepared = pipeline.prepare(args.spec)
    try:
        generated = pipeline.generate(prepared, out, force=args.force)
    except OSError as err:
        sys.stderr.write(f"migspec generate: error: cannot write {out}: {err}\n")
        return EXIT_USAGE
    report = generated.report
    if report is None:  # the spec did not load, or lint rejected it: nothing written
        emit(generated.diagnostics, args, prepared.name, makes_output=True)
        return exit_code(generated.outcome)
    if generated.diagnostics:
        emit(generated.diagnostics, args, str(out), makes_output=True)
    for warning in report.warnings:
        sys.stderr.write(f"migspec generate: warning: {warning}\n")
    for note in report.notes:
        sys.stderr.write(f"migspec generate: note: {note}\n")
    index = out / "index.html"
    opened = f"; open {index}" if "index.html" in (*report.written, *report.unchanged) else ""
    sys.stderr.write(
        f"migspec generate: {len(report.written)} written, "
        f"{len(report.unchanged)} unchanged in {out}{opened}\n"
    )
    if generated.outcome is not pipeline.Outcome.CLEAN:
        return exit_code(generated.outcome)
    return EXIT_FINDINGS if args.strict and report.warnings else EXIT_OK
