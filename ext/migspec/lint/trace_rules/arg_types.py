"""Argument types as printf sees them: tracetool's allowed type words, and
the C type and size behind each integer class on LP64, ILP32 and LLP64.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

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
MODELS: tuple[tuple[str, Mapping[str, tuple[str, int]]], ...] = (
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
LENGTH_CLASS = {
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
PRI_CLASS = {8: "int", 16: "int", 32: "int", 64: "int64"}


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
