"""The typed, immutable spec model.

Inputs: nothing (built by :mod:`migspec.load.spec`).  Outputs: frozen
dataclasses that every later stage reads: lint rules, the FSM engine, the
renderers, the source checker and both front ends.  Every object carries the
:class:`~migspec.diagnostics.Location` it was defined at; names are resolved
once, by the loader, so a model that exists has no dangling references.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, TypeVar

from .diagnostics import NOWHERE as NOWHERE
from .diagnostics import Location

# The trace-event values are part of the model; they live in a module of their
# own so that linting trace-events files does not build the rest of it.
from .trace import TraceArg as TraceArg
from .trace import TraceEvent as TraceEvent
from .trace import TraceSection as TraceSection


class Session(enum.Enum):
    """What an arc does to the data-transfer session (the migration fd)."""

    NONE = "none"
    OPEN = "open"
    CLOSE = "close"


class Interior(enum.Enum):
    """May a combination transition pass *through* states of a group?"""

    ALLOWED = "allowed"
    NEVER = "never"
    # Only on a path that never leaves the group: moving between the states
    # of one data session is fine, crossing its border mid-path is not.
    WITHIN_GROUP = "within-group"


class FlowStyle(enum.Enum):
    """How a flow is drawn in rst."""

    # The drawing for one feature set (QEMU since the P2P commit).
    PROJECTED = "projected"
    # The base flow with feature-dependent parts in square brackets
    # (QEMU before the P2P commit): ``(RUNNING, _SETUP, _RUNNING [_PRE_COPY])``.
    BRACKETED = "bracketed"


# How a state's name and its C constant map to each other is decided here and
# nowhere else: the constant is the machine's prefix and the state's name.
# ``Machine`` applies it; the importer, which has a prefix before it has a
# machine, calls these two directly.


def constant_of_state(prefix: str, state: str) -> str:
    """``VFIO_DEVICE_STATE_`` and ``RUNNING`` -> ``VFIO_DEVICE_STATE_RUNNING``."""
    return prefix + state


def state_of_constant(prefix: str, constant: str) -> str | None:
    """``VFIO_DEVICE_STATE_RUNNING`` -> ``RUNNING``; ``None`` when ``constant`` lacks the prefix
    (or is the bare prefix)."""
    if not constant.startswith(prefix) or constant == prefix:
        return None
    return constant[len(prefix) :]


@dataclass(frozen=True, slots=True, kw_only=True)
class Machine:
    """The machine itself: its name, its C enum and where the enum is declared."""

    name: str
    title: str
    doc: str
    enum: str
    prefix: str
    header: str
    # Enumerators of the enum that bound or count it (``VFIO_DEVICE_STATE_NR``)
    # beyond those the C reader recognises by shape; never states.
    sentinels: tuple[str, ...] = ()
    location: Location = NOWHERE

    def constant(self, state: str) -> str:
        """The C constant of the state named ``state``: ``VFIO_DEVICE_STATE_RUNNING``."""
        return constant_of_state(self.prefix, state)

    def state_name(self, constant: str) -> str | None:
        """The state name ``constant`` spells, ``None`` when it is not one of this machine's.

        Only the spelling is read: whether the spec has a state of that name
        is the caller's question.
        """
        return state_of_constant(self.prefix, constant)

    def short_name(self, constant: str) -> str:
        """``constant`` as messages show it: its state name, or the whole constant when it is not one."""
        name = self.state_name(constant)
        return constant if name is None else name


@dataclass(frozen=True, slots=True, kw_only=True)
class Feature:
    """An optional (or mandatory) device capability, a bit in the device's flags."""

    name: str
    macro: str
    bit: int
    mandatory: bool
    doc: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    """States that belong together (one data session), and whether paths may pass through them."""

    name: str
    doc: str
    interior: Interior
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class StateClass:
    """A named set of states that C predicates test for (``is_running``...)."""

    name: str
    doc: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class StandIn:
    """``state`` stands in when ``feature`` is absent (``None``: any of the state's)."""

    feature: str | None
    state: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class State:
    """One device state: its enum value, the features it needs and how the docs spell it."""

    name: str
    value: int
    doc: str
    features: frozenset[str]
    groups: tuple[str, ...]
    classes: tuple[str, ...]
    docs_as: str
    stand_ins: tuple[StandIn, ...]
    error: bool
    initial: bool
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Arc:
    """A transition the device implements directly (an edge of the machine)."""

    source: str
    target: str
    features: frozenset[str]
    without: frozenset[str]
    session: Session
    doc: str
    location: Location = NOWHERE

    def available(self, features: frozenset[str]) -> bool:
        """Does a device with exactly ``features`` implement this arc?"""
        return self.features <= features and not (self.without & features)


@dataclass(frozen=True, slots=True, kw_only=True)
class RefusedArc:
    """A pair a request may name but a driver must refuse (never to become an arc)."""

    source: str
    target: str
    doc: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentParagraph:
    """Arcs the documentation comment lists together, and what they do.

    ``arcs``: (from, to) pairs, each an arc or a refused pair of the spec;
    ``from`` is :data:`ANY_STATE` for the pair that names the error state's
    entry from every state.  ``doc``: the paragraph, blank lines separating
    the paragraphs of a longer text.
    """

    arcs: tuple[tuple[str, str], ...]
    doc: str
    location: Location = NOWHERE


# How a comment paragraph names "every state" (``any -> ERROR``).
ANY_STATE = "any"


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentPathRules:
    """Where the comment states the path rules: the sentence before them and after."""

    lead: str
    after: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class FsmComment:
    """The prose of the comment above the state enum in the uAPI header.

    What the comment lists (the states per feature flag, the arcs, the
    refused pairs, the path rules) follows from the rest of the spec; this
    is the prose around it: the paragraphs before the state lists
    (``intro``), the sentence before the arcs (``arcs_intro``), the arcs'
    paragraphs, and the paragraphs after them (``closing``), one of which
    may be where the path rules go.
    """

    intro: tuple[str, ...] = ()
    arcs_intro: str = ""
    paragraphs: tuple[CommentParagraph, ...] = ()
    closing: tuple[str | CommentPathRules, ...] = ()
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class PathPin:
    """An explicit choice of path where the rules leave more than one."""

    path: tuple[str, ...]
    doc: str
    location: Location = NOWHERE

    @property
    def source(self) -> str:
        return self.path[0]

    @property
    def target(self) -> str:
        return self.path[-1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Walk:
    """How the kernel's next-state lookup skips states a device lacks.

    ``error_flags_all``: the flags entry of the error state is "every bit"
    (``~0U``), so no device ever "supports" the error state.
    ``stop_at_error``: the skip loop ends when it reaches the error state.
    """

    skip_unsupported: bool
    error_flags_all: bool
    stop_at_error: bool
    doc: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Callback:
    """A phase the docs name (``.save_setup()``) and how C registers it."""

    name: str
    docs_as: str
    doc: str
    # Where the callback's work happens when it is not the migration thread
    # working on the main stream: in a thread of its own (``thread: true``,
    # ``.save_complete_precopy_thread()``), or on data that arrives over
    # another channel (``channel: multifd``, ``.load_state_buffer()``).
    thread: bool = False
    channel: str = ""
    location: Location = NOWHERE

    @property
    def where(self) -> str:
        """How a drawing says where the work runs ("" on the main path)."""
        parts = []
        if self.thread:
            parts.append("in a thread of its own")
        if self.channel:
            parts.append(f"over the {self.channel} channels")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    """One line of a flow's text, shown only for the feature sets it applies to."""

    text: str
    features: frozenset[str] = frozenset()
    without: frozenset[str] = frozenset()
    location: Location = NOWHERE

    def applies(self, features: frozenset[str]) -> bool:
        return self.features <= features and not (self.without & features)


@dataclass(frozen=True, slots=True, kw_only=True)
class StateTuple:
    """A flow step's (VM state, migration state, device state) triple."""

    vm: str
    migration: str
    device: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """One step of a save or resume flow: text around a state tuple and its callbacks."""

    text: tuple[Line, ...]
    state: StateTuple
    text_after: tuple[Line, ...]
    callbacks: tuple[str, ...]
    features: frozenset[str]
    without: frozenset[str]
    doc: str
    location: Location = NOWHERE

    def applies(self, features: frozenset[str]) -> bool:
        return self.features <= features and not (self.without & features)


@dataclass(frozen=True, slots=True, kw_only=True)
class DocsTarget:
    """Where in the rst documentation a flow is drawn (file and section title)."""

    file: str
    section: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """A save or resume sequence, as the docs draw it."""

    name: str
    title: str
    doc: str
    features: frozenset[str]
    style: FlowStyle
    steps: tuple[Step, ...]
    docs: DocsTarget | None
    location: Location = NOWHERE


# A state tuple as flow drawings write it: ``(A, _B, _C)`` or ``[(A, _B, _C)]``.
# The rst reader (source.rst) and lint (a step's text must not read as one)
# both decide it here.
_DRAWN_TUPLE = re.compile(r"^(\[\s*)?\((?P<inner>[^()]*)\)(?(1)\s*\])$")


def drawn_tuple(text: str) -> tuple[tuple[str, str, str], bool] | None:
    """The three members of a drawn state tuple and whether it is bracketed; None: no tuple."""
    m = _DRAWN_TUPLE.match(text.strip())
    if m is None:
        return None
    members = _split_members(m.group("inner"))
    if len(members) != 3 or not all(members):
        return None
    return (members[0], members[1], members[2]), m.group(1) is not None


def _split_members(inner: str) -> list[str]:
    out: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in inner:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(" ".join("".join(current).split()))
            current = []
        else:
            current.append(ch)
    out.append(" ".join("".join(current).split()))
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class Notation:
    """How flows are laid out and how tuple members are spelled in rst."""

    width: int = 80
    connector_column: int = 38
    connector: str = "|"
    vm_prefix: str = ""
    migration_prefix: str = "_"
    location: Location = NOWHERE

    def reads_as_drawing(self, text: str) -> str | None:
        """Why a line of step text would be read back as drawing syntax, not
        text (None: it reads as text).  Such a line makes update write what
        check then reads differently, forever."""
        stripped = text.strip()
        if not stripped:
            return "is blank, and a drawing's blank lines are not read"
        if stripped == self.connector:
            return f"is the connector '{self.connector}' alone, which separates steps"
        if drawn_tuple(stripped) is not None:
            return "reads as a state tuple"
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ToString:
    """The C function that turns a state into its name, and where it lives."""

    function: str
    file: str
    default: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Predicate:
    """``bool function(params) { prologue; return subject == A || subject == B; }``.

    ``params`` (the C parameter list) and ``prologue`` (statements before the
    ``return``) come from the spec: they are the project's, not migspec's.
    """

    function: str
    file: str
    state_class: str
    subject: str
    params: str = "void"
    prologue: tuple[str, ...] = ()
    doc: str = ""
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Setter:
    """A C function that requests a device state: which argument is the state."""

    function: str
    state_arg: int
    recover_arg: int | None
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class Registration:
    """A C call that registers callbacks: argument index -> callback name."""

    function: str
    args: tuple[tuple[int, str], ...]
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelDrivers:
    """How the kernel's drivers declare that they perform single arcs.

    A driver supplies an initializer of the struct ``ops`` whose member
    ``set_state`` names its set-state function; that function asks the
    kernel's lookup (:attr:`KernelTables.function`) for each next state and
    passes it to a step function.  The driver declares the features it has
    in the member ``flags``.  Every ``.c``/``.h`` file under ``dir`` is scanned.
    """

    dir: str
    ops: str
    set_state: str
    flags: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelTables:
    """Where the kernel keeps its next-state and state-flags tables."""

    file: str
    function: str
    next_table: str
    flags_table: str
    header: str
    # The constant both tables are sized by, ``enum { NAME = LAST + 1 }``;
    # empty: the machine's prefix with ``STATE_`` turned into ``NUM_STATES``
    # (see :func:`migspec.expect.kernel.expected_bound`).
    bound: str = ""
    location: Location = NOWHERE
    # The drivers that perform the arcs (None: not checked).
    drivers: KernelDrivers | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Code:
    """The C artefacts that follow from the machine.

    ``features``: the optional features the C code handles (``None``: all).
    A QEMU that drives no P2P state has no case for it in its to-string
    function and does not test it in its predicates.
    """

    features: frozenset[str] | None = None
    to_string: ToString | None = None
    predicates: tuple[Predicate, ...] = ()
    setters: tuple[Setter, ...] = ()
    registrations: tuple[Registration, ...] = ()
    kernel: KernelTables | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    """A rule the spec turns off (``lint: {disable: [rule-id]}``)."""

    rule: str
    location: Location = NOWHERE


@dataclass(frozen=True, slots=True)
class DeviceKind:
    """A kind of device: the features it has, mandatory ones included.

    Two kinds are the same kind when they have the same features, whichever
    spec made them; ``optional`` (the optional ones, in the spec's bit
    order) only decides how the kind is named.  Made by
    :meth:`Spec.device_kind` and :meth:`Spec.parse_device_kind`.
    """

    features: frozenset[str]
    optional: tuple[str, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        """The kind's stable short name: ``none``, ``P2P``, ``P2P+PRE_COPY``.

        What ``--features`` lists, table headers, ``generate`` paths, the
        Sphinx directives and ``migspec diff`` all call the kind.
        """
        return "+".join(self.optional) if self.optional else "none"

    @property
    def text(self) -> str:
        """The kind in prose: ``with P2P+PRE_COPY``, ``without optional features``."""
        return f"with {self.name}" if self.optional else "without optional features"

    def has(self, state: State) -> bool:
        """Does a device of this kind have ``state``?"""
        return state.features <= self.features


class _Named(Protocol):
    @property
    def name(self) -> str: ...


N = TypeVar("N", bound=_Named)
_D = TypeVar("_D")


def _by_name(items: Iterable[N]) -> dict[str, N]:
    """Name -> item; the first definition wins, as in the loader.

    A duplicate is reported by lint (``duplicate-name``) and must not change
    what the first definition means to every other rule.
    """
    out: dict[str, N] = {}
    for item in items:
        out.setdefault(item.name, item)
    return out


@dataclass(frozen=True, kw_only=True)
class Spec:
    """A whole spec, names resolved.  (No ``slots``: the lookups are cached.)"""

    path: str
    version: int
    machine: Machine
    features: tuple[Feature, ...]
    groups: tuple[Group, ...]
    classes: tuple[StateClass, ...]
    states: tuple[State, ...]
    arcs: tuple[Arc, ...]
    refused: tuple[RefusedArc, ...]
    pins: tuple[PathPin, ...]
    walk: Walk
    vm_states: tuple[str, ...]
    migration_states: tuple[str, ...]
    notation: Notation
    callbacks: tuple[Callback, ...]
    flows: tuple[Flow, ...]
    trace: tuple[TraceSection, ...]
    code: Code
    fsm_comment: FsmComment = FsmComment()
    disabled_rules: frozenset[str] = frozenset()
    suppressions: tuple[Suppression, ...] = ()
    location: Location = NOWHERE

    # -- lookups -------------------------------------------------------------

    @cached_property
    def state_map(self) -> dict[str, State]:
        return _by_name(self.states)

    @cached_property
    def feature_map(self) -> dict[str, Feature]:
        return _by_name(self.features)

    @cached_property
    def group_map(self) -> dict[str, Group]:
        return _by_name(self.groups)

    @cached_property
    def flow_map(self) -> dict[str, Flow]:
        return _by_name(self.flows)

    @cached_property
    def callback_map(self) -> dict[str, Callback]:
        return _by_name(self.callbacks)

    def state(self, name: str) -> State:
        return self.state_map[name]

    @cached_property
    def feature_by_macro(self) -> dict[str, Feature]:
        """Each feature by its C macro (the bit a device's flags carry)."""
        return {f.macro: f for f in self.features}

    def macros_of(self, features: Iterable[str]) -> frozenset[str]:
        """The C macros of the features named (names the spec lacks are left out)."""
        known = self.feature_map
        return frozenset(known[f].macro for f in features if f in known)

    @cached_property
    def error_state(self) -> State | None:
        return next((s for s in self.states if s.error), None)

    @cached_property
    def initial_state(self) -> State | None:
        return next((s for s in self.states if s.initial), None)

    @cached_property
    def states_by_value(self) -> tuple[State, ...]:
        return tuple(sorted(self.states, key=lambda s: s.value))

    @cached_property
    def mandatory_features(self) -> frozenset[str]:
        return frozenset(f.name for f in self.features if f.mandatory)

    @cached_property
    def optional_features(self) -> tuple[str, ...]:
        return tuple(f.name for f in sorted(self.features, key=lambda f: f.bit) if not f.mandatory)

    @cached_property
    def all_features(self) -> frozenset[str]:
        return frozenset(f.name for f in self.features)

    @cached_property
    def device_kinds(self) -> tuple[DeviceKind, ...]:
        """Every device kind: the mandatory features plus each subset of the optional ones.

        The one place that decides which kinds a spec describes and their
        order: subset ``mask`` has the optional features (in bit order) whose
        bit ``i`` is set in ``mask``, so ``none`` comes first and every
        optional feature last.
        """
        optional = self.optional_features
        return tuple(
            self.device_kind([name for i, name in enumerate(optional) if mask >> i & 1])
            for mask in range(1 << len(optional))
        )

    def device_kind(self, features: Iterable[str]) -> DeviceKind:
        """The kind of device that has ``features`` (and the mandatory ones)."""
        have = frozenset(features) | self.mandatory_features
        return DeviceKind(
            features=have, optional=tuple(f for f in self.optional_features if f in have)
        )

    def parse_device_kind(self, text: str) -> DeviceKind:
        """``all``, ``none`` or comma-separated optional feature names -> a device kind.

        Raises ValueError with a readable message for unknown names.
        """
        text = text.strip()
        if text == "all":
            return self.device_kind(self.all_features)
        if text in ("none", ""):
            return self.device_kind(())
        names = [n.strip() for n in text.split(",") if n.strip()]
        unknown = [n for n in names if n not in self.feature_map]
        if unknown:
            known = ", ".join(f.name for f in self.features)
            raise ValueError(f"unknown feature(s) {', '.join(unknown)} (known: {known})")
        return self.device_kind(names)

    def supports(self, state: State, features: frozenset[str]) -> bool:
        return state.features <= features

    def trace_events(self) -> Iterable[TraceEvent]:
        for section in self.trace:
            yield from section.events

    def derived(self, compute: Callable[[Spec], _D]) -> _D:
        """``compute(self)``, computed once for this spec and kept with it.

        For what later stages derive from a whole spec and several of their
        parts read (the FSM analysis, the prepared trace events).  Keyed by the
        function and held by the spec itself: a spec is immutable, and
        hashing one for a cache would walk all of it every time.
        """
        cache: dict[object, object] = self.__dict__.setdefault("_derived", {})
        if compute not in cache:
            cache[compute] = compute(self)
        return cache[compute]  # type: ignore[return-value]

    def __getstate__(self) -> dict[str, object]:
        # What derived() keeps is a cache, not part of the value (and not all
        # of it can be pickled): a copy or an unpickled spec computes it anew.
        return {k: v for k, v in self.__dict__.items() if k != "_derived"}
