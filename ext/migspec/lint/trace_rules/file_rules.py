"""Rules over a whole trace-events file, and duplicate events across files."""

from __future__ import annotations

from collections.abc import Iterable

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
    still agree.  (The check across files is ``DefinedEvents``, to which
    a run adds each file as it lints it.)
    """
    out = []
    seen: dict[str, EventLine] = {}
    for ev in fc.events:
        line = ev.line
        name = line.name
        first = seen.get(name)
        if first is None:
            seen[name] = line
            continue
        out.append(
            Finding(
                f"event '{name}' is defined twice in this file",
                line.location,
                (Note(message="first defined here", location=first.location),),
            )
        )
    return out


class DefinedEvents:
    """The first definition of every event name in the files seen so far, for
    ``trace-duplicate-event`` across files: a run adds each file as it lints
    it, and need not keep the files themselves."""

    __slots__ = ("first",)

    def __init__(self) -> None:
        self.first: dict[str, EventLine] = {}

    def add(self, tf: TraceFile) -> list[Diagnostic]:
        """Each event of ``tf`` whose name an earlier file defines (its first
        definition in ``tf`` only: a name defined twice in one file is the
        in-file rule's)."""
        first = self.first
        out = []
        mine: set[str] = set()
        for line in tf.events:
            name = line.name
            if name in mine:
                continue
            mine.add(name)
            other = first.setdefault(name, line)
            if other is line:
                continue
            differs = _differences(other, line)
            how = f"differently ({differs})" if differs else "identically"
            out.append(
                duplicate_event.diagnostic(
                    f"event '{name}' is also defined in another file, {how}; "
                    "the two files cannot be part of one build",
                    line.location,
                    notes=(Note(message="other definition here", location=other.location),),
                    severity=Severity.WARNING,
                )
            )
        return out


def _differences(a: EventLine, b: EventLine) -> str:
    parts = []
    if a.args != b.args:
        parts.append("arguments")
    if a.format != b.format:
        parts.append("format")
    if a.properties != b.properties:
        parts.append("properties")
    return ", ".join(parts)
