"""Reading input text: size limits and encodings.

Inputs: a path (or bytes) and :class:`Limits`.  Outputs: the decoded text, or
``None`` and one located diagnostic saying why not (missing, a directory, too
large, UTF-16, NUL bytes, invalid UTF-8).  Every reader (specs, trace-events
files, source trees) starts here; nothing here knows YAML, so the trace-events
linter does not pay for importing PyYAML.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..diagnostics import Diagnostic, Location, Severity, declare
from .files import Refused, read_regular

RULES = (
    declare(
        "input-unreadable",
        Severity.ERROR,
        "The input file cannot be read (missing, a directory or a FIFO, no permission).",
        scope="load",
    ),
    declare(
        "input-encoding",
        Severity.ERROR,
        "The input is not UTF-8 text (binary data, NUL bytes, another encoding).",
        scope="load",
        example="a spec saved as UTF-16, or a compiled file passed by mistake",
    ),
    declare(
        "input-too-large",
        Severity.ERROR,
        "The input is larger than the reader's size limit.",
        scope="load",
    ),
)
_RULE = {r.id: r for r in RULES}


@dataclass(frozen=True, slots=True)
class Limits:
    """How much input the readers accept before they stop with a located error."""

    max_bytes: int = 8 * 1024 * 1024
    max_depth: int = 64
    max_nodes: int = 200_000
    # Longest number literal read as a number: Python refuses to convert
    # decimal integers of more than 4300 digits (and every value a spec holds
    # is small), so a longer one is a located error, not a ValueError.
    max_number_digits: int = 100
    # What the spec's analyses are bounded for (see load.spec): the linter
    # walks every device kind (2 ** optional features) and, for each, the
    # paths between every pair of states.  64 states and 6 optional features
    # (64 device kinds) lint in a few seconds even for a complete graph.
    max_states: int = 64
    max_optional_features: int = 6


DEFAULT_LIMITS = Limits()


def _diag(rule_id: str, message: str, location: Location) -> Diagnostic:
    return _RULE[rule_id].diagnostic(message, location)


def read_text(
    path: str, display: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> tuple[str | None, list[Diagnostic]]:
    """Read a UTF-8 text file within the size limit; one clear error otherwise.

    The file is opened by :func:`~migspec.load.files.read_regular`: a FIFO,
    a directory or a device is refused by name, never read.
    """
    shown = display or path
    where = Location(shown)
    got = read_regular(path, limits.max_bytes)
    if isinstance(got, Refused):
        rule = "input-too-large" if got.too_large else "input-unreadable"
        return None, [_diag(rule, got.reason, where)]
    data = got
    return decode_text(data, shown)


def decode_text(data: bytes, display: str) -> tuple[str | None, list[Diagnostic]]:
    for boms, name in (
        ((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff"), "UTF-32"),
        ((b"\xff\xfe", b"\xfe\xff"), "UTF-16"),
    ):
        if data.startswith(boms):
            return None, [
                _diag(
                    "input-encoding",
                    f"file is {name} encoded; save it as UTF-8",
                    Location(display, 1, 1),
                )
            ]
    nul = data.find(b"\0")
    if nul >= 0:
        line, col = line_col(data, nul)
        return None, [
            _diag(
                "input-encoding",
                "file contains NUL bytes: binary data, not UTF-8 text",
                Location(display, line, col),
            )
        ]
    try:
        # Plain UTF-8 and then the BOM, rather than the "utf-8-sig" codec:
        # the same text, error offsets that count the BOM's bytes, and no
        # codec module to import.
        text = data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        # Located in the text as an editor shows it: after the BOM, if any.
        bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
        line, col = line_col(data[bom:], exc.start - bom)
        return None, [
            _diag(
                "input-encoding",
                f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                Location(display, line, col),
            )
        ]
    return text, []


def line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    return line, offset - start + 1
