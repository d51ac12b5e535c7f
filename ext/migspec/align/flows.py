"""Pairing a drawn flow's steps with the steps the spec expects.

Inputs: the expected reading of a flow (:mod:`migspec.expect.flows`) and the
steps the rst reader found in a drawing (:mod:`migspec.source.rst`).
Output: the pairs, in order, that make the two most alike, a step on either
side left unpaired where nothing drawn resembles it.  ``check`` compares the
pairs (:mod:`migspec.check.docs`) and ``update`` rewrites them
(:mod:`migspec.update.flows`): one pairing, so that what check calls a
changed step is what update rewrites in place.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence

from ..expect.flows import ExpectedStep
from ..source.rst import DocStep, LineRole

# Steps are paired when they are at least this alike (0..1, see _similarity).
_PAIR_THRESHOLD = 0.3


def meaning(text: str) -> str:
    """What a drawn line says: its words, whatever the spacing (drawings are centred by hand)."""
    return " ".join(text.split())


_WORD = re.compile(r"\S+")


def _doc_tuple_members(step: DocStep) -> tuple[str, str, str] | None:
    tuples = step.tuples
    if not tuples or tuples[0].tuple is None:
        return None
    return tuples[0].tuple.members


def _similarity(exp: ExpectedStep, step: DocStep) -> float:
    members = _doc_tuple_members(step)
    tuple_score = (
        sum(meaning(a) == meaning(b) for a, b in zip(exp.members, members, strict=True)) / 3
        if members
        else 0.0
    )
    want = _WORD.findall(" ".join(exp.before + exp.after).lower())
    have = _WORD.findall(
        " ".join(line.text for line in step.lines if line.role is LineRole.TEXT).lower()
    )
    text_score = 1.0 if not want and not have else difflib.SequenceMatcher(None, want, have).ratio()
    return (tuple_score + text_score) / 2


def align(
    expected: Sequence[ExpectedStep], drawn: Sequence[DocStep]
) -> list[tuple[int | None, int | None]]:
    """Pair spec steps with drawn steps in order, maximising total likeness."""
    n, m = len(expected), len(drawn)
    sim = [[_similarity(e, d) for d in drawn] for e in expected]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            options = [best[i + 1][j], best[i][j + 1]]
            if sim[i][j] >= _PAIR_THRESHOLD:
                options.append(best[i + 1][j + 1] + sim[i][j])
            best[i][j] = max(options)
    pairs: list[tuple[int | None, int | None]] = []
    i = j = 0
    while i < n or j < m:
        if (
            i < n
            and j < m
            and sim[i][j] >= _PAIR_THRESHOLD
            and best[i][j] == best[i + 1][j + 1] + sim[i][j]
        ):
            pairs.append((i, j))
            i += 1
            j += 1
        elif i < n and (j >= m or best[i][j] == best[i + 1][j]):
            pairs.append((i, None))
            i += 1
        else:
            pairs.append((None, j))
            j += 1
    return pairs
