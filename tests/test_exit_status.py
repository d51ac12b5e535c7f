"""The exit-status contract, on real ``python3 -m migspec`` processes.

0 clean, 1 findings, 2 usage errors / unreadable input / unwritable output,
3 internal error (message and traceback), 130 Ctrl-C, and a reader that goes
away ends migspec quietly (status 2).  ``migspec --help``, the README and the docs say
the same.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEED_SPEC
from .test_cli_entry import environment, run

INTERNAL = "migspec: internal error, please report it\n"


def test_0_clean() -> None:
    # The bundled spec has notes only: below the default --fail-on error.
    done = run(["lint"])
    assert done.returncode == 0, done.stderr
    assert "[fsm-flow-combination]" in done.stdout


def test_1_findings(tmp_path: Path) -> None:
    spec = tmp_path / "lenient.yaml"
    spec.write_text(SEED_SPEC.read_text().replace("stop_at_error: true", "stop_at_error: false"))
    done = run(["lint", "--spec", str(spec)])
    assert done.returncode == 1
    assert "[fsm-walk-loop]" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["check"],  # a required option missing
        ["lint", "--fail-on", "bogus"],
        ["update", "--source-root", ".", "--check", "--disable", "no-such-rule"],
        ["lint", "--spec", "/nonexistent/spec.yaml"],  # unreadable input
        ["render", "c-enum", "--spec", "/"],  # a directory, not a file
    ],
)
def test_2_usage_and_unreadable_input(args: list[str]) -> None:
    done = run(args)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_2_output_that_cannot_be_written() -> None:
    with open("/dev/full", "w") as full:
        done = run(["render", "fsm-dot"], stdout=full)
    assert done.returncode == 2
    assert "No space left on device" in done.stderr
    assert "Traceback" not in done.stderr


def test_3_internal_error_prints_the_traceback(tmp_path: Path) -> None:
    # A dependency installed without its code (a package directory with an
    # empty __init__.py), ahead of the real one on the path: what a broken
    # installation looks like.  Nothing migspec expects, so an internal error.
    broken = tmp_path / "site" / "jinja2"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("")
    env = environment()
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "ext"), str(tmp_path / "site")])
    done = subprocess.run(
        [sys.executable, "-m", "migspec", "render", "c-enum"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 3
    assert done.stdout == ""
    assert done.stderr.startswith(INTERNAL + "Traceback (most recent call last):\n")
    assert done.stderr.rstrip().splitlines()[-1].startswith("AttributeError")


def _reading_one_of(pid: int, folder: Path) -> bool:
    """Has process ``pid`` a file of ``folder`` open right now (Linux /proc)?"""
    fds = Path(f"/proc/{pid}/fd")
    try:
        targets = [os.readlink(fd) for fd in fds.iterdir()]
    except OSError:  # the process ended, or an fd closed while we looked
        return False
    return any(t.startswith(str(folder) + os.sep) for t in targets)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_130_interrupted(tmp_path: Path) -> None:
    # Many trace-events files, read one after another: once one of them is
    # seen open, migspec is inside the command, and the interrupt reaches it
    # there rather than while Python starts.  (A FIFO no longer blocks it:
    # every reader refuses what is not a regular file.)
    folder = tmp_path / "events"
    folder.mkdir()
    lines = "".join(f'ev_{i}(int x) "x %d"\n' for i in range(2000))
    paths = []
    for n in range(400):
        path = folder / f"trace-events-{n}"
        path.write_text(lines)
        paths.append(str(path))
    env = environment()
    env["MIGSPEC_CACHE_DIR"] = ""
    process = subprocess.Popen(
        [sys.executable, "-m", "migspec", "lint", "--trace-events", *paths],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    while process.poll() is None and not _reading_one_of(process.pid, folder):
        pass
    assert process.poll() is None, "migspec finished before it could be interrupted"
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 130
    assert out == ""
    assert err == "migspec: interrupted\n"


@pytest.mark.parametrize(
    "args",
    [
        ["render", "fsm-dot"],  # small: the write fails only at the final flush
        ["show"],
        ["lint", "--format", "json"],
    ],
)
def test_a_closed_standard_output_exits_2_quietly(args: list[str]) -> None:
    # A pipe whose reader is gone before migspec writes: every write fails
    # (EPIPE), deterministically, whatever the size of the output.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "migspec", *args],
            env=environment(),
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.stderr == ""
    assert done.returncode == 2


def test_a_reader_that_stops_reading_ends_quietly() -> None:
    cmd = f"{sys.executable} -m migspec render fsm-dot | head -c 10"
    done = subprocess.run(
        ["bash", "-c", cmd],
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    assert len(done.stdout) == 10
    assert done.stderr == ""


def test_help_states_the_contract() -> None:
    done = run(["--help"])
    assert done.returncode == 0
    epilog = done.stdout[done.stdout.index("exit status (every command):") :]
    codes = [line.split()[0] for line in epilog.splitlines()[1:] if line[:3].strip().isdigit()]
    assert codes == ["0", "1", "2", "3", "130"]


@pytest.mark.parametrize("page", ["README.md", "docs/index.rst"])
def test_the_documentation_states_the_contract(page: str) -> None:
    text = " ".join((ROOT / page).read_text().split())
    for phrase in (
        "0 clean",
        "1 findings",
        "2 usage errors",
        "3 internal error",
        "130 interrupted",
        "please report it",
    ):
        assert phrase in text.replace("*", "").replace("`", ""), (page, phrase)
