"""What the trace rules check: one event (:class:`EventCheck`) or one file
(:class:`FileCheck`), each prepared once -- format taken apart, argument
types classified, conversions paired with arguments.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, NamedTuple

from ...diagnostics import Location
from ...load.trace_events import EventLine, TraceFile
from ..printf import Conversion, ParsedFormat, parse_format
from .arg_types import ArgType, classify_type

if TYPE_CHECKING:
    from ...model import Spec


SCOPE = "trace"
FILE_SCOPE = "trace-file"

# -- the subjects --------------------------------------------------------------


class Pair(NamedTuple):
    """A conversion and the argument it consumes (``role``: value, width, precision)."""

    conversion: Conversion
    arg: int  # index into the event's arguments
    role: str


class EventCheck(NamedTuple):
    """One event, prepared once for every rule.  (A ``NamedTuple``: one is built
    per event of a tree, and it is cheaper than a frozen dataclass.)"""

    line: EventLine
    format: ParsedFormat
    types: tuple[ArgType, ...]
    # Do the conversions consume exactly the arguments (so they can be paired)?
    paired: bool
    # The conversion/argument pairs that are not plainly right (``%d`` with
    # ``int``, ``%s`` with ``const char *``...): the only ones the type rules
    # need to look at, and usually none.
    suspects: tuple[Pair, ...]

    def arg_location(self, index: int) -> Location:
        return self.line.arg_at(index)

    def pairs(self) -> tuple[Pair, ...]:
        """Every conversion with the argument it consumes (empty unless ``paired``)."""
        return pair_up(self.format) if self.paired else ()


def pair_up(fmt: ParsedFormat) -> tuple[Pair, ...]:
    """Pair conversions with argument indexes: ``%*.*d`` takes width, precision, value."""
    pairs: list[Pair] = []
    i = 0
    for c in fmt.conversions:
        if c.width == "*":
            pairs.append(Pair(c, i, "width"))
            i += 1
        if c.precision == "*":
            pairs.append(Pair(c, i, "precision"))
            i += 1
        if c.conversion != "m":
            pairs.append(Pair(c, i, "value"))
            i += 1
    return tuple(pairs)


class FileCheck(NamedTuple):
    """A trace-events file, its events prepared."""

    file: TraceFile
    events: tuple[EventCheck, ...]
    # The events with a conversion/argument pair the type rules must look at
    # (found once for the seven rules that read only those).
    suspect_events: tuple[EventCheck, ...]


class Memo:
    """Classified types and parsed formats, kept while one file (or one spec)
    is prepared: both repeat within a file."""

    __slots__ = ("formats", "types")

    def __init__(self) -> None:
        self.types: dict[str, ArgType] = {}
        self.formats: dict[str, ParsedFormat] = {}


def prepare_event(line: EventLine, memo: Memo | None = None) -> EventCheck:
    """Take an event's format apart and classify its argument types, once for all rules."""
    memo = Memo() if memo is None else memo
    written = line.format
    fmt = memo.formats.get(written)
    if fmt is None:
        fmt = memo.formats[written] = parse_format(written)
    types = memo.types
    arg_types: list[ArgType] = []
    for a in line.args:
        t = types.get(a.type)
        if t is None:
            t = types[a.type] = classify_type(a.type)
        arg_types.append(t)
    paired = fmt.args_used == len(arg_types) and not fmt.problems and not fmt.opaque
    suspects: list[Pair] = []
    if paired:
        # One argument per conversion (no '*', no %m): conversion i prints argument i.
        for i, c in enumerate(fmt.conversions):
            if c.width == "*" or c.precision == "*" or c.conversion == "m":
                break  # the general (rare) case below
            if not _plain_value(c, arg_types[i]):
                suspects.append(Pair(c, i, "value"))
        else:
            return EventCheck(line, fmt, tuple(arg_types), True, tuple(suspects))
        suspects = [
            p
            for p in pair_up(fmt)
            if not (
                arg_types[p.arg].int_class == "int"
                if p.role != "value"
                else _plain_value(p.conversion, arg_types[p.arg])
            )
        ]
    return EventCheck(line, fmt, tuple(arg_types), paired, tuple(suspects))


def _plain_value(c: Conversion, t: ArgType) -> bool:
    """Does ``c`` certainly print a value of type ``t`` right, so that no type rule
    needs to see the pair?  Conservative: anything not listed goes to the rules."""
    if c.macro is not None:
        return c.macro_bits == 64 and t.int_class == "int64"
    conv = c.conversion
    if c.length:
        return (c.length == "z" and t.int_class == "size") or (
            c.length == "l" and t.int_class == "long"
        )
    if conv in "dic":
        return t.int_class == "int"
    if conv in "ouxX":
        return t.int_class == "int" and not t.narrow_signed
    if conv == "s":
        return t.string
    if conv == "p":
        return t.pointers > 0
    return False


def prepare_file(tf: TraceFile, memo: Memo | None = None) -> FileCheck:
    memo = Memo() if memo is None else memo
    events = tuple([prepare_event(e, memo) for e in tf.events])
    return FileCheck(tf, events, tuple([ev for ev in events if ev.suspects]))


def prepare_spec(spec: Spec) -> tuple[EventCheck, ...]:
    """The spec's events, prepared once for all the event rules that lint it."""
    return spec.derived(_prepare_spec)


def _prepare_spec(spec: Spec) -> tuple[EventCheck, ...]:
    memo = Memo()
    return tuple(prepare_event(EventLine.from_event(e), memo) for e in spec.trace_events())


def conv_at(ev: EventCheck, c: Conversion) -> Location:
    return ev.line.format_at(c.offset)


LINE_BREAK = re.compile(r"\r\n|\r|\n")
ODD_BLANK = re.compile(r"[^\S ]")
