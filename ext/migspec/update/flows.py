"""Rewriting flow drawings in rst: only the lines whose meaning changed.

Inputs: a spec's flows drawn in one rst file, the file's lines and what
:mod:`migspec.source.rst` read from it.  Outputs: one line edit per flow
block that must change, and diagnostics.  Drawn steps are paired with the
spec's steps exactly as ``migspec check`` pairs them
(:func:`migspec.align.flows.align`).  Inside a paired step, lines are
compared by meaning (whitespace collapsed; tuples member by member): a line
that means the same keeps its hand layout byte for byte (tabs, odd centring,
trailing spaces); a line that changed, or is new, is written as
``templates/flow.rst.j2`` draws it (centred, connector column); a line the
spec no longer has goes.  A step the spec added is drawn whole, with a
connector line; a step it dropped goes with the connector line before it.
Everything outside the blocks is left as it is.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from ..align.flows import align
from ..diagnostics import Diagnostic
from ..expect.flows import expect_flow, expected_reading
from ..model import Flow, Spec
from ..render.flow_rst import render_drawing
from ..source.rst import DocFlow, DocStep, RstFlows, parse_tuple
from .regions import LineEdit, find_flow_block

Key = tuple[str, ...]


def line_key(text: str) -> Key:
    """What a drawn line means: a tuple's members and brackets, or its words."""
    parsed = parse_tuple(text)
    if parsed is not None:
        return ("tuple", *parsed.members, "[]" if parsed.bracketed else "")
    return ("text", " ".join(text.split()))


@dataclass(frozen=True, slots=True)
class _Drawing:
    """The template's drawing of a flow, cut into steps."""

    steps: tuple[tuple[str, ...], ...]  # each step's lines, no connector, no newline
    connector: str


def _drawing(spec: Spec, flow: Flow) -> _Drawing:
    data = expect_flow(spec, flow)
    lines = render_drawing(data, spec.notation).split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    steps: list[tuple[str, ...]] = []
    connector = ""
    pos = 0
    for k, step in enumerate(data.steps):
        if k:
            connector = lines[pos]
            pos += 1
        count = len(step.text) + 1 + len(step.text_after)
        steps.append(tuple(lines[pos : pos + count]))
        pos += count
    assert pos == len(lines), "flow.rst.j2 draws one line per text line and tuple"
    if not connector:
        connector = " " * spec.notation.connector_column + spec.notation.connector
    return _Drawing(steps=tuple(steps), connector=connector)


def flow_edits(
    spec: Spec, flows: Sequence[Flow], read: RstFlows, lines: Sequence[str], newline: str
) -> tuple[list[LineEdit], list[Diagnostic]]:
    edits: list[LineEdit] = []
    diagnostics: list[Diagnostic] = []
    for flow in flows:
        assert flow.docs is not None
        drawn, problems = find_flow_block(read, flow)
        diagnostics.extend(problems)
        if drawn is None:
            continue
        edit = _block_edit(spec, flow, drawn, lines, newline)
        if edit is not None:
            edits.append(edit)
    return edits, diagnostics


def _step_lines(step: DocStep, lines: Sequence[str]) -> list[tuple[str, list[str]]]:
    """Each drawn line of ``step`` (with its ending) and the blank lines after it."""
    first = step.lines[0].location.line
    last = step.lines[-1].location.line
    out: list[tuple[str, list[str]]] = []
    for raw in lines[first - 1 : last]:
        if raw.strip():
            out.append((raw, []))
        elif out:
            out[-1][1].append(raw)
    return out


def _merge(step: DocStep, want: Sequence[str], lines: Sequence[str], newline: str) -> list[str]:
    """The drawn step with only its changed lines replaced by the template's."""
    have = _step_lines(step, lines)
    a = [line_key(raw) for raw, _ in have]
    b = [line_key(text) for text in want]
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            for raw, blanks in have[i1:i2]:
                out.append(raw)
                out.extend(blanks)
        else:
            out.extend(text + newline for text in want[j1:j2])
    return out


def _block_edit(
    spec: Spec, flow: Flow, drawn: DocFlow, lines: Sequence[str], newline: str
) -> LineEdit | None:
    drawing = _drawing(spec, flow)
    expected = expected_reading(spec, flow)
    assert len(expected) == len(drawing.steps)
    start, end = drawn.location.line - 1, drawn.end_line  # the block's lines [start, end)
    old = list(lines[start:end])
    steps = drawn.steps
    if not steps:
        new = old + [
            line + newline
            for k, step in enumerate(drawing.steps)
            for line in ((drawing.connector,) if k else ()) + step
        ]
        return None if new == old else LineEdit(start, end, tuple(new))
    spans = [(s.lines[0].location.line, s.lines[-1].location.line) for s in steps]
    prefix = list(lines[start : spans[0][0] - 1])
    suffix = list(lines[spans[-1][1] : end])
    # separators[j]: the lines between drawn step j and j + 1 (the connector).
    separators = [list(lines[spans[j][1] : spans[j + 1][0] - 1]) for j in range(len(steps) - 1)]
    used: set[int] = set()

    def separator(before: int | None, after: int | None) -> list[str]:
        for j in (before, None if after is None else after - 1):
            if j is not None and 0 <= j < len(separators) and j not in used:
                used.add(j)
                return separators[j]
        return [drawing.connector + newline]

    new = list(prefix)
    previous: int | None = None
    started = False
    for i, j in align(expected, steps):
        if i is None:
            continue  # a drawn step the spec does not have: dropped with its connector
        if started:
            new.extend(separator(previous, j))
        if j is None:
            new.extend(text + newline for text in drawing.steps[i])
        else:
            new.extend(_merge(steps[j], drawing.steps[i], lines, newline))
        previous = j
        started = True
    new.extend(suffix)
    return None if new == old else LineEdit(start, end, tuple(new))
