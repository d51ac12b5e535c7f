"""``migspec lint --trace-events`` keeps what it found (migspec.cache): a run
over unchanged files reports exactly what a linting run did, and an edit to
any of the files, other options or another order of files lints again."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from migspec.diagnostics import Diagnostic
from migspec.lint.trace_files import lint_trace_files, lint_trace_files_cached

from .conftest import ROOT


def entries(cache: Path) -> dict[str, tuple[int, int]]:
    """The cache's entries; a run that lints writes its entry anew (a new
    inode), a run answered by the cache leaves it as it was."""
    if not cache.is_dir():
        return {}
    return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in cache.iterdir()}


def run(
    cache: Path, paths: list[str], disabled: frozenset[str] = frozenset()
) -> tuple[tuple[list[Diagnostic], list[str]], bool]:
    """(the result, whether the files were linted rather than read back)."""
    before = entries(cache)
    result = lint_trace_files_cached(paths, disabled)
    return result, not before or entries(cache) != before


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MIGSPEC_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    """Three files: findings in each, one name defined in two of them."""
    out = []
    for i, body in enumerate(
        [
            'a(uint64_t v) "v=%x"\nshared(int x) "%d"\n',
            'b(void *p) "%p"\nshared(int x) "0x%x"\n',
            'c(int n) "n=%d %d"\n',
        ]
    ):
        path = tmp_path / f"{i}" / "trace-events"
        path.parent.mkdir()
        path.write_text(body)
        out.append(str(path))
    return out


def test_a_warm_run_reports_what_a_cold_one_did(cache: Path, files: list[str]) -> None:
    cold, linted = run(cache, files)
    assert linted and len(entries(cache)) == 1
    warm, linted = run(cache, files)
    assert not linted
    assert warm == cold == lint_trace_files(files)
    rules = sorted({d.rule for d in cold[0]})
    assert rules == [
        "trace-duplicate-event",
        "trace-format-64bit",
        "trace-format-arg-count",
        "trace-format-hex-prefix",
    ]


@pytest.mark.parametrize("which", [0, 1, 2])
def test_an_edit_to_any_file_lints_again(cache: Path, files: list[str], which: int) -> None:
    run(cache, files)
    path = Path(files[which])
    path.write_text(path.read_text() + 'late(int x) "%s"\n')
    edited, linted = run(cache, files)
    assert linted
    assert edited == lint_trace_files(files)
    assert any(d.rule == "trace-format-string" for d in edited[0])
    assert run(cache, files)[1] is False


def test_a_file_replaced_by_another_of_the_same_size_lints_again(
    cache: Path, files: list[str]
) -> None:
    run(cache, files)
    path = Path(files[2])
    other = path.with_name("other")
    other.write_text('c(int n) "n=%d %s"\n')  # as long as the old text
    os.replace(other, path)
    replaced, linted = run(cache, files)
    assert linted and replaced == lint_trace_files(files)


def test_other_options_or_order_lint_again(cache: Path, files: list[str]) -> None:
    run(cache, files)
    fewer, linted = run(cache, files, frozenset({"trace-format-64bit"}))
    assert linted and fewer == lint_trace_files(files, frozenset({"trace-format-64bit"}))
    backwards = files[::-1]
    reordered, linted = run(cache, backwards)
    assert linted and reordered == lint_trace_files(backwards)
    assert reordered != run(cache, files)[0]  # the duplicate is reported in the other file


def test_a_run_with_an_unreadable_file_is_not_kept(cache: Path, files: list[str]) -> None:
    paths = [*files, str(Path(files[0]).parent / "missing")]
    first, _ = run(cache, paths)
    assert entries(cache) == {}
    assert first[1] == [paths[-1]]
    assert run(cache, paths)[0] == first


def test_the_command_reports_the_same_from_the_cache(tmp_path: Path, files: list[str]) -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"), MIGSPEC_CACHE_DIR=str(tmp_path / "c"))

    def lint(fmt: str) -> tuple[int, str, str]:
        args = ["lint", "--format", fmt, "--trace-events", *files]
        proc = subprocess.run(
            [sys.executable, "-m", "migspec", *args], env=env, capture_output=True, text=True
        )
        return proc.returncode, proc.stdout, proc.stderr

    for fmt in ("human", "json", "sarif"):
        assert lint(fmt) == lint(fmt)
    assert lint("human")[0] == 1 and "[trace-format-arg-count]" in lint("human")[1]
