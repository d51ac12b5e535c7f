"""Reading a C enum: its constants and their values, evaluated as the compiler would."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING

from .facts import MAX_NESTING, CFile, EnumAmbiguity, EnumConstant, EnumRead
from .syntax import unwrap, walk

if TYPE_CHECKING:
    from tree_sitter import Node

    from ...diagnostics import Location


# A trailing enumerator with one of these shapes and no explicit value counts
# the enumerators before it (``VFIO_DEVICE_STATE_NR``): a bound, not a member.
_SENTINEL = re.compile(r"(_NR|_MAX|_COUNT)$|^__\w*_LAST$")

_CONDITIONALS = ("preproc_if", "preproc_ifdef")
_ALTERNATIVES = ("preproc_else", "preproc_elif", "preproc_elifdef")


def read_enum(cfile: CFile, enum_name: str, sentinels: Collection[str] = ()) -> EnumRead | None:
    """The constants of ``enum enum_name { ... }`` as a compiler sees them.

    Implicit values count on from the previous enumerator; comments and blank
    lines are skipped; an enumerator inside ``#if``/``#ifdef`` keeps its
    conditions.  Where the value of an enumerator depends on which branch the
    compiler takes, the value is ``None`` and an ambiguity says why.
    ``sentinels`` names more enumerators that are bounds, not members.
    """
    for node in walk(cfile.root):
        if node.type != "enum_specifier":
            continue
        name = node.child_by_field_name("name")
        body = node.child_by_field_name("body")
        if name is None or body is None or cfile.text(name) != enum_name:
            continue
        reader = _EnumReader(cfile)
        reader.scan(body.children, frozenset({0}), ())
        return reader.result(enum_name, cfile.location(name), frozenset(sentinels))
    return None


class _EnumReader:
    def __init__(self, cfile: CFile) -> None:
        self.cfile = cfile
        self.constants: dict[str, EnumConstant] = {}
        self.explicit: set[str] = set()
        self.known: dict[str, int] = {}
        self.ambiguities: list[EnumAmbiguity] = []
        self.last: str | None = None  # the last enumerator outside any condition
        self.conflicted: set[str] = set()  # declared with different values in branches
        # The enumerator whose branch-dependent value the implicit ones count on from.
        self.counts_on: str | None = None

    def scan(
        self, nodes: Sequence[Node], next_values: frozenset[int | None], conditions: tuple[str, ...]
    ) -> frozenset[int | None]:
        """Read ``nodes`` in order; ``next_values``: what an implicit value
        would be on each path the preprocessor may take to here."""
        for node in nodes:
            if node.type == "enumerator":
                next_values = self.enumerator(node, next_values, conditions)
            elif node.type in _CONDITIONALS and len(conditions) < MAX_NESTING:
                next_values = self.conditional(node, next_values, conditions)
        return next_values

    def conditional(
        self, node: Node, next_values: frozenset[int | None], conditions: tuple[str, ...]
    ) -> frozenset[int | None]:
        head = _directive(self.cfile, node)
        taken: list[Node] = []
        alternative: Node | None = None
        for child in node.children:
            if child.type in _ALTERNATIVES:
                alternative = child
            elif child.type == "enumerator" or child.type in _CONDITIONALS:
                taken.append(child)
        out = self.scan(taken, next_values, (*conditions, head))
        if alternative is None:
            return out | next_values  # the branch not taken declares nothing
        if alternative.type == "preproc_else":
            rest = [c for c in alternative.children if c.type != "#else"]
            return out | self.scan(rest, next_values, (*conditions, f"#else of {head}"))
        return out | self.conditional(alternative, next_values, conditions)

    def enumerator(
        self, node: Node, next_values: frozenset[int | None], conditions: tuple[str, ...]
    ) -> frozenset[int | None]:
        cfile = self.cfile
        ident = node.child_by_field_name("name")
        if ident is None:
            return next_values
        const = cfile.text(ident)
        location = cfile.location(ident)
        value_node = node.child_by_field_name("value")
        value: int | None
        if value_node is not None:
            value = _evaluate(cfile, value_node, self.known)
            self.explicit.add(const)
            self.counts_on = None
        elif next_values == {None} and self.counts_on is not None:
            value = None
            self.ambiguities.append(
                EnumAmbiguity(
                    constant=const,
                    message=f"the value of {const} counts on from {self.counts_on}, "
                    "whose value depends on an #if branch",
                    location=location,
                )
            )
        elif len(next_values) == 1:
            (value,) = next_values
        else:
            self.counts_on = const
            value = None
            shown = ", ".join(sorted(str(v) for v in next_values if v is not None))
            self.ambiguities.append(
                EnumAmbiguity(
                    constant=const,
                    message=f"the value of {const} depends on which #if branch the compiler "
                    f"takes (one of {shown})",
                    location=location,
                )
            )
        earlier = self.constants.get(const)
        if earlier is not None:
            if const not in self.conflicted and earlier.value != value:
                self.conflicted.add(const)
                self.ambiguities.append(
                    EnumAmbiguity(
                        constant=const,
                        message=f"{const} is {earlier.value} in one #if branch "
                        f"and {value} in another",
                        location=location,
                    )
                )
                self.constants[const] = EnumConstant(
                    name=const,
                    value=None,
                    location=earlier.location,
                    conditions=earlier.conditions,
                )
                self.known.pop(const, None)
        else:
            self.constants[const] = EnumConstant(
                name=const, value=value, location=location, conditions=conditions
            )
            if value is not None:
                self.known[const] = value
        if not conditions:
            self.last = const
        return frozenset({None if value is None else value + 1})

    def result(self, enum_name: str, location: Location, declared: frozenset[str]) -> EnumRead:
        members: list[EnumConstant] = []
        sentinels: list[EnumConstant] = []
        ordered = list(self.constants.values())
        for constant in ordered:
            trailing = (
                constant is ordered[-1]
                and constant.name == self.last
                and constant.name not in self.explicit
                and _SENTINEL.search(constant.name) is not None
            )
            (sentinels if trailing or constant.name in declared else members).append(constant)
        return EnumRead(
            name=enum_name,
            constants=tuple(members),
            location=location,
            sentinels=tuple(sentinels),
            ambiguities=tuple(self.ambiguities),
        )


def _directive(cfile: CFile, node: Node) -> str:
    """``#ifdef X`` or ``#if defined(X)``: the directive line that opens ``node``."""
    head = node.children[0] if node.children else node
    condition = node.child_by_field_name("condition") or node.child_by_field_name("name")
    text = cfile.text(head).strip()
    if condition is not None:
        text = f"{text} {cfile.text(condition).strip()}"
    return " ".join(text.split())


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
