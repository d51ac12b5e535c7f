"""Running independent pieces of work on several CPUs.

Inputs: a function and a list of work items (say, chunks of files).  Outputs:
the function's results, in the order of the items, exactly as if it had been
called on each in turn.

How: on POSIX, ``fork()`` copies the process with everything it has imported,
so a worker starts in about a millisecond and needs nothing sent to it; each
worker pickles its result back through a pipe.  The parent does the first
item itself.  ``multiprocessing`` would cost more to import than a whole
``migspec lint`` of a small tree, which is why this is not it.

Whatever goes wrong in a worker (an exception, a crash, a signal) costs only
time: the parent then does that item itself, so an error surfaces in the
parent with its normal traceback, and nothing is lost.  Without ``fork``, with
threads running (forking them is unsafe) or with one job, everything runs in
the calling process.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


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


def run_all(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``[work(item) for item in items]``, the items after the first in forked workers."""
    if len(items) < 2 or not can_fork():
        return [work(item) for item in items]
    started: list[tuple[int, int]] = []
    for item in items[1:]:
        started.append(_start(work, item))
    results = [work(items[0])]
    for (pid, fd), item in zip(started, items[1:], strict=True):
        data = _collect(pid, fd)
        if data is None:
            results.append(work(item))  # the worker failed: do its part here
        else:
            result: R = pickle.loads(data)
            results.append(result)
    return results


def _start(work: Callable[[T], R], item: T) -> tuple[int, int]:
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker
        status = 1
        try:
            # Everything inherited is the parent's: keep the collector off it,
            # or walking it would write to (and so copy) every shared page.
            gc.freeze()
            os.close(read_end)
            data = pickle.dumps(work(item), pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as out:
                out.write(data)
            status = 0
        finally:
            # No clean-up of the parent's state (buffered output, atexit
            # handlers) may run twice: leave at once.
            os._exit(status)
    os.close(write_end)
    return pid, read_end


def _collect(pid: int, fd: int) -> bytes | None:
    """A worker's pickled result, or ``None`` if it did not finish its work."""
    with os.fdopen(fd, "rb") as inp:
        data = inp.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not data:
        return None
    return data
