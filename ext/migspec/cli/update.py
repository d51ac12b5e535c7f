"""``migspec update``: rewrite the generated regions of a source tree in place.

``--check`` exits 1 when something would change and prints the command that
changes it; ``--diff`` prints a patch (``git apply`` takes it); ``--write``
writes atomically.  Diagnostics go to standard error, so that standard output
is only the patch.  Exit codes: 0 nothing to do (or written, or the diff
printed), 1 would change (``--check``) or a region could not be rewritten,
2 usage errors or an unreadable root or spec.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import Any

from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_spec_option, load_from, unreadable


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument(
        "--source-root",
        required=True,
        metavar="DIR",
        help="the QEMU source tree to update (the spec's paths are relative to it)",
    )
    add_spec_option(p)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a file would change, and say the command that changes it",
    )
    mode.add_argument("--diff", action="store_true", help="print the changes as a unified diff")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place")


def fix_command(args: argparse.Namespace) -> str:
    """The command line that applies what ``--check`` found."""
    words = ["migspec", "update", "--source-root", args.source_root]
    if args.spec:
        words += ["--spec", args.spec]
    return shlex.join([*words, "--write"])


def _say(text: str) -> None:
    sys.stderr.write(f"migspec update: {text}\n")


def run(args: argparse.Namespace) -> int:
    from ..report import format_human, summary_line

    if not os.path.isdir(args.source_root):
        _say(f"--source-root {args.source_root}: not a directory")
        return EXIT_USAGE
    result = load_from(args)
    if result.spec is None:
        sys.stderr.write(format_human(result.diagnostics))
        return EXIT_USAGE if unreadable(result) else EXIT_FINDINGS
    from ..artefacts import plan_update
    from ..update import apply_plan

    plan = plan_update(result.spec, args.source_root)
    diagnostics = list(plan.diagnostics)
    status = EXIT_FINDINGS if plan.failed else EXIT_OK
    if args.diff:
        sys.stdout.flush()
        sys.stdout.buffer.write(plan.diff())
        sys.stdout.flush()
    elif args.check:
        for update in plan.files:
            _say(f"would update {update.display}")
        if plan.files:
            count = len(plan.files)
            _say(
                f"{count} file{'' if count == 1 else 's'} would be updated; "
                f"run: {fix_command(args)}"
            )
            status = EXIT_FINDINGS
    else:
        applied = apply_plan(plan)
        for rel in applied.written:
            _say(f"updated {os.path.normpath(os.path.join(args.source_root, rel))}")
        diagnostics.extend(applied.diagnostics)
        if applied.diagnostics:
            status = EXIT_FINDINGS
    if diagnostics:
        sys.stderr.write(format_human(diagnostics))
        _say(summary_line(diagnostics))
    elif not plan.files:
        _say(f"nothing to do in {args.source_root}")
    return status
