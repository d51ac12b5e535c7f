"""The located facts the C readers return, the rule they report, and their limits.

Frozen values with 1-based locations; :class:`CFile` is one parsed file and
the index every reader works from.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ...diagnostics import Location, Severity, declare
from .. import SCOPE

if TYPE_CHECKING:
    from tree_sitter import Node

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
    # The preprocessor conditions the constant is declared under, outermost
    # first ("#ifdef X", "#else of #if Y"); empty when the compiler always sees it.
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumAmbiguity:
    """Something about an enum a reader cannot decide without guessing
    (a value that depends on which ``#if`` branch the compiler takes)."""

    constant: str  # the enumerator it is about
    message: str
    location: Location


@dataclass(frozen=True, slots=True, kw_only=True)
class EnumRead:
    """An enum as a C compiler sees it.

    ``constants`` are the enumerators that may name states; ``sentinels`` the
    count or bound enumerators that do not (a trailing ``..._NR``, ``..._MAX``,
    ``..._COUNT`` or ``__..._LAST`` with no explicit value, and any name the
    caller declares); ``ambiguities`` what could not be read without a guess.
    """

    name: str
    constants: tuple[EnumConstant, ...]
    location: Location
    sentinels: tuple[EnumConstant, ...] = ()
    ambiguities: tuple[EnumAmbiguity, ...] = ()


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
