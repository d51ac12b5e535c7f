"""A stopgap splitter for trace-events files: sections and event lines, nothing more.

Inputs: a trace-events file.  Outputs: its ``# section`` comment lines and
its event lines split into properties, name, argument text and format text,
each located.  It does not validate anything (types, formats, tracetool's
rules): that is the trace-events reader's job (``migspec.load.trace_events``,
written on another branch).  When that reader lands, :func:`read_trace_lines`
is the one function to re-implement on top of it; the checker uses nothing
else from here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Diagnostic, Location
from . import read_text


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


_EVENT = re.compile(
    r"^(?P<props>(?:[A-Za-z_]\w*\s+)*?)(?P<name>[A-Za-z_]\w*)\((?P<args>[^)]*)\)(?P<fmt>.*)$"
)
# A section comment names one file: "# migration.c".  Longer comments are prose.
_SECTION = re.compile(r"^#\s*(?P<name>\S+)\s*$")


def read_trace_lines(path: Path, display: str) -> tuple[TraceFile | None, list[Diagnostic]]:
    text, diagnostics = read_text(path, display)
    if text is None:
        return None, diagnostics
    return split_trace_lines(text, display), []


def split_trace_lines(text: str, display: str) -> TraceFile:
    sections: dict[str, Location] = {}
    events: list[TraceLine] = []
    current: str | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = _SECTION.match(line)
            if m is not None:
                current = m.group("name")
                sections.setdefault(current, Location(display, lineno, 1))
            continue
        m = _EVENT.match(line)
        if m is None:
            continue
        column = len(raw) - len(raw.lstrip()) + 1
        events.append(
            TraceLine(
                name=m.group("name"),
                args=m.group("args"),
                format=m.group("fmt").strip(),
                properties=tuple(m.group("props").split()),
                section=current,
                location=Location(display, lineno, column),
            )
        )
    return TraceFile(path=display, sections=sections, events=tuple(events))
