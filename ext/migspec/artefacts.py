"""The artefact registry: every artefact migspec makes, and the tree regions it owns.

Inputs: a spec (and, for ``check``/``update``, source trees).  Outputs: one
sequence of :class:`Artefact` records, in the order every front end lists
them, and the drivers that iterate it: :func:`check_tree` / :func:`run_check`
(each owned region's comparison, then the callbacks' transitions) and
:func:`plan_update` (each rewritable region).  ``migspec render`` takes its
artefact names from here, ``generate`` (:mod:`migspec.generate`) its listings,
review (:mod:`migspec.review`) the artefacts it compares as text.

A record says how the artefact renders (a pure renderer of
:mod:`migspec.render` over the expectations of :mod:`migspec.expect`), which
specs it applies to, and, for an artefact a source tree holds, its
:class:`Region`: the comparison ``check`` runs, the check rules its
disagreements carry, and how ``update`` rewrites it (``None``: update leaves
it to people).  Adding an artefact means one record here and one template.

This module sits above render, check and update (it imports all three) and
below the front ends.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from .check import CheckResult, Comparison, compare_tree
from .check import code as check_code
from .check import docs as check_docs
from .check import drivers as check_drivers
from .check import kernel as check_kernel
from .check import trace as check_trace
from .check import transitions as check_transitions
from .diagnostics import Diagnostic, Rule
from .model import Flow, FlowStyle, Spec
from .render.c import render_c_enum, render_predicates, render_to_str
from .render.dot import render_flow_dot, render_fsm_dot, render_svg
from .render.flow_rst import render_flow_rst
from .render.kernel import render_kernel_table
from .render.trace import render_trace_events
from .source import RULES as SOURCE_RULES
from .source.c import RULES as C_RULES
from .update import FLOW_DRAWINGS, PREDICATES, TO_STRING, TRACE_SECTIONS, Rewrite, UpdatePlan
from .update import plan_update as plan_rewrites


@dataclass(frozen=True, slots=True, kw_only=True)
class Choice:
    """What one rendering is of: a flow, a device kind, a style, refused pairs shown."""

    flow: Flow | None = None
    features: frozenset[str] | None = None  # None: the artefact's default
    style: FlowStyle | None = None
    show_refused: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Region:
    """Where a source tree holds an artefact, and how it is compared and rewritten."""

    compare: Comparison
    # The check rules of this region's disagreements (the reader's and the
    # file's own problems included: an unreadable region disagrees too).
    rules: frozenset[str]
    rewrite: Rewrite | None = None
    # The tree the region is in: the QEMU tree (--source-root) or the kernel's
    # (--kernel-root); a check runs the regions of the trees it was given.
    tree: Literal["source", "kernel"] = "source"


def _always(spec: Spec) -> str | None:
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Artefact:
    """One artefact: its name, how it renders, which specs it applies to, its region."""

    name: str
    title: Callable[[Spec], str]
    render: Callable[[Spec, Choice], str]
    # None when the artefact applies to the spec; otherwise why it does not.
    unavailable: Callable[[Spec], str | None] = _always
    # It draws one flow (``Choice.flow``); it is an SVG drawing (needs Graphviz).
    per_flow: bool = False
    svg: bool = False
    # Where ``generate`` writes its one listing (None: the site lays it out
    # per flow or device kind, or not at all), and whether review compares it as text.
    listing: Callable[[Spec], str] | None = None
    # Which part of the generated page shows that listing.
    page_section: str = "code"
    reviewed: bool = False
    region: Region | None = field(default=None)


# -- how each artefact renders ---------------------------------------------------------


def _flow_rst(spec: Spec, choice: Choice) -> str:
    assert choice.flow is not None
    return render_flow_rst(spec, choice.flow, features=choice.features, style=choice.style)


def _trace_events(spec: Spec, choice: Choice) -> str:
    return render_trace_events(spec)


def _to_str(spec: Spec, choice: Choice) -> str:
    text = render_to_str(spec)
    assert text is not None, "render only what applies"
    return text


def _predicates(spec: Spec, choice: Choice) -> str:
    text = render_predicates(spec)
    assert text is not None, "render only what applies"
    return text


def _c_enum(spec: Spec, choice: Choice) -> str:
    return render_c_enum(spec)


def _kernel_table(spec: Spec, choice: Choice) -> str:
    # One table serves every device kind (the walk skips what a device
    # lacks), so the choice does not matter.
    return render_kernel_table(spec)


def _fsm_dot(spec: Spec, choice: Choice) -> str:
    return render_fsm_dot(spec, choice.features, show_refused=choice.show_refused)


def _flow_dot(spec: Spec, choice: Choice) -> str:
    assert choice.flow is not None
    return render_flow_dot(spec, choice.flow, choice.features)


def _svg(dot: Callable[[Spec, Choice], str]) -> Callable[[Spec, Choice], str]:
    def render(spec: Spec, choice: Choice) -> str:
        return render_svg(dot(spec, choice))

    return render


def _no_to_string(spec: Spec) -> str | None:
    if spec.code.to_string is None:
        return f"{spec.path} names no to-string function (code.to_string)"
    return None


def _no_predicates(spec: Spec) -> str | None:
    return (
        f"{spec.path} names no predicates (code.predicates)" if not spec.code.predicates else None
    )


def _no_kernel_table(spec: Spec) -> str | None:
    if spec.code.kernel is None:
        return f"{spec.path}: the spec has no 'code: kernel:' section naming the kernel's tables"
    if spec.error_state is None:
        return f"{spec.path}: the kernel's table needs an error state ('error: true')"
    return None


def _no_flows(spec: Spec) -> str | None:
    return f"{spec.path} defines no flows" if not spec.flows else None


def _no_trace(spec: Spec) -> str | None:
    return f"{spec.path} defines no trace sections" if not spec.trace else None


def _rules(*groups: Sequence[Rule[Any]]) -> frozenset[str]:
    return frozenset(rule.id for group in groups for rule in group)


# Problems any region's file can have: missing, outside the root, unreadable.
_FILE_RULES = _rules(SOURCE_RULES)

ARTEFACTS: tuple[Artefact, ...] = (
    Artefact(
        name="c-enum",
        title=lambda spec: f"enum {spec.machine.enum}",
        render=_c_enum,
        listing=lambda spec: f"c/{spec.machine.enum}.h",
        reviewed=True,
        region=Region(
            compare=check_code.check_uapi_enum,
            rules=_FILE_RULES | _rules(C_RULES, check_code.ENUM_RULES),
        ),
    ),
    Artefact(
        name="to-str",
        title=lambda spec: f"{spec.code.to_string.function}()" if spec.code.to_string else "",
        render=_to_str,
        unavailable=_no_to_string,
        listing=lambda spec: f"c/{spec.code.to_string.function}.c" if spec.code.to_string else "",
        reviewed=True,
        region=Region(
            compare=check_code.check_to_string,
            rules=_FILE_RULES | _rules(C_RULES, check_code.TO_STRING_RULES),
            rewrite=TO_STRING,
        ),
    ),
    Artefact(
        name="predicates",
        title=lambda spec: "state predicates",
        render=_predicates,
        unavailable=_no_predicates,
        listing=lambda spec: "c/predicates.c",
        reviewed=True,
        region=Region(
            compare=check_code.check_predicates,
            rules=_FILE_RULES | _rules(C_RULES, check_code.PREDICATE_RULES),
            rewrite=PREDICATES,
        ),
    ),
    Artefact(
        name="trace-events",
        title=lambda spec: "trace-events",
        render=_trace_events,
        unavailable=_no_trace,
        listing=lambda spec: "trace-events",
        page_section="trace",
        region=Region(
            compare=check_trace.check_trace,
            rules=_FILE_RULES | _rules(check_trace.SECTION_RULES),
            rewrite=TRACE_SECTIONS,
        ),
    ),
    Artefact(
        name="flow-rst",
        title=lambda spec: "rst literal block",
        render=_flow_rst,
        unavailable=_no_flows,
        per_flow=True,
        region=Region(
            compare=check_docs.check_docs,
            rules=_FILE_RULES | _rules(check_docs.RULES),
            rewrite=FLOW_DRAWINGS,
        ),
    ),
    Artefact(
        name="kernel-table",
        title=lambda spec: "kernel next-state table",
        render=_kernel_table,
        unavailable=_no_kernel_table,
        listing=lambda spec: "c/kernel-table.c",
        reviewed=True,
        region=Region(
            compare=check_kernel.check_kernel,
            rules=_FILE_RULES | _rules(C_RULES, check_kernel.RULES),
            tree="kernel",
        ),
    ),
    Artefact(name="fsm-dot", title=lambda spec: "state machine (DOT)", render=_fsm_dot),
    Artefact(
        name="fsm-svg", title=lambda spec: "state machine (SVG)", render=_svg(_fsm_dot), svg=True
    ),
    Artefact(
        name="flow-dot",
        title=lambda spec: "flow (DOT)",
        render=_flow_dot,
        unavailable=_no_flows,
        per_flow=True,
    ),
    Artefact(
        name="flow-svg",
        title=lambda spec: "flow (SVG)",
        render=_svg(_flow_dot),
        unavailable=_no_flows,
        per_flow=True,
        svg=True,
    ),
)

BY_NAME: dict[str, Artefact] = {a.name: a for a in ARTEFACTS}


def artefact(name: str) -> Artefact:
    return BY_NAME[name]


def applicable(spec: Spec) -> tuple[Artefact, ...]:
    return tuple(a for a in ARTEFACTS if a.unavailable(spec) is None)


# -- the drivers ----------------------------------------------------------------------------


def region_rules(*, rewritten: bool | None = None) -> frozenset[str]:
    """The check rules of owned regions (``rewritten``: only of those update rewrites,
    or only of those it does not)."""
    return frozenset().union(
        *(
            a.region.rules
            for a in ARTEFACTS
            if a.region is not None
            and (rewritten is None or (a.region.rewrite is not None) == rewritten)
        )
    )


def run_check(
    spec: Spec,
    root: str | os.PathLike[str] | None,
    kernel_root: str | os.PathLike[str] | None = None,
) -> CheckResult:
    """Every disagreement between ``spec`` and the tree at ``root`` and the kernel
    tree (either may be ``None``, not both): each owned region of the trees
    given, then, in a QEMU tree, which callback requests which state.  Also
    says which files were read."""
    if root is None:
        if kernel_root is None:
            raise ValueError("run_check needs a source tree, a kernel tree or both")
        kernel_only = [
            a.region.compare
            for a in ARTEFACTS
            if a.region is not None and a.region.tree == "kernel"
        ]
        # The kernel's regions read the kernel tree only (Context.kernel);
        # so do its variant drivers.
        kernel_only.append(check_drivers.check_drivers)
        return compare_tree(spec, kernel_root, kernel_root, kernel_only)
    comparisons: list[Comparison] = [a.region.compare for a in ARTEFACTS if a.region is not None]
    comparisons.append(check_transitions.check_transitions)
    if kernel_root is not None:
        comparisons.append(check_drivers.check_drivers)
    return compare_tree(spec, root, kernel_root, comparisons)


def check_tree(
    spec: Spec,
    root: str | os.PathLike[str] | None,
    kernel_root: str | os.PathLike[str] | None = None,
) -> list[Diagnostic]:
    """:func:`run_check`'s diagnostics (sorted, the spec's disabled rules dropped)."""
    return run_check(spec, root, kernel_root).diagnostics


def plan_update(spec: Spec, root: str | os.PathLike[str]) -> UpdatePlan:
    """What ``update --write`` would write under ``root``: every rewritable region."""
    rewrites = [a.region.rewrite for a in ARTEFACTS if a.region and a.region.rewrite]
    return plan_rewrites(spec, root, rewrites)
