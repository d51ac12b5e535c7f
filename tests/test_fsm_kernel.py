"""The engine against the kernel: vfio_from_fsm_table, the skip walk, the arcs per feature set.

The expected values are in :mod:`.kernel_truth`, written by hand.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from migspec.fsm.engine import compute_table, device_table
from migspec.load.spec import load_spec, load_spec_text
from migspec.model import Interior, Spec

from .conftest import SEED_SPEC
from .kernel_truth import KERNEL_ARCS, KERNEL_FLAGS, KERNEL_NEXT, STATES


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


def kernel_lookup(cur: str, new: str, device: set[str], stop_at_error: bool) -> str | None:
    """vfio_mig_get_next_state(), transcribed over the hand-written tables above.

    Returns the next state, "-EINVAL", or None when the loop never ends.
    """

    def flags_ok(state: str) -> bool:
        flags = KERNEL_FLAGS[state]
        return flags is not None and flags <= device

    if not flags_ok(cur) or not flags_ok(new):
        return "-EINVAL"
    nxt = KERNEL_NEXT[cur][STATES.index(new)]
    seen: set[str] = set()
    while not flags_ok(nxt) and not (stop_at_error and nxt == "ERROR"):
        if nxt in seen:
            return None
        seen.add(nxt)
        nxt = KERNEL_NEXT[nxt][STATES.index(new)]
    return nxt if nxt != "ERROR" else "-EINVAL"


@pytest.mark.parametrize("source", STATES)
def test_full_table_matches_kernel(spec: Spec, source: str) -> None:
    table = compute_table(spec)
    got = tuple(table.next[source][target] for target in STATES)
    assert got == KERNEL_NEXT[source]


def test_full_table_is_fully_decided(spec: Spec) -> None:
    table = compute_table(spec)
    assert table.ambiguous == ()
    # Under within-group, no pair has even two shortest legal paths.
    assert table.multiple == ()
    assert table.unreachable == ()
    assert table.inconsistent == ()
    assert table.refused == {("STOP_COPY", "PRE_COPY"), ("STOP_COPY", "PRE_COPY_P2P")}


def test_paths_follow_the_kernel_table(spec: Spec) -> None:
    table = compute_table(spec)
    assert table.path("PRE_COPY", "STOP_COPY") == ("PRE_COPY", "PRE_COPY_P2P", "STOP_COPY")
    assert table.path("PRE_COPY", "RESUMING") == (
        "PRE_COPY",
        "RUNNING",
        "RUNNING_P2P",
        "STOP",
        "RESUMING",
    )
    assert table.path("STOP_COPY", "PRE_COPY") is None
    assert table.path("ERROR", "ERROR") is None
    assert table.path("RUNNING", "RUNNING") == ("RUNNING",)
    assert table.distance["RESUMING"]["PRE_COPY"] == 4


def with_interior(spec: Spec, rule: Interior) -> Spec:
    return replace(spec, groups=tuple(replace(g, interior=rule) for g in spec.groups))


def differing(a: Spec, b: Spec) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    ta, tb = compute_table(a), compute_table(b)
    return {
        (x, y): (ta.next[x][y], tb.next[x][y])
        for x in STATES
        for y in STATES
        if ta.next[x][y] != tb.next[x][y]
    }


def test_uapi_wording_alone_does_not_give_the_kernel_table(spec: Spec) -> None:
    """'Saving-group states are never interior' misses the kernel in exactly one cell.

    The kernel goes PRE_COPY -> PRE_COPY_P2P -> STOP_COPY, with a saving
    state in the interior; forbidding that sends PRE_COPY the long way round.
    """
    never = with_interior(spec, Interior.NEVER)
    assert differing(spec, never) == {("PRE_COPY", "STOP_COPY"): ("PRE_COPY_P2P", "RUNNING")}
    table = compute_table(never)
    assert table.path("PRE_COPY", "STOP_COPY") == (
        "PRE_COPY",
        "RUNNING",
        "RUNNING_P2P",
        "STOP",
        "STOP_COPY",
    )
    # Under 'never' the choice is also unique everywhere: the rule is wrong, not vague.
    assert table.multiple == ()


def test_interior_allowed_leaves_choices_open(spec: Spec) -> None:
    allowed = with_interior(spec, Interior.ALLOWED)
    table = compute_table(allowed)
    pairs = {(c.source, c.target) for c in table.multiple}
    assert len(pairs) == 12
    assert {(c.source, c.target) for c in table.ambiguous} == pairs - {
        ("STOP", "PRE_COPY"),
        ("RESUMING", "PRE_COPY"),
    }
    assert ("RUNNING", "STOP_COPY") in pairs
    choice = next(c for c in table.multiple if (c.source, c.target) == ("RUNNING", "STOP_COPY"))
    assert choice.count == 3
    assert set(choice.next_steps) == {"RUNNING_P2P", "PRE_COPY"}


FEATURE_SETS = sorted(KERNEL_ARCS, key=lambda f: (len(f), sorted(f)))


@pytest.mark.parametrize("features", FEATURE_SETS, ids=lambda f: "+".join(sorted(f)))
def test_effective_steps_match_the_kernel_walk(spec: Spec, features: frozenset[str]) -> None:
    device = device_table(spec, features)
    mine = [s for s in STATES if KERNEL_FLAGS[s] is not None and KERNEL_FLAGS[s] <= features]
    assert set(device.states) == {*mine, "ERROR"}
    for cur in mine:
        for new in mine:
            expected = kernel_lookup(cur, new, set(features), stop_at_error=True)
            got = device.next[cur][new]
            assert (got if got != "ERROR" else "-EINVAL") == expected, (cur, new)
    assert device.loops == ()
    assert device.unsupported(spec) == ()


@pytest.mark.parametrize("features", FEATURE_SETS, ids=lambda f: "+".join(sorted(f)))
def test_effective_arcs_match_the_kernel_comment(spec: Spec, features: frozenset[str]) -> None:
    assert device_table(spec, features).arcs == KERNEL_ARCS[features]


@pytest.mark.parametrize("features", FEATURE_SETS, ids=lambda f: "+".join(sorted(f)))
def test_walk_is_as_short_as_the_devices_own_paths(spec: Spec, features: frozenset[str]) -> None:
    """One table plus the skip loop serves every device as well as its own table would."""
    device = device_table(spec, features)
    direct = compute_table(spec, features)
    for a in device.states:
        for b in device.states:
            assert device.path(a, b) == direct.path(a, b), (a, b)


def test_effective_flags_match_the_kernel(spec: Spec) -> None:
    for name, flags in KERNEL_FLAGS.items():
        state = spec.state(name)
        if flags is None:
            assert state.error and spec.walk.error_flags_all
        else:
            assert state.features == flags


def test_walk_without_stop_at_error_hangs_on_precopy_devices() -> None:
    """The kernel bug: STOP_COPY -> PRE_COPY(_P2P) spins forever before the 2026 fix."""
    text = SEED_SPEC.read_text().replace("stop_at_error: true", "stop_at_error: false")
    assert "stop_at_error: false" in text
    result = load_spec_text(text, "hang.yaml")
    assert result.spec is not None
    spec = result.spec
    hangs = set()
    for kind in spec.device_kinds:
        features = kind.features
        for request in device_table(spec, features).loops:
            hangs.add(("+".join(sorted(features - {"STOP_COPY"})), request.source, request.target))
            assert set(request.visited) == {"ERROR"}
    assert hangs == {
        ("PRE_COPY", "STOP_COPY", "PRE_COPY"),
        ("P2P+PRE_COPY", "STOP_COPY", "PRE_COPY"),
        ("P2P+PRE_COPY", "STOP_COPY", "PRE_COPY_P2P"),
    }
    # The transcribed kernel loop agrees, request by request.
    for features in KERNEL_ARCS:
        for cur in STATES:
            for new in STATES:
                hang = kernel_lookup(cur, new, set(features), stop_at_error=False) is None
                name = "+".join(sorted(features - {"STOP_COPY"}))
                assert hang == ((name, cur, new) in hangs), (features, cur, new)
