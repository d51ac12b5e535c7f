"""Rewriting the to-string switch: one case per state, the spec's default.

Inputs: what the switch must contain (:mod:`migspec.expect.code`) and the
parsed C file that defines the to-string function.
Outputs: byte edits inside the function's switch, and diagnostics.  A case
that already says the right thing is not touched (its comments, ``#ifdef``
around it, its tabs stay); a wrong string is replaced in place; a case the
expectation does not list (no spec state, or a state the C does not handle)
is removed; a missing state's case is
inserted after the case of the state just below it in value order, written
as ``templates/to-str.c.j2`` writes it, indented as the file's own cases.
Everything outside the switch's cases is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Note
from ..expect.code import CodeExpectation, ToStringExpectation
from ..render.c import render_to_string_switch
from ..render.escape import c_string
from ..source.c import CaseString, CFile, CReader, read_to_string
from .regions import (
    REGION_FORM,
    ByteEdit,
    find_function,
    indent_of,
    line_end,
    line_start,
    newline_bytes,
    top_level,
    whole_lines,
)

if TYPE_CHECKING:
    from tree_sitter import Node


@dataclass(frozen=True, slots=True)
class _Rendered:
    """The template's cases (label and body lines) and how it indents them."""

    cases: dict[str | None, tuple[bytes, ...]]  # constant (None: default) -> lines
    case_indent: bytes
    body_indent: bytes


@dataclass(frozen=True, slots=True)
class _Style:
    """How the file writes its cases: label indent, body indent, one line or two."""

    case_indent: bytes
    body_indent: bytes
    one_line: bool
    newline: bytes


def _rendered(code: CodeExpectation, expected: ToStringExpectation, reader: CReader) -> _Rendered:
    ts = expected.to_string
    data = render_to_string_switch(code.machine, expected).encode("utf-8")
    rfile = reader.parse_bytes(data, "<to-str.c.j2>")
    read, _ = read_to_string(rfile, ts.function)
    assert read is not None, "the to-string template must read back"
    cases: dict[str | None, tuple[bytes, ...]] = {}
    case_indent = body_indent = b""
    for case in (*read.cases, *((read.default,) if read.default else ())):
        assert case.node is not None and case.string_node is not None
        start = line_start(data, case.node.start_byte)
        end = line_end(data, case.node.end_byte)
        cases[case.constant] = tuple(data[start:end].splitlines())
        case_indent = indent_of(data, case.node.start_byte)
        body_indent = indent_of(data, case.string_node.start_byte)
    return _Rendered(cases=cases, case_indent=case_indent, body_indent=body_indent)


def _style(data: bytes, groups: Sequence[Sequence[CaseString]], rendered: _Rendered) -> _Style:
    newline = newline_bytes(data)
    for group in groups:
        last = group[-1]
        if last.node is None or last.string_node is None:
            continue
        label = last.node.start_byte
        body = last.string_node.start_byte
        one_line = line_start(data, label) == line_start(data, body)
        case_indent = indent_of(data, label)
        body_indent = case_indent if one_line else indent_of(data, body)
        return _Style(case_indent, body_indent, one_line, newline)
    return _Style(rendered.case_indent, rendered.body_indent, False, newline)


def _case_text(lines: Sequence[bytes], rendered: _Rendered, style: _Style) -> bytes:
    """The template's lines for one case, indented (and joined) as the file does it."""
    parts = []
    for line in lines:
        stripped = line.lstrip(b" \t")
        indent = line[: len(line) - len(stripped)]
        if indent == rendered.case_indent:
            indent = style.case_indent
        elif indent == rendered.body_indent:
            indent = style.body_indent
        parts.append((indent, stripped))
    if style.one_line:
        return style.case_indent + b" ".join(p for _, p in parts) + style.newline
    return b"".join(indent + p + style.newline for indent, p in parts)


def _groups(cases: Sequence[CaseString]) -> list[list[CaseString]]:
    """Labels that share one body (``case A: case B: return "x";``), in file order."""
    ordered = sorted(cases, key=lambda c: c.node.start_byte if c.node is not None else 0)
    out: list[list[CaseString]] = []
    for case in ordered:
        if out and out[-1][-1].string_location == case.string_location:
            out[-1].append(case)
        else:
            out.append([case])
    return out


def to_string_edits(
    code: CodeExpectation, expected: ToStringExpectation, cfile: CFile, reader: CReader
) -> tuple[list[ByteEdit], list[Diagnostic]]:
    ts = expected.to_string
    fn, diagnostics = find_function(cfile, ts.function, ts.location)
    if fn is None:
        return [], diagnostics
    read, _ = read_to_string(cfile, ts.function)
    if read is None or read.switch is None:
        return [], [
            REGION_FORM.diagnostic(
                f"{ts.function}() has no switch statement to rewrite; left as it is",
                fn.location,
                notes=(Note(message="the spec names it here", location=ts.location),),
            )
        ]
    body = read.switch.child_by_field_name("body")
    assert body is not None
    data = cfile.source
    # Only the cases the expectation lists stay: a constant it does not list
    # (no spec state, or a state the C does not handle) loses its case.
    value = {c.constant.name: c.constant.state.value for c in expected.cases}
    rendered = _rendered(code, expected, reader)
    entries = [*read.cases, *((read.default,) if read.default else ())]
    groups = _groups(entries)
    style = _style(data, groups, rendered)

    def wanted(case: CaseString) -> str | None:
        return expected.string(case.constant)

    edits: list[ByteEdit] = []
    present: set[str | None] = set()
    # (highest state value in the group, the group's top-level node) of kept groups
    kept: list[tuple[int, Node]] = []
    for group in groups:
        valid = [c for c in group if c.constant is None or c.constant in value]
        present.update(c.constant for c in valid)
        first, last = group[0].node, group[-1].node
        assert first is not None and last is not None
        anchor = top_level(last, body)
        top_value = max((value[c.constant] for c in valid if c.constant is not None), default=-1)
        if group[-1].string is None or all(wanted(c) == c.string for c in group):
            # Not a plain string (the checker reports that form), or already right.
            if top_value >= 0:
                kept.append((top_value, anchor))
            continue
        if len(group) == 1:
            case = group[0]
            if not valid:
                edits.append(_delete(data, first, last))
                continue
            target = wanted(case)
            assert case.string_node is not None and target is not None
            literal = b'"' + c_string(target).encode("utf-8") + b'"'
            edits.append(ByteEdit(case.string_node.start_byte, case.string_node.end_byte, literal))
            if top_value >= 0:
                kept.append((top_value, anchor))
            continue
        # Labels falling through to one wrong body: write each as its own case.
        span = whole_lines(data, first.start_byte, last.end_byte)
        start, end = span if span is not None else (first.start_byte, last.end_byte)
        text = b"".join(
            _case_text(rendered.cases[c.constant], rendered, style)
            for c in valid
            if c.constant in rendered.cases
        )
        edits.append(ByteEdit(start, end, text))

    closing = body.end_byte - 1  # the switch's "}"
    before_closing = (
        line_start(data, closing)
        if not data[line_start(data, closing) : closing].strip()
        else closing
    )
    groups_start = [top_level(g[0].node, body) for g in groups if g[0].node is not None]
    for want in expected.cases:
        constant = want.constant.name
        if constant in present:
            continue
        lower = [(v, node) for v, node in kept if v < want.constant.state.value]
        if lower:
            node = max(lower, key=lambda vn: (vn[0], vn[1].end_byte))[1]
            pos = line_end(data, node.end_byte)
        elif groups_start:
            pos = line_start(data, groups_start[0].start_byte)
        else:
            pos = before_closing
        edits.append(ByteEdit(pos, pos, _case_text(rendered.cases[constant], rendered, style)))
    if None not in present:
        edits.append(
            ByteEdit(
                before_closing, before_closing, _case_text(rendered.cases[None], rendered, style)
            )
        )
    return edits, []


def _delete(data: bytes, first: Node, last: Node) -> ByteEdit:
    span = whole_lines(data, first.start_byte, last.end_byte)
    start, end = span if span is not None else (first.start_byte, last.end_byte)
    return ByteEdit(start, end, b"")
