"""Reading a state predicate: the constants it compares its subject with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...diagnostics import Diagnostic, Location
from .facts import C_FORM, MAX_NESTING, CFile, FunctionDef, PredicateRead, Ref
from .syntax import case_body, case_label, squash, switch_cases, unread_definitions, unwrap, walk

if TYPE_CHECKING:
    from tree_sitter import Node


def read_predicate(
    cfile: CFile, function: str, subject: str
) -> tuple[PredicateRead | None, list[Diagnostic]]:
    """The constants ``function`` compares ``subject`` with (``==``/``||``, ``!=``/``&&``, switch)."""
    read, diagnostics = _read_predicate(cfile, function, subject)
    return read, [*unread_definitions(cfile, function), *diagnostics]


def _read_predicate(
    cfile: CFile, function: str, subject: str
) -> tuple[PredicateRead | None, list[Diagnostic]]:
    fn = cfile.functions.get(function)
    if fn is None:
        return None, []
    body = fn.node.child_by_field_name("body")
    if body is None:
        return None, [C_FORM.diagnostic(f"{function}() has no body", fn.location)]
    switch = next((n for n in walk(body) if n.type == "switch_statement"), None)
    if switch is not None:
        return _predicate_switch(cfile, fn, switch, subject)
    returns = [n for n in walk(body) if n.type == "return_statement"]
    values = [next((c for c in r.named_children if c.type != "comment"), None) for r in returns]
    if len(returns) != 1 or values[0] is None:
        return None, [
            C_FORM.diagnostic(
                f"{function}(): expected one 'return {subject} == ...;' "
                f"but found {len(returns)} return statements",
                fn.location,
            )
        ]
    expr = values[0]
    assert expr is not None
    problems: list[str] = []
    parsed = _comparisons(cfile, expr, squash(subject), problems)
    if parsed is None or problems:
        why = problems[0] if problems else "not a chain of comparisons"
        return None, [
            C_FORM.diagnostic(
                f"{function}(): cannot read the states it tests: {why}", cfile.location(expr)
            )
        ]
    refs, negated = parsed
    return PredicateRead(
        function=function, location=fn.location, constants=refs, negated=negated
    ), []


def _comparisons(
    cfile: CFile, expr: Node, subject: str, problems: list[str], depth: int = 0
) -> tuple[tuple[Ref, ...], bool] | None:
    """``s == A || s == B`` -> ((A, B), False); ``s != A && s != B`` -> ((A, B), True)."""
    if depth > MAX_NESTING:
        problems.append(f"nested more than {MAX_NESTING} levels deep")
        return None
    expr = unwrap(expr)
    if expr.type == "unary_expression":
        bang = expr.child_by_field_name("operator")
        arg = expr.child_by_field_name("argument")
        if bang is not None and bang.type == "!" and arg is not None:
            inner = _comparisons(cfile, arg, subject, problems, depth + 1)
            return None if inner is None else (inner[0], not inner[1])
        return None
    if expr.type != "binary_expression":
        return None
    op_node = expr.child_by_field_name("operator")
    lhs_node = expr.child_by_field_name("left")
    rhs_node = expr.child_by_field_name("right")
    if op_node is None or lhs_node is None or rhs_node is None:
        return None
    left, right = lhs_node, rhs_node
    op = op_node.type
    if op in ("==", "!="):
        a, b = unwrap(left), unwrap(right)
        for side, const in ((a, b), (b, a)):
            if squash(cfile.text(side)) == subject:
                if const.type != "identifier":
                    problems.append(f"'{cfile.quote(const)}' is not a constant")
                    return None
                return (Ref(name=cfile.text(const), location=cfile.location(const)),), op == "!="
        problems.append(f"'{cfile.quote(expr)}' does not compare {subject}")
        return None
    if op in ("||", "&&"):
        refs: list[Ref] = []
        # A || B of equalities, or A && B of inequalities (De Morgan): anything
        # else is not a set membership test.
        want_negated = op == "&&"
        for operand in _chain(expr, op):
            part = _comparisons(cfile, operand, subject, problems, depth + 1)
            if part is None:
                return None
            if part[1] != want_negated:
                problems.append(f"mixes '==' and '!=' in '{cfile.quote(expr)}'")
                return None
            refs.extend(part[0])
        return tuple(refs), want_negated
    return None


def _chain(expr: Node, op: str) -> list[Node]:
    """The operands of a chain of one binary operator, left to right, read without recursion."""
    out: list[Node] = []
    stack = [expr]
    while stack:
        node = unwrap(stack.pop())
        if node.type == "binary_expression":
            op_node = node.child_by_field_name("operator")
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if (
                op_node is not None
                and op_node.type == op
                and left is not None
                and right is not None
            ):
                stack.extend((right, left))
                continue
        out.append(node)
    return out


def _predicate_switch(
    cfile: CFile, fn: FunctionDef, switch: Node, subject: str
) -> tuple[PredicateRead | None, list[Diagnostic]]:
    cond = switch.child_by_field_name("condition")
    if cond is None or squash(cfile.text(unwrap(cond))) != squash(subject):
        return None, [
            C_FORM.diagnostic(
                f"{fn.name}(): the switch does not test {subject}", cfile.location(switch)
            )
        ]
    true_refs: list[Ref] = []
    false_refs: list[Ref] = []
    default_true: bool | None = None
    pending: list[tuple[str | None, Location]] = []
    for case in switch_cases(switch):
        constant, _ = case_label(cfile, case)
        pending.append((constant, cfile.location(case)))
        body = case_body(case)
        if not body:
            continue
        truth = _returned_truth(cfile, body[0])
        if truth is None:
            return None, [
                C_FORM.diagnostic(
                    f"{fn.name}(): this case does not return true or false",
                    cfile.location(body[0]),
                )
            ]
        for label, where in pending:
            if label is None:
                default_true = truth
            else:
                (true_refs if truth else false_refs).append(Ref(name=label, location=where))
        pending = []
    if default_true is None:
        # No default: the code after the switch decides; only "return false" is simple.
        after = switch.next_named_sibling
        default_true = _returned_truth(cfile, after) if after is not None else None
        if default_true is None:
            return None, [
                C_FORM.diagnostic(
                    f"{fn.name}(): cannot tell what the switch returns for other states",
                    cfile.location(switch),
                )
            ]
    if default_true:
        refs, negated = tuple(false_refs), True
    else:
        refs, negated = tuple(true_refs), False
    return PredicateRead(
        function=fn.name, location=fn.location, constants=refs, negated=negated
    ), []


def _returned_truth(cfile: CFile, stmt: Node) -> bool | None:
    if stmt.type != "return_statement":
        return None
    value = next((c for c in stmt.named_children if c.type != "comment"), None)
    if value is None:
        return None
    text = cfile.text(unwrap(value))
    if text in ("true", "1", "TRUE"):
        return True
    if text in ("false", "0", "FALSE"):
        return False
    return None
