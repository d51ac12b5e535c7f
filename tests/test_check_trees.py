"""``check_tree`` on fixture trees: one that agrees with the bundled spec, and drifts."""

from __future__ import annotations

from pathlib import Path

import pytest

from migspec.artefacts import check_tree
from migspec.diagnostics import Severity
from migspec.load.spec import load_spec
from migspec.model import Spec

from .conftest import SEED_SPEC
from .source_trees import BASE, TREES, build_tree, expected, found

DRIFTS = sorted(p.name for p in TREES.glob("drift-*"))


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


def test_base_tree_agrees(spec: Spec) -> None:
    diagnostics = check_tree(spec, BASE)
    assert found(diagnostics, BASE) == expected(BASE / "expected.txt")
    assert all(d.severity is Severity.NOTE for d in diagnostics)


def test_paths_are_shown_under_the_root_as_given(spec: Spec) -> None:
    diagnostics = check_tree(spec, BASE)
    assert diagnostics[0].location.path == str(BASE / "hw/vfio/migration.c")


@pytest.mark.parametrize("name", DRIFTS)
def test_drift_is_reported_where_it_is(spec: Spec, name: str, tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / name / "drift.patch")
    diagnostics = check_tree(spec, tree)
    assert found(diagnostics, tree) == expected(TREES / name / "expected.txt")


def test_there_are_drift_cases() -> None:
    assert {
        "drift-to-string-missing",
        "drift-predicate-running-p2p",
        "drift-trace-extra",
        "drift-trace-call-args",
        "drift-doc-tuple",
    } <= set(DRIFTS)


def test_drift_messages_say_both_sides(spec: Spec, tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / "drift-doc-tuple" / "drift.patch")
    (d,) = [d for d in check_tree(spec, tree) if d.rule == "check-docs-tuple"]
    assert "(RUNNING, _SETUP, _RUNNING)" in d.message
    assert "(RUNNING, _SETUP, _PRE_COPY)" in d.message
    assert d.location.column == 28
    assert d.notes and d.notes[0].location is not None
    assert d.notes[0].location.path.endswith("vfio-migration-94f775e428.yaml")


def test_save_cleanup_drift(tmp_path: Path) -> None:
    case = TREES / "save-cleanup-drift"
    result = load_spec(case / "spec.yaml")
    assert result.spec is not None, result.diagnostics
    diagnostics = check_tree(result.spec, BASE)
    assert found(diagnostics, BASE) == expected(case / "expected.txt")
    (d,) = [d for d in diagnostics if d.rule == "check-transition"]
    assert d.severity is Severity.ERROR
    assert "vfio_finish_stop_copy() requests STOP in .save_cleanup()" in d.message
    # The note says how the helper is reached: registered as save_cleanup, calls the helper.
    assert any(
        "vfio_save_cleanup() is registered as save_cleanup" in n.message
        and "vfio_finish_stop_copy()" in n.message
        for n in d.notes
    )


def test_spec_can_disable_a_check_rule(spec: Spec, tmp_path: Path) -> None:
    from dataclasses import replace

    quiet = replace(spec, disabled_rules=frozenset({"check-transition-unregistered"}))
    assert check_tree(quiet, BASE) == []


def test_missing_files_are_reported_once_each(spec: Spec, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    diagnostics = check_tree(spec, empty)
    rules = {(d.rule, Path(d.location.path).relative_to(empty).as_posix()) for d in diagnostics}
    assert rules == {
        ("check-file-missing", "linux-headers/linux/vfio.h"),
        ("check-file-missing", "hw/vfio/migration.c"),
        ("check-file-missing", "hw/vfio/common.c"),
        ("check-file-missing", "hw/vfio/trace-events"),
        ("check-file-missing", "docs/devel/vfio-migration.rst"),
    }
    assert len(diagnostics) == len(rules)
