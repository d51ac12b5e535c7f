"""Parsing C with tree-sitter, indexing a file, and the tree shapes every reader shares.

Inputs: C source bytes.  Outputs: a :class:`~.facts.CFile`; helpers that walk
its tree, unwrap expressions and take switches apart.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ...diagnostics import Diagnostic
from .. import read_bytes
from .facts import C_FORM, Call, CFile, Designated, FunctionDef

if TYPE_CHECKING:
    from tree_sitter import Node, Parser


_STATIC_STORAGE = "static"

# Nodes that only wrap an expression: (x), (enum foo)x, &fn.
_WRAPPERS = ("parenthesized_expression", "cast_expression", "pointer_expression")

# -- parsing -------------------------------------------------------------------


class CReader:
    """Parses C files, each at most once per path and mtime within one run.

    Create one per run (it is the run's cache, not module state).  tree-sitter
    is imported when the first file is parsed.
    """

    def __init__(self) -> None:
        self._parser: Parser | None = None
        self._query: Any = None
        self._cache: dict[tuple[str, int, str], CFile] = {}

    def _get_parser(self) -> Parser:
        if self._parser is None:
            import tree_sitter
            import tree_sitter_c

            language = tree_sitter.Language(tree_sitter_c.language())
            self._parser = tree_sitter.Parser(language)
            # One query finds every node the index needs, in C: walking all
            # nodes from Python costs several times the parse itself.
            self._query = tree_sitter.Query(language, _INDEX_QUERY)
        return self._parser

    def parse(self, path: Path, display: str) -> tuple[CFile | None, list[Diagnostic]]:
        try:
            key = (str(path.resolve()), path.stat().st_mtime_ns, display)
        except OSError:
            key = None
        if key is not None and key in self._cache:
            return self._cache[key], []
        data, diagnostics = read_bytes(path, display)
        if data is None:
            return None, diagnostics
        cfile = self.parse_bytes(data, display)
        if key is not None:
            self._cache[key] = cfile
        return cfile, []

    def parse_bytes(self, data: bytes, display: str) -> CFile:
        tree = self._get_parser().parse(data)
        import tree_sitter

        captures = tree_sitter.QueryCursor(self._query).captures(tree.root_node)
        return _index(data, display, tree.root_node, captures)


_INDEX_QUERY = "(function_definition) @function (call_expression) @call (initializer_pair) @pair"
_CONTINUATION = re.compile(rb"[\x80-\xbf]")


def _index(source: bytes, display: str, root: Node, captures: Mapping[str, list[Node]]) -> CFile:
    functions: dict[str, FunctionDef] = {}
    redefined: dict[str, list[FunctionDef]] = {}
    calls: list[Call] = []
    designated: list[Designated] = []
    continuations: Sequence[int] = (
        () if source.isascii() else array("q", (m.start() for m in _CONTINUATION.finditer(source)))
    )
    probe = CFile(
        path=display,
        source=source,
        functions={},
        calls=(),
        designated=(),
        root=root,
        continuations=continuations,
    )
    # Functions in file order with their byte spans, to find what encloses a
    # call or an initializer (C functions do not nest; the innermost wins if a
    # broken file makes them).
    spans: list[tuple[int, int, str]] = []
    for node in sorted(captures.get("function", ()), key=lambda n: n.start_byte):
        fn = _function_def(probe, node)
        if fn is not None:
            if fn.name in functions:
                redefined.setdefault(fn.name, []).append(fn)
            else:
                functions[fn.name] = fn
            spans.append((node.start_byte, node.end_byte, fn.name))
    starts = [start for start, _, _ in spans]

    def enclosing(node: Node) -> str | None:
        i = bisect_right(starts, node.start_byte) - 1
        while i >= 0:
            start, end, name = spans[i]
            if start <= node.start_byte and node.end_byte <= end:
                return name
            i -= 1
        return None

    for node in sorted(captures.get("call", ()), key=lambda n: n.start_byte):
        callee = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if callee is not None and callee.type == "identifier" and args is not None:
            calls.append(
                Call(
                    callee=probe.text(callee),
                    function=enclosing(node),
                    location=probe.location(node),
                    args=tuple(c for c in args.named_children if c.type != "comment"),
                )
            )
    for node in sorted(captures.get("pair", ()), key=lambda n: n.start_byte):
        designator = node.child_by_field_name("designator")
        value = node.child_by_field_name("value")
        if designator is not None and designator.type == "field_designator" and value:
            name = designator.named_children[0] if designator.named_children else None
            if name is not None:
                designated.append(
                    Designated(
                        member=probe.text(name),
                        function=enclosing(node),
                        location=probe.location(node),
                        value=value,
                    )
                )
    return CFile(
        path=display,
        source=source,
        functions=functions,
        calls=tuple(calls),
        designated=tuple(designated),
        root=root,
        redefined={name: tuple(defs) for name, defs in redefined.items()},
        continuations=continuations,
    )


def function_definitions(cfile: CFile, name: str) -> list[FunctionDef]:
    """Every definition of ``name`` in the file, in file order.

    ``CFile.functions`` keeps the first; a writer (``migspec update``) must
    know when there are two (``#ifdef`` branches) rather than pick one.
    """
    found: list[FunctionDef] = []
    for node in walk(cfile.root):
        if node.type == "function_definition":
            fn = _function_def(cfile, node)
            if fn is not None and fn.name == name:
                found.append(fn)
    return found


def _function_def(cfile: CFile, node: Node) -> FunctionDef | None:
    # The function's own declarator is the innermost function declarator
    # naming an identifier: ``int (*getter(void))(int)`` wraps it in another.
    declarator: Node | None = None
    current = node.child_by_field_name("declarator")
    while current is not None:
        if current.type == "function_declarator":
            inner = current.child_by_field_name("declarator")
            if inner is not None and inner.type == "identifier":
                declarator = current
                break
        if current.type == "parenthesized_declarator":
            current = next((c for c in current.named_children if c.type != "comment"), None)
        else:
            current = current.child_by_field_name("declarator")
    if declarator is None:
        return None
    name_node = declarator.child_by_field_name("declarator")
    if name_node is None:
        return None
    params: list[str] = []
    plist = declarator.child_by_field_name("parameters")
    if plist is not None:
        for p in plist.named_children:
            if p.type != "parameter_declaration":
                continue
            ident = declared_name(cfile, p.child_by_field_name("declarator"))
            params.append(ident or "")
    static = any(
        c.type == "storage_class_specifier" and cfile.text(c) == _STATIC_STORAGE
        for c in node.children
    )
    return FunctionDef(
        name=cfile.text(name_node),
        params=tuple(params),
        static=static,
        location=cfile.location(name_node),
        node=node,
    )


def declared_name(cfile: CFile, declarator: Node | None) -> str | None:
    """The identifier a (pointer, array, init) declarator declares."""
    while declarator is not None:
        if declarator.type == "identifier":
            return cfile.text(declarator)
        declarator = declarator.child_by_field_name("declarator")
    return None


def walk(node: Node, *, stop: Sequence[str] = ()) -> Iterator[Node]:
    """Every node under ``node`` (pre-order), not descending into ``stop`` types."""
    stack = list(reversed(node.children))
    while stack:
        n = stack.pop()
        yield n
        if n.type not in stop:
            stack.extend(reversed(n.children))


def unwrap(node: Node) -> Node:
    while node.type in _WRAPPERS:
        if node.type == "pointer_expression":
            op = node.child_by_field_name("operator")
            if op is None or op.type != "&":
                return node
            inner = node.child_by_field_name("argument")
        elif node.type == "cast_expression":
            inner = node.child_by_field_name("value")
        else:
            inner = next((c for c in node.named_children if c.type != "comment"), None)
        if inner is None:
            return node
        node = inner
    return node


def squash(text: str) -> str:
    """C text with no whitespace at all: how two expressions are compared."""
    return "".join(text.split())


def one_line(text: str) -> str:
    """C text on one line, every run of whitespace one space: how it is shown or written."""
    return " ".join(text.split())


def switch_cases(switch: Node) -> list[Node]:
    """The case statements of one switch, through #ifdef blocks, not nested switches."""
    body = switch.child_by_field_name("body")
    if body is None:
        return []
    return [
        n
        for n in walk(body, stop=("switch_statement", "case_statement"))
        if n.type == "case_statement"
    ]


def case_label(cfile: CFile, case: Node) -> tuple[str | None, bool]:
    """(constant, is_default) of a case statement."""
    value = case.child_by_field_name("value")
    if value is None:
        return None, True
    return cfile.text(unwrap(value)), False


def case_body(case: Node) -> list[Node]:
    value = case.child_by_field_name("value")
    body: list[Node] = []
    for child in case.named_children:
        if value is not None and child.id == value.id:
            continue
        if child.type == "comment":
            continue
        body.append(child)
    return body


def unread_definitions(cfile: CFile, function: str) -> list[Diagnostic]:
    """Why ``function`` may not be read as the reader says: defined again
    further down, or not found but written in a form tree-sitter misparses."""
    fn = cfile.functions.get(function)
    if fn is not None:
        return [
            C_FORM.diagnostic(
                f"{function}() is defined again here (under another #if branch?); "
                f"only the first definition, at line {fn.location.line}, is checked",
                again.location,
            )
            for again in cfile.redefined.get(function, ())
        ]
    # tree-sitter reads an old-style (K&R) definition returning a pointer,
    # ``const char *f(s) enum e s; { ... }``, as a declaration and a stray block.
    for node in walk(cfile.root, stop=("function_definition",)):
        if node.type != "declaration":
            continue
        after = node.next_named_sibling
        if after is None or after.type != "compound_statement":
            continue
        for inner in walk(node):
            if inner.type == "function_declarator":
                name = inner.child_by_field_name("declarator")
                if name is not None and cfile.text(name) == function:
                    return [
                        C_FORM.diagnostic(
                            f"{function}() seems defined here in a form the C parser cannot "
                            "read (an old-style K&R definition?)",
                            cfile.location(name),
                        )
                    ]
    return []
