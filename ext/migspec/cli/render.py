"""``migspec render ARTEFACT``: print one generated artefact to stdout.

Artefacts: every record of the registry (:mod:`migspec.artefacts`):
``c-enum`` / ``to-str`` / ``predicates`` (C), ``trace-events``, ``flow-rst``
(a flow's rst literal block), ``kernel-table`` (the kernel's next-state
table), ``fsm-comment`` (the uAPI comment on the machine), ``fsm-dot`` /
``fsm-svg`` (the state machine), ``flow-dot`` /
``flow-svg`` (one flow).  SVG needs Graphviz ``dot``: without it a warning, no output, exit 0
(``--strict``: exit 1).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .. import pipeline
from ..artefacts import ARTEFACTS, Choice, artefact
from ..expect.flows import expect_flow
from ..model import FlowStyle
from ..render import dot
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_spec_option, emit, exit_code

# Every artefact the registry knows (the order ``--help`` lists them in).
ARTEFACT_NAMES = tuple(a.name for a in ARTEFACTS)


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument(
        "artefact",
        choices=ARTEFACT_NAMES,
        metavar="ARTEFACT",
        help="one of: " + ", ".join(ARTEFACT_NAMES),
    )
    add_spec_option(p)
    p.add_argument(
        "--flow", metavar="NAME", help="the flow for flow-* artefacts (default: the spec's first)"
    )
    p.add_argument(
        "--features",
        metavar="LIST",
        help="device kind: 'all', 'none' or optional features, comma-separated "
        "(flow-*: default the flow's own; fsm-*: default the whole machine; "
        "kernel-table: default all)",
    )
    p.add_argument(
        "--style",
        choices=("projected", "bracketed"),
        help="flow-rst drawing style (default: the flow's own, normally projected)",
    )
    p.add_argument(
        "--show-refused", action="store_true", help="fsm-*: draw refused pairs (red, dashed)"
    )
    p.add_argument(
        "--strict", action="store_true", help="*-svg: exit 1 when Graphviz dot is missing"
    )


def _error(message: str) -> int:
    sys.stderr.write(f"migspec render: error: {message}\n")
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    prepared = pipeline.prepare(args.spec)
    if prepared.spec is None:  # the spec did not load, or lint rejected it
        emit(prepared.stopped, args, prepared.name, makes_output=True)
        return exit_code(prepared.outcome)
    spec = prepared.spec

    features = None
    if args.features is not None:
        try:
            features = spec.parse_device_kind(args.features).features
        except ValueError as err:
            return _error(f"--features: {err}")
    chosen = artefact(args.artefact)
    why = chosen.unavailable(spec)
    if why is not None:
        return _error(why)
    flow = None
    if chosen.per_flow:
        name = args.flow or spec.flows[0].name
        flow = spec.flow_map.get(name)
        if flow is None:
            known = ", ".join(f.name for f in spec.flows)
            return _error(f"--flow: no flow '{name}' in {spec.path} (flows: {known})")
    style = FlowStyle(args.style) if args.style else None
    if chosen.name == "flow-rst":
        assert flow is not None

        for state in expect_flow(spec, flow, features=features, style=style).unresolved:
            sys.stderr.write(
                f"migspec render: warning: no stand-in for {state} on this device; drawn as written\n"
            )

    try:
        text = chosen.render(
            spec,
            Choice(flow=flow, features=features, style=style, show_refused=args.show_refused),
        )
    except dot.DotMissing as err:
        sys.stderr.write(f"migspec render: warning: {err}; no SVG written (install graphviz)\n")
        return EXIT_FINDINGS if args.strict else EXIT_OK
    except dot.DotFailed as err:
        return _error(f"dot refused the drawing: {err}")
    sys.stdout.write(text)
    return EXIT_OK
