"""The one FSM outcome API (`DeviceTable.answer`) and the device-kind value type."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from migspec.comparison.compare import compare_specs
from migspec.fsm.engine import Outcome, answer, device_steps
from migspec.load.spec import load_spec
from migspec.model import Spec

from .conftest import ROOT, SEED_SPEC
from .render_support import run_cli

SPECS = [
    "spec/vfio-migration.yaml",
    "spec/examples/vfio-migration-3d4d0f0e06.yaml",
    "tests/specs/disk-mirror.yaml",
    "tests/specs/mirror-small.yaml",
]


def bundled() -> Spec:
    spec = load_spec(SEED_SPEC).spec
    assert spec is not None
    return spec


@pytest.mark.parametrize("path", SPECS)
def test_every_answer_agrees_with_the_table_it_comes_from(path: str) -> None:
    spec = load_spec(ROOT / path).spec
    assert spec is not None
    error = spec.error_state.name if spec.error_state is not None else None
    for kind in spec.device_kinds:
        steps = device_steps(spec, kind)
        for source in steps.states:
            for target in steps.states:
                found = steps.answer(source, target)
                assert found.step == steps.next[source][target]
                assert (found.path is not None) == (found.outcome is Outcome.ARRIVES)
                if found.path is not None:
                    assert (found.path[0], found.path[-1]) == (source, target)
                    assert all(kind.has(spec.state(s)) for s in found.path)
                elif error in (source, target):
                    assert found.outcome is Outcome.ERROR_STATE
                else:
                    assert found.outcome in (Outcome.REFUSED, Outcome.FAILS), found
                    assert found.step == error
        lacking = [s.name for s in spec.states if not kind.has(s)]
        for name in lacking:
            assert answer(spec, kind, name, spec.states[0].name).outcome is Outcome.NO_STATE


def test_refused_requests_are_refused_on_every_kind() -> None:
    spec = bundled()
    for kind in spec.device_kinds:
        found = answer(spec, kind, "STOP_COPY", "PRE_COPY") if "PRE_COPY" in kind.features else None
        if found is not None:
            assert (found.outcome, found.refused, found.step) == (Outcome.REFUSED, True, "ERROR")


def test_a_walk_that_never_stops_at_the_error_state_hangs_with_every_feature(
    tmp_path: Path,
) -> None:
    """Before the 2026 fix the lookup looped on the error state on every device,
    all features included: `path`, `table` and `diff` say so alike."""
    spec = bundled()
    buggy = replace(spec, walk=replace(spec.walk, stop_at_error=False))
    every = buggy.device_kind(buggy.all_features)
    found = answer(buggy, every, "STOP_COPY", "PRE_COPY")
    assert (found.outcome, found.refused, found.step, found.path) == (
        Outcome.NEVER_ENDS,
        True,
        None,
        None,
    )
    # The comparison sees it on the all-features kind too (it read the written
    # table there, where the request only failed).
    comparison = compare_specs(spec, buggy)
    hangs = {(c.kind.name, c.source, c.target) for c in comparison.steps}
    assert ("P2P+PRE_COPY", "STOP_COPY", "PRE_COPY") in hangs
    text = (ROOT / "spec/vfio-migration.yaml").read_text("utf-8")
    written = tmp_path / "buggy.yaml"
    written.write_text(text.replace("stop_at_error: true", "stop_at_error: false"), "utf-8")
    path = run_cli("path", "STOP_COPY", "PRE_COPY", "--spec", str(written))
    assert path.returncode == 1 and "never returns (it is refused" in path.stderr
    table = run_cli("table", "--spec", str(written), "--format", "json")
    assert table.returncode == 0
    assert '"PRE_COPY": null' in table.stdout


def test_a_lookup_that_lands_on_a_state_the_device_lacks(tmp_path: Path) -> None:
    spec = bundled()
    stiff = replace(spec, walk=replace(spec.walk, skip_unsupported=False))
    kind = stiff.parse_device_kind("none")
    found = answer(stiff, kind, "RUNNING", "STOP")
    assert found.outcome is Outcome.UNSUPPORTED
    assert found.lands_on == "RUNNING_P2P" and found.step == "ERROR"
    comparison = compare_specs(spec, stiff)
    changed = {
        c.kind.name: (c.old.outcome, c.new.outcome)
        for c in comparison.steps
        if (c.source, c.target) == ("RUNNING", "STOP")
    }
    # Both kinds without P2P; the others have RUNNING_P2P.
    assert changed == dict.fromkeys(("none", "PRE_COPY"), (Outcome.ARRIVES, Outcome.UNSUPPORTED))


def test_requests_from_or_to_the_error_state() -> None:
    spec = bundled()
    kind = spec.parse_device_kind("all")
    for source, target in (("ERROR", "STOP"), ("STOP", "ERROR"), ("ERROR", "ERROR")):
        found = answer(spec, kind, source, target)
        assert (found.outcome, found.step, found.path) == (Outcome.ERROR_STATE, "ERROR", None)


def test_a_state_to_itself_arrives_at_once() -> None:
    spec = bundled()
    found = answer(spec, spec.parse_device_kind("none"), "STOP", "STOP")
    assert (found.outcome, found.path, found.step) == (Outcome.ARRIVES, ("STOP",), "STOP")


# -- the device-kind value ---------------------------------------------------------


def test_device_kinds_are_named_once() -> None:
    spec = bundled()
    assert [k.name for k in spec.device_kinds] == ["none", "P2P", "PRE_COPY", "P2P+PRE_COPY"]
    assert [k.text for k in spec.device_kinds] == [
        "without optional features",
        "with P2P",
        "with PRE_COPY",
        "with P2P+PRE_COPY",
    ]
    # Every kind has the mandatory features; parsing and naming round-trip.
    for kind in spec.device_kinds:
        assert spec.mandatory_features <= kind.features
        text = "none" if kind.name == "none" else kind.name.replace("+", ",")
        assert spec.parse_device_kind(text) == kind
    assert spec.parse_device_kind("all") == spec.device_kinds[-1]
    assert spec.parse_device_kind(" PRE_COPY , P2P ").name == "P2P+PRE_COPY"


def test_an_unknown_feature_is_a_readable_error() -> None:
    with pytest.raises(ValueError, match=r"unknown feature\(s\) BOGUS \(known: "):
        bundled().parse_device_kind("P2P,BOGUS")


def test_a_kind_is_its_features_whichever_spec_names_it() -> None:
    spec = bundled()
    kind = spec.parse_device_kind("P2P")
    other = replace(kind, optional=("X", "Y"))
    assert kind == other and hash(kind) == hash(other)
    assert kind != spec.parse_device_kind("PRE_COPY")


@pytest.mark.parametrize(
    "args",
    [
        ("table", "--features", "P2P"),
        ("path", "RUNNING", "STOP", "--features", "none"),
    ],
)
def test_the_cli_reads_kinds_the_same_way(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.returncode == 0, result.stderr
    bad = run_cli(*args[:-1], "NOPE")
    assert bad.returncode == 2 and "unknown feature(s) NOPE" in bad.stderr
