"""Hostile trees (:mod:`tests.hostile.trees`) through every command that reads a tree.

``check``, ``update --check``, ``update --write`` and ``import`` all read a
tree through the one reader (``load.files``, ``source.tree``), so each case
must give, for each of them: an end within the corpus's CPU, memory and
wall-clock bounds (a FIFO used to block import forever, ``/dev/zero`` to eat
its memory), no traceback, the documented exit status, the located
diagnostics the case names, and nothing copied from outside the root.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .conftest import ROOT, SEED_SPEC
from .hostile.trees import CASES, NEEDS_NON_ROOT
from .test_hostile_corpus import BASE, CPU, run_cli

COMMANDS = {
    # The hostile trees are laid out from the seed-era fixture: its spec.
    "check": ["check", "--spec", str(SEED_SPEC), "--format", "json"],
    "update-check": ["update", "--spec", str(SEED_SPEC), "--check", "--format", "json"],
    "update-write": ["update", "--spec", str(SEED_SPEC), "--write", "--format", "json"],
    "import": ["import"],
}


@pytest.fixture
def spoiled(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    tree = tmp_path / "tree"
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    yield tree, outside
    for here, dirs, files in os.walk(tree):  # let pytest remove what a case locked
        for name in (*dirs, *files):
            p = Path(here, name)
            if not p.is_symlink():
                p.chmod(0o700)


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("case", sorted(CASES))
def test_hostile_tree(case: str, command: str, spoiled: tuple[Path, Path], tmp_path: Path) -> None:
    if case.replace("_", "-") in NEEDS_NON_ROOT and os.geteuid() == 0:
        pytest.skip("root reads files whatever their mode")
    tree, outside = spoiled
    tree.chmod(0o755)
    expect = CASES[case](tree, outside)
    before = {p.name for p in outside.iterdir()}
    run = run_cli([*COMMANDS[command], "--source-root", str(tree)], CPU, tmp_path)
    assert "SECRET" not in run.stderr
    if command == "import":
        assert run.code in (0, 1), run.stderr[-2000:]
        # What import printed is the spec; nothing of outside the root is in it.
        assert "check-path-outside-root" in run.stderr or "secret" not in case
        return
    # update reads a file to write it: a link out of the root is refused as a
    # write; the trace-events reader says "input-..." for what the others
    # call unreadable.
    same = {
        "write-outside-root": "check-path-outside-root",
        "input-too-large": "check-file-unreadable",
        "input-unreadable": "check-file-unreadable",
    }
    got = {(same.get(str(r["rule"]), str(r["rule"])), str(r["path"])) for r in run.diagnostics}
    for rule, rel in expect:
        assert (rule, str(tree / rel)) in got, (case, command, got)
    assert run.code == (1 if expect else run.code), run.stderr[-2000:]
    assert run.code in (0, 1), run.stderr[-2000:]
    assert {p.name for p in outside.iterdir()} == before


def test_import_copies_nothing_from_outside_the_root(
    spoiled: tuple[Path, Path], tmp_path: Path
) -> None:
    """The symlinked header's enum would be the only *_STATE_* enum besides the
    real one: had import read it, it would refuse the tree as ambiguous."""
    tree, outside = spoiled
    CASES["link-out-scanned"](tree, outside)
    out = tmp_path / "spec.yaml"
    run = run_cli(["import", "--source-root", str(tree), "-o", str(out)], CPU, tmp_path)
    assert run.code == 0, run.stderr
    assert "SECRET" not in out.read_text()
    assert "secret.h: warning: leads outside the source root" in run.stderr
    assert "[check-path-outside-root]" in run.stderr


def test_import_names_every_file_it_skipped(spoiled: tuple[Path, Path], tmp_path: Path) -> None:
    tree, outside = spoiled
    CASES["fifo-scanned-header"](tree, outside)
    CASES["over-limit-scanned"](tree, outside)
    run = run_cli(["import", "--source-root", str(tree)], CPU, tmp_path)
    assert run.code == 0, run.stderr
    for name, why in (
        ("hw/vfio/pipe.h", "is a FIFO (named pipe), not a regular file"),
        ("hw/vfio/pipe.c", "is a FIFO (named pipe), not a regular file"),
        ("hw/vfio/huge.h", "file is larger than the 16 MiB limit"),
    ):
        assert f"{tree / name}: warning: {why}" in run.stderr, run.stderr


def test_update_refuses_a_file_over_the_limit_and_writes_nothing(
    spoiled: tuple[Path, Path], tmp_path: Path
) -> None:
    tree, _ = spoiled
    migration = tree / "hw/vfio/migration.c"
    migration.write_bytes(migration.read_bytes().replace(b'"RUNNING"', b'"RUNNING!"'))
    with migration.open("ab") as fh:
        fh.write(b"\n" + b"/* pad */\n" * (16 * 1024 * 1024 // 10 + 1))
    before = migration.stat()
    run = run_cli(
        [
            "update",
            "--spec",
            str(SEED_SPEC),
            "--write",
            "--source-root",
            str(tree),
            "--format",
            "json",
        ],
        CPU,
        tmp_path,
    )
    assert run.code == 1, run.stderr
    rules = {(r["rule"], r["path"]) for r in run.diagnostics}
    assert ("check-file-unreadable", str(migration)) in rules
    after = migration.stat()
    assert (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size)
    assert json.dumps(run.diagnostics).count("16 MiB") >= 1


# -- inputs named on the command line or in conf.py ---------------------------------


@pytest.mark.parametrize(
    ("args", "kind"),
    [
        (["lint", "--spec"], "fifo"),
        (["lint", "--trace-events"], "fifo"),
        (["render", "fsm-dot", "--spec"], "fifo"),
        (["lint", "--spec"], "directory"),
        (["lint", "--trace-events"], "directory"),
    ],
)
def test_an_input_that_is_no_file_is_named_not_read(
    args: list[str], kind: str, tmp_path: Path
) -> None:
    """``--spec``/``--trace-events`` naming a FIFO used to block; a directory
    or a FIFO was called "no such file"."""
    path = tmp_path / "input"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path.mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "migspec", *args, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
        env={**os.environ, "PYTHONPATH": str(ROOT / "ext"), "MIGSPEC_CACHE_DIR": ""},
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr
    what = "a FIFO (named pipe)" if kind == "fifo" else "a directory"
    assert f"{path}: error: is {what}, not a regular file" in run.stdout + run.stderr


def test_sphinx_does_not_block_on_a_fifo_spec(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    os.mkfifo(src / "spec.yaml")
    (src / "conf.py").write_text('extensions = ["migspec.sphinxext"]\nmigspec_spec = "spec.yaml"\n')
    (src / "index.rst").write_text("T\n=\n\n.. migspec:states::\n")
    run = subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", "html", str(src), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "ext"), "MIGSPEC_CACHE_DIR": ""},
    )
    assert "Traceback" not in run.stderr
    assert "is a FIFO (named pipe), not a regular file" in run.stderr, run.stderr
