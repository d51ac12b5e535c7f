"""Where the generated regions are in a source file, and how a file is edited.

Inputs: a file's bytes and the readers' results (tree-sitter nodes, rst flow
blocks, trace-events sections).  Outputs: the one region a spec names, or a
diagnostic located in the source file saying why it cannot be found without
guessing (missing, written twice, a form migspec cannot rewrite); and the
edit primitives the artefact modules build: byte edits (C) and line edits
(trace-events, rst), applied so that every byte outside an edit is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Location, Note, Severity, declare
from ..load.trace_events import TraceFile
from ..model import Flow, TraceSection
from ..source.c import CFile, FunctionDef, function_definitions
from ..source.rst import DocFlow, RstFlows

if TYPE_CHECKING:
    from tree_sitter import Node

SCOPE = "update"

REGION_MISSING = declare(
    "update-region-missing",
    Severity.ERROR,
    "A region the spec generates is not in its file; the file is left untouched.",
    scope=SCOPE,
    doc="""
    ``migspec update`` rewrites regions that exist: the to-string function,
    each predicate, the ``# section`` of a trace-events file, the literal block
    under a flow's section title.  It never invents one (where would it go?):
    add the function, the section comment or the title by hand, then run
    ``update`` again.  Nothing in that file is changed meanwhile.
    """,
    example="code: {to_string: {function: mig_state_to_str, file: hw/vfio/migration.c}}"
    "  # no such function in the file",
)
REGION_AMBIGUOUS = declare(
    "update-region-ambiguous",
    Severity.ERROR,
    "A region is written more than once in its file; the file is left untouched.",
    scope=SCOPE,
    doc="""
    Two definitions of the function (say in the branches of an ``#ifdef``), a
    ``# section`` comment written twice, or a section title written twice:
    migspec does not guess which one the spec means.  The diagnostic points at
    the second one; a note points at the first.
    """,
    example="# migration.c\n...\n# migration.c",
)
REGION_FORM = declare(
    "update-region-form",
    Severity.ERROR,
    "A region is written in a form migspec cannot rewrite; the file is left untouched.",
    scope=SCOPE,
    doc="""
    The region was found, but rewriting it would mean guessing: a predicate
    that is not a chain of comparisons (nor a switch), a function without a
    switch, a line of the trace-events section that is not an event, a file
    that is not UTF-8.  Fix it by hand (``migspec check`` says what it should
    say), then run ``update`` again.
    """,
    example="bool is_running(D *d) { return lookup(d) & MASK; }",
)

BY_HAND = declare(
    "update-by-hand",
    Severity.ERROR,
    "Part of a region that update does not rewrite disagrees with the spec; "
    "the rest is rewritten, that part must be edited by hand.",
    scope=SCOPE,
    doc="""
    ``update`` rewrites data -- table entries, switch cases, drawn flows --
    and leaves code alone.  The kernel's next-state lookup is both: its tables
    are rewritten entry by entry, its skip loop is not.  When the loop
    differs from the spec's walk (``check-kernel-walk``), update still
    rewrites the tables and reports the loop here, located, so the patch
    cannot look complete while ``check`` would still fail.
    """,
    example="while ((state_flags_table[*next_fsm] & flags) != state_flags_table[*next_fsm])"
    "  # walk: {stop_at_error: true}",
)

RULES = (REGION_MISSING, REGION_AMBIGUOUS, REGION_FORM, BY_HAND)


# -- edits ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ByteEdit:
    """Replace ``data[start:end]`` with ``text``; ``start == end`` inserts."""

    start: int
    end: int
    text: bytes


@dataclass(frozen=True, slots=True)
class LineEdit:
    """Replace lines ``[start, end)`` (0-based) with ``lines`` (each with its ending)."""

    start: int
    end: int
    lines: tuple[str, ...]


class EditOverlap(Exception):
    """Two edits of one file touch the same bytes: a bug, not bad input."""


def apply_byte_edits(data: bytes, edits: Iterable[ByteEdit]) -> bytes:
    """``data`` with ``edits`` applied; insertions at one place keep their order."""
    ordered = sorted(enumerate(edits), key=lambda ie: (ie[1].start, ie[1].end, ie[0]))
    out: list[bytes] = []
    pos = 0
    for _, edit in ordered:
        if edit.start < pos:
            raise EditOverlap(f"edits overlap at byte {edit.start}")
        out.append(data[pos : edit.start])
        out.append(edit.text)
        pos = edit.end
    out.append(data[pos:])
    return b"".join(out)


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split where trace-events readers split (\\r\\n, \\r, \\n)."""
    return _LINE.findall(text)


def newline_of(text: str) -> str:
    """The file's line ending: the first one it uses (``\\n`` for a one-line file)."""
    m = re.search(r"\r\n|\r|\n", text)
    return m.group() if m else "\n"


# What str.splitlines() splits on (rst is read with it), \r\n as one ending.
_ENDING = re.compile(r"(?:\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029])\Z")


def newline_bytes(data: bytes) -> bytes:
    """:func:`newline_of` for bytes (C files are edited as bytes)."""
    nl = data.find(b"\n")
    return b"\r\n" if nl > 0 and data[nl - 1 : nl] == b"\r" else b"\n"


def ending(line: str) -> str:
    """The line ending ``line`` ends with ("" for a last line without one)."""
    m = _ENDING.search(line)
    return m.group() if m else ""


def apply_line_edits(lines: Sequence[str], edits: Iterable[LineEdit], newline: str) -> str:
    """The text after ``edits``; every untouched line keeps its bytes.

    A line that loses its place as the last line gains ``newline``; a file
    that did not end with a newline still does not.
    """
    ordered = sorted(enumerate(edits), key=lambda ie: (ie[1].start, ie[1].end, ie[0]))
    out: list[str] = []
    pos = 0
    for _, edit in ordered:
        if edit.start < pos:
            raise EditOverlap(f"edits overlap at line {edit.start + 1}")
        out.extend(lines[pos : edit.start])
        out.extend(edit.lines)
        pos = edit.end
    out.extend(lines[pos:])
    fixed = [line if ending(line) else line + newline for line in out[:-1]]
    fixed.extend(out[-1:])
    text = "".join(fixed)
    if lines and not ending(lines[-1]):
        # The file did not end with a newline; it still does not.
        return text[: len(text) - len(ending(text))]
    if text and not ending(text):
        text += newline
    return text


# -- C regions -----------------------------------------------------------------


def find_function(
    cfile: CFile, name: str, spec_location: Location
) -> tuple[FunctionDef | None, list[Diagnostic]]:
    """The one definition of ``name``, or why there is not exactly one."""
    found = function_definitions(cfile, name)
    note = Note(message="the spec names it here", location=spec_location)
    if not found:
        return None, [
            REGION_MISSING.diagnostic(
                f"{name}() is not defined here; left as it is (add it by hand)",
                Location(cfile.path),
                notes=(note,),
            )
        ]
    if len(found) > 1:
        return None, [
            REGION_AMBIGUOUS.diagnostic(
                f"{name}() is defined {len(found)} times; left as it is",
                found[1].location,
                notes=(Note(message="first definition", location=found[0].location), note),
            )
        ]
    return found[0], []


def line_start(data: bytes, pos: int) -> int:
    return data.rfind(b"\n", 0, pos) + 1


def line_end(data: bytes, pos: int) -> int:
    """Just after the newline ending the line that holds ``pos - 1`` (or the file's end)."""
    if pos > 0 and data[pos - 1 : pos] == b"\n":
        return pos
    nl = data.find(b"\n", pos)
    return len(data) if nl < 0 else nl + 1


def whole_lines(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """The full lines holding ``data[start:end]``, if nothing else is on them."""
    first = line_start(data, start)
    last = line_end(data, end)
    if data[first:start].strip() or data[end:last].strip():
        return None
    return first, last


def indent_of(data: bytes, pos: int) -> bytes:
    """The whitespace that starts the line holding ``pos``."""
    start = line_start(data, pos)
    line = data[start:pos]
    return line[: len(line) - len(line.lstrip(b" \t"))]


def top_level(node: Node, container: Node) -> Node:
    """``node``'s ancestor that is a direct child of ``container`` (through ``#ifdef`` blocks)."""
    current = node
    while current.parent is not None and current.parent.id != container.id:
        current = current.parent
    return current


# -- trace-events and rst regions ------------------------------------------------


def find_trace_section(
    parsed: TraceFile, section: TraceSection, line_count: int
) -> tuple[tuple[int, int] | None, list[Diagnostic]]:
    """``(header, end)``: the section's event lines are between the two (1-based).

    Also an error: a line inside the section that is not an event (the
    rewrite would leave it, or lose it).
    """
    spec_note = Note(message="the spec lists it here", location=section.location)
    headers = [s.location for s in parsed.sections if s.section == section.section]
    if not headers:
        return None, [
            REGION_MISSING.diagnostic(
                f"no '# {section.section}' section comment; left as it is (add it by hand)",
                Location(parsed.path),
                notes=(spec_note,),
            )
        ]
    if len(headers) > 1:
        return None, [
            REGION_AMBIGUOUS.diagnostic(
                f"'# {section.section}' is written {len(headers)} times; left as it is",
                headers[1],
                notes=(Note(message="first written here", location=headers[0]), spec_note),
            )
        ]
    first = headers[0].line
    later = [s.location.line for s in parsed.sections if s.section and s.location.line > first]
    end = min(later, default=line_count + 1)
    unreadable = [
        d for d in parsed.diagnostics if first < d.location.line < end and d.rule == "trace-syntax"
    ]
    if unreadable:
        return None, [
            REGION_FORM.diagnostic(
                f"this line of section '# {section.section}' is not an event line "
                f"({unreadable[0].message}); left as it is",
                unreadable[0].location,
                notes=(spec_note,),
            )
        ]
    return (first, end), []


def find_flow_block(read: RstFlows, flow: Flow) -> tuple[DocFlow | None, list[Diagnostic]]:
    """The literal block under the flow's section title, or why there is not exactly one."""
    assert flow.docs is not None
    section = flow.docs.section
    spec_note = Note(message=f"flow '{flow.name}' names it here", location=flow.docs.location)
    again = read.repeated.get(section)
    if again:
        return None, [
            REGION_AMBIGUOUS.diagnostic(
                f"the section title '{section}' is written {len(again) + 1} times; left as it is",
                again[0],
                notes=(
                    Note(message="first written here", location=read.sections[section]),
                    spec_note,
                ),
            )
        ]
    drawn = read.flows.get(section)
    if drawn is None:
        where = read.sections.get(section)
        what = (
            f"the section '{section}' has no literal block to rewrite (add '::' and a block)"
            if where
            else f"no section titled '{section}'; left as it is (add it by hand)"
        )
        return None, [
            REGION_MISSING.diagnostic(what, where or Location(read.path), notes=(spec_note,))
        ]
    return drawn, []
