"""``migspec show``: a plain-text summary of the machine a spec describes."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_spec_option, emit, load_from, unreadable


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    add_spec_option(p)


def run(args: argparse.Namespace) -> int:
    result = load_from(args)
    if result.spec is None:
        emit(result.diagnostics, args, args.spec or "spec")
        return EXIT_USAGE if unreadable(result) else EXIT_FINDINGS
    spec = result.spec
    out = sys.stdout
    m = spec.machine
    out.write(f"{m.title} ({m.name}): enum {m.enum}, constants {m.prefix}*\n")
    feats = ", ".join(f"{f.name}{'' if not f.mandatory else ' (mandatory)'}" for f in spec.features)
    out.write(f"features: {feats}\n")
    out.write(f"states ({len(spec.states)}):\n")
    for s in spec.states_by_value:
        extra = []
        optional = sorted(s.features - spec.mandatory_features)
        if optional:
            extra.append("needs " + "+".join(optional))
        if s.groups:
            extra.append("group " + ",".join(s.groups))
        if s.classes:
            extra.append("class " + ",".join(s.classes))
        if s.error:
            extra.append("error state")
        if s.initial:
            extra.append("initial")
        tail = f"  [{'; '.join(extra)}]" if extra else ""
        out.write(f"  {s.value:>3}  {s.name:<14}{tail}\n")
    out.write(f"arcs: {len(spec.arcs)}, refused: {len(spec.refused)}\n")
    for flow in spec.flows:
        out.write(f"flow {flow.name}: '{flow.title}', {len(flow.steps)} steps\n")
    for section in spec.trace:
        out.write(f"trace events: {len(section.events)} in {section.file} '# {section.section}'\n")
    return EXIT_OK
