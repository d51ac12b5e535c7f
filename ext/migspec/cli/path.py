"""``migspec path FROM TO``: the states a request passes through, one per line."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ..fsm.engine import Outcome, answer
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_spec_option, emit, load_from, unreadable
from .table import add_features_option

if TYPE_CHECKING:
    from ..fsm.engine import Answer
    from ..model import State


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument("source", metavar="FROM", help="the state the device is in")
    p.add_argument("target", metavar="TO", help="the state user space requests")
    add_spec_option(p)
    add_features_option(p)


def run(args: argparse.Namespace) -> int:
    result = load_from(args)
    if result.spec is None:
        emit(result.diagnostics, args, args.spec or "spec")
        return EXIT_USAGE if unreadable(result) else EXIT_FINDINGS
    spec = result.spec
    try:
        kind = spec.parse_device_kind(args.features)
    except ValueError as e:
        sys.stderr.write(f"migspec path: {e}\n")
        return EXIT_USAGE
    for name in (args.source, args.target):
        if name not in spec.state_map:
            known = ", ".join(s.name for s in spec.states_by_value)
            sys.stderr.write(f"migspec path: unknown state {name!r} (known: {known})\n")
            return EXIT_USAGE
    # What a device does: the lookup over the table (which, without the
    # stop at the error state, can hang even with every feature).
    found = answer(spec, kind, args.source, args.target)
    if found.outcome is Outcome.NO_STATE:
        missing = next(n for n in (args.source, args.target) if not kind.has(spec.state(n)))
        sys.stderr.write(
            f"migspec path: a device with features {kind.name} has no state {missing}\n"
        )
        return EXIT_USAGE
    if found.path is None:
        sys.stderr.write(f"migspec path: {_why(found, spec.error_state)}\n")
        return EXIT_FINDINGS
    sys.stdout.write("".join(f"{s}\n" for s in found.path))
    return EXIT_OK


def _why(found: Answer, error: State | None) -> str:
    pair = f"{found.source} -> {found.target}"
    if found.outcome is Outcome.ERROR_STATE:
        name = error.name if error is not None else "?"
        return f"requests from or to the error state {name} are refused"
    if found.outcome is Outcome.NEVER_ENDS:
        because = " (it is refused, and the lookup never stops at the error state)"
        return f"the next-state lookup for {pair} never returns" + (
            because if found.refused else ""
        )
    if found.outcome is Outcome.REFUSED:
        return f"{pair} is refused"
    if found.outcome is Outcome.UNSUPPORTED:
        return (
            f"the next-state lookup for {pair} returns {found.lands_on}, a state the device lacks"
        )
    return f"no legal path from {found.source} to {found.target}"
