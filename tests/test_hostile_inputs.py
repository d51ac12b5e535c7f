"""Hostile inputs named by a spec or an argument, through every front end.

- A spec whose path fields hold a NUL byte or an over-long name: check,
  update and the Sphinx build used to die with ``ValueError: embedded null
  byte``; now the loader reports it where the spec writes it and the gate
  stops every command (exit 1, located, no traceback).
- ``git:REV`` starting with ``-``: ``migspec diff 'git:--output=/tmp/x:y'``
  and the same ``.. migspec:diff::`` argument used to make ``git show``
  create the file; now refused, and nothing is written.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BUNDLED_SPEC, ROOT
from .test_hostile_corpus import BASE, HOSTILE

BAD_PATHS = ["path-nul", "path-too-long"]


def migspec(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migspec", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT / "ext"), "MIGSPEC_CACHE_DIR": ""},
    )


def sphinx(src: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "ext"), "MIGSPEC_CACHE_DIR": ""},
    )


@pytest.mark.parametrize("case", BAD_PATHS)
@pytest.mark.parametrize(
    "command",
    [
        ["check", "--source-root", "{tree}"],
        ["update", "--check", "--source-root", "{tree}"],
        ["update", "--write", "--source-root", "{tree}"],
        ["render", "trace-events"],
        ["generate", "--out", "{out}"],
    ],
    ids=lambda c: "-".join(w for w in c if not w.startswith("{"))[:30],
)
def test_a_bad_path_in_the_spec_stops_every_command_located(
    case: str, command: list[str], tmp_path: Path
) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    spec = HOSTILE / "spec" / f"{case}.yaml"
    args = [w.format(tree=tree, out=tmp_path / "out") for w in command]
    run = migspec(*args, "--spec", str(spec))
    assert "Traceback" not in run.stderr and "ValueError" not in run.stderr
    assert run.returncode == 1, run.stderr
    said = run.stdout + run.stderr
    assert f"{spec}:51:11: error: file: " in said and "[spec-path-invalid]" in said
    assert not (tmp_path / "out").exists()


def test_a_bad_path_in_the_spec_stops_the_sphinx_build_located(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(HOSTILE / "spec" / "path-nul.yaml", src / "spec.yaml")
    shutil.copytree(BASE, src / "tree", ignore=shutil.ignore_patterns("expected.txt"))
    (src / "conf.py").write_text(
        'extensions = ["migspec.sphinxext"]\nmigspec_spec = "spec.yaml"\n'
        'migspec_source_root = "tree"\nmigspec_check = "warning"\nexclude_patterns = ["tree"]\n'
    )
    (src / "index.rst").write_text("T\n=\n\n.. migspec:states::\n\n.. migspec:trace-events::\n")
    run = sphinx(src, tmp_path / "out")
    assert "Traceback" not in run.stderr and "null byte" not in run.stderr
    assert "spec.yaml:51: WARNING: file: the path contains a NUL character" in run.stderr


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(BUNDLED_SPEC, repo / "spec.yaml")
    git = ["git", "-c", "user.email=t@t", "-c", "user.name=t"]
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "add", "spec.yaml"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-qm", "spec"], cwd=repo, check=True)
    return repo


def test_diff_refuses_a_revision_that_is_an_option(tmp_path: Path) -> None:
    """The issue's reproduction, exactly, through the CLI."""
    repo = _repo(tmp_path)
    victim = tmp_path / "x"
    run = migspec("diff", f"git:--output={victim}:y", "spec.yaml", cwd=repo)
    assert run.returncode == 2, run.stderr
    assert "[diff-git]" in run.stdout + run.stderr
    assert not victim.exists()


def test_the_diff_directive_refuses_a_revision_that_is_an_option(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    victim = tmp_path / "x"
    (repo / "conf.py").write_text('extensions = ["migspec.sphinxext"]\n')
    (repo / "index.rst").write_text(
        f"T\n=\n\n.. migspec:diff:: git:--output={victim}:y spec.yaml\n"
    )
    run = sphinx(repo, tmp_path / "out")
    assert "Traceback" not in run.stderr
    assert "[diff-git]" in run.stderr
    assert "index.rst:4: WARNING:" in run.stderr
    assert not victim.exists()


# -- a trace format that would break the line ---------------------------------------


def test_check_runs_the_trace_format_rules_on_what_it_reads(tmp_path: Path) -> None:
    """A '%n' line in the tree, in a section the spec does not own, fails check."""
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    trace = tree / "hw/vfio/trace-events"
    lines = trace.read_text().splitlines()
    trace.write_text("\n".join([*lines, "", "# other.c", 'vfio_other(int x) "x %d %n"', ""]))
    run = migspec("check", "--source-root", str(tree))
    assert run.returncode == 1, run.stderr
    assert f"{trace}:{len(lines) + 3}:25: error: '%n' writes to memory" in run.stdout


def test_a_spec_with_a_percent_n_format_is_never_written(tmp_path: Path) -> None:
    """update --write used to put a '%n' format into trace-events (exit 0)."""
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    spec = tmp_path / "spec.yaml"
    text = BUNDLED_SPEC.read_text()
    assert "format: '\" (%s)\"'" in text
    spec.write_text(text.replace("format: '\" (%s)\"'", "format: '\" (%s) %n\"'", 1))
    before = (tree / "hw/vfio/trace-events").read_bytes()
    for args in (["update", "--write"], ["update", "--check"], ["check"]):
        run = migspec(*args, "--source-root", str(tree), "--spec", str(spec))
        assert run.returncode == 1, run.stderr
        assert "[trace-format-invalid]" in run.stdout + run.stderr
    for args in (["render", "trace-events"], ["generate", "--out", str(tmp_path / "out")]):
        run = migspec(*args, "--spec", str(spec))
        assert run.returncode == 1 and "%n" not in run.stdout, run.stderr
    assert (tree / "hw/vfio/trace-events").read_bytes() == before
    assert not (tmp_path / "out").exists()


def test_step_text_that_reads_as_drawing_is_stopped_before_update(tmp_path: Path) -> None:
    """'(RUNNING, _NONE, _RUNNING)' and '|' as step text: update wrote them,
    check read them as a tuple and a connector, and the two disagreed forever."""
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    text = BUNDLED_SPEC.read_text()
    anchor = "          - migrate_init spawns migration_thread\n"
    assert anchor in text
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        text.replace(anchor, anchor + "          - '(RUNNING, _NONE, _RUNNING)'\n          - '|'\n")
    )
    docs = tree / "docs/devel/vfio-migration.rst"
    before = docs.read_bytes()
    for args in (["update", "--write"], ["check"]):
        run = migspec(*args, "--source-root", str(tree), "--spec", str(spec))
        assert run.returncode == 1, run.stderr
        said = run.stdout + run.stderr
        assert said.count("[flow-step-text-drawing]") == 2, said
    assert docs.read_bytes() == before


# -- import says what it could not read --------------------------------------------


def test_import_names_a_predicate_it_cannot_read(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    common = tree / "hw/vfio/common.c"
    common.write_text(
        common.read_text()
        + "\nbool vfio_device_state_is_odd(int s)\n{\n"
        + "    switch (s) {\n    case VFIO_DEVICE_STATE_STOP:\n        return true;\n"
        + "    default:\n        return false;\n    }\n}\n"
    )
    run = migspec("import", "--source-root", str(tree))
    assert run.returncode == 0, run.stderr
    assert "vfio_device_state_is_odd() looks like a predicate" in run.stderr
    assert "[import-skipped]" in run.stderr
    assert "vfio_device_state_is_odd" not in run.stdout


def test_import_says_a_trace_events_file_is_not_utf8(tmp_path: Path) -> None:
    """It used to read as a file with no events (exit 0, not a word)."""
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    trace = tree / "hw/vfio/trace-events"
    trace.write_bytes(trace.read_bytes().replace(b"(%s)", b"(%s) \xe9", 1))
    run = migspec("import", "--source-root", str(tree))
    assert f"{trace}:" in run.stderr and "[input-encoding]" in run.stderr, run.stderr
    assert "trace-events file not read" in run.stderr
