"""``migspec update``: rewrite the generated regions of a source tree in place.

``--check`` exits 1 when something would change and prints the command that
changes it; ``--diff`` prints a patch (``git apply`` takes it); ``--write``
writes atomically.  The spec goes through :mod:`migspec.pipeline` first: a
spec lint finds errors in is reported and nothing is planned.  Human-format
diagnostics go to standard error, so that standard output is only the patch;
``--format json|sarif|gitlab`` puts the report on standard output instead
(and so does not combine with ``--diff``).  ``--fail-on`` and ``--disable``
are ``check``'s.  Exit codes: 0 nothing to do (or written, or the diff
printed), 1 would change (``--check``) or findings at or above ``--fail-on``
(a region that could not be rewritten, a refused write), 2 usage errors or an
unreadable root or spec.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from typing import Any, Literal

from .. import pipeline
from ..diagnostics import Diagnostic
from . import EXIT_FINDINGS, EXIT_USAGE
from .common import add_report_options, add_spec_option, emit, exit_code, policy_from


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument(
        "--source-root",
        metavar="DIR",
        help="the QEMU source tree to update (the spec's paths are relative to it)",
    )
    p.add_argument(
        "--kernel-root",
        metavar="DIR",
        help="the Linux tree to update: the uAPI comment on the machine and the "
        "next-state and state-flags tables",
    )
    add_spec_option(p)
    add_report_options(p)
    mode = p.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--check",
        action="store_true",
        help="exit 1 if a file would change, and say the command that changes it",
    )
    mode.add_argument("--diff", action="store_true", help="print the changes as a unified diff")
    mode.add_argument("--write", action="store_true", help="rewrite the files in place")
    p.add_argument("--force", action="store_true", help="with --write: rewrite read-only files too")


def fix_command(args: argparse.Namespace) -> str:
    """The command line that applies what ``--check`` found."""
    words = ["migspec", "update"]
    if args.source_root:
        words += ["--source-root", args.source_root]
    if args.kernel_root:
        words += ["--kernel-root", args.kernel_root]
    if args.spec:
        words += ["--spec", args.spec]
    for ids in args.disable:  # a rule turned off for --check is off for the fix too
        words += ["--disable", ",".join(ids)]
    return shlex.join([*words, "--write"])


def _say(text: str) -> None:
    sys.stderr.write(f"migspec update: {text}\n")


def run(args: argparse.Namespace) -> int:
    trees: list[tuple[str, Literal["source", "kernel"]]] = []
    if args.source_root is not None:
        trees.append((args.source_root, "source"))
    if args.kernel_root is not None:
        trees.append((args.kernel_root, "kernel"))
    if not trees:
        _say("give --source-root, --kernel-root or both")
        return EXIT_USAGE
    for root, tree in trees:
        if not os.path.isdir(root):
            _say(f"--{tree}-root {root}: not a directory")
            return EXIT_USAGE
    if args.diff and args.format != "human":
        # Standard output holds the patch; a second document would corrupt both.
        _say(f"--diff prints a patch on standard output; --format {args.format} cannot share it")
        return EXIT_USAGE
    prepared = pipeline.prepare(args.spec, policy_from(args))
    diagnostics: list[Diagnostic] = []
    status = 0
    changes = 0
    nothing: list[str] = []
    for root, tree in trees:
        planned = pipeline.plan_update(prepared, root, tree)
        found = list(planned.diagnostics)
        code = exit_code(planned.outcome)
        if planned.plan is None:  # the spec did not load, or lint rejected it: report why
            diagnostics.extend(found)
            status = max(status, code)
            break
        if args.diff:
            sys.stdout.flush()
            sys.stdout.buffer.write(planned.plan.diff())
            sys.stdout.flush()
        elif args.check:
            for update in planned.plan.files:
                _say(f"would update {update.display}")
            changes += len(planned.plan.files)
        else:
            written = pipeline.write_update(planned, force=args.force)
            for rel in written.written:
                _say(f"updated {os.path.normpath(os.path.join(root, rel))}")
            found = list(written.diagnostics)
            code = exit_code(written.outcome)
        if not planned.plan.files and not found:
            nothing.append(root)
        diagnostics.extend(found)
        status = max(status, code)
    if changes:
        _say(
            f"{changes} file{'' if changes == 1 else 's'} would be updated; "
            f"run: {fix_command(args)}"
        )
        status = max(status, EXIT_FINDINGS)
    if args.format != "human":
        emit(diagnostics, args, "migspec update")
    elif diagnostics:
        emit(diagnostics, args, "migspec update", makes_output=True)
    else:
        for root in nothing:
            _say(f"nothing to do in {root}")
    return status
