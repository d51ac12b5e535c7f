"""Rules over a whole trace-events file, and duplicate events across files."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ...diagnostics import Diagnostic, Finding, Location, Note, Severity, rule
from ...load.trace_events import EventLine, TraceFile
from .subjects import FILE_SCOPE, LINE_BREAK, FileCheck


@rule(
    "trace-no-final-newline",
    Severity.ERROR,
    scope=FILE_SCOPE,
    example='dev_save_setup(const char *name) " (%s)"   (no newline at the end of the file)',
)
def no_final_newline(fc: FileCheck) -> Iterable[Finding]:
    """The file does not end with a newline; tracetool refuses it."""
    text = fc.file.text
    if not text or text.endswith(("\n", "\r")):
        return ()
    lines = LINE_BREAK.split(text)
    return (
        Finding(
            "no newline at the end of the file",
            Location(fc.file.path, len(lines), len(lines[-1]) + 1),
        ),
    )


@rule(
    "trace-duplicate-event",
    Severity.ERROR,
    scope=FILE_SCOPE,
    example='dev_save_setup(const char *name) " (%s)"\ndev_save_setup(const char *name) "%s"',
)
def duplicate_event(fc: FileCheck) -> Iterable[Finding]:
    """Two events share a name, in one file or across the files linted together.

    Every event becomes a global ``trace_NAME()`` function and event variables,
    so two definitions in one file break the build (an error).  Across files
    it breaks the link only if both files are built together, which the
    build system decides (QEMU builds ``linux-user`` or ``bsd-user``, never
    both), so that is a warning, which also says whether the two copies
    still agree.  (The check across files is ``duplicates_across()``, run
    once all the files have been linted.)
    """
    out = []
    seen: dict[str, EventLine] = {}
    for ev in fc.events:
        line = ev.line
        name = line.event.name
        first = seen.get(name)
        if first is None:
            seen[name] = line
            continue
        out.append(
            Finding(
                f"event '{name}' is defined twice in this file",
                line.event.location,
                (Note(message="first defined here", location=first.event.location),),
            )
        )
    return out


class Definition(NamedTuple):
    """The first definition of an event name in a file, as
    :func:`duplicates_across` compares it (sent back by worker processes)."""

    name: str
    args: tuple[tuple[str, str], ...]  # (type, name) pairs
    format: str
    properties: tuple[str, ...]
    line: int
    column: int


def definitions(tf: TraceFile) -> tuple[Definition, ...]:
    """The first definition of each event name in a file, in file order."""
    seen: set[str] = set()
    # Events with the same argument list share one tuple of arguments (the
    # reader parses each list once): convert each such tuple once.
    converted: dict[int, tuple[tuple[str, str], ...]] = {}
    out = []
    for line in tf.events:
        ev = line.event
        if ev.name in seen:
            continue
        seen.add(ev.name)
        args = converted.get(id(ev.args))
        if args is None:
            args = converted[id(ev.args)] = tuple((a.type, a.name) for a in ev.args)
        loc = ev.location
        out.append(Definition(ev.name, args, ev.format, ev.properties, loc.line, loc.column))
    return tuple(out)


def duplicates_across(files: Iterable[tuple[str, Sequence[Definition]]]) -> list[Diagnostic]:
    """``trace-duplicate-event`` across files: each (path, definitions) in the
    order the files were given; every name an earlier file defines is reported
    at its first definition in each later file, pointing at the earliest one."""
    first: dict[str, tuple[str, Definition]] = {}
    out = []
    for path, defs in files:
        for d in defs:
            seen = first.get(d.name)
            if seen is None:
                first[d.name] = (path, d)
                continue
            other_path, other = seen
            differs = _differences(other, d)
            how = f"differently ({differs})" if differs else "identically"
            out.append(
                duplicate_event.diagnostic(
                    f"event '{d.name}' is also defined in another file, {how}; "
                    "the two files cannot be part of one build",
                    Location(path, d.line, d.column),
                    notes=(
                        Note(
                            message="other definition here",
                            location=Location(other_path, other.line, other.column),
                        ),
                    ),
                    severity=Severity.WARNING,
                )
            )
    return out


def _differences(a: Definition, b: Definition) -> str:
    parts = []
    if a.args != b.args:
        parts.append("arguments")
    if a.format != b.format:
        parts.append("format")
    if a.properties != b.properties:
        parts.append("properties")
    return ", ".join(parts)
