"""Graphviz drawings: the state machine and one flow.

Inputs: a spec (plus a feature set, a flow).  Outputs: DOT text from
``templates/fsm.dot.j2`` and ``templates/flow.dot.j2``, and SVG made from it by
the Graphviz ``dot`` binary (through the ``graphviz`` package, imported only
here and only when SVG is asked for).  This module chooses what is drawn and
which colour means what; the templates decide shapes, styles and layout.
"""

from __future__ import annotations

import itertools
import textwrap
from dataclasses import dataclass, field, replace

from ..fsm.projection import project_flow
from ..model import Arc, Flow, RefusedArc, Session, Spec, State
from .env import render_template

# Fill colours, by position: device states (in enum value order, the error
# state aside) and device kinds (in Spec.device_kinds order).  Light
# enough for black text; stable for a given spec.
STATE_PALETTE = (
    "#a6cee3",
    "#b2df8a",
    "#fdbf6f",
    "#cab2d6",
    "#ffff99",
    "#8dd3c7",
    "#fccde5",
    "#d9d9d9",
    "#bebada",
    "#ccebc5",
    "#ffed6f",
    "#80b1d3",
)
ERROR_COLOUR = "#fb8072"
# (fill, line) per optional-feature set: a light fill for states, a strong
# line colour of the same hue for the arcs that need the same features.
FEATURE_PALETTE = (
    ("#cfe2f3", "#1f5fa6"),
    ("#fce5cd", "#c55a11"),
    ("#d9d2e9", "#6a3d9a"),
    ("#d9ead3", "#38761d"),
    ("#fff2cc", "#9a7b00"),
    ("#f4cccc", "#990000"),
)
BASE_COLOUR = "#ffffff"
# Marks drawn over the usual styling: a highlighted path or set of states,
# and what a spec change adds or removes (``migspec diff``).
MARK_COLOURS = {"highlight": "#ff7f0e", "added": "#2ca02c", "removed": "#d62728"}
LINE_COLOUR = "#000000"


class DotMissing(RuntimeError):
    """The Graphviz ``dot`` binary is not installed (or not on PATH)."""


class DotFailed(RuntimeError):
    """``dot`` ran and refused the input."""


def state_colours(spec: Spec) -> dict[str, str]:
    """A stable colour per device state (the error state always red)."""
    colours: dict[str, str] = {}
    index = 0
    for state in spec.states_by_value:
        if state.error:
            colours[state.name] = ERROR_COLOUR
        else:
            colours[state.name] = STATE_PALETTE[index % len(STATE_PALETTE)]
            index += 1
    return colours


def feature_colours(spec: Spec) -> dict[frozenset[str], tuple[str, str]]:
    """(fill, line) colours per device kind, keyed by its optional features (none: white, black)."""
    colours: dict[frozenset[str], tuple[str, str]] = {frozenset(): (BASE_COLOUR, LINE_COLOUR)}
    kinds = [kind for kind in spec.device_kinds if kind.optional]
    for i, kind in enumerate(kinds):
        colours[frozenset(kind.optional)] = FEATURE_PALETTE[i % len(FEATURE_PALETTE)]
    return colours


def _feature_text(names: frozenset[str], spec: Spec) -> str:
    order = {f.name: f.bit for f in spec.features}
    return "+".join(sorted(names, key=lambda n: (order.get(n, 0), n)))


# -- the state machine ----------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FsmNode:
    state: State
    fill: str
    optional: str  # the optional features it needs, "P2P+PRE_COPY"; "" when none
    mark: str = ""  # "", or a key of MARK_COLOURS


@dataclass(frozen=True, slots=True, kw_only=True)
class FsmCluster:
    name: str
    doc: str
    nodes: tuple[FsmNode, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class FsmEdge:
    source: str
    target: str
    needs: str  # "P2P", "no P2P", "PRE_COPY, no P2P"; "" when every device has it
    colour: str
    session: Session
    doc: str
    # 1: away from the initial state, -1: back towards it, 0: across.  The
    # layout ranks states by distance from the initial one; a back arc is laid
    # out as its reverse (drawn with the arrow head at the source).
    direction: int
    # Drawn once for a pair of opposite arcs with the same label.
    both: bool = False
    mark: str = ""  # "", or a key of MARK_COLOURS


@dataclass(frozen=True, slots=True, kw_only=True)
class Marks:
    """States and arcs to emphasise, and states/arcs drawn although the spec
    does not have them (what an older spec had: ``migspec diff``)."""

    states: dict[str, str] = field(default_factory=dict)
    arcs: dict[tuple[str, str], str] = field(default_factory=dict)
    extra_states: tuple[State, ...] = ()
    extra_arcs: tuple[Arc, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class LegendEntry:
    label: str
    fill: str
    line: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FsmGraph:
    name: str
    title: str
    clusters: tuple[FsmCluster, ...]
    nodes: tuple[FsmNode, ...]  # outside every group, error state excluded
    error: FsmNode | None
    # The error state's doc, wrapped to a few short lines.
    error_doc: tuple[str, ...]
    edges: tuple[FsmEdge, ...]
    refused: tuple[RefusedArc, ...]
    legend: tuple[LegendEntry, ...]
    # The device kind drawn ("with P2P", "without optional features"), or ""
    # for the whole machine.
    kind: str


def _edge(
    spec: Spec, arc: Arc, colours: dict[frozenset[str], tuple[str, str]], depth: dict[str, int]
) -> FsmEdge:
    optional = arc.features - spec.mandatory_features
    parts = []
    if optional:
        parts.append(_feature_text(optional, spec))
    if arc.without:
        parts.append("no " + _feature_text(arc.without, spec))
    return FsmEdge(
        source=arc.source,
        target=arc.target,
        needs=", ".join(parts),
        colour=colours.get(optional, (BASE_COLOUR, LINE_COLOUR))[1],
        session=arc.session,
        doc=arc.doc,
        direction=_sign(depth.get(arc.target, 0) - depth.get(arc.source, 0)),
    )


def _sign(n: int) -> int:
    return (n > 0) - (n < 0)


def _merge_pairs(edges: tuple[FsmEdge, ...]) -> tuple[FsmEdge, ...]:
    """One double-headed edge for A -> B and B -> A when neither touches the
    session and both need the same features: half the lines, same meaning."""
    index = {(e.source, e.target): e for e in edges}
    out: list[FsmEdge] = []
    done: set[tuple[str, str]] = set()
    for e in edges:
        if (e.source, e.target) in done:
            continue
        back = index.get((e.target, e.source))
        if (
            back is not None
            and not e.mark
            and not back.mark
            and e.session is Session.NONE
            and back.session is Session.NONE
            and back.needs == e.needs
        ):
            first, second = (e, back) if e.direction >= back.direction else (back, e)
            out.append(
                FsmEdge(
                    source=first.source,
                    target=first.target,
                    needs=e.needs,
                    colour=e.colour,
                    session=Session.NONE,
                    doc=f"{first.doc} / {second.source} -> {second.target}: {second.doc}",
                    direction=first.direction,
                    both=True,
                )
            )
            done.add((e.target, e.source))
        else:
            out.append(e)
        done.add((e.source, e.target))
    return tuple(out)


def _depths(spec: Spec, arcs: list[Arc]) -> dict[str, int]:
    """Breadth-first distance of each state from the initial one: the layout
    ranks states by it, so the drawing reads from the initial state down."""
    start = spec.initial_state
    if start is None:
        return {}
    depth = {start.name: 0}
    frontier = [start.name]
    while frontier:
        following = []
        for name in frontier:
            for arc in arcs:
                if arc.source == name and arc.target not in depth:
                    depth[arc.target] = depth[name] + 1
                    following.append(arc.target)
        frontier = following
    return depth


def fsm_graph(
    spec: Spec,
    features: frozenset[str] | None = None,
    *,
    show_refused: bool = False,
    marks: Marks | None = None,
) -> FsmGraph:
    fcolours = feature_colours(spec)
    have = None if features is None else features | spec.mandatory_features
    marks = marks or Marks()

    def drawn(state: State) -> bool:
        return have is None or spec.supports(state, have)

    def node(state: State) -> FsmNode:
        optional = state.features - spec.mandatory_features
        return FsmNode(
            state=state,
            fill=ERROR_COLOUR if state.error else fcolours.get(optional, (BASE_COLOUR, ""))[0],
            optional=_feature_text(optional, spec),
            mark=marks.states.get(state.name, ""),
        )

    states = [s for s in spec.states_by_value if drawn(s)]
    states += [s for s in marks.extra_states if drawn(s) and s.name not in spec.state_map]
    shown = {s.name for s in states}
    clusters = []
    grouped: set[str] = set()
    for group in spec.groups:
        members = tuple(
            node(s) for s in states if s.groups and s.groups[0] == group.name and not s.error
        )
        if members:
            clusters.append(FsmCluster(name=group.name, doc=group.doc, nodes=members))
            grouped.update(n.state.name for n in members)
    loose = tuple(node(s) for s in states if s.name not in grouped and not s.error)
    error = next((node(s) for s in states if s.error), None)
    arcs = [a for a in (*spec.arcs, *marks.extra_arcs) if have is None or a.available(have)]
    arcs = [a for a in arcs if a.source in shown and a.target in shown]
    # Rank by the arcs of the richest device drawn: the other kinds' arcs
    # (RUNNING -> STOP "without P2P") are shortcuts across that layout.
    richest = have if have is not None else spec.all_features
    depth = _depths(spec, [a for a in arcs if a.available(richest)] or arcs)
    edges = _merge_pairs(
        tuple(
            replace(_edge(spec, a, fcolours, depth), mark=marks.arcs.get((a.source, a.target), ""))
            for a in arcs
        )
    )
    refused = tuple(
        r for r in spec.refused if show_refused and r.source in shown and r.target in shown
    )
    legend: list[LegendEntry] = []
    if have is None:
        used = {frozenset(s.features - spec.mandatory_features) for s in states if not s.error}
        for optional, (fill, line) in fcolours.items():
            if optional in used:
                label = "needs " + _feature_text(optional, spec) if optional else "every device"
                legend.append(LegendEntry(label=label, fill=fill, line=line))
    kind = "" if have is None else spec.device_kind(have).text
    return FsmGraph(
        name=spec.machine.name,
        title=spec.machine.title,
        clusters=tuple(clusters),
        nodes=loose,
        error=error,
        error_doc=tuple(textwrap.wrap(error.state.doc, 36)) if error else (),
        edges=edges,
        refused=refused,
        legend=tuple(legend),
        kind=kind,
    )


def render_fsm_dot(
    spec: Spec,
    features: frozenset[str] | None = None,
    *,
    show_refused: bool = False,
    marks: Marks | None = None,
) -> str:
    """The machine (``features=None``: every state, styled by the features it
    needs) or one device kind (only its states and the arcs it implements)."""

    graph = fsm_graph(spec, features, show_refused=show_refused, marks=marks)
    return render_template("fsm.dot.j2", graph=graph, mark_colours=MARK_COLOURS)


# -- one flow -------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowNode:
    id: str
    text: tuple[str, ...]
    vm: str
    migration: str
    device: str  # the device state's name (the tuple cell shows its docs_as)
    device_docs: str
    fill: str
    text_after: tuple[str, ...]
    # The step's callbacks whose work runs off the main path, and where.
    elsewhere: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowEdge:
    source: str
    target: str
    # "RUNNING -> PRE_COPY" when the device moves, "" when it stays.
    change: str
    colour: str


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowGraph:
    name: str
    title: str
    kind: str
    vm_prefix: str
    migration_prefix: str
    nodes: tuple[FlowNode, ...]
    edges: tuple[FlowEdge, ...]
    # The device states on the path, in order of first appearance, with colours.
    path: tuple[tuple[str, str], ...]


def flow_graph(spec: Spec, flow: Flow, features: frozenset[str] | None = None) -> FlowGraph:
    projected = project_flow(spec, flow, features)
    colours = state_colours(spec)
    nodes = []
    for i, step in enumerate(projected.steps):
        device = step.state.device
        state = spec.state_map.get(device)
        nodes.append(
            FlowNode(
                id=f"step{i + 1}",
                text=tuple(line.text for line in step.text),
                vm=step.state.vm,
                migration=step.state.migration,
                device=device,
                device_docs=state.docs_as if state else device,
                fill=colours.get(device, BASE_COLOUR),
                text_after=tuple(line.text for line in step.text_after),
                elsewhere=tuple(
                    f"{cb.docs_as} runs {cb.where}"
                    for cb in (spec.callback_map.get(name) for name in step.callbacks)
                    if cb is not None and cb.where
                ),
            )
        )
    edges = tuple(
        FlowEdge(
            source=a.id,
            target=b.id,
            change="" if a.device == b.device else f"{a.device} \u2192 {b.device}",
            colour="#000000" if a.device == b.device else "#333333",
        )
        for a, b in itertools.pairwise(nodes)
    )
    path = tuple(dict.fromkeys((n.device, n.fill) for n in nodes))
    return FlowGraph(
        name=flow.name,
        title=flow.title,
        kind=spec.device_kind(projected.features).text,
        vm_prefix=spec.notation.vm_prefix,
        migration_prefix=spec.notation.migration_prefix,
        nodes=tuple(nodes),
        edges=edges,
        path=path,
    )


def render_flow_dot(spec: Spec, flow: Flow, features: frozenset[str] | None = None) -> str:
    return render_template("flow.dot.j2", graph=flow_graph(spec, flow, features))


# -- SVG ----------------------------------------------------------------------------


def render_svg(dot_source: str) -> str:
    """SVG from DOT by the real ``dot``; raises :class:`DotMissing` or :class:`DotFailed`."""
    import graphviz

    try:
        data = graphviz.Source(dot_source).pipe(format="svg")
    except graphviz.ExecutableNotFound as err:
        raise DotMissing("Graphviz 'dot' was not found on PATH") from err
    except graphviz.CalledProcessError as err:
        stderr = err.stderr.decode("utf-8", "replace") if err.stderr else str(err)
        raise DotFailed(stderr.strip()) from err
    text: str = data.decode("utf-8")
    return text
