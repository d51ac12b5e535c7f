"""Readers of real source trees: C (tree-sitter), rst (docutils), trace-events, kernel tables.

Inputs: paths inside a QEMU or kernel tree and names taken from a spec.
Outputs: located facts (:class:`~migspec.diagnostics.Location` on every one)
plus diagnostics; a reader never raises on bad input.  The readers do not
judge: comparing the facts with a spec is :mod:`migspec.check`'s job.
"""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import Diagnostic, Location, Severity, declare
from ..load.files import Refused, read_regular

SCOPE = "source"

# What reading a tree can meet before any reader runs: a file the spec
# names is missing or lies outside the root (check and update both report it).
FILE_MISSING = declare(
    "check-file-missing",
    Severity.ERROR,
    "A file the spec names does not exist in the source tree.",
    scope=SCOPE,
    doc="""
    The spec names the files it describes (the uAPI header, the C files of the
    to-string function and predicates, trace-events files, the rst file of
    each flow, the kernel's table file) relative to the tree's root.  A file
    that moved (QEMU moved ``docs/devel/vfio-migration.rst`` to
    ``docs/devel/migration/vfio.rst``) is reported here: update the spec.
    """,
    example="code: {to_string: {file: hw/vfio/migration.c}}  # but the tree has no such file",
)

OUTSIDE_ROOT = declare(
    "check-path-outside-root",
    Severity.ERROR,
    "A path the spec names leads outside the source root; it is not read.",
    scope=SCOPE,
    doc="""
    Every file migspec reads in a tree must lie inside the root it was given
    (``--source-root``, ``--kernel-root``, ``migspec_source_root``): a spec
    is data, and must not make a doc build read ``/etc/passwd``.  Absolute
    paths and paths with ``..`` are refused where the spec names them; a
    symlink in the tree that leads out of the root (or loops) is refused where
    it is, with the spec's place as a note.  Such files are never opened.
    ``import`` skips such a symlink the same way, with this diagnostic, and
    copies nothing from it into the spec.
    """,
    example="flows:\n  - docs: {file: ../../etc/passwd, section: Save}",
)


FILE_UNREADABLE = declare(
    "check-file-unreadable",
    Severity.ERROR,
    "A source file migspec needs exists but cannot be read.",
    scope=SCOPE,
    doc="""
    A source file that ``check``, ``update`` or ``import`` needs exists but
    cannot be read: no permission, not a regular file (a FIFO, a directory,
    a device: never opened), larger than the readers' size limit (16 MiB), or
    an rst file that docutils refuses as a whole (a line longer than its
    line-length limit, nesting deeper than it can parse).  The file is
    skipped; nothing else is reported about it.
    """,
    example="hw/vfio/migration.c: permission denied",
)

SECTION_TWICE = declare(
    "check-docs-section-twice",
    Severity.WARNING,
    "A section title a flow names appears more than once in the rst file; only the first is compared.",
    scope=SCOPE,
    doc="""
    A section title a flow names appears more than once in the rst file;
    only the first is compared.  The drawing under the second one is not
    checked at all: rename one of the sections, or point the flow at the
    one that holds its drawing.
    """,
    example="Live migration save path\n------------------------\n...\nLive migration save path\n------------------------",
)

# No file of a QEMU or Linux tree that the check reads comes near this; a
# bigger one is refused before it is read (memory stays bounded).
MAX_SOURCE_BYTES = 16 * 1024 * 1024

RULES = (FILE_MISSING, OUTSIDE_ROOT, FILE_UNREADABLE, SECTION_TWICE)


def read_bytes(path: Path, display: str) -> tuple[bytes | None, list[Diagnostic]]:
    """The file's bytes, or a located diagnostic saying why not.

    Read by :func:`~migspec.load.files.read_regular`, as every input is:
    regular files only, within :data:`MAX_SOURCE_BYTES`.
    """
    got = read_regular(path, MAX_SOURCE_BYTES)
    if isinstance(got, Refused):
        return None, [FILE_UNREADABLE.diagnostic(got.reason, Location(display))]
    return got, []


def read_text(path: Path, display: str) -> tuple[str | None, list[Diagnostic]]:
    """The file as text (UTF-8, undecodable bytes replaced), or a diagnostic."""
    data, diagnostics = read_bytes(path, display)
    if data is None:
        return None, diagnostics
    return data.decode("utf-8", errors="replace"), diagnostics
