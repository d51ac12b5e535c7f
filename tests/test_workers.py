"""Forked workers (migspec.workers): results in order, work shared as it goes,
and failures cost only time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from migspec.workers import available_cpus, run_all

from .conftest import ROOT


def test_results_come_back_in_order_from_other_processes() -> None:
    parent = os.getpid()

    def work(n: int) -> tuple[int, bool]:
        time.sleep(0.02)  # long enough that the worker gets some of the items
        return n * n, os.getpid() != parent

    results = run_all(work, list(range(12)), jobs=2)
    assert [r[0] for r in results] == [n * n for n in range(12)]
    elsewhere = sum(r[1] for r in results)
    assert 0 < elsewhere < 12


def test_a_slow_process_takes_fewer_items() -> None:
    parent = os.getpid()

    def work(n: int) -> bool:
        time.sleep(0.05 if os.getpid() == parent else 0.005)
        return os.getpid() == parent

    mine = sum(run_all(work, list(range(20)), jobs=2))
    # A fixed half would be 10; shared as it goes, the fast worker takes most
    # (about 18 here; the margin is for a loaded machine).
    assert mine < 10


def test_three_jobs_share_the_items() -> None:
    def work(n: int) -> int:
        time.sleep(0.005)
        return os.getpid()

    pids = run_all(work, list(range(30)), jobs=3)
    assert len(pids) == 30
    assert len(set(pids)) >= 2


def test_a_worker_that_raises_is_redone_in_the_caller() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        time.sleep(0.005)
        if os.getpid() != parent:
            raise RuntimeError("only in the worker")
        return n + 100

    assert run_all(work, list(range(8)), jobs=2) == [n + 100 for n in range(8)]


def test_a_worker_killed_by_a_signal_is_redone_in_the_caller() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        time.sleep(0.005)
        if os.getpid() != parent and n >= 2:
            os.kill(os.getpid(), signal.SIGKILL)
        return -n

    assert run_all(work, list(range(8)), jobs=2) == [-n for n in range(8)]


def test_an_error_in_the_callers_own_share_propagates() -> None:
    def work(n: int) -> int:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        run_all(work, [0, 1], jobs=2)


def test_no_fork_while_threads_run() -> None:
    parent = os.getpid()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert run_all(lambda n: os.getpid() == parent, [0, 1, 2], jobs=2) == [True] * 3
    finally:
        stop.set()
        thread.join()


def test_one_job_or_one_item_stays_in_process() -> None:
    parent = os.getpid()
    assert run_all(lambda n: os.getpid() == parent, [0, 1, 2], jobs=1) == [True] * 3
    assert run_all(lambda n: os.getpid() == parent, [0], jobs=4) == [True]


def test_large_results_do_not_block() -> None:
    # Far beyond a pipe's buffer: the worker waits for the caller to read.
    def work(n: int) -> str:
        time.sleep(0.01)
        return "x" * (1 << 20) * (n + 1)

    big = run_all(work, [0, 1, 2, 3], jobs=2)
    assert [len(b) for b in big] == [(n + 1) << 20 for n in range(4)]


def test_available_cpus() -> None:
    assert 1 <= available_cpus() <= (os.cpu_count() or 1)


def _children() -> set[int]:
    """This process's child processes (Linux)."""
    out: set[int] = set()
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        out.update(int(p) for p in (task / "children").read_text().split())
    return out


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_when_the_callers_share_raises_no_worker_is_left_behind() -> None:
    before = _children()

    def work(n: int) -> str:
        if n == 0:
            time.sleep(0.05)  # let the worker take items and block on a big result
            raise ValueError("bad input")
        return "x" * (1 << 20)

    with pytest.raises(ValueError, match="bad input"):
        run_all(work, list(range(6)), jobs=3)
    assert _children() == before


def _in_a_child_process(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"))
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_works_when_sigchld_is_ignored() -> None:
    # Inherited by some daemons and CI runners: children are reaped by the
    # kernel and waitpid() finds none.
    done = _in_a_child_process(
        "import os, signal, time\n"
        "signal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
        "from migspec.workers import run_all\n"
        "def work(n):\n"
        "    time.sleep(0.01)\n"
        "    return n * 2, os.getpid()\n"
        "out = run_all(work, list(range(10)), jobs=2)\n"
        "assert [o[0] for o in out] == [n * 2 for n in range(10)], out\n"
        "assert len({o[1] for o in out}) == 2, out\n"
    )
    assert done.returncode == 0, done.stderr


def test_no_file_descriptors_to_spare_means_fewer_workers() -> None:
    done = _in_a_child_process(
        "import os, resource, time\n"
        "from migspec.workers import run_all\n"
        "used = len(os.listdir('/proc/self/fd'))\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (used + 6, used + 6))\n"
        "def work(n):\n"
        "    time.sleep(0.005)\n"
        "    return n + 1\n"
        "assert run_all(work, list(range(40)), jobs=30) == [n + 1 for n in range(40)]\n"
    )
    assert done.returncode == 0, done.stderr
