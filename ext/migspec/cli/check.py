"""``migspec check``: does a real source tree agree with the spec?"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_report_options, add_spec_option, emit, load_from, policy_from, unreadable


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument(
        "--source-root",
        required=True,
        metavar="DIR",
        help="the QEMU source tree to check (the spec's paths are relative to it)",
    )
    p.add_argument(
        "--kernel-root",
        metavar="DIR",
        help="also check the kernel's tables and uAPI enum in this Linux tree",
    )
    add_spec_option(p)
    add_report_options(p)


def run(args: argparse.Namespace) -> int:
    for option, root in (("--source-root", args.source_root), ("--kernel-root", args.kernel_root)):
        if root is not None and not os.path.isdir(root):
            sys.stderr.write(f"migspec check: {option} {root}: not a directory\n")
            return EXIT_USAGE
    policy = policy_from(args)
    result = load_from(args)
    if result.spec is None:
        emit(policy.filter(result.diagnostics), args, args.spec or "spec")
        return EXIT_USAGE if unreadable(result) else EXIT_FINDINGS
    from ..artefacts import check_tree

    spec = result.spec
    policy = policy.merged(spec.disabled_rules)
    diagnostics = [*result.diagnostics, *check_tree(spec, args.source_root, args.kernel_root)]
    kept = policy.filter(diagnostics)
    emit(kept, args, args.source_root)
    return EXIT_FINDINGS if policy.fails(kept) else EXIT_OK
