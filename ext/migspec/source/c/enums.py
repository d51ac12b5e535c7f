"""Reading a C enum: its constants and their values, evaluated as the compiler would."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

from .facts import MAX_NESTING, CFile, EnumConstant, EnumRead
from .syntax import unwrap, walk

if TYPE_CHECKING:
    from tree_sitter import Node


def read_enum(cfile: CFile, enum_name: str) -> EnumRead | None:
    """The constants of ``enum enum_name { ... }``, values computed where simple."""
    for node in walk(cfile.root):
        if node.type != "enum_specifier":
            continue
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is None or body is None or cfile.text(name) != enum_name:
            continue
        constants: list[EnumConstant] = []
        known: dict[str, int] = {}
        next_value: int | None = 0
        for item in walk(body, stop=("enumerator",)):
            if item.type != "enumerator":
                continue
            ident = item.child_by_field_name("name")
            if ident is None:
                continue
            value_node = item.child_by_field_name("value")
            value = next_value if value_node is None else _evaluate(cfile, value_node, known)
            const = cfile.text(ident)
            constants.append(EnumConstant(name=const, value=value, location=cfile.location(ident)))
            if value is not None:
                known[const] = value
            next_value = None if value is None else value + 1
        return EnumRead(name=enum_name, constants=tuple(constants), location=cfile.location(name))
    return None


_INT_SUFFIX = re.compile(r"[uUlL]+$")


def _evaluate(cfile: CFile, node: Node, known: Mapping[str, int], depth: int = 0) -> int | None:
    """Integer constant expressions of the kind enums and flag tables use."""
    if depth > MAX_NESTING:
        return None
    node = unwrap(node)
    kind = node.type
    if kind == "number_literal":
        try:
            return _int64(int(_INT_SUFFIX.sub("", cfile.text(node)), 0))
        except ValueError:  # not C's syntax, or more digits than int() reads
            return None
    if kind == "identifier":
        return known.get(cfile.text(node))
    if kind == "unary_expression":
        op = node.child_by_field_name("operator")
        arg = node.child_by_field_name("argument")
        inner = _evaluate(cfile, arg, known, depth + 1) if arg is not None else None
        if inner is None or op is None:
            return None
        return {"-": -inner, "+": inner, "~": ~inner}.get(op.type)
    if kind == "binary_expression":
        op = node.child_by_field_name("operator")
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if op is None or left is None or right is None:
            return None
        a = _evaluate(cfile, left, known, depth + 1)
        b = _evaluate(cfile, right, known, depth + 1)
        if a is None or b is None:
            return None
        if op.type == "<<" and 0 <= b < 64:
            return _int64(a << b)
        ops = {"|": a | b, "+": a + b, "-": a - b, "&": a & b, "*": a * b}
        return _int64(ops.get(op.type))
    return None


def _int64(value: int | None) -> int | None:
    """Values that fit C's widest integer; anything bigger is not a value the
    reader computes (``A = B * B`` chained 40 times would need gigabytes)."""
    if value is None or value.bit_length() > 64:
        return None
    return value
