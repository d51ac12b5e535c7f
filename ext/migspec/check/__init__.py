"""Check stage: a spec and a real source tree in, disagreements out.

Inputs: a resolved :class:`~migspec.model.Spec`, a QEMU-layout source root and,
optionally, a kernel root.  Outputs: diagnostics located in the *source*
files (the spec's place rides along as a note), sorted.  :func:`compare_tree`
runs a sequence of comparisons; which ones, for every region a spec owns,
is the artefact registry's to say (:func:`migspec.artefacts.run_check`),
and ``migspec check`` and the Sphinx extension both run it through
:func:`migspec.pipeline.check`.

What is compared, one module each: the enum, the to-string switch and the
predicates (:mod:`.code`); trace events (:mod:`.trace`); flow drawings in rst
(:mod:`.docs`); which callback requests which state (:mod:`.transitions`); the
kernel's tables (:mod:`.kernel`); the arcs the kernel's variant drivers
handle (:mod:`.drivers`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Rule
from ..model import Spec
from ..source import RULES as SOURCE_RULES
from ..source.c import RULES as C_RULES
from . import code, docs, drivers, kernel, trace, transitions
from .context import Context, Tree
from .drivers import DriverReport

RULES: tuple[Rule[Any], ...] = (
    *SOURCE_RULES,
    *C_RULES,
    *code.RULES,
    *trace.RULES,
    *docs.RULES,
    *transitions.RULES,
    *kernel.RULES,
    *drivers.RULES,
)


@dataclass(frozen=True, slots=True)
class CheckResult:
    diagnostics: list[Diagnostic]
    # Every file the check read (for dependency tracking), sorted.
    files: tuple[Path, ...]
    # The kernel's variant drivers, as the driver check found them.
    drivers: tuple[DriverReport, ...] = ()


# One comparison: reads what it needs through the context, reports there.
Comparison = Callable[[Context], None]


def compare_tree(
    spec: Spec,
    root: str | os.PathLike[str],
    kernel_root: str | os.PathLike[str] | None,
    comparisons: Sequence[Comparison],
) -> CheckResult:
    """Run ``comparisons`` over the tree at ``root`` (and the kernel tree).

    Pure apart from reading files: nothing is written, nothing is printed.
    Paths in diagnostics are ``root`` joined with the file's path in the tree.
    Rules the spec disables (``lint.disable``) are dropped.  The artefact
    registry (:func:`migspec.artefacts.check_tree`) passes one comparison per
    owned region, then :func:`.transitions.check_transitions`.
    """
    ctx = Context(
        spec=spec,
        tree=Tree.at(root),
        kernel=Tree.at(kernel_root) if kernel_root is not None else None,
    )
    for compare in comparisons:
        compare(ctx)
    unique = {(d.sort_key(), d.severity): d for d in ctx.diagnostics}
    diagnostics = sorted(
        (d for d in unique.values() if d.rule not in spec.disabled_rules),
        key=Diagnostic.sort_key,
    )
    return CheckResult(diagnostics, tuple(sorted(ctx.read)), tuple(ctx.drivers))
