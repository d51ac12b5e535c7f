"""C facts through tree-sitter, without a preprocessor.

Inputs: C files, and names taken from a spec (the enum, the to-string
function, predicate functions, setter functions, registration calls).
Outputs: located facts (path, 1-based line and column) plus diagnostics;
nothing here raises on odd C.

QEMU's C is read as written.  Macros (``g_autofree``, ``QEMU_PACKED``,
``glue()``) and ``#ifdef`` blocks make tree-sitter build odd or error nodes
around them, so every reader looks for a *shape* anywhere in the tree (a
function definition by name, a switch's case labels, a call by callee name),
inside preprocessor blocks and error-recovery nodes too, rather than walking
a grammar path it expects.  A form the reader does not understand becomes a
diagnostic, never a guess.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic, Location, Severity, declare
from . import SCOPE, read_bytes

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

C_FORM = declare(
    "check-c-form",
    Severity.WARNING,
    "A C construct the spec names is written in a form the checker cannot read.",
    scope=SCOPE,
    doc="""
    The checker reads switches of ``case X: return "...";``, predicates made of
    ``subject == X || ...`` (or ``!=`` joined by ``&&``, or a switch), and
    state arguments that are constants, ``?:`` of constants or local variables
    assigned such values.  Anything else is reported rather than guessed at.
    """,
    example="static bool is_running(D *d) { return lookup(d) & MASK; }",
)

RULES = (C_FORM,)

_STATIC_STORAGE = "static"
# How deep the readers follow nested forms (``!`` on ``!``, ``?:`` in ``?:``,
# a local assigned from a local, an enum value's sub-expressions): far beyond
# real code, and far below Python's recursion limit, so a generated or hostile
# file gets a check-c-form diagnostic instead of a RecursionError.  Chains of
# one operator (``a || b || ...``) are read as lists and have no such limit.
MAX_NESTING = 100
# Source text quoted in a message or kept in a fact is cut to this many
# characters: a huge expression would make every message (and the memory
# holding them) as large as the file.
MAX_QUOTE = 120
# Nodes that only wrap an expression: (x), (enum foo)x, &fn.
_WRAPPERS = ("parenthesized_expression", "cast_expression", "pointer_expression")


# -- located facts -------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Ref:
    """A name at a place."""

    name: str
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class FunctionDef:
    name: str
    params: tuple[str, ...]
    static: bool
    location: Location
    node: Node = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    callee: str
    function: str | None  # the enclosing function definition
    location: Location
    args: tuple[Node, ...] = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Designated:
    """``.member = value`` inside some initializer list."""

    member: str
    function: str | None
    location: Location
    value: Node = field(compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class CFile:
    """One parsed file and the index every reader below works from."""

    path: str  # as shown in diagnostics
    source: bytes = field(repr=False)
    functions: Mapping[str, FunctionDef]
    calls: tuple[Call, ...]
    designated: tuple[Designated, ...]
    root: Node = field(compare=False, repr=False)
    # Definitions after the first of the same name (``#ifdef`` / ``#else``
    # branches, ``#if 0`` copies): the readers say they read only the first.
    redefined: Mapping[str, tuple[FunctionDef, ...]] = field(default_factory=dict)
    # Offsets of the UTF-8 continuation bytes (none in an ASCII file), so that a
    # column (in characters) costs a bisection, not decoding the line so far:
    # on a file of one huge line that would be quadratic.
    continuations: Sequence[int] = field(default=(), compare=False, repr=False)
    # Per function (by node id): its locals and the values each is given,
    # found in one walk of the body rather than one walk per name asked about.
    locals_memo: dict[int, tuple[frozenset[str], dict[str, list[Node]]]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def text(self, node: Node) -> str:
        return self.source[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def quote(self, node: Node) -> str:
        """The node's text, whitespace collapsed, cut to :data:`MAX_QUOTE` characters."""
        end = min(node.end_byte, node.start_byte + 4 * MAX_QUOTE)
        text = " ".join(
            self.source[node.start_byte : end].decode("utf-8", errors="replace").split()
        )
        if end < node.end_byte or len(text) > MAX_QUOTE:
            return text[: MAX_QUOTE - 3] + "..."
        return text

    def location(self, node: Node) -> Location:
        row, col = node.start_point
        start = node.start_byte
        # Characters, not bytes: continuation bytes do not start a character.
        # (In invalid UTF-8 a stray continuation byte is not counted either.)
        skipped = bisect_left(self.continuations, start) - bisect_left(
            self.continuations, start - col
        )
        return Location(self.path, row + 1, col - skipped + 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumConstant:
    name: str
    value: int | None  # None: not a value this reader can compute
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumRead:
    name: str
    constants: tuple[EnumConstant, ...]
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class CaseString:
    """One case label of a to-string switch and the string it returns.

    ``constant`` is ``None`` for ``default:``; ``string`` is ``None`` when the
    case does something other than return a string literal.
    """

    constant: str | None
    string: str | None
    location: Location  # the label
    string_location: Location
    # For rewriting (``migspec update``): the label's case statement and the
    # returned string expression (``None`` when ``string`` is ``None``).
    node: Node | None = field(default=None, compare=False, repr=False)
    string_node: Node | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class ToStringRead:
    function: str
    location: Location
    cases: tuple[CaseString, ...]
    default: CaseString | None
    switch: Node | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class PredicateRead:
    """The constants a predicate compares its subject with.

    ``negated``: the predicate is true for every state *except* these.
    """

    function: str
    location: Location
    constants: tuple[Ref, ...]
    negated: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StateValue:
    """What a state argument can be.

    ``constants``: every constant it may be.  ``computed``: more than a single
    constant written at the call (a ``?:`` or a local variable).  ``unknown``:
    some value could not be followed (a parameter, a field, a function call),
    so ``constants`` may be incomplete.  ``parameter``: the index of the
    enclosing function's parameter the value comes from, if it does.
    """

    text: str
    constants: tuple[Ref, ...]
    computed: bool
    unknown: bool
    location: Location
    parameter: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SetterCall:
    setter: str
    function: str | None
    state: StateValue
    recover: StateValue | None
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class CallbackRegistration:
    callback: str
    function: str
    location: Location
    how: str  # "initializer .save_setup" or "argument 2 of qdev_add_...()"


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceCall:
    event: str
    argc: int
    function: str | None
    location: Location


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
            ident = _declared_name(cfile, p.child_by_field_name("declarator"))
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


def _declared_name(cfile: CFile, declarator: Node | None) -> str | None:
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


def _squash(text: str) -> str:
    return "".join(text.split())


# -- enum ----------------------------------------------------------------------


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


# -- to-string switch ----------------------------------------------------------


def _switch_cases(switch: Node) -> list[Node]:
    """The case statements of one switch, through #ifdef blocks, not nested switches."""
    body = switch.child_by_field_name("body")
    if body is None:
        return []
    return [
        n
        for n in walk(body, stop=("switch_statement", "case_statement"))
        if n.type == "case_statement"
    ]


def _case_label(cfile: CFile, case: Node) -> tuple[str | None, bool]:
    """(constant, is_default) of a case statement."""
    value = case.child_by_field_name("value")
    if value is None:
        return None, True
    return cfile.text(unwrap(value)), False


def _case_body(case: Node) -> list[Node]:
    value = case.child_by_field_name("value")
    body: list[Node] = []
    for child in case.named_children:
        if value is not None and child.id == value.id:
            continue
        if child.type == "comment":
            continue
        body.append(child)
    return body


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


def _unread_definitions(cfile: CFile, function: str) -> list[Diagnostic]:
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


def read_to_string(cfile: CFile, function: str) -> tuple[ToStringRead | None, list[Diagnostic]]:
    """The cases of ``function``'s switch and the strings they return."""
    read, diagnostics = _read_to_string(cfile, function)
    return read, [*_unread_definitions(cfile, function), *diagnostics]


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
    for case in _switch_cases(switch):
        constant, is_default = _case_label(cfile, case)
        pending.append((constant, is_default, cfile.location(case), case))
        body = _case_body(case)
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


# -- predicates ----------------------------------------------------------------


def read_predicate(
    cfile: CFile, function: str, subject: str
) -> tuple[PredicateRead | None, list[Diagnostic]]:
    """The constants ``function`` compares ``subject`` with (``==``/``||``, ``!=``/``&&``, switch)."""
    read, diagnostics = _read_predicate(cfile, function, subject)
    return read, [*_unread_definitions(cfile, function), *diagnostics]


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
    parsed = _comparisons(cfile, expr, _squash(subject), problems)
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
            if _squash(cfile.text(side)) == subject:
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
    if cond is None or _squash(cfile.text(unwrap(cond))) != _squash(subject):
        return None, [
            C_FORM.diagnostic(
                f"{fn.name}(): the switch does not test {subject}", cfile.location(switch)
            )
        ]
    true_refs: list[Ref] = []
    false_refs: list[Ref] = []
    default_true: bool | None = None
    pending: list[tuple[str | None, Location]] = []
    for case in _switch_cases(switch):
        constant, _ = _case_label(cfile, case)
        pending.append((constant, cfile.location(case)))
        body = _case_body(case)
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


# -- values of arguments -------------------------------------------------------


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
                name = _declared_name(cfile, decl)
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


# -- calls the spec cares about ------------------------------------------------


def setter_calls(
    cfile: CFile, setters: Mapping[str, tuple[int, int | None]], prefix: str
) -> tuple[list[SetterCall], list[Diagnostic]]:
    """Every call to a setter (name -> (state_arg, recover_arg)), values resolved."""
    out: list[SetterCall] = []
    diagnostics: list[Diagnostic] = []
    for call in cfile.calls:
        spec = setters.get(call.callee)
        if spec is None:
            continue
        state_arg, recover_arg = spec
        fn = cfile.functions.get(call.function) if call.function else None
        if state_arg >= len(call.args):
            diagnostics.append(
                C_FORM.diagnostic(
                    f"call to {call.callee}() has {len(call.args)} arguments; "
                    f"the state is argument {state_arg}",
                    call.location,
                )
            )
            continue
        state = resolve_state(cfile, fn, call.args[state_arg], prefix)
        recover = None
        if recover_arg is not None and recover_arg < len(call.args):
            recover = resolve_state(cfile, fn, call.args[recover_arg], prefix)
        out.append(
            SetterCall(
                setter=call.callee,
                function=call.function,
                state=state,
                recover=recover,
                location=call.location,
            )
        )
    return out, diagnostics


def registrations(
    cfile: CFile,
    callbacks: frozenset[str],
    calls: Mapping[str, Sequence[tuple[int, str]]],
) -> tuple[list[CallbackRegistration], list[Diagnostic]]:
    """Functions registered as spec callbacks: designated initializers and registration calls."""
    out: list[CallbackRegistration] = []
    diagnostics: list[Diagnostic] = []
    for d in cfile.designated:
        if d.member not in callbacks:
            continue
        fn = cfile.functions.get(d.function) if d.function else None
        refs, _ = resolve_functions(cfile, fn, d.value)
        for ref in refs:
            out.append(
                CallbackRegistration(
                    callback=d.member,
                    function=ref.name,
                    location=d.location,
                    how=f"initializer .{d.member}",
                )
            )
    for call in cfile.calls:
        wanted = calls.get(call.callee)
        if not wanted:
            continue
        fn = cfile.functions.get(call.function) if call.function else None
        for index, callback in wanted:
            if index >= len(call.args):
                diagnostics.append(
                    C_FORM.diagnostic(
                        f"call to {call.callee}() has no argument {index} ({callback})",
                        call.location,
                    )
                )
                continue
            refs, unknown = resolve_functions(cfile, fn, call.args[index])
            if unknown and not refs:
                diagnostics.append(
                    C_FORM.diagnostic(
                        f"cannot tell which function argument {index} of {call.callee}() "
                        f"registers as {callback}",
                        cfile.location(call.args[index]),
                    )
                )
            for ref in refs:
                out.append(
                    CallbackRegistration(
                        callback=callback,
                        function=ref.name,
                        location=cfile.location(call.args[index]),
                        how=f"argument {index} of {call.callee}()",
                    )
                )
    return out, diagnostics


# QEMU's tracing API (trace_event_get_state(), ...) is not an event.
_TRACE_API = "trace_event_"


def trace_calls(cfile: CFile) -> list[TraceCall]:
    """Every ``trace_NAME(...)`` call: event name, argument count, enclosing function."""
    return [
        TraceCall(
            event=call.callee.removeprefix("trace_"),
            argc=len(call.args),
            function=call.function,
            location=call.location,
        )
        for call in cfile.calls
        if call.callee.startswith("trace_") and not call.callee.startswith(_TRACE_API)
    ]


def callers(cfile: CFile) -> dict[str, set[str]]:
    """callee -> the functions in this file that call it."""
    out: dict[str, set[str]] = {}
    for call in cfile.calls:
        if call.function is not None:
            out.setdefault(call.callee, set()).add(call.function)
    return out
