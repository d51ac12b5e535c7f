"""``migspec check``: does a real source tree agree with the spec?"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from .. import pipeline
from . import EXIT_USAGE
from .common import add_report_options, add_spec_option, emit, exit_code, policy_from


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument(
        "--source-root",
        metavar="DIR",
        help="the QEMU source tree to check (the spec's paths are relative to it)",
    )
    p.add_argument(
        "--kernel-root",
        metavar="DIR",
        help="the Linux tree whose uAPI enum and tables to check (alone or with --source-root)",
    )
    add_spec_option(p)
    add_report_options(p)


def run(args: argparse.Namespace) -> int:
    if args.source_root is None and args.kernel_root is None:
        sys.stderr.write("migspec check: give --source-root DIR, --kernel-root DIR or both\n")
        return EXIT_USAGE
    for option, root in (("--source-root", args.source_root), ("--kernel-root", args.kernel_root)):
        if root is not None and not os.path.isdir(root):
            sys.stderr.write(f"migspec check: {option} {root}: not a directory\n")
            return EXIT_USAGE
    prepared = pipeline.prepare(args.spec, policy_from(args))
    checked = pipeline.check(prepared, args.source_root, args.kernel_root)
    shown = args.source_root if args.source_root is not None else args.kernel_root
    # With a kernel tree and a spec that names how drivers are recognised,
    # JSON lists every driver read (an empty list when there are none).
    lists_drivers = (
        args.kernel_root is not None
        and prepared.spec is not None
        and prepared.spec.code.kernel is not None
        and prepared.spec.code.kernel.drivers is not None
    )
    emit(
        checked.diagnostics,
        args,
        shown if prepared.spec else prepared.name,
        drivers=checked.drivers if lists_drivers else None,
    )
    return exit_code(checked.outcome)
