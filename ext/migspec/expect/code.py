"""What the C regions must contain: the enum, the to-string switch, the predicates.

Inputs: a spec.  Outputs: frozen values, computed once per spec
(:func:`expect_code`).  This is the one place that decides which states the
C handles: ``code.features`` (plus the mandatory features) bounds the
to-string cases and the predicates' members; the uAPI enum has every state.
The renderers draw these values, ``check`` compares a tree with them and
``update`` rewrites a tree to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from ..model import Machine, Predicate, Spec, State, ToString


@dataclass(frozen=True, slots=True, kw_only=True)
class Constant:
    """One state as C names it (``VFIO_DEVICE_STATE_RUNNING``)."""

    name: str
    state: State


@dataclass(frozen=True, slots=True, kw_only=True)
class ToStringCase:
    """``case CONSTANT: return "STRING";``"""

    constant: Constant
    string: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ToStringExpectation:
    """The to-string switch: one case per handled state, in value order, then the default."""

    to_string: ToString
    cases: tuple[ToStringCase, ...]

    @property
    def default(self) -> str:
        return self.to_string.default

    def string(self, constant: str | None) -> str | None:
        """What the case for ``constant`` returns (``None``: the default);
        ``None`` when the switch must have no such case."""
        if constant is None:
            return self.to_string.default
        return next((c.string for c in self.cases if c.constant.name == constant), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class PredicateExpectation:
    """A predicate is true exactly for ``members`` among the states the C handles."""

    predicate: Predicate
    members: tuple[Constant, ...]
    # The states the C handles: what a negated test (``!= A && != B``) is true for
    # is these minus the ones it names.
    handled: tuple[Constant, ...]

    @property
    def member_states(self) -> frozenset[str]:
        return frozenset(c.state.name for c in self.members)

    def tested(self, named: frozenset[str], negated: bool) -> frozenset[str]:
        """The handled states a predicate naming ``named`` states is true for."""
        if negated:
            return frozenset(c.state.name for c in self.handled) - named
        return named


@dataclass(frozen=True, kw_only=True)
class CodeExpectation:
    """Every C region the spec owns."""

    machine: Machine
    # The uAPI enum: every state, in value order.
    enum: tuple[Constant, ...]
    # The features and states the C handles (``code.features`` and the mandatory ones).
    features: frozenset[str]
    handled: tuple[Constant, ...]
    to_string: ToStringExpectation | None
    predicates: tuple[PredicateExpectation, ...]

    @cached_property
    def by_constant(self) -> dict[str, Constant]:
        return {c.name: c for c in self.enum}

    def state_of(self, constant: str) -> State | None:
        """The spec state a C constant names (``None``: none, or not with the prefix)."""
        found = self.by_constant.get(constant)
        return found.state if found is not None else None

    def is_handled(self, state: str) -> bool:
        return any(c.state.name == state for c in self.handled)


def _compute(spec: Spec) -> CodeExpectation:
    features = (
        spec.all_features
        if spec.code.features is None
        else spec.code.features | spec.mandatory_features
    )
    enum = tuple(
        Constant(name=spec.machine.constant(s.name), state=s)
        for s in sorted(spec.states, key=lambda s: s.value)
    )
    handled = tuple(c for c in enum if c.state.features <= features)
    ts = spec.code.to_string
    to_string = (
        None
        if ts is None
        else ToStringExpectation(
            to_string=ts,
            cases=tuple(ToStringCase(constant=c, string=c.state.name) for c in handled),
        )
    )
    predicates = tuple(
        PredicateExpectation(
            predicate=p,
            members=tuple(c for c in handled if p.state_class in c.state.classes),
            handled=handled,
        )
        for p in spec.code.predicates
    )
    return CodeExpectation(
        machine=spec.machine,
        enum=enum,
        features=features,
        handled=handled,
        to_string=to_string,
        predicates=predicates,
    )


def expect_code(spec: Spec) -> CodeExpectation:
    """What the spec's C regions must contain (computed once per spec)."""
    return spec.derived(_compute)
