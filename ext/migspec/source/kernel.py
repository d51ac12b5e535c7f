"""The kernel's hand-written migration tables, read from a kernel tree.

Inputs: the C file holding the next-state lookup (``spec.code.kernel.file``),
the function and table names, the error state's constant.  Outputs: the
next-state table (``[from][to] = next``), the state-flags table
(``[state] = A | B`` or ``~0U``), whether the lookup has a skip loop and
whether that loop stops at the error state, all located; plus diagnostics.
The uAPI enum is read with :func:`migspec.source.c.read_enum`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Location
from ..expect.kernel import expected_bound
from ..model import Spec
from .c import C_FORM, CFile, Ref, unwrap, walk

if TYPE_CHECKING:
    from tree_sitter import Node


@dataclass(frozen=True, slots=True, kw_only=True)
class FlagsEntry:
    """``[STATE] = A | B``: ``macros``; ``~0U``: ``all_bits``."""

    macros: frozenset[str]
    all_bits: bool
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelRead:
    path: str
    function: Location | None
    next_table: Mapping[tuple[str, str], Ref]  # (from, to) constants -> next constant
    next_location: Location | None
    flags_table: Mapping[str, FlagsEntry]  # state constant -> flags
    flags_location: Location | None
    skip_loop: Location | None  # the loop that skips unsupported states
    stop_at_error: bool  # that loop's condition has a "!= <error constant>" conjunct
    # The lines each entry spans (first, last; 1-based), for update: a row of
    # the next-state table, a cell of one, an entry of the flags table; and
    # the lines of both initializers' braces.
    row_lines: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    cell_lines: Mapping[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    flags_lines: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    next_span: tuple[int, int] | None = None
    flags_span: tuple[int, int] | None = None
    # The tables' bound, ``enum { NAME = LAST + 1 }`` in the function: LAST, located
    # (None: not asked for, not there, or not of that form).
    bound: Ref | None = None
    # The constant the next-state table is sized by (``[NAME][NAME]``), as written.
    next_size: str | None = None


def read_spec_kernel_tables(cfile: CFile, spec: Spec) -> tuple[KernelRead, list[Diagnostic]]:
    """The tables of ``cfile`` under the names the spec's ``code.kernel`` gives:
    the one way check, update (of the tree and of the rendered tables) read them."""
    kernel = spec.code.kernel
    if kernel is None:
        raise ValueError("the spec names no kernel tables (code.kernel)")
    error = spec.error_state
    return read_kernel_tables(
        cfile,
        function=kernel.function,
        next_table=kernel.next_table,
        flags_table=kernel.flags_table,
        error_constant=spec.machine.constant(error.name) if error else None,
        bound=expected_bound(spec).name,
    )


def read_kernel_tables(
    cfile: CFile,
    *,
    function: str,
    next_table: str,
    flags_table: str,
    error_constant: str | None,
    bound: str | None = None,
) -> tuple[KernelRead, list[Diagnostic]]:
    """The lookup's tables and loop; ``bound``: the name of the tables' bound to read too."""
    diagnostics: list[Diagnostic] = []
    fn = cfile.functions.get(function)
    # The tables are static locals of the function in the kernel; a file-scope
    # table is accepted too.
    scope = fn.node if fn is not None else cfile.root
    next_init = _table_initializer(cfile, scope, next_table) or _table_initializer(
        cfile, cfile.root, next_table
    )
    flags_init = _table_initializer(cfile, scope, flags_table) or _table_initializer(
        cfile, cfile.root, flags_table
    )
    nxt: dict[tuple[str, str], Ref] = {}
    row_lines: dict[str, tuple[int, int]] = {}
    cell_lines: dict[tuple[str, str], tuple[int, int]] = {}
    flags_lines: dict[str, tuple[int, int]] = {}
    if next_init is not None:
        for row_key, row_value, _ in _designated(cfile, next_init):
            row_lines.setdefault(row_key, _lines_of(row_value.parent or row_value))
            if row_value.type != "initializer_list":
                diagnostics.append(
                    C_FORM.diagnostic(
                        f"{next_table}[{row_key}] is not a {{ [to] = next, ... }} row",
                        cfile.location(row_value),
                    )
                )
                continue
            for col_key, value, _ in _designated(cfile, row_value):
                cell_lines.setdefault((row_key, col_key), _lines_of(value.parent or value))
                value = unwrap(value)
                if value.type != "identifier":
                    diagnostics.append(
                        C_FORM.diagnostic(
                            f"{next_table}[{row_key}][{col_key}] is not a state constant",
                            cfile.location(value),
                        )
                    )
                    continue
                nxt[(row_key, col_key)] = Ref(
                    name=cfile.text(value), location=cfile.location(value)
                )
    flags: dict[str, FlagsEntry] = {}
    if flags_init is not None:
        for key, value, _ in _designated(cfile, flags_init):
            flags_lines.setdefault(key, _lines_of(value.parent or value))
            entry = _flags_entry(cfile, value)
            if entry is None:
                diagnostics.append(
                    C_FORM.diagnostic(
                        f"{flags_table}[{key}] is neither 'A | B' nor '~0U'",
                        cfile.location(value),
                    )
                )
                continue
            flags[key] = entry
    loop, stops = _skip_loop(
        cfile, fn.node if fn is not None else None, flags_table, error_constant
    )
    return (
        KernelRead(
            path=cfile.path,
            function=fn.location if fn is not None else None,
            next_table=nxt,
            next_location=cfile.location(next_init) if next_init is not None else None,
            flags_table=flags,
            flags_location=cfile.location(flags_init) if flags_init is not None else None,
            skip_loop=loop,
            stop_at_error=stops,
            row_lines=row_lines,
            cell_lines=cell_lines,
            flags_lines=flags_lines,
            next_span=_lines_of(next_init) if next_init is not None else None,
            flags_span=_lines_of(flags_init) if flags_init is not None else None,
            bound=_bound(cfile, fn.node, bound) if fn is not None and bound else None,
            next_size=_array_size(cfile, next_init) if next_init is not None else None,
        ),
        diagnostics,
    )


def _bound(cfile: CFile, scope: Node, name: str) -> Ref | None:
    """``LAST`` of ``enum { NAME = LAST + 1 }`` in ``scope``."""
    for node in walk(scope):
        if node.type != "enumerator":
            continue
        ident, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if ident is None or value is None or cfile.text(ident) != name:
            continue
        value = unwrap(value)
        left, right = value.child_by_field_name("left"), value.child_by_field_name("right")
        op = value.child_by_field_name("operator")
        if (
            value.type == "binary_expression"
            and left is not None
            and right is not None
            and op is not None
            and op.type == "+"
            and unwrap(left).type == "identifier"
            and cfile.text(right) == "1"
        ):
            left = unwrap(left)
            return Ref(name=cfile.text(left), location=cfile.location(left))
        return None
    return None


def _array_size(cfile: CFile, initializer: Node) -> str | None:
    """``N`` of the table ``name[N]...`` that ``initializer`` initializes, if a name."""
    declarator = (
        initializer.parent.child_by_field_name("declarator") if initializer.parent else None
    )
    size = None
    while declarator is not None and declarator.type == "array_declarator":
        size = declarator.child_by_field_name("size")
        declarator = declarator.child_by_field_name("declarator")
    return cfile.text(size) if size is not None and size.type == "identifier" else None


def _lines_of(node: Node) -> tuple[int, int]:
    return node.start_point[0] + 1, node.end_point[0] + 1


def _table_initializer(cfile: CFile, scope: Node, name: str) -> Node | None:
    for node in walk(scope):
        if node.type != "init_declarator":
            continue
        declarator = node.child_by_field_name("declarator")
        while declarator is not None and declarator.type != "identifier":
            declarator = declarator.child_by_field_name("declarator")
        if declarator is None or cfile.text(declarator) != name:
            continue
        value = node.child_by_field_name("value")
        if value is not None and value.type == "initializer_list":
            return value
    return None


def _designated(cfile: CFile, init: Node) -> list[tuple[str, Node, Location]]:
    """``[KEY] = value`` pairs of an initializer list (through #ifdef blocks)."""
    out: list[tuple[str, Node, Location]] = []
    for pair in walk(init, stop=("initializer_pair",)):
        if pair.type != "initializer_pair":
            continue
        designator = pair.child_by_field_name("designator")
        value = pair.child_by_field_name("value")
        if designator is None or value is None or designator.type != "subscript_designator":
            continue
        key = next((c for c in designator.named_children if c.type != "comment"), None)
        if key is None:
            continue
        out.append((cfile.text(unwrap(key)), value, cfile.location(pair)))
    return out


def _flags_entry(cfile: CFile, value: Node) -> FlagsEntry | None:
    value = unwrap(value)
    where = cfile.location(value)
    if value.type == "unary_expression":
        op = value.child_by_field_name("operator")
        arg = value.child_by_field_name("argument")
        if op is not None and op.type == "~" and arg is not None:
            literal = cfile.text(unwrap(arg)).rstrip("uUlL")
            if literal in ("0", "0x0"):
                return FlagsEntry(macros=frozenset(), all_bits=True, location=where)
        return None
    macros: set[str] = set()
    stack = [value]
    while stack:
        node = unwrap(stack.pop())
        if node.type == "identifier":
            macros.add(cfile.text(node))
        elif node.type == "binary_expression":
            op = node.child_by_field_name("operator")
            left = node.child_by_field_name("left")
            right = node.child_by_field_name("right")
            if op is None or op.type != "|" or left is None or right is None:
                return None
            stack.extend((left, right))
        else:
            return None
    return FlagsEntry(macros=frozenset(macros), all_bits=False, location=where)


def _skip_loop(
    cfile: CFile, fn: Node | None, flags_table: str, error_constant: str | None
) -> tuple[Location | None, bool]:
    """The loop whose condition reads the flags table; does it test ``!= error``?"""
    if fn is None:
        return None, False
    for node in walk(fn):
        if node.type not in ("while_statement", "for_statement", "do_statement"):
            continue
        cond = node.child_by_field_name("condition")
        if cond is None or flags_table not in cfile.text(cond):
            continue
        stops = error_constant is not None and any(
            _is_not_equal_to(cfile, part, error_constant) for part in _conjuncts(cond)
        )
        return cfile.location(node), stops
    return None, False


def _conjuncts(node: Node) -> list[Node]:
    """The operands of an ``&&`` chain, left to right (iterative: chains can be long)."""
    out: list[Node] = []
    stack = [node]
    while stack:
        part = unwrap(stack.pop())
        if part.type == "binary_expression":
            op = part.child_by_field_name("operator")
            left = part.child_by_field_name("left")
            right = part.child_by_field_name("right")
            if op is not None and op.type == "&&" and left is not None and right is not None:
                stack.extend((right, left))
                continue
        out.append(part)
    return out


def _is_not_equal_to(cfile: CFile, node: Node, constant: str) -> bool:
    node = unwrap(node)
    if node.type != "binary_expression":
        return False
    op = node.child_by_field_name("operator")
    if op is None or op.type != "!=":
        return False
    sides = (node.child_by_field_name("left"), node.child_by_field_name("right"))
    return any(s is not None and cfile.text(unwrap(s)) == constant for s in sides)


def state_tables(cfile: CFile, prefix: str) -> list[tuple[str, str, str]]:
    """(function, next table, flags table) of each function that declares both.

    Found by shape, not by name: exactly one two-dimensional and one
    one-dimensional array with an initializer indexed by ``[prefix...]``.
    """
    out = []
    for fn_name, fn in sorted(cfile.functions.items()):
        twos: list[str] = []
        ones: list[str] = []
        for node in walk(fn.node):
            if node.type != "init_declarator":
                continue
            decl = node.child_by_field_name("declarator")
            value = node.child_by_field_name("value")
            if decl is None or value is None or value.type != "initializer_list":
                continue
            if f"[{prefix}" not in "".join(cfile.text(value).split()):
                continue
            dims = 0
            while decl is not None and decl.type == "array_declarator":
                dims += 1
                decl = decl.child_by_field_name("declarator")
            if decl is None or decl.type != "identifier":
                continue
            if dims in (1, 2):
                (twos if dims == 2 else ones).append(cfile.text(decl))
        if len(twos) == 1 and len(ones) == 1:
            out.append((fn_name, twos[0], ones[0]))
    return out
