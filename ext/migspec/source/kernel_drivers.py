"""The kernel's variant drivers: which single arcs each performs, for which features.

Inputs: a kernel tree (through a :class:`~migspec.source.tree.TreeReader`),
a :class:`~migspec.source.c.CReader`, and names the spec gives
(:class:`DriverNames`): the ops struct, its set-state and flags members, the
next-state lookup, the state constants' prefix.  Outputs: one located
:class:`DriverRead` per ops initializer found, plus diagnostics.  Pure
reading: whether a driver handles the right arcs is :mod:`migspec.check.drivers`'s
to say.

A *driver* is the directory holding an initializer of the ops struct whose
set-state member names a function; every ``.c``/``.h`` file of that
directory is one of the driver's files.  The set-state function calls the
lookup with the address of a "next" variable (whatever it is called) inside
a loop, and passes that variable to the *step function*, which performs
single arcs.  In the step function the parameter that receives "next" is the
target of an arc; any other expression compared with a state constant is its
source.  Arcs are read from ``if`` conditions (``&&`` of two comparisons,
several arcs joined by ``||``, operands either way round, nested ``if`` s)
and from ``switch`` statements on either variable, wherever they sit: in
loops, after labels, under an ``if`` on something else (one more condition;
the arc is still handled) or under ``#if`` (noted: it depends on the
kernel's configuration).  The features a driver declares are the macros it
assigns to the flags member in any of its files: ``=`` gives a base set (each
``?:`` branch one) and replaces what the same function OR-ed in before it,
``|=`` adds macros and ``&= ~`` removes them, always, or optionally when it
sits under a condition (a hardware capability, an ``#ifdef``).  Each possible
set is one of the driver's device kinds.  A form the reader cannot take apart
(a macro given a state, flags from a helper) is reported
(``check-driver-unread``) and leaves the driver incomplete (no arc is then
claimed missing), never guessed at.
"""

from __future__ import annotations

import itertools
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Location, Severity, declare
from . import SCOPE
from .c import MAX_NESTING, CFile, CReader, FunctionDef, Ref, unwrap, walk
from .c.syntax import case_body, squash
from .tree import TreeReader

if TYPE_CHECKING:
    from tree_sitter import Node

DRIVER_UNREAD = declare(
    "check-driver-unread",
    Severity.WARNING,
    "A variant driver is written in a form the checker cannot read; its arcs are not all checked.",
    scope=SCOPE,
    doc="""
    The checker follows a driver from its ops initializer to the set-state
    function, from the lookup call in that function's loop to the step
    function the next state is passed to, and reads the arcs the step
    function handles and the features the driver declares.  Where a link is
    missing or a condition, a ``switch`` or a flags assignment has a shape it
    cannot take apart (a comparison with ``!=``, flags copied from a
    variable), it says so here, at that place, instead of guessing what the
    driver does.
    """,
    example="if (is_precopy(new))  /* a helper, not a comparison of new with a state */",
)

RULES = (DRIVER_UNREAD,)

# At most this many optional flag additions are combined into device kinds
# (2**n kinds): far beyond a real driver.
MAX_OPTIONAL_FLAGS = 8

_LOOPS = ("while_statement", "for_statement", "do_statement")
_PREPROC = ("preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif", "preproc_elifdef")
_SOURCE, _TARGET = "source", "target"


@dataclass(frozen=True, slots=True, kw_only=True)
class DriverNames:
    """The names the spec gives that make a driver recognisable."""

    dir: str
    ops: str
    set_state: str
    flags: str
    lookup: str
    state_prefix: str
    # The states' bare names (``STOP``): a macro given them stands for a state.
    states: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class HandledArc:
    """One arc a step function handles: ``source`` -> ``target`` (constants)."""

    source: str
    target: str
    # The comparison (one disjunct of an ``||``) or the case label handling it.
    location: Location
    # The innermost ``#if``/``#ifdef``/``#else`` the arc sits under: the arc is
    # handled only in the kernel configurations it selects.
    config: Location | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeclaredFlags:
    """One set of flag macros a driver may declare, and where it is made."""

    macros: frozenset[str]
    location: Location
    # The optional (capability-guarded) additions included in this set.
    optional: tuple[Location, ...] = ()
    # The optional removals (``&= ~MACRO`` under a condition) applied.
    removed: tuple[Location, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DriverRead:
    """What one driver's files say."""

    directory: str  # relative to the tree's root
    shown: str  # as shown in diagnostics
    ops: Location  # the ``.set_state = fn`` designator
    set_state: Ref | None
    step: Ref | None  # the step function's definition
    # The last top-level return of the step function: where an arc it does
    # not handle ends up.
    fallthrough: Location | None
    arcs: tuple[HandledArc, ...]
    flags: tuple[DeclaredFlags, ...]
    # The step function was read completely (every condition naming a state understood).
    complete: bool


@dataclass
class _Driver:
    """The files of one driver directory, parsed on demand."""

    directory: str
    names: list[str]
    data: dict[str, bytes]
    parsed: dict[str, CFile] = field(default_factory=dict)


def read_drivers(
    reader: TreeReader, creader: CReader, names: DriverNames
) -> tuple[list[DriverRead], list[str], list[Diagnostic]]:
    """Every driver under ``names.dir`` of the tree, in path order; the files
    read (relative paths); diagnostics."""
    diagnostics: list[Diagnostic] = []
    scanned: list[str] = []
    by_dir: dict[str, _Driver] = {}
    for rel in reader.files((".c", ".h"), under=names.dir):
        data = reader.read(rel)
        if data is None:
            continue
        scanned.append(rel)
        directory = posixpath.dirname(rel)
        found = by_dir.setdefault(directory, _Driver(directory, [], {}))
        found.names.append(rel)
        found.data[rel] = data
    ops_key = names.ops.encode()
    member_key = names.set_state.encode()
    out: list[DriverRead] = []
    for directory in sorted(by_dir):
        drv = by_dir[directory]
        # A driver is read once per set-state function, however many ops
        # initializers name it.
        seen: set[str] = set()
        for rel in drv.names:
            data = drv.data[rel]
            if ops_key not in data or member_key not in data:
                continue
            cfile = _parse(creader, reader, drv, rel)
            for designated in cfile.designated:
                if designated.member != names.set_state:
                    continue
                if not _in_ops_initializer(cfile, designated.value, names.ops):
                    continue
                function = squash(cfile.text(designated.value))
                if function in seen:
                    continue
                seen.add(function)
                one = _DriverReader(creader, reader, drv, names, diagnostics)
                out.append(one.read(cfile, designated.value, designated.location))
    return out, scanned, diagnostics


def _parse(creader: CReader, reader: TreeReader, drv: _Driver, rel: str) -> CFile:
    cfile = drv.parsed.get(rel)
    if cfile is None:
        cfile = drv.parsed[rel] = creader.parse_bytes(drv.data[rel], reader.tree.display(rel))
    return cfile


def _in_ops_initializer(cfile: CFile, value: Node, ops: str) -> bool:
    """Is ``value`` a member's value in an initializer of ``struct ops``?"""
    node = value.parent
    for _ in range(6):
        if node is None:
            return False
        if node.type in ("declaration", "compound_literal_expression"):
            kind = node.child_by_field_name("type")
            return kind is not None and squash(cfile.text(kind)) == f"struct{ops}"
        node = node.parent
    return False


def _operator(node: Node) -> str | None:
    op = node.child_by_field_name("operator")
    return op.type if op is not None else None


def _chain(node: Node, operator: str) -> list[Node]:
    """The operands of a chain of one binary operator, parentheses removed."""
    out: list[Node] = []
    stack = [node]
    while stack:
        n = unwrap(stack.pop())
        if n.type == "binary_expression" and _operator(n) == operator:
            right = n.child_by_field_name("right")
            left = n.child_by_field_name("left")
            if right is not None:
                stack.append(right)
            if left is not None:
                stack.append(left)
        else:
            out.append(n)
    return out


def _statements(node: Node) -> Iterator[Node]:
    """The statements of a block, through ``#if`` blocks."""
    for child in node.named_children:
        if child.type in _PREPROC:
            yield from _statements(child)
        elif child.type != "comment":
            yield child


def _body(node: Node | None) -> list[Node]:
    if node is None:
        return []
    if node.type == "compound_statement" or node.type in _PREPROC:
        return list(_statements(node))
    if node.type == "else_clause":
        return [c for c in node.named_children if c.type != "comment"]
    return [node]


def _inner(node: Node) -> list[Node]:
    """The statements inside a loop or a labelled statement."""
    if node.type == "labeled_statement":
        return [c for c in node.named_children if c.type not in ("statement_identifier", "comment")]
    return _body(node.child_by_field_name("body"))


def _config(node: Node) -> Node | None:
    """The innermost ``#if``-family block ``node`` sits in, within its function."""
    here = node.parent
    while here is not None and here.type != "function_definition":
        if here.type in _PREPROC:
            return here
        here = here.parent
    return None


class _DriverReader:
    """Reads one driver, from one ops initializer."""

    def __init__(
        self,
        creader: CReader,
        reader: TreeReader,
        drv: _Driver,
        names: DriverNames,
        diagnostics: list[Diagnostic],
    ) -> None:
        self.creader = creader
        self.reader = reader
        self.drv = drv
        self.names = names
        self.diagnostics = diagnostics
        self.arcs: list[HandledArc] = []
        self.fallthrough: Location | None = None
        self.complete = True

    def unread(self, message: str, location: Location) -> None:
        self.diagnostics.append(DRIVER_UNREAD.diagnostic(message, location))

    def define(self, name: str) -> tuple[CFile, FunctionDef] | None:
        """``name``'s definition in one of the driver's files."""
        key = name.encode()
        for rel in self.drv.names:
            if key not in self.drv.data[rel]:
                continue
            cfile = _parse(self.creader, self.reader, self.drv, rel)
            fn = cfile.functions.get(name)
            if fn is not None:
                return cfile, fn
        return None

    def read(self, ops_file: CFile, value: Node, ops: Location) -> DriverRead:
        shown = self.reader.tree.display(self.drv.directory)
        set_state: Ref | None = None
        step: Ref | None = None
        fn_node = unwrap(value)
        if fn_node.type != "identifier":
            self.unread(
                f".{self.names.set_state} is not a function name: {ops_file.quote(value)}", ops
            )
            self.complete = False
        else:
            step = self.follow(ops_file.text(fn_node), ops)
            found = self.define(ops_file.text(fn_node))
            if found is not None:
                set_state = Ref(name=found[1].name, location=found[1].location)
        flags = self.read_flags(ops)  # before 'complete': an unread flag clears it
        return DriverRead(
            directory=self.drv.directory,
            shown=shown,
            ops=ops,
            set_state=set_state,
            step=step,
            fallthrough=self.fallthrough,
            arcs=tuple(self.arcs),
            flags=flags,
            complete=self.complete and step is not None,
        )

    # -- set-state -> step function ----------------------------------------

    def follow(self, name: str, ops: Location) -> Ref | None:
        found = self.define(name)
        if found is None:
            self.unread(
                f"the set-state function {name}() is not defined in the driver's files "
                f"({self.drv.directory})",
                ops,
            )
            return None
        cfile, fn = found
        lookups = [
            c for c in cfile.calls if c.callee == self.names.lookup and c.function == fn.name
        ]
        if not lookups:
            self.unread(
                f"{name}() does not call {self.names.lookup}(); no step function found",
                fn.location,
            )
            return None
        lookup = lookups[0]
        outs = [
            a
            for a in lookup.args
            if a.type == "pointer_expression" and _operator(a) == "&" and unwrap(a) is not a
        ]
        if not outs or unwrap(outs[-1]).type != "identifier":
            self.unread(
                f"{self.names.lookup}() is not passed the address of a next-state variable",
                lookup.location,
            )
            return None
        next_var = cfile.text(unwrap(outs[-1]))
        call_node = lookup.args[0].parent
        loop: Node | None = call_node
        while loop is not None and loop.type not in _LOOPS and loop.id != fn.node.id:
            loop = loop.parent
        span = loop if loop is not None and loop.type in _LOOPS else fn.node
        candidates: list[tuple[str, int, Location]] = []
        for call in cfile.calls:
            if call.function != fn.name or call.callee == self.names.lookup or not call.args:
                continue
            if not (span.start_byte <= call.args[0].start_byte < span.end_byte):
                continue
            for index, arg in enumerate(call.args):
                inner = unwrap(arg)
                if inner.type == "identifier" and cfile.text(inner) == next_var:
                    candidates.append((call.callee, index, call.location))
        defined = [(c, i, where) for c, i, where in candidates if self.define(c) is not None]
        if len(defined) != 1:
            what = (
                "no function of the driver is passed it"
                if not defined
                else "several functions of the driver are passed it: "
                + ", ".join(sorted({c for c, _, _ in defined}))
            )
            self.unread(
                f"{name}() gets the next state in '{next_var}' from {self.names.lookup}(), "
                f"but {what}; no single step function",
                lookup.location,
            )
            return None
        callee, index, _ = defined[0]
        step = self.define(callee)
        assert step is not None
        step_file, step_fn = step
        if index >= len(step_fn.params) or not step_fn.params[index]:
            self.unread(
                f"{callee}() has no named parameter {index + 1} to receive the next state",
                step_fn.location,
            )
            return None
        _StepReader(self, step_file, step_fn.params[index]).read(step_fn)
        return Ref(name=step_fn.name, location=step_fn.location)

    # -- declared features --------------------------------------------------

    def read_flags(self, ops: Location) -> tuple[DeclaredFlags, ...]:
        """The sets of flag macros the driver may declare.  Any assignment not
        read makes the driver incomplete (its kinds may be short)."""
        member = self.names.flags
        key = member.encode()
        bases: list[tuple[frozenset[str], Location]] = []
        # Unconditional additions and removals, each with the function it is in.
        always: list[tuple[frozenset[str], int | None]] = []
        cleared: list[tuple[frozenset[str], int | None]] = []
        # Capability-guarded changes: (macros, where, removal?, function).
        options: list[tuple[frozenset[str], Location, bool, int | None]] = []
        assigned = False
        for rel in self.drv.names:
            if key not in self.drv.data[rel]:
                continue
            cfile = _parse(self.creader, self.reader, self.drv, rel)
            for node in walk(cfile.root):
                if node.type != "assignment_expression":
                    continue
                left = node.child_by_field_name("left")
                if left is None or left.type != "field_expression":
                    continue
                fld = left.child_by_field_name("field")
                if fld is None or cfile.text(fld) != member:
                    continue
                assigned = True
                where = cfile.location(node)
                op = _operator(node)
                right = node.child_by_field_name("right")
                fn = _function(node)
                conditional = _conditional(node)
                if right is None or op not in ("=", "|=", "&="):
                    self.complete = False
                    self.unread(f"{member} is changed with '{op}'; not read", where)
                    continue
                if op == "&=":
                    inverted = unwrap(right)
                    operand = inverted.child_by_field_name("argument")
                    if inverted.type != "unary_expression" or _operator(inverted) != "~":
                        operand = None
                    removed = self.flag_sets(cfile, operand) if operand is not None else None
                    if removed is None or len(removed) != 1:
                        self.complete = False
                        if operand is None:
                            self.unread(
                                f"{member} is changed with '&=' of {cfile.quote(right)}, not "
                                "'~' of flag macros; not read",
                                where,
                            )
                        continue
                    if conditional:
                        options.append((removed[0], where, True, fn))
                    else:
                        cleared.append((removed[0], fn))
                    continue
                alternatives = self.flag_sets(cfile, right)
                if alternatives is None:
                    self.complete = False
                    continue
                if op == "=":
                    if not conditional:
                        # A plain assignment replaces what the same function
                        # OR-ed in (or cleared) before it.
                        always = [a for a in always if a[1] != fn]
                        cleared = [c for c in cleared if c[1] != fn]
                        options = [o for o in options if o[3] != fn]
                    bases.extend((a, where) for a in alternatives)
                else:
                    union = frozenset().union(*alternatives)
                    if conditional:
                        options.append((union, where, False, fn))
                    else:
                        always.append((union, fn))
        if not assigned:
            self.complete = False
            self.unread(
                f"no assignment to {member} in the driver's files ({self.drv.directory}); "
                "the features it declares are unknown",
                ops,
            )
            return ()
        if not bases and not always and not options:
            return ()
        if len(options) > MAX_OPTIONAL_FLAGS:
            self.unread(
                f"{len(options)} optional changes to {member}; only the first "
                f"{MAX_OPTIONAL_FLAGS} are combined",
                options[MAX_OPTIONAL_FLAGS][1],
            )
            options = options[:MAX_OPTIONAL_FLAGS]
        if not bases:
            first = options[0][1] if options else ops
            bases = [(frozenset(), first)]
        added = frozenset().union(*(a[0] for a in always))
        taken = frozenset().union(*(c[0] for c in cleared))
        out: dict[frozenset[str], DeclaredFlags] = {}
        for base, where in bases:
            for n in range(len(options) + 1):
                for chosen in itertools.combinations(options, n):
                    plus = frozenset().union(*(c[0] for c in chosen if not c[2]))
                    minus = frozenset().union(*(c[0] for c in chosen if c[2]))
                    macros = ((base | added | plus) - taken) - minus
                    out.setdefault(
                        macros,
                        DeclaredFlags(
                            macros=macros,
                            location=where,
                            optional=tuple(c[1] for c in chosen if not c[2]),
                            removed=tuple(c[1] for c in chosen if c[2]),
                        ),
                    )
        return tuple(out.values())

    def flag_sets(self, cfile: CFile, node: Node, depth: int = 0) -> list[frozenset[str]] | None:
        """The macro sets an OR of macros (or a ``?:`` of such) may give."""
        node = unwrap(node)
        if depth > MAX_NESTING:
            self.unread("flags expression nested too deeply; not read", cfile.location(node))
            return None
        if node.type == "conditional_expression":
            out: list[frozenset[str]] = []
            for branch in ("consequence", "alternative"):
                part = node.child_by_field_name(branch)
                got = self.flag_sets(cfile, part, depth + 1) if part is not None else None
                if got is None:
                    return None
                out.extend(got)
            return out
        macros: set[str] = set()
        for leaf in _chain(node, "|"):
            text = cfile.text(leaf)
            if leaf.type == "identifier" and text.isupper():
                macros.add(text)
            elif leaf.type == "number_literal" and text == "0":
                continue
            else:
                self.unread(
                    f"{self.names.flags} is given '{cfile.quote(leaf)}', not flag macros; "
                    "the features it adds are unknown",
                    cfile.location(leaf),
                )
                return None
        return [frozenset(macros)]


def _conditional(node: Node) -> bool:
    """Is ``node`` under a condition within its function (a kernel
    configuration's ``#ifdef`` is one too)?"""
    here = node.parent
    while here is not None and here.type != "function_definition":
        if here.type in ("if_statement", "conditional_expression", "switch_statement", *_PREPROC):
            return True
        here = here.parent
    return False


def _function(node: Node) -> int | None:
    """The id of the function ``node`` is in (``None``: outside any)."""
    here = node.parent
    while here is not None and here.type != "function_definition":
        here = here.parent
    return here.id if here is not None else None


class _StepReader:
    """Reads the arcs one step function handles."""

    def __init__(self, driver: _DriverReader, cfile: CFile, target_var: str) -> None:
        self.d = driver
        self.cfile = cfile
        self.target = squash(target_var)
        self.prefix = driver.names.state_prefix
        self.arcs_before_return = 0

    def read(self, fn: FunctionDef) -> None:
        body = fn.node.child_by_field_name("body")
        if body is None:
            return
        self.block(_body(body), {}, 0)
        if not self.d.arcs:
            self.d.complete = False
            self.d.unread(
                f"no arc read in the step function {fn.name}() (no comparison of "
                f"'{self.target}' with a {self.prefix}* constant)",
                fn.location,
            )

    def block(self, statements: list[Node], bound: dict[str, str], depth: int) -> None:
        if depth > MAX_NESTING:
            return
        for stmt in statements:
            if stmt.type == "if_statement":
                self.if_statement(stmt, bound, depth)
            elif stmt.type == "switch_statement":
                self.switch(stmt, bound, depth)
            elif stmt.type == "compound_statement":
                self.block(_body(stmt), bound, depth + 1)
            elif stmt.type in _LOOPS or stmt.type == "labeled_statement":
                # An arc in a loop's body or after a label is still handled
                # there: only top-level returns stay where they are.
                inner = depth + 1 if stmt.type in _LOOPS else depth
                self.block(_inner(stmt), bound, inner)
            elif stmt.type == "return_statement" and not bound and depth == 0:
                self.top_level_return(stmt)

    def top_level_return(self, stmt: Node) -> None:
        """Keep the first return after the last arc (not one after an error
        label further down): where a request for an arc not handled ends."""
        if self.d.fallthrough is None or len(self.d.arcs) > self.arcs_before_return:
            self.d.fallthrough = self.cfile.location(stmt)
            self.arcs_before_return = len(self.d.arcs)

    def arc(self, source: str, target: str, node: Node) -> None:
        config = _config(node)
        self.d.arcs.append(
            HandledArc(
                source=source,
                target=target,
                location=self.cfile.location(node),
                config=self.cfile.location(config) if config is not None else None,
            )
        )

    def role(self, operand: Node) -> str:
        return _TARGET if squash(self.cfile.text(operand)) == self.target else _SOURCE

    def state(self, node: Node) -> str | None:
        node = unwrap(node)
        if node.type == "identifier":
            text = self.cfile.text(node)
            if text.startswith(self.prefix):
                return text
        return None

    def mentions(self, node: Node) -> bool:
        """Does the expression name a state constant or the target variable,
        or give a call (a macro) a state's bare name?"""
        for n in (node, *walk(node)):
            if n.type in ("identifier", "field_expression"):
                text = squash(self.cfile.text(n))
                if text == self.target or text.startswith(self.prefix):
                    return True
            elif n.type == "call_expression":
                args = n.child_by_field_name("arguments")
                if args is not None and any(
                    a.type == "identifier" and self.cfile.text(a) in self.d.names.states
                    for a in args.named_children
                ):
                    return True
        return False

    def comparison(self, node: Node) -> tuple[str, str] | None:
        """``x == STATE`` / ``STATE == x`` -> (role of x, STATE)."""
        if node.type != "binary_expression" or _operator(node) != "==":
            return None
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None:
            return None
        for const_side, other in ((right, left), (left, right)):
            const = self.state(const_side)
            if const is not None and self.state(other) is None:
                return self.role(unwrap(other)), const
        return None

    def if_statement(self, stmt: Node, bound: dict[str, str], depth: int) -> None:
        cond = stmt.child_by_field_name("condition")
        consequence = _body(stmt.child_by_field_name("consequence"))
        alternative = _body(stmt.child_by_field_name("alternative"))
        if cond is None:
            return
        disjuncts = _chain(cond, "||")
        readings: list[tuple[Node, dict[str, str]]] = []
        # A preprocessor line inside the condition: not taken apart.
        unreadable = cond.has_error and self.mentions(cond)
        # A disjunct comparing no state: the body is reached whatever the states.
        stateless = False
        for disjunct in disjuncts:
            binding: dict[str, str] = {}
            for conjunct in _chain(disjunct, "&&"):
                found = self.comparison(conjunct)
                if found is None:
                    if self.mentions(conjunct):
                        unreadable = True
                    continue
                role, const = found
                if binding.get(role, const) != const:
                    unreadable = True
                binding[role] = const
            if binding:
                readings.append((disjunct, binding))
            else:
                stateless = True
        if unreadable:
            self.d.complete = False
            self.d.unread(
                f"condition not read as arcs (only '==' comparisons of the current and "
                f"the new state with {self.prefix}* constants, joined by && and ||, are): "
                f"{self.cfile.quote(cond)}",
                self.cfile.location(unwrap(cond)),
            )
        elif stateless:
            # A condition on something else (a capability, an error) is one
            # more conjunct: arcs in its body are handled, conditionally.
            self.block(consequence, bound, depth + 1)
        complete = [
            (node, {**bound, **binding})
            for node, binding in readings
            if all(bound.get(r, c) == c for r, c in binding.items())
        ]
        arcs = [(node, b) for node, b in complete if _SOURCE in b and _TARGET in b]
        for node, b in arcs:
            self.arc(b[_SOURCE], b[_TARGET], node)
        for _, b in complete:
            if not (_SOURCE in b and _TARGET in b):
                self.block(consequence, b, depth + 1)
        self.block(alternative, bound, depth + 1)

    def switch(self, stmt: Node, bound: dict[str, str], depth: int) -> None:
        subject = stmt.child_by_field_name("condition")
        body = stmt.child_by_field_name("body")
        if subject is None or body is None:
            return
        inner = unwrap(subject)
        role = self.role(inner)
        labels: list[tuple[str, Node]] = []
        cases = [n for n in walk(body, stop=("switch_statement", "case_statement"))]
        cases = [n for n in cases if n.type == "case_statement"]
        states_seen = False
        for case in cases:
            value = case.child_by_field_name("value")
            if value is not None:
                const = self.state(value)
                if const is None:
                    if role == _TARGET:
                        self.d.complete = False
                        self.d.unread(
                            f"case label {self.cfile.quote(value)} of a switch on "
                            f"'{self.target}' is not a {self.prefix}* constant",
                            self.cfile.location(value),
                        )
                    labels = []
                    continue
                states_seen = True
                labels.append((const, value))
            statements = case_body(case)
            if not statements:
                continue  # falls through to the next label
            for const, where in labels:
                if bound.get(role, const) != const:
                    continue
                b = {**bound, role: const}
                if _SOURCE in b and _TARGET in b:
                    self.arc(b[_SOURCE], b[_TARGET], where)
                else:
                    self.block(statements, b, depth + 1)
            labels = []
        if not states_seen and role == _TARGET:
            self.d.complete = False
            self.d.unread(
                f"switch on '{self.target}' has no {self.prefix}* case labels",
                self.cfile.location(stmt),
            )
