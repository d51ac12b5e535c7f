"""The check reads nothing outside the roots it was given.

A spec is data: absolute paths, ``..`` and symlinks leading out of the source
root must be refused with a located diagnostic and never opened, so that a
doc build cannot be made to read ``/etc/passwd`` (or hang on a FIFO, or on a
symlink loop).  Oversized source files are refused before they are read.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from migspec.artefacts import run_check
from migspec.load.spec import load_spec_text
from migspec.model import Spec
from migspec.source import MAX_SOURCE_BYTES

from .conftest import ROOT, SEED_SPEC
from .source_trees import build_tree

SECRET = "secret-outside-the-root"


def spec_with(*replacements: tuple[str, str]) -> tuple[Spec, str]:
    text = SEED_SPEC.read_text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    result = load_spec_text(text, "evil.yaml")
    assert result.spec is not None, result.diagnostics
    return result.spec, text


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder beside the tree holding files the check must never open."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "passwd").write_text(SECRET + "\n")
    (folder / "x.c").write_text(f'const char *s = "{SECRET}";\n')
    return folder


def outside_rules(diagnostics: list, rule: str = "check-path-outside-root") -> list:
    return [d for d in diagnostics if d.rule == rule]


@pytest.mark.parametrize("kind", ["absolute", "dotdot"])
def test_spec_paths_outside_the_root_are_refused_where_the_spec_names_them(
    tmp_path: Path, outside: Path, kind: str
) -> None:
    tree = build_tree(tmp_path / "tree")
    evil = str(outside / "passwd") if kind == "absolute" else "../outside/passwd"
    evil_c = str(outside / "x.c") if kind == "absolute" else "hw/../../outside/x.c"
    spec, text = spec_with(
        (
            "docs: {file: docs/devel/vfio-migration.rst, section: Live migration save path}",
            f"docs: {{file: '{evil}', section: Live migration save path}}",
        ),
        ("file: hw/vfio/common.c", f"file: '{evil_c}'"),
        ("header: linux-headers/linux/vfio.h", f"header: '{evil}'"),
        ("  - file: hw/vfio/trace-events", f"  - file: '{evil}'"),
    )
    result = run_check(spec, tree)
    refused = outside_rules(result.diagnostics)
    # Located where the spec names each path (the header: at its machine).
    save = spec.flow_map["save"].docs
    assert save is not None
    assert sorted((d.location.path, d.location.line) for d in refused) == sorted(
        ("evil.yaml", where.line)
        for where in (
            spec.machine.location,
            save.location,
            spec.trace[0].location,
            *(p.location for p in spec.code.predicates),
        )
    )
    assert line_of(text, f"file: '{evil}'") == save.location.line
    assert all(d.location.column > 0 for d in refused)
    # Nothing outside was read, and no reader reported on those files.
    assert all(outside not in p.resolve().parents for p in result.files)
    assert not any(SECRET in d.message for d in result.diagnostics)
    assert not [d for d in result.diagnostics if d.rule == "check-file-missing"]


def test_symlinks_leading_out_are_refused_where_they_are(tmp_path: Path, outside: Path) -> None:
    tree = build_tree(tmp_path / "tree")
    rst = tree / "docs/devel/vfio-migration.rst"
    rst.unlink()
    rst.symlink_to(outside / "passwd")
    # A symlinked folder on the way, and a .c file the check scans for calls.
    (tree / "linux-headers/linux/vfio.h").unlink()
    (tree / "linux-headers/linux").rmdir()
    (tree / "linux-headers/linux").symlink_to(outside)
    (tree / "hw/vfio/evil.c").symlink_to(outside / "x.c")
    spec, text = spec_with()
    result = run_check(spec, tree)
    refused = outside_rules(result.diagnostics)
    assert sorted(Path(d.location.path).relative_to(tree).as_posix() for d in refused) == [
        "docs/devel/vfio-migration.rst",
        "hw/vfio/evil.c",
        "linux-headers/linux/vfio.h",
    ]
    by_path = {Path(d.location.path).name: d for d in refused}
    # The spec's place rides along as a note for the files it names.
    note = by_path["vfio-migration.rst"].notes[0].location
    assert note is not None and note.path == "evil.yaml"
    assert note.line == line_of(text, "section: Live migration save path")
    assert all(outside not in p.resolve().parents for p in result.files)
    assert not any(SECRET in d.message for d in result.diagnostics)


def test_symlink_loops_are_refused_not_followed(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree")
    trace = tree / "hw/vfio/trace-events"
    trace.unlink()
    (tree / "hw/vfio/loop").symlink_to("trace-events")
    trace.symlink_to("loop")
    (tree / "hw/vfio/self.c").symlink_to("self.c")
    spec, _ = spec_with()
    refused = outside_rules(run_check(spec, tree).diagnostics)
    assert sorted(Path(d.location.path).name for d in refused) == ["self.c", "trace-events"]


def test_links_inside_the_root_are_followed(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree")
    real = tree / "hw/vfio/real-trace-events"
    (tree / "hw/vfio/trace-events").rename(real)
    (tree / "hw/vfio/trace-events").symlink_to("real-trace-events")
    spec, _ = spec_with()
    assert not outside_rules(run_check(spec, tree).diagnostics)


def test_cli_exits_1_with_the_spec_location(tmp_path: Path, outside: Path) -> None:
    tree = build_tree(tmp_path / "tree")
    _, text = spec_with(("file: hw/vfio/migration.c", "file: /etc/passwd"))
    spec_path = tmp_path / "evil.yaml"
    spec_path.write_text(text)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "migspec",
            "check",
            "--spec",
            str(spec_path),
            "--source-root",
            str(tree),
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT / "ext")},
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    records = json.loads(run.stdout)["diagnostics"]
    refused = [r for r in records if r["rule"] == "check-path-outside-root"]
    assert [(r["path"], r["line"]) for r in refused] == [
        (str(spec_path), line_of(text, "function: mig_state_to_str"))  # the entry's first key
    ]
    assert "root:" not in run.stdout


def test_oversized_source_files_are_refused_unread(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree")
    big = tree / "hw/vfio/common.c"
    with big.open("ab") as fh:
        fh.truncate(MAX_SOURCE_BYTES + 1)
    spec, _ = spec_with()
    result = run_check(spec, tree)
    unreadable = [d for d in result.diagnostics if d.rule == "check-file-unreadable"]
    assert [Path(d.location.path).name for d in unreadable] == ["common.c"]
    assert "16 MiB" in unreadable[0].message


def test_fifos_and_devices_in_the_tree_are_never_opened(tmp_path: Path) -> None:
    """Opening a FIFO blocks until someone writes: the check must not hang on one."""
    tree = build_tree(tmp_path / "tree")
    trace = tree / "hw/vfio/trace-events"
    trace.unlink()
    os.mkfifo(trace)
    os.mkfifo(tree / "hw/vfio/pipe.c")
    (tree / "hw/vfio/zero.c").symlink_to("/dev/zero")
    run = subprocess.run(
        [sys.executable, "-m", "migspec", "check", "--source-root", str(tree), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "PYTHONPATH": str(ROOT / "ext")},
    )
    assert run.returncode == 1, run.stderr
    found = json.loads(run.stdout)["diagnostics"]
    rules = {(r["rule"], Path(r["path"]).name) for r in found}
    # A FIFO is there, but no file to read: said so, not "no such file".
    assert ("check-file-unreadable", "trace-events") in rules
    (fifo,) = [r for r in found if Path(r["path"]).name == "trace-events"]
    assert fifo["message"].startswith("is a FIFO (named pipe), not a regular file")
    assert ("check-path-outside-root", "zero.c") in rules
    assert not any(name == "pipe.c" for _, name in rules)
