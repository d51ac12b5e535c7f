"""The model part of `migspec diff`: vocabulary, arcs, trace events, code wiring."""

from __future__ import annotations

from pathlib import Path

from migspec.comparison.compare import compare_model
from migspec.load.revision import read_spec_arg
from migspec.load.spec import load_spec

from .conftest import ROOT, SEED_SPEC


def test_identical_specs_are_equivalent() -> None:
    spec = load_spec(SEED_SPEC).spec
    assert spec is not None
    assert compare_model(spec, spec).equivalent


def test_seed_example_differs_only_in_qemu_wiring() -> None:
    old = load_spec(ROOT / "spec/examples/vfio-migration-3d4d0f0e06.yaml").spec
    new = load_spec(SEED_SPEC).spec
    assert old is not None and new is not None
    d = compare_model(old, new)
    assert d.vocabulary == () and d.arcs == ()
    assert [(c.status.value, c.what, c.name) for c in d.trace] == [
        ("added", "trace event", "vfio_vmstate_change_prepare")
    ]
    summary = [(c.status.value, c.what, c.name) for c in d.other]
    assert ("added", "callback", "vmstate_change_prepare") in summary
    assert ("added", "registration", "qdev_add_vm_change_state_handler_full") in summary
    assert ("changed", "code", "features") in summary
    assert ("changed", "notation", "flow drawings") in summary


def test_changed_state_lists_fields(tmp_path: Path) -> None:
    text = (ROOT / "spec/vfio-migration.yaml").read_text()
    edited = tmp_path / "edited.yaml"
    edited.write_text(text.replace("    doc: Normal operation.\n", "    doc: Business as usual.\n"))
    old, new = load_spec(SEED_SPEC).spec, load_spec(edited).spec
    assert old is not None and new is not None
    (change,) = compare_model(old, new).vocabulary
    assert change.status.value == "changed" and change.name == "RUNNING"
    assert change.details == ("doc: Normal operation. -> Business as usual.",)


def test_git_revision_missing_is_a_diagnostic(tmp_path: Path) -> None:
    import subprocess

    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = read_spec_arg("git:no-such-rev", cwd=tmp_path)
    assert result.spec is None
    assert [d.rule for d in result.diagnostics] == ["diff-git"]
