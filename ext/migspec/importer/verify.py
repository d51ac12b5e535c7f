"""Import's own check: the imported spec expects what the tree holds.

Inputs: the spec the import built (loaded back from its text) and what the
import read from the tree (:class:`TreeReading`).  Output: one located
diagnostic per disagreement between the two, at the place in the tree the
import read.  The spec's side is :mod:`migspec.expect`'s answer, the same
one ``check`` compares a tree with and ``update`` rewrites to: the to-string
cases, each predicate's members and the trace lines.  A disagreement means
``migspec check`` would fail on the very tree the spec came from: a bug in
the import (its reading or its template), and the diagnostic says so,
unless the import chose it and flagged it for review in the spec's header.
A warning, so that the spec is still written for a person to review.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Location, Severity, declare
from ..expect.code import expect_code
from ..expect.trace import expect_trace
from ..model import Spec

DISAGREES = declare(
    "import-disagrees",
    Severity.WARNING,
    "The imported spec expects something other than what the tree it came from holds.",
    scope="import",
    doc="""
    After building a spec, ``migspec import`` compares what that spec
    expects (the to-string cases, each predicate's states, the trace
    events, as ``check`` and ``update`` read them from the spec) with what
    it read from the tree.  They must agree: otherwise ``migspec check``
    would fail on the tree the spec was imported from.  Unless the import
    flagged the difference for review in the spec's header comment (a
    to-string string that is not the state's name, say), this is a bug in
    migspec's import, not in the tree: please report it with the tree.
    """,
    example="hw/vfio/migration.c: the imported spec gives RUNNING the string 'RUN'; "
    "the tree returns 'RUNNING'",
)

RULES = (DISAGREES,)

_BUG = (
    "; check will report it on this very tree (unless the spec's header flags it "
    "for review, a bug in migspec import: please report it)"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadFunction:
    """A C function the import read: its name, where it is, and what it maps."""

    function: str
    location: Location
    # to-string: constant -> string; predicate: its constants -> "".
    values: dict[str, str]


@dataclass(frozen=True, slots=True, kw_only=True)
class ReadEvent:
    name: str
    args: tuple[str, ...]
    format: str


@dataclass(frozen=True, slots=True, kw_only=True)
class TreeReading:
    """What the import read from the tree, for the parts the spec owns."""

    to_string: ReadFunction | None = None
    predicates: tuple[ReadFunction, ...] = ()
    # The trace-events file (as shown), its section and its events there.
    trace_file: Location | None = None
    trace_events: tuple[ReadEvent, ...] = ()


def verify_import(spec: Spec, read: TreeReading) -> list[Diagnostic]:
    """Every disagreement between what ``spec`` expects and what ``read`` holds."""
    return [*_to_string(spec, read), *_predicates(spec, read), *_trace(spec, read)]


def _to_string(spec: Spec, read: TreeReading) -> Iterator[Diagnostic]:
    expected = expect_code(spec).to_string
    if read.to_string is None or expected is None:
        if (read.to_string is None) != (expected is None):
            where = read.to_string.location if read.to_string else Location(spec.path)
            yield DISAGREES.diagnostic(
                "the tree and the imported spec disagree on whether there is a to-string "
                "function" + _BUG,
                where,
            )
        return
    want = {case.constant.name: case.string for case in expected.cases}
    have = read.to_string.values
    # Every case the tree has, the spec must write as it is.  A state of the
    # enum the switch lacks is the tree's own disagreement (its enum against
    # its switch), which check rightly reports; the import describes both.
    for constant in sorted(have):
        if want.get(constant) != have[constant]:
            yield DISAGREES.diagnostic(
                f"{read.to_string.function}(): the imported spec expects {constant} -> "
                f"{_shown(want.get(constant))}, the tree returns {_shown(have.get(constant))}"
                + _BUG,
                read.to_string.location,
            )


def _predicates(spec: Spec, read: TreeReading) -> Iterator[Diagnostic]:
    expected = {p.predicate.function: p for p in expect_code(spec).predicates}
    for found in read.predicates:
        exp = expected.get(found.function)
        if exp is None:
            yield DISAGREES.diagnostic(
                f"{found.function}(): the imported spec has no such predicate" + _BUG,
                found.location,
            )
            continue
        want = {c.name for c in exp.members}
        have = set(found.values)
        if want != have:
            yield DISAGREES.diagnostic(
                f"{found.function}(): the imported spec expects {_names(want)}, "
                f"the tree tests {_names(have)}" + _BUG,
                found.location,
            )


def _trace(spec: Spec, read: TreeReading) -> Iterator[Diagnostic]:
    if read.trace_file is None:
        return
    want = {
        e.name: (tuple(str(a) for a in e.args), e.format)
        for section in expect_trace(spec)
        for e in section.events
    }
    have = {e.name: (e.args, e.format) for e in read.trace_events}
    for name in sorted(want.keys() | have.keys()):
        if want.get(name) != have.get(name):
            yield DISAGREES.diagnostic(
                f"trace event {name}: the imported spec expects {_event(want.get(name))}, "
                f"the tree has {_event(have.get(name))}" + _BUG,
                read.trace_file,
            )


def _shown(value: str | None) -> str:
    return "no case" if value is None else repr(value)


def _names(names: set[str]) -> str:
    return ", ".join(sorted(names)) or "no state"


def _event(event: tuple[Sequence[str], str] | None) -> str:
    if event is None:
        return "no such event"
    args, fmt = event
    return f"({', '.join(args)}) {fmt}"


def function_location(root: str | os.PathLike[str], file: str) -> Location:
    """Where a function the import read is, when the reader kept only its file."""
    return Location(os.path.join(os.fspath(root), file))
