"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic, Policy, Rule, Severity, closest
from ..report import FORMATS, format_diagnostics, summary_line

if TYPE_CHECKING:
    from ..load.spec import LoadResult


def add_spec_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec",
        metavar="PATH",
        help="the spec to read (default: the bundled VFIO migration spec)",
    )


def add_report_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="human",
        help="how to print diagnostics (default: human)",
    )
    parser.add_argument(
        "--fail-on",
        choices=[s.label for s in Severity],
        default="error",
        help="lowest severity that makes the exit code 1 (default: error)",
    )
    parser.add_argument(
        "--disable",
        action="append",
        default=[],
        type=rule_ids,
        metavar="RULE[,RULE]",
        help="turn rules off (repeatable; see --list-rules)",
    )


def rule_ids(value: str) -> list[str]:
    """``--disable``'s value: known rule ids, else a usage error (exit 2).

    A misspelt id would silently keep the rule on, as ``lint.disable`` in a
    spec would (that one is ``lint-disable-unknown``).
    """
    from ..rules import all_rules

    ids = [r.strip() for r in value.split(",") if r.strip()]
    known = sorted(r.id for r in all_rules())
    for rule_id in ids:
        if rule_id not in known:
            hint = closest(rule_id, known)
            extra = f"; did you mean '{hint}'?" if hint else " (see 'migspec lint --list-rules')"
            raise argparse.ArgumentTypeError(f"no rule is called '{rule_id}'{extra}")
    return ids


def rule_catalogue() -> tuple[Rule[Any], ...]:
    """Every rule migspec knows (:func:`migspec.rules.all_rules`).

    Imported when first called: the catalogue imports every stage (about
    45 ms, more than a whole ``migspec lint`` of the bundled spec), and only
    a spec that disables rules, ``--disable`` and SARIF output need it.
    """
    from ..rules import all_rules

    return all_rules()


def policy_from(args: argparse.Namespace) -> Policy:
    disabled = {r for ids in args.disable for r in ids}
    return Policy(disabled=frozenset(disabled), fail_on=Severity.parse(args.fail_on))


def load_from(args: argparse.Namespace) -> LoadResult:
    # Imported here: `lint --trace-events` never reads a spec and need not
    # pay for the spec loader (and JSON Schema) at start-up.
    from ..load.spec import load_spec

    return load_spec(args.spec)


def emit(diagnostics: Sequence[Diagnostic], args: argparse.Namespace, what: str) -> None:
    """Print diagnostics in the chosen format; a summary goes to stderr for humans."""
    fmt = getattr(args, "format", "human")
    text = format_diagnostics(diagnostics, fmt, rules=rule_catalogue() if fmt == "sarif" else ())
    sys.stdout.write(text)
    if fmt == "human":
        sys.stderr.write(f"{what}: {summary_line(diagnostics)}\n")


def unreadable(result: LoadResult) -> bool:
    """True when the spec could not even be read (exit 2 rather than 1)."""
    return result.spec is None and any(
        d.rule in ("input-unreadable", "input-encoding", "input-too-large")
        for d in result.diagnostics
    )
