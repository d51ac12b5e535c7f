"""``migspec import`` from the command line: output, -o, --force, exit codes."""

from __future__ import annotations

from pathlib import Path

from .source_trees import BASE, TREES
from .test_cli_check import migspec


def test_import_prints_a_spec_that_check_accepts(tmp_path: Path) -> None:
    run = migspec("import", "--source-root", str(BASE))
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("# Imported by `migspec import` from ")
    assert run.stderr == ""
    spec = tmp_path / "spec.yaml"
    spec.write_text(run.stdout)
    check = migspec("check", "--source-root", str(BASE), "--spec", str(spec))
    assert check.returncode == 0
    # Notes only: the VM state change handlers are no callbacks of the flows.
    lines = check.stdout.splitlines()
    assert len(lines) == 3 and all("[check-transition-unregistered]" in line for line in lines)


def test_output_file_and_force(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    run = migspec("import", "--source-root", str(BASE), "-o", str(out))
    assert run.returncode == 0
    assert run.stdout == ""
    assert f"wrote {out}" in run.stderr
    first = out.read_text()
    again = migspec("import", "--source-root", str(BASE), "-o", str(out))
    assert again.returncode == 2 and "--force" in again.stderr
    forced = migspec("import", "--source-root", str(BASE), "-o", str(out), "--force")
    assert forced.returncode == 0 and out.read_text() == first


def test_a_tree_that_says_too_little_exits_1() -> None:
    run = migspec("import", "--source-root", str(TREES / "toy" / "tree"))
    assert run.returncode == 1
    assert run.stdout == ""
    assert "[import-not-found]" in run.stderr
    named = migspec("import", "--source-root", str(TREES / "toy" / "tree"), "--enum", "lamp_state")
    assert named.returncode == 0
    assert "enum: lamp_state" in named.stdout


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert migspec("import", "--source-root", str(tmp_path / "nope")).returncode == 2
    assert migspec("import").returncode == 2
