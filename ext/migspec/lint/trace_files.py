"""Linting trace-events files without a spec.

Inputs: paths of QEMU ``trace-events`` files.  Outputs: sorted diagnostics
located at the file, line and column of the offending part, and the paths that
could not be read at all.  The files are read by
:mod:`migspec.load.trace_events` and checked by the rules of
:mod:`migspec.lint.trace_rules`; event names must be unique across all the
files linted together, as they are in a QEMU build.

Each file is read, linted and let go in turn, in one process (sharing the
files between CPUs did not pay: see ``docs/performance.rst``); the one check
that spans files, duplicate names, keeps the first definition of each name
(:class:`~migspec.lint.trace_rules.file_rules.DefinedEvents`) and checks
each file against the files given before it.

:func:`lint_trace_files_cached` keeps what a run found in
:mod:`migspec.cache`, as ``migspec lint`` keeps a spec's findings: a run over
the same files, unchanged since (same size, modification time and inode),
with the same options and the same migspec, reads them back instead of
linting again.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from .. import cache
from ..diagnostics import Diagnostic
from ..load.trace_events import TraceFile, read_trace_events
from . import run_rules
from .trace_rules import FILE_RULES, DefinedEvents, duplicate_event, prepare_file


def lint_trace_file(tf: TraceFile, disabled: frozenset[str] = frozenset()) -> list[Diagnostic]:
    """Every trace-file rule over one file read already (reader diagnostics included)."""
    out = [d for d in tf.diagnostics if d.rule not in disabled]
    if not tf.readable:
        return out
    out.extend(run_rules(FILE_RULES, prepare_file(tf), disabled))
    return out


def lint_trace_files(
    paths: Iterable[str], disabled: frozenset[str] = frozenset()
) -> tuple[list[Diagnostic], list[str]]:
    """Read and lint trace-events files: (sorted diagnostics, unreadable paths)."""
    return _lint(_unique(paths), disabled)


def _lint(unique: Sequence[str], disabled: frozenset[str]) -> tuple[list[Diagnostic], list[str]]:
    # One file at a time, each with its own memo of parsed formats and
    # argument lists, and nothing of it kept once linted but the first
    # definition of each name (for duplicates across files).  Sharing the
    # memos across a tree saved 125 of 3,882 format parses on QEMU's, and
    # keeping every file and memo until the end cost 2,000 more pages of
    # memory, each a page fault (~7 us on this project's machine).
    across = None if duplicate_event.id in disabled else DefinedEvents()
    diagnostics: list[Diagnostic] = []
    unreadable: list[str] = []
    for path in unique:
        tf = read_trace_events(path)
        diagnostics.extend(lint_trace_file(tf, disabled))
        if not tf.readable:
            unreadable.append(path)
        elif across is not None:
            diagnostics.extend(across.add(tf))
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics, unreadable


def lint_trace_files_cached(
    paths: Iterable[str], disabled: frozenset[str] = frozenset()
) -> tuple[list[Diagnostic], list[str]]:
    """:func:`lint_trace_files`, its result kept in :mod:`migspec.cache` between runs."""
    unique = _unique(paths)
    # The entry's slot: the files, in order, and the options; the cache adds
    # the first file's bytes and migspec's own files to its key.  Every
    # file's state is taken before it is read, so an edit made while this
    # run reads it makes the entry stale, never wrong.
    options = ("lint --trace-events", *sorted(disabled), "--", *unique)
    states = _states(unique)
    entry = cache.find(unique[0], options) if unique else None
    kept = cache.read(entry) if entry is not None else None
    if isinstance(kept, dict) and states is not None and kept.get("files") == states:
        return [Diagnostic.from_data(d) for d in kept["findings"]], []
    diagnostics, unreadable = _lint(unique, disabled)
    if entry is not None and states is not None and not unreadable:
        record = {"files": states, "findings": [d.to_data() for d in diagnostics]}
        cache.write(entry, unique[0], options, record)
    return diagnostics, unreadable


def _states(paths: Sequence[str]) -> list[list[int]] | None:
    """Each file's device, inode, size and modification time (ns); ``None``
    if one cannot be read (such a run is not kept)."""
    out = []
    for path in paths:
        try:
            st = os.stat(path)
        except (OSError, ValueError):
            return None
        out.append([st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns])
    return out


def _unique(paths: Iterable[str]) -> list[str]:
    """The paths in order, each file once (the same file twice is not a
    duplicate of every event)."""
    seen: set[object] = set()
    out: list[str] = []
    for path in paths:
        try:
            st = os.stat(path)
        except (OSError, ValueError):  # the reader reports it
            key: object = os.path.realpath(path) if "\0" not in path else path
        else:
            key = (st.st_dev, st.st_ino)
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out
