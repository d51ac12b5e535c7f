"""Reading a to-string switch: each ``case X: return "...";`` and its default."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...diagnostics import Diagnostic, Location
from .facts import C_FORM, CaseString, CFile, ToStringRead
from .syntax import case_body, case_label, switch_cases, unread_definitions, unwrap, walk

if TYPE_CHECKING:
    from tree_sitter import Node


def _string_value(cfile: CFile, node: Node) -> str | None:
    node = unwrap(node)
    if node.type == "string_literal":
        return _c_unescape(
            "".join(
                cfile.text(c)
                for c in node.named_children
                if c.type in ("string_content", "escape_sequence")
            )
        )
    if node.type == "concatenated_string":
        parts = [_string_value(cfile, c) for c in node.named_children if c.type == "string_literal"]
        if any(p is None for p in parts) or not parts:
            return None
        return "".join(p for p in parts if p is not None)
    return None


_ESCAPES = {
    "n": 0x0A,
    "t": 0x09,
    "r": 0x0D,
    "a": 0x07,
    "b": 0x08,
    "f": 0x0C,
    "v": 0x0B,
    "?": 0x3F,
    '"': 0x22,
    "\\": 0x5C,
    "'": 0x27,
}
_ESCAPE = re.compile(r"\\(x[0-9a-fA-F]+|[0-7]{1,3}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


def _c_unescape(text: str) -> str:
    """The string a C literal's body spells: every C escape (``\\x4e``, ``\\116``,
    ``\\u00e9``, ``\\n``...) decoded; the bytes read as UTF-8."""
    out = bytearray()
    pos = 0
    for m in _ESCAPE.finditer(text):
        out += text[pos : m.start()].encode("utf-8", "replace")
        pos = m.end()
        code = m.group(1)
        if code[0] == "x":
            out.append(int(code[-2:], 16))  # wider values do not fit a char
        elif code[0] in "01234567":
            out.append(int(code, 8) & 0xFF)
        elif code[0] in "uU" and len(code) > 1:
            point = int(code[1:], 16)
            out += (chr(point) if point < 0x110000 else "\ufffd").encode("utf-8", "replace")
        elif code in _ESCAPES:
            out.append(_ESCAPES[code])
        else:
            out += m.group(0).encode("utf-8", "replace")  # not an escape C knows: as written
    out += text[pos:].encode("utf-8", "replace")
    return out.decode("utf-8", "replace")


def read_to_string(cfile: CFile, function: str) -> tuple[ToStringRead | None, list[Diagnostic]]:
    """The cases of ``function``'s switch and the strings they return."""
    read, diagnostics = _read_to_string(cfile, function)
    return read, [*unread_definitions(cfile, function), *diagnostics]


def _read_to_string(cfile: CFile, function: str) -> tuple[ToStringRead | None, list[Diagnostic]]:
    fn = cfile.functions.get(function)
    if fn is None:
        return None, []
    switch = next((n for n in walk(fn.node) if n.type == "switch_statement"), None)
    if switch is None:
        return None, [
            C_FORM.diagnostic(f"{function}() has no switch statement to read", fn.location)
        ]
    diagnostics: list[Diagnostic] = []
    cases: list[CaseString] = []
    default: CaseString | None = None
    pending: list[tuple[str | None, bool, Location, Node]] = []
    for case in switch_cases(switch):
        constant, is_default = case_label(cfile, case)
        pending.append((constant, is_default, cfile.location(case), case))
        body = case_body(case)
        if not body:
            continue  # falls through to the next label
        string: str | None = None
        string_node: Node | None = None
        where = cfile.location(body[0])
        first = body[0]
        if first.type == "return_statement" and first.named_children:
            ret = next((c for c in first.named_children if c.type != "comment"), None)
            if ret is not None:
                string = _string_value(cfile, ret)
                where = cfile.location(ret)
                string_node = ret if string is not None else None
        if string is None:
            diagnostics.append(
                C_FORM.diagnostic(
                    f"{function}(): this case does not simply return a string literal", where
                )
            )
        for label, label_default, label_where, label_node in pending:
            entry = CaseString(
                constant=label,
                string=string,
                location=label_where,
                string_location=where,
                node=label_node,
                string_node=string_node,
            )
            if label_default:
                default = entry
            else:
                cases.append(entry)
        pending = []
    return (
        ToStringRead(
            function=function,
            location=fn.location,
            cases=tuple(cases),
            default=default,
            switch=switch,
        ),
        diagnostics,
    )
