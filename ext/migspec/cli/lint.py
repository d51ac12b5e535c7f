"""``migspec lint``: check a spec, or trace-events files without a spec."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..pipeline import lint, lint_trace_events, prepare, rule_catalogue
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_report_options, add_spec_option, emit, exit_code, policy_from


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
    p.add_argument("--list-rules", action="store_true", help="list every rule id and exit")


def run(args: argparse.Namespace) -> int:
    if args.list_rules:
        return list_rules()
    if args.trace_events:
        return run_trace_events(args)
    # An unchanged spec is neither loaded nor linted again (pipeline.lint
    # keeps what it found in migspec.cache).
    linted = lint(args.spec, policy_from(args))
    emit(linted.findings, args, linted.name)
    return exit_code(linted.outcome)


def run_trace_events(args: argparse.Namespace) -> int:
    """Lint trace-events files (and the spec, when one is named explicitly)."""
    policy = policy_from(args)
    # Files unchanged since an earlier run are not linted again (migspec.cache).
    diagnostics, unreadable_paths = lint_trace_events(args.trace_events, policy.disabled)
    spec_unreadable = False
    if args.spec:
        prepared = prepare(args.spec, policy)
        diagnostics.extend(prepared.findings)
        policy = prepared.policy
        spec_unreadable = prepared.unreadable
    kept = policy.filter(diagnostics)
    count = len(args.trace_events)
    emit(kept, args, f"{count} trace-events file{'s' if count != 1 else ''}")
    if unreadable_paths or spec_unreadable:
        return EXIT_USAGE
    return EXIT_FINDINGS if policy.fails(kept) else EXIT_OK


def list_rules() -> int:
    rules = rule_catalogue()
    width = max(len(r.id) for r in rules)
    for r in rules:
        sys.stdout.write(f"{r.id:<{width}}  {r.severity.label:<7}  {r.scope:<12}  {r.summary}\n")
    return EXIT_OK
