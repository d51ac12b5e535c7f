"""Graphviz drawings, checked through the real ``dot`` (its JSON output).

The DOT text is laid out by Graphviz and the resulting graph is read back:
that proves the DOT is valid and says what the drawing shows, not how the
template happens to spell it.
"""

from __future__ import annotations

import html
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from migspec.model import Session, Spec
from migspec.render.dot import (
    DotMissing,
    render_flow_dot,
    render_fsm_dot,
    render_svg,
    state_colours,
)

from .render_support import TOY, bundled, spec_from

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


class Laid:
    """A graph as ``dot -Tjson`` lays it out: names, clusters, edges with attributes."""

    def __init__(self, source: str) -> None:
        import graphviz

        self.data: dict[str, Any] = json.loads(graphviz.Source(source).pipe(format="json"))
        objects = self.data.get("objects", [])
        self.clusters = {o["name"]: o for o in objects if "nodes" in o}
        self.nodes = {o["name"]: o for o in objects if "nodes" not in o}
        by_id = {o["_gvid"]: o["name"] for o in objects if "nodes" not in o}
        self.cluster_members = {
            name: {by_id[i] for i in c.get("nodes", [])} for name, c in self.clusters.items()
        }
        self.edges = [
            {**e, "tail": by_id[e["tail"]], "head": by_id[e["head"]]}
            for e in self.data.get("edges", [])
        ]

    def arcs(self) -> set[tuple[str, str]]:
        """Arcs as the reader sees them: arrow heads decide the direction."""
        out = set()
        for e in self.edges:
            if e["tail"] == "legend" or e.get("style") == "invis":
                continue
            direction = e.get("dir", "forward")
            if direction in ("forward", "both"):
                out.add((e["tail"], e["head"]))
            if direction in ("back", "both"):
                out.add((e["head"], e["tail"]))
        return out

    def edge(self, source: str, target: str) -> dict[str, Any]:
        for e in self.edges:
            d = e.get("dir", "forward")
            if (e["tail"], e["head"]) == (source, target) and d in ("forward", "both"):
                return e
            if (e["head"], e["tail"]) == (source, target) and d in ("back", "both"):
                return e
        raise KeyError((source, target))


def _arcs_of(spec: Spec, features: frozenset[str] | None = None) -> set[tuple[str, str]]:
    return {(a.source, a.target) for a in spec.arcs if features is None or a.available(features)}


@needs_dot
def test_machine_drawing_shows_groups_features_sessions_and_error() -> None:
    spec = bundled()
    g = Laid(render_fsm_dot(spec))
    states = {s.name for s in spec.states}
    assert states <= set(g.nodes)
    assert g.cluster_members["cluster_saving"] == {"PRE_COPY", "PRE_COPY_P2P", "STOP_COPY"}
    assert g.clusters["cluster_saving"]["label"] == "saving group"
    # The error state stands apart, alone in its own frame.
    assert g.cluster_members["cluster_error"] == {"ERROR"}
    # Every arc, each once; refused pairs only on request.
    assert g.arcs() == _arcs_of(spec)
    # Optional states are dashed, one fill per feature set; the others plain.
    fills = {}
    for state in spec.states:
        node = g.nodes[state.name]
        optional = state.features - spec.mandatory_features
        if state.error:
            continue
        assert ("dashed" in node["style"]) == bool(optional), state.name
        fills.setdefault(frozenset(optional), set()).add(node["fillcolor"])
    assert all(len(f) == 1 for f in fills.values())
    assert len({next(iter(f)) for f in fills.values()}) == len(fills) == 4
    # Arcs that open a data session are bold and say so; arcs that need or
    # exclude features name them.
    for arc in spec.arcs:
        e = g.edge(arc.source, arc.target)
        if arc.session is Session.OPEN:
            assert e.get("style") == "bold" and "opens fd" in e["label"], arc
        else:
            assert e.get("style") != "bold", arc
        for feature in arc.features - spec.mandatory_features:
            assert feature in e["label"], arc
        for feature in arc.without:
            assert f"no {feature}" in e["label"], arc
    assert "legend" in g.nodes and "needs P2P+PRE_COPY" in render_fsm_dot(spec)


@needs_dot
def test_refused_pairs_drawn_red_and_dashed_on_request() -> None:
    spec = bundled()
    g = Laid(render_fsm_dot(spec, show_refused=True))
    refused = [e for e in g.edges if e.get("label") == "refused"]
    assert {(e["tail"], e["head"]) for e in refused} == {(r.source, r.target) for r in spec.refused}
    assert all(e["style"] == "dashed" and e["color"] == "#d62728" for e in refused)
    assert not [e for e in Laid(render_fsm_dot(spec)).edges if e.get("label") == "refused"]


@needs_dot
@pytest.mark.parametrize("optional", [(), ("P2P",), ("PRE_COPY",), ("P2P", "PRE_COPY")])
def test_one_device_kind_shows_only_its_states_and_arcs(optional: tuple[str, ...]) -> None:
    spec = bundled()
    kind = spec.mandatory_features | frozenset(optional)
    g = Laid(render_fsm_dot(spec, kind, show_refused=True))
    expected = {s.name for s in spec.states if spec.supports(s, kind)}
    assert set(g.nodes) == expected
    assert g.arcs() - {(r.source, r.target) for r in spec.refused} == _arcs_of(spec, kind)
    assert "legend" not in g.nodes
    label = g.data["label"]
    assert label.endswith("with " + "+".join(optional) if optional else "without optional features")


@needs_dot
def test_toy_machine_is_laid_out_from_its_initial_state() -> None:
    spec = spec_from(TOY)
    g = Laid(render_fsm_dot(spec))
    assert g.cluster_members["cluster_lit"] == {"ON", "DIMMED"}
    assert g.arcs() == _arcs_of(spec)
    # ON <-> DIMMED (same label, no session change) is one double-headed line.
    both = [e for e in g.edges if e.get("dir") == "both"]
    assert len(both) == 1 and {both[0]["tail"], both[0]["head"]} == {"ON", "DIMMED"}
    # The initial state is at the top (Graphviz y grows upwards).
    y = {name: float(n["pos"].split(",")[1]) for name, n in g.nodes.items() if "pos" in n}
    assert y["OFF"] > y["ON"] > y["DIMMED"]


@needs_dot
@pytest.mark.parametrize("flow", ["save", "resume"])
def test_flow_drawing_has_a_node_per_step_and_colours_by_state(flow: str) -> None:
    spec = bundled()
    source = render_flow_dot(spec, spec.flow_map[flow])
    g = Laid(source)
    steps = [name for name in g.nodes if name.startswith("step")]
    assert len(steps) == len(spec.flow_map[flow].steps)
    chain = [(e["tail"], e["head"]) for e in g.edges if e.get("style") != "invis"]
    assert chain == [(f"step{i}", f"step{i + 1}") for i in range(1, len(steps))]
    colours = state_colours(spec)
    assert len(set(colours.values())) == len(colours)
    for step in spec.flow_map[flow].steps:
        assert f'bgcolor="{colours[step.state.device]}"' in source
    # Edges where the device moves are labelled with the move.
    labels = [e.get("label", "") for e in g.edges if e.get("style") != "invis"]
    first_move = {"save": " RUNNING \u2192 PRE_COPY", "resume": " STOP \u2192 RESUMING"}[flow]
    assert labels[0] == first_move


@needs_dot
def test_flow_drawing_for_a_device_kind_uses_its_states() -> None:
    spec = bundled()
    source = render_flow_dot(spec, spec.flow_map["save"], spec.mandatory_features)
    assert "PRE_COPY" not in source.replace("pre-copy", "")
    g = Laid(source)
    assert len([n for n in g.nodes if n.startswith("step")]) == 6  # the P2P step is gone


@needs_dot
def test_svg_comes_from_dot() -> None:
    svg = render_svg(render_fsm_dot(bundled()))
    assert "<svg" in svg and "</svg>" in svg
    assert "<title>RUNNING</title>" in svg


def test_missing_dot_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(DotMissing, match="dot"):
        render_svg(render_fsm_dot(bundled()))


def test_readme_diagram_shows_the_bundled_machine() -> None:
    """docs/images/vfio-fsm.svg (linked from the README) is not stale: it has
    every state and every arc of the bundled spec, and its refused pairs."""
    from .conftest import ROOT

    svg = (ROOT / "docs/images/vfio-fsm.svg").read_text("utf-8")
    spec = bundled()
    titles = set(re.findall(r"<title>(.*?)</title>", svg))
    assert {s.name for s in spec.states} <= titles
    edges = {html.unescape(t) for t in titles if "&#45;&gt;" in t or "->" in html.unescape(t)}
    drawn = set()
    for t in edges:
        a, b = html.unescape(t).split("->")
        drawn |= {(a, b), (b, a)}  # back and double-headed arcs are drawn reversed
    for arc in [*spec.arcs, *spec.refused]:
        assert (arc.source, arc.target) in drawn, arc
