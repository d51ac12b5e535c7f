"""What the kernel's tables must say: the next-state table and the state-flags table.

Inputs: a spec (its ``code.kernel`` names, states, features, walk), its
full table (:func:`~migspec.fsm.engine.full_table`) and what each of its
device kinds does (:func:`~migspec.fsm.engine.device_steps`).  Outputs: the entries each table
must have (:func:`expected_next`, :func:`expected_flags`, and their bound,
:func:`expected_bound`, compared by ``check --kernel-root``) and everything ``templates/kernel-table.c.j2``
draws (:func:`expect_kernel_tables`): the arcs each kind of driver
implements and the combination transitions for the comment, then both
tables' rows, in the order the kernel writes them.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..fsm.engine import device_steps, full_table
from ..model import Spec


def expected_flags(spec: Spec) -> dict[str, frozenset[str] | None]:
    """State name -> the feature macros its flags entry must have; ``None``: every bit."""
    out: dict[str, frozenset[str] | None] = {}
    for state in spec.states_by_value:
        if state.error and spec.walk.error_flags_all:
            out[state.name] = None
        else:
            out[state.name] = spec.macros_of(state.features)
    return out


def expected_next(spec: Spec) -> dict[tuple[str, str], str] | None:
    """(from, to) -> the next state: the FSM engine's table, for every feature.

    ``None`` when the spec has no error state: the kernel's table then has
    nothing to send refused requests to, and is not compared.
    """
    full = full_table(spec)
    if full.error is None:
        return None
    error = full.error
    return {
        (a, b): step if step is not None else error
        for a, row in full.next.items()
        for b, step in row.items()
    }


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
class KernelTablesExpectation:
    spec_path: str
    next_table: str
    flags_table: str
    num_states: str
    last_state: str
    arc_lists: tuple[ArcList, ...]
    # The spec's optional features: the names the lists' headings are held to.
    optional: tuple[str, ...]
    combinations: tuple[tuple[str, ...], ...]
    refused: tuple[tuple[str, str], ...]
    rows: tuple[Row, ...]
    flags: tuple[Flags, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Bound:
    """Both tables' bound, ``enum { NAME = LAST + 1 }``: its name and the last state's constant."""

    name: str
    last_state: str


def expected_bound(spec: Spec) -> Bound:
    """The bound the tables must have: one past the state of the highest value.

    ``check`` compares the kernel's with it, ``update`` writes it (through
    :func:`expect_kernel_tables`).
    """
    kernel = spec.code.kernel
    name = kernel.bound if kernel is not None else ""
    if not name:
        # The spec names none: the prefix's STATE_ becomes NUM_STATES, the
        # kernel's own spelling (VFIO_DEVICE_STATE_ -> VFIO_DEVICE_NUM_STATES).
        name = spec.machine.prefix.removesuffix("STATE_") + "NUM_STATES"
    last = max(spec.states, key=lambda s: s.value)
    return Bound(name=name, last_state=spec.machine.constant(last.name))


def expect_kernel_tables(spec: Spec) -> KernelTablesExpectation:
    """Everything the template needs; raises ValueError when the spec names no kernel tables."""
    kernel = spec.code.kernel
    if kernel is None:
        raise ValueError("the spec has no 'code: kernel:' section naming the kernel's tables")
    full = full_table(spec)
    next_state = expected_next(spec)
    if next_state is None:
        raise ValueError("the kernel's table needs an error state ('error: true')")
    constant = spec.machine.constant
    error = spec.error_state
    order = [s for s in spec.states_by_value if not s.error]
    if error is not None:
        order.append(error)

    # Arcs per kind of device, as the walk over the full table asks for
    # them: first those every device uses; then, per kind, the arcs of the
    # smaller kinds it has all the features of (named), and what it adds.
    per_kind = [(kind, device_steps(spec, kind).arcs) for kind in spec.device_kinds]
    common = frozenset.intersection(*(arcs for _, arcs in per_kind)) if per_kind else frozenset()
    lists = [ArcList(features=None, includes=(), arcs=tuple(sorted(common)))]
    for kind, arcs in per_kind:
        contained = [k for k, k_arcs in per_kind if k.features < kind.features and k_arcs <= arcs]
        maximal = [k for k in contained if not any(k.features < h.features for h in contained)]
        base = frozenset().union(*(a for k, a in per_kind if k in maximal))
        extra = tuple(sorted(arcs - common - base))
        if extra:
            lists.append(
                ArcList(
                    features=kind.optional,
                    # Only name smaller kinds that have a paragraph of their own.
                    includes=tuple(
                        k.optional for k, k_arcs in per_kind if k in maximal and k_arcs - common
                    ),
                    arcs=extra,
                )
            )

    rows = tuple(
        Row(
            constant=constant(a.name),
            cells=tuple((constant(b.name), constant(next_state[(a.name, b.name)])) for b in order),
        )
        for a in order
    )
    macros_of = expected_flags(spec)
    bit = {f.macro: f.bit for f in spec.features}
    flags = []
    for state in order:
        wanted = macros_of[state.name]
        if state.error:
            value = "~0U" if wanted is None else "0"
            macros: tuple[str, ...] = ()
        else:
            macros = tuple(sorted(wanted or (), key=lambda m: bit[m]))
            value = " | ".join(macros) if macros else "0"
        flags.append(Flags(constant=constant(state.name), value=value, macros=macros))
    bound = expected_bound(spec)
    return KernelTablesExpectation(
        spec_path=spec.path,
        next_table=kernel.next_table,
        flags_table=kernel.flags_table,
        num_states=bound.name,
        last_state=bound.last_state,
        arc_lists=tuple(lists),
        optional=spec.optional_features,
        combinations=tuple(sorted(full.combinations(), key=" -> ".join)),
        refused=tuple(sorted(full.refused)),
        rows=rows,
        flags=tuple(flags),
    )
