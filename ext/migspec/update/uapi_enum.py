"""Add the states a kernel's uAPI enum lacks, one rendered line each.

Inputs: the enum as :func:`migspec.source.c.read_enum` reads it from the
kernel's header, and the enum the spec implies, rendered by
``templates/c-enum.h.j2``.  Output: line edits that insert each missing
constant after the constant of the next lower value (so the enum stays in
value order and a count sentinel such as ``..._NR`` stays last).

Only additions are made.  The enum is user-space ABI: a constant the spec
lacks, or one whose value differs, is never removed or renumbered by a
tool; that is reported (``update-by-hand``) for a person to decide.  The
QEMU tree's copy of the header is imported by QEMU's own script and is
never rewritten (its region has no rewrite).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Location
from ..expect.code import Constant
from ..source.c.facts import EnumRead
from .regions import BY_HAND, REGION_FORM, REGION_MISSING, LineEdit


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedEnum:
    """The enum the spec implies: its constants and each one's rendered line."""

    file: str
    enum: str
    constants: tuple[Constant, ...]
    lines: dict[str, str]  # constant name -> its line as the template writes it (no newline)
    sentinels: tuple[str, ...]


def rendered_lines(text: str, constants: Sequence[Constant]) -> dict[str, str]:
    """Each constant's line in the rendered enum ``text``."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        name = line.strip().split(" ", 1)[0].rstrip(",")
        if any(c.name == name for c in constants):
            out[name] = line
    return out


def enum_edits(
    rendered: RenderedEnum,
    read: EnumRead | None,
    lines: Sequence[str],
    newline: str,
    display: str,
) -> tuple[list[LineEdit], list[Diagnostic]]:
    if read is None:
        return [], [
            REGION_MISSING.diagnostic(
                f"no definition of enum {rendered.enum} here; left as it is", Location(display)
            )
        ]
    if read.ambiguities:
        first = read.ambiguities[0]
        return [], [
            REGION_FORM.diagnostic(
                f"{first.message}; update does not guess which branch the compiler takes",
                first.location,
            )
        ]
    by_name = {c.name: c for c in read.constants}
    wanted = {c.name for c in rendered.constants}
    by_hand = [
        BY_HAND.diagnostic(
            f"enum {rendered.enum} has {c.name}, which the spec lacks; update never removes "
            "a uAPI constant: edit it by hand if it is really to go",
            c.location,
        )
        for c in read.constants
        if c.name not in wanted
    ]
    by_hand.extend(
        BY_HAND.diagnostic(
            f"{want.name} is {by_name[want.name].value} here, {want.state.value} in the spec; "
            "update never renumbers a uAPI constant: edit it by hand",
            by_name[want.name].location,
        )
        for want in rendered.constants
        if want.name in by_name and by_name[want.name].value != want.state.value
    )
    missing = [c for c in rendered.constants if c.name not in by_name]
    if not missing:
        return [], by_hand
    present = sorted(
        (c for c in read.constants if c.value is not None), key=lambda c: (c.value, c.location.line)
    )
    if not present:
        return [], [
            REGION_FORM.diagnostic(
                f"enum {rendered.enum} has no constant of a known value to add after; "
                "left as it is",
                read.location,
            ),
            *by_hand,
        ]
    inserts: dict[int, list[str]] = {}
    for want in missing:
        before = [c for c in present if c.value is not None and c.value < want.state.value]
        anchor = before[-1] if before else present[0]
        index = anchor.location.line - 1
        text = lines[index].rstrip("\r\n")
        if not text.rstrip().endswith(",") or text.count("=") > 1:
            return [], [
                REGION_FORM.diagnostic(
                    f"{anchor.name} does not end its own line with a comma; update adds "
                    "constants only after one that does; left as it is",
                    anchor.location,
                ),
                *by_hand,
            ]
        where = index + 1 if before else index
        inserts.setdefault(where, []).append(rendered.lines[want.name] + newline)
    edits = [LineEdit(at, at, tuple(new)) for at, new in sorted(inserts.items())]
    return edits, by_hand
