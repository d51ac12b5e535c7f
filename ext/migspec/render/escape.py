"""Escaping filters, one per output language.

Text that flows from a spec (or a source tree) into generated output goes
through exactly one of these, chosen by the template for the language it
writes.  Each is small and separately tested.
"""

from __future__ import annotations

import re

from ..load.yamlsrc import resolve_plain

# Characters no output may carry raw: C0 controls other than tab, line feed
# and carriage return (each filter decides about those three), DEL, the C1
# controls (NEL among them) and the Unicode line and paragraph separators,
# which docutils, editors and terminals take for line breaks or commands
# (``ESC [``).  Each filter replaces them with U+FFFD, visibly.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
# Bidirectional controls: in C source (and in trace-events, which tracetool
# turns into C string literals) they make code read differently from how it
# compiles ("Trojan Source", CVE-2021-42574).
_BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
REPLACEMENT = "\ufffd"


def visible(text: str) -> str:
    """``text`` with every character of :data:`_UNSAFE` replaced by U+FFFD
    (the Sphinx directives put spec text into docutils nodes through this)."""
    return _UNSAFE.sub(REPLACEMENT, text)


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
        elif _UNSAFE.match(ch) or _BIDI.match(ch):
            # Octal escapes of the UTF-8 bytes: the string reads back the same
            # and the source holds no control or bidi character.
            out.append("".join(f"\\{b:03o}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out)


def c_comment(text: str) -> str:
    """Text safe inside a ``/* ... */`` comment: no early ``*/``, no nested ``/*``,
    no control or bidi character."""
    text = _BIDI.sub(REPLACEMENT, visible(text))
    return text.replace("*/", "* /").replace("/*", "/ *")


def comment_wrap(text: str, first: str, rest: str | None = None, width: int = 80) -> str:
    """``text`` as the lines of a block comment at most ``width`` columns wide:
    the first line starts with ``first``, the others with ``rest`` (``first``
    by default); words are never broken, and the text is :func:`c_comment`'s."""
    import textwrap

    lines = textwrap.wrap(
        c_comment(" ".join(text.split())),
        width=width,
        initial_indent=first,
        subsequent_indent=first if rest is None else rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return "\n".join(lines) if lines else first.rstrip()


def c_code_line(text: str) -> str:
    """A fragment of C the spec's author wrote (a parameter list, a statement):
    it is code, so nothing is quoted, but it stays on its one line, and control
    and bidi characters become U+FFFD (which no compiler accepts quietly)."""
    return " ".join(_BIDI.sub(REPLACEMENT, visible(text)).split())


_C_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def c_identifier(text: str) -> str:
    """Refuse (rather than mangle) anything that is not a C identifier."""
    if not _C_IDENT.match(text):
        raise ValueError(f"{text!r} is not a C identifier")
    return text


_RST_INLINE = re.compile(r"([\\`*_|\[\]<>:])")


def rst_text(text: str) -> str:
    """Inline rst text: markup characters are backslash-escaped, one line."""
    text = visible(text.replace("\r", " ").replace("\n", " "))
    return _RST_INLINE.sub(r"\\\1", text)


def rst_literal_line(text: str) -> str:
    """A line inside an rst literal block: nothing is markup there, but a
    line break would end the drawing's row and tabs would shift its layout
    (and a control character or U+2028 is a line break to docutils)."""
    return visible(text.replace("\r", " ").replace("\n", " ").replace("\t", " "))


def dot_string(text: str) -> str:
    """A DOT double-quoted string body that Graphviz draws as ``text``.

    Graphviz decodes HTML entities even in quoted (non-HTML) labels and
    tooltips (``&amp;`` is drawn as ``&``), so ``&`` is written as ``&amp;``.
    """
    return (
        visible(text)
        .replace("&", "&amp;")
        .replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "")
    )


def dot_html(text: str) -> str:
    """Text inside a DOT HTML-like label (``<...>``)."""
    return (
        visible(text)
        .replace("\r", "")
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&quot;")
        .replace("\n", "<br/>")
    )


# Plain YAML scalars migspec writes unquoted: words, C types and expressions,
# prose; nothing that means something in a flow collection ([]{},) or starts
# like an indicator.  Anything else is quoted.
_YAML_PLAIN = re.compile(r"[A-Za-z_(./][A-Za-z0-9_ .*/()'<>=+%;&?~-]*")
# What YAML does not take raw (PyYAML's non-printable set), and line separators.
_YAML_ODD_CLASS = r"[^\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|[\u2028\u2029\ufeff]"
_YAML_ODD = re.compile(_YAML_ODD_CLASS)
_YAML11_WORDS = frozenset({"yes", "no", "on", "off", "y", "n"})


def yaml_scalar(text: str) -> str:
    """A YAML scalar (plain, 'single' or "double" quoted) that loads back as the string ``text``.

    Safe in block and flow context alike (``[a, b]``, ``{k: v}``).
    """

    if (
        _YAML_PLAIN.fullmatch(text)
        and not text.endswith(" ")
        and ": " not in text
        and " #" not in text
        # Reads back as this string with migspec's resolver, and with a YAML
        # 1.1 reader too (which takes yes/no/on/off for booleans).
        and resolve_plain(text) == text
        and text.lower() not in _YAML11_WORDS
    ):
        return text
    if not _YAML_ODD.search(text):
        return "'" + text.replace("'", "''") + "'"
    return '"' + _YAML_DOUBLE.sub(_yaml_escape, text) + '"'


_YAML_DOUBLE = re.compile(r'["\\]|' + _YAML_ODD_CLASS)


def _yaml_escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in '"\\':
        return "\\" + ch
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def trace_format_text(text: str) -> str:
    """Text that must not break a trace-events line (one event per line), nor
    carry control or bidi characters into the C tracetool generates from it."""
    return _BIDI.sub(REPLACEMENT, visible(text.replace("\n", " ").replace("\r", " ")))


_SVG_START = re.compile(r"<svg\b")
_XML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_SVG_ID = re.compile(r'\bid="([^"]*)"')
_SVG_REF = re.compile(r'(url\(|href=")#')


def svg_inline(svg: str, prefix: str) -> str:
    """An SVG document (as ``dot`` writes it) made fit to sit inside HTML:
    the XML prolog and DOCTYPE go (the DOCTYPE names a remote DTD), comments go
    (they repeat node names verbatim), and every ``id`` gets ``prefix`` so that
    several drawings on one page do not share ids.  ``prefix`` must itself be
    safe in an attribute (letters, digits, ``-``, ``_``)."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", prefix):
        raise ValueError(f"{prefix!r} is not a safe id prefix")
    start = _SVG_START.search(svg)
    body = svg[start.start() :] if start else ""
    body = _XML_COMMENT.sub("", body)
    body = _SVG_ID.sub(lambda m: f'id="{prefix}-{m.group(1)}"', body)
    body = _SVG_REF.sub(lambda m: f"{m.group(1)}#{prefix}-", body)
    return body.strip() + "\n"


def html_id(text: str) -> str:
    """A string usable as an HTML id / file-name-ish fragment: anything but
    letters, digits, ``-`` and ``_`` becomes ``-``."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", text)
