"""trace-events lines from the spec's trace sections.

Inputs: a spec.  Outputs: ``# file.c`` section comments, each followed by its
events as :attr:`~migspec.model.TraceEvent.line` spells them, sorted by name
in plain byte order (as QEMU keeps them); sections in spec order, a blank line
between them.  Layout: ``templates/trace-events.j2``.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Spec, TraceEvent


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceBlock:
    file: str
    section: str
    events: tuple[TraceEvent, ...]


def trace_blocks(spec: Spec) -> tuple[TraceBlock, ...]:
    return tuple(
        TraceBlock(
            file=section.file,
            section=section.section,
            events=tuple(sorted(section.events, key=lambda e: e.name.encode("utf-8"))),
        )
        for section in spec.trace
    )


def render_trace_events(spec: Spec) -> str:
    from .env import render_template

    return render_template("trace-events.j2", blocks=trace_blocks(spec))
