"""rst flow drawings: hand-written goldens, QEMU's real drawings, both styles."""

from __future__ import annotations

import itertools
from collections import deque
from pathlib import Path

import pytest

from migspec.model import FlowStyle, Spec
from migspec.render.flow_rst import render_flow_rst

from .conftest import SEED_SPEC
from .render_support import (
    BEFORE_REV,
    SEED_REV,
    TOY,
    bundled,
    corpus_blocks,
    golden,
    meaning,
    spec_from,
    tuples,
)

SAVE = "Live migration save path"
RESUME = "Live migration resume path"


def lines_of(text: str) -> list[str]:
    assert text.endswith("\n")
    return text[:-1].split("\n")


@pytest.mark.parametrize(
    ("flow", "style", "features", "expected"),
    [
        ("save", FlowStyle.PROJECTED, None, "save.projected.rst"),
        ("save", FlowStyle.PROJECTED, "none", "save.none.projected.rst"),
        ("save", FlowStyle.BRACKETED, None, "save.bracketed.rst"),
        ("resume", FlowStyle.PROJECTED, None, "resume.projected.rst"),
        ("resume", FlowStyle.BRACKETED, None, "resume.bracketed.rst"),
    ],
)
def test_bundled_flows_match_hand_written_goldens(
    flow: str, style: FlowStyle, features: str | None, expected: str
) -> None:
    spec = bundled()
    have = spec.mandatory_features if features == "none" else None
    text = render_flow_rst(spec, spec.flow_map[flow], features=have, style=style)
    assert text == golden("flow-rst", expected)


def test_default_style_is_the_flows_own() -> None:
    spec = bundled()
    flow = spec.flow_map["save"]
    assert flow.style is FlowStyle.PROJECTED
    assert render_flow_rst(spec, flow) == golden("flow-rst", "save.projected.rst")


# -- against QEMU at the seed commit (projected) -----------------------------


def _layout_follows_rule(line: str, width: int = 80, connector_column: int = 38) -> bool:
    text = line.strip()
    indent = len(line) - len(line.lstrip())
    if text == "|":
        return indent == connector_column
    return indent == (width - len(text)) // 2


@pytest.mark.parametrize(
    ("flow", "section", "identical", "total"),
    [("save", SAVE, 25, 28), ("resume", RESUME, 11, 11)],
)
def test_projected_flow_equals_qemu_seed_revision(
    corpus: Path, flow: str, section: str, identical: int, total: int
) -> None:
    spec = bundled()
    ours = lines_of(render_flow_rst(spec, spec.flow_map[flow]))
    theirs = corpus_blocks(corpus, SEED_REV)[section]
    # By meaning: the same steps, lines and tuples in the same order.
    assert meaning(ours) == meaning(theirs)
    assert len(ours) == len(theirs) == total
    # Byte for byte on every line QEMU laid out by the centring rule (and the
    # connector column); the others are hand-centred one column off.
    same = [a == b for a, b in zip(ours, theirs, strict=True)]
    assert sum(same) == identical
    for a, b, equal in zip(ours, theirs, same, strict=True):
        assert equal == _layout_follows_rule(b), (a, b)
        if not equal:
            assert a.strip() == b.strip()
            assert abs((len(a) - len(a.lstrip())) - (len(b) - len(b.lstrip()))) == 1


def test_the_three_hand_centred_save_lines_are_known(corpus: Path) -> None:
    theirs = corpus_blocks(corpus, SEED_REV)[SAVE]
    off = [line.strip() for line in theirs if not _layout_follows_rule(line)]
    assert off == [
        "migrate_init spawns migration_thread",
        "If total pending_bytes >= threshold_size, call .save_live_iterate()",
        "Iterate till total pending bytes converge and are less than threshold",
    ]


# -- against QEMU before the seed commit (bracketed) -------------------------


def test_bracketed_resume_is_the_old_drawing_plus_the_p2p_step(corpus: Path) -> None:
    spec = bundled()
    ours = lines_of(render_flow_rst(spec, spec.flow_map["resume"], style=FlowStyle.BRACKETED))
    theirs = corpus_blocks(corpus, BEFORE_REV)[RESUME]
    # Same tuples once the step that exists only with P2P is left out.
    assert [t for t in tuples(ours) if not t.startswith("[")] == tuples(theirs)
    assert "[(RUNNING, _ACTIVE, _RUNNING_P2P)]" in tuples(ours)
    # The text differs only where the seed commit reworded it: callbacks
    # gained "()" (".load_setup" -> ".load_setup()").
    old_text = [m for m in meaning(theirs) if not m.startswith(("(", "|"))]
    new_text = [m for m in meaning(ours) if not m.startswith(("(", "[", "|"))]
    assert [t.replace("()", "") for t in new_text] == old_text


def test_bracketed_save_matches_the_old_drawing_where_the_spec_allows(corpus: Path) -> None:
    spec = bundled()
    drawn = render_flow_rst(spec, spec.flow_map["save"], style=FlowStyle.BRACKETED)
    ours = meaning(lines_of(drawn))
    theirs = meaning(corpus_blocks(corpus, BEFORE_REV)[SAVE])
    # The start of the save path and its bracket notation are what QEMU drew.
    assert (
        tuples(ours)[:3]
        == tuples(theirs)[:3]
        == [
            "(RUNNING, _NONE, _RUNNING)",
            "(RUNNING, _SETUP, _RUNNING [_PRE_COPY])",
            "(RUNNING, _ACTIVE, _RUNNING [_PRE_COPY])",
        ]
    )
    assert ours[:12] == theirs[:12]
    # The tail differs because the seed commit changed it, not the notation:
    # the device enters STOP_COPY under _ACTIVE (was _DEVICE), and reaches
    # STOP only in .save_cleanup() after migration completed.
    assert tuples(theirs)[3:] == [
        "(FINISH_MIGRATE, _DEVICE, _STOP_COPY)",
        "(FINISH_MIGRATE, _DEVICE, _STOP)",
        "(FINISH_MIGRATE, _COMPLETED, _STOP)",
    ]
    assert tuples(ours)[3:] == [
        "[(FINISH_MIGRATE, _ACTIVE, _PRE_COPY_P2P)]",
        "(FINISH_MIGRATE, _ACTIVE, _STOP_COPY)",
        "(POSTMIGRATE, _COMPLETED, _STOP_COPY)",
        "(POSTMIGRATE, _COMPLETED, _STOP)",
    ]


# -- every device kind ---------------------------------------------------------


def _device_states(spec: Spec, text: str) -> list[str]:
    by_docs = {s.docs_as: s.name for s in spec.states}
    return [by_docs[t.rstrip(")").rsplit(", ", 1)[1]] for t in tuples(lines_of(text))]


def _reachable(spec: Spec, features: frozenset[str], start: str, goal: str) -> bool:
    seen = {start}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == goal:
            return True
        for arc in spec.arcs:
            if arc.source == here and arc.available(features) and arc.target not in seen:
                seen.add(arc.target)
                queue.append(arc.target)
    return False


@pytest.mark.parametrize("flow", ["save", "resume"])
def test_every_device_kind_renders_a_legal_flow(flow: str) -> None:
    spec = bundled()
    seen = set()
    for kind in spec.device_kinds:
        text = render_flow_rst(spec, spec.flow_map[flow], features=kind.features)
        seen.add(text)
        assert "[" not in text, "projected drawings have no brackets"
        states = _device_states(spec, text)
        for state in states:
            assert kind.has(spec.state(state)), (kind.name, state)
        for a, b in itertools.pairwise(states):
            assert _reachable(spec, kind.features, a, b), (kind.name, a, b)
        lines = lines_of(text)
        assert sum(line.strip() == "|" for line in lines) == len(states) - 1
    assert len(seen) == 4 if flow == "save" else len(seen) == 2


def test_notation_comes_from_the_spec() -> None:
    spec = spec_from(TOY)
    text = render_flow_rst(spec, spec.flows[0])
    # width 40, connector ":" at column 5, "vm." before VM states, no prefix
    # before migration states, and each state's docs_as.
    assert text == (
        " " * 17
        + "sunset\n"
        + " " * 10
        + "(vm.DAY, IDLE, _OFF)\n"
        + " " * 5
        + ":\n"
        + " " * 15
        + "switch on\n"
        + " " * 16
        + "then dim\n"
        + " " * 7
        + "(vm.NIGHT, BUSY, _DIMMED)\n"
        + " " * 18
        + "read\n"
    )
    base = render_flow_rst(spec, spec.flows[0], features=spec.mandatory_features)
    assert "then dim" not in base
    assert "(vm.NIGHT, BUSY, _ON)" in base


def test_bracketed_toy_brackets_state_and_line() -> None:
    spec = spec_from(TOY)
    text = render_flow_rst(spec, spec.flows[0], style=FlowStyle.BRACKETED)
    assert meaning(lines_of(text)) == [
        "sunset",
        "(vm.DAY, IDLE, _OFF)",
        ":",
        "switch on",
        "[then dim]",
        "(vm.NIGHT, BUSY, _ON [_DIMMED])",
        "read",
    ]


def test_bracketed_keeps_lines_of_a_step_that_vanishes() -> None:
    """Without P2P the P2P-only step's tuple vanishes, but its plain line stays (joins the next step)."""
    from migspec.load.spec import load_spec
    from migspec.render.flow_rst import render_flow_rst

    spec = load_spec(SEED_SPEC).spec
    assert spec is not None
    text = render_flow_rst(
        spec, spec.flow_map["save"], features=spec.mandatory_features, style=FlowStyle.BRACKETED
    )
    assert "On migration completion, the vCPUs and the VFIO device are stopped" in text
    assert "P2P quiescent" not in text
