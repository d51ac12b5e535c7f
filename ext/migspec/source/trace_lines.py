"""The checker's view of a trace-events file: sections and located event lines.

Inputs: a trace-events file.  Outputs: its ``# section`` comment lines and
its event lines (properties, name, argument text, format text), each located.
Reading is :mod:`migspec.load.trace_events`' job (the same reader ``migspec
lint --trace-events`` uses); this module only reshapes its result for the
comparisons in :mod:`migspec.check.trace`.  Validation (types, formats,
tracetool's rules) is the linter's, not the checker's.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Location
from ..load import trace_events


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceLine:
    name: str
    args: str  # the text between the parentheses, as written
    format: str  # everything after the closing parenthesis, trimmed
    properties: tuple[str, ...]
    section: str | None
    location: Location

    @property
    def arg_list(self) -> tuple[str, ...]:
        """Each argument with whitespace collapsed; ``void`` is no argument."""
        text = " ".join(self.args.split())
        if text in ("", "void"):
            return ()
        return tuple(" ".join(a.split()) for a in text.split(","))


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceFile:
    path: str
    sections: Mapping[str, Location]  # section name (``migration.c``) -> its comment line
    events: tuple[TraceLine, ...]

    def by_name(self) -> dict[str, TraceLine]:
        out: dict[str, TraceLine] = {}
        for event in self.events:
            out.setdefault(event.name, event)
        return out


def read_trace_lines(path: Path, display: str) -> tuple[TraceFile | None, list[Diagnostic]]:
    parsed = trace_events.read_trace_events(str(path), display)
    if not parsed.readable:
        return None, list(parsed.diagnostics)
    return _view(parsed), []


def split_trace_lines(text: str, display: str) -> TraceFile:
    return _view(trace_events.parse_trace_events(text, display))


def _view(parsed: trace_events.TraceFile) -> TraceFile:
    sections: dict[str, Location] = {}
    for section in parsed.sections:
        sections.setdefault(section.section, section.location)
    events = tuple(
        TraceLine(
            name=line.name,
            args=", ".join(line.arg_texts) if line.arg_texts is not None else line.event.args_text,
            format=line.format.strip(),
            properties=line.properties,
            section=line.section,
            location=line.location,
        )
        for line in parsed.events
    )
    return TraceFile(path=parsed.path, sections=sections, events=events)
