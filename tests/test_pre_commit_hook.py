"""The pre-commit hook definition: well-formed, and its command does what it says."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import ROOT

HOOKS = ROOT / ".pre-commit-hooks.yaml"


def hook() -> dict[str, object]:
    hooks = yaml.safe_load(HOOKS.read_text())
    assert isinstance(hooks, list)
    (found,) = [h for h in hooks if h["id"] == "migspec-update-check"]
    assert isinstance(found, dict)
    return found


def test_the_hook_is_defined_as_pre_commit_wants_it() -> None:
    h = hook()
    assert {"id", "name", "entry", "language"} <= h.keys()
    assert h["language"] == "python"
    assert h["pass_filenames"] is False
    assert h["entry"] == "migspec update --check --source-root ."


def test_the_hook_runs_for_spec_c_trace_events_and_rst_files() -> None:
    files = re.compile(str(hook()["files"]))
    for path in (
        "hw/vfio/migration.c",
        "linux-headers/linux/vfio.h",
        "hw/vfio/trace-events",
        "docs/devel/vfio-migration.rst",
        "spec/vfio-migration.yaml",
        "vfio.yml",
    ):
        assert files.search(path), path
    for path in ("README.md", "hw/vfio/meson.build", "scripts/trace-events.py", "x.cc"):
        assert not files.search(path), path


def run_entry(cwd: Path) -> subprocess.CompletedProcess[str]:
    words = shlex.split(str(hook()["entry"]))
    assert words[0] == "migspec"
    return subprocess.run(
        [sys.executable, "-m", "migspec", *words[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "ext"), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def test_the_entry_passes_a_clean_tree_and_fails_a_drifted_one(
    corpus: Path, tmp_path: Path
) -> None:
    # The hook's entry uses the bundled spec: QEMU master's files.
    clean = shutil.copytree(corpus / "qemu-master", tmp_path / "clean")
    assert run_entry(clean).returncode == 0
    drifted = shutil.copytree(corpus / "qemu-master", tmp_path / "drift")
    events = drifted / "hw" / "vfio" / "trace-events"
    line = 'vfio_save_cleanup(const char *name) " (%s)"\n'
    assert line in events.read_text()
    events.write_text(events.read_text().replace(line, line.replace('" (%s)"', '"(%s) cleanup"')))
    run = run_entry(drifted)
    assert run.returncode == 1
    assert "run: migspec update --source-root . --write" in run.stderr
