"""Forked workers (migspec.workers): results in order, and failures cost only time."""

from __future__ import annotations

import os
import signal
import threading

import pytest

from migspec.workers import available_cpus, run_all


def test_results_come_back_in_order_from_other_processes() -> None:
    parent = os.getpid()
    results = run_all(lambda n: (n * n, os.getpid() != parent), list(range(6)))
    assert [r[0] for r in results] == [0, 1, 4, 9, 16, 25]
    # The first item runs in the caller, the others really ran elsewhere.
    assert [r[1] for r in results] == [False, True, True, True, True, True]


def test_a_worker_that_raises_is_redone_in_the_caller() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() != parent and n == 2:
            raise RuntimeError("only in the worker")
        return n + 100

    assert run_all(work, [0, 1, 2, 3]) == [100, 101, 102, 103]


def test_a_worker_killed_by_a_signal_is_redone_in_the_caller() -> None:
    parent = os.getpid()

    def work(n: int) -> int:
        if os.getpid() != parent and n == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return -n

    assert run_all(work, [0, 1, 2]) == [0, -1, -2]


def test_an_error_in_the_callers_own_share_propagates() -> None:
    def work(n: int) -> int:
        if n == 0:
            raise ValueError("bad input")
        return n

    with pytest.raises(ValueError, match="bad input"):
        run_all(work, [0, 1])


def test_no_fork_while_threads_run() -> None:
    parent = os.getpid()
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert run_all(lambda n: os.getpid() == parent, [0, 1, 2]) == [True, True, True]
    finally:
        stop.set()
        thread.join()


def test_large_results_do_not_block() -> None:
    # Far beyond a pipe's buffer: the worker waits for the caller to read.
    big = run_all(lambda n: "x" * (1 << 20) * (n + 1), [0, 1, 2])
    assert [len(b) for b in big] == [1 << 20, 2 << 20, 3 << 20]


def test_available_cpus() -> None:
    assert 1 <= available_cpus() <= (os.cpu_count() or 1)
