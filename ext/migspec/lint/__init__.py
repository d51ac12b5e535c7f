"""Lint stage: model in, diagnostics out.

Inputs: a resolved :class:`~migspec.model.Spec` (or parsed trace-events
files).  Outputs: diagnostics.  Every check is a :class:`~migspec.diagnostics.Rule`
defined next to the code it belongs to and listed in :mod:`migspec.rules`;
this module only runs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from ..diagnostics import Diagnostic, Rule

if TYPE_CHECKING:
    from ..model import Spec


def run_rules(
    rules: Iterable[Rule[Any]], subject: object, disabled: frozenset[str] = frozenset()
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in rules:
        if rule.id in disabled:
            continue
        out.extend(rule.run(subject))
    return out


def lint_spec(spec: Spec, disabled: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Every spec-level rule (structure, FSM semantics, flows, trace events)."""
    from ..rules import spec_rules

    return sorted(
        run_rules(spec_rules(), spec, disabled | spec.disabled_rules), key=Diagnostic.sort_key
    )
