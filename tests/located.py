"""Where a diagnostic may point: inside the file it names.

Shared by the hostile corpus and the fuzz targets.  A file may be read with
two line numberings: ``\\n`` only (tree-sitter, git) or universal newlines
(YAML, tracetool, editors: ``\\r\\n``, ``\\r``, ``\\n``).  A location is inside
the file if it is inside under either; columns count characters, which a
line's length in bytes bounds.
"""

from __future__ import annotations

from collections.abc import Iterable

from migspec.diagnostics import Diagnostic


def line_lengths(data: bytes) -> list[list[int]]:
    """Each line's length in bytes, under each numbering a reader may use."""
    lf = data.split(b"\n")
    universal = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n")
    return [[len(x) for x in lf], [len(x) for x in universal]]


def assert_located(diagnostics: Iterable[Diagnostic], files: dict[str, bytes]) -> None:
    """Every diagnostic naming a line of a file in ``files`` lies inside that file."""
    schemes_by_path = {p: line_lengths(d) for p, d in files.items()}
    for d in diagnostics:
        assert isinstance(d, Diagnostic), d
        loc = d.location
        assert loc.line >= 0 and loc.column >= 0, d
        if loc.line == 0:
            assert loc.column == 0, d
            continue
        schemes = schemes_by_path.get(loc.path)
        if schemes is None:
            continue  # a file not given (the bundled spec, one reported missing)
        assert any(
            loc.line <= len(lengths) and loc.column <= lengths[loc.line - 1] + 1
            for lengths in schemes
        ), f"{d.rule} at {loc} is outside the file ({d.message})"
