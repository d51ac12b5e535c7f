"""Lint rules for trace events: tracetool's own checks and printf type checks.

Inputs: trace events, either from a spec (``spec.trace_events()``) or read from
a trace-events file (:mod:`migspec.load.trace_events`).  Outputs: findings.

Each event rule checks ONE event, given as an :class:`EventCheck` (the event,
where it was written, its format taken apart once by :mod:`.printf`, its
argument types classified once).  The same functions serve both inputs:
:data:`SPEC_RULES` runs them over a spec's events, :data:`FILE_RULES` over a
file's events, plus the rules that only make sense for a file (a missing final
newline, duplicate names).

Severities: what makes tracetool stop, and what is undefined behaviour on
QEMU's main (LP64) hosts, is an error; what is wrong only on other hosts
(32-bit, Windows) or is house style (checkpatch's ``0x`` rule) is a warning.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from ..diagnostics import Diagnostic, Finding, Location, Note, Rule, Severity, rule
from ..load.trace_events import SYNTAX, EventLine, TraceFile
from .printf import Conversion, ParsedFormat, parse_format

if TYPE_CHECKING:
    from ..model import Spec

SCOPE = "trace"
FILE_SCOPE = "trace-file"

# tracetool's ALLOWED_TYPES: standard C and fixed-size integer types, so that
# every backend (dtrace, ust, simple) can understand them without typedefs.
ALLOWED_TYPE_WORDS = frozenset(
    {
        *("int", "long", "short", "char", "bool", "unsigned", "signed", "void"),
        *("int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t"),
        *("int64_t", "uint64_t", "size_t", "ssize_t", "uintptr_t", "ptrdiff_t"),
    }
)
VALID_PROPERTIES = ("disable", "vcpu")
MAX_ARGS = 10

# -- argument types ------------------------------------------------------------

# How printf sees an integer: a class whose underlying C type depends on the
# host's data model.  "int" covers everything that is promoted to int.
_FIXED_CLASS = {
    "bool": "int",
    "int8_t": "int",
    "uint8_t": "int",
    "int16_t": "int",
    "uint16_t": "int",
    "int32_t": "int",
    "uint32_t": "int",
    "int64_t": "int64",
    "uint64_t": "int64",
    "size_t": "size",
    "ssize_t": "size",
    "ptrdiff_t": "size",
    "uintptr_t": "size",
}
# The C type (and its size in bits) behind each class on LP64 (Linux/BSD/macOS
# 64-bit), ILP32 (32-bit hosts) and LLP64 (64-bit Windows).
_MODELS: tuple[tuple[str, Mapping[str, tuple[str, int]]], ...] = (
    (
        "LP64",
        {
            "int": ("int", 32),
            "long": ("long", 64),
            "llong": ("long long", 64),
            "int64": ("long", 64),
            "size": ("long", 64),
            "intmax": ("long", 64),
        },
    ),
    (
        "ILP32",
        {
            "int": ("int", 32),
            "long": ("long", 32),
            "llong": ("long long", 64),
            "int64": ("long long", 64),
            "size": ("int", 32),
            "intmax": ("long long", 64),
        },
    ),
    (
        "LLP64",
        {
            "int": ("int", 32),
            "long": ("long", 32),
            "llong": ("long long", 64),
            "int64": ("long long", 64),
            "size": ("long long", 64),
            "intmax": ("long long", 64),
        },
    ),
)
# The class a conversion expects, by length modifier (and by PRI macro size).
_LENGTH_CLASS = {
    "": "int",
    "hh": "int",
    "h": "int",
    "l": "long",
    "ll": "llong",
    "q": "llong",
    "L": "llong",
    "j": "intmax",
    "z": "size",
    "t": "size",
}
_PRI_CLASS = {8: "int", 16: "int", 32: "int", 64: "int64"}


class ArgType(NamedTuple):
    """An argument type as printf and tracetool see it.  (A ``NamedTuple``, as
    :class:`EventCheck`: one per distinct type of a tree, cheap to define.)"""

    text: str
    pointers: int
    # tracetool's is_string(): "char *" or "const char *"; backends copy the string.
    string: bool
    # The integer class ("int", "long", "llong", "int64", "size"), None otherwise.
    int_class: str | None
    # The first word tracetool would refuse, or "" when it accepts the type.
    refused: str
    # A non-pointer "void", or no base type at all ("*").
    no_value: bool
    # 8 or 16 for a signed type narrower than int (char, int8_t, short, ...), else 0.
    narrow_signed: int = 0


def classify_type(text: str) -> ArgType:
    words = [w for w in text.replace("*", " ").split() if w != "const"]
    pointers = text.count("*")
    refused = next((w for w in words if w not in ALLOWED_TYPE_WORDS), "")
    string = pointers == 1 and text.lstrip().startswith(("char", "const char"))
    int_class: str | None = None
    if not pointers and not refused and words:
        fixed = [w for w in words if w in _FIXED_CLASS]
        if fixed:
            int_class = _FIXED_CLASS[fixed[0]]
        elif "void" not in words:
            longs = words.count("long")
            int_class = "llong" if longs >= 2 else "long" if longs == 1 else "int"
    no_value = not words or (not pointers and "void" in words)
    narrow = 0
    if int_class == "int" and "unsigned" not in words:
        if "char" in words or "int8_t" in words:
            narrow = 8
        elif "short" in words or "int16_t" in words:
            narrow = 16
    return ArgType(text, pointers, string, int_class, refused, no_value, narrow)


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

    @property
    def suspect_events(self) -> Iterator[EventCheck]:
        """The events with a conversion/argument pair the type rules must look at."""
        return (ev for ev in self.events if ev.suspects)


class Memo:
    """Classified types and parsed formats, kept for one run: both repeat across a tree."""

    __slots__ = ("formats", "types")

    def __init__(self) -> None:
        self.types: dict[str, ArgType] = {}
        self.formats: dict[str, ParsedFormat] = {}


def prepare_event(line: EventLine, memo: Memo | None = None) -> EventCheck:
    """Take an event's format apart and classify its argument types, once for all rules."""
    memo = Memo() if memo is None else memo
    written = line.event.format
    fmt = memo.formats.get(written)
    if fmt is None:
        fmt = memo.formats[written] = parse_format(written)
    types = memo.types
    arg_types: list[ArgType] = []
    for a in line.event.args:
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
    return FileCheck(tf, tuple([prepare_event(e, memo) for e in tf.events]))


def prepare_spec(spec: Spec) -> tuple[EventCheck, ...]:
    """The spec's events, prepared once for all the event rules that lint it."""
    return spec.derived(_prepare_spec)


def _prepare_spec(spec: Spec) -> tuple[EventCheck, ...]:
    memo = Memo()
    return tuple(prepare_event(EventLine.from_event(e), memo) for e in spec.trace_events())


def _conv_at(ev: EventCheck, c: Conversion) -> Location:
    return ev.line.format_at(c.offset)


# -- tracetool's rules ---------------------------------------------------------


@rule(
    "trace-format-newline",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(const char *name) " (%s)\\n"',
)
def format_newline(ev: EventCheck) -> Iterable[Finding]:
    """The format ends with a newline.

    Every backend adds its own line break; tracetool refuses the event.
    """
    if not ev.format.ends_with_newline():
        return ()
    fmt = ev.line.event.format
    return (
        Finding(
            "the format ends with a newline; backends add their own, drop the '\\n'",
            ev.line.format_at(fmt.rfind("\\n")),
        ),
    )


@rule(
    "trace-format-errno",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(const char *name) " (%s) failed: %m"',
)
def format_errno(ev: EventCheck) -> Iterable[Finding]:
    """The format uses '%m'.

    ``%m`` prints ``strerror(errno)`` at the time the backend formats the
    record, which may be much later or in another process.  tracetool refuses
    it (any ``%m`` in the text, even ``%%m``); pass the error as an argument.
    """
    out = []
    for fmt, trans in ((ev.line.event.format, False), (ev.line.format_trans, True)):
        if fmt and "%m" in fmt:
            out.append(
                Finding(
                    "'%m' in a trace format; pass the error number as an argument instead",
                    ev.line.format_at(fmt.index("%m"), trans=trans),
                )
            )
    return out


@rule(
    "trace-arg-type",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_region_read(struct DeviceState *dev, hwaddr addr) "%p 0x%"PRIx64',
)
def arg_type(ev: EventCheck) -> Iterable[Finding]:
    """An argument type is not one tracetool allows.

    Only standard C integer types, ``bool``, the fixed-size integer types,
    ``size_t``/``ssize_t``/``uintptr_t``/``ptrdiff_t``, ``void`` and ``const``
    are allowed, because the dtrace and ust backends cannot resolve QEMU's
    typedefs: use ``void *`` for pointers to structures and ``uint64_t`` for
    ``hwaddr``.  tracetool splits types on single spaces, so a tab inside a type
    is refused too.
    """
    out = []
    texts = ev.line.arg_texts
    for i, t in enumerate(ev.types):
        if t.refused:
            hint = "'void *'" if t.pointers else "a fixed-size integer type such as 'uint64_t'"
            out.append(
                Finding(
                    f"type '{t.text}' of argument '{ev.line.event.args[i].name}' is not allowed "
                    f"in trace events ('{t.refused}'); use {hint}",
                    ev.arg_location(i),
                )
            )
        elif t.no_value:
            out.append(
                Finding(
                    f"argument '{ev.line.event.args[i].name}' has no value type "
                    f"('{t.text.strip()}')",
                    ev.arg_location(i),
                )
            )
    # Every blank but the space is unprintable: most lines skip the search.
    if texts is not None and not ev.line.text.isprintable() and _ODD_BLANK.search(ev.line.text):
        for text, col in zip(texts, ev.line.piece_columns(), strict=True):
            body = text.strip()
            if not body or body == "void":
                continue
            # The type as tracetool cuts it: up to the last '*', else the last blank.
            type_text = body.rsplit("*", 1)[0] if "*" in body else body.rsplit(None, 1)[0]
            if _ODD_BLANK.search(type_text.strip()):
                out.append(
                    Finding(
                        f"the type of argument '{' '.join(body.split())}' contains a tab or "
                        "other non-space blank; tracetool splits types on spaces only",
                        ev.line.at(col),
                    )
                )
    return out


@rule(
    "trace-empty-args",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_probe() ""',
)
def empty_args(ev: EventCheck) -> Iterable[Finding]:
    """The argument list, or one argument in it, is empty.

    tracetool wants ``void`` for an event without arguments and refuses an
    empty piece between commas.
    """
    texts = ev.line.arg_texts
    # Every piece that is not empty (or "void") became an argument.
    if texts is None or len(texts) == len(ev.line.event.args):
        return ()
    if len(texts) == 1 and texts[0].strip() == "void":
        return ()
    if len(texts) == 1 and not texts[0].strip():
        return (
            Finding(
                "empty argument list; write 'void' for an event without arguments",
                ev.line.at(ev.line.args_column),
            ),
        )
    return [
        Finding("empty argument between commas", ev.line.at(col))
        for text, col in zip(texts, ev.line.piece_columns(), strict=True)
        if not text.strip()
    ]


@rule(
    "trace-too-many-args",
    Severity.ERROR,
    scope=SCOPE,
    example="e(int a, int b, int c, int d, int e, int f, int g, int h, int i, int j, int k) "
    '"%d %d %d %d %d %d %d %d %d %d %d"',
)
def too_many_args(ev: EventCheck) -> Iterable[Finding]:
    """An event has more than 10 arguments, tracetool's limit."""
    args = ev.line.event.args
    if len(args) <= MAX_ARGS:
        return ()
    return (
        Finding(
            f"{len(args)} arguments; tracetool allows at most {MAX_ARGS}",
            ev.arg_location(MAX_ARGS),
        ),
    )


@rule(
    "trace-unknown-property",
    Severity.ERROR,
    scope=SCOPE,
    example='static dev_save_setup(const char *name) " (%s)"',
)
def unknown_property(ev: EventCheck) -> Iterable[Finding]:
    """A word before the event name is not a property tracetool knows (disable, vcpu)."""
    props = ev.line.event.properties
    if not props:
        return ()
    cols = ev.line.property_columns
    return [
        Finding(
            f"unknown property '{p}' (tracetool knows {', '.join(VALID_PROPERTIES)})",
            ev.line.at(cols[i] if i < len(cols) else 0),
        )
        for i, p in enumerate(props)
        if p not in VALID_PROPERTIES
    ]


@rule(
    "trace-two-formats",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(const char *name) "trans %s", "exec %s"',
)
def two_formats(ev: EventCheck) -> Iterable[Finding]:
    """The event uses the old two-format form '"fmt_trans", "fmt"'.

    The form served the ``tcg`` property, which tracetool no longer has;
    tracetool still parses it, but its backends expect one format and fail.
    """
    if ev.line.format_trans is None:
        return ()
    return (
        Finding(
            "two formats: the '\"fmt_trans\", \"fmt\"' form was for the removed 'tcg' property; "
            "keep one format",
            ev.line.format_at(0, trans=True),
        ),
    )


# -- printf checks beyond tracetool --------------------------------------------


@rule(
    "trace-format-invalid",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(const char *name, int pct) " (%s) %d%"',
)
def format_invalid(ev: EventCheck) -> Iterable[Finding]:
    """The format has an invalid conversion, a stray '%', or a macro other than PRI*.

    A conversion printf does not know (``%y``, ``%Ld``, ``%n``), a ``%`` that
    starts nothing (write ``%%``), a ``PRI*`` macro without a ``%`` before it,
    or a macro such as ``TARGET_FMT_lx`` whose conversions cannot be checked
    (tracetool's SystemTap format refuses such macros too).
    """
    return [Finding(p.message, ev.line.format_at(p.offset)) for p in ev.format.problems]


@rule(
    "trace-format-arg-count",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_load_state(const char *name, uint64_t data) " (%s)"',
)
def format_arg_count(ev: EventCheck) -> Iterable[Finding]:
    """The format's conversions do not consume exactly the event's arguments.

    ``%*d`` consumes two arguments, ``%m`` and ``%%`` none.  An argument the
    format does not print is lost in the log; a conversion without an argument
    reads garbage.
    """
    fmt = ev.format
    if fmt.opaque or fmt.problems:
        return ()
    args = ev.line.event.args
    used = fmt.args_used
    if used == len(args):
        return ()
    if used < len(args):
        unused = ", ".join(f"'{a.name}'" for a in args[used:])
        if not ev.line.event.format:
            what = f"the event has {_n(len(args), 'argument')} but no format"
        else:
            what = f"the format prints {used} of {_n(len(args), 'argument')}"
        return (Finding(f"{what}; not printed: {unused}", ev.arg_location(used)),)
    # More conversions than arguments: point at the first one without an argument.
    consumed = 0
    first = fmt.conversions[-1]
    for c in fmt.conversions:
        consumed += c.args_used
        if consumed > len(args):
            first = c
            break
    return (
        Finding(
            f"the format consumes {_n(used, 'argument')} but the event has {len(args)}; "
            f"'{first.text}' has no argument",
            _conv_at(ev, first),
        ),
    )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _models_for(expected: str, actual: str) -> tuple[list[str], list[str]]:
    """Host models where the sizes differ, and where only the C types differ."""
    size: list[str] = []
    type_only: list[str] = []
    for model, classes in _MODELS:
        want, got = classes[expected], classes[actual]
        if want[1] != got[1]:
            size.append(model)
        elif want[0] != got[0]:
            type_only.append(model)
    return size, type_only


def _mismatch(expected: str, actual: str) -> tuple[Severity, str] | None:
    """How wrong is printing an ``actual``-class value with an ``expected``-class conversion?"""
    if expected == actual:
        return None
    size, type_only = _models_for(expected, actual)
    if "LP64" in size:
        return Severity.ERROR, "wrong size on 64-bit hosts"
    if size:
        return Severity.WARNING, f"wrong size on {'/'.join(size)} hosts"
    if type_only:
        return Severity.WARNING, f"a different C type on {'/'.join(type_only)} hosts"
    return None


_PRI_SUGGEST = {"d": "d", "i": "i", "u": "u", "x": "x", "X": "X", "o": "o", "c": "u"}


@rule(
    "trace-format-64bit",
    Severity.WARNING,
    scope=SCOPE,
    example='dev_load_state(const char *name, uint64_t data) " (%s) data 0x%x"',
)
def format_64bit(ev: EventCheck) -> Iterable[Finding]:
    """A 64-bit argument (uint64_t, int64_t) is printed without a PRI*64 macro.

    ``%x`` or ``%d`` reads 32 bits of a 64-bit value (an error); ``%lx`` and
    ``%llx`` are each right on some hosts only (a warning): ``uint64_t`` is
    ``unsigned long`` on 64-bit Linux and ``unsigned long long`` elsewhere.
    """
    out = []
    for p in ev.suspects:
        c = p.conversion
        if p.role != "value" or c.macro or not c.is_integer:
            continue
        t = ev.types[p.arg]
        if t.int_class != "int64":
            continue
        verdict = _mismatch(_LENGTH_CLASS.get(c.length, "int"), "int64")
        if verdict is None:
            continue
        severity, why = verdict
        conv = _PRI_SUGGEST.get(c.conversion, "x")
        out.append(
            Finding(
                f"'{c.text}' prints {t.text} argument '{ev.line.event.args[p.arg].name}' "
                f"({why}); use '%\" PRI{conv}64'",
                _conv_at(ev, c),
                severity=severity,
            )
        )
    return out


@rule(
    "trace-format-pri-width",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_block(const char *name, int data_size) " (%s) 0x%"PRIx64',
)
def format_pri_width(ev: EventCheck) -> Iterable[Finding]:
    """A PRI* macro's width does not match the argument type.

    For example ``PRIx64`` with ``int``, or ``PRIu32`` with ``uint64_t``.
    An error where the sizes differ on 64-bit hosts, a warning where they differ
    only elsewhere (``PRIx64`` with ``size_t`` or ``long``) or where a narrower
    macro prints a wider fixed-size type (``PRIx16`` with ``uint32_t``).
    """
    out = []
    for p in ev.suspects:
        c = p.conversion
        if p.role != "value" or c.macro is None or not c.is_integer:
            continue
        t = ev.types[p.arg]
        if t.int_class is None:
            continue
        name = ev.line.event.args[p.arg].name
        bits = c.macro_bits
        expected = "size" if c.macro.endswith("PTR") else _PRI_CLASS.get(bits or 0)
        if expected is None:
            continue  # PRI*FAST*: host-dependent, cannot judge
        verdict = _mismatch(expected, t.int_class)
        if verdict is None and expected == "int" and bits is not None:
            width = _fixed_bits(t.text)
            if width is not None and width > bits:
                verdict = Severity.WARNING, f"{width}-bit value, {bits}-bit macro"
        if verdict is None:
            continue
        severity, why = verdict
        out.append(
            Finding(
                f"{c.macro} prints {t.text} argument '{name}' ({why})",
                _conv_at(ev, c),
                severity=severity,
            )
        )
    return out


_FIXED_INT = re.compile(r"u?int(8|16|32|64)_t")


def _fixed_bits(text: str) -> int | None:
    m = _FIXED_INT.fullmatch(text.strip())
    return int(m.group(1)) if m else None


@rule(
    "trace-format-int-size",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_block(const char *name, size_t data_size) " (%s) data_size %u"',
)
def format_int_size(ev: EventCheck) -> Iterable[Finding]:
    """An integer conversion's length modifier does not fit the argument type.

    For example ``%d`` with ``size_t``, ``%lu`` with ``uint32_t``, or ``%*d``
    with a ``long`` width.
    64-bit fixed-size arguments are ``trace-format-64bit``'s and ``PRI*`` macros
    ``trace-format-pri-width``'s.  An error where the sizes differ on 64-bit hosts,
    a warning where they differ only on 32-bit or Windows hosts, or where only the
    C type differs (``%lu`` with ``size_t``: ``-Wformat`` warns on 32-bit hosts).
    """
    out = []
    for p in ev.suspects:
        c = p.conversion
        t = ev.types[p.arg]
        if t.int_class is None:
            continue
        if p.role == "value":
            if c.macro or not c.is_integer or t.int_class == "int64":
                continue
            expected = _LENGTH_CLASS.get(c.length, "int")
            shown = f"'{c.text}'"
        else:
            expected = "int"
            shown = f"the '*' {p.role} of '{c.text}'"
        verdict = _mismatch(expected, t.int_class)
        if verdict is None:
            continue
        severity, why = verdict
        out.append(
            Finding(
                f"{shown} takes {_c_type(expected)} but argument "
                f"'{ev.line.event.args[p.arg].name}' is {t.text} ({why})",
                _conv_at(ev, c),
                severity=severity,
            )
        )
    return out


def _c_type(cls: str) -> str:
    return {
        "int": "an int",
        "long": "a long",
        "llong": "a long long",
        "size": "a size_t",
        "intmax": "an intmax_t",
        "int64": "a 64-bit integer",
    }[cls]


@rule(
    "trace-format-string",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(void *dev) " (%s)"',
)
def format_string(ev: EventCheck) -> Iterable[Finding]:
    """'%s' prints an argument that is not ``char *`` or ``const char *``.

    Only those two types are copied as strings by the binary backends
    (simpletrace records any other pointer as a number).  ``char *`` without
    ``const`` is fine.
    """
    return [
        Finding(
            f"'{p.conversion.text}' prints argument '{ev.line.event.args[p.arg].name}' of type "
            f"'{ev.types[p.arg].text}', not a string ('const char *')",
            _conv_at(ev, p.conversion),
        )
        for p in ev.suspects
        if p.role == "value" and p.conversion.conversion == "s" and not ev.types[p.arg].string
    ]


@rule(
    "trace-format-pointer",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_region_read(uint64_t addr) "%p"',
)
def format_pointer(ev: EventCheck) -> Iterable[Finding]:
    """'%p' prints an argument that is not a pointer."""
    return [
        Finding(
            f"'{p.conversion.text}' prints argument '{ev.line.event.args[p.arg].name}' of type "
            f"'{ev.types[p.arg].text}', which is not a pointer",
            _conv_at(ev, p.conversion),
        )
        for p in ev.suspects
        if p.role == "value" and p.conversion.conversion == "p" and not ev.types[p.arg].pointers
    ]


@rule(
    "trace-format-kind",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_region_read(void *dev) "0x%x"',
)
def format_kind(ev: EventCheck) -> Iterable[Finding]:
    """An integer conversion prints a pointer, or a floating-point conversion is used.

    Pointers are printed with ``%p``; trace arguments cannot be ``double``, so
    ``%f`` and friends never have a matching argument.
    """
    out = []
    for p in ev.suspects:
        c = p.conversion
        t = ev.types[p.arg]
        name = ev.line.event.args[p.arg].name
        if p.role == "value" and c.conversion in "eEfFgGaA":
            out.append(
                Finding(
                    f"'{c.text}' expects a double, but argument '{name}' is '{t.text}'",
                    _conv_at(ev, c),
                )
            )
        elif t.pointers and (p.role != "value" or c.is_integer):
            what = f"the '*' {p.role} of '{c.text}'" if p.role != "value" else f"'{c.text}'"
            out.append(
                Finding(
                    f"{what} prints pointer argument '{name}' ('{t.text}') as an integer; use '%p'",
                    _conv_at(ev, c),
                )
            )
    return out


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_ODD_BLANK = re.compile(r"[^\S ]")


@rule(
    "trace-format-sign-extension",
    Severity.WARNING,
    scope=SCOPE,
    example='ahci_fis(void *s, char b0) "ahci(%p) FIS 0x%02x"',
)
def format_sign_extension(ev: EventCheck) -> Iterable[Finding]:
    """An unsigned conversion (%x, %u, %o) prints a signed type narrower than int.

    The types are ``char``, ``int8_t``, ``short`` and ``int16_t``.  The value is promoted to int first, so a negative one prints as
    ``ffffff80`` rather than ``80``; ``char`` is signed on x86 hosts and
    unsigned on Arm, so the output even depends on the host.  Declare the
    argument with the unsigned type (``uint8_t``), or use ``%hhx``/``%hx``.
    ``PRIx8`` and ``PRIx16`` are plain ``"x"`` in glibc and do not help.
    """
    out = []
    for p in ev.suspects:
        c = p.conversion
        t = ev.types[p.arg]
        if p.role != "value" or not t.narrow_signed or c.conversion not in "ouxX":
            continue
        if c.length == "hh" or (c.length == "h" and t.narrow_signed == 16):
            continue
        unsigned = f"uint{t.narrow_signed}_t"
        signed = "signed on x86 hosts" if t.text.split() == ["char"] else "signed"
        out.append(
            Finding(
                f"'{c.text}' prints argument '{ev.line.event.args[p.arg].name}' of type "
                f"'{t.text}' ({signed}): negative values print sign-extended (ffffff80); "
                f"declare it {unsigned}",
                _conv_at(ev, c),
            )
        )
    return out


# A group of hex numbers split by one of . : / and space ("%02x:%02x.%x").
_HEX_SEPARATORS = frozenset(".:/ ")


@rule(
    "trace-format-hex-prefix",
    Severity.WARNING,
    scope=SCOPE,
    example='dev_region_read(uint64_t addr) "addr %#" PRIx64 " size %x"',
)
def format_hex_prefix(ev: EventCheck) -> Iterable[Finding]:
    """A hex number is printed without a literal '0x' before it, or with the '#' flag.

    QEMU's checkpatch asks for ``0x%x`` rather than ``%#x`` (which prints
    ``0`` without the prefix) and for a ``0x`` before every hex number, except
    in groups split by ``.``, ``:``, ``/`` or a space such as ``%02x:%02x.%x``.
    """
    fmt = ev.format
    convs = fmt.conversions
    out = []
    for i, c in enumerate(convs):
        if "#" in c.flags:
            out.append(
                Finding(
                    f"'{c.text}': use a literal '0x' prefix rather than the '#' flag",
                    _conv_at(ev, c),
                )
            )
            continue
        if not c.is_hex or fmt.before(i).endswith("0x"):
            continue
        if _in_hex_group(fmt, i):
            continue
        out.append(Finding(f"hex number '{c.text}' without a '0x' prefix", _conv_at(ev, c)))
    return out


def _in_hex_group(fmt: ParsedFormat, i: int) -> bool:
    convs, spans, text = fmt.conversions, fmt.spans, fmt.logical
    for j in (i - 1, i + 1):
        if 0 <= j < len(convs) and convs[j].is_hex and "#" not in convs[j].flags:
            lo, hi = (j, i) if j < i else (i, j)
            between = text[spans[lo][1] : spans[hi][0]]
            if len(between) == 1 and between in _HEX_SEPARATORS:
                return True
    return False


# Rules that read nothing of an event but its suspect pairs: the run skips
# them for the (usual) event that has none, without calling them.
SUSPECT_RULES: tuple[Rule[EventCheck], ...] = (
    format_64bit,
    format_pri_width,
    format_int_size,
    format_string,
    format_pointer,
    format_kind,
    format_sign_extension,
)
EVENT_RULES: tuple[Rule[EventCheck], ...] = (
    format_newline,
    format_errno,
    arg_type,
    empty_args,
    too_many_args,
    unknown_property,
    two_formats,
    format_invalid,
    format_arg_count,
    *SUSPECT_RULES,
    format_hex_prefix,
)

# -- file-level rules ----------------------------------------------------------


@rule(
    "trace-no-final-newline",
    Severity.ERROR,
    scope=FILE_SCOPE,
    example='dev_save_setup(const char *name) " (%s)"   (no newline at the end of the file)',
)
def no_final_newline(fc: FileCheck) -> Iterable[Finding]:
    """The file does not end with a newline; tracetool refuses it."""
    text = fc.file.text
    if not text or text.endswith(("\n", "\r")):
        return ()
    lines = _LINE_BREAK.split(text)
    return (
        Finding(
            "no newline at the end of the file",
            Location(fc.file.path, len(lines), len(lines[-1]) + 1),
        ),
    )


@rule(
    "trace-duplicate-event",
    Severity.ERROR,
    scope=FILE_SCOPE,
    example='dev_save_setup(const char *name) " (%s)"\ndev_save_setup(const char *name) "%s"',
)
def duplicate_event(fc: FileCheck) -> Iterable[Finding]:
    """Two events share a name, in one file or across the files linted together.

    Every event becomes a global ``trace_NAME()`` function and event variables,
    so two definitions in one file break the build (an error).  Across files
    it breaks the link only if both files are built together, which the
    build system decides (QEMU builds ``linux-user`` or ``bsd-user``, never
    both), so that is a warning, which also says whether the two copies
    still agree.  (The check across files is ``duplicates_across()``, run
    once all the files have been linted.)
    """
    out = []
    seen: dict[str, EventLine] = {}
    for ev in fc.events:
        line = ev.line
        name = line.event.name
        first = seen.get(name)
        if first is None:
            seen[name] = line
            continue
        out.append(
            Finding(
                f"event '{name}' is defined twice in this file",
                line.event.location,
                (Note(message="first defined here", location=first.event.location),),
            )
        )
    return out


# The first definition of an event name in a file, as duplicates_across()
# compares it: (name, arguments as (type, name) pairs, format, properties,
# line, column).  A plain tuple: a worker process sends thousands back, and
# plain tuples pickle in half the time of named ones.
Definition = tuple[str, tuple[tuple[str, str], ...], str, tuple[str, ...], int, int]


def definitions(tf: TraceFile) -> tuple[Definition, ...]:
    """The first definition of each event name in a file, in file order."""
    seen: set[str] = set()
    # Events with the same argument list share one tuple of arguments (the
    # reader parses each list once): convert each such tuple once.
    converted: dict[int, tuple[tuple[str, str], ...]] = {}
    out = []
    for line in tf.events:
        ev = line.event
        if ev.name in seen:
            continue
        seen.add(ev.name)
        args = converted.get(id(ev.args))
        if args is None:
            args = converted[id(ev.args)] = tuple((a.type, a.name) for a in ev.args)
        loc = ev.location
        out.append((ev.name, args, ev.format, ev.properties, loc.line, loc.column))
    return tuple(out)


def duplicates_across(files: Iterable[tuple[str, Sequence[Definition]]]) -> list[Diagnostic]:
    """``trace-duplicate-event`` across files: each (path, definitions) in the
    order the files were given; every name an earlier file defines is reported
    at its first definition in each later file, pointing at the earliest one."""
    first: dict[str, tuple[str, Definition]] = {}
    out = []
    for path, defs in files:
        for d in defs:
            name, _, _, _, line, column = d
            seen = first.get(name)
            if seen is None:
                first[name] = (path, d)
                continue
            other_path, other = seen
            differs = _differences(other, d)
            how = f"differently ({differs})" if differs else "identically"
            out.append(
                duplicate_event.diagnostic(
                    f"event '{name}' is also defined in another file, {how}; "
                    "the two files cannot be part of one build",
                    Location(path, line, column),
                    notes=(
                        Note(
                            message="other definition here",
                            location=Location(other_path, other[4], other[5]),
                        ),
                    ),
                    severity=Severity.WARNING,
                )
            )
    return out


def _differences(a: Definition, b: Definition) -> str:
    parts = []
    for index, what in ((1, "arguments"), (2, "format"), (3, "properties")):
        if a[index] != b[index]:
            parts.append(what)
    return ", ".join(parts)


# -- running event rules over a spec and over a file ---------------------------

S = TypeVar("S")


def _rewrap(r: Rule[EventCheck], run: Callable[[S], Iterable[Finding]]) -> Rule[S]:
    """``r`` with the same id, severity and docs, checking a whole spec or file."""
    return Rule(
        id=r.id,
        severity=r.severity,
        summary=r.summary,
        doc=r.doc,
        scope=r.scope,
        example=r.example,
        check=run,
    )


def _over_spec(r: Rule[EventCheck]) -> Rule[Spec]:
    check = r.check
    assert check is not None
    only_suspects = r in SUSPECT_RULES

    # wraps(): the docs find the rule's docstring in its source through it.
    @functools.wraps(check)
    def run(spec: Spec) -> Iterator[Finding]:
        for ev in prepare_spec(spec):
            if ev.suspects or not only_suspects:
                yield from check(ev)

    return _rewrap(r, run)


def _over_file(r: Rule[EventCheck]) -> Rule[FileCheck]:
    check = r.check
    assert check is not None
    only_suspects = r in SUSPECT_RULES

    # wraps(): the docs find the rule's docstring in its source through it.
    @functools.wraps(check)
    def run(fc: FileCheck) -> list[Finding]:
        out: list[Finding] = []
        for ev in fc.suspect_events if only_suspects else fc.events:
            found = check(ev)
            if found:
                out.extend(found)
        return out

    return _rewrap(r, run)


SPEC_RULES: tuple[Rule[Any], ...] = tuple(_over_spec(r) for r in EVENT_RULES)
FILE_RULES: tuple[Rule[Any], ...] = (
    SYNTAX,
    no_final_newline,
    duplicate_event,
    *(_over_file(r) for r in EVENT_RULES),
)
