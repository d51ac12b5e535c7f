"""The ``migspec`` process itself (``migspec.cli.entry``): it leaves without the
interpreter's clean-up, so what reaches the output and the exit status are
checked on real processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT


def environment() -> dict[str, str]:
    # Buffered output, as in a terminal session or a CI job.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    env["PYTHONPATH"] = str(ROOT / "ext")
    return env


def run(args: list[str], stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migspec", *args],
        env=environment(),
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )


def many_findings(tmp_path: Path) -> str:
    path = tmp_path / "trace-events"
    path.write_text("".join(f'ev{i}(uint64_t a) "0x%x"\n' for i in range(3000)))
    return str(path)


def test_output_and_status_survive_the_fast_exit(tmp_path: Path) -> None:
    done = run(["lint", "--trace-events", many_findings(tmp_path)])
    assert done.returncode == 1
    assert done.stdout.count("[trace-format-64bit]") == 3000
    assert done.stderr.endswith("1 trace-events file: 3000 errors, 0 warnings, 0 notes\n")


def test_a_reader_that_goes_away_is_not_an_error(tmp_path: Path) -> None:
    env = environment()
    cmd = f"{sys.executable} -m migspec lint --trace-events {many_findings(tmp_path)} | head -1"
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", cmd], env=env, capture_output=True, text=True, check=False
    )
    assert done.stdout.count("\n") == 1
    assert "Traceback" not in done.stderr and "Error" not in done.stderr
    assert done.returncode in (1, 2)  # findings, or the pipe closed first (status 2)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("big", [False, True])
def test_output_that_cannot_be_written_is_an_error(tmp_path: Path, big: bool) -> None:
    args = ["lint", "--format", "json"]
    if big:  # fails while the command writes, not at the final flush
        args += ["--trace-events", many_findings(tmp_path)]
    with open("/dev/full", "w") as full:
        done = run(args, stdout=full)
    assert done.returncode == 2
    assert "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr


def test_usage_errors_and_help_keep_their_status() -> None:
    assert run(["lint", "--bogus"]).returncode == 2
    helped = run(["lint", "--help"])
    assert helped.returncode == 0 and "--trace-events" in helped.stdout
    assert run(["--version"]).stdout.startswith("migspec ")


@pytest.mark.parametrize("was_enabled", [True, False])
def test_a_command_runs_without_the_cycle_collector_and_restores_it(
    was_enabled: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The collector does not run while a command does (nothing it builds is
    garbage before the command ends), and is left as it was for in-process
    callers.  20,000 events allocate more objects than the collector's
    thresholds let pass without a collection."""
    import gc

    from migspec import cli

    collections: list[str] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(phase)

    path = tmp_path / "trace-events"
    path.write_text("".join(f'ev{i}(uint64_t a) "0x%" PRIx64\n' for i in range(20_000)))
    (gc.enable if was_enabled else gc.disable)()
    gc.callbacks.append(count)
    try:
        assert cli.main(["lint", "--trace-events", str(path)]) == 0
        assert gc.isenabled() is was_enabled
    finally:
        gc.callbacks.remove(count)
        gc.enable()
    assert collections == []
    assert "0 errors, 0 warnings" in capsys.readouterr().err
