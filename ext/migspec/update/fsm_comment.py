"""Rewrite the state-machine comment above the uAPI enum, minimally.

Inputs: the header's text, the comment the spec implies
(:func:`migspec.align.rendered_comment.rendered_comment`) and the
differences :func:`migspec.align.fsm_comment.align` finds.  Output:
line edits that mend exactly those differences, copying every inserted line
from the rendered comment (the template is the one layout): a missing arc
goes into the paragraph that lists the arcs it is grouped with (or, with its
paragraph, after the paragraph before it), a state under the wrong flags
moves to its list, a missing path rule or removal sentence is added, one
the spec lacks is removed and one that says otherwise is replaced.  The
kernel's own paragraphs are kept wherever their arcs agree, so the patch
shows only what changed in meaning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..align.fsm_comment import (
    ArcExtra,
    ArcMissing,
    RuleDiffers,
    RuleExtra,
    RuleMissing,
    StateExtra,
    StateMisplaced,
    align,
    removal_sentences,
    rule_end,
)
from ..align.rendered_comment import Rendered
from ..diagnostics import Diagnostic
from ..source.fsm_comment import CommentWords
from .regions import LineEdit


def comment_edits(
    rendered: Rendered,
    text: str,
    lines: Sequence[str],
    newline: str,
) -> tuple[list[LineEdit], list[Diagnostic]]:
    """The edits that make the comment above the enum say what ``rendered`` says."""
    expected = rendered.expected
    words = CommentWords.of(expected)
    read = rendered.read_header(text)
    shown = rendered.text.split("\n")

    def copy(first: int, last: int) -> tuple[str, ...]:
        """Rendered lines ``first..last`` (1-based, inclusive), with the file's newline."""
        return tuple(line + newline for line in shown[first - 1 : last])

    blank = (" *" + newline,)
    if read is None:
        at = _enum_line(lines, expected.enum)
        if at is None:
            return [], []  # no enum: check_enum reports it
        return [LineEdit(at, at, copy(1, len(shown) - 1))], []

    edits: list[LineEdit] = []
    differences = align(read, rendered.read, expected, words)

    # -- states ---------------------------------------------------------------------------
    new_lists: dict[tuple[str, ...], list[str]] = {}
    for d in differences:
        if not isinstance(d, StateMisplaced):
            continue
        if d.entry is not None:
            edits.append(LineEdit(d.entry.line - 1, d.entry.last_line, ()))
        entry = next(
            (e for sl in rendered.read.state_lists for e in sl.entries if e.name == d.name), None
        )
        if entry is None:  # a list without feature macros: not one the layout can hold
            continue
        into = next((sl for sl in read.state_lists if set(sl.macros) == set(d.wanted)), None)
        if into is not None:
            edits.append(
                LineEdit(into.last_line, into.last_line, copy(entry.line, entry.last_line))
            )
        else:
            new_lists.setdefault(d.wanted, []).append(d.name)
    if new_lists:
        at = read.state_lists[-1].last_line if read.state_lists else read.line
        for sl in rendered.read.state_lists:
            if sl.macros in new_lists:
                edits.append(LineEdit(at, at, copy(sl.line, sl.last_line)))

    extra: dict[int, list[StateExtra]] = {}
    for d in differences:
        if isinstance(d, StateExtra):
            extra.setdefault(d.list.line, []).append(d)
    for sl in read.state_lists:
        going = extra.get(sl.line, [])
        moving = {d.entry.line for d in differences if isinstance(d, StateMisplaced) and d.entry}
        if (
            going
            and len(going) + len([e for e in sl.entries if e.line in moving]) == len(sl.entries)
            and not any(
                set(sl.macros) == set(d.wanted)
                for d in differences
                if isinstance(d, StateMisplaced)
            )
        ):
            edits.append(LineEdit(sl.line - 1, sl.line, ()))  # the heading of an emptied list
        edits.extend(LineEdit(d.entry.line - 1, d.entry.last_line, ()) for d in going)

    # -- arcs --------------------------------------------------------------------------------
    gone = {(d.paragraph.line, d.line) for d in differences if isinstance(d, ArcExtra)}
    receiving = {d.into.line for d in differences if isinstance(d, ArcMissing) and d.into}
    for p in read.paragraphs:
        mine = [a for a in p.arcs if (p.line, a.line) in gone]
        if not mine:
            continue
        if len(mine) == len(p.arcs) and p.line not in receiving:
            start = p.line - 1
            if start > read.line and not read.text_at(p.line - 1).strip():
                start -= 1  # the blank line before it
            edits.append(LineEdit(start, p.last_line, ()))
        else:
            edits.extend(LineEdit(a.line - 1, a.line, ()) for a in mine)
    new_paragraphs: dict[int, ArcMissing] = {}
    for d in differences:
        if not isinstance(d, ArcMissing):
            continue
        rp = rendered.read.paragraphs[d.paragraph]
        if d.into is None:
            new_paragraphs.setdefault(d.paragraph, d)
            continue
        line = next(a.line for a in rp.arcs if (a.source, a.target) == d.pair)
        order = [(a.source, a.target) for a in rp.arcs]
        later = order[order.index(d.pair) + 1 :]
        before = next((a.line for a in d.into.arcs if (a.source, a.target) in later), None)
        at = before - 1 if before is not None else d.into.arcs[-1].line
        edits.append(LineEdit(at, at, copy(line, line)))
    for index, d in sorted(new_paragraphs.items()):
        rp = rendered.read.paragraphs[index]
        block = copy(rp.line, rp.last_line)
        if d.after is not None:
            edits.append(LineEdit(d.after.last_line, d.after.last_line, blank + block))
        elif read.paragraphs:
            at = read.paragraphs[0].line - 1
            edits.append(LineEdit(at, at, block + blank))
        else:
            at = read.last_line - 1
            edits.append(LineEdit(at, at, blank + block))

    # -- path rules, removals -------------------------------------------------------------------
    shown_removals = removal_sentences(rendered.read, words)
    for d in differences:
        if isinstance(d, RuleExtra):
            start = d.first - 1
            if d.what == "removal" and start > read.line and not read.text_at(d.first - 1).strip():
                start -= 1  # the blank line before it
            edits.append(LineEdit(start, d.last, ()))
            continue
        if isinstance(d, RuleDiffers):
            if d.what == "path rule":
                first = rendered.read.path_rules[d.index][1]
                last = rule_end(rendered.read, first)
            else:
                first, last, _ = shown_removals[expected.removed[d.index][0]]
            edits.append(LineEdit(d.first - 1, d.last, copy(first, last)))
            continue
        if not isinstance(d, RuleMissing):
            continue
        if d.what == "path rule":
            start = rendered.read.path_rules[d.index][1]
            block = copy(start, rule_end(rendered.read, start))
            if read.path_rules:
                at = rule_end(read, read.path_rules[-1][1])
                edits.append(LineEdit(at, at, block))
                continue
            block = blank + block
        else:
            first, last, _ = shown_removals[expected.removed[d.index][0]]
            block = blank + copy(first, last)
        at = read.last_line - 1
        edits.append(LineEdit(at, at, block))
    return edits, []


def _enum_line(lines: Sequence[str], enum: str) -> int | None:
    pattern = re.compile(rf"\benum\s+{re.escape(enum)}\s*\{{")
    return next((i for i, line in enumerate(lines) if pattern.search(line)), None)
