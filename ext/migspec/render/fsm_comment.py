"""Kernel artefact: the state-machine comment above the uAPI state enum.

Input: what the comment must say
(:func:`migspec.expect.fsm_comment.expect_fsm_comment`).  Output: the block
comment, from ``templates/fsm-comment.c.j2``, in the kernel's layout.
"""

from __future__ import annotations

from ..expect.fsm_comment import FsmCommentExpectation, expect_fsm_comment
from ..model import Spec
from .env import render_template


def render_fsm_comment(spec: Spec, data: FsmCommentExpectation | None = None) -> str:
    """The comment, ``/*`` to `` */``, with a final newline."""
    expected = expect_fsm_comment(spec) if data is None else data
    return render_template("fsm-comment.c.j2", data=expected)
