"""The migspec directives.  They validate options, ask the pipeline for data and
build docutils nodes; problems become located warnings and an empty result,
never an aborted build."""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, cast

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.util.docutils import SphinxDirective
from sphinx.util.typing import OptionSpec

from ..fsm.engine import answer, device_steps
from ..model import FlowStyle
from ..render.dot import Marks, render_flow_dot, render_fsm_dot
from ..render.escape import visible
from ..render.flow_rst import render_flow_rst
from . import context
from .domain import MigspecDomain, state_target_id

if TYPE_CHECKING:
    from ..model import DeviceKind, Spec


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

    def device_kind(self, spec: Spec, default: str | None = None) -> DeviceKind | None:
        """The ``:features:`` option's device kind (None after a warning)."""
        text = self.options.get("features") or default or context.settings(self.env).features
        try:
            return spec.parse_device_kind(str(text))
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
            self.device_kind(spec, default="all")
            if "features" in self.options
            else spec.device_kind(spec.all_features)
        )
        if wanted is None:
            return []
        domain = cast(MigspecDomain, self.env.get_domain("migspec"))
        rows: list[list[nodes.Node | str]] = []
        targets: list[nodes.Node] = []
        for state in spec.states_by_value:
            if not wanted.has(state):
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
                    visible(state.doc),
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
                    nodes.literal(text=visible(e.args_text)),
                    nodes.literal(text=visible(e.format)),
                    nodes.literal(text=e.caller) if e.caller else "-",
                ]
                for e in sorted(section.events, key=lambda e: e.name)
            ]
            caption = nodes.paragraph(
                text=visible(f"{section.file}, section '# {section.section}'")
            )
            out.append(caption)
            out.append(
                _table(["Event", "Arguments", "Format", "Called from"], rows, [24, 30, 34, 20])
            )
        return out


def _graphviz_node(directive: MigspecDirective, dot: str, alt: str) -> list[nodes.Node]:
    """A ``sphinx.ext.graphviz`` node (rendered by its own builders), captioned if asked."""
    from sphinx.ext.graphviz import figure_wrapper, graphviz

    node = graphviz()
    node["code"] = dot
    node["options"] = {"docname": directive.env.docname}
    # sphinx.ext.graphviz writes "alt" into the <img> tag as it is (it trusts
    # a directive author's :alt:); this one comes from the spec, so it is
    # escaped here.  (The text builder then shows the entities: harmless.)
    node["alt"] = html.escape(visible(alt), quote=True)
    caption = directive.options.get("caption")
    if caption:
        figure = figure_wrapper(directive, node, caption)
        directive.add_name(figure)
        return [figure]
    directive.add_name(node)
    return [node]


def _literal(directive: MigspecDirective, text: str) -> list[nodes.Node]:
    block = nodes.literal_block(text, text, classes=["migspec-flow"])
    block["language"] = "none"
    caption = directive.options.get("caption")
    if not caption:
        directive.add_name(block)
        return [block]
    container = nodes.container("", literal_block=True, classes=["literal-block-wrapper"])
    parsed, _messages = directive.parse_inline(caption, lineno=directive.lineno)
    container += nodes.caption(caption, "", *parsed)
    container += block
    directive.add_name(container)
    return [container]


class FlowDirective(MigspecDirective):
    """``.. migspec:flow:: NAME`` -- a flow as QEMU's ASCII drawing or as a diagram."""

    required_arguments = 1
    has_content = False
    option_spec: ClassVar[OptionSpec] = {
        "features": directives.unchanged,
        "format": lambda arg: directives.choice(arg, ("ascii", "graphviz")),
        "style": lambda arg: directives.choice(arg, ("projected", "bracketed")),
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        spec = self.spec()
        if spec is None:
            return []
        flow = spec.flow_map.get(self.arguments[0])
        if flow is None:
            known = ", ".join(spec.flow_map) or "none"
            return self.warn(f"unknown flow '{self.arguments[0]}' (flows: {known})", "flow-unknown")
        features: frozenset[str] | None = None
        if "features" in self.options:
            kind = self.device_kind(spec)
            if kind is None:
                return []
            features = kind.features
        style = FlowStyle(self.options["style"]) if "style" in self.options else None
        if self.options.get("format", "ascii") == "graphviz":
            return _graphviz_node(self, render_flow_dot(spec, flow, features), flow.title)

        return _literal(self, render_flow_rst(spec, flow, features=features, style=style))


def _highlight(
    spec: Spec, text: str, kind: DeviceKind | None
) -> tuple[dict[str, str], dict[tuple[str, str], str]] | str:
    """``A -> B`` (the path a request takes) or ``A, B, C`` (states) -> marks."""
    if "->" in text:
        source, _, target = (part.strip() for part in text.partition("->"))
        for name in (source, target):
            if name not in spec.state_map:
                return f"unknown state '{name}' in :highlight:"

        path = answer(spec, kind or spec.device_kind(spec.all_features), source, target).path
        if path is None:
            return f"{source} -> {target} has no path for this device"
        states = dict.fromkeys(path, "highlight")
        arcs = {(a, b): "highlight" for a, b in itertools.pairwise(path)}
        return states, arcs
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in spec.state_map]
    if unknown:
        return f"unknown state(s) {', '.join(unknown)} in :highlight:"
    return dict.fromkeys(names, "highlight"), {}


class FsmDirective(MigspecDirective):
    """``.. migspec:fsm::`` -- the state machine, or one device kind's."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {
        "features": directives.unchanged,
        "highlight": directives.unchanged,
        "show-refused": directives.flag,
        "caption": directives.unchanged,
        "name": directives.unchanged,
    }

    def run(self) -> list[nodes.Node]:
        spec = self.spec()
        if spec is None:
            return []
        kind: DeviceKind | None = None
        if "features" in self.options:
            kind = self.device_kind(spec)
            if kind is None:
                return []
        marks = None
        if "highlight" in self.options:
            found = _highlight(spec, self.options["highlight"], kind)
            if isinstance(found, str):
                return self.warn(found, "highlight-invalid")
            marks = Marks(states=found[0], arcs=found[1])
        dot = render_fsm_dot(
            spec,
            kind.features if kind is not None else None,
            show_refused="show-refused" in self.options,
            marks=marks,
        )
        return _graphviz_node(self, dot, spec.machine.title)


class TransitionsDirective(MigspecDirective):
    """``.. migspec:transitions::`` -- the next-step matrix for one device kind."""

    has_content = False
    option_spec: ClassVar[OptionSpec] = {"features": directives.unchanged}

    def run(self) -> list[nodes.Node]:
        spec = self.spec()
        if spec is None:
            return []
        kind = self.device_kind(spec, default="all")
        if kind is None:
            return []
        steps = device_steps(spec, kind)
        header: list[str] = ["from \\ to", *steps.states]
        rows: list[list[nodes.Node | str]] = []
        for source in steps.states:
            row: list[nodes.Node | str] = [nodes.strong(text=source)]
            for target in steps.states:
                step = steps.answer(source, target).step
                row.append(nodes.literal(text=step) if step else "(hangs)")
            rows.append(row)
        widths = [14] + [12] * len(steps.states)
        return [_table(header, rows, widths)]
