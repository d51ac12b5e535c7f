"""Linting a spec: every spec-level rule, in the order they run.

Inputs: a resolved :class:`~migspec.model.Spec`, the ids the user disabled,
and the rule catalogue (:func:`migspec.rules.all_rules`), which only the front
ends can build: it gathers the rules of every stage, including those above
this one.  Outputs: sorted diagnostics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from ..diagnostics import Diagnostic, Rule
from ..fsm import rules as fsm_rules
from ..model import Spec
from . import run_rules, spec_rules, trace_rules

# The rules that run over a spec alone: structure, FSM semantics, trace events.
SPEC_RULES: tuple[Rule[Any], ...] = (
    *spec_rules.RULES,
    *fsm_rules.RULES,
    *trace_rules.SPEC_RULES,
)


def lint_spec(
    spec: Spec,
    disabled: frozenset[str] = frozenset(),
    *,
    catalogue: Callable[[], Iterable[Rule[Any]]],
) -> list[Diagnostic]:
    """Every spec-level rule, and the spec's ``lint.disable`` checked against ``catalogue``."""
    off = disabled | spec.disabled_rules
    found = run_rules(SPEC_RULES, spec, off)
    suppressions = spec_rules.Suppressions(spec=spec, catalogue=catalogue)
    found.extend(run_rules(spec_rules.SUPPRESSION_RULES, suppressions, off))
    return sorted(found, key=Diagnostic.sort_key)
