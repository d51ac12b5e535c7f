"""What the spec's sections of trace-events files must contain.

Inputs: a spec.  Outputs: per section, its events in the order the file keeps
them (sorted by name in plain byte order, as QEMU keeps them).  The renderer
writes these, ``check`` compares each section with them and ``update``
rewrites a section to them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Spec, TraceEvent, TraceSection


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceSectionExpectation:
    """``# section`` of ``file``: exactly ``events``, in this order."""

    section: TraceSection
    events: tuple[TraceEvent, ...]

    @property
    def file(self) -> str:
        return self.section.file

    @property
    def title(self) -> str:
        return self.section.section


def _compute(spec: Spec) -> tuple[TraceSectionExpectation, ...]:
    return tuple(
        TraceSectionExpectation(
            section=section,
            events=tuple(sorted(section.events, key=lambda e: e.name.encode("utf-8"))),
        )
        for section in spec.trace
    )


def expect_trace(spec: Spec) -> tuple[TraceSectionExpectation, ...]:
    """Every trace section the spec owns, in spec order (computed once per spec)."""
    return spec.derived(_compute)
