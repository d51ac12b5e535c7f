"""``plan_update`` / ``apply_plan`` on the fixture trees: no-ops, repairs, idempotence, safety."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from migspec.artefacts import plan_update
from migspec.model import Spec
from migspec.update import apply_plan

from .source_trees import BASE, TREES, build_tree
from .update_support import (
    DRIFTS,
    REGION_RULES,
    bundled,
    edit,
    git,
    load,
    problems,
    snapshot_tree,
    toy_spec,
    toy_tree,
)

# What a drift leaves behind that is not a generated region: C that calls a
# trace event the spec does not list, or calls one with the wrong arguments.
LEFT_FOR_HUMANS = {
    "drift-trace-extra": {"check-trace-call-unknown"},
    "drift-trace-call-args": {"check-trace-call-args"},
}


def test_there_are_drifts_of_every_region_kind() -> None:
    assert {
        "drift-to-string-missing",
        "drift-to-string-string",
        "drift-predicate-running-p2p",
        "drift-trace-extra",
        "drift-trace-format",
        "drift-doc-tuple",
        "drift-doc-steps",
    } <= set(DRIFTS)


def test_agreeing_trees_plan_nothing(tmp_path: Path) -> None:
    for spec, root in (
        (bundled(), BASE),
        (load(TREES / "save-cleanup-drift" / "spec.yaml"), BASE),
        (toy_spec(), toy_tree(tmp_path / "toy")),
    ):
        plan = plan_update(spec, root)
        assert plan.files == () and plan.diagnostics == (), root


@pytest.mark.parametrize("name", DRIFTS)
def test_write_repairs_every_drift(name: str, tmp_path: Path) -> None:
    spec = bundled()
    tree = build_tree(tmp_path / "tree", TREES / name / "drift.patch")
    before = problems(spec, tree)
    assert before
    plan = plan_update(spec, tree)
    assert plan.diagnostics == ()
    result = apply_plan(plan)
    assert result.diagnostics == ()
    assert sorted(result.written) == sorted(f.rel for f in plan.files)
    after = problems(spec, tree)
    assert not after & REGION_RULES
    assert after == LEFT_FOR_HUMANS.get(name, set())


@pytest.mark.parametrize("name", DRIFTS)
def test_write_restores_the_base_tree_byte_for_byte(name: str, tmp_path: Path) -> None:
    """Each drift patch is undone exactly, except where the tree's hand layout
    and the template's layout differ on a line whose meaning changed."""
    tree = build_tree(tmp_path / "tree", TREES / name / "drift.patch")
    apply_plan(plan_update(bundled(), tree))
    restored = snapshot_tree(tree)
    base = snapshot_tree(BASE)
    differ = sorted(rel for rel in base if restored[rel] != base[rel])
    expected = {
        # The template centres this tuple one column left of the hand drawing.
        "drift-doc-tuple": ["docs/devel/vfio-migration.rst"],
        # C still calls the event the drift added; update does not write C calls.
        "drift-trace-extra": ["hw/vfio/migration.c"],
        "drift-trace-call-args": ["hw/vfio/migration.c"],
    }
    assert differ == expected.get(name, [])


def _every_tree(tmp_path: Path) -> list[tuple[Spec, Path]]:
    spec = bundled()
    trees = [(spec, build_tree(tmp_path / "base"))]
    trees += [(spec, build_tree(tmp_path / n, TREES / n / "drift.patch")) for n in DRIFTS]
    trees.append(
        (spec, build_tree(tmp_path / "pre-seed", TREES / "pre-seed" / "seed-reverted.patch"))
    )
    trees.append((load(TREES / "save-cleanup-drift" / "spec.yaml"), build_tree(tmp_path / "sc")))
    trees.append((toy_spec(), toy_tree(tmp_path / "toy")))
    return trees


def test_a_second_write_changes_nothing_on_every_fixture_tree(tmp_path: Path) -> None:
    for spec, tree in _every_tree(tmp_path):
        apply_plan(plan_update(spec, tree))
        first = snapshot_tree(tree)
        again = plan_update(spec, tree)
        assert again.files == (), tree
        assert apply_plan(again).written == ()
        assert snapshot_tree(tree) == first


@pytest.mark.parametrize("name", DRIFTS)
def test_the_diff_applies_with_git_apply(name: str, tmp_path: Path) -> None:
    spec = bundled()
    written = build_tree(tmp_path / "written", TREES / name / "drift.patch")
    patched = build_tree(tmp_path / "patched", TREES / name / "drift.patch")
    plan = plan_update(spec, patched)
    apply_plan(plan_update(spec, written))
    diff = plan.diff()
    if name == "drift-trace-call-args":
        assert diff == b""  # only C calls drifted: nothing update writes
        return
    assert diff.startswith(b"--- a/")
    run = git(patched, "apply", "--whitespace=nowarn", "-", stdin=diff)
    assert run.returncode == 0, run.stderr
    assert snapshot_tree(patched) == snapshot_tree(written)


def test_a_file_changed_between_plan_and_apply_is_not_overwritten(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / "pre-seed" / "seed-reverted.patch")
    plan = plan_update(bundled(), tree)
    assert {f.rel for f in plan.files} == {"hw/vfio/common.c", "hw/vfio/migration.c"}
    common = tree / "hw/vfio/common.c"
    hand_edit = common.read_bytes() + b"/* edited meanwhile */\n"
    common.write_bytes(hand_edit)
    result = apply_plan(plan)
    assert [(d.rule, d.location.path) for d in result.diagnostics] == [
        ("write-conflict", str(common))
    ]
    assert common.read_bytes() == hand_edit
    assert result.written == ("hw/vfio/migration.c",)


def test_a_symlink_out_of_the_root_is_refused(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / "drift-trace-format" / "drift.patch")
    outside = tmp_path / "outside-trace-events"
    shutil.move(tree / "hw/vfio/trace-events", outside)
    os.symlink(outside, tree / "hw/vfio/trace-events")
    before = outside.read_bytes()
    plan = plan_update(bundled(), tree)
    assert plan.files == ()
    assert [(d.rule, d.location.path) for d in plan.diagnostics] == [
        ("write-outside-root", str(tree / "hw/vfio/trace-events"))
    ]
    apply_plan(plan)
    assert outside.read_bytes() == before


def test_a_symlink_planted_after_planning_is_refused(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / "drift-trace-format" / "drift.patch")
    plan = plan_update(bundled(), tree)
    outside = tmp_path / "outside"
    shutil.move(tree / "hw/vfio/trace-events", outside)
    os.symlink(outside, tree / "hw/vfio/trace-events")
    before = outside.read_bytes()
    result = apply_plan(plan)
    assert [d.rule for d in result.diagnostics] == ["write-outside-root"]
    assert outside.read_bytes() == before


def test_the_file_mode_is_kept(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / "drift-predicate-running-p2p" / "drift.patch")
    common = tree / "hw/vfio/common.c"
    common.chmod(0o750)
    assert apply_plan(plan_update(bundled(), tree)).written == ("hw/vfio/common.c",)
    assert stat.S_IMODE(common.stat().st_mode) == 0o750


def test_crlf_and_a_missing_final_newline_are_kept(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / "drift-trace-format" / "drift.patch")
    trace = tree / "hw/vfio/trace-events"
    crlf = trace.read_bytes().replace(b"\n", b"\r\n").removesuffix(b"\r\n")
    trace.write_bytes(crlf)
    apply_plan(plan_update(bundled(), tree))
    expected = (BASE / "hw/vfio/trace-events").read_bytes().replace(b"\n", b"\r\n")
    assert trace.read_bytes() == expected.removesuffix(b"\r\n")


def test_only_the_section_is_touched(tmp_path: Path) -> None:
    """Events of other sections that the spec does not list stay, and so do comments."""
    tree = build_tree(tmp_path / "tree")
    edit(tree, "hw/vfio/trace-events", "# migration.c\n", "# migration.c\n# (sorted)\n")
    edit(
        tree,
        "hw/vfio/trace-events",
        'vfio_save_block(const char *name, int data_size) " (%s) data_size %d"\n',
        "",
    )
    edit(
        tree,
        "hw/vfio/trace-events",
        "# pci.c\n",
        '# pci.c\nvfio_save_block(const char *name, int data_size) "%d"\n',
    )
    (plan_file,) = plan_update(bundled(), tree).files
    old = plan_file.old.decode().splitlines()
    new = plan_file.new.decode().splitlines()
    added = [line for line in new if line not in old]
    assert added == ['vfio_save_block(const char *name, int data_size) " (%s) data_size %d"']
    assert new.index(added[0]) > new.index("# migration.c")
    assert [line for line in old if line not in new] == []


def test_a_crlf_diff_applies_with_git_apply(tmp_path: Path) -> None:
    trees = []
    for name in ("written", "patched"):
        tree = build_tree(tmp_path / name, TREES / "drift-trace-format" / "drift.patch")
        trace = tree / "hw/vfio/trace-events"
        trace.write_bytes(trace.read_bytes().replace(b"\n", b"\r\n").removesuffix(b"\r\n"))
        trees.append(tree)
    written, patched = trees
    apply_plan(plan_update(bundled(), written))
    diff = plan_update(bundled(), patched).diff()
    assert b"\\ No newline at end of file" in diff
    run = git(patched, "apply", "--whitespace=nowarn", "-", stdin=diff)
    assert run.returncode == 0, run.stderr
    assert snapshot_tree(patched) == snapshot_tree(written)
