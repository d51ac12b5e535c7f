"""Options and helpers shared by the commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Policy, Severity, closest
from ..pipeline import Outcome, load, rule_catalogue
from ..pipeline import unreadable as unreadable_spec
from ..report import FORMATS, format_diagnostics, summary_line
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from ..check.drivers import DriverReport
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
        help="turn rules off (repeatable; 'migspec lint --list-rules' lists them)",
    )


def rule_ids(value: str) -> list[str]:
    """``--disable``'s value: known rule ids, else a usage error (exit 2).

    A misspelt id would silently keep the rule on, as ``lint.disable`` in a
    spec would (that one is ``lint-disable-unknown``).
    """
    ids = [r.strip() for r in value.split(",") if r.strip()]
    known = sorted(r.id for r in rule_catalogue())
    for rule_id in ids:
        if rule_id not in known:
            hint = closest(rule_id, known)
            extra = f"; did you mean '{hint}'?" if hint else " (see 'migspec lint --list-rules')"
            raise argparse.ArgumentTypeError(f"no rule is called '{rule_id}'{extra}")
    return ids


def policy_from(args: argparse.Namespace) -> Policy:
    disabled = {r for ids in args.disable for r in ids}
    return Policy(disabled=frozenset(disabled), fail_on=Severity.parse(args.fail_on))


def load_from(args: argparse.Namespace) -> LoadResult:
    """The spec ``--spec`` names, loaded but not linted (``show``, ``table``, ``path``)."""
    return load(args.spec)


def exit_code(outcome: Outcome) -> int:
    """The exit status of a pipeline outcome (see the contract in ``migspec --help``)."""
    return {
        Outcome.CLEAN: EXIT_OK,
        Outcome.FINDINGS: EXIT_FINDINGS,
        Outcome.UNREADABLE: EXIT_USAGE,
    }[outcome]


def emit(
    diagnostics: Sequence[Diagnostic],
    args: argparse.Namespace,
    what: str,
    *,
    makes_output: bool = False,
    drivers: Sequence[DriverReport] | None = None,
) -> None:
    """Print diagnostics in the chosen format; for humans, a count goes to stderr.

    A machine-readable report (json, sarif, gitlab) is standard output's only
    content.  Human-format diagnostics go to standard output for the commands
    whose output they are (``lint``, ``check``), and to standard error for the
    commands whose standard output, or directory, holds what they make
    (``makes_output``: ``render``, ``generate``, ``update``).
    """
    fmt = getattr(args, "format", "human")
    # SARIF's URIs are relative to the tree the command read (else the
    # working directory), as code-scanning services want them.
    root = getattr(args, "source_root", None) or getattr(args, "kernel_root", None) or "."
    text = format_diagnostics(
        diagnostics,
        fmt,
        rules=rule_catalogue() if fmt == "sarif" else (),
        root=root,
        drivers=drivers,
    )
    if fmt != "human":
        sys.stdout.write(text)
        return
    (sys.stderr if makes_output else sys.stdout).write(text)
    if diagnostics or not makes_output:
        sys.stderr.write(f"{what}: {summary_line(diagnostics)}\n")


def unreadable(result: LoadResult) -> bool:
    """True when the spec could not even be read (exit 2 rather than 1)."""
    return unreadable_spec(result)
