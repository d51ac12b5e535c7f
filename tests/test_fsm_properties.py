"""Properties of the engine on random small machines, checked against brute force."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migspec.fsm.engine import compute_table, device_table
from migspec.fsm.projection import project_flow
from migspec.load.spec import load_spec
from migspec.model import Flow, FlowStyle, Interior, Spec, StateTuple, Step

from .conftest import SEED_SPEC
from .fsm_machines import toy_model

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def machines(draw: st.DrawFn) -> Spec:
    n = draw(st.integers(2, 6))
    pairs = [(a, b) for a in range(n) for b in range(n) if a != b]
    arcs = draw(st.sets(st.sampled_from(pairs), max_size=len(pairs)))
    groups = draw(
        st.lists(
            st.tuples(st.sampled_from(list(Interior)), st.frozensets(st.integers(0, n - 1))),
            max_size=2,
        )
    )
    others = [p for p in pairs if p not in arcs]
    refused = draw(st.sets(st.sampled_from(others), max_size=3)) if others else set()
    needs_x = draw(st.frozensets(st.integers(1, n - 1))) if n > 1 else frozenset()
    marks = {a: draw(st.sampled_from(["", "X", "!X"])) for a in sorted(arcs)}
    return toy_model(
        n,
        sorted(arcs),
        groups=groups,
        refused=sorted(refused),
        needs_x=needs_x,
        arc_x=marks,
    )


def legal(spec: Spec, path: tuple[str, ...]) -> bool:
    """The path rules, read straight from the spec (independent of the engine)."""
    rules = {g.name: g.interior for g in spec.groups}
    for inner in path[1:-1]:
        for group in spec.state(inner).groups:
            if rules[group] is Interior.NEVER:
                return False
            if rules[group] is Interior.WITHIN_GROUP and not all(
                group in spec.state(x).groups for x in path
            ):
                return False
    return True


def simple_paths(adj: dict[str, set[str]], source: str) -> Iterator[tuple[str, ...]]:
    stack = [(source,)]
    while stack:
        path = stack.pop()
        if len(path) > 1:
            yield path
        for nxt in adj[path[-1]]:
            if nxt not in path:
                stack.append((*path, nxt))


def brute_force(
    spec: Spec, features: frozenset[str]
) -> dict[tuple[str, str], list[tuple[str, ...]]]:
    """Every shortest legal path per pair (a shortest legal path never repeats a state)."""
    names = [s.name for s in spec.states if not s.error and s.features <= features]
    adj: dict[str, set[str]] = {s: set() for s in names}
    for arc in spec.arcs:
        if arc.available(features) and arc.source in adj and arc.target in adj:
            adj[arc.source].add(arc.target)
    best: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for s in names:
        for path in simple_paths(adj, s):
            if not legal(spec, path):
                continue
            key = (s, path[-1])
            known = best.get(key)
            if known is None or len(path) < len(known[0]):
                best[key] = [path]
            elif len(path) == len(known[0]):
                known.append(path)
    return best


@SETTINGS
@given(machines(), st.booleans())
def test_table_is_shortest_legal_along_arcs(spec: Spec, with_x: bool) -> None:
    features = spec.all_features if with_x else spec.mandatory_features
    table = compute_table(spec, features)
    best = brute_force(spec, features)
    arcs = {(a.source, a.target) for a in spec.arcs if a.available(features)}
    err = table.error
    multiple = {(c.source, c.target): c for c in table.multiple}
    ambiguous = {(c.source, c.target) for c in table.ambiguous}
    for s in table.states:
        assert table.next[s][s] == s
        assert table.next[s][err] == err and table.next[err][s] == err
    for s, t in itertools.permutations([x for x in table.states if x != err], 2):
        path = table.path(s, t)
        if (s, t) in table.refused:
            assert table.next[s][t] == err and path is None
            assert table.distance[s][t] is None
            continue
        shortest = best.get((s, t))
        if shortest is None:
            assert (s, t) in table.unreachable
            assert table.next[s][t] == err and path is None
            continue
        assert (s, t) not in table.unreachable
        assert table.distance[s][t] == len(shortest[0]) - 1
        count = multiple[(s, t)].count if (s, t) in multiple else 1
        assert count == len(shortest)
        if (s, t) in table.inconsistent:
            assert path not in shortest
        else:
            assert path in shortest
            assert path is not None and legal(spec, path)
        if path is not None:
            assert all(step in arcs for step in itertools.pairwise(path))
        if (s, t) in ambiguous:
            firsts = {p[1] for p in shortest}
            assert set(multiple[(s, t)].next_steps) <= firsts
            assert len(multiple[(s, t)].next_steps) > 1


@SETTINGS
@given(machines())
def test_walk_terminates_on_a_state_the_device_has(spec: Spec) -> None:
    full = compute_table(spec)
    for kind in spec.device_kinds:
        features = kind.features
        device = device_table(spec, features, full)
        assert device.loops == ()
        for request in device.requests:
            assert request.result is not None
            assert request.result == device.error or spec.state(request.result).features <= features
        for a, b in device.arcs:
            assert a in device.states and b in device.states


def _bundled() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


VFIO = _bundled()
VFIO_STATES = [s.name for s in VFIO.states_by_value if not s.error]
VFIO_TABLE = compute_table(VFIO)


@st.composite
def legal_flows(draw: st.DrawFn) -> list[str]:
    """Device-state sequences whose every change the full table completes."""
    seq = [draw(st.sampled_from(VFIO_STATES))]
    for _ in range(draw(st.integers(1, 7))):
        options = [s for s in VFIO_STATES if VFIO_TABLE.path(seq[-1], s) is not None]
        seq.append(draw(st.sampled_from(options)))
    return seq


def as_flow(spec: Spec, states: list[str]) -> Flow:
    steps = tuple(
        Step(
            text=(),
            state=StateTuple(vm="RUNNING", migration="ACTIVE", device=s),
            text_after=(),
            callbacks=(),
            features=frozenset(),
            without=frozenset(),
            doc="",
        )
        for s in states
    )
    return Flow(
        name="random",
        title="random",
        doc="",
        features=spec.all_features,
        style=FlowStyle.PROJECTED,
        steps=steps,
        docs=None,
    )


@SETTINGS
@given(legal_flows())
def test_projection_of_a_legal_flow_stays_legal(states: list[str]) -> None:
    vfio = VFIO
    flow = as_flow(vfio, states)
    for kind in vfio.device_kinds:
        features = kind.features
        device = device_table(vfio, features, VFIO_TABLE)
        projected = project_flow(vfio, flow, features)
        assert projected.unresolved == ()
        shown = [s.state.device for s in projected.steps]
        for a, b in itertools.pairwise(shown):
            assert a == b or device.path(a, b) is not None, (features, a, b)
