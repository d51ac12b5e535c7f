"""Each FSM rule, tripped by a machine built for it, reported where the cause is."""

from __future__ import annotations

from migspec.diagnostics import Diagnostic, Severity
from migspec.fsm.engine import compute_table
from migspec.lint.spec import lint_spec
from migspec.model import Spec
from migspec.rules import all_rules

from .conftest import SEED_SPEC
from .fsm_machines import load, toy_yaml

DIAMOND = ["A B", "B D", "A C", "C D", "D A"]


def fsm(spec: Spec, rule: str | None = None) -> list[Diagnostic]:
    diags = [d for d in lint_spec(spec, catalogue=all_rules) if d.rule.startswith("fsm-")]
    return [d for d in diags if rule is None or d.rule == rule]


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_ambiguous_pair_is_reported_at_its_source_with_both_paths() -> None:
    text = toy_yaml(["A", "B", "C", "D"], DIAMOND)
    spec = load(text)
    (d,) = fsm(spec)
    assert d.rule == "fsm-path-ambiguous" and d.severity is Severity.ERROR
    assert d.location == spec.state("A").location
    assert "A -> D has 2 shortest legal paths that step first to B or C" in d.message
    assert [n.message for n in d.notes] == [
        "a shortest legal path: A -> B -> D",
        "a shortest legal path: A -> C -> D",
    ]
    assert [n.location.line for n in d.notes if n.location] == [
        line_of(text, "{from: A, to: B}"),
        line_of(text, "{from: A, to: C}"),
    ]


def test_a_pin_settles_the_choice() -> None:
    spec = load(toy_yaml(["A", "B", "C", "D"], DIAMOND, pins=[["A", "C", "D"]]))
    assert fsm(spec) == []
    table = compute_table(spec)
    assert table.path("A", "D") == ("A", "C", "D")
    (choice,) = table.multiple
    assert choice.pinned and choice.chosen == "C"


def test_pair_without_legal_path_warns_unless_refused() -> None:
    spec = load(toy_yaml(["A", "B"], ["A B"]))
    (d,) = fsm(spec)
    assert (d.rule, d.severity) == ("fsm-path-none", Severity.WARNING)
    assert d.message == "no legal path from B to A, and that pair is not refused"
    assert d.location == spec.state("B").location
    assert fsm(load(toy_yaml(["A", "B"], ["A B"], refused=["B A"]))) == []


def with_state(text: str, after: str, line: str) -> str:
    """``text`` with the state line ``line`` added after the state ``after``."""
    old = f"  - {{name: {after}, value: "
    start = text.index(old)
    end = text.index("\n", start) + 1
    return text[:end] + line + "\n" + text[end:]


def test_a_duplicate_state_does_not_change_the_machine() -> None:
    # Lint reports the second B (duplicate-name).  The paths are those of the
    # first B: the second must not replace it in the graph, which left the
    # first B without arcs and warned "no legal path" for every pair with B.
    spec = load(with_state(toy_yaml(["A", "B"], ["A B", "B A"]), "B", "  - {name: B, value: 3}"))
    assert [d.rule for d in lint_spec(spec, catalogue=all_rules)] == ["duplicate-name"]
    table = compute_table(spec)
    assert table.states == ("A", "B", "ERR")
    assert table.path("A", "B") == ("A", "B") and table.path("B", "A") == ("B", "A")


def test_a_second_error_state_is_not_a_state_without_paths() -> None:
    # Lint reports the second error state (state-error-count).  Like the first
    # it is no step of any path: "no legal path to or from DEAD" would only
    # repeat that an error state has no arcs.
    text = toy_yaml(["A", "B"], ["A B", "B A"])
    spec = load(with_state(text, "B", "  - {name: DEAD, value: 3, error: true}"))
    assert [d.rule for d in lint_spec(spec, catalogue=all_rules)] == ["state-error-count"]
    table = compute_table(spec)
    assert (table.states, table.error) == (("A", "B", "ERR"), "ERR")


def pin_messages(text: str) -> list[tuple[int, str]]:
    spec = load(text)
    return [(d.location.line, d.message) for d in fsm(spec, "fsm-pin-invalid")]


def test_pin_not_along_arcs() -> None:
    text = toy_yaml(["A", "B", "C", "D"], DIAMOND, pins=[["A", "D"]])
    assert pin_messages(text) == [
        (line_of(text, "path: [A, D]"), "pin A -> D is invalid: A -> D is not an arc")
    ]


def test_pin_longer_than_shortest() -> None:
    text = toy_yaml(["A", "B", "C", "D"], [*DIAMOND, "A D"], pins=[["A", "B", "D"]])
    ((_, message),) = pin_messages(text)
    assert message.endswith("it has 2 steps, but the shortest legal path from A to D has 1")


def test_pins_that_contradict_each_other() -> None:
    text = toy_yaml(["A", "B", "C", "D"], DIAMOND, pins=[["A", "B", "D"], ["A", "C", "D"]])
    ((line, message),) = pin_messages(text)
    assert line == line_of(text, "path: [A, C, D]")
    assert "another pin routes it through B" in message


def test_pin_through_a_never_interior_state() -> None:
    text = toy_yaml(
        ["A", "B", "C", "D"],
        DIAMOND,
        groups={"g": ("never", ["B"])},
        pins=[["A", "B", "D"]],
    )
    ((_, message),) = pin_messages(text)
    assert "breaks the interior rule" in message
    # And without the pin the rule itself decides: only A -> C -> D is legal.
    spec = load(toy_yaml(["A", "B", "C", "D"], DIAMOND, groups={"g": ("never", ["B"])}))
    assert compute_table(spec).path("A", "D") == ("A", "C", "D")


# S, V, W, Y, T in a within-group group, X outside it.  From S the only legal
# path to T stays in the group (S V W Y T); from V the shortest legal path
# leaves it (V X T).  A next-step table routes V -> T one way only.
UNROUTABLE = dict(
    states=["S", "V", "W", "Y", "T", "X"],
    arcs=["S V", "V W", "W Y", "Y T", "V X", "X T", "T S"],
    groups={"g": ("within-group", ["S", "V", "W", "Y", "T"])},
)


def test_unroutable_pair() -> None:
    text = toy_yaml(UNROUTABLE["states"], UNROUTABLE["arcs"], groups=UNROUTABLE["groups"])
    spec = load(text)
    diags = fsm(spec, "fsm-path-unroutable")
    assert [(d.location, d.message) for d in diags] == [
        (
            spec.state("S").location,
            "no next-step table can take S -> T along a shortest legal path; "
            "this one walks S -> V -> X -> T",
        )
    ]
    table = compute_table(spec)
    assert table.distance["S"]["T"] == 4
    assert table.distance["V"]["T"] == 2
    assert table.path("V", "T") == ("V", "X", "T")


def test_pin_the_table_cannot_follow() -> None:
    text = toy_yaml(
        UNROUTABLE["states"],
        UNROUTABLE["arcs"],
        groups=UNROUTABLE["groups"],
        pins=[["S", "V", "W", "Y", "T"]],
    )
    ((_, message),) = pin_messages(text)
    assert "no next-step table can follow it: it walks S -> V -> X -> T" in message


LOOP = dict(states=["A", "B", "C"], arcs=["A C", "C B", "B A"], refused=["A B"])


def test_walk_loop_names_request_and_device() -> None:
    text = toy_yaml(**LOOP, walk="{stop_at_error: false}")  # type: ignore[arg-type]
    spec = load(text)
    (d,) = fsm(spec, "fsm-walk-loop")
    assert d.message == (
        "on a device without optional features, the request A -> B never returns: "
        "the lookup keeps landing on ERR, a state the device never has"
    )
    assert d.location.line == line_of(text, "walk:")
    assert d.notes[0].location is not None
    assert d.notes[0].location.line == line_of(text, "{from: A, to: B}")
    assert fsm(load(toy_yaml(**LOOP)), "fsm-walk-loop") == []  # type: ignore[arg-type]


def test_walk_loop_is_the_kernel_bug_in_the_bundled_spec() -> None:
    text = SEED_SPEC.read_text().replace("stop_at_error: true", "stop_at_error: false")
    spec = load(text, "hang.yaml")
    messages = sorted(d.message.split(" never returns")[0] for d in fsm(spec, "fsm-walk-loop"))
    assert messages == [
        "on a device with P2P+PRE_COPY, the request STOP_COPY -> PRE_COPY",
        "on a device with P2P+PRE_COPY, the request STOP_COPY -> PRE_COPY_P2P",
        "on a device with PRE_COPY, the request STOP_COPY -> PRE_COPY",
    ]
    assert {d.rule for d in fsm(spec) if d.severity >= Severity.WARNING} == {"fsm-walk-loop"}
    # The rule can be turned off like any other.
    assert not [
        d
        for d in lint_spec(spec, frozenset({"fsm-walk-loop"}), catalogue=all_rules)
        if d.rule == "fsm-walk-loop"
    ]


def test_walk_lands_on_unsupported_state_without_skipping() -> None:
    text = toy_yaml(
        ["A", "B", "M"],
        ["A M [X]", "M B [X]", "B A", "A B ![X]"],
        optional=["X"],
        needs={"M": ["X"]},
        walk="{skip_unsupported: false}",
    )
    spec = load(text)
    messages = [d.message for d in fsm(spec) if d.severity >= Severity.WARNING]
    assert (
        "on a device without optional features, the request A -> B steps to M, "
        "which the device does not have" in messages
    )


def test_walk_fails_where_the_device_could_go() -> None:
    text = toy_yaml(
        ["A", "B", "C", "M"],
        ["A M [X]", "M C [X]", "C B", "A B ![X]", "B A"],
        optional=["X"],
        needs={"M": ["X"]},
        refused=["M B"],
    )
    spec = load(text)
    (d,) = fsm(spec, "fsm-walk-fails")
    assert d.message == (
        "on a device without optional features, the request A -> B fails, "
        "though the device's own arcs allow A -> B"
    )


def test_walk_detour_when_saving_states_may_never_be_interior() -> None:
    text = SEED_SPEC.read_text().replace("interior: within-group", "interior: never")
    spec = load(text, "never.yaml")
    (d,) = [d for d in fsm(spec) if d.severity >= Severity.WARNING]
    assert d.rule == "fsm-walk-detour"
    assert d.message == (
        "on a device with PRE_COPY, PRE_COPY -> STOP_COPY walks "
        "PRE_COPY -> RUNNING -> STOP -> STOP_COPY, but PRE_COPY -> STOP_COPY is shorter"
    )


def test_effective_step_that_is_not_an_arc() -> None:
    text = toy_yaml(
        ["A", "B", "M"],
        ["A M [X]", "M B [X]", "B A"],
        optional=["X"],
        needs={"M": ["X"]},
    )
    spec = load(text)
    (d,) = fsm(spec, "fsm-step-not-arc")
    assert d.message == (
        "on a device without optional features, requests from A to B step A -> B, "
        "which is not an arc such a device has"
    )
    assert d.location == spec.state("A").location


def flow(steps: list[str], features: str = "[]") -> str:
    lines = ["flows:", "  - name: f", "    title: F", f"    features: {features}", "    steps:"]
    lines += [f"      - state: [V, M, {s}]" for s in steps]
    return "\n".join(lines)


def test_flow_step_that_is_refused() -> None:
    text = toy_yaml(**LOOP, extra=flow(["A", "B"]))  # type: ignore[arg-type]
    spec = load(text)
    (d,) = fsm(spec, "fsm-flow-step")
    assert d.message == (
        "flow 'f' on a device without optional features: the device cannot go A -> B (it is refused)"
    )
    assert d.location.line == line_of(text, "state: [V, M, B]")


def test_flow_combination_note_names_the_states_between() -> None:
    text = toy_yaml(**LOOP, extra=flow(["C", "A"]))  # type: ignore[arg-type]
    spec = load(text)
    (d,) = fsm(spec)
    assert (d.rule, d.severity) == ("fsm-flow-combination", Severity.NOTE)
    assert d.message == (
        "flow 'f' on a device without optional features: C -> A passes through B (C -> B -> A)"
    )


def test_projected_flow_must_stay_legal() -> None:
    """Legal as drawn (C -> M is an arc), but a device without X is in B, and C -> B is refused."""
    text = toy_yaml(
        ["A", "B", "C", "M"],
        ["A B", "B C", "C A", "C M [X]", "M A [X]"],
        optional=["X"],
        needs={"M": ["X"]},
        refused=["C B"],
        state_extra={"M": "stand_in: B"},
        extra=flow(["C", "M"], "[X]"),
    )
    spec = load(text)
    (d,) = fsm(spec, "fsm-flow-step")
    assert d.message == (
        "flow 'f' on a device without optional features: the device cannot go C -> B (it is refused)"
    )


def test_stand_in_unresolved() -> None:
    text = toy_yaml(
        ["A", "M"],
        ["A M [X]", "M A [X]", "A A"],
        optional=["X"],
        needs={"M": ["X"]},
        extra=flow(["A", "M"], "[X]"),
    )
    spec = load(text)
    (d,) = fsm(spec, "fsm-stand-in-unresolved")
    assert d.message == "flow 'f': no state stands in for M on a device without optional features"
    assert d.location.line == line_of(text, "state: [V, M, M]")
