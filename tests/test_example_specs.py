"""A second, non-VFIO machine: nothing VFIO-specific is hard-coded.

``tests/specs/disk-mirror.yaml`` describes a block-device mirror job with its
own enum, prefix, features, groups, classes, flows, trace events and code
section.  It must load and lint clean, ``migspec show`` must describe it, and
no VFIO name may appear anywhere in what migspec makes of it.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Iterator

from migspec.fsm.engine import compute_table
from migspec.lint.spec import lint_spec
from migspec.load.spec import load_spec
from migspec.model import Interior, Session, Spec
from migspec.rules import all_rules

from .conftest import ROOT
from .test_broken_corpus import run_cli

DISK_MIRROR = ROOT / "tests" / "specs" / "disk-mirror.yaml"


def load() -> Spec:
    result = load_spec(DISK_MIRROR)
    assert result.diagnostics == []
    assert result.spec is not None
    return result.spec


def strings(value: object) -> Iterator[str]:
    """Every string inside a model object (field values, tuple and set items)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, enum.Enum):
        yield str(value.value)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from strings(getattr(value, f.name))
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from strings(item)


def test_loads_and_lints_clean() -> None:
    spec = load()
    assert lint_spec(spec, catalogue=all_rules) == []
    proc = run_cli("lint", "--spec", str(DISK_MIRROR), "--fail-on", "note")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""


def test_pins_route_a_restart_through_idle() -> None:
    # READY -> COPYING could restart through IDLE or (with BITMAP) through
    # SUSPENDED; the pins choose IDLE, the one every kind of device can walk.
    table = compute_table(load())
    assert table.path("READY", "COPYING") == ("READY", "IDLE", "COPYING")
    assert table.path("READY", "THROTTLED") == ("READY", "IDLE", "COPYING", "THROTTLED")
    assert table.ambiguous == ()


def test_names_come_from_the_spec() -> None:
    spec = load()
    assert (spec.machine.enum, spec.machine.prefix) == ("blk_mirror_state", "BLK_MIRROR_")
    assert spec.mandatory_features == {"BULK"}
    assert spec.optional_features == ("THROTTLE", "BITMAP")
    assert spec.group_map["job"].interior is Interior.ALLOWED
    assert [c.name for c in spec.classes] == ["copying", "synced"]
    assert spec.error_state is not None and spec.error_state.name == "FAILED"
    assert spec.initial_state is not None and spec.initial_state.name == "IDLE"
    assert [s.name for s in spec.states if "job" in s.groups] == [
        "COPYING",
        "THROTTLED",
        "READY",
        "FLUSHING",
    ]
    opened = {(a.source, a.target) for a in spec.arcs if a.session is Session.OPEN}
    assert opened == {("IDLE", "COPYING"), ("SUSPENDED", "COPYING")}
    (flow,) = spec.flows
    assert [s.state.device for s in flow.steps] == [
        "IDLE",
        "COPYING",
        "THROTTLED",
        "READY",
        "FLUSHING",
        "IDLE",
    ]
    assert [e.name for e in spec.trace_events()] == [
        "blk_mirror_ready",
        "blk_mirror_set_state",
        "blk_mirror_throttle",
    ]
    assert spec.trace[0].events[0].line == (
        'blk_mirror_ready(const char *device, uint64_t bytes) "device %s synced after %"PRIu64" bytes"'
    )
    (predicate,) = spec.code.predicates
    assert (predicate.state_class, predicate.subject) == ("copying", "job->state")
    assert spec.code.registrations[0].args == (
        (1, "job_start"),
        (2, "job_ready"),
        (3, "job_complete"),
    )
    assert spec.code.kernel is None
    assert (spec.notation.width, spec.notation.connector_column) == (72, 35)


def test_no_vfio_name_leaks_into_the_model() -> None:
    leaked = [s for s in strings(load()) if "vfio" in s.lower()]
    assert leaked == []


def test_strings_walks_the_whole_model() -> None:
    # The leak check above is only as good as this walk.
    found = set(strings(load()))
    assert {"blk_mirror_state", "job->state", "block/trace-events", "allowed", "COPYING"} <= found


def test_show_describes_it() -> None:
    proc = run_cli("show", "--spec", str(DISK_MIRROR))
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(
        "Disk mirror job (disk-mirror): enum blk_mirror_state, constants BLK_MIRROR_*\n"
    )
    assert "features: BULK (mandatory), THROTTLE, BITMAP\n" in out
    assert "    3  THROTTLED       [needs THROTTLE; group job; class copying]\n" in out
    assert "    6  SUSPENDED       [needs BITMAP]\n" in out
    assert "arcs: 13, refused: 1\n" in out
    assert "flow migrate: 'Disk mirror during migration', 6 steps\n" in out
    assert "trace events: 3 in block/trace-events '# mirror-state.c'\n" in out
    assert "vfio" not in out.lower()


def test_show_on_a_broken_spec_reports_instead() -> None:
    proc = run_cli("show", "--spec", "tests/cases/broken/ref-arc-state/spec.yaml")
    assert proc.returncode == 1
    assert "[ref-unknown]" in proc.stdout
