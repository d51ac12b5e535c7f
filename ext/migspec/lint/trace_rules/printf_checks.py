"""Printf checks beyond tracetool: argument counts, sizes, signedness,
strings, pointers and house style, each against the host data models.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ...diagnostics import Finding, Severity, rule
from ..printf import ParsedFormat
from .arg_types import LENGTH_CLASS, MODELS, PRI_CLASS
from .subjects import SCOPE, EventCheck, conv_at


@rule(
    "trace-format-invalid",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_setup(const char *name, int pct) " (%s) %d%"',
)
def format_invalid(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """The format has an invalid conversion, a stray '%', or a macro other than PRI*.

    A conversion printf does not know (``%y``, ``%Ld``, ``%n``), a ``%`` that
    starts nothing (write ``%%``), a ``PRI*`` macro without a ``%`` before it,
    or a macro such as ``TARGET_FMT_lx`` whose conversions cannot be checked
    (tracetool's SystemTap format refuses such macros too).
    """
    for ev in events:
        for p in ev.format.problems:
            yield Finding(p.message, ev.line.format_at(p.offset))


@rule(
    "trace-format-arg-count",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_load_state(const char *name, uint64_t data) " (%s)"',
)
def format_arg_count(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """The format's conversions do not consume exactly the event's arguments.

    ``%*d`` consumes two arguments, ``%m`` and ``%%`` none.  An argument the
    format does not print is lost in the log; a conversion without an argument
    reads garbage.
    """
    for ev in events:
        fmt = ev.format
        args = ev.line.args
        used = fmt.args_used
        if used == len(args) or fmt.opaque or fmt.problems:
            continue
        if used < len(args):
            unused = ", ".join(f"'{a.name}'" for a in args[used:])
            if not ev.line.format:
                what = f"the event has {_n(len(args), 'argument')} but no format"
            else:
                what = f"the format prints {used} of {_n(len(args), 'argument')}"
            yield Finding(f"{what}; not printed: {unused}", ev.arg_location(used))
            continue
        # More conversions than arguments: point at the first one without an argument.
        consumed = 0
        first = fmt.conversions[-1]
        for c in fmt.conversions:
            consumed += c.args_used
            if consumed > len(args):
                first = c
                break
        yield Finding(
            f"the format consumes {_n(used, 'argument')} but the event has {len(args)}; "
            f"'{first.text}' has no argument",
            conv_at(ev, first),
        )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _models_for(expected: str, actual: str) -> tuple[list[str], list[str]]:
    """Host models where the sizes differ, and where only the C types differ."""
    size: list[str] = []
    type_only: list[str] = []
    for model, classes in MODELS:
        (want_type, want_bits), (got_type, got_bits) = classes[expected], classes[actual]
        if want_bits != got_bits:
            size.append(model)
        elif want_type != got_type:
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
def format_64bit(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """A 64-bit argument (uint64_t, int64_t) is printed without a PRI*64 macro.

    ``%x`` or ``%d`` reads 32 bits of a 64-bit value (an error); ``%lx`` and
    ``%llx`` are each right on some hosts only (a warning): ``uint64_t`` is
    ``unsigned long`` on 64-bit Linux and ``unsigned long long`` elsewhere.
    """
    for ev in events:
        for p in ev.suspects:
            c = p.conversion
            if p.role != "value" or c.macro or not c.is_integer:
                continue
            t = ev.types[p.arg]
            if t.int_class != "int64":
                continue
            verdict = _mismatch(LENGTH_CLASS.get(c.length, "int"), "int64")
            if verdict is None:
                continue
            severity, why = verdict
            conv = _PRI_SUGGEST.get(c.conversion, "x")
            yield Finding(
                f"'{c.text}' prints {t.text} argument '{ev.line.args[p.arg].name}' "
                f"({why}); use '%\" PRI{conv}64'",
                conv_at(ev, c),
                severity=severity,
            )


@rule(
    "trace-format-pri-width",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_save_block(const char *name, int data_size) " (%s) 0x%"PRIx64',
)
def format_pri_width(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """A PRI* macro's width does not match the argument type.

    For example ``PRIx64`` with ``int``, or ``PRIu32`` with ``uint64_t``.
    An error where the sizes differ on 64-bit hosts, a warning where they differ
    only elsewhere (``PRIx64`` with ``size_t`` or ``long``) or where a narrower
    macro prints a wider fixed-size type (``PRIx16`` with ``uint32_t``).
    """
    for ev in events:
        for p in ev.suspects:
            c = p.conversion
            if p.role != "value" or c.macro is None or not c.is_integer:
                continue
            t = ev.types[p.arg]
            if t.int_class is None:
                continue
            name = ev.line.args[p.arg].name
            bits = c.macro_bits
            expected = "size" if c.macro.endswith("PTR") else PRI_CLASS.get(bits or 0)
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
            yield Finding(
                f"{c.macro} prints {t.text} argument '{name}' ({why})",
                conv_at(ev, c),
                severity=severity,
            )


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
def format_int_size(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """An integer conversion's length modifier does not fit the argument type.

    For example ``%d`` with ``size_t``, ``%lu`` with ``uint32_t``, or ``%*d``
    with a ``long`` width.
    64-bit fixed-size arguments are ``trace-format-64bit``'s and ``PRI*`` macros
    ``trace-format-pri-width``'s.  An error where the sizes differ on 64-bit hosts,
    a warning where they differ only on 32-bit or Windows hosts, or where only the
    C type differs (``%lu`` with ``size_t``: ``-Wformat`` warns on 32-bit hosts).
    """
    for ev in events:
        for p in ev.suspects:
            c = p.conversion
            t = ev.types[p.arg]
            if t.int_class is None:
                continue
            if p.role == "value":
                if c.macro or not c.is_integer or t.int_class == "int64":
                    continue
                expected = LENGTH_CLASS.get(c.length, "int")
                shown = f"'{c.text}'"
            else:
                expected = "int"
                shown = f"the '*' {p.role} of '{c.text}'"
            verdict = _mismatch(expected, t.int_class)
            if verdict is None:
                continue
            severity, why = verdict
            yield Finding(
                f"{shown} takes {_c_type(expected)} but argument "
                f"'{ev.line.args[p.arg].name}' is {t.text} ({why})",
                conv_at(ev, c),
                severity=severity,
            )


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
def format_string(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """'%s' prints an argument that is not ``char *`` or ``const char *``.

    Only those two types are copied as strings by the binary backends
    (simpletrace records any other pointer as a number).  ``char *`` without
    ``const`` is fine.
    """
    for ev in events:
        for p in ev.suspects:
            if p.role == "value" and p.conversion.conversion == "s" and not ev.types[p.arg].string:
                yield Finding(
                    f"'{p.conversion.text}' prints argument '{ev.line.args[p.arg].name}' of type "
                    f"'{ev.types[p.arg].text}', not a string ('const char *')",
                    conv_at(ev, p.conversion),
                )


@rule(
    "trace-format-pointer",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_region_read(uint64_t addr) "%p"',
)
def format_pointer(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """'%p' prints an argument that is not a pointer."""
    for ev in events:
        for p in ev.suspects:
            c, t = p.conversion, ev.types[p.arg]
            if p.role == "value" and c.conversion == "p" and not t.pointers:
                yield Finding(
                    f"'{c.text}' prints argument '{ev.line.args[p.arg].name}' of type "
                    f"'{t.text}', which is not a pointer",
                    conv_at(ev, c),
                )


@rule(
    "trace-format-kind",
    Severity.ERROR,
    scope=SCOPE,
    example='dev_region_read(void *dev) "0x%x"',
)
def format_kind(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """An integer conversion prints a pointer, or a floating-point conversion is used.

    Pointers are printed with ``%p``; trace arguments cannot be ``double``, so
    ``%f`` and friends never have a matching argument.
    """
    for ev in events:
        for p in ev.suspects:
            c = p.conversion
            t = ev.types[p.arg]
            name = ev.line.args[p.arg].name
            if p.role == "value" and c.conversion in "eEfFgGaA":
                yield Finding(
                    f"'{c.text}' expects a double, but argument '{name}' is '{t.text}'",
                    conv_at(ev, c),
                )
            elif t.pointers and (p.role != "value" or c.is_integer):
                what = f"the '*' {p.role} of '{c.text}'" if p.role != "value" else f"'{c.text}'"
                yield Finding(
                    f"{what} prints pointer argument '{name}' ('{t.text}') as an integer; use '%p'",
                    conv_at(ev, c),
                )


@rule(
    "trace-format-sign-extension",
    Severity.WARNING,
    scope=SCOPE,
    example='ahci_fis(void *s, char b0) "ahci(%p) FIS 0x%02x"',
)
def format_sign_extension(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """An unsigned conversion (%x, %u, %o) prints a signed type narrower than int.

    The types are ``char``, ``int8_t``, ``short`` and ``int16_t``.  The value is promoted to int first, so a negative one prints as
    ``ffffff80`` rather than ``80``; ``char`` is signed on x86 hosts and
    unsigned on Arm, so the output even depends on the host.  Declare the
    argument with the unsigned type (``uint8_t``), or use ``%hhx``/``%hx``.
    ``PRIx8`` and ``PRIx16`` are plain ``"x"`` in glibc and do not help.
    """
    for ev in events:
        for p in ev.suspects:
            c = p.conversion
            t = ev.types[p.arg]
            if p.role != "value" or not t.narrow_signed or c.conversion not in "ouxX":
                continue
            if c.length == "hh" or (c.length == "h" and t.narrow_signed == 16):
                continue
            unsigned = f"uint{t.narrow_signed}_t"
            signed = "signed on x86 hosts" if t.text.split() == ["char"] else "signed"
            yield Finding(
                f"'{c.text}' prints argument '{ev.line.args[p.arg].name}' of type "
                f"'{t.text}' ({signed}): negative values print sign-extended (ffffff80); "
                f"declare it {unsigned}",
                conv_at(ev, c),
            )


# A group of hex numbers split by one of . : / and space ("%02x:%02x.%x").
_HEX_SEPARATORS = frozenset(".:/ ")


@rule(
    "trace-format-hex-prefix",
    Severity.WARNING,
    scope=SCOPE,
    example='dev_region_read(uint64_t addr) "addr %#" PRIx64 " size %x"',
)
def format_hex_prefix(events: Iterable[EventCheck]) -> Iterator[Finding]:
    """A hex number is printed without a literal '0x' before it, or with the '#' flag.

    QEMU's checkpatch asks for ``0x%x`` rather than ``%#x`` (which prints
    ``0`` without the prefix) and for a ``0x`` before every hex number, except
    in groups split by ``.``, ``:``, ``/`` or a space such as ``%02x:%02x.%x``.
    """
    for ev in events:
        fmt = ev.format
        for i, c in enumerate(fmt.conversions):
            if "#" in c.flags:
                yield Finding(
                    f"'{c.text}': use a literal '0x' prefix rather than the '#' flag",
                    conv_at(ev, c),
                )
            elif c.is_hex and not fmt.preceded_by(i, "0x") and not _in_hex_group(fmt, i):
                yield Finding(f"hex number '{c.text}' without a '0x' prefix", conv_at(ev, c))


def _in_hex_group(fmt: ParsedFormat, i: int) -> bool:
    convs, spans, text = fmt.conversions, fmt.spans, fmt.logical
    for j in (i - 1, i + 1):
        if 0 <= j < len(convs) and convs[j].is_hex and "#" not in convs[j].flags:
            lo, hi = (j, i) if j < i else (i, j)
            between = text[spans[lo][1] : spans[hi][0]]
            if len(between) == 1 and between in _HEX_SEPARATORS:
                return True
    return False
