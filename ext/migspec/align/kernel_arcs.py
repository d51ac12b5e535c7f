"""The lists of the kernel's arcs comment paired with the lists the spec expects.

Inputs: the expected lists (:class:`~migspec.expect.kernel.ArcList`) and
the lists :func:`migspec.source.kernel_arcs.read_arcs_comment` found.  Output:
each expected list with the comment's list it was paired with, what that
list lacks and what it has beyond; and the comment's lists no expected list
took.  Which list is which is decided from the arcs themselves, not from the
headings' words -- the same pairing for ``check`` (what to report,
:mod:`migspec.check.kernel`) and ``update`` (what to edit,
:mod:`migspec.update.kernel_tables`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..expect.kernel import ArcList
from ..source.kernel_arcs import ArcBlock, CommentArc


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcPairing:
    """One expected list and the list of the comment it was paired with (or None)."""

    expected: ArcList
    index: int  # its place among the expectation's lists
    block: ArcBlock | None
    missing: tuple[tuple[str, str], ...]  # in the expectation's order
    extra: tuple[CommentArc, ...]
    # Optional features the paired list's heading ought to name and does not
    # (:func:`unnamed_features`); empty when it names what it should.
    unnamed: tuple[str, ...] = ()


def pair_arc_lists(
    expected: Sequence[ArcList], blocks: Sequence[ArcBlock], optional: Sequence[str] = ()
) -> tuple[list[ArcPairing], list[ArcBlock]]:
    """Pair each expected list with the comment's list that shares most of its arcs.

    Equal lists pair first, then by the most arcs shared; a list shares none
    with any left: missing.  Returns the pairings (in the expectation's order)
    and the comment's lists no expected list took (extra).  ``optional``: the
    spec's optional features, whose names a paired list's heading is held to
    (:func:`unnamed_features`).
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
                unnamed=(
                    unnamed_features(block.heading_text, want.features, optional)
                    if block is not None and block.heading is not None
                    else ()
                ),
            )
        )
    return pairings, [b for j, b in enumerate(blocks) if j not in used]


def unnamed_features(
    heading: str, features: Sequence[str] | None, optional: Sequence[str]
) -> tuple[str, ...]:
    """The optional features a list's heading ought to name and does not.

    Only the list of drivers with no optional feature is held to names: its
    heading names every optional feature, as what its drivers lack
    (``Without P2P and precopy ...``), or none (``With neither ...``, ``A
    driver with no optional feature ...``).  One that names some of them was
    written before the others existed (``Without P2P`` once PRE_COPY does)
    and is now wrong for the drivers that have only those.  The other lists
    keep their meaning when a feature is added (the P2P arcs stay the P2P
    arcs), and their words may refer back ("with both, these"), so they are
    not read.  A name counts wherever it appears, case, blanks, ``_`` and
    ``-`` aside (``PRE_COPY``, ``pre-copy``, ``precopy``).
    """
    if features is None or features:
        return ()
    text = _squash(heading)
    named = {f for f in optional if _squash(f) in text}
    if not named:
        return ()
    return tuple(f for f in optional if f not in named)


def _squash(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())
