"""Trace events as values: the part of the model a trace-events file holds.

Inputs: nothing (built by :mod:`migspec.load.spec` from a spec and by
:mod:`migspec.load.trace_events` from a trace-events file).  Outputs: frozen
dataclasses, re-exported by :mod:`migspec.model`.  A module of its own so
that linting QEMU's trace-events files never pays for building the whole
spec model.
"""

from __future__ import annotations

from dataclasses import dataclass

from .diagnostics import NOWHERE, Location


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceArg:
    """One argument of a trace event: its C type and name."""

    type: str
    name: str

    def __str__(self) -> str:
        if self.type.endswith("*"):
            return f"{self.type}{self.name}"
        return f"{self.type} {self.name}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceEvent:
    """One trace point.  ``format`` is the format as written in trace-events:
    C string pieces and ``PRI*`` macros, quotes included (``" (%s) size 0x%"PRIx64``).
    """

    name: str
    args: tuple[TraceArg, ...]
    format: str
    properties: tuple[str, ...] = ()
    caller: str | None = None
    doc: str = ""
    location: Location = NOWHERE

    @property
    def args_text(self) -> str:
        return ", ".join(str(a) for a in self.args) if self.args else "void"

    @property
    def line(self) -> str:
        props = "".join(p + " " for p in self.properties)
        return f"{props}{self.name}({self.args_text}) {self.format}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceSection:
    """The trace events of one ``# file.c`` section of a trace-events file."""

    file: str
    section: str
    events: tuple[TraceEvent, ...]
    # The C files whose trace_NAME() calls the section's events are (paths in
    # the tree, in the trace-events file's directory); empty: every C file of
    # that directory.  A section named after one file may be called from
    # several (QEMU's "# migration.c" from migration.c and migration-multifd.c).
    sources: tuple[str, ...] = ()
    location: Location = NOWHERE
