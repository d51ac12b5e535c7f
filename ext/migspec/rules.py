"""The catalogue of every rule migspec can report, for ``--list-rules`` and the docs.

Rules live beside the stage that reports them; this module gathers them, so
it imports every stage and sits at the top of the stage order, just below the
front ends (the CLI, the Sphinx extension) that use it.  No stage imports it:
lint checks a spec's ``lint.disable`` against the catalogue a front end hands
it (:func:`migspec.lint.spec.lint_spec`).
"""

from __future__ import annotations

from typing import Any

from . import check, importer, update, writes
from .diagnostics import Rule
from .lint import spec_rules as lint_spec_rules
from .lint import trace_rules
from .lint.spec import SPEC_RULES
from .load import revision, text, yamlsrc
from .load import spec as load_spec


def all_rules() -> tuple[Rule[Any], ...]:
    """Every rule id migspec knows, sorted by scope then id."""
    rules: dict[str, Rule[Any]] = {}
    for rule in (
        *text.RULES,
        *yamlsrc.RULES,
        *load_spec.RULES,
        *SPEC_RULES,
        *lint_spec_rules.SUPPRESSION_RULES,
        *trace_rules.FILE_RULES,
        *writes.RULES,
        *revision.RULES,
        *check.RULES,
        *update.RULES,
        *importer.RULES,
    ):
        rules.setdefault(rule.id, rule)
    return tuple(sorted(rules.values(), key=lambda r: (r.scope, r.id)))
