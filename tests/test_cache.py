"""The lint cache (migspec.cache): a warm run reports exactly what a cold one
did, and any change to the spec, the options or migspec itself misses."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEED_SPEC

SPECS = [
    SEED_SPEC,
    *sorted((ROOT / "spec" / "examples").glob("*.yaml")),
    *sorted((ROOT / "tests" / "specs").glob("*.yaml")),
    # Specs the loader or lint rejects: their diagnostics are cached too.
    ROOT / "tests" / "hostile" / "spec" / "alias-undefined.yaml",
]


def lint(
    cache: Path, *args: str, ext: Path = ROOT / "ext", cwd: Path = ROOT
) -> tuple[int, str, str, bool]:
    """(exit status, stdout, stderr, whether the spec was linted) of
    ``migspec lint``: linted unless an entry kept by an earlier run answered,
    which is then left as it was (a run that lints writes a new entry)."""
    before = _entries(cache)
    env = dict(os.environ, PYTHONPATH=str(ext), MIGSPEC_CACHE_DIR=str(cache))
    proc = subprocess.run(
        [sys.executable, "-m", "migspec", "lint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    answered = bool(before) and _entries(cache) == before
    return proc.returncode, proc.stdout, proc.stderr, not answered


def _entries(cache: Path) -> dict[str, tuple[int, int]]:
    if not cache.is_dir():
        return {}
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache.iterdir()}


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.name)
@pytest.mark.parametrize("fmt", ["human", "json"])
def test_a_warm_run_reports_what_a_cold_one_did(tmp_path: Path, spec: Path, fmt: str) -> None:
    args = ("--spec", str(spec.relative_to(ROOT)), "--format", fmt, "--fail-on", "note")
    cold = lint(tmp_path, *args)
    warm = lint(tmp_path, *args)
    assert cold[3] and not warm[3]
    assert warm[:3] == cold[:3]
    assert len(list(tmp_path.iterdir())) == 1


def test_unreadable_input_is_not_kept(tmp_path: Path) -> None:
    # Exit 2 (the spec cannot be read as text): nothing worth keeping.
    args = ("--spec", "tests/hostile/spec/bom-utf16le.yaml")
    cold, warm = lint(tmp_path, *args), lint(tmp_path, *args)
    assert cold[0] == 2 and warm[3] and warm[:3] == cold[:3]
    assert list(tmp_path.iterdir()) == []


def test_an_edited_spec_misses(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    text = SEED_SPEC.read_text()
    spec.write_text(text)
    first = lint(tmp_path / "cache", "--spec", str(spec))
    spec.write_text(text.replace("name: RUNNING\n", "name: RUNNNING\n", 1))
    edited = lint(tmp_path / "cache", "--spec", str(spec))
    assert edited[3] and edited[0] != first[0] and "RUNNNING" in edited[1]


def test_options_and_the_path_as_given_are_part_of_the_key(tmp_path: Path) -> None:
    plain = lint(tmp_path, "--spec", "spec/vfio-migration.yaml")
    disabled = lint(
        tmp_path, "--spec", "spec/vfio-migration.yaml", "--disable", "fsm-flow-combination"
    )
    assert disabled[3] and "fsm-flow-combination" in plain[1]
    assert "fsm-flow-combination" not in disabled[1]
    absolute = lint(tmp_path, "--spec", str(SEED_SPEC))
    assert absolute[3] and str(SEED_SPEC) in absolute[1]
    again = lint(tmp_path, "--spec", "spec/vfio-migration.yaml")
    assert not again[3] and again[:3] == plain[:3]


def test_a_damaged_entry_is_ignored_and_replaced(tmp_path: Path) -> None:
    cold = lint(tmp_path, "--format", "json")
    (entry,) = tmp_path.iterdir()
    entry.write_text('{"key": "')
    damaged = lint(tmp_path, "--format", "json")
    assert damaged[3] and damaged[:3] == cold[:3]
    assert not lint(tmp_path, "--format", "json")[3]


def test_another_migspec_misses(tmp_path: Path) -> None:
    ext = tmp_path / "ext"
    shutil.copytree(ROOT / "ext" / "migspec", ext / "migspec")
    cache = tmp_path / "cache"
    cold = lint(cache, ext=ext)
    assert not lint(cache, ext=ext)[3]
    (ext / "migspec" / "model.py").write_text((ext / "migspec" / "model.py").read_text() + "\n")
    changed = lint(cache, ext=ext)
    assert changed[3] and changed[:3] == cold[:3]


def test_an_empty_cache_dir_turns_it_off(tmp_path: Path) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"), XDG_CACHE_HOME=str(tmp_path))
    env["MIGSPEC_CACHE_DIR"] = ""
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-m", "migspec", "lint"], env=env, capture_output=True, check=True
        )
    assert list(tmp_path.iterdir()) == []
    del env["MIGSPEC_CACHE_DIR"]
    subprocess.run(
        [sys.executable, "-m", "migspec", "lint"], env=env, capture_output=True, check=True
    )
    assert [p.name for p in tmp_path.iterdir()] == ["migspec"]
