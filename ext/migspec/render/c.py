"""C artefacts that follow from the machine: the uAPI enum, the to-string
switch, and the state-class predicates.

Inputs: a spec.  Outputs: C text in QEMU / Linux style, from
``templates/c-enum.h.j2``, ``templates/to-str.c.j2`` and
``templates/predicates.c.j2``.  Every name (enum, prefix, function, parameter
list, prologue) comes from the spec; this module only orders the states.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Predicate, Spec, State, ToString


@dataclass(frozen=True, slots=True, kw_only=True)
class PredicateData:
    predicate: Predicate
    # The states of the predicate's class that the C code handles
    # (``code.features``), in enum value order.
    states: tuple[State, ...]


def predicate_data(spec: Spec) -> tuple[PredicateData, ...]:
    return tuple(
        PredicateData(
            predicate=p,
            states=tuple(s for s in spec.code_states if p.state_class in s.classes),
        )
        for p in spec.code.predicates
    )


def render_c_enum(spec: Spec) -> str:
    from .env import render_template

    return render_template("c-enum.h.j2", machine=spec.machine, states=spec.states_by_value)


def render_to_str(spec: Spec) -> str | None:
    """``None`` when the spec names no to-string function (``code.to_string``)."""
    from .env import render_template

    to_string: ToString | None = spec.code.to_string
    if to_string is None:
        return None
    return render_template(
        "to-str.c.j2", machine=spec.machine, to_string=to_string, states=spec.code_states
    )


def render_predicates(spec: Spec) -> str | None:
    """``None`` when the spec names no predicates (``code.predicates``)."""
    from .env import render_template

    data = predicate_data(spec)
    if not data:
        return None
    return render_template("predicates.c.j2", machine=spec.machine, predicates=data)
