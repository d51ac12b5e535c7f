"""``migspec import``: bootstrap a spec from a source tree that has none.

Prints the spec (or writes it with ``-o``); diagnostics go to standard
error.  Exit codes: 0 written (notes say what was left out), 1 the tree
does not say enough (no enum, or several candidates: an option chooses),
2 usage errors (no such root, ``-o`` exists without ``--force``).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..importer import ImportOptions, import_spec
from ..report import format_human, summary_line
from ..writes import WriteError, write_atomic
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument("--source-root", metavar="DIR", help="the QEMU-layout tree to read")
    p.add_argument(
        "--kernel-root",
        metavar="DIR",
        help="a kernel tree: its uAPI header and the core's tables (alone, or with --source-root)",
    )
    p.add_argument("-o", "--output", metavar="SPEC", help="write the spec here (default: stdout)")
    p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    p.add_argument("--enum", metavar="NAME", help="the C enum of the states (default: find it)")
    p.add_argument("--header", metavar="FILE", help="the header that defines the enum")
    p.add_argument(
        "--to-string", metavar="NAME", help="the function that turns a state into a string"
    )
    p.add_argument("--docs", metavar="FILE", help="the rst file that draws the flows")


def _say(text: str) -> None:
    sys.stderr.write(f"migspec import: {text}\n")


def run(args: argparse.Namespace) -> int:
    if args.source_root is None and args.kernel_root is None:
        _say("give --source-root, --kernel-root or both")
        return EXIT_USAGE
    for option, value in (("--source-root", args.source_root), ("--kernel-root", args.kernel_root)):
        if value is not None and not os.path.isdir(value):
            _say(f"{option} {value}: not a directory")
            return EXIT_USAGE
    out = Path(args.output) if args.output else None
    if out is not None and out.exists() and not args.force:
        _say(f"{out} exists; pass --force to overwrite it")
        return EXIT_USAGE

    result = import_spec(
        args.source_root,
        ImportOptions(
            enum=args.enum,
            header=args.header,
            to_string=args.to_string,
            docs=args.docs,
            kernel_root=args.kernel_root,
        ),
    )
    if result.diagnostics:
        sys.stderr.write(format_human(result.diagnostics))
    if result.text is None or result.failed:
        _say(summary_line(result.diagnostics))
        return EXIT_FINDINGS
    if out is None:
        sys.stdout.write(result.text)
        return EXIT_OK

    try:
        write_atomic(out, result.text.encode("utf-8"), force=args.force)
    except WriteError as err:
        sys.stderr.write(format_human([err.diagnostic]))
        return EXIT_USAGE
    _say(f"wrote {out}; review its header comment, then run: migspec lint --spec {out}")
    return EXIT_OK
