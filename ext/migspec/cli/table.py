"""``migspec table``: the next-step table a spec implies, as text, JSON or kernel C."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from ..fsm.engine import device_steps
from ..render.kernel import render_kernel_table
from . import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE
from .common import add_spec_option, emit, load_from, unreadable

if TYPE_CHECKING:
    from ..fsm.engine import Answer


def add_parser(sub: Any, name: str, help_text: str) -> None:
    p = sub.add_parser(name, help=help_text, description=help_text)
    add_spec_option(p)
    add_features_option(p)
    p.add_argument(
        "--format",
        choices=("text", "json", "c"),
        default="text",
        help="text: a matrix; json: next steps and paths; c: the kernel's two tables "
        "(always for every feature)",
    )


def add_features_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--features",
        metavar="LIST",
        default="all",
        help="the kind of device: 'all' (default), 'none', or comma-separated optional "
        "features; steps are the kernel's lookup walk over the full table",
    )


def run(args: argparse.Namespace) -> int:
    result = load_from(args)
    if result.spec is None:
        emit(result.diagnostics, args, args.spec or "spec")
        return EXIT_USAGE if unreadable(result) else EXIT_FINDINGS
    spec = result.spec
    try:
        kind = spec.parse_device_kind(args.features)
    except ValueError as e:
        sys.stderr.write(f"migspec table: {e}\n")
        return EXIT_USAGE
    if args.format == "c":
        if kind.features != spec.all_features:
            sys.stderr.write(
                "migspec table: --format c writes the kernel's one table for every feature; "
                "drop --features\n"
            )
            return EXIT_USAGE

        try:
            sys.stdout.write(render_kernel_table(spec))
        except ValueError as e:
            sys.stderr.write(f"migspec table: {e}\n")
            return EXIT_USAGE
        return EXIT_OK
    steps = device_steps(spec, kind)
    names = [f.name for f in sorted(spec.features, key=lambda f: f.bit) if f.name in kind.features]
    answers = {a: {b: steps.answer(a, b) for b in steps.states} for a in steps.states}
    if args.format == "json":
        doc = {
            "features": names,
            "states": list(steps.states),
            "next": {a: {b: x.step for b, x in row.items()} for a, row in answers.items()},
            "paths": {
                a: {b: _listed(x.path) for b, x in row.items()} for a, row in answers.items()
            },
        }
        sys.stdout.write(json.dumps(doc, indent=2) + "\n")
        return EXIT_OK
    sys.stdout.write(_text(spec.machine.title or spec.machine.name, names, answers))
    return EXIT_OK


def _listed(path: tuple[str, ...] | None) -> list[str] | None:
    return None if path is None else list(path)


def _text(title: str, features: list[str], answers: dict[str, dict[str, Answer]]) -> str:
    states = tuple(answers)
    width = max(len(s) for s in (*states, "from \\ to")) + 2
    lines = [
        f"{title}: next step from each state (rows) towards each state (columns)",
        f"features: {', '.join(features)}",
        "",
        "from \\ to".ljust(width) + "".join(s.ljust(width) for s in states).rstrip(),
    ]
    for a in states:
        cells = "".join(str(answers[a][b].step or "-").ljust(width) for b in states)
        lines.append((a.ljust(width) + cells).rstrip())
    combos = [
        x.path for row in answers.values() for x in row.values() if x.path and len(x.path) > 2
    ]
    if combos:
        lines += ["", "combination transitions:"]
        lines += ["  " + " -> ".join(p) for p in combos]
    return "\n".join(lines) + "\n"
