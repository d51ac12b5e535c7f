"""The arcs comment above the kernel's next-state table, read by its layout, located.

Inputs: the lines of the C file (or of the rendered ``kernel-table.c.j2``)
and the line where the next-state table starts.  Output: :class:`ArcsComment`, or ``None``
when no block comment sits right above the table.

Layout, not words: a *list* is a run of lines ``A -> B`` (two names, nothing
else; a name the spec does not have makes an arc it does not imply) and its *heading* the comment lines right above the run, up to
a blank comment line or the previous list.  The lists end at the first line
naming a path of three or more states (the combination transitions that
follow them in the kernel and in the template).  Which list is which is
decided by :func:`pair_arc_lists` from the arcs themselves, against the
expectation's :class:`~migspec.expect.kernel.ArcList` -- the same pairing for
``check`` (what to report) and ``update`` (what to edit).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..expect.kernel import ArcList

_ARC = re.compile(r"^\s*\*\s+([A-Za-z_]\w*) -> ([A-Za-z_]\w*)\s*$")
_BLANK = re.compile(r"^\s*\*\s*$")


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentArc:
    source: str
    target: str
    line: int  # 1-based


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcBlock:
    """One list: its heading's lines (first, last; None: none) and its arcs."""

    heading: tuple[int, int] | None
    arcs: tuple[CommentArc, ...]

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
            blocks.append(ArcBlock(heading=heading, arcs=tuple(run)))
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


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcPairing:
    """One expected list and the list of the comment it was paired with (or None)."""

    expected: ArcList
    index: int  # its place among the expectation's lists
    block: ArcBlock | None
    missing: tuple[tuple[str, str], ...]  # in the expectation's order
    extra: tuple[CommentArc, ...]


def pair_arc_lists(
    expected: Sequence[ArcList], blocks: Sequence[ArcBlock]
) -> tuple[list[ArcPairing], list[ArcBlock]]:
    """Pair each expected list with the comment's list that shares most of its arcs.

    Equal lists pair first, then by the most arcs shared; a list shares none
    with any left: missing.  Returns the pairings (in the expectation's order)
    and the comment's lists no expected list took (extra).
    """
    candidates = []
    for i, want in enumerate(expected):
        wanted = frozenset(want.arcs)
        for j, found in enumerate(blocks):
            shared = len(wanted & found.pairs)
            if shared:
                candidates.append((wanted != found.pairs, -shared, i, j))
    taken: dict[int, int] = {}
    used: set[int] = set()
    for _, _, i, j in sorted(candidates):
        if i not in taken and j not in used:
            taken[i] = j
            used.add(j)
    pairings = []
    for i, want in enumerate(expected):
        block = blocks[taken[i]] if i in taken else None
        have = block.pairs if block is not None else frozenset()
        pairings.append(
            ArcPairing(
                expected=want,
                index=i,
                block=block,
                missing=tuple(a for a in want.arcs if a not in have),
                extra=tuple(
                    a
                    for a in (block.arcs if block is not None else ())
                    if (a.source, a.target) not in want.arcs
                ),
            )
        )
    return pairings, [b for j, b in enumerate(blocks) if j not in used]
