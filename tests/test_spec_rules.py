"""Structural spec rules: every rule fires on a spec with its defect, and stays
quiet on a near miss.

Each case edits the small disk-mirror spec (``tests/specs/mirror-small.yaml``)
by plain text replacement, so the line a diagnostic should point at can be
read off the edited text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from migspec.diagnostics import Diagnostic
from migspec.lint import spec_rules
from migspec.lint.spec import lint_spec
from migspec.load.spec import load_spec_text
from migspec.rules import all_rules

from .conftest import ROOT

BASE = (ROOT / "tests" / "specs" / "mirror-small.yaml").read_text()

# Lines of the base spec that the cases below edit (checked in test_base_lines).
IDLE_TO_COPYING = "  - {from: IDLE, to: COPYING, session: open}\n"
COPYING_TO_READY = "  - {from: COPYING, to: READY}\n"
READY_TO_IDLE = "  - {from: READY, to: IDLE, session: close}\n"
TO_THROTTLED = "  - {from: COPYING, to: THROTTLED, features: [THROTTLE]}\n"
READY = "  - {name: READY, value: 4, groups: [job]}\n"
STEP3_FEATURES = "        features: [THROTTLE]\n      - state: [PAUSED"


@dataclass(frozen=True)
class Case:
    rule: str
    edits: tuple[tuple[str, str], ...]
    lines: tuple[int, ...] = ()  # where the rule must fire; empty for a near miss
    message: str = ""  # a regex the first message must match
    append: str = ""  # text added at the end of the spec


def variant(*edits: tuple[str, str]) -> str:
    text = BASE
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not unique: {old!r}"
        text = text.replace(old, new)
    return text


def lint_text(text: str, disabled: frozenset[str] = frozenset()) -> list[Diagnostic]:
    result = load_spec_text(text, "t.yaml")
    assert result.spec is not None, [str(d) for d in result.diagnostics]
    return lint_spec(result.spec, disabled, catalogue=all_rules)


def add_state(line: str) -> tuple[str, str]:
    return (READY, READY + line + "\n")


def comment(arcs: str) -> tuple[str, str]:
    """An ``fsm_comment`` with one paragraph listing ``arcs`` (on line 30)."""
    refused = "  - {from: READY, to: COPYING}\n"
    return (refused, f"{refused}fsm_comment:\n  paragraphs:\n    - {{arcs: {arcs}, doc: x}}\n")


def add_arc(line: str) -> tuple[str, str]:
    return (READY_TO_IDLE, READY_TO_IDLE + line + "\n")


# Added states and arcs land on line 19 (states) or line 23 (arcs).
SENTINELS = "  c: {enum: mirror_state, prefix: MIRROR_"
MIRROR_SECTION = "    section: mirror.c\n"
JOB_START = "  - {name: job_start}\n"
POSITIVE = [
    Case(
        "flow-step-text-drawing",
        (("[Migration calls job_start()]", "['(RUNNING, _ACTIVE, _COPYING)', '|']"),),
        (40, 40),
        "reads as a state tuple",
    ),
    Case(
        "callback-elsewhere-unlisted",
        ((JOB_START, JOB_START + "  - {name: job_drain, thread: true, channel: nbd}\n"),),
        (32,),
        "callback job_drain runs in a thread of its own, over the nbd channels, but no flow",
    ),
    Case(
        "sources-outside-directory",
        ((MIRROR_SECTION, MIRROR_SECTION + "    sources: [block/mirror.c, hw/mirror.c]\n"),),
        (51,),
        r"source hw/mirror\.c is not a \.c file in block",
    ),
    Case(
        "sentinel-names-state",
        ((SENTINELS, SENTINELS + ", sentinels: [MIRROR_NR, MIRROR_READY]"),),
        (4,),
        "sentinel MIRROR_READY is the C name of state READY",
    ),
    Case("duplicate-name", (add_state("  - {name: READY, value: 5}"),), (19,), "state 'READY'"),
    Case(
        "duplicate-name",
        (("  - {name: job_complete}", "  - {name: job_complete}\n  - {name: job_start}"),),
        (33,),
        "callback 'job_start'",
    ),
    Case(
        "duplicate-name",
        (("  - {name: copying}", "  - {name: copying}\n  - {name: copying}"),),
        (13,),
        "class 'copying'",
    ),
    Case(
        "duplicate-name",
        (("{name: job, interior: allowed}", "{name: job}\n  - {name: job}"),),
        (11,),
        "group 'job'",
    ),
    Case(
        "duplicate-name",
        (
            (
                "      - {name: mirror_set_state,",
                "      - {name: mirror_set_state, args: [], format: '\"x\"'}\n"
                "      - {name: mirror_set_state,",
            ),
        ),
        (55,),
        "trace event 'mirror_set_state'",
    ),
    Case(
        "duplicate-value", (("{name: THROTTLED, value: 3,", "{name: THROTTLED, value: 2,"),), (17,)
    ),
    Case(
        "duplicate-value",
        (("MIRROR_F_THROTTLE, bit: 1", "MIRROR_F_THROTTLE, bit: 0"),),
        (8,),
        "bit 0",
    ),
    Case(
        "duplicate-value",
        (("macro: MIRROR_F_THROTTLE", "macro: MIRROR_F_BULK"),),
        (8,),
        "macro MIRROR_F_BULK",
    ),
    Case("state-error-count", (add_state("  - {name: BROKEN, value: 5, error: true}"),), (19,)),
    Case(
        "state-initial-count",
        (("{name: IDLE, value: 1, initial: true}", "{name: IDLE, value: 1}"),),
        (14,),
    ),
    Case(
        "state-initial-count",
        (("{name: READY, value: 4,", "{name: READY, value: 4, initial: true,"),),
        (18,),
        "second 'initial: true'",
    ),
    Case(
        "state-initial-count",
        (
            (
                "{name: FAILED, value: 0, error: true}",
                "{name: FAILED, value: 0, error: true, initial: true}",
            ),
            ("{name: IDLE, value: 1, initial: true}", "{name: IDLE, value: 1}"),
        ),
        (14,),
        "error state FAILED cannot be the initial state",
    ),
    Case(
        "state-unreachable",
        (add_state("  - {name: PARKED, value: 5}"), add_arc("  - {from: PARKED, to: IDLE}")),
        (19,),
        "PARKED cannot be reached from IDLE",
    ),
    Case(
        "state-no-return",
        (add_state("  - {name: STUCK, value: 5}"), add_arc("  - {from: READY, to: STUCK}")),
        (19,),
        "STUCK has no path back to IDLE",
    ),
    Case(
        "arc-feature-missing",
        ((TO_THROTTLED, "  - {from: COPYING, to: THROTTLED}\n"),),
        (24,),
        "needs THROTTLE",
    ),
    Case("arc-duplicate", ((COPYING_TO_READY, COPYING_TO_READY * 2),), (22,), "listed twice$"),
    Case(
        "arc-duplicate",
        (
            (
                COPYING_TO_READY,
                COPYING_TO_READY + "  - {from: COPYING, to: READY, features: [THROTTLE]}\n",
            ),
        ),
        (22,),
        r"a device with THROTTLE has both",
    ),
    Case(
        "arc-refused-conflict",
        (("  - {from: READY, to: COPYING}\nvm", "  - {from: COPYING, to: READY}\nvm"),),
        (27,),
    ),
    Case("arc-error-state", (add_arc("  - {from: READY, to: FAILED}"),), (23,)),
    # fsm_comment paragraphs land on line 30.
    Case("comment-arc-invalid", (comment("[IDLE -> READY]"),), (30,), "neither an arc"),
    Case(
        "comment-arc-invalid",
        (comment("[COPYING -> READY, READY -> COPYING]"),),
        (30,),
        "both arcs and refused",
    ),
    Case("comment-arc-invalid", (comment("[any -> IDLE]"),), (30,), "only the error state"),
    Case("comment-arc-invalid", (comment("[COPYING -> READY, COPYING -> READY]"),), (30,), "twice"),
    Case("arc-error-state", (add_arc("  - {from: FAILED, to: IDLE}"),), (23,)),
    Case(
        "arc-session",
        ((IDLE_TO_COPYING, "  - {from: IDLE, to: COPYING}\n"),),
        (20,),
        "enters group job",
    ),
    Case(
        "arc-session",
        ((READY_TO_IDLE, "  - {from: READY, to: IDLE}\n"),),
        (22,),
        "leaves group job",
    ),
    Case(
        "arc-session",
        ((COPYING_TO_READY, "  - {from: COPYING, to: READY, session: open}\n"),),
        (21,),
        "stays inside group job and cannot open",
    ),
    Case(
        "condition-unsatisfiable",
        (
            (
                TO_THROTTLED,
                "  - {from: COPYING, to: THROTTLED, features: [THROTTLE], without: [THROTTLE]}\n",
            ),
        ),
        (24,),
        "both needs and excludes THROTTLE",
    ),
    Case(
        "condition-unsatisfiable",
        (
            (
                STEP3_FEATURES,
                "        features: [THROTTLE]\n        without: [BULK]\n      - state: [PAUSED",
            ),
        ),
        (43,),
        "step 3 of flow 'migrate' excludes BULK, which every device has",
    ),
    Case(
        "condition-unsatisfiable",
        (
            (
                "text_after: [job_complete() disconnects from the target]",
                "text_after: [{text: bye, without: [BULK]}]",
            ),
        ),
        (47,),
        "line 'bye' excludes BULK",
    ),
    Case(
        "stand-in-invalid",
        (("stand_in: COPYING}", "stand_in: THROTTLED}"),),
        (17,),
        "THROTTLED cannot stand in for THROTTLED",
    ),
    Case(
        "stand-in-invalid",
        (("classes: [copying]}", "classes: [copying], stand_in: IDLE}"),),
        (16,),
        "needs no optional feature",
    ),
    Case(
        "stand-in-invalid",
        (("stand_in: COPYING}", "stand_in: {BULK: COPYING}}"),),
        (17,),
        "does not need feature BULK",
    ),
    Case(
        "stand-in-invalid",
        (
            add_state("  - {name: SLOW, value: 5, features: [THROTTLE], stand_in: THROTTLED}"),
            add_arc("  - {from: COPYING, to: SLOW, features: [THROTTLE]}"),
            add_arc("  - {from: SLOW, to: COPYING, features: [THROTTLE]}"),
        ),
        (19,),
        "THROTTLED cannot stand in for SLOW: it needs THROTTLE too",
    ),
    Case(
        "tuple-unknown-state",
        (("state: [PAUSED, COMPLETED, IDLE]", "state: [PAUSD, COMPLETED, IDLE]"),),
        (49,),
        "unknown VM state 'PAUSD'",
    ),
    Case(
        "tuple-unknown-state",
        (("state: [RUNNING, NONE, IDLE]", "state: [RUNNING, SETUP, IDLE]"),),
        (39,),
        "unknown migration state 'SETUP'",
    ),
    Case(
        "flow-state-needs-feature",
        (
            ("    features: [THROTTLE]\n    steps:", "    steps:"),
            (STEP3_FEATURES, "      - state: [PAUSED"),
        ),
        (43,),
        "shows THROTTLED, which needs THROTTLE that the flow does not assume",
    ),
    Case(
        "flow-state-needs-feature",
        ((STEP3_FEATURES, "        without: [THROTTLE]\n      - state: [PAUSED"),),
        (44,),
        "in a step drawn only without it",
    ),
    Case(
        "lint-disable-unknown",
        (),
        (60,),
        "no rule is called 'arc-sesion'; did you mean 'arc-session'",
        append="lint:\n  disable: [arc-sesion]\n",
    ),
    Case(
        "lint-disable-unknown",
        (),
        (60,),
        "rule 'yaml-syntax' is reported while the spec is read",
        append="lint:\n  disable: [yaml-syntax]\n",
    ),
]

NEGATIVE = [
    # Parentheses and bars inside prose are text.
    Case(
        "flow-step-text-drawing",
        (
            (
                "[Migration calls job_start()]",
                "['Migration (RUNNING, ACTIVE) calls job_start() | x']",
            ),
        ),
    ),
    Case(
        "callback-elsewhere-unlisted",
        ((JOB_START, "  - {name: job_start, thread: true}\n  - {name: job_drain}\n"),),
    ),
    Case(
        "sources-outside-directory",
        ((MIRROR_SECTION, MIRROR_SECTION + "    sources: [block/mirror.c, block/mirror-job.c]\n"),),
    ),
    Case("sentinel-names-state", ((SENTINELS, SENTINELS + ", sentinels: [MIRROR_NR]"),)),
    Case(
        "duplicate-name",
        (
            add_state("  - {name: READY2, value: 5}"),
            add_arc("  - {from: READY, to: READY2}"),
            add_arc("  - {from: READY2, to: IDLE}"),
        ),
    ),
    Case("duplicate-value", ()),
    # A machine without an error state is fine.
    Case(
        "state-error-count",
        (("{name: FAILED, value: 0, error: true}", "{name: FAILED, value: 0}"),),
    ),
    Case("state-initial-count", ()),
    # The error state has no arcs at all and is exempt.
    Case("state-unreachable", ()),
    Case("state-no-return", ()),
    # Mandatory features need not be declared by an arc.
    Case(
        "arc-feature-missing",
        (("{name: COPYING, value: 2,", "{name: COPYING, value: 2, features: [BULK],"),),
    ),
    # Same ends for disjoint kinds of device.
    Case(
        "arc-duplicate",
        (
            (COPYING_TO_READY, "  - {from: COPYING, to: READY, features: [THROTTLE]}\n"),
            (
                READY_TO_IDLE,
                READY_TO_IDLE + "  - {from: COPYING, to: READY, without: [THROTTLE]}\n",
            ),
        ),
    ),
    Case("arc-refused-conflict", ()),
    Case("arc-error-state", ()),
    Case("comment-arc-invalid", (comment("[COPYING -> READY, COPYING -> IDLE]"),)),
    Case("comment-arc-invalid", (comment("[READY -> COPYING]"),)),
    Case("comment-arc-invalid", (comment("[any -> FAILED]"),)),
    # Arcs between states outside every group may open and close sessions
    # (like VFIO's RESUMING); arcs into the error state are another rule's.
    Case(
        "arc-session",
        (
            add_state("  - {name: LOADING, value: 5}"),
            add_arc("  - {from: IDLE, to: LOADING, session: open}"),
            add_arc("  - {from: LOADING, to: IDLE, session: close}"),
            add_arc("  - {from: READY, to: FAILED}"),
        ),
    ),
    Case(
        "condition-unsatisfiable",
        (
            (
                TO_THROTTLED,
                "  - {from: COPYING, to: THROTTLED, features: [THROTTLE]}\n  - {from: COPYING, to: IDLE, without: [THROTTLE], session: close}\n",
            ),
        ),
    ),
    Case(
        "stand-in-invalid",
        (("stand_in: COPYING}", "stand_in: {THROTTLE: COPYING}}"),),
    ),
    # Without vm_states / migration_states, tuple members are not checked.
    Case(
        "tuple-unknown-state",
        (
            ("vm_states: [RUNNING, PAUSED]\n", ""),
            ("migration_states: [NONE, ACTIVE, COMPLETED]\n", ""),
            ("state: [RUNNING, NONE, IDLE]", "state: [BOOTING, NEW, IDLE]"),
        ),
    ),
    # The step's own features cover THROTTLED even when the flow assumes none.
    Case("flow-state-needs-feature", (("    features: [THROTTLE]\n    steps:", "    steps:"),)),
    Case("lint-disable-unknown", (), append="lint:\n  disable: [arc-session, state-unreachable]\n"),
]


def _text(case: Case) -> str:
    return variant(*case.edits) + case.append


def _id(case: Case) -> str:
    return case.rule


def test_base_spec_is_clean() -> None:
    assert lint_text(BASE) == []


def test_base_lines() -> None:
    lines = BASE.splitlines()
    assert lines[19] + "\n" == IDLE_TO_COPYING
    assert lines[21] + "\n" == READY_TO_IDLE
    assert lines[17] + "\n" == READY
    assert len(lines) == 58


@pytest.mark.parametrize("case", POSITIVE, ids=_id)
def test_rule_fires(case: Case) -> None:
    diagnostics = lint_text(_text(case))
    hits = [d for d in diagnostics if d.rule == case.rule]
    assert tuple(d.location.line for d in hits) == case.lines, [
        str(d.location) for d in diagnostics
    ]
    assert all(d.location.path == "t.yaml" and d.location.column > 0 for d in hits)
    if case.message:
        assert re.search(case.message, hits[0].message), hits[0].message


@pytest.mark.parametrize("case", NEGATIVE, ids=_id)
def test_rule_quiet_on_near_miss(case: Case) -> None:
    diagnostics = lint_text(_text(case))
    assert [d for d in diagnostics if d.rule == case.rule] == []


@pytest.mark.parametrize("case", POSITIVE, ids=_id)
def test_rule_can_be_disabled(case: Case) -> None:
    diagnostics = lint_text(_text(case), disabled=frozenset({case.rule}))
    assert [d for d in diagnostics if d.rule == case.rule] == []


def test_every_rule_has_a_positive_and_a_negative_case() -> None:
    ids = {r.id for r in (*spec_rules.RULES, *spec_rules.SUPPRESSION_RULES)}
    assert ids == {c.rule for c in POSITIVE}
    assert ids == {c.rule for c in NEGATIVE}


@pytest.mark.parametrize("rule", spec_rules.RULES, ids=lambda r: r.id)
def test_rule_is_documented(rule: object) -> None:
    from migspec.diagnostics import Rule

    assert isinstance(rule, Rule)
    assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)+", rule.id)
    assert rule.summary and rule.summary.endswith(".")
    assert rule.example.strip()
    assert rule.scope == "spec"
    assert rule.check is not None


def test_duplicate_note_points_at_first_definition() -> None:
    (diag,) = [
        d
        for d in lint_text(variant(add_state("  - {name: READY, value: 5}")))
        if d.rule == "duplicate-name"
    ]
    assert diag.notes[0].location is not None
    assert diag.notes[0].location.line == 18


def test_spec_lint_disable_is_applied() -> None:
    text = variant((IDLE_TO_COPYING, "  - {from: IDLE, to: COPYING}\n"))
    assert [d.rule for d in lint_text(text)] == ["arc-session"]
    text += "lint:\n  disable: [arc-session]\n"
    assert lint_text(text) == []


def test_duplicate_state_does_not_change_the_first() -> None:
    # The second READY (no group) must not replace the first in lookups: that
    # made arcs into READY "leave the job group" (arc-session) as well.
    text = variant(add_state("  - {name: READY, value: 5}"))
    assert [d.rule for d in lint_text(text)] == ["duplicate-name"]
