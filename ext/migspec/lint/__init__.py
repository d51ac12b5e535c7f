"""Lint stage: model in, diagnostics out.

Inputs: a resolved :class:`~migspec.model.Spec` (or parsed trace-events
files).  Outputs: diagnostics.  Every check is a :class:`~migspec.diagnostics.Rule`
defined next to the code it belongs to and listed in :mod:`migspec.rules`.
:mod:`.spec` lints a spec, :mod:`.trace_files` trace-events files; this module
only runs rules, and stays light so that linting trace-events files does not
import the spec model.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..diagnostics import Diagnostic, Rule


def run_rules(
    rules: Iterable[Rule[Any]], subject: object, disabled: frozenset[str] = frozenset()
) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for rule in rules:
        if rule.id in disabled:
            continue
        out.extend(rule.run(subject))
    return out
