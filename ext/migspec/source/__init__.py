"""Readers of real source trees: C (tree-sitter), rst (docutils), trace-events, kernel tables.

Inputs: paths inside a QEMU or kernel tree and names taken from a spec.
Outputs: located facts (:class:`~migspec.diagnostics.Location` on every one)
plus diagnostics; a reader never raises on bad input.  The readers do not
judge: comparing the facts with a spec is :mod:`migspec.check`'s job.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, Location, Severity, declare

SCOPE = "source"

FILE_UNREADABLE = declare(
    "check-file-unreadable",
    Severity.ERROR,
    "A source file the check needs exists but cannot be read.",
    scope=SCOPE,
    example="hw/vfio/migration.c: permission denied",
)

RULES = (FILE_UNREADABLE,)


def read_bytes(path: Path, display: str) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's bytes, or a located diagnostic saying why not."""
    try:
        return path.read_bytes(), []
    except OSError as err:
        reason = err.strerror or err.__class__.__name__
        return None, [
            FILE_UNREADABLE.diagnostic(f"cannot read {display}: {reason}", Location(display))
        ]


def read_text(path: Path, display: str) -> tuple[str | None, list[Diagnostic]]:
    """The file as text (UTF-8, undecodable bytes replaced), or a diagnostic."""
    data, diagnostics = read_bytes(path, display)
    if data is None:
        return None, diagnostics
    return data.decode("utf-8", errors="replace"), diagnostics
