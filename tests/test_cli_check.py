"""``migspec check`` from the command line: output formats and exit codes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, SEED_SPEC
from .source_trees import BASE, TREES, build_tree

SEED = str(SEED_SPEC)


def migspec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migspec", *args],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "ext"), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_agreeing_tree_exits_0_with_a_note() -> None:
    run = migspec("check", "--spec", SEED, "--source-root", str(BASE))
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0].endswith("[check-transition-unregistered]")
    assert "0 errors, 0 warnings, 1 note" in run.stderr


def test_fail_on_note_makes_the_note_fail() -> None:
    assert (
        migspec("check", "--spec", SEED, "--source-root", str(BASE), "--fail-on", "note").returncode
        == 1
    )
    quiet = migspec(
        "check",
        "--spec",
        SEED,
        "--source-root",
        str(BASE),
        "--fail-on",
        "note",
        "--disable",
        "check-transition-unregistered",
    )
    assert quiet.returncode == 0 and quiet.stdout == ""


def test_drift_exits_1_and_json_has_the_location(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / "drift-trace-call-args" / "drift.patch")
    run = migspec("check", "--spec", SEED, "--source-root", str(tree), "--format", "json")
    assert run.returncode == 1
    records = json.loads(run.stdout)["diagnostics"]
    errors = [r for r in records if r["severity"] == "error"]
    assert [
        (r["rule"], Path(r["path"]).relative_to(tree).as_posix(), r["line"]) for r in errors
    ] == [("check-trace-call-args", "hw/vfio/migration.c", 257)]


def test_kernel_root_and_spec_option() -> None:
    run = migspec(
        "check",
        "--source-root",
        str(BASE),
        "--kernel-root",
        str(TREES / "kernel"),
        "--spec",
        str(TREES / "save-cleanup-drift" / "spec.yaml"),
    )
    assert run.returncode == 1
    assert "[check-transition]" in run.stdout


def test_missing_root_exits_2(tmp_path: Path) -> None:
    run = migspec("check", "--source-root", str(tmp_path / "nope"))
    assert run.returncode == 2
    assert "not a directory" in run.stderr
    run = migspec(
        "check", "--spec", SEED, "--source-root", str(BASE), "--kernel-root", str(tmp_path / "nope")
    )
    assert run.returncode == 2


def test_a_root_is_required() -> None:
    run = migspec("check")
    assert run.returncode == 2
    assert "give --source-root DIR, --kernel-root DIR or both" in run.stderr


def test_kernel_root_alone_checks_the_kernel_only(tmp_path: Path) -> None:
    """A kernel developer has no QEMU tree at hand: the uAPI enum and the
    tables are checked, and nothing of QEMU is looked for."""
    run = migspec("check", "--kernel-root", str(TREES / "kernel"), "--fail-on", "note")
    assert (run.returncode, run.stdout) == (0, ""), run.stdout + run.stderr
    assert f"{TREES / 'kernel'}: 0 errors, 0 warnings, 0 notes" in run.stderr
    kernel = tmp_path / "kernel"
    shutil.copytree(TREES / "kernel", kernel)
    main = kernel / "drivers" / "vfio" / "vfio_main.c"
    text = main.read_text()
    entry = "\t\t\t[VFIO_DEVICE_STATE_STOP] = VFIO_DEVICE_STATE_RUNNING_P2P,\n"
    assert entry in text
    main.write_text(text.replace(entry, entry.replace("RUNNING_P2P", "STOP"), 1))
    run = migspec("check", "--kernel-root", str(kernel), "--format", "json")
    assert run.returncode == 1
    records = json.loads(run.stdout)["diagnostics"]
    assert {(r["rule"], Path(r["path"]).relative_to(kernel).as_posix()) for r in records} == {
        ("check-kernel-next", "drivers/vfio/vfio_main.c")
    }


def test_source_root_alone_does_not_read_a_kernel() -> None:
    run = migspec("check", "--spec", SEED, "--source-root", str(BASE), "--format", "json")
    records = json.loads(run.stdout)["diagnostics"]
    assert not any("kernel" in r["rule"] for r in records)


def test_check_rules_are_listed() -> None:
    run = migspec("lint", "--list-rules")
    assert run.returncode == 0
    for rule in ("check-transition", "check-docs-tuple", "check-kernel-next", "check-c-form"):
        assert rule in run.stdout
