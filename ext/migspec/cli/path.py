"""``migspec path FROM TO``: the states a request passes through, one per line."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_spec_option, emit, load_from, unreadable
from .table import add_features_option


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument("source", metavar="FROM", help="the state the device is in")
    p.add_argument("target", metavar="TO", help="the state user space requests")
    add_spec_option(p)
    add_features_option(p)


def run(args: argparse.Namespace) -> int:
    from ..fsm.engine import device_table
    from ..fsm.projection import feature_set_name, parse_feature_list

    result = load_from(args)
    if result.spec is None:
        emit(result.diagnostics, args, args.spec or "spec")
        return EXIT_USAGE if unreadable(result) else EXIT_FINDINGS
    spec = result.spec
    try:
        features = parse_feature_list(spec, args.features)
    except ValueError as e:
        sys.stderr.write(f"migspec path: {e}\n")
        return EXIT_USAGE
    # What a device does: the lookup over the table (which, without the
    # stop at the error state, can hang even with every feature).
    steps = device_table(spec, features)
    kind = feature_set_name(spec, features)
    for name in (args.source, args.target):
        if name not in spec.state_map:
            known = ", ".join(s.name for s in spec.states_by_value)
            sys.stderr.write(f"migspec path: unknown state {name!r} (known: {known})\n")
            return EXIT_USAGE
        if name not in steps.states:
            sys.stderr.write(f"migspec path: a device with features {kind} has no state {name}\n")
            return EXIT_USAGE
    path = steps.path(args.source, args.target)
    if path is None:
        sys.stderr.write(f"migspec path: {_why(spec, steps, args.source, args.target)}\n")
        return EXIT_FINDINGS
    sys.stdout.write("".join(f"{s}\n" for s in path))
    return EXIT_OK


def _why(spec: Any, steps: Any, source: str, target: str) -> str:
    if steps.error in (source, target):
        return f"requests from or to the error state {steps.error} are refused"
    refused = any((r.source, r.target) == (source, target) for r in spec.refused)
    if steps.next[source][target] is None:
        because = " (it is refused, and the lookup never stops at the error state)"
        return f"the next-state lookup for {source} -> {target} never returns" + (
            because if refused else ""
        )
    if refused:
        return f"{source} -> {target} is refused"
    return f"no legal path from {source} to {target}"
