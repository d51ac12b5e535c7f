"""Linting trace-events files without a spec.

Inputs: paths of QEMU ``trace-events`` files.  Outputs: sorted diagnostics
located at the file, line and column of the offending part, and the paths that
could not be read at all.  The files are read by
:mod:`migspec.load.trace_events` and checked by the rules of
:mod:`migspec.lint.trace_rules`; event names must be unique across all the
files linted together, as they are in a QEMU build.

Each file is linted on its own, so a tree's files can be shared out between
CPUs (:mod:`migspec.workers`) in contiguous runs of about equal size; the
one check that spans files, duplicate names, then runs over what each file
defines, in the order the files were given.  The result does not depend on
how many jobs ran.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from ..diagnostics import Diagnostic
from ..load.trace_events import TraceFile, read_trace_events
from ..workers import available_cpus, run_all
from . import run_rules
from .trace_rules import FILE_RULES, Definition, Memo, definitions, duplicates_across, prepare_file

DUPLICATE = "trace-duplicate-event"
# Below this much text per job, starting a worker costs more than it saves.
_MIN_BYTES_PER_JOB = 128 * 1024


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
    unique = _unique(paths)
    chunks = _chunks(unique, _jobs(unique, jobs))
    diagnostics: list[Diagnostic] = []
    unreadable: list[str] = []
    defined: list[tuple[str, Sequence[Definition]]] = []
    for chunk in run_all(lambda chunk: _lint_chunk(chunk, disabled), chunks):
        for result in chunk:
            diagnostics.extend(result.diagnostics)
            if not result.readable:
                unreadable.append(result.path)
            defined.append((result.shown, result.defined))
    if DUPLICATE not in disabled:
        diagnostics.extend(duplicates_across(defined))
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics, unreadable


def lint_and_read(
    paths: Iterable[str], disabled: frozenset[str] = frozenset()
) -> tuple[list[Diagnostic], list[str], Sequence[TraceFile]]:
    """As :func:`lint_trace_files` in one process, also returning the files as read."""
    diagnostics: list[Diagnostic] = []
    unreadable: list[str] = []
    files: list[TraceFile] = []
    memo = Memo()
    for path in _unique(paths):
        tf = read_trace_events(path)
        files.append(tf)
        if not tf.readable:
            unreadable.append(path)
        diagnostics.extend(lint_trace_file(tf, disabled, memo))
    if DUPLICATE not in disabled:
        diagnostics.extend(duplicates_across((tf.path, definitions(tf)) for tf in files))
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics, unreadable, files


class _Result(NamedTuple):
    """One file linted, in a form that is cheap to send back from a worker."""

    path: str  # as given
    shown: str  # as the diagnostics name it
    readable: bool
    diagnostics: list[Diagnostic]
    defined: tuple[Definition, ...]


def _lint_chunk(paths: Sequence[str], disabled: frozenset[str]) -> list[_Result]:
    memo = Memo()
    out = []
    for path in paths:
        tf = read_trace_events(path)
        found = lint_trace_file(tf, disabled, memo)
        out.append(_Result(path, tf.path, tf.readable, found, definitions(tf)))
    return out


def _unique(paths: Iterable[str]) -> list[str]:
    """The paths in order, each file once (the same file twice is not a
    duplicate of every event)."""
    seen: set[str] = set()
    out = []
    for path in paths:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _jobs(paths: Sequence[str], jobs: int | None) -> int:
    if jobs is not None:
        return max(1, min(jobs, len(paths)))
    worth = sum(_size(p) for p in paths) // _MIN_BYTES_PER_JOB
    return max(1, min(available_cpus(), worth, len(paths)))


def _chunks(paths: Sequence[str], jobs: int) -> list[list[str]]:
    """``paths`` cut into ``jobs`` contiguous runs of about the same total size."""
    if jobs <= 1:
        return [list(paths)]
    sizes = [_size(p) + 1 for p in paths]
    share = sum(sizes) / jobs
    chunks: list[list[str]] = [[]]
    filled = 0
    for path, size in zip(paths, sizes, strict=True):
        if len(chunks) < jobs and chunks[-1] and filled + size / 2 > share * len(chunks):
            chunks.append([])
        chunks[-1].append(path)
        filled += size
    return chunks
