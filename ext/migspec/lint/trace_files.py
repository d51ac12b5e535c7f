"""Linting trace-events files without a spec.

Inputs: paths of QEMU ``trace-events`` files.  Outputs: sorted diagnostics
located at the file, line and column of the offending part, and the paths that
could not be read at all.  The files are read by
:mod:`migspec.load.trace_events` and checked by the rules of
:mod:`migspec.lint.trace_rules`; event names must be unique across all the
files linted together, as they are in a QEMU build.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence

from ..diagnostics import Diagnostic
from ..load.trace_events import EventLine, TraceFile, read_trace_events
from . import run_rules
from .trace_rules import FILE_RULES, Memo, prepare_file


def lint_trace_file(
    tf: TraceFile,
    disabled: frozenset[str] = frozenset(),
    earlier: dict[str, EventLine] | None = None,
    memo: Memo | None = None,
) -> list[Diagnostic]:
    """Every trace-file rule over one file read already (reader diagnostics included).

    ``earlier`` maps event names to where files linted before this one define
    them; this file's names are added to it.
    """
    out = [d for d in tf.diagnostics if d.rule not in disabled]
    if not tf.readable:
        return out
    seen = {} if earlier is None else earlier
    checked = prepare_file(tf, seen, memo)
    out.extend(run_rules(FILE_RULES, checked, disabled))
    for event in tf.events:
        seen.setdefault(event.event.name, event)
    return out


def lint_trace_files(
    paths: Iterable[str], disabled: frozenset[str] = frozenset()
) -> tuple[list[Diagnostic], list[str]]:
    """Read and lint trace-events files: (sorted diagnostics, unreadable paths)."""
    diagnostics, unreadable, _ = lint_and_read(paths, disabled)
    return diagnostics, unreadable


def lint_and_read(
    paths: Iterable[str], disabled: frozenset[str] = frozenset()
) -> tuple[list[Diagnostic], list[str], Sequence[TraceFile]]:
    """As :func:`lint_trace_files`, also returning the files as read."""
    diagnostics: list[Diagnostic] = []
    unreadable: list[str] = []
    files: list[TraceFile] = []
    earlier: dict[str, EventLine] = {}
    memo = Memo()
    done: set[str] = set()
    for path in paths:
        key = os.path.realpath(path)
        if key in done:
            continue  # the same file twice is not a duplicate of every event
        done.add(key)
        tf = read_trace_events(path)
        files.append(tf)
        if not tf.readable:
            unreadable.append(path)
        diagnostics.extend(lint_trace_file(tf, disabled, earlier, memo))
    diagnostics.sort(key=Diagnostic.sort_key)
    return diagnostics, unreadable, files
