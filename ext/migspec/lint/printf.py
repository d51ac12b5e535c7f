"""Parsing a trace format into printf conversions.

Inputs: a format as written in trace-events: C string literals, quotes
included, joined by macros (``" (%s) size 0x%"PRIx64" ret %d"``).  Outputs: a
:class:`ParsedFormat` with each :class:`Conversion` (flags, width, precision,
length modifier, conversion character, the ``PRI*`` macro that supplied the
last two, and offsets into the format as written so that diagnostics can point
at the ``%``), the literal text, and the problems found (invalid or truncated
conversions, macros that are not ``PRI*``).

How: the literals and macros are joined into one "logical" string in which each
macro becomes a single placeholder character, one regular expression finds the
conversions in it, and a table of segments (where each literal's text and each
placeholder starts, in both strings) maps logical offsets back to offsets in
the text as written.  Escape sequences stay as written (``\\n`` is two
characters): they cannot form a conversion.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import NamedTuple

# Placeholders in the logical string (never valid in a C string literal as written).
_PRI = "\x01"
_MACRO = "\x02"

# A C string literal; group 1 is its text, escapes as written.  Splitting a
# format on it yields what lies between the literals and the literals' text,
# alternately, without a Python step per literal.
_LITERAL = re.compile(r'"([^"\\]*(?:\\.[^"\\]*)*)"', re.S)
# Between literals: macro names, and anything else is a stray character.
_GAP_TOKEN = re.compile(r"([A-Za-z_]\w*)|(\S)")
# The <inttypes.h> macros: name -> (conversion, bits); bits are None where the
# size depends on the host (PTR, FAST*).
_PRI_MACROS: dict[str, tuple[str, int | None]] = {
    f"PRI{conv}{size}": (conv, bits)
    for conv in "diouxX"
    for size, bits in (
        *((str(n), n) for n in (8, 16, 32, 64)),
        *((f"LEAST{n}", n) for n in (8, 16, 32, 64)),
        *((f"FAST{n}", None) for n in (8, 16, 32, 64)),
        ("MAX", 64),
        ("PTR", None),
    )
}
# Every branch starts with a literal character, so that the regex engine can
# skip from one of them to the next instead of trying every branch at every
# position (twice as fast on real formats).  ``%%`` matches with no group set.
# Width and length match the empty string rather than being optional, so that
# a conversion without them reads "" (as :class:`Conversion` holds them).
_CONVERSION = re.compile(
    r"%(?:%"
    r"|(?P<flags>[-+ #0']*)(?P<width>\*|[0-9]*)(?:\.(?P<precision>\*|[0-9]*))?"
    r"(?:(?P<length>hh|h|ll|l|j|z|t|L|q|)(?P<conv>[A-Za-z])|(?P<pri>\x01))"
    r"|(?P<bad>[-+ #0'0-9.*]*))"
    r"|\x01(?P<lone>)"
    r"|\x02(?P<macro>)"
)
# Conversion characters and the length modifiers that make sense with them.
_INT_CONV = frozenset("diouxXc")
_FLOAT_CONV = frozenset("eEfFgGaA")
VALID_CONVERSIONS = _INT_CONV | _FLOAT_CONV | frozenset("spnmCS")
_NO_LENGTH = frozenset("pmCS")
# Conversions that need no further check when they have no length modifier.
_PLAIN = frozenset("diouxXcsp")


class Conversion(NamedTuple):
    """One printf conversion such as ``%-10s`` or ``%08" PRIx64``.

    (A ``NamedTuple`` rather than a frozen dataclass: a QEMU tree has some
    11,000 conversions and a frozen dataclass costs four times as much to build.)

    ``precision`` is ``None`` without a ``.``; ``""`` for a bare ``.``.
    ``macro``/``macro_bits`` are set when a ``PRI*`` macro supplied the length
    and conversion (``macro_bits`` is ``None`` for ``PTR``/``FAST*``, whose size
    depends on the host).  ``offset``/``end`` delimit the conversion in the
    format as written, so ``text`` can be ``%" PRIx64``.
    """

    flags: str
    width: str
    precision: str | None
    length: str
    conversion: str
    offset: int
    end: int
    text: str
    macro: str | None = None
    macro_bits: int | None = None

    @property
    def args_used(self) -> int:
        """How many arguments this conversion consumes (``*`` takes one each)."""
        return (self.conversion != "m") + (self.width == "*") + (self.precision == "*")

    @property
    def is_integer(self) -> bool:
        return self.conversion in _INT_CONV

    @property
    def is_hex(self) -> bool:
        return self.conversion in "xX"


class FormatProblem(NamedTuple):
    """Something in a format that is not a usable conversion."""

    message: str
    offset: int


class Macro(NamedTuple):
    """A macro between the string literals of a format (``PRIx64``), and where."""

    name: str
    offset: int


class ParsedFormat(NamedTuple):
    """A format as written, taken apart.  (A ``NamedTuple``, as :class:`Conversion`.)"""

    written: str
    conversions: tuple[Conversion, ...]
    problems: tuple[FormatProblem, ...]
    macros: tuple[Macro, ...]
    # The literal text, concatenated, escapes as written, macros as placeholders.
    logical: str
    # (start, end) of each conversion in ``logical``, aligned with ``conversions``.
    spans: tuple[tuple[int, int], ...]
    # How many arguments the conversions consume.
    args_used: int
    # Does a macro other than ``PRI*`` hide conversions we cannot see?  (A
    # field rather than a property of ``logical``: every event asks, twice.)
    opaque: bool

    def preceded_by(self, index: int, text: str) -> bool:
        """Is conversion ``index`` written right after the literal ``text``?"""
        return self.logical.endswith(text, 0, self.spans[index][0])

    def ends_with_newline(self) -> bool:
        """Does the printed text end in a newline (``\\n`` at the end of the last literal)?"""
        text = self.logical
        if not text.endswith("\\n"):
            return False
        # "\\n" ends in a backslash-escaped backslash followed by "n": not a newline.
        slashes = len(text) - 1 - len(text[:-1].rstrip("\\"))
        return slashes % 2 == 1


EMPTY = ParsedFormat(
    written="",
    conversions=(),
    problems=(),
    macros=(),
    logical="",
    spans=(),
    args_used=0,
    opaque=False,
)


def parse_format(written: str) -> ParsedFormat:
    """Take a trace format apart.  Never raises; oddities become problems."""
    if not written:
        return EMPTY
    if _PRI in written or _MACRO in written:
        # The placeholders are control characters; one written in the format
        # itself is text.  Parse a copy where it is U+FFFD (same offsets) and
        # keep the text as written.
        parsed = parse_format(written.replace(_PRI, "\ufffd").replace(_MACRO, "\ufffd"))
        return parsed._replace(
            written=written,
            conversions=tuple(
                c._replace(text=written[c.offset : c.end]) for c in parsed.conversions
            ),
        )
    problems: list[FormatProblem] = []
    if written[0] == '"' and written[-1] == '"' and written.count('"') == 2 and len(written) > 1:
        # One literal: logical offset i is written offset i + 1.
        logical = written[1:-1]
        macros: dict[int, Macro] = {}
        starts: list[int] = [0]
        origins: list[int] = [1]
        opaque = False
    else:
        logical, macros, starts, origins = _join(written, problems)
        opaque = _MACRO in logical
    if "%" not in logical and not macros:
        return ParsedFormat(written, (), tuple(problems), (), logical, (), 0, opaque)
    # Written offset of logical offset i: in the segment that starts at or before i.
    shift = origins[0] - starts[0] if len(starts) == 1 else None
    conversions: list[Conversion] = []
    spans: list[tuple[int, int]] = []
    used = 0
    for c in _CONVERSION.finditer(logical):
        flags, width, precision, length_mod, conv, pri, bad, lone, macro = c.groups()
        start, stop = span = c.span()
        if shift is not None:
            offset = start + shift
        else:
            k = bisect_right(starts, start) - 1
            offset = origins[k] + start - starts[k]
        if conv is not None:
            if shift is not None:
                end = stop + shift
            else:
                k = bisect_right(starts, stop - 1) - 1
                end = origins[k] + stop - starts[k]
            conversion = Conversion(
                flags, width, precision, length_mod, conv, offset, end, written[offset:end]
            )
            if length_mod or conv not in _PLAIN:
                problem = _check(conversion)
                if problem is not None:
                    problems.append(FormatProblem(problem, offset))
                    if conv not in VALID_CONVERSIONS:
                        continue
        elif pri is not None:
            name, at = macros[stop - 1]
            end = at + len(name)
            pri_conv, bits = _PRI_MACROS[name]
            conversion = Conversion(
                flags,
                width,
                precision,
                "",
                pri_conv,
                offset,
                end,
                written[offset:end],
                name,
                bits,
            )
        elif bad is not None:
            if stop < len(logical) and logical[stop] == _MACRO:
                continue  # reported with the macro
            problems.append(FormatProblem(_bad_message(logical, stop), offset))
            continue
        elif lone is not None:
            name = macros[start].name
            problems.append(FormatProblem(f"{name} is not preceded by a '%' conversion", offset))
            continue
        elif macro is not None:
            problems.append(
                FormatProblem(
                    f"macro {macros[start].name} in the format is not a PRI* macro; "
                    "its conversions cannot be checked",
                    offset,
                )
            )
            continue
        else:
            continue  # "%%"
        conversions.append(conversion)
        used += (conv != "m") + (width == "*") + (precision == "*")
        spans.append(span)
    return ParsedFormat(
        written,
        tuple(conversions),
        tuple(problems),
        tuple(macros.values()),
        logical,
        tuple(spans),
        used,
        opaque,
    )


def _join(
    written: str, problems: list[FormatProblem]
) -> tuple[str, dict[int, Macro], list[int], list[int]]:
    """Concatenate literals and macro placeholders.

    Returns the logical string, the macros by the logical offset of their
    placeholder, and the segment table: ``starts[k]`` is the logical offset
    where segment ``k`` (a literal's text or a placeholder) begins and
    ``origins[k]`` where it is in the format as written.
    """
    # Odd pieces are the literals' text, even pieces what is between them.
    pieces = _LITERAL.split(written)
    parts: list[str] = []
    macros: dict[int, Macro] = {}
    starts: list[int] = []
    origins: list[int] = []
    at = size = 0  # where the piece starts as written, and the logical length so far
    for i, piece in enumerate(pieces):
        if i % 2:
            if piece:
                starts.append(size)
                origins.append(at + 1)
                parts.append(piece)
                size += len(piece)
            at += len(piece) + 2
            continue
        name = piece.strip()
        if name in _PRI_MACROS:  # the common gap: one PRI macro and blanks
            where = at + piece.index(name)
            macros[size] = Macro(name, where)
            starts.append(size)
            origins.append(where)
            parts.append(_PRI)
            size += 1
        elif name:
            for m in _GAP_TOKEN.finditer(piece):
                name, stray = m.groups()
                if name is None:
                    problems.append(
                        FormatProblem(f"unexpected {stray!r} in the format", at + m.start(2))
                    )
                    continue
                macros[size] = Macro(name, at + m.start(1))
                starts.append(size)
                origins.append(at + m.start(1))
                parts.append(_PRI if name in _PRI_MACROS else _MACRO)
                size += 1
        at += len(piece)
    return "".join(parts), macros, starts, origins


def _bad_message(logical: str, end: int) -> str:
    if end >= len(logical):
        return "'%' at the end of the format (write '%%' for a percent sign)"
    nxt = logical[end]
    if nxt == "\\":
        return "'%' followed by an escape sequence is not a conversion"
    return f"'%' followed by {nxt!r} is not a conversion (write '%%' for a percent sign)"


def _check(c: Conversion) -> str | None:
    conv = c.conversion
    if conv not in VALID_CONVERSIONS:
        return f"'{c.text}' is not a printf conversion"
    if conv == "n":
        return "'%n' writes to memory; it has no place in a trace format"
    if c.length and (conv in _NO_LENGTH or (conv == "s" and c.length != "l")):
        return f"length modifier '{c.length}' does not apply to '%{conv}'"
    if c.length == "L" and conv in _INT_CONV:
        return f"'%L{conv}' is not standard; use '%ll{conv}'"
    if c.length and conv in _FLOAT_CONV and c.length not in ("l", "L"):
        return f"length modifier '{c.length}' does not apply to '%{conv}'"
    return None
