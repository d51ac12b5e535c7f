"""Linting trace-events files without a spec.

Inputs: paths of QEMU ``trace-events`` files.  Outputs: sorted diagnostics
located at the file, line and column of the offending part, and the paths that
could not be read at all.  The files are read by
:mod:`migspec.load.trace_events` and checked by the rules of
:mod:`migspec.lint.trace_rules`; event names must be unique across all the
files linted together, as they are in a QEMU build.

Each file is linted on its own, so a tree's files can be shared out between
CPUs (:mod:`migspec.workers`), in contiguous runs of about equal size, a few
per process so that a slower process takes fewer; the one check that spans
files, duplicate names, then runs over what each file defines, in the order
the files were given.  The result does not depend on how many jobs ran.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ..diagnostics import Diagnostic
from ..load.trace_events import ArgCache, TraceFile, read_trace_events
from ..workers import available_cpus, run_all
from . import run_rules
from .trace_rules import (
    FILE_RULES,
    Definition,
    Memo,
    definitions,
    duplicate_event,
    duplicates_across,
    prepare_file,
)

# Below this much text per job, starting a worker costs more than it saves.
_MIN_BYTES_PER_JOB = 128 * 1024
# Runs of files per process: enough for a slower process to end up with
# fewer, few enough that each is worth taking.
_RUNS_PER_JOB = 4


def lint_trace_file(
    tf: TraceFile, disabled: frozenset[str] = frozenset(), memo: Memo | None = None
) -> list[Diagnostic]:
    """Every trace-file rule over one file read already (reader diagnostics included)."""
    out = [d for d in tf.diagnostics if d.rule not in disabled]
    if not tf.readable:
        return out
    out.extend(run_rules(FILE_RULES, prepare_file(tf, memo), disabled))
    return out


def lint_trace_files(
    paths: Iterable[str], disabled: frozenset[str] = frozenset(), jobs: int | None = 1
) -> tuple[list[Diagnostic], list[str]]:
    """Read and lint trace-events files: (sorted diagnostics, unreadable paths).

    ``jobs`` is how many processes may share the work (``None``: as many as
    there are CPUs, when the files are big enough to be worth it).
    """
    unique, sizes = _unique(paths)
    jobs = _jobs(sizes, jobs)
    # Each process fills its own copy of these as it goes.
    memo, cache = Memo(), ArgCache()

    def lint_run(run: Sequence[str]) -> list[_Result]:
        return [_lint_one(path, disabled, memo, cache) for path in run]

    diagnostics: list[Diagnostic] = []
    unreadable: list[str] = []
    defined: list[tuple[str, Sequence[Definition]]] = []
    runs = _runs(unique, sizes, jobs * _RUNS_PER_JOB if jobs > 1 else 1)
    for results in run_all(lint_run, runs, jobs):
        for result in results:
            diagnostics.extend(result.diagnostics)
            if not result.readable:
                unreadable.append(result.path)
            defined.append((result.path, result.defined))
    if duplicate_event.id not in disabled:
        diagnostics.extend(duplicates_across(defined))
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics, unreadable


class _Result(NamedTuple):
    """One file linted, in a form that is cheap to send back from a worker."""

    path: str
    readable: bool
    diagnostics: list[Diagnostic]
    defined: tuple[Definition, ...]


def _lint_one(path: str, disabled: frozenset[str], memo: Memo, cache: ArgCache) -> _Result:
    tf = read_trace_events(path, cache=cache)
    found = lint_trace_file(tf, disabled, memo)
    return _Result(path, tf.readable, found, definitions(tf))


def _unique(paths: Iterable[str]) -> tuple[list[str], list[int]]:
    """The paths in order, each file once (the same file twice is not a
    duplicate of every event), and their sizes (0 if they cannot be read)."""
    seen: set[object] = set()
    out: list[str] = []
    sizes: list[int] = []
    for path in paths:
        try:
            st = os.stat(path)
        except (OSError, ValueError):  # the reader reports it
            key: object = os.path.realpath(path) if "\0" not in path else path
            size = 0
        else:
            key = (st.st_dev, st.st_ino)
            size = st.st_size
        if key not in seen:
            seen.add(key)
            out.append(path)
            sizes.append(size)
    return out, sizes


def _jobs(sizes: Sequence[int], jobs: int | None) -> int:
    if jobs is not None:
        return max(1, min(jobs, len(sizes)))
    worth = sum(sizes) // _MIN_BYTES_PER_JOB
    return max(1, min(available_cpus(), worth, len(sizes)))


def _runs(paths: Sequence[str], sizes: Sequence[int], count: int) -> list[list[str]]:
    """``paths`` cut into ``count`` contiguous runs of about the same total size."""
    if count <= 1:
        return [list(paths)]
    share = (sum(sizes) + len(sizes)) / count
    runs: list[list[str]] = [[]]
    filled = 0
    for path, size in zip(paths, (s + 1 for s in sizes), strict=True):
        if len(runs) < count and runs[-1] and filled + size / 2 > share * len(runs):
            runs.append([])
        runs[-1].append(path)
        filled += size
    return runs
