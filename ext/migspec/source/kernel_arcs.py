"""The arcs comment above the kernel's next-state table, read by its layout, located.

Inputs: the lines of the C file (or of the rendered ``kernel-table.c.j2``)
and the line where the next-state table starts.  Output: :class:`ArcsComment`, or ``None``
when no block comment sits right above the table.

Layout, not words: a *list* is a run of lines ``A -> B`` (two names, nothing
else; a name the spec does not have makes an arc it does not imply) and its *heading* the comment lines right above the run, up to
a blank comment line or the previous list.  The lists end at the first line
naming a path of three or more states (the combination transitions that
follow them in the kernel and in the template).  Which list is which is
not the reader's business: :func:`migspec.align.kernel_arcs.pair_arc_lists`
decides it from the arcs themselves.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

_ARC = re.compile(r"^\s*\*\s+([A-Za-z_]\w*) -> ([A-Za-z_]\w*)\s*$")
_BLANK = re.compile(r"^\s*\*\s*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentArc:
    source: str
    target: str
    line: int  # 1-based


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcBlock:
    """One list: its heading's lines (first, last; None: none), their words
    (the comment's ``*`` and the line breaks taken out) and its arcs."""

    heading: tuple[int, int] | None
    arcs: tuple[CommentArc, ...]
    heading_text: str = ""

    @property
    def line(self) -> int:
        return self.heading[0] if self.heading is not None else self.arcs[0].line

    @property
    def last_line(self) -> int:
        return self.arcs[-1].line

    @property
    def pairs(self) -> frozenset[tuple[str, str]]:
        return frozenset((a.source, a.target) for a in self.arcs)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcsComment:
    line: int  # the ``/*`` line
    last_line: int  # the ``*/`` line
    blocks: tuple[ArcBlock, ...]


def read_arcs_comment(lines: Sequence[str], table_line: int) -> ArcsComment | None:
    """The block comment ending right above line ``table_line`` (1-based), and its lists."""
    i = table_line - 2  # 0-based index of the line above the table
    while i >= 0 and not lines[i].strip():
        i -= 1
    if i < 0 or not lines[i].rstrip().endswith("*/"):
        return None
    end = i
    while i >= 0 and "/*" not in lines[i]:
        i -= 1
    if i < 0:
        return None
    start = i
    blocks: list[ArcBlock] = []
    run: list[CommentArc] = []
    heading: tuple[int, int] | None = None
    prose_from: int | None = None  # first line of the prose run above the current line

    def close() -> None:
        nonlocal run
        if run:
            words = ""
            if heading is not None:
                words = " ".join(
                    lines[k].strip().lstrip("*").strip() for k in range(heading[0] - 1, heading[1])
                )
            blocks.append(ArcBlock(heading=heading, arcs=tuple(run), heading_text=words))
            run = []

    for k in range(start + 1, end):
        text = lines[k]
        at = k + 1
        m = _ARC.match(text)
        if m:
            if not run:
                heading = (prose_from, at - 1) if prose_from is not None else None
            run.append(CommentArc(source=m.group(1), target=m.group(2), line=at))
            prose_from = None
            continue
        close()
        if text.count("->") > 1:
            break  # the combination transitions: the lists are over
        if _BLANK.match(text):
            prose_from = None
        elif prose_from is None:
            prose_from = at
    close()
    return ArcsComment(line=start + 1, last_line=end + 1, blocks=tuple(blocks))
