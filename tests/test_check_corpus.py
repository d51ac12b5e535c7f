"""``check_tree`` with real QEMU docs and trace-events (copied from ../shared at test time)."""

from __future__ import annotations

from pathlib import Path

from migspec.artefacts import check_tree
from migspec.load.spec import load_spec
from migspec.model import Spec

from .conftest import SEED_SPEC
from .source_trees import BASE, TREES, build_tree, expected, found, with_corpus


def _spec() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


def test_seed_revision_agrees_with_the_bundled_spec(corpus: Path, tmp_path: Path) -> None:
    tree = with_corpus(build_tree(tmp_path / "tree"), corpus / "qemu-94f775e428")
    assert found(check_tree(_spec(), tree), tree) == expected(BASE / "expected.txt")


def test_pre_seed_revision_reports_what_the_seed_changed(corpus: Path, tmp_path: Path) -> None:
    case = TREES / "pre-seed"
    tree = with_corpus(
        build_tree(tmp_path / "tree", case / "seed-reverted.patch"), corpus / "qemu-3d4d0f0e06"
    )
    diagnostics = check_tree(_spec(), tree)
    assert found(diagnostics, tree) == expected(case / "expected.txt")
    by_rule = {d.rule: d for d in diagnostics}
    assert "vfio_vmstate_change_prepare" in by_rule["check-trace-missing"].message
    missing = [d for d in diagnostics if d.rule == "check-docs-step-missing"]
    assert "(POSTMIGRATE, _COMPLETED, _STOP)" in missing[0].message
    assert ".save_cleanup() is called" in missing[0].message
    texts = [d.message for d in diagnostics if d.rule == "check-docs-text"]
    assert (
        "the docs say 'Incoming migration calls .load_setup for each device', the spec says "
        "'Incoming migration calls .load_setup() for each device'" in " ".join(texts)
    )


def test_pre_seed_tree_against_the_pre_seed_spec(corpus: Path, tmp_path: Path) -> None:
    """The example spec describes QEMU at 3d4d0f0e06: its to-string, predicates,
    trace events and both drawings agree with that tree.  What remains is real:
    the code already moved STOP_COPY -> STOP into .save_cleanup() (5485298ce0)
    while the docs still showed .save_live_complete_precopy() stopping the
    device -- the drift the P2P commit's doc rewrite fixed."""
    case = TREES / "pre-seed"
    tree = with_corpus(
        build_tree(tmp_path / "tree", case / "seed-reverted.patch"), corpus / "qemu-3d4d0f0e06"
    )
    old = load_spec(Path(SEED_SPEC).parent / "vfio-migration-3d4d0f0e06.yaml").spec
    assert old is not None
    diagnostics = [d for d in check_tree(old, tree) if d.severity.label != "note"]
    assert [(d.rule, Path(d.location.path).name) for d in diagnostics] == [
        ("check-transition", "migration.c")
    ]
    assert "save_cleanup" in diagnostics[0].message and "STOP" in diagnostics[0].message
