"""What a kernel tree's core says about the machine: its two tables and the walk.

Inputs: a kernel root, the state enum (found in the tree's uAPI header) and
the header's bit macros.  Outputs: :class:`KernelFacts` -- where the
next-state and state-flags tables are (function, file, table names, found
by their shape: a two-dimensional and a one-dimensional array, both indexed
by the enum's constants, declared in one function), what each state's flags
say (its features; ``~0U`` marks the error state), whether the lookup skips
unsupported states and stops at the error state, and the arcs the
next-state table takes (``[from][to] = next``: the arc ``from -> next``).
Reading the tables themselves is :func:`migspec.source.kernel.read_kernel_tables`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Location
from ..model import state_of_constant
from ..source.c import CFile, CReader
from ..source.kernel import KernelRead, read_kernel_tables, state_tables
from ..source.tree import TreeReader
from . import scan
from .uapi import ArcData, FeatureData, UapiMachine, UapiState


@dataclass(frozen=True, slots=True, kw_only=True)
class KernelFacts:
    file: str  # relative to the kernel root
    function: str
    next_table: str
    flags_table: str
    read: KernelRead
    state_macros: dict[str, frozenset[str]]  # state name -> flag macros (not the error's)
    error: str | None  # the state whose flags are every bit
    arcs: tuple[tuple[str, str], ...]  # (from, next) pairs the next-state table takes
    prefix: str

    def state(self, constant: str) -> str | None:
        """``VFIO_DEVICE_STATE_STOP`` -> ``STOP`` (``None``: not one of the enum's)."""
        return state_of_constant(self.prefix, constant)


def find_kernel_tables(
    root: TreeReader,
    reader: CReader,
    enum: scan.FoundEnum,
    state_names: list[str],
) -> tuple[KernelFacts | None, list[Diagnostic]]:
    """The function holding both tables, in the ``.c`` files that name the enum's constants."""
    prefix = enum.prefix
    found: list[tuple[str, str, str, str, CFile]] = []
    for rel in scan.c_files_naming(root, prefix):
        cfile = reader.parse_bytes(scan.read_bytes(root, rel), root.tree.display(rel))
        for fn_name, next_name, flags_name in state_tables(cfile, prefix):
            found.append((rel, fn_name, next_name, flags_name, cfile))
    if not found:
        return None, [
            scan.SKIPPED.diagnostic(
                f"no function of the kernel tree declares a next-state table and a flags "
                f"table indexed by {prefix}*; the spec has no code.kernel",
                Location(root.tree.shown),
            )
        ]
    if len(found) > 1:
        listed = ", ".join(f"{fn}() ({rel})" for rel, fn, *_ in found)
        return None, [
            scan.AMBIGUOUS.diagnostic(
                f"several functions hold state tables: {listed}", Location(root.tree.shown)
            )
        ]
    rel, function, next_name, flags_name, cfile = found[0]
    # The error constant is what the flags table marks with every bit.
    first, diagnostics = read_kernel_tables(
        cfile, function=function, next_table=next_name, flags_table=flags_name, error_constant=None
    )
    error_constant = next((k for k, e in first.flags_table.items() if e.all_bits), None)
    read, diagnostics = read_kernel_tables(
        cfile,
        function=function,
        next_table=next_name,
        flags_table=flags_name,
        error_constant=error_constant,
    )
    names = set(state_names)

    def strip(constant: str) -> str | None:
        name = state_of_constant(prefix, constant)
        return name if name in names else None

    macros = {
        s: entry.macros
        for key, entry in read.flags_table.items()
        if not entry.all_bits and (s := strip(key)) is not None
    }
    error = strip(error_constant) if error_constant else None
    arcs: list[tuple[str, str]] = []
    for (a, _), ref in read.next_table.items():
        src, dst = strip(a), strip(ref.name)
        if src is None or dst is None or src == dst or dst == error:
            continue
        if (src, dst) not in arcs:
            arcs.append((src, dst))
    return (
        KernelFacts(
            file=rel,
            function=function,
            next_table=next_name,
            flags_table=flags_name,
            read=read,
            state_macros=macros,
            error=error,
            arcs=tuple(arcs),
            prefix=prefix,
        ),
        diagnostics,
    )


def machine_from_tables(
    facts: KernelFacts, bits: dict[str, int], state_names: list[str]
) -> UapiMachine | None:
    """The machine the tables imply, for a uAPI header without a machine comment.

    Features: the flag macros (a macro every non-error state has is
    mandatory); arcs: the steps the next-state table takes, each needing its
    states' optional features; refused: requests the table answers with the
    error state.  No groups, no stand-ins: the tables do not say them.
    """
    used = sorted(
        {m for ms in facts.state_macros.values() for m in ms}, key=lambda m: bits.get(m, 99)
    )
    if not used or not facts.arcs:
        return None
    common = frozenset.intersection(*facts.state_macros.values())
    prefix = scan.common_prefix(used)
    name_of = {m: m[len(prefix) :] for m in used}
    features = tuple(
        FeatureData(
            name=name_of[m],
            macro=m,
            bit=bits.get(m, i),
            mandatory=m in common,
            doc=f"The {m} flag.",
        )
        for i, m in enumerate(used)
    )
    rank = {f.name: f.bit for f in features}
    optional = {f.name for f in features if not f.mandatory}
    feats = {
        s: tuple(sorted((name_of[m] for m in ms), key=rank.__getitem__))
        for s, ms in facts.state_macros.items()
    }
    states = tuple(
        UapiState(name=n, features=feats.get(n, ()), doc="")
        for n in state_names
        if n in feats or n == facts.error
    )

    def needs(*ends: str) -> tuple[str, ...]:
        got = {f for e in ends for f in feats.get(e, ()) if f in optional}
        return tuple(sorted(got, key=rank.__getitem__))

    arcs = tuple(_walked_arcs(facts, feats, [f.name for f in features if not f.mandatory], needs))
    refused: list[ArcData] = []
    error_c = next((k for k, e in facts.read.flags_table.items() if e.all_bits), None)
    for (a, b), ref in facts.read.next_table.items():
        src, dst = facts.state(a), facts.state(b)
        if (
            src not in state_names
            or dst not in state_names
            or src is None
            or dst is None
            or src == dst
            or facts.error in (src, dst)
        ):
            continue
        if ref.name == error_c and (src, dst) not in [(r.source, r.target) for r in refused]:
            refused.append(ArcData(source=src, target=dst))
    return UapiMachine(
        comment_line=0,
        features=features,
        states=states,
        error=facts.error,
        initial=None,
        arcs=arcs,
        refused=tuple(refused),
        groups=(),
        removed_without=(),
        path_rules=(),
    )


def _walked_arcs(
    facts: KernelFacts,
    feats: dict[str, tuple[str, ...]],
    optional: list[str],
    needs: Callable[..., tuple[str, ...]],
) -> list[ArcData]:
    """The single steps each kind of device takes when the kernel walks its table.

    The table is written for a device with every feature; a device that lacks
    some skips the states it lacks (``while next is unsupported: next =
    next[next][to]``).  A step some kinds take and others do not is an arc
    ``without`` the features of the kinds that do not take it.
    """
    kinds = [
        frozenset(c) for r in range(len(optional) + 1) for c in itertools.combinations(optional, r)
    ]
    nxt = {
        (facts.state(a), facts.state(b)): facts.state(r.name)
        for (a, b), r in facts.read.next_table.items()
    }
    taken: dict[tuple[str, str], set[frozenset[str]]] = {}
    order: list[tuple[str, str]] = []
    for kind in kinds:
        has = [s for s, f in feats.items() if set(f) - set(f).difference(optional) <= kind]
        for a in has:
            for b in has:
                if a == b:
                    continue
                n = nxt.get((a, b))
                seen = 0
                while n is not None and n != facts.error and n not in has and seen < len(feats):
                    n = nxt.get((n, b))
                    seen += 1
                if n is None or n == facts.error or n not in has or n == a:
                    continue
                if (a, n) not in taken:
                    order.append((a, n))
                taken.setdefault((a, n), set()).add(kind)
    out = []
    for a, b in order:
        need = needs(a, b)
        by = taken[(a, b)]
        able = [k for k in kinds if set(need) <= k]
        lacking = tuple(f for f in optional if f not in need and not any(f in k for k in by))
        if not lacking or set(by) == {k for k in able if not set(lacking) & k}:
            out.append(ArcData(source=a, target=b, features=need, without=lacking))
        else:
            out.append(ArcData(source=a, target=b, features=need))
    return out


def table_path(facts: KernelFacts, source: str, target: str) -> tuple[str, ...] | None:
    """The path the kernel's table takes from ``source`` to ``target`` (full feature set)."""
    nxt = {
        (facts.state(a), facts.state(b)): facts.state(r.name)
        for (a, b), r in facts.read.next_table.items()
    }
    path = [source]
    while path[-1] != target and len(path) <= len(nxt):
        step = nxt.get((path[-1], target))
        if step is None or step == facts.error or step in path:
            return None
        path.append(step)
    return tuple(path) if path[-1] == target else None
