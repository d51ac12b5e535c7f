"""trace-events lines from the spec's trace sections.

Inputs: a spec.  Outputs: ``# file.c`` section comments, each followed by its
events as :attr:`~migspec.model.TraceEvent.line` spells them, in the order
:func:`~migspec.expect.trace.expect_trace` keeps them; sections in spec
order, a blank line between them.  Layout: ``templates/trace-events.j2``.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..expect.trace import TraceSectionExpectation, expect_trace
from ..model import Spec
from .env import render_template


def render_trace_sections(sections: Sequence[TraceSectionExpectation]) -> str:
    """The given sections, as a trace-events file writes them."""

    return render_template("trace-events.j2", blocks=tuple(sections))


def render_trace_events(spec: Spec) -> str:
    return render_trace_sections(expect_trace(spec))
