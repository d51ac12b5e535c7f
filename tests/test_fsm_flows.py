"""The bundled flows as each kind of device goes through them, and the FSM rules' view of them."""

from __future__ import annotations

import pytest

from migspec.fsm.projection import project_flow
from migspec.lint.spec import lint_spec
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.rules import all_rules

from .conftest import SEED_SPEC


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


SAVE = {
    "all": ["RUNNING", "PRE_COPY", "PRE_COPY", "PRE_COPY_P2P", "STOP_COPY", "STOP_COPY", "STOP"],
    "PRE_COPY": ["RUNNING", "PRE_COPY", "PRE_COPY", "STOP_COPY", "STOP_COPY", "STOP"],
    "P2P": ["RUNNING", "RUNNING", "RUNNING", "RUNNING_P2P", "STOP_COPY", "STOP_COPY", "STOP"],
    "none": ["RUNNING", "RUNNING", "RUNNING", "STOP_COPY", "STOP_COPY", "STOP"],
}
RESUME = {
    "all": ["STOP", "RESUMING", "RUNNING_P2P", "RUNNING"],
    "PRE_COPY": ["STOP", "RESUMING", "RUNNING"],
    "P2P": ["STOP", "RESUMING", "RUNNING_P2P", "RUNNING"],
    "none": ["STOP", "RESUMING", "RUNNING"],
}


@pytest.mark.parametrize("features", ["all", "PRE_COPY", "P2P", "none"])
def test_projected_device_states(spec: Spec, features: str) -> None:
    have = spec.parse_device_kind(features).features
    for flow, expected in (("save", SAVE), ("resume", RESUME)):
        projected = project_flow(spec, spec.flow_map[flow], have)
        states = [s.state.device for s in projected.steps]
        print(f"{flow} ({spec.device_kind(have).name}): {', '.join(states)}")
        assert states == expected[features]
        assert projected.unresolved == ()


def test_bundled_spec_has_no_fsm_errors_or_warnings(spec: Spec) -> None:
    diags = [d for d in lint_spec(spec, catalogue=all_rules) if d.rule.startswith("fsm-")]
    assert {d.rule for d in diags} <= {"fsm-flow-combination"}
    notes = sorted(d.message for d in diags)
    assert notes == [
        "flow 'resume' on devices with P2P, P2P+PRE_COPY: RESUMING -> RUNNING_P2P passes "
        "through STOP (RESUMING -> STOP -> RUNNING_P2P)",
        "flow 'resume' on devices with none, PRE_COPY: RESUMING -> RUNNING passes through "
        "STOP (RESUMING -> STOP -> RUNNING)",
        "flow 'save' on a device with P2P: RUNNING_P2P -> STOP_COPY passes through STOP "
        "(RUNNING_P2P -> STOP -> STOP_COPY)",
        "flow 'save' on a device without optional features: RUNNING -> STOP_COPY passes "
        "through STOP (RUNNING -> STOP -> STOP_COPY)",
    ]
    # Each note sits on the step whose tuple the change leads to.
    for d in diags:
        assert d.location.path == spec.path and d.location.line > 0
