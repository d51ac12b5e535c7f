"""Sphinx directive ``.. rules-catalog::``: the rules page, generated from the catalog.

Inputs: :func:`migspec.rules.all_rules` (every rule's id, severity, scope,
docstring and failing example).  Outputs: one section per rule, anchored by
the rule id and by a ``rule-<id>`` label for ``:ref:``.  The page cannot drift
from the code: it *is* the code's documentation.

The reST is built as a ``StringList`` whose lines name the rule's own source
file, so a docstring that is bad reST is reported there, not in rules.rst.

Options:

``:scope:`` comma-separated scopes to include, in the order given (default:
all, in pipeline order); rules are sorted by id within a scope.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any, ClassVar

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective, switch_source_input
from sphinx.util.nodes import nested_parse_with_titles

logger = logging.getLogger(__name__)

SCOPE_TITLES = {
    "load": "Reading the spec",
    "spec": "Spec structure",
    "fsm": "State machine semantics",
    "trace": "Trace events",
    "trace-file": "trace-events files",
    "source": "Source trees",
    "write": "Writing files",
    "review": "Reviewing spec changes",
}
SCOPE_TEXT = {
    "load": "Reported while the file is read, parsed and checked against the spec format; "
    "a spec with any of these is not linted further.",
    "spec": "Reported by ``migspec lint`` on a spec that loaded.",
    "fsm": "Reported by ``migspec lint`` from the next-step table and the walk the spec "
    "implies for every kind of device (:doc:`fsm`).",
    "source": "Reported by ``migspec check`` on a source tree.",
}
# The language of a scope's failing examples; anything else is shown as text.
EXAMPLE_LANGUAGE = {"load": "yaml", "spec": "yaml", "fsm": "yaml"}


def _docstring_at(rule: Any) -> tuple[str, int]:
    """Where the rule's docstring starts: (file, 0-based line of its first line).

    Rules made with ``declare()`` have no function; their text is reported
    against the catalog.
    """
    if rule.check is None:
        return "<migspec rule catalog>", 0
    # unwrap(): a wrapped check (the trace rules run over specs and files)
    # is defined in another module than its wrapper; getsourcelines()
    # unwraps, getsourcefile() does not.
    check = inspect.unwrap(rule.check)
    try:
        source = inspect.getsourcefile(check)
        lines, start = inspect.getsourcelines(check)
    except (OSError, TypeError):
        return "<migspec rule catalog>", 0
    # The docstring is the first string after the ``def`` line (decorator
    # arguments may hold strings too).
    body = next((k for k, line in enumerate(lines) if line.lstrip().startswith("def ")), 0)
    for k in range(body, len(lines)):
        text = lines[k].strip().lstrip("rRuU")
        if text.startswith(('"""', "'''")):
            # cleandoc() drops an empty first line (quotes alone on their line).
            first = start + k - 1 + (0 if text[3:].strip() else 1)
            return source or "<migspec rule catalog>", first
    return source or "<migspec rule catalog>", start - 1


class RulesCatalog(SphinxDirective):
    has_content = False
    required_arguments = 0
    optional_arguments = 0
    option_spec: ClassVar[dict[str, Any]] = {"scope": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        try:
            import migspec
            from migspec.rules import all_rules
        except ImportError as exc:
            logger.warning(
                "rules-catalog: cannot import migspec: %s",
                exc,
                location=self.get_location(),
                type="migspec",
                subtype="rules-catalog",
            )
            return []
        # The page must be rebuilt whenever any rule (or its docstring) changes.
        for path in sorted(Path(migspec.__file__).parent.rglob("*.py")):
            self.env.note_dependency(str(path))

        rules = all_rules()
        present = list(dict.fromkeys(r.scope for r in rules))
        wanted = [s.strip() for s in self.options.get("scope", "").split(",") if s.strip()]
        unknown = [s for s in wanted if s not in present]
        if unknown:
            logger.warning(
                "rules-catalog: no rule has scope %s (scopes: %s)",
                ", ".join(unknown),
                ", ".join(present),
                location=self.get_location(),
                type="migspec",
                subtype="rules-catalog",
            )
            return []
        # By default in pipeline order (SCOPE_TITLES), unknown scopes last.
        order = list(SCOPE_TITLES)
        scopes = wanted or sorted(
            present, key=lambda s: order.index(s) if s in order else len(order)
        )

        content = StringList()
        here = self.get_source_info()

        def add(line: str, source: str = here[0], offset: int = here[1]) -> None:
            content.append(line, source, offset)

        for scope in scopes:
            title = SCOPE_TITLES.get(scope, f"Scope ``{scope}``")
            add(f".. _rules-scope-{scope}:")
            add("")
            add(title)
            add("-" * len(title))
            add("")
            if scope in SCOPE_TEXT:
                add(SCOPE_TEXT[scope])
                add("")
            for rule in sorted((r for r in rules if r.scope == scope), key=lambda r: r.id):
                source, first = _docstring_at(rule)
                add(f".. _rule-{rule.id}:")
                add("")
                add(rule.id)
                add("~" * len(rule.id))
                add("")
                add(f":Severity: {rule.severity.label}")
                add(f":Scope: {rule.scope}")
                add("")
                if not rule.doc.startswith(rule.summary):
                    # declare()'d rules may keep the summary apart from the text.
                    add(rule.summary)
                    add("")
                # Docstrings are reST; their lines name the rule's source file
                # and line, so a markup error is reported where it can be fixed.
                for i, line in enumerate(rule.doc.splitlines()):
                    content.append(line, source, first + i)
                add("")
                if rule.example:
                    language = EXAMPLE_LANGUAGE.get(rule.scope, "text")
                    add("Fails on:")
                    add("")
                    add(f".. code-block:: {language}")
                    add("   :force:")
                    add("")
                    for line in rule.example.splitlines():
                        add(f"   {line}" if line else "")
                    add("")
                if rule.scope == "load":
                    add(
                        f"Hide it with ``--disable {rule.id}``; a spec cannot turn it off, "
                        "because it is reported before the spec is read."
                    )
                else:
                    add(
                        f"Turn it off with ``--disable {rule.id}`` or "
                        f"``lint: {{disable: [{rule.id}]}}``."
                    )
                add("")

        container = nodes.container(classes=["migspec-rules"])
        # Without switching the input, docutils maps the nested lines through
        # rules.rst and reports a bad docstring at a line rules.rst lacks.
        with switch_source_input(self.state, content):
            nested_parse_with_titles(self.state, content, container)
        return container.children


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("rules-catalog", RulesCatalog)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
