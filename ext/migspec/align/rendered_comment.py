"""The state-machine comment the spec implies, rendered and read back: the
side every comparison of a header's comment is made against.

Input: a spec.  Output: :class:`Rendered`, the expectation
(:mod:`migspec.expect.fsm_comment`), the text its template renders
(:mod:`migspec.render.fsm_comment`) and that text read by the one reader
(:mod:`migspec.source.fsm_comment`), with the names a header's comment is
read under.  It is here, beside :mod:`migspec.align.fsm_comment`, because it
needs both a renderer and a reader (``render`` may not import ``source``)
and because only the comparison, in ``check`` and ``update``, uses it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..expect.fsm_comment import FsmCommentExpectation, expect_fsm_comment
from ..model import Spec
from ..render.fsm_comment import render_fsm_comment
from ..source.fsm_comment import FsmComment, bit_macros, enum_states, read_fsm_comment


@dataclass(frozen=True, slots=True, kw_only=True)
class Rendered:
    """The comment the spec implies: its expectation, its text and that text read back."""

    expected: FsmCommentExpectation
    text: str  # ``/*`` to `` */``, newline-terminated
    read: FsmComment
    states: tuple[str, ...]
    macros: dict[str, int]  # the spec's feature macros and their bits
    prefix: str  # of the enum's constants

    def read_header(self, text: str, path: str = "") -> FsmComment | None:
        """The comment above the enum in a header's ``text``, read as the spec's was.

        A list heading may name a feature macro the header does not define
        yet (a header from before the feature): the spec's macros count too.
        And the comment may name a state the spec no longer has, as long as
        the header's enum still does: its states count too.
        """
        names = dict.fromkeys((*self.states, *enum_states(text, self.expected.enum, self.prefix)))
        return read_fsm_comment(
            text,
            self.expected.enum,
            list(names),
            path=path,
            any_state=self.expected.any_state,
            feature_bits={**bit_macros(text), **self.macros},
        )


def rendered_comment(spec: Spec) -> Rendered:
    """The spec's comment, rendered by the template and read by the one reader."""
    expected = expect_fsm_comment(spec)
    text = render_fsm_comment(spec, expected)
    states = tuple(s.name for s in spec.states)
    macros = {f.macro: f.bit for f in spec.features}
    read = read_fsm_comment(
        f"{text}enum {expected.enum} {{",
        expected.enum,
        states,
        any_state=expected.any_state,
        feature_bits=macros,
    )
    assert read is not None, "the template writes a block comment"
    return Rendered(
        expected=expected,
        text=text,
        read=read,
        states=states,
        macros=macros,
        prefix=spec.machine.prefix,
    )
