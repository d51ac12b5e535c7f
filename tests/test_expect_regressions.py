"""Issue 13, reproductions 1-3: check, update and render agree on what a region holds.

Each was a second decision about coverage somewhere (update read every state,
render and check only those ``code.features`` handles); the expectations
layer (:mod:`migspec.expect`) now decides it once.  The example spec
(``spec/examples/vfio-migration-3d4d0f0e06.yaml``) describes a QEMU whose C
handles no P2P state.
"""

from __future__ import annotations

from pathlib import Path

from migspec.artefacts import check_tree, plan_update
from migspec.expect.code import expect_code
from migspec.update import apply_plan

from .conftest import ROOT
from .source_trees import BASE, TREES, build_tree, with_corpus
from .test_cli_check import migspec
from .update_support import REGION_RULES, edit, load

EXAMPLE = ROOT / "spec" / "examples" / "vfio-migration-3d4d0f0e06.yaml"
PRE_SEED = TREES / "pre-seed" / "seed-reverted.patch"
COMMON = "hw/vfio/common.c"


def region_findings(tree: Path) -> list[tuple[str, str]]:
    spec = load(EXAMPLE)
    return sorted(
        (d.rule, Path(d.location.path).relative_to(tree).as_posix())
        for d in check_tree(spec, tree)
        if d.rule in REGION_RULES
    )


def test_the_example_spec_handles_no_p2p_state() -> None:
    # What the three reproductions below turn on, decided in one place.
    code = expect_code(load(EXAMPLE))
    assert [c.state.name for c in code.handled] == [
        "ERROR",
        "STOP",
        "RUNNING",
        "STOP_COPY",
        "RESUMING",
        "PRE_COPY",
    ]
    assert len(code.enum) == 8  # the uAPI enum still has every state
    running = next(p for p in code.predicates if p.predicate.state_class == "running")
    assert [c.name for c in running.members] == ["VFIO_DEVICE_STATE_RUNNING"]


def test_update_on_the_tree_the_example_spec_describes(tmp_path: Path) -> None:
    """Reproduction 1: the C of QEMU 3d4d0f0e06 (no P2P case, no P2P member):
    ``update --check`` used to die with a KeyError in update/to_string.py."""
    tree = build_tree(tmp_path / "tree", PRE_SEED)
    run = migspec("update", "--check", "--spec", str(EXAMPLE), "--source-root", str(tree))
    assert "Traceback" not in run.stderr
    # The docs and trace-events are the base tree's (QEMU after the seed):
    # those differ, the C agrees.
    assert run.returncode == 1, run.stderr
    would = [line.split()[-1] for line in run.stderr.splitlines() if "would update" in line]
    assert would == [f"{tree}/hw/vfio/trace-events", f"{tree}/docs/devel/vfio-migration.rst"]
    assert {path for _, path in region_findings(tree)} == {
        "hw/vfio/trace-events",
        "docs/devel/vfio-migration.rst",
    }


def test_update_on_the_real_3d4d0f0e06_docs(corpus: Path, tmp_path: Path) -> None:
    """Reproduction 1 on the real tree: its rst and trace-events as well."""
    tree = with_corpus(build_tree(tmp_path / "tree", PRE_SEED), corpus / "qemu-3d4d0f0e06")
    run = migspec("update", "--check", "--spec", str(EXAMPLE), "--source-root", str(tree))
    assert "Traceback" not in run.stderr
    assert run.returncode == 0, run.stderr
    assert region_findings(tree) == []


def test_update_rewrites_what_check_calls_an_extra_predicate_member(tmp_path: Path) -> None:
    """Reproduction 2: check reported check-predicate-extra in common.c (the
    P2P states this QEMU does not handle); update --diff left common.c alone."""
    tree = build_tree(tmp_path / "tree")
    findings = region_findings(tree)
    assert ("check-predicate-extra", COMMON) in findings
    run = migspec("update", "--diff", "--spec", str(EXAMPLE), "--source-root", str(tree))
    assert run.returncode == 0, run.stderr
    assert f"--- a/{COMMON}\n" in run.stdout
    assert "-           migration->device_state == VFIO_DEVICE_STATE_RUNNING_P2P;\n" in run.stdout
    spec = load(EXAMPLE)
    plan = plan_update(spec, tree)
    assert plan.diagnostics == ()
    assert apply_plan(plan).diagnostics == ()
    assert region_findings(tree) == []
    assert plan_update(spec, tree).files == ()


def test_a_parenthesised_correct_predicate_is_left_alone(tmp_path: Path) -> None:
    """Reproduction 3: ``return (s == RUNNING);`` is right for the example
    spec; update used to plan a rewrite, fail its read-back and print
    "internal error ... please report it"."""
    tree = build_tree(tmp_path / "tree", PRE_SEED)
    edit(
        tree,
        COMMON,
        "    return migration->device_state == VFIO_DEVICE_STATE_RUNNING;",
        "    return (migration->device_state == VFIO_DEVICE_STATE_RUNNING);",
    )
    assert [f for f in region_findings(tree) if f[1] == COMMON] == []
    run = migspec("update", "--check", "--spec", str(EXAMPLE), "--source-root", str(tree))
    assert "internal error" not in run.stderr
    assert COMMON not in run.stderr, run.stderr
    plan = plan_update(load(EXAMPLE), tree)
    assert plan.diagnostics == ()
    assert COMMON not in {f.rel for f in plan.files}


def test_a_to_string_case_for_a_state_the_c_does_not_handle(tmp_path: Path) -> None:
    """The base tree's switch has P2P cases: for the example spec that is an
    extra case, which check reports and update removes (and render never writes)."""
    spec = load(EXAMPLE)
    findings = region_findings(BASE)
    assert findings.count(("check-to-string-extra", "hw/vfio/migration.c")) == 2
    tree = build_tree(tmp_path / "tree")
    assert apply_plan(plan_update(spec, tree)).diagnostics == ()
    text = (tree / "hw/vfio/migration.c").read_text()
    assert "case VFIO_DEVICE_STATE_RUNNING_P2P:" not in text
    assert "case VFIO_DEVICE_STATE_PRE_COPY:" in text
    assert region_findings(tree) == []
