"""What an argument resolves to: a state constant through locals and
conditionals, or the functions a pointer may name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .facts import MAX_NESTING, CFile, FunctionDef, Ref, StateValue
from .syntax import declared_name, unwrap, walk

if TYPE_CHECKING:
    from tree_sitter import Node


def _assigned_values(cfile: CFile, fn: FunctionDef, name: str) -> list[Node] | None:
    """Every value the local variable ``name`` is given in ``fn``; None if not a local.

    Compound assignments (``|=``) count as a value the reader cannot follow:
    the node itself is returned so the caller reports it as unknown.
    """
    memo = cfile.locals_memo.get(fn.node.id)
    if memo is None:
        memo = cfile.locals_memo[fn.node.id] = _locals(cfile, fn)
    declared, values = memo
    return list(values.get(name, ())) if name in declared else None


def _locals(cfile: CFile, fn: FunctionDef) -> tuple[frozenset[str], dict[str, list[Node]]]:
    """The names ``fn`` declares, and every value given to each name, in order."""
    body = fn.node.child_by_field_name("body")
    if body is None:
        return frozenset(), {}
    declared: set[str] = set()
    values: dict[str, list[Node]] = {}
    for node in walk(body):
        if node.type == "declaration":
            for decl in node.children_by_field_name("declarator"):
                name = declared_name(cfile, decl)
                if name is None:
                    continue
                declared.add(name)
                if decl.type == "init_declarator":
                    value = decl.child_by_field_name("value")
                    if value is not None:
                        values.setdefault(name, []).append(value)
        elif node.type == "assignment_expression":
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            op = node.child_by_field_name("operator")
            if left is None or right is None or left.type != "identifier":
                continue
            values.setdefault(cfile.text(left), []).append(
                right if op is not None and op.type == "=" else node
            )
    return frozenset(declared), values


def resolve_state(cfile: CFile, fn: FunctionDef | None, node: Node, prefix: str) -> StateValue:
    """The states an argument may hold: constants, ``?:`` of them, local variables."""
    constants: list[Ref] = []
    flags = {"computed": False, "unknown": False}
    parameter: list[int] = []

    def visit(expr: Node, seen: frozenset[str], depth: int) -> None:
        if depth > MAX_NESTING:
            flags["unknown"] = True
            return
        expr = unwrap(expr)
        if expr.type == "conditional_expression":
            flags["computed"] = True
            for part in ("consequence", "alternative"):
                branch = expr.child_by_field_name(part)
                if branch is None:
                    flags["unknown"] = True
                else:
                    visit(branch, seen, depth + 1)
            return
        if expr.type == "identifier":
            name = cfile.text(expr)
            if name.startswith(prefix):
                # Each constant once (a ?: chain may name one a thousand times).
                if all(c.name != name for c in constants):
                    constants.append(Ref(name=name, location=cfile.location(expr)))
                return
            if fn is not None and name in fn.params:
                flags["unknown"] = True
                parameter.append(fn.params.index(name))
                return
            values = _assigned_values(cfile, fn, name) if fn is not None else None
            if values is None or name in seen:
                flags["unknown"] = True
                return
            flags["computed"] = True
            if not values:
                flags["unknown"] = True
            for value in values:
                visit(value, seen | {name}, depth + 1)
            return
        flags["unknown"] = True

    visit(node, frozenset(), 0)
    # A parameter passed straight through is the one case a caller can follow.
    direct = unwrap(node)
    direct_param = (
        parameter[0]
        if parameter
        and direct.type == "identifier"
        and fn is not None
        and cfile.text(direct) in fn.params
        else None
    )
    return StateValue(
        text=cfile.quote(node),
        constants=tuple(constants),
        computed=flags["computed"],
        unknown=flags["unknown"],
        location=cfile.location(node),
        parameter=direct_param,
    )


def resolve_functions(
    cfile: CFile, fn: FunctionDef | None, node: Node
) -> tuple[tuple[Ref, ...], bool]:
    """The functions a callback argument may name (``NULL`` dropped); True if some not followed."""
    found: list[Ref] = []
    unknown = False

    def visit(expr: Node, seen: frozenset[str], depth: int) -> None:
        nonlocal unknown
        if depth > MAX_NESTING:
            unknown = True
            return
        expr = unwrap(expr)
        if expr.type == "null":
            return
        if expr.type == "conditional_expression":
            for part in ("consequence", "alternative"):
                branch = expr.child_by_field_name(part)
                if branch is not None:
                    visit(branch, seen, depth + 1)
            return
        if expr.type != "identifier":
            unknown = True
            return
        name = cfile.text(expr)
        if name == "NULL":
            return
        if fn is not None and name in fn.params:
            unknown = True
            return
        values = _assigned_values(cfile, fn, name) if fn is not None else None
        if values is None:
            found.append(Ref(name=name, location=cfile.location(expr)))
            return
        if name in seen:
            return
        for value in values:
            visit(value, seen | {name}, depth + 1)

    visit(node, frozenset(), 0)
    return tuple(found), unknown
