"""`compare_specs`: how requests end per device kind, flows as drawn, C artefacts,
and the seed example showing exactly what the seed patch changed."""

from __future__ import annotations

from pathlib import Path

from migspec.comparison.compare import compare_specs
from migspec.comparison.report import fsm_marks
from migspec.fsm.engine import Outcome
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.render.dot import MARK_COLOURS, render_fsm_dot
from migspec.render.flow_rst import render_flow_rst

from .conftest import ROOT
from .render_support import TOY, corpus_blocks, meaning, spec_from
from .review_support import SEED_NEW, SEED_OLD, arcs_edited, edit, toy, toy_blink


def seed_pair() -> tuple[Spec, Spec]:
    old, new = load_spec(ROOT / SEED_OLD).spec, load_spec(ROOT / SEED_NEW).spec
    assert old is not None and new is not None
    return old, new


def test_identical_specs_are_equivalent_in_every_section() -> None:
    _, new = seed_pair()
    d = compare_specs(new, new)
    assert d.equivalent
    assert tuple(k.name for k in d.kinds_compared) == ("none", "P2P", "PRE_COPY", "P2P+PRE_COPY")


def test_seed_changes_no_state_arc_or_next_step() -> None:
    d = compare_specs(*seed_pair())
    assert (d.vocabulary, d.arcs, d.kinds, d.steps) == ((), (), (), ())
    assert tuple(k.name for k in d.kinds_compared) == ("none", "P2P", "PRE_COPY", "P2P+PRE_COPY")


def test_seed_changes_both_flows_for_every_kind() -> None:
    d = compare_specs(*seed_pair())
    assert [(f.flow, f.kind.name, f.own) for f in d.drawings] == [
        ("save", "none", False),
        ("save", "P2P", False),
        ("save", "PRE_COPY", False),
        ("save", "P2P+PRE_COPY", True),
        ("resume", "none", False),
        ("resume", "P2P", False),
        ("resume", "PRE_COPY", False),
        ("resume", "P2P+PRE_COPY", True),
    ]
    own = d.drawings[3].diff.unified
    assert "-                    (RUNNING, _SETUP, _RUNNING [_PRE_COPY])\n" in own
    assert "+                    (FINISH_MIGRATE, _ACTIVE, _PRE_COPY_P2P)\n" in own
    # The style changed (bracketed -> projected), and which steps name the
    # new prepare handler; the drawing alone does not show the latter.
    (save, resume) = d.flow_changes
    assert save.name == "save" and resume.name == "resume"
    assert "style: bracketed -> projected" in save.details
    assert (
        "callbacks: + PRE_COPY_P2P [vmstate_change_prepare], - STOP "
        "[save_live_complete_precopy], + STOP [save_cleanup]"
    ) in save.details


def test_seed_c_artefacts_are_the_to_string_and_predicates_hunks() -> None:
    d = compare_specs(*seed_pair())
    assert [c.name for c in d.code] == ["to-str", "predicates"]
    to_str, predicates = d.code
    added = [line for line in to_str.unified.splitlines() if line.startswith("+ ")]
    assert added == [
        "+    case VFIO_DEVICE_STATE_RUNNING_P2P:",
        '+        return "RUNNING_P2P";',
        "+    case VFIO_DEVICE_STATE_PRE_COPY_P2P:",
        '+        return "PRE_COPY_P2P";',
    ]
    assert "+           migration->device_state == VFIO_DEVICE_STATE_RUNNING_P2P;" in (
        predicates.unified.splitlines()
    )
    # The kernel's tables name the spec they came from; that is not a change.
    assert "kernel-table" not in [c.name for c in d.code]


def test_seed_wiring_is_the_prepare_handler_and_the_connector_column() -> None:
    d = compare_specs(*seed_pair())
    assert [(c.status.value, c.what, c.name) for c in d.trace] == [
        ("added", "trace event", "vfio_vmstate_change_prepare")
    ]
    assert [(c.status.value, c.what, c.name, c.details) for c in d.other] == [
        ("added", "callback", "vmstate_change_prepare", ()),
        ("added", "registration", "qdev_add_vm_change_state_handler_full", ()),
        (
            "changed",
            "code",
            "features",
            ("features: PRE_COPY, STOP_COPY -> P2P, PRE_COPY, STOP_COPY",),
        ),
        ("changed", "notation", "flow drawings", ("connector_column: 34 -> 38",)),
    ]


def test_pre_seed_example_draws_what_qemu_drew(corpus: Path) -> None:
    """The example's flows read like QEMU's docs before the seed commit (by
    meaning: QEMU's hand-drawn layout is not regular)."""
    old, _ = seed_pair()
    blocks = corpus_blocks(corpus, "qemu-3d4d0f0e06")
    for flow in old.flows:
        assert flow.docs is not None
        drawn = render_flow_rst(old, flow).splitlines()
        assert meaning(drawn) == meaning(blocks[flow.docs.section]), flow.name


def _arcs_pair(tmp_path: Path) -> tuple[Spec, Spec]:
    old = load_spec(ROOT / SEED_NEW).spec
    edited = tmp_path / "arcs.yaml"
    edited.write_text(arcs_edited(), "utf-8")
    new = load_spec(edited).spec
    assert old is not None and new is not None
    return old, new


def test_arc_changes_and_the_paths_they_change(tmp_path: Path) -> None:
    d = compare_specs(*_arcs_pair(tmp_path))
    assert [(c.status.value, c.name) for c in d.arcs] == [
        ("removed", "RUNNING -> STOP"),
        ("added", "RESUMING -> RUNNING"),
        ("changed", "STOP -> RUNNING"),
    ]
    by_pair = {(c.kind.name, c.source, c.target): c for c in d.steps}
    shortcut = by_pair[("P2P", "RESUMING", "RUNNING")]
    assert shortcut.old.path == ("RESUMING", "STOP", "RUNNING_P2P", "RUNNING")
    assert shortcut.new.path == ("RESUMING", "RUNNING")
    assert (shortcut.old.outcome, shortcut.new.outcome) == (Outcome.ARRIVES, Outcome.ARRIVES)
    # Every kind has the new arc, so every kind's request changed.
    assert {k for k, s, t in by_pair if (s, t) == ("RESUMING", "RUNNING")} == {
        k.name for k in d.kinds_compared
    }
    assert "kernel-table" in [c.name for c in d.code]


def test_refusal_lifted_is_a_step_change() -> None:
    old = toy()
    new = spec_from(
        edit(TOY, ("refused:\n  - {from: OFF, to: DIMMED, doc: Switch on first.}\n", "")),
        "lifted.yaml",
    )
    d = compare_specs(old, new)
    assert [(c.status.value, c.what, c.name) for c in d.arcs] == [
        ("removed", "refused arc", "OFF -> DIMMED")
    ]
    (change,) = d.steps
    assert (change.kind.name, change.source, change.target) == ("DIM", "OFF", "DIMMED")
    assert (change.old.outcome, change.old.path) == (Outcome.REFUSED, None)
    assert (change.new.outcome, change.new.path) == (Outcome.ARRIVES, ("OFF", "ON", "DIMMED"))


def test_kind_in_one_spec_only_is_reported_as_such() -> None:
    d = compare_specs(toy(), toy_blink())
    assert [(c.status.value, c.what, c.name) for c in d.kinds] == [
        ("added", "device kind", "BLINK"),
        ("added", "device kind", "DIM+BLINK"),
    ]
    assert tuple(k.name for k in d.kinds_compared) == ("none", "DIM")
    back = compare_specs(toy_blink(), toy())
    assert [(c.status.value, c.name) for c in back.kinds] == [
        ("removed", "BLINK"),
        ("removed", "DIM+BLINK"),
    ]


def test_added_and_removed_flows() -> None:
    renamed = spec_from(edit(TOY, ("  - name: evening\n", "  - name: night\n")), "renamed.yaml")
    d = compare_specs(toy(), renamed)
    assert [(c.status.value, c.name) for c in d.flow_changes] == [
        ("added", "night"),
        ("removed", "evening"),
    ]
    assert d.flow_names == ("night", "evening")
    # Each is compared with nothing, for every kind.
    assert {(f.flow, f.kind.name) for f in d.drawings} == {
        (name, kind) for name in ("night", "evening") for kind in ("none", "DIM")
    }
    night = next(f for f in d.drawings if f.flow == "night" and f.kind.name == "DIM")
    assert night.diff.old == "" and "(vm.NIGHT, BUSY, _DIMMED)" in night.diff.new


def test_fsm_marks_draw_added_and_removed_states_and_arcs() -> None:
    old, new = toy(), toy_blink()
    added = fsm_marks(compare_specs(old, new), old, new)
    assert added.states == {"BLINKING": "added"}
    assert added.arcs == {("ON", "BLINKING"): "added", ("BLINKING", "ON"): "added"}
    # Backwards, the state and arcs exist only in the old spec: drawn from it, in red.
    removed = fsm_marks(compare_specs(new, old), new, old)
    assert [s.name for s in removed.extra_states] == ["BLINKING"]
    dot = render_fsm_dot(old, None, marks=removed)
    red = MARK_COLOURS["removed"]
    blinking = next(line for line in dot.splitlines() if line.strip().startswith('"BLINKING" ['))
    assert f'color="{red}"' in blinking
    arcs = [line for line in dot.splitlines() if "BLINKING" in line and "->" in line]
    assert len(arcs) == 2 and all(f'color="{red}"' in a and "style=dashed" in a for a in arcs)
