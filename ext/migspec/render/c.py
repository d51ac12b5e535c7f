"""C artefacts that follow from the machine: the uAPI enum, the to-string
switch, and the state-class predicates.

Inputs: what the C must contain (:mod:`migspec.expect.code`).  Outputs: C
text in QEMU / Linux style, from ``templates/c-enum.h.j2``,
``templates/to-str.c.j2`` and ``templates/predicates.c.j2``.  Every name
(enum, prefix, function, parameter list, prologue) comes from the spec, and
which states appear, in which order, from the expectation.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..expect.code import PredicateExpectation, ToStringExpectation, expect_code
from ..model import Machine, Spec
from .env import render_template  # Jinja2, only when something is rendered


def render_c_enum(spec: Spec) -> str:
    code = expect_code(spec)
    return render_template("c-enum.h.j2", machine=code.machine, constants=code.enum)


def render_to_string_switch(machine: Machine, expected: ToStringExpectation) -> str:
    return render_template("to-str.c.j2", machine=machine, expected=expected)


def render_to_str(spec: Spec) -> str | None:
    """``None`` when the spec names no to-string function (``code.to_string``)."""
    code = expect_code(spec)
    if code.to_string is None:
        return None
    return render_to_string_switch(code.machine, code.to_string)


def render_predicate_functions(machine: Machine, predicates: Sequence[PredicateExpectation]) -> str:
    return render_template("predicates.c.j2", machine=machine, predicates=tuple(predicates))


def render_predicates(spec: Spec) -> str | None:
    """``None`` when the spec names no predicates (``code.predicates``)."""
    code = expect_code(spec)
    if not code.predicates:
        return None
    return render_predicate_functions(code.machine, code.predicates)
