"""Kernel artefact: the tables inside the kernel's next-state lookup.

Inputs: a spec (its ``code.kernel`` names, states, features, walk) and its
full :class:`~migspec.fsm.engine.Table`.  Output: C text, kernel style, from
``templates/kernel-table.c.j2``: the arcs each kind of driver implements and
the combination transitions as a comment, then the next-step table and the
state-flags table, at the indentation they have inside the lookup function.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fsm.engine import Table, compute_table, device_table
from ..model import Spec
from .env import render_template


@dataclass(frozen=True, slots=True, kw_only=True)
class ArcList:
    """One paragraph of the arcs comment: who implements which arcs."""

    # None: every driver; else the optional features of that kind of device.
    features: tuple[str, ...] | None
    # Smaller kinds of device whose arcs this one implements too.
    includes: tuple[tuple[str, ...], ...]
    arcs: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    constant: str
    cells: tuple[tuple[str, str], ...]  # (to constant, next constant)


@dataclass(frozen=True, slots=True, kw_only=True)
class Flags:
    constant: str
    # The expression: macros joined by " | ", or the error state's value.
    value: str
    macros: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelTableData:
    spec_path: str
    next_table: str
    flags_table: str
    num_states: str
    last_state: str
    arc_lists: tuple[ArcList, ...]
    combinations: tuple[tuple[str, ...], ...]
    refused: tuple[tuple[str, str], ...]
    rows: tuple[Row, ...]
    flags: tuple[Flags, ...]


def _optional(spec: Spec, features: frozenset[str]) -> tuple[str, ...]:
    return spec.device_kind(features).optional


def _num_states_name(prefix: str) -> str:
    """``VFIO_DEVICE_STATE_`` -> ``VFIO_DEVICE_NUM_STATES`` (the kernel's spelling)."""
    if prefix.endswith("STATE_"):
        return prefix[: -len("STATE_")] + "NUM_STATES"
    return prefix + "NUM_STATES"


def kernel_table_data(spec: Spec, table: Table | None = None) -> KernelTableData:
    """Everything the template needs; raises ValueError when the spec names no kernel tables."""
    kernel = spec.code.kernel
    if kernel is None:
        raise ValueError("the spec has no 'code: kernel:' section naming the kernel's tables")
    full = compute_table(spec) if table is None else table
    if full.error is None:
        raise ValueError("the kernel's table needs an error state ('error: true')")
    prefix = spec.machine.prefix
    error = spec.error_state
    order = [s for s in spec.states_by_value if not s.error]
    if error is not None:
        order.append(error)

    # Arcs per kind of device, as the walk over the full table asks for
    # them: first those every device uses; then, per feature set, the arcs
    # of the smaller sets it has all of (named), and what it adds.
    per_set = [(f, device_table(spec, f, full).arcs) for f in spec.feature_sets()]
    common = frozenset.intersection(*(arcs for _, arcs in per_set)) if per_set else frozenset()
    lists = [ArcList(features=None, includes=(), arcs=tuple(sorted(common)))]
    for features, arcs in per_set:
        contained = [g for g, g_arcs in per_set if g < features and g_arcs <= arcs]
        maximal = [g for g in contained if not any(g < h for h in contained)]
        base = frozenset().union(*(a for g, a in per_set if g in maximal))
        extra = tuple(sorted(arcs - common - base))
        if extra:
            lists.append(
                ArcList(
                    features=_optional(spec, features),
                    # Only name smaller kinds that have a paragraph of their own.
                    includes=tuple(
                        _optional(spec, g)
                        for g, g_arcs in per_set
                        if g in maximal and g_arcs - common
                    ),
                    arcs=extra,
                )
            )

    rows = tuple(
        Row(
            constant=prefix + a.name,
            cells=tuple((prefix + b.name, prefix + str(full.next[a.name][b.name])) for b in order),
        )
        for a in order
    )
    bits = {f.name: f for f in spec.features}
    flags = []
    for state in order:
        if state.error:
            value = "~0U" if spec.walk.error_flags_all else "0"
            macros: tuple[str, ...] = ()
        else:
            macros = tuple(bits[f].macro for f in sorted(state.features, key=lambda f: bits[f].bit))
            value = " | ".join(macros) if macros else "0"
        flags.append(Flags(constant=prefix + state.name, value=value, macros=macros))
    last = max(spec.states, key=lambda s: s.value)
    return KernelTableData(
        spec_path=spec.path,
        next_table=kernel.next_table,
        flags_table=kernel.flags_table,
        num_states=_num_states_name(prefix),
        last_state=prefix + last.name,
        arc_lists=tuple(lists),
        combinations=tuple(sorted(full.combinations(), key=" -> ".join)),
        refused=tuple(sorted(full.refused)),
        rows=rows,
        flags=tuple(flags),
    )


def render_kernel_table(spec: Spec, table: Table | None = None) -> str:
    """The kernel's two tables (and the comment above them) as C."""
    return render_template("kernel-table.c.j2", data=kernel_table_data(spec, table))
