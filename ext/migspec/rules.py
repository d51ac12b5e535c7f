"""The catalog of every rule migspec can report, for ``--list-rules`` and the docs.

Rules live beside the stage that reports them; this module only gathers them.
Imports here are cheap: no stage imports Sphinx, tree-sitter or Graphviz at
module level.
"""

from __future__ import annotations

from typing import Any

from .diagnostics import Rule


def spec_rules() -> tuple[Rule[Any], ...]:
    """Rules that run over a loaded spec, in the order they run."""
    from .fsm import rules as fsm_rules
    from .lint import spec_rules as structural
    from .lint import trace_rules

    return (*structural.RULES, *fsm_rules.RULES, *trace_rules.SPEC_RULES)


def all_rules() -> tuple[Rule[Any], ...]:
    """Every rule id migspec knows, sorted by scope then id."""
    from . import check, importer, update, writes
    from .lint import trace_rules
    from .load import revision, text, yamlsrc
    from .load import spec as load_spec

    rules: dict[str, Rule[Any]] = {}
    for rule in (
        *text.RULES,
        *yamlsrc.RULES,
        *load_spec.RULES,
        *spec_rules(),
        *trace_rules.FILE_RULES,
        *writes.RULES,
        *revision.RULES,
        *check.RULES,
        *update.RULES,
        *importer.RULES,
    ):
        rules.setdefault(rule.id, rule)
    return tuple(sorted(rules.values(), key=lambda r: (r.scope, r.id)))
