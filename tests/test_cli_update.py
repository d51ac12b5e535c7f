"""``migspec update`` from the command line: modes, messages, exit codes."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from .source_trees import BASE, TREES, build_tree
from .test_cli_check import SEED, migspec
from .update_support import edit, git, snapshot_tree


def test_check_on_an_agreeing_tree_exits_0() -> None:
    run = migspec("update", "--spec", SEED, "--source-root", str(BASE), "--check")
    assert run.returncode == 0, run.stderr
    assert run.stdout == ""
    assert run.stderr == f"migspec update: nothing to do in {BASE}\n"


def test_check_exits_1_and_says_the_command_that_fixes_it(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "my tree", TREES / "drift-doc-tuple" / "drift.patch")
    before = snapshot_tree(tree)
    run = migspec("update", "--spec", SEED, "--source-root", str(tree), "--check")
    assert run.returncode == 1
    command = f"migspec update --source-root {shlex.quote(str(tree))} --spec {SEED} --write"
    assert run.stderr == (
        f"migspec update: would update {tree}/docs/devel/vfio-migration.rst\n"
        f"migspec update: 1 file would be updated; run: {command}\n"
    )
    assert snapshot_tree(tree) == before
    # The command it prints is the fix.
    words = shlex.split(command)
    assert words[:2] == ["migspec", "update"]
    assert migspec(*words[1:]).returncode == 0
    assert migspec("update", "--spec", SEED, "--source-root", str(tree), "--check").returncode == 0


def test_check_names_the_spec_when_one_was_given(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-doc-tuple" / "drift.patch")
    spec = str(TREES.parent.parent / "spec" / "vfio-migration.yaml")
    run = migspec("update", "--spec", SEED, "--source-root", str(tree), "--spec", spec, "--check")
    assert f"--spec {spec} --write" in run.stderr


def test_diff_prints_a_patch_git_applies(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "pre-seed" / "seed-reverted.patch")
    run = migspec("update", "--spec", SEED, "--source-root", str(tree), "--diff")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("--- a/hw/vfio/migration.c\n+++ b/hw/vfio/migration.c\n")
    assert run.stderr == ""
    applied = git(tree, "apply", "-", stdin=run.stdout.encode())
    assert applied.returncode == 0, applied.stderr
    assert migspec("update", "--spec", SEED, "--source-root", str(tree), "--check").returncode == 0


def test_write_then_nothing_to_do(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-predicate-running-p2p" / "drift.patch")
    run = migspec("update", "--spec", SEED, "--source-root", str(tree), "--write")
    assert run.returncode == 0
    assert run.stderr == f"migspec update: updated {tree}/hw/vfio/common.c\n"
    assert (tree / "hw/vfio/common.c").read_bytes() == (BASE / "hw/vfio/common.c").read_bytes()
    again = migspec("update", "--spec", SEED, "--source-root", str(tree), "--write")
    assert again.returncode == 0
    assert again.stderr == f"migspec update: nothing to do in {tree}\n"


def test_a_region_error_exits_1_and_writes_the_other_files(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "pre-seed" / "seed-reverted.patch")
    edit(tree, "hw/vfio/common.c", "bool vfio_device_state_is_precopy(", "bool vfio_precopy(")
    run = migspec("update", "--spec", SEED, "--source-root", str(tree), "--write")
    assert run.returncode == 1
    lines = run.stderr.splitlines()
    assert lines[0] == f"migspec update: updated {tree}/hw/vfio/migration.c"
    assert lines[1].startswith(f"{tree}/hw/vfio/common.c: error: vfio_device_state_is_precopy()")
    assert lines[1].endswith("[update-region-missing]")
    assert lines[-1] == "migspec update: 1 error, 0 warnings, 0 notes"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert migspec("update", "--spec", SEED, "--source-root", str(BASE)).returncode == 2  # no mode
    assert (
        migspec(
            "update", "--spec", SEED, "--source-root", str(BASE), "--check", "--write"
        ).returncode
        == 2
    )
    run = migspec("update", "--spec", SEED, "--source-root", str(tmp_path / "nope"), "--check")
    assert run.returncode == 2
    assert "not a directory" in run.stderr
    run = migspec(
        "update", "--source-root", str(BASE), "--spec", str(tmp_path / "no.yaml"), "--check"
    )
    assert run.returncode == 2


def test_update_is_listed_in_the_help() -> None:
    assert "update" in migspec("--help").stdout


# -- the report options it shares with check ------------------------------------------


def region_error_tree(tmp_path: Path) -> Path:
    """A tree where one file needs rewriting and another's region is gone."""
    tree = build_tree(tmp_path / "t", TREES / "pre-seed" / "seed-reverted.patch")
    edit(tree, "hw/vfio/common.c", "bool vfio_device_state_is_precopy(", "bool vfio_precopy(")
    return tree


def test_format_json_puts_the_report_on_stdout(tmp_path: Path) -> None:
    tree = region_error_tree(tmp_path)
    run = migspec(
        "update", "--spec", SEED, "--source-root", str(tree), "--check", "--format", "json"
    )
    assert run.returncode == 1
    records = json.loads(run.stdout)["diagnostics"]
    assert [(r["rule"], r["path"]) for r in records] == [
        ("update-region-missing", f"{tree}/hw/vfio/common.c")
    ]
    # The narrative stays on stderr, the report alone on stdout.
    assert run.stderr.startswith(f"migspec update: would update {tree}/hw/vfio/migration.c\n")


@pytest.mark.parametrize("fmt", ["sarif", "gitlab"])
def test_every_format_of_check_is_accepted(tmp_path: Path, fmt: str) -> None:
    tree = region_error_tree(tmp_path)
    run = migspec("update", "--spec", SEED, "--source-root", str(tree), "--check", "--format", fmt)
    assert run.returncode == 1
    assert "update-region-missing" in run.stdout
    json.loads(run.stdout)


def test_a_clean_tree_in_json_is_an_empty_report() -> None:
    run = migspec(
        "update", "--spec", SEED, "--source-root", str(BASE), "--check", "--format", "json"
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"diagnostics": []}


def test_diff_takes_only_the_human_format() -> None:
    run = migspec(
        "update", "--spec", SEED, "--source-root", str(BASE), "--diff", "--format", "json"
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "--diff" in run.stderr


def test_disable_drops_the_finding_and_its_status(tmp_path: Path) -> None:
    tree = region_error_tree(tmp_path)
    run = migspec(
        "update",
        "--spec",
        SEED,
        "--source-root",
        str(tree),
        "--write",
        "--disable",
        "update-region-missing",
    )
    assert run.returncode == 0, run.stderr
    assert run.stderr == f"migspec update: updated {tree}/hw/vfio/migration.c\n"


def test_disable_is_carried_into_the_fix_command(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-doc-tuple" / "drift.patch")
    run = migspec(
        "update",
        "--spec",
        SEED,
        "--source-root",
        str(tree),
        "--check",
        "--disable",
        "check-c-form,write-failed",
    )
    assert run.returncode == 1
    assert "--disable check-c-form,write-failed --write" in run.stderr


def test_fail_on_and_disable_are_checks_own_options() -> None:
    for option, bad in (("--fail-on", "fatal"), ("--disable", "no-such-rule")):
        run = migspec("update", "--spec", SEED, "--source-root", str(BASE), "--check", option, bad)
        assert run.returncode == 2
        assert "Traceback" not in run.stderr

    # The same help text, from the same definitions.
    def options(command: str) -> list[str]:
        text = migspec(command, "--help").stdout
        return [
            block.strip()
            for block in re.split(r"\n(?=  -)", text)
            if block.lstrip().startswith(("--format", "--fail-on", "--disable"))
        ]

    assert options("update") == options("check")
    assert len(options("update")) == 3
