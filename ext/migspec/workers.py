"""Running independent pieces of work on several CPUs.

Inputs: a function, a list of work items (say, runs of files) and how many
processes may share them.  Outputs: the function's results, in the order of
the items, exactly as if it had been called on each in turn.

How: on POSIX, ``fork()`` copies the process with everything it has imported,
so a worker starts in about a millisecond and needs nothing sent to it.  The
items are shared out as they go: their indexes wait in a pipe, and each
process (the caller is one of them) takes the next index until none is left,
so a process that runs slower (a busier CPU, bigger files) simply does fewer
items.  Each worker pickles its results back through a pipe of its own.
``multiprocessing`` would cost more to import than a whole ``migspec lint``
of a small tree, which is why this is not it.

Whatever goes wrong in a worker (an exception, a crash, a signal) costs only
time: the caller then does that worker's items itself, so an error surfaces
in the caller with its normal traceback, and nothing is lost.  Without
``fork``, with threads running (forking them is unsafe) or with one job,
everything runs in the calling process.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

_INDEX = 4  # bytes per item index in the queue pipe


def available_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, where there is one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Is forking safe: POSIX, and no thread running but this one?"""
    # Threads are started through ``threading``; if it was never imported
    # (it costs a millisecond and a half), none are running.
    threading = sys.modules.get("threading")
    return hasattr(os, "fork") and (threading is None or threading.active_count() == 1)


def run_all(work: Callable[[T], R], items: Sequence[T], jobs: int) -> list[R]:
    """``[work(item) for item in items]``, shared out between ``jobs`` processes."""
    jobs = min(jobs, len(items))
    if jobs < 2 or not can_fork() or len(items) * _INDEX > 65536:
        return [work(item) for item in items]
    # The queue: every index, written before any process reads, so that a
    # reader finds either a whole index or the end.  (Reads of a few bytes
    # from a pipe are atomic: two processes never get parts of one index.)
    try:
        queue_read, queue_write = os.pipe()
    except OSError:  # out of file descriptors: no sharing today
        return [work(item) for item in items]
    os.write(queue_write, b"".join(i.to_bytes(_INDEX, "little") for i in range(len(items))))
    os.close(queue_write)
    workers: list[tuple[int, int]] = []
    try:
        for _ in range(jobs - 1):
            try:
                workers.append(_start(work, items, queue_read))
            except OSError:  # no process or pipe to be had: fewer workers
                break
        done = dict(_take(work, items, queue_read))
        while workers:
            pid, fd = workers.pop()
            data = _collect(pid, fd)
            if data is not None:
                done.update(data)
    finally:
        os.close(queue_read)
        _abandon(workers)
    # Items a failed worker took (or had finished) are done here.
    return [done[i] if i in done else work(item) for i, item in enumerate(items)]


def _take(work: Callable[[T], R], items: Sequence[T], queue: int) -> list[tuple[int, R]]:
    """Take the next index from the queue and do that item, until the queue is empty."""
    out: list[tuple[int, R]] = []
    while True:
        raw = os.read(queue, _INDEX)
        if not raw:
            return out
        index = int.from_bytes(raw, "little")
        out.append((index, work(items[index])))


def _start(work: Callable[[T], R], items: Sequence[T], queue: int) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        raise
    if pid == 0:  # the worker
        status = 1
        try:
            # Everything inherited is the parent's: keep the collector off it,
            # or walking it would write to (and so copy) every shared page.
            gc.freeze()
            os.close(read_end)
            data = pickle.dumps(_take(work, items, queue), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            # No clean-up of the parent's state (buffered output, atexit
            # handlers) may run twice: leave at once.
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, fd: int) -> list[tuple[int, Any]] | None:
    """A worker's results, or ``None`` if it did not finish its work."""
    with os.fdopen(fd, "rb") as inp:
        data = inp.read()
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # SIGCHLD ignored: reaped already, status unknown
        status = 0
    if status != 0 or not data:
        return None
    try:
        results: list[tuple[int, Any]] = pickle.loads(data)
    except (pickle.UnpicklingError, EOFError, ValueError):  # cut short: it died writing
        return None
    return results


def _abandon(workers: list[tuple[int, int]]) -> None:
    """Stop and reap workers whose results are no longer wanted (the caller's
    own share raised): no process is left running or unreaped, no pipe open."""
    import signal

    for pid, fd in workers:
        os.close(fd)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
