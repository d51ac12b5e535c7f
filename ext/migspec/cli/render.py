"""``migspec render KIND``: print one generated artefact to stdout.

Kinds: ``flow-rst`` (a flow's rst literal block), ``trace-events``,
``to-str`` / ``predicates`` / ``c-enum`` (C), ``kernel-table`` (the kernel's
next-state table, from :mod:`migspec.render.kernel` when this build has it),
``fsm-dot`` / ``fsm-svg`` (the state machine), ``flow-dot`` / ``flow-svg`` (one
flow).  SVG needs Graphviz ``dot``: without it a warning, no output, exit 0
(``--strict``: exit 1).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_spec_option, emit, load_from, unreadable

KINDS = (
    "flow-rst",
    "trace-events",
    "to-str",
    "predicates",
    "c-enum",
    "kernel-table",
    "fsm-dot",
    "fsm-svg",
    "flow-dot",
    "flow-svg",
)
FLOW_KINDS = ("flow-rst", "flow-dot", "flow-svg")


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    p.add_argument("kind", choices=KINDS, metavar="KIND", help="one of: " + ", ".join(KINDS))
    add_spec_option(p)
    p.add_argument(
        "--flow", metavar="NAME", help="the flow for flow-* kinds (default: the spec's first)"
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
    result = load_from(args)
    if result.spec is None:
        emit(result.diagnostics, args, args.spec or "spec")
        return EXIT_USAGE if unreadable(result) else EXIT_FINDINGS
    spec = result.spec
    from ..fsm.projection import parse_feature_list
    from ..model import FlowStyle

    features = None
    if args.features is not None:
        try:
            features = parse_feature_list(spec, args.features)
        except ValueError as err:
            return _error(f"--features: {err}")
    flow = None
    if args.kind in FLOW_KINDS:
        if not spec.flows:
            return _error(f"{spec.path} defines no flows")
        name = args.flow or spec.flows[0].name
        flow = spec.flow_map.get(name)
        if flow is None:
            known = ", ".join(f.name for f in spec.flows)
            return _error(f"--flow: no flow '{name}' in {spec.path} (flows: {known})")
    style = FlowStyle(args.style) if args.style else None

    kind = args.kind
    text: str | None
    if kind == "flow-rst":
        assert flow is not None
        from ..expect.flows import expect_flow
        from ..render.flow_rst import render_flow_rst

        for state in expect_flow(spec, flow, features=features, style=style).unresolved:
            sys.stderr.write(
                f"migspec render: warning: no stand-in for {state} on this device; drawn as written\n"
            )
        text = render_flow_rst(spec, flow, features=features, style=style)
    elif kind == "trace-events":
        from ..render.trace import render_trace_events

        text = render_trace_events(spec)
    elif kind in ("to-str", "predicates", "c-enum"):
        from ..render import c

        if kind == "c-enum":
            text = c.render_c_enum(spec)
        elif kind == "to-str":
            text = c.render_to_str(spec)
            if text is None:
                return _error(f"{spec.path} names no to-string function (code.to_string)")
        else:
            text = c.render_predicates(spec)
            if text is None:
                return _error(f"{spec.path} names no predicates (code.predicates)")
    elif kind == "kernel-table":
        # One table serves every device kind (the walk skips what a device
        # lacks), so --features does not apply.
        from ..render.kernel import render_kernel_table

        try:
            text = render_kernel_table(spec)
        except ValueError as exc:
            return _error(f"{spec.path}: {exc}")
    else:
        from ..render import dot

        if kind.startswith("fsm-"):
            source = dot.render_fsm_dot(spec, features, show_refused=args.show_refused)
        else:
            assert flow is not None
            source = dot.render_flow_dot(spec, flow, features)
        if kind.endswith("-dot"):
            text = source
        else:
            try:
                text = dot.render_svg(source)
            except dot.DotMissing as err:
                sys.stderr.write(
                    f"migspec render: warning: {err}; no SVG written (install graphviz)\n"
                )
                return EXIT_FINDINGS if args.strict else EXIT_OK
            except dot.DotFailed as err:
                return _error(f"dot refused the drawing: {err}")
    sys.stdout.write(text if text is not None else "")
    return EXIT_OK
