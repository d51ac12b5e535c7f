"""``migspec lint``: check a spec, or trace-events files without a spec."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import cache
from ..diagnostics import Diagnostic, Policy
from ..load import BUNDLED_SPEC
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import (
    add_report_options,
    add_spec_option,
    emit,
    load_from,
    policy_from,
    rule_catalogue,
    unreadable,
)


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    add_spec_option(p)
    add_report_options(p)
    p.add_argument(
        "--trace-events",
        nargs="+",
        metavar="FILE",
        help="lint these QEMU trace-events files (with --spec, the spec too)",
    )
    p.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        metavar="N",
        help="processes that share the trace-events files "
        "(default: one per CPU, when the files are large enough to gain from it)",
    )
    p.add_argument("--list-rules", action="store_true", help="list every rule id and exit")


def _jobs(value: str) -> int:
    try:
        jobs = int(value)
    except ValueError:
        jobs = 0
    if jobs < 1:
        raise argparse.ArgumentTypeError(f"expected a number of jobs (1 or more), not '{value}'")
    return jobs


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        return list_rules()
    if args.trace_events:
        return run_trace_events(args)
    policy = policy_from(args)
    # The cache (migspec.cache) keeps what linting an unchanged spec found:
    # then nothing is loaded or linted, and the stages that would are not
    # imported (lint_spec_record imports them).
    path = args.spec or BUNDLED_SPEC
    options = ("lint", args.spec or "", *sorted(policy.disabled))
    entry = cache.find(path, options)
    record = cache.read(entry) if entry is not None else None
    if record is None:
        record = lint_spec_record(args, policy)
        if entry is not None and not record["unreadable"]:
            cache.write(entry, path, options, record)
    policy = policy.merged(record["spec_disabled"])
    kept = policy.filter(Diagnostic.from_data(d) for d in record["diagnostics"])
    emit(kept, args, record["what"])
    if record["unreadable"]:
        return EXIT_USAGE
    return EXIT_FINDINGS if policy.fails(kept) else EXIT_OK


def lint_spec_record(args: argparse.Namespace, policy: Policy) -> dict[str, Any]:
    """Load and lint the spec: what ``run`` reports, as plain data for the cache."""
    from ..lint.spec import lint_spec

    result = load_from(args)
    diagnostics = list(result.diagnostics)
    if result.spec is not None:
        diagnostics.extend(lint_spec(result.spec, policy.disabled, catalogue=rule_catalogue))
    return {
        "diagnostics": [d.to_data() for d in diagnostics],
        "spec_disabled": sorted(result.spec.disabled_rules) if result.spec else [],
        "what": result.spec.path if result.spec else (args.spec or "spec"),
        "unreadable": unreadable(result),
    }


def run_trace_events(args: argparse.Namespace) -> int:
    """Lint trace-events files (and the spec, when one is named explicitly)."""
    from ..lint.trace_files import lint_trace_files

    policy = policy_from(args)
    diagnostics, unreadable_paths = lint_trace_files(
        args.trace_events, policy.disabled, jobs=args.jobs
    )
    spec_unreadable = False
    if args.spec:
        result = load_from(args)
        diagnostics.extend(result.diagnostics)
        if result.spec is not None:
            from ..lint.spec import lint_spec

            diagnostics.extend(lint_spec(result.spec, policy.disabled, catalogue=rule_catalogue))
            policy = policy.merged(result.spec.disabled_rules)
        spec_unreadable = unreadable(result)
    kept = policy.filter(diagnostics)
    count = len(args.trace_events)
    emit(kept, args, f"{count} trace-events file{'s' if count != 1 else ''}")
    if unreadable_paths or spec_unreadable:
        return EXIT_USAGE
    return EXIT_FINDINGS if policy.fails(kept) else EXIT_OK


def list_rules() -> int:
    from ..rules import all_rules

    rules = all_rules()
    width = max(len(r.id) for r in rules)
    for r in rules:
        sys.stdout.write(f"{r.id:<{width}}  {r.severity.label:<7}  {r.scope:<12}  {r.summary}\n")
    return EXIT_OK
