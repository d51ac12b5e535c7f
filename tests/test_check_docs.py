"""What the docs should draw (projected and bracketed readings) and how steps are paired."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from migspec.align.flows import align
from migspec.artefacts import check_tree
from migspec.expect.flows import expected_reading
from migspec.load.spec import load_spec
from migspec.model import FlowStyle, Spec
from migspec.source.rst import parse_flows

from .conftest import SEED_SPEC
from .source_trees import build_tree, found, with_corpus


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


def drawn(reading: tuple) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:  # type: ignore[type-arg]
    return [(s.before, s.tuple_text, s.after) for s in reading]


def test_projected_reading_without_optional_features(spec: Spec) -> None:
    save = replace(spec.flow_map["save"], features=frozenset())
    steps = drawn(expected_reading(spec, save, style=FlowStyle.PROJECTED))
    assert [t for _, t, _ in steps] == [
        "(RUNNING, _NONE, _RUNNING)",
        "(RUNNING, _SETUP, _RUNNING)",
        "(RUNNING, _ACTIVE, _RUNNING)",
        "(FINISH_MIGRATE, _ACTIVE, _STOP_COPY)",
        "(POSTMIGRATE, _COMPLETED, _STOP_COPY)",
        "(POSTMIGRATE, _COMPLETED, _STOP)",
    ]
    # The P2P step is gone; its first line joins the next step.
    assert steps[3][0] == (
        "On migration completion, the vCPUs and the VFIO device are stopped",
        "Then the VFIO device is put in _STOP_COPY state",
    )


def test_bracketed_reading_with_pre_copy(spec: Spec) -> None:
    save = replace(
        spec.flow_map["save"], features=frozenset({"PRE_COPY"}), style=FlowStyle.BRACKETED
    )
    steps = drawn(expected_reading(spec, save, style=FlowStyle.BRACKETED))
    assert steps[1][1] == "(RUNNING, _SETUP, _RUNNING [_PRE_COPY])"
    assert steps[2][1] == "(RUNNING, _ACTIVE, _RUNNING [_PRE_COPY])"
    assert "[Data of VFIO device for pre-copy phase is copied]" in steps[2][2]
    assert len(steps) == 6  # no P2P step: the flow does not assume P2P
    assert steps[3][0] == (
        "On migration completion, the vCPUs and the VFIO device are stopped",
        "Then the VFIO device is put in _STOP_COPY state",
    )


def test_bracketed_reading_brackets_a_whole_optional_step(spec: Spec) -> None:
    save = replace(spec.flow_map["save"], style=FlowStyle.BRACKETED)
    steps = drawn(expected_reading(spec, save, style=FlowStyle.BRACKETED))
    assert steps[3] == (
        (
            "On migration completion, the vCPUs and the VFIO device are stopped",
            "[The VFIO device is first put in P2P quiescent state]",
        ),
        "[(FINISH_MIGRATE, _ACTIVE, _PRE_COPY_P2P)]",
        (),
    )


def test_bracketed_flow_against_the_pre_seed_drawing(
    spec: Spec, corpus: Path, tmp_path: Path
) -> None:
    """The pre-seed save path was drawn bracketed for pre-copy: its first three steps
    match the spec's flow read that way, so only the later steps are reported."""
    flows = tuple(
        replace(f, features=frozenset({"PRE_COPY"}), style=FlowStyle.BRACKETED)
        if f.name == "save"
        else replace(f, docs=None)
        for f in spec.flows
    )
    bracketed = replace(spec, flows=flows, trace=(), code=replace(spec.code, setters=()))
    tree = with_corpus(build_tree(tmp_path / "tree"), corpus / "qemu-3d4d0f0e06")
    found_lines = [
        line for _, path, line in found(check_tree(bracketed, tree), tree) if path.endswith(".rst")
    ]
    assert found_lines, "the later steps do differ"
    assert min(found_lines) >= 159  # steps 1-3 (lines 146-157) agree


def test_align_pairs_in_order_and_leaves_gaps(spec: Spec) -> None:
    expected = expected_reading(spec, spec.flow_map["resume"])
    text = (
        "F\n-\n\n::\n\n  Incoming migration calls .load_setup() for each device\n"
        "  (RESTORE_VM, _ACTIVE, _STOP)\n  |\n  (UNRELATED, _X, _Y)\n  |\n"
        "  (RUNNING, _NONE, _RUNNING)\n"
    )
    flows, _ = parse_flows(text, "x.rst", ["F"])
    pairs = align(expected, flows.flows["F"].steps)
    assert pairs == [(0, 0), (1, None), (2, None), (None, 1), (3, 2)]
