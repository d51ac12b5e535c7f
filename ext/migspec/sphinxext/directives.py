"""The migspec directives.  They validate options, ask the pipeline for data and
build docutils nodes; problems become located warnings and an empty result,
never an aborted build."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import OptionSpec

from ..model import Spec
from . import context
from .domain import MigspecDomain, state_target_id


class MigspecDirective(SphinxDirective):
    """Shared plumbing: the spec, the feature option, warnings at the directive's line."""

    def spec(self) -> Spec | None:
        return context.spec_or_warn(self.env, self.get_location())

    def warn(self, message: str, subtype: str) -> list[nodes.Node]:
        context.logger.warning(
            "%s [%s]",
            message,
            subtype,
            type="migspec",
            subtype=subtype,
            location=self.get_location(),
        )
        return []

    def feature_set(self, spec: Spec, default: str | None = None) -> frozenset[str] | None:
        from ..fsm.projection import parse_feature_list

        text = self.options.get("features") or default or context.settings(self.env).features
        try:
            return parse_feature_list(spec, str(text))
        except ValueError as exc:
            self.warn(str(exc), "features-unknown")
            return None


def _table(
    headers: Sequence[str], rows: Sequence[Sequence[nodes.Node | str]], widths: Sequence[int]
) -> nodes.table:
    table = nodes.table(classes=["migspec-table"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for width in widths:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += _row(headers)
    body = nodes.tbody()
    group += body
    for row in rows:
        body += _row(row)
    return table


def _row(cells: Sequence[nodes.Node | str]) -> nodes.row:
    row = nodes.row()
    for cell in cells:
        entry = nodes.entry()
        if isinstance(cell, str):
            entry += nodes.paragraph(text=cell)
        elif isinstance(cell, nodes.paragraph):
            entry += cell
        else:
            para = nodes.paragraph()
            para += cell
            entry += para
        row += entry
    return row


class StatesDirective(MigspecDirective):
    """``.. migspec:states::`` -- a table of states, each a link target."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {"features": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        spec = self.spec()
        if spec is None:
            return []
        wanted = (
            self.feature_set(spec, default="all")
            if "features" in self.options
            else spec.all_features
        )
        if wanted is None:
            return []
        domain = cast(MigspecDomain, self.env.get_domain("migspec"))
        rows: list[list[nodes.Node | str]] = []
        targets: list[nodes.Node] = []
        for state in spec.states_by_value:
            if not state.features <= wanted:
                continue
            node_id = state_target_id(state.name)
            name = nodes.literal(text=state.name, ids=[node_id])
            domain.note_state(state.name, self.env.docname, node_id)
            optional = sorted(state.features - spec.mandatory_features)
            rows.append(
                [
                    str(state.value),
                    name,
                    ", ".join(optional) or "-",
                    ", ".join(state.groups) or "-",
                    ", ".join(state.classes) or "-",
                    state.doc,
                ]
            )
        table = _table(
            ["Value", "State", "Needs", "Groups", "Classes", "Meaning"],
            rows,
            [6, 16, 14, 10, 12, 42],
        )
        return [*targets, table]


class TraceEventsDirective(MigspecDirective):
    """``.. migspec:trace-events::`` -- the spec's trace events as a table."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {"section": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        spec = self.spec()
        if spec is None:
            return []
        wanted = self.options.get("section")
        sections = [s for s in spec.trace if wanted in (None, s.section)]
        if not sections:
            return self.warn(f"no trace section {wanted!r} in the spec", "trace-section-unknown")
        out: list[nodes.Node] = []
        for section in sections:
            rows: list[list[nodes.Node | str]] = [
                [
                    nodes.literal(text=e.name),
                    nodes.literal(text=e.args_text),
                    nodes.literal(text=e.format),
                    nodes.literal(text=e.caller) if e.caller else "-",
                ]
                for e in sorted(section.events, key=lambda e: e.name)
            ]
            caption = nodes.paragraph(text=f"{section.file}, section '# {section.section}'")
            out.append(caption)
            out.append(
                _table(["Event", "Arguments", "Format", "Called from"], rows, [24, 30, 34, 20])
            )
        return out
