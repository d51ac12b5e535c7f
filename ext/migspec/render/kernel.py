"""Kernel artefact: the tables inside the kernel's next-state lookup.

Inputs: what the kernel's tables must say
(:func:`migspec.expect.kernel.expect_kernel_tables`).  Output: C text,
kernel style, from ``templates/kernel-table.c.j2``: the arcs each kind of
driver implements and the combination transitions as a comment, then the
next-step table and the state-flags table, at the indentation they have
inside the lookup function.
"""

from __future__ import annotations

from ..expect.kernel import expect_kernel_tables
from ..model import Spec
from .env import render_template


def render_kernel_table(spec: Spec) -> str:
    """The kernel's two tables (and the comment above them) as C."""
    return render_template("kernel-table.c.j2", data=expect_kernel_tables(spec))
