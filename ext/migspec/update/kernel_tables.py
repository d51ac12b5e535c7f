"""Rewrite the kernel's next-state and state-flags tables, entry by entry.

Inputs: the file's tables as :func:`migspec.source.kernel.read_kernel_tables`
reads them (with the lines each row, cell and flags entry spans), and the
tables the spec implies, rendered by ``templates/kernel-table.c.j2`` and read
back by the same reader.  Output: line edits: an entry whose value differs is
replaced by the rendered entry, a missing one is inserted after the entry
before it in the spec's order, an extra one is removed, and the
``NUM_STATES`` bound follows the last state.  An entry that agrees keeps its
bytes, however it is wrapped, so the patch shows only what changed.

The comment above the tables is edited the same way where it lists the arcs
each kind of driver implements (:func:`arcs_comment_edits`, the lists paired
with the spec's by :func:`migspec.align.kernel_arcs.pair_arc_lists`): a
missing arc line or list is inserted, an extra one removed, every line that
agrees, and every heading's words, kept.  The rest of the comment and the
lookup's loop are left to people (``check`` compares the loop).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..align.kernel_arcs import pair_arc_lists
from ..diagnostics import Diagnostic, Location
from ..expect.kernel import KernelTablesExpectation
from ..source.kernel import KernelRead
from ..source.kernel_arcs import read_arcs_comment
from .regions import BY_HAND, REGION_FORM, REGION_MISSING, LineEdit


@dataclass(frozen=True, slots=True, kw_only=True)
class RenderedTables:
    """The tables the spec implies: the expectation, the rendered text and its reading."""

    expected: KernelTablesExpectation
    file: str
    function: str
    text: str
    read: KernelRead


def table_edits(
    rendered: RenderedTables, parsed: KernelRead, lines: Sequence[str], newline: str, display: str
) -> tuple[list[LineEdit], list[Diagnostic]]:
    data = rendered.expected
    got = rendered.read
    shown = rendered.text.split("\n")
    missing = [
        name
        for name, found in (
            (f"function {rendered.function}", parsed.function),
            (f"table {data.next_table}", parsed.next_span),
            (f"table {data.flags_table}", parsed.flags_span),
        )
        if found is None
    ]
    if missing:
        return [], [
            REGION_MISSING.diagnostic(
                f"no {', '.join(missing)} here; left as it is", Location(display)
            )
        ]

    shared = _shared_line(parsed)
    if shared is not None:
        return [], [
            REGION_FORM.diagnostic(
                f"line {shared}: table entries share a line (or a brace's line), which "
                "update rewrites only one entry a line; left as it is",
                Location(display, shared, 1),
            )
        ]

    def copy(span: tuple[int, int]) -> tuple[str, ...]:
        return tuple(line + newline for line in shown[span[0] - 1 : span[1]])

    edits: list[LineEdit] = []
    assert parsed.next_span is not None and parsed.flags_span is not None

    def entries(
        order: list[str],
        have: dict[str, tuple[int, int]],
        want: dict[str, tuple[int, int]],
        agrees: Callable[[str], bool],
        after_first: int,
    ) -> list[str]:
        """Edit one list of entries; return the keys present on both sides."""
        both = []
        previous = after_first
        for key in order:
            if key in have:
                if not agrees(key):
                    start, end = have[key]
                    edits.append(LineEdit(start - 1, end, copy(want[key])))
                both.append(key)
                previous = have[key][1]
            else:
                edits.append(LineEdit(previous, previous, copy(want[key])))
        for key, (start, end) in have.items():
            if key not in want:
                edits.append(LineEdit(start - 1, end, ()))
        return both

    # -- the next-state table: rows, then the cells of the rows both have -----------------
    rows = [r.constant for r in data.rows]
    kept_rows = entries(
        rows,
        dict(parsed.row_lines),
        dict(got.row_lines),
        lambda key: True,  # a row's cells are compared below
        parsed.next_span[0],
    )
    for row in kept_rows:
        have = {to: span for (r, to), span in parsed.cell_lines.items() if r == row}
        want = {to: span for (r, to), span in got.cell_lines.items() if r == row}
        order = [to for to, _ in next(r for r in data.rows if r.constant == row).cells]

        def same(to: str, row: str = row) -> bool:
            mine, theirs = parsed.next_table.get((row, to)), got.next_table.get((row, to))
            return mine is not None and theirs is not None and mine.name == theirs.name

        entries(order, have, want, same, parsed.row_lines[row][0])

    # -- the flags table ------------------------------------------------------------------------
    def same_flags(key: str) -> bool:
        mine, theirs = parsed.flags_table.get(key), got.flags_table.get(key)
        return (
            mine is not None
            and theirs is not None
            and (mine.all_bits, mine.macros) == (theirs.all_bits, theirs.macros)
        )

    entries(
        [f.constant for f in data.flags],
        dict(parsed.flags_lines),
        dict(got.flags_lines),
        same_flags,
        parsed.flags_span[0],
    )

    # -- the bound of both tables (read where the expectation names it) ---------------------------
    if parsed.bound is not None and parsed.bound.name != data.last_state:
        i, start = parsed.bound.location.line - 1, parsed.bound.location.column - 1
        end = start + len(parsed.bound.name)
        if lines[i][start:end] == parsed.bound.name:
            edits.append(LineEdit(i, i + 1, (lines[i][:start] + data.last_state + lines[i][end:],)))
    return edits, []


def _shared_line(parsed: KernelRead) -> int | None:
    """A line two entries (or an entry and its list's braces) share; None: one entry a line."""
    groups: list[tuple[tuple[int, int], list[tuple[int, int]]]] = []
    if parsed.next_span is not None:
        groups.append((parsed.next_span, list(parsed.row_lines.values())))
    for row, span in parsed.row_lines.items():
        groups.append((span, [s for (r, _), s in parsed.cell_lines.items() if r == row]))
    if parsed.flags_span is not None:
        groups.append((parsed.flags_span, list(parsed.flags_lines.values())))
    for (first, last), spans in groups:
        taken = {first, last}
        for start, end in sorted(spans):
            lines = set(range(start, end + 1))
            if lines & taken:
                return min(lines & taken)
            taken |= lines
    return None


def arcs_comment_edits(
    rendered: RenderedTables, parsed: KernelRead, lines: Sequence[str], newline: str, display: str
) -> tuple[list[LineEdit], list[Diagnostic]]:
    """Line edits making the arcs comment's lists the spec's; a by-hand note without a comment."""
    if parsed.next_span is None or rendered.read.next_span is None:
        return [], []
    shown = rendered.text.split("\n")
    theirs = read_arcs_comment(shown, rendered.read.next_span[0])
    assert theirs is not None, "the template draws the arcs comment above the table"
    mine = read_arcs_comment(lines, parsed.next_span[0])
    if mine is None:
        return [], [
            BY_HAND.diagnostic(
                f"no comment above {rendered.expected.next_table} lists the FSM arcs; "
                "update edits the lists of one, it does not write the comment: add it by hand",
                Location(display, parsed.next_span[0], 1),
            )
        ]
    expected = rendered.expected.arc_lists
    drawn, _ = pair_arc_lists(expected, theirs.blocks)
    pairings, extra_blocks = pair_arc_lists(expected, mine.blocks, rendered.expected.optional)

    def copy(first: int, last: int) -> tuple[str, ...]:
        return tuple(line + newline for line in shown[first - 1 : last])

    def blank(line: int) -> bool:
        return 1 <= line <= len(shown) and shown[line - 1].strip() == "*"

    edits: list[LineEdit] = []
    previous: int | None = None  # the last line of the list before, as the file will have it
    for pairing, model in zip(pairings, drawn, strict=True):
        source = model.block
        assert source is not None, "the template draws every list"
        where = {(a.source, a.target): a.line for a in source.arcs}
        block = pairing.block
        if block is None:
            chunk = copy(source.line, source.last_line)
            if previous is None:
                after = copy(source.last_line + 1, source.last_line + 1)
                at = mine.line  # right after the ``/*`` line
                edits.append(
                    LineEdit(at, at, chunk + (after if blank(source.last_line + 1) else ()))
                )
            else:
                before = copy(source.line - 1, source.line - 1) if blank(source.line - 1) else ()
                edits.append(LineEdit(previous, previous, before + chunk))
            continue
        have = {(a.source, a.target): a.line for a in block.arcs}
        if pairing.unnamed and block.heading is not None and source.heading is not None:
            # Words written before a feature existed ("Without P2P" once PRE_COPY
            # does): the heading becomes the template's for that list.
            first, last = block.heading
            edits.append(LineEdit(first - 1, last, copy(*source.heading)))
        anchor = block.heading[1] if block.heading is not None else block.arcs[0].line - 1
        for arc in pairing.expected.arcs:
            if arc in have:
                anchor = have[arc]
            else:
                edits.append(LineEdit(anchor, anchor, copy(where[arc], where[arc])))
        for extra in pairing.extra:
            edits.append(LineEdit(extra.line - 1, extra.line, ()))
        previous = block.last_line
    for block in extra_blocks:
        first = block.line
        if first - 1 > mine.line and lines[first - 2].strip() == "*":
            first -= 1
        edits.append(LineEdit(first - 1, block.last_line, ()))
    return edits, []
