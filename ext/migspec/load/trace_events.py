"""Reading QEMU ``trace-events`` files.

Inputs: the path (or text) of a ``trace-events`` file.  Outputs: a frozen
:class:`TraceFile`: every event as a :class:`~migspec.model.TraceEvent` inside
an :class:`EventLine` that also remembers the raw line, the columns of its
parts and its ``# file.c`` section, plus located diagnostics for lines that
cannot be read as events.  Nothing here raises on bad input.

The grammar is QEMU's ``scripts/tracetool`` one, one event per line::

    [disable] name(type1 arg1[, type2 arg2] ...) ["format"]

Blank lines and lines whose first non-blank character is ``#`` are skipped.
Where tracetool is lenient by accident (it ignores text after the argument
list when no string literal follows, it takes everything after the first
quote as the format, it silently accepts a format that does not start with a
string literal), this reader reports ``trace-syntax`` instead, because the
generated C would not compile or would not say what the line says.  Rules that
tracetool enforces on a parsed event (argument types, ``%m``, a trailing
newline, properties, the argument limit) are lint rules in
:mod:`migspec.lint.trace_rules`, not reader errors, so that they can be
reported (and disabled) one by one.

Columns are 1-based character columns in the line as written (a tab counts as
one column), as in the YAML loader.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from ..diagnostics import Diagnostic, Location, Severity, declare
from ..trace import TraceArg, TraceEvent, TraceSection
from .text import DEFAULT_LIMITS, Limits, decode_text, read_text

SCOPE = "trace-file"

SYNTAX = declare(
    "trace-syntax",
    Severity.ERROR,
    "A line of a trace-events file is not 'name(type arg, ...) \"format\"'.",
    scope=SCOPE,
    doc="""
    A line of a trace-events file is not 'name(type arg, ...) "format"'.

    Every line that is not blank and not a ``#`` comment must be one event:
    optional properties, the event name (a C identifier) immediately followed
    by the parenthesised argument list, then optionally the format: C string
    literals, possibly joined by macros such as ``PRIx64``.  tracetool either
    stops with an assertion on such a line or silently drops part of it.
    """,
    example='dev_save_setup (const char *name) " (%s)"',
)

RULES = (SYNTAX,)

# An event line: properties, the name, the argument list, the rest.  The name
# is the last word before "(" (whitespace before "(" is allowed here only so
# that the reader can say what is wrong with it).
_EVENT = re.compile(r"(?P<props>(?:\w+\s+)*)(?P<name>\w+)(?P<gap>\s*)\((?P<args>[^)]*)\)\s*")
# Blank space inside one line (the patterns below also run over whole texts,
# where "\s" would run on into the next line).
_BLANK = r"[^\S\n]"
# A format: a string literal, then more literals or macro names.  ``\b`` after
# a macro name keeps the repetition from splitting one name into several.
# A C string literal, written "unrolled" (runs of plain characters between
# escapes) rather than as one alternation per character: the same language,
# matched in half the time and without backtracking.
_LIT = r'"[^"\\\n]*(?:\\.[^"\\\n]*)*"'
_FMT = rf"{_LIT}(?:{_BLANK}*(?:{_LIT}|[A-Za-z_]\w*\b))*"
# Every line of a text (ending in "\n"), in one pass over the whole text,
# as one of four kinds:
# - the common event line, in parts: no properties, an ASCII name, at most
#   one format (the groups ``line`` to ``format``);
# - a "# file.c" heading (``indent``, ``file``): "# migration.c",
#   "#dirtylimit.c", "# */signal.c", "# hw/arm/virt.h";
# - a comment or a blank line (no group);
# - any other line, whole (``other``), for the per-line path.
# So a file is one ``findall``, and most of its lines need no other match.
_LINES = re.compile(
    rf"(?P<line>(?P<lead>{_BLANK}*)(?P<name>[A-Za-z_][A-Za-z0-9_]*)\((?P<args>[^)\n]*)\)"
    rf"(?:(?P<gap>{_BLANK}*)(?P<format>{_FMT}))?){_BLANK}*\n"
    rf"|(?P<indent>{_BLANK}*)#{_BLANK}*(?P<file>\S+\.(?:c|h|cc|cpp|cxx|m|rs|S|s|inc|py)){_BLANK}*\n"
    rf"|{_BLANK}*(?:#[^\n]*)?\n"
    r"|(?P<other>[^\n]*)\n"
)
_REST = re.compile(rf"(?P<first>{_FMT})(?:\s*,\s*(?P<second>{_FMT}))?\s*\Z")
_FMT_PREFIX = re.compile(_FMT)
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s*")
_COMMA = re.compile(r",\s*")


class EventLine(NamedTuple):
    """One event and where it was written.  (A ``NamedTuple``: one is built per
    line of a tree, at a fifth of the cost of a frozen dataclass.)

    The event's parts are fields of their own, and its
    :class:`~migspec.trace.TraceEvent`, with its :class:`Location`, is built
    only when asked for (:attr:`event`): the lint rules read the parts, and
    only a finding needs a location, so linting a tree builds neither for
    the thousands of lines that have no finding.

    Spec events are wrapped in the same type (:meth:`from_event`) so that one
    set of rule functions serves both; they have no raw text and no columns
    (0), and every location falls back to the event's own.  Columns are
    1-based; those of the argument pieces are computed when asked for, since
    only diagnostics need them.
    """

    name: str
    args: tuple[TraceArg, ...]
    format: str
    properties: tuple[str, ...]
    # Where the event is: the file as shown, the line, the column of the name.
    path: str
    line: int
    column: int
    text: str = ""
    section: str | None = None
    # The first format of the rare two-format form ``"fmt_trans", "fmt"``
    # (``format`` is the second, the one tracetool prints).
    format_trans: str | None = None
    # The raw comma-separated pieces of the argument list; ``None`` for events
    # that were not read from a line.
    arg_texts: tuple[str, ...] | None = None
    property_columns: tuple[int, ...] = ()
    # The column just after "(", where the first piece of the argument list starts.
    args_column: int = 0
    format_column: int = 0
    format_trans_column: int = 0
    # The spec's event, for events that were not read from a line.
    origin: TraceEvent | None = None

    @classmethod
    def from_event(cls, event: TraceEvent) -> EventLine:
        where = event.location
        return cls(
            event.name,
            event.args,
            event.format,
            event.properties,
            where.path,
            where.line,
            where.column,
            origin=event,
        )

    @property
    def location(self) -> Location:
        """Where the event is (its name, for an event read from a line)."""
        return Location(self.path, self.line, self.column)

    @property
    def event(self) -> TraceEvent:
        """The event as a model value (built on each call for a line read from a file)."""
        if self.origin is not None:
            return self.origin
        return TraceEvent(
            name=self.name,
            args=self.args,
            format=self.format,
            properties=self.properties,
            location=self.location,
        )

    def piece_columns(self) -> tuple[int, ...]:
        """The column of each piece of ``arg_texts`` (its first non-blank character)."""
        if self.arg_texts is None or not self.args_column:
            return ()
        out = []
        col = self.args_column
        for piece in self.arg_texts:
            out.append(col + len(piece) - len(piece.lstrip()))
            col += len(piece) + 1
        return tuple(out)

    def arg_columns(self) -> tuple[int, ...]:
        """The column of each of ``args`` (pieces that are empty or ``void`` have none)."""
        if self.arg_texts is None:
            return ()
        return tuple(
            col
            for piece, col in zip(self.arg_texts, self.piece_columns(), strict=True)
            if piece.strip() not in ("", "void")
        )

    def at(self, column: int) -> Location:
        """The location of a column of this line (the event's location if unknown)."""
        if column <= 0 or not self.args_column:
            return self.location
        return Location(self.path, self.line, column)

    def arg_at(self, index: int) -> Location:
        """The location of argument ``index`` of ``args``."""
        cols = self.arg_columns()
        return self.at(cols[index] if index < len(cols) else 0)

    def format_at(self, offset: int, *, trans: bool = False) -> Location:
        """The location of character ``offset`` of the (first, if ``trans``) format."""
        start = self.format_trans_column if trans else self.format_column
        return self.at(start + offset if start else 0)


# A section's heading: its name ("" before the first "# file.c" line), where
# it is (the comment, or the first event of an unnamed section), and the index
# in ``TraceFile.events`` of its first event.
_Heading = tuple[str, Location, int]


@dataclass(frozen=True, slots=True, kw_only=True)
class TraceFile:
    """A whole trace-events file, read."""

    path: str
    text: str
    events: tuple[EventLine, ...]
    headings: tuple[_Heading, ...]
    diagnostics: tuple[Diagnostic, ...]
    # False when the file could not be read or decoded at all.
    readable: bool = True

    @property
    def sections(self) -> tuple[TraceSection, ...]:
        """Each ``# file.c`` section with its events, in file order (built on
        each call: linting never needs them)."""
        if not self.headings:
            return ()
        ends = [start for _, _, start in self.headings[1:]] + [len(self.events)]
        return tuple(
            TraceSection(
                file=self.path,
                section=name,
                events=tuple(line.event for line in self.events[start:end]),
                location=location,
            )
            for (name, location, start), end in zip(self.headings, ends, strict=True)
        )


def read_trace_events(
    path: str,
    display: str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> TraceFile:
    """Read a trace-events file from disk; unreadable input gives one diagnostic."""
    shown = display or path
    text, diagnostics = read_text(path, shown, limits)
    if text is None:
        return TraceFile(
            path=shown,
            text="",
            events=(),
            headings=(),
            diagnostics=tuple(diagnostics),
            readable=False,
        )
    return parse_trace_events(text, shown)


def read_trace_bytes(data: bytes, display: str) -> TraceFile:
    """Read trace-events content given as bytes (encoding errors are diagnostics)."""
    text, diagnostics = decode_text(data, display)
    if text is None:
        return TraceFile(
            path=display,
            text="",
            events=(),
            headings=(),
            diagnostics=tuple(diagnostics),
            readable=False,
        )
    return parse_trace_events(text, display)


def parse_trace_events(text: str, path: str) -> TraceFile:
    """Parse trace-events text (already decoded) into a :class:`TraceFile`."""
    return _Reader(path).read(text)


def split_trace_arg(text: str) -> TraceArg | None:
    """``'const char *name'`` -> TraceArg(type='const char *', name='name'), as tracetool splits."""
    text = " ".join(text.split())
    if not text:
        return None
    if "*" in text:
        arg_type, _, name = text.rpartition("*")
        base = arg_type.rstrip(" *")
        stars = arg_type.count("*", len(base)) + 1
        arg_type = f"{base} {'*' * stars}"
        name = name.strip()
    else:
        parts = text.rsplit(None, 1)
        if len(parts) != 2:
            return None
        arg_type, name = parts
    if not name.isidentifier() or not arg_type.strip():
        return None
    return TraceArg(type=arg_type, name=name)


# (pieces, arguments, the first bad piece and its offset)
_Args = tuple[tuple[str, ...], tuple[TraceArg, ...], tuple[str, int] | None]


def _parse_args(text: str, cache: dict[str, TraceArg | None]) -> _Args:
    """Split an argument list as tracetool does; offsets are relative to ``text``."""
    pieces = text.split(",")
    args: list[TraceArg] = []
    offset = 0
    bad: tuple[str, int] | None = None
    for piece in pieces:
        at = offset + len(piece) - len(piece.lstrip())
        offset += len(piece) + 1
        body = piece.strip()
        if not body or body == "void":
            continue
        if body in cache:
            parsed = cache[body]
        else:
            parsed = cache[body] = split_trace_arg(body)
        if parsed is None:
            if bad is None:
                bad = (body, at)
            continue
        args.append(parsed)
    return tuple(pieces), tuple(args), bad


class _Reader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        # Argument lists ("void *opaque, uint64_t addr") and their pieces
        # repeat within a file: each is parsed once.
        self.arg_cache: dict[str, _Args] = {}
        self.one_arg_cache: dict[str, TraceArg | None] = {}

    def error(self, message: str, line: int, column: int) -> None:
        self.diagnostics.append(SYNTAX.diagnostic(message, Location(self.path, line, column)))

    def read(self, text: str) -> TraceFile:
        if text.startswith("\ufeff"):
            text = text[1:]
        # Python's universal newlines, as tracetool reads the file: \r\n, \r,
        # \n; and the last line ends in "\n" like every other.
        body = text.replace("\r\n", "\n").replace("\r", "\n")
        if not body.endswith("\n"):
            body += "\n"
        events: list[EventLine] = []
        headings: list[_Heading] = []
        section: str | None = None
        path = self.path
        event: EventLine | None
        for number, (line, lead, name, args_text, gap, fmt, indent, file, other) in enumerate(
            _LINES.findall(body), 1
        ):
            if name:
                # The common line, read whole by _LINES: no properties, one
                # format or none, a name that is a C identifier.
                name_col = len(lead) + 1
                args_col = name_col + len(name) + 1
                parsed = self.arguments(args_text, number, args_col)
                if parsed is None:
                    continue
                event = EventLine(
                    name,
                    parsed[1],
                    fmt,
                    (),
                    path,
                    number,
                    name_col,
                    line,
                    section,
                    None,
                    parsed[0],
                    (),
                    args_col,
                    args_col + len(args_text) + len(gap) + 1 if fmt else 0,
                    0,
                )
            elif other:
                event = self.event(other, number, section)
                if event is None:
                    continue
            elif file:
                section = file
                headings.append((file, Location(path, number, len(indent) + 1), len(events)))
                continue
            else:  # a comment or a blank line
                continue
            if not headings:
                headings.append(("", event.location, 0))
            events.append(event)
        return TraceFile(
            path=path,
            text=text,
            events=tuple(events),
            headings=tuple(headings),
            diagnostics=tuple(self.diagnostics),
        )

    def arguments(self, text: str, number: int, column: int) -> _Args | None:
        """The argument list ``text`` (starting at ``column``), parsed; ``None``,
        and a diagnostic, when one of its pieces is not an argument."""
        parsed = self.arg_cache.get(text)
        if parsed is None:
            parsed = self.arg_cache[text] = _parse_args(text, self.one_arg_cache)
        bad = parsed[2]
        if bad is not None:
            self.error(f"argument '{bad[0]}' is not 'type name'", number, column + bad[1])
            return None
        return parsed

    def event(self, raw: str, number: int, section: str | None) -> EventLine | None:
        """A line that ``_LINES`` did not read as a common event: properties,
        two formats, a name that is not ASCII, and lines with errors."""
        raw = raw.rstrip()
        start = len(raw) - len(raw.lstrip())
        m = _EVENT.match(raw, start)
        if m is None:
            self.error("expected an event: 'name(type arg, ...) \"format\"'", number, start + 1)
            return None
        name = m.group("name")
        name_col = m.start("name") + 1
        if m.group("gap"):
            self.error(
                f"space between the event name '{name}' and '('; tracetool cannot parse it",
                number,
                m.end("name") + 1,
            )
            return None
        fmt = ""
        fmt_col = 0
        trans: str | None = None
        trans_col = 0
        rest_start = m.end()
        if rest_start < len(raw):
            r = _REST.match(raw, rest_start)
            if r is None:
                self.rest_error(raw, rest_start, number)
                return None
            if r.group("second") is not None:
                trans, trans_col = r.group("first"), r.start("first") + 1
                fmt, fmt_col = r.group("second"), r.start("second") + 1
            else:
                fmt, fmt_col = r.group("first"), r.start("first") + 1
        if not name.isidentifier() or not name.isascii():
            self.error(f"event name '{name}' is not a C identifier", number, name_col)
            return None
        args_col = m.start("args") + 1
        parsed = self.arguments(m.group("args"), number, args_col)
        if parsed is None:
            return None
        props = list(_WORD.finditer(raw, m.start("props"), m.end("props")))
        return EventLine(
            name,
            parsed[1],
            fmt,
            tuple(p.group() for p in props),
            self.path,
            number,
            name_col,
            raw,
            section,
            trans,
            parsed[0],
            tuple(p.start() + 1 for p in props),
            args_col,
            fmt_col,
            trans_col,
        )

    def rest_error(self, raw: str, start: int, number: int) -> None:
        """Say precisely why the text after the argument list is not a format."""
        if raw[start] != '"':
            self.error(
                "expected the format (a string literal) after the argument list",
                number,
                start + 1,
            )
            return
        # Walk formats and commas as far as they go, then name what stops us.
        pos = start
        for _ in range(2):
            f = _FMT_PREFIX.match(raw, pos)
            if f is None:
                self.error("unterminated string literal in the format", number, pos + 1)
                return
            pos = f.end()
            tail = _SPACES.match(raw, pos)
            pos = tail.end() if tail else pos
            if pos < len(raw) and raw[pos] == '"':
                self.error("unterminated string literal in the format", number, pos + 1)
                return
            c = _COMMA.match(raw, pos)
            if c is None or not raw.startswith('"', c.end()):
                break
            pos = c.end()
        self.error("unexpected text after the format", number, pos + 1)
