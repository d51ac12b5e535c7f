"""Check stage: a spec and a real source tree in, disagreements out.

Inputs: a resolved :class:`~migspec.model.Spec`, a QEMU-layout source root and,
optionally, a kernel root.  Outputs: diagnostics located in the *source*
files (the spec's place rides along as a note), sorted.  The one entry point,
:func:`check_tree`, is shared by ``migspec check`` and the Sphinx extension.

What is compared, one module each: the enum, the to-string switch and the
predicates (:mod:`.code`); trace events (:mod:`.trace`); flow drawings in rst
(:mod:`.docs`); which callback requests which state (:mod:`.transitions`); the
kernel's tables (:mod:`.kernel`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..diagnostics import Diagnostic, Rule
from ..model import Spec
from ..source import RULES as SOURCE_RULES
from ..source.c import RULES as C_RULES
from . import code, docs, kernel, trace, transitions
from .context import FILE_MISSING, OUTSIDE_ROOT, Context, Tree

RULES: tuple[Rule[Any], ...] = (
    FILE_MISSING,
    OUTSIDE_ROOT,
    *SOURCE_RULES,
    *C_RULES,
    *code.RULES,
    *trace.RULES,
    *docs.RULES,
    *transitions.RULES,
    *kernel.RULES,
)


@dataclass(frozen=True, slots=True)
class CheckResult:
    diagnostics: list[Diagnostic]
    # Every file the check read (for dependency tracking), sorted.
    files: tuple[Path, ...]


def check_tree(
    spec: Spec,
    root: str | os.PathLike[str],
    kernel_root: str | os.PathLike[str] | None = None,
) -> list[Diagnostic]:
    """Every disagreement between ``spec`` and the tree at ``root`` (and the kernel tree).

    Pure apart from reading files: nothing is written, nothing is printed.
    Paths in diagnostics are ``root`` joined with the file's path in the tree.
    Rules the spec disables (``lint.disable``) are dropped.
    """
    return run_check(spec, root, kernel_root).diagnostics


def run_check(
    spec: Spec,
    root: str | os.PathLike[str],
    kernel_root: str | os.PathLike[str] | None = None,
) -> CheckResult:
    """:func:`check_tree`, also saying which files it read."""
    ctx = Context(
        spec=spec,
        tree=Tree.at(root),
        kernel=Tree.at(kernel_root) if kernel_root is not None else None,
    )
    code.check_enum(ctx, ctx.tree, spec.machine.header)
    code.check_to_string(ctx)
    code.check_predicates(ctx)
    trace.check_trace(ctx)
    docs.check_docs(ctx)
    transitions.check_transitions(ctx)
    kernel.check_kernel(ctx)
    unique = {(d.sort_key(), d.severity): d for d in ctx.diagnostics}
    diagnostics = sorted(
        (d for d in unique.values() if d.rule not in spec.disabled_rules),
        key=Diagnostic.sort_key,
    )
    return CheckResult(diagnostics, tuple(sorted(ctx.read)))
