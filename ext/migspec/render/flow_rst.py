"""Flow drawings as QEMU draws them in rst literal blocks.

Inputs: a spec, one of its flows, a feature set and a style.  Outputs: the
literal block's lines (the indented lines after ``::``), from
``templates/flow.rst.j2``.  As in QEMU's files, a line's indentation *is* its
centring -- ``(notation.width - len) // 2`` spaces, the connector at
``notation.connector_column`` -- with no extra block indent on top; the
``::`` line and the blank lines around the block are the caller's.  A line
too long to centre starts one column in, so it cannot end the block.  *What*
is drawn -- which lines, which tuple, what is bracketed -- is the
expectation's (:func:`migspec.expect.flows.expect_flow`); the template
decides *how*: centring in ``notation.width`` columns, the connector line,
the tuple's punctuation.
"""

from __future__ import annotations

from ..expect.flows import FlowDrawing, expect_flow
from ..model import Flow, FlowStyle, Notation, Spec
from .env import render_template


def render_drawing(drawing: FlowDrawing, notation: Notation) -> str:
    """A drawing's literal block: every line indented as drawn, ``\\n``-terminated."""

    return render_template("flow.rst.j2", flow=drawing, notation=notation)


def render_flow_rst(
    spec: Spec,
    flow: Flow,
    *,
    features: frozenset[str] | None = None,
    style: FlowStyle | None = None,
) -> str:
    """The flow's literal block: every line indented as drawn, ``\\n``-terminated."""
    return render_drawing(expect_flow(spec, flow, features=features, style=style), spec.notation)
