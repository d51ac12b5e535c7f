"""One writer policy for every output (``migspec.writes``), through the CLI.

generate owns its directory (empty, or marked by an earlier run) unless
``--force``; ``--out ''`` is a usage error; a rewrite keeps owner and mode,
refuses a read-only file without ``--force``, writes through a symlink in
the root, repeats the conflict check right before the rename, and leaves no
temporary file behind; stray temporaries of a killed run are named and
removed; no two artefacts share a path.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from migspec import writes
from migspec.generate import generate
from migspec.writes import MARKER, TMP_SUFFIX, WriteError, write_atomic

from .conftest import ROOT, SEED_SPEC
from .render_support import bundled


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


def test_generate_refuses_a_directory_it_does_not_own(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "trace-events").write_text("mine\n")
    (tree / "index.html").write_text("mine\n")
    run = migspec("generate", "--out", str(tree))
    assert run.returncode == 1, run.stderr
    assert "[write-not-owned]" in run.stderr
    assert "open " not in run.stderr  # nothing was written: no index to open
    assert (tree / "trace-events").read_text() == "mine\n"
    assert sorted(p.name for p in tree.iterdir()) == ["index.html", "trace-events"]
    forced = migspec("generate", "--out", str(tree), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (tree / "trace-events").read_text() != "mine\n"
    assert (tree / MARKER).is_file()
    # Marked now: the next run needs no --force.
    assert migspec("generate", "--out", str(tree)).returncode == 0


def test_generate_into_an_empty_directory_marks_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    run = migspec("generate", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert (out / MARKER).is_file()
    assert f"open {out / 'index.html'}" in run.stderr


def test_generate_out_empty_is_a_usage_error(tmp_path: Path) -> None:
    run = migspec("generate", "--out", "", cwd=tmp_path)
    assert run.returncode == 2
    assert "--out" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_no_two_artefacts_share_a_path(tmp_path: Path) -> None:
    spec = bundled()
    code = spec.code
    assert code.to_string is not None
    from dataclasses import replace

    clashing = replace(
        spec, code=replace(code, to_string=replace(code.to_string, function="predicates"))
    )
    report = generate(clashing, tmp_path / "out", svg=None)
    shared = [d for d in report.refused if d.rule == "write-path-shared"]
    assert [Path(d.location.path).name for d in shared] == ["predicates.c"]


def test_a_rewrite_keeps_owner_and_mode(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file to another user")
    target = tmp_path / "file.c"
    target.write_text("old\n")
    os.chown(target, 1234, 4321)
    target.chmod(0o640)
    assert write_atomic(target, b"new\n")
    st = target.stat()
    assert (st.st_uid, st.st_gid, st.st_mode & 0o777) == (1234, 4321, 0o640)


def test_a_read_only_file_is_refused_unless_forced(tmp_path: Path) -> None:
    target = tmp_path / "file.c"
    target.write_text("old\n")
    target.chmod(0o444)
    with pytest.raises(WriteError) as err:
        write_atomic(target, b"new\n")
    assert err.value.diagnostic.rule == "write-read-only"
    assert target.read_text() == "old\n"
    assert write_atomic(target, b"new\n", force=True)
    assert target.read_text() == "new\n"
    assert target.stat().st_mode & 0o777 == 0o444


def test_a_symlink_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.c"
    real.write_text("old\n")
    link = tmp_path / "link.c"
    link.symlink_to("real.c")
    assert write_atomic(link, b"new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"


def test_an_edit_saved_during_the_write_is_not_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "file.c"
    target.write_text("old\n")
    real_fsync = os.fsync

    def edit_then_fsync(fd: int) -> None:  # the user saves while migspec writes
        target.write_text("the user's edit\n")
        real_fsync(fd)

    monkeypatch.setattr(writes.os, "fsync", edit_then_fsync)
    with pytest.raises(WriteError) as err:
        write_atomic(target, b"new\n")
    assert err.value.diagnostic.rule == "write-conflict"
    assert target.read_text() == "the user's edit\n"
    assert [p.name for p in tmp_path.iterdir()] == ["file.c"]


def test_ctrl_c_leaves_no_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "file.c"
    target.write_text("old\n")

    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writes.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, b"new\n")
    assert [p.name for p in tmp_path.iterdir()] == ["file.c"]
    assert target.read_text() == "old\n"


def test_a_killed_runs_temporaries_are_named_and_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert migspec("generate", "--out", str(out)).returncode == 0
    stray = out / "c" / f".predicates.c.abc123{TMP_SUFFIX}"
    stray.write_text("half written")
    run = migspec("generate", "--out", str(out))
    assert run.returncode == 0, run.stderr
    assert f"{stray}: warning:" in run.stderr and "[write-stray-temporary]" in run.stderr
    assert not stray.exists()


def _stale_tree(tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    from .test_hostile_corpus import BASE

    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    migration = tree / "hw/vfio/migration.c"
    migration.write_bytes(migration.read_bytes().replace(b'"RUNNING"', b'"RUNNING!"', 1))
    return tree, migration


def test_update_refuses_a_read_only_file_unless_forced(tmp_path: Path) -> None:
    tree, migration = _stale_tree(tmp_path)
    migration.chmod(0o444)
    stale = migration.read_bytes()
    run = migspec("update", "--spec", str(SEED_SPEC), "--write", "--source-root", str(tree))
    assert run.returncode == 1, run.stderr
    assert "[write-read-only]" in run.stdout + run.stderr
    assert migration.read_bytes() == stale
    forced = migspec(
        "update", "--spec", str(SEED_SPEC), "--write", "--force", "--source-root", str(tree)
    )
    assert forced.returncode == 0, forced.stderr
    assert migration.read_bytes() != stale
    assert migration.stat().st_mode & 0o777 == 0o444


def test_update_writes_through_a_symlink_in_the_root(tmp_path: Path) -> None:
    tree, migration = _stale_tree(tmp_path)
    real = tree / "hw/vfio/migration-real.c"
    migration.rename(real)
    migration.symlink_to("migration-real.c")
    run = migspec("update", "--spec", str(SEED_SPEC), "--write", "--source-root", str(tree))
    assert run.returncode == 0, run.stderr
    assert migration.is_symlink()
    assert b'"RUNNING!"' not in real.read_bytes()
    assert migspec("check", "--spec", str(SEED_SPEC), "--source-root", str(tree)).returncode == 0


def test_update_names_and_removes_a_killed_runs_temporary(tmp_path: Path) -> None:
    tree, migration = _stale_tree(tmp_path)
    stray = migration.parent / f".migration.c.x1y2z3{TMP_SUFFIX}"
    stray.write_text("half")
    run = migspec("update", "--spec", str(SEED_SPEC), "--write", "--source-root", str(tree))
    assert f"{stray}: warning:" in run.stdout + run.stderr
    assert not stray.exists()
