"""Rewriting the spec's sections of a trace-events file.

Inputs: the expectation of each of the spec's sections in one file
(:mod:`migspec.expect.trace`) and the file's text.  Outputs:
line edits and diagnostics.  Only event lines between a section's ``#
file.c`` comment and the next section comment are touched: a line the spec
agrees with (as ``migspec check`` compares: arguments and format) stays
byte for byte; a line that differs is replaced by the line
``templates/trace-events.j2`` writes; an event the spec does not list is
removed; a missing event is inserted before the first kept event that comes
after it in the expected order (plain byte order, as QEMU sorts), else after the section's
last event.  Comments, blank lines, other sections, the file's line endings
and its final newline are left as they are.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diagnostics import Diagnostic
from ..expect.trace import TraceSectionExpectation
from ..load import trace_events as reader
from ..load.trace_events import split_trace_arg
from ..model import TraceEvent
from ..render.trace import render_trace_sections
from .regions import REGION_FORM, LineEdit, ending, find_trace_section


def _arg_texts(args_text: str) -> tuple[str, ...]:
    # As migspec.check.trace compares them: whitespace collapsed, types normalised.
    text = " ".join(args_text.split())
    if text in ("", "void"):
        return ()
    out = []
    for piece in text.split(","):
        piece = " ".join(piece.split())
        arg = split_trace_arg(piece)
        out.append(str(arg) if arg is not None else piece)
    return tuple(out)


def agrees(line: reader.EventLine, event: TraceEvent) -> bool:
    """Does the file's line say what the spec's event says (arguments and format)?"""
    args = ", ".join(line.arg_texts) if line.arg_texts is not None else line.event.args_text
    return _arg_texts(args) == tuple(str(a) for a in event.args) and (
        line.format.strip() == event.format.strip()
    )


def rendered_lines(section: TraceSectionExpectation) -> dict[str, str]:
    """Event name -> its line as ``templates/trace-events.j2`` writes it (no newline)."""

    text = render_trace_sections((section,))
    parsed = reader.parse_trace_events(text, "<trace-events.j2>")
    return {e.name: e.text for e in parsed.events}


def section_edits(
    expected: TraceSectionExpectation,
    parsed: reader.TraceFile,
    lines: Sequence[str],
    newline: str,
) -> tuple[list[LineEdit], list[Diagnostic]]:
    """The edits that make ``# section`` of the file say what ``expected`` says."""
    section = expected.section
    span, problems = find_trace_section(parsed, section, len(lines))
    if span is None:
        return [], problems
    first, end = span  # the section's event lines are (first, end), 1-based
    wanted = {e.name: e for e in expected.events}
    rendered = rendered_lines(expected)
    unwritable = [e for e in expected.events if e.name not in rendered]
    if unwritable:
        return [], [
            REGION_FORM.diagnostic(
                f"the spec's event {unwritable[0].name} does not make a trace-events line "
                "migspec can read back (run migspec lint); left as it is",
                unwritable[0].location,
            )
        ]
    edits: list[LineEdit] = []
    kept: list[tuple[str, int]] = []  # (name, 0-based line) in file order
    seen: set[str] = set()
    last_event = first - 1  # 0-based index of the header line
    for line in parsed.events:
        number = line.line
        if not first < number < end:
            continue
        index = number - 1
        last_event = index
        name = line.name
        if name not in wanted or name in seen:
            edits.append(LineEdit(index, index + 1, ()))
            continue
        seen.add(name)
        kept.append((name, index))
        if not agrees(line, wanted[name]):
            edits.append(LineEdit(index, index + 1, (rendered[name] + ending(lines[index]),)))
    # ``wanted`` is in the order the file keeps its events (the expectation's).
    order = {name: k for k, name in enumerate(wanted)}
    for name in (n for n in wanted if n not in seen):
        after = next((i for n, i in kept if order[n] > order[name]), None)
        if after is not None:
            at = after
        elif kept:
            at = kept[-1][1] + 1
        else:
            at = last_event + 1
        edits.append(LineEdit(at, at, (rendered[name] + newline,)))
    return edits, []
