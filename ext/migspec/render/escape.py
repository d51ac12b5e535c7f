"""Escaping filters, one per output language.

Text that flows from a spec (or a source tree) into generated output goes
through exactly one of these, chosen by the template for the language it
writes.  Each is small and separately tested.
"""

from __future__ import annotations

import re

_C_ESCAPES = {
    "\\": "\\\\",
    '"': '\\"',
    "\n": "\\n",
    "\t": "\\t",
    "\r": "\\r",
    "?": "\\?",  # no trigraphs
}


def c_string(text: str) -> str:
    """A C string literal body (without the quotes) that reads back as ``text``."""
    out = []
    for ch in text:
        if ch in _C_ESCAPES:
            out.append(_C_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    return "".join(out)


def c_comment(text: str) -> str:
    """Text safe inside a ``/* ... */`` comment: no early ``*/``, no nested ``/*``."""
    return text.replace("*/", "* /").replace("/*", "/ *")


_C_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def c_identifier(text: str) -> str:
    """Refuse (rather than mangle) anything that is not a C identifier."""
    if not _C_IDENT.match(text):
        raise ValueError(f"{text!r} is not a C identifier")
    return text


_RST_INLINE = re.compile(r"([\\`*_|\[\]<>:])")


def rst_text(text: str) -> str:
    """Inline rst text: markup characters are backslash-escaped."""
    return _RST_INLINE.sub(r"\\\1", text).replace("\n", " ")


def rst_literal_line(text: str) -> str:
    """A line inside an rst literal block: nothing is markup there, but a
    line break would end the drawing's row and tabs would shift its layout."""
    return text.replace("\r", " ").replace("\n", " ").replace("\t", " ")


def dot_string(text: str) -> str:
    """A DOT double-quoted string body."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")


def dot_html(text: str) -> str:
    """Text inside a DOT HTML-like label (``<...>``)."""
    return (
        text.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "<br/>")
    )


def trace_format_text(text: str) -> str:
    """Text that must not break a trace-events line (one event per line)."""
    return text.replace("\n", " ").replace("\r", " ")
