"""The kernel's next-state and state-flags tables vs what the spec says they must be.

Inputs: a :class:`~migspec.check.context.Context` with a kernel tree, and
the tables the spec implies.  Outputs: diagnostics in the kernel file.

What both tables must say is the expectation's
(:func:`migspec.expect.kernel.expected_flags`,
:func:`migspec.expect.kernel.expected_next`); :func:`compare_kernel_tables`
takes them as arguments, a next-state table of ``None`` skipping it.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..align.kernel_arcs import pair_arc_lists
from ..align.kernel_walk import walk_differences
from ..diagnostics import Diagnostic, Location, Note, Severity, declare
from ..expect.kernel import (
    ArcList,
    expect_kernel_tables,
    expected_bound,
    expected_flags,
    expected_next,
)
from ..model import Spec
from ..source import SCOPE
from ..source.kernel import KernelRead, read_spec_kernel_tables
from ..source.kernel_arcs import read_arcs_comment
from .code import check_enum
from .context import Context

KERNEL_NOT_FOUND = declare(
    "check-kernel-not-found",
    Severity.ERROR,
    "The kernel file has no lookup function or table of the names the spec gives.",
    scope=SCOPE,
    example="kernel: {function: vfio_mig_get_next_state, next_table: vfio_from_fsm_table}",
)
KERNEL_NEXT = declare(
    "check-kernel-next",
    Severity.ERROR,
    "An entry of the kernel's next-state table differs from the spec's, or is missing or extra.",
    scope=SCOPE,
    example="[VFIO_DEVICE_STATE_RUNNING] = { [VFIO_DEVICE_STATE_STOP] = VFIO_DEVICE_STATE_STOP, ...",
)
KERNEL_FLAGS = declare(
    "check-kernel-flags",
    Severity.ERROR,
    "An entry of the kernel's state-flags table differs from the features the spec's state needs.",
    scope=SCOPE,
    example="[VFIO_DEVICE_STATE_PRE_COPY_P2P] = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P,",
)
KERNEL_WALK = declare(
    "check-kernel-walk",
    Severity.ERROR,
    "The kernel's skip loop differs from the spec's walk (skipping, stopping at the error state).",
    scope=SCOPE,
    example="while ((state_flags_table[*next_fsm] & flags) != state_flags_table[*next_fsm])"
    "  # walk: {stop_at_error: true}",
)
KERNEL_HANG = declare(
    "check-kernel-walk-hangs",
    Severity.ERROR,
    "The kernel's lookup, run on its tables and loop as written, never ends for some request.",
    scope=SCOPE,
    doc="""
    The checker runs the kernel's next-state lookup as the code writes it --
    its table, its flags table and its skip loop -- for every request every
    kind of device accepts.  A request whose loop never ends hangs the kernel
    while it holds the device's state mutex: STOP_COPY -> PRE_COPY on a
    PRE_COPY device did, until the loop learned to stop at the error state
    (2026).  Reported at the loop, naming the request and the device kind.
    """,
    example="while ((state_flags_table[*next_fsm] & flags) != state_flags_table[*next_fsm])\n"
    "        *next_fsm = vfio_from_fsm_table[*next_fsm][new_fsm];  # ERROR flags are ~0U",
)
KERNEL_BOUND = declare(
    "check-kernel-bound",
    Severity.ERROR,
    "The tables' bound (enum { NUM_STATES = LAST + 1 }) does not end at the spec's last state.",
    scope=SCOPE,
    doc="""
    Both tables are sized by the constant the lookup declares as one past
    the last state.  A bound below the last state leaves the later states'
    rows and columns out of the arrays; one above it, slots no state fills.
    Reported at the bound's last-state constant.
    """,
    example="enum { VFIO_DEVICE_NUM_STATES = VFIO_DEVICE_STATE_RUNNING_P2P + 1 };"
    "  # the spec's last state is PRE_COPY_P2P",
)
KERNEL_UNCHECKED = declare(
    "check-kernel-unchecked",
    Severity.NOTE,
    "The kernel's next-state table was read but not compared (the spec has no error state).",
    scope=SCOPE,
    example="states:  # no state is marked 'error: true', so the spec implies no table",
)

KERNEL_ARCS = declare(
    "check-kernel-arcs-comment",
    Severity.ERROR,
    "The comment above the kernel's next-state table lacks a list of the arcs a kind of "
    "driver implements, or a list lacks an arc the spec implies or has one it does not.",
    scope=SCOPE,
    doc="""
    The comment above the next-state table lists, per kind of driver, the
    arcs the table makes it implement: a fourth copy of the machine, beside
    the uAPI comment, the enum and the tables.  Its lists are read by layout
    (a heading, then ``A -> B`` lines) and paired with the spec's by the arcs
    they share; the headings' words are not compared.
    """,
    example="""\
 * If P2P is supported then the driver must also implement these FSM
 * arcs:
 *         RUNNING -> RUNNING_P2P   # and RUNNING_P2P -> RUNNING missing""",
)

RULES = (
    KERNEL_NOT_FOUND,
    KERNEL_NEXT,
    KERNEL_FLAGS,
    KERNEL_BOUND,
    KERNEL_WALK,
    KERNEL_HANG,
    KERNEL_UNCHECKED,
    KERNEL_ARCS,
)


def check_kernel(ctx: Context) -> None:
    spec = ctx.spec
    k = spec.code.kernel
    tree = ctx.kernel
    if k is None or tree is None:
        return
    check_enum(ctx, tree, k.header)
    if not ctx.exists(tree, k.file, f"{k.function}()", k.location):
        return
    cfile = ctx.c_file(k.file, tree=tree)
    if cfile is None:
        return
    bound = expected_bound(spec)
    parsed, diagnostics = read_spec_kernel_tables(cfile, spec)
    ctx.report(diagnostics)
    spec_note = (Note(message="the spec names it here", location=k.location),)
    missing = [
        (what, name)
        for what, name, found in (
            ("function", k.function, parsed.function),
            ("table", k.next_table, parsed.next_location),
            ("table", k.flags_table, parsed.flags_location),
        )
        if found is None
    ]
    for what, name in missing:
        ctx.report(
            [
                KERNEL_NOT_FOUND.diagnostic(
                    f"no {what} {name} here", Location(cfile.path), notes=spec_note
                )
            ]
        )
    if parsed.function is None:
        return
    machine = spec.machine
    computed_next = expected_next(spec)
    ctx.report(compare_kernel_tables(spec, parsed, computed_next, expected_flags(spec)))
    if computed_next is None and parsed.next_location is not None:
        ctx.report(
            [
                KERNEL_UNCHECKED.diagnostic(
                    f"{k.next_table} was read ({len(parsed.next_table)} entries) but not "
                    "compared: the spec has no error state to send refused requests to",
                    parsed.next_location,
                )
            ]
        )
    if (
        computed_next is not None
        and parsed.bound is not None
        and parsed.bound.name != bound.last_state
    ):
        ctx.report(
            [
                KERNEL_BOUND.diagnostic(
                    f"{bound.name} ends at {machine.short_name(parsed.bound.name)}; "
                    f"the spec's last state is {machine.short_name(bound.last_state)}",
                    parsed.bound.location,
                )
            ]
        )
    ctx.report(verify_code_walk(spec, parsed))
    if parsed.next_span is not None and spec.error_state is not None:
        lines = cfile.source.decode("utf-8", errors="replace").split("\n")
        ctx.report(compare_arcs_comment(spec, parsed, lines))


def describe_arc_list(arc_list: ArcList) -> str:
    """Whose arcs a list gives, for messages."""
    if arc_list.features is None:
        return "every driver's arcs"
    if not arc_list.features:
        return "the arcs of a driver with no optional feature"
    return f"the arcs of a {' and '.join(arc_list.features)} driver"


def compare_arcs_comment(spec: Spec, parsed: KernelRead, lines: list[str]) -> list[Diagnostic]:
    """The arcs comment above the next-state table vs the expectation's lists."""
    assert parsed.next_span is not None
    expectation = expect_kernel_tables(spec)
    expected = expectation.arc_lists
    comment = read_arcs_comment(lines, parsed.next_span[0])
    if comment is None:
        return [
            KERNEL_ARCS.diagnostic(
                f"no comment above {spec.code.kernel.next_table if spec.code.kernel else 'the table'} "
                "lists the FSM arcs each kind of driver implements",
                parsed.next_location or Location(parsed.path),
            )
        ]
    out: list[Diagnostic] = []
    pairings, extra_blocks = pair_arc_lists(expected, comment.blocks, expectation.optional)
    for pairing in pairings:
        arcs = ", ".join(f"{a} -> {b}" for a, b in pairing.missing)
        if pairing.block is None:
            out.append(
                KERNEL_ARCS.diagnostic(
                    f"the arcs comment has no list of {describe_arc_list(pairing.expected)}: {arcs}",
                    Location(parsed.path, comment.line, 1),
                )
            )
            continue
        if pairing.unnamed:
            out.append(
                KERNEL_ARCS.diagnostic(
                    f"the heading of this list of {describe_arc_list(pairing.expected)} "
                    f"does not name {' and '.join(pairing.unnamed)}, which its drivers lack too",
                    Location(parsed.path, pairing.block.line, 1),
                )
            )
        if pairing.missing:
            out.append(
                KERNEL_ARCS.diagnostic(
                    f"this list of {describe_arc_list(pairing.expected)} lacks {arcs}",
                    Location(parsed.path, pairing.block.line, 1),
                )
            )
        for arc in pairing.extra:
            out.append(
                KERNEL_ARCS.diagnostic(
                    f"{arc.source} -> {arc.target} is not among "
                    f"{describe_arc_list(pairing.expected)} in the spec",
                    Location(parsed.path, arc.line, 1),
                )
            )
    for block in extra_blocks:
        listed = ", ".join(f"{a.source} -> {a.target}" for a in block.arcs)
        out.append(
            KERNEL_ARCS.diagnostic(
                f"this list ({listed}) is not one the spec implies",
                Location(parsed.path, block.line, 1),
            )
        )
    return out


def verify_code_walk(spec: Spec, parsed: KernelRead) -> list[Diagnostic]:
    """Run the lookup as the code writes it, for every device kind and request.

    Uses the tables and loop shape *read from the code*, not the spec's, so a
    kernel whose loop cannot end is caught even when its table is right.
    """
    if parsed.skip_loop is None or not parsed.next_table or spec.error_state is None:
        return []
    machine = spec.machine
    error = spec.error_state
    error_const = machine.constant(error.name) if error else None
    out: list[Diagnostic] = []

    for kind in spec.device_kinds:
        have = spec.macros_of(kind.features)

        def supported(const: str, have: frozenset[str] = have) -> bool:
            entry = parsed.flags_table.get(const)
            if entry is None:
                return False
            return not entry.all_bits and entry.macros <= have

        mine = [
            machine.constant(s.name)
            for s in spec.states_by_value
            if not s.error and supported(machine.constant(s.name))
        ]
        for cur in mine:
            for new in mine:
                ref = parsed.next_table.get((cur, new))
                if ref is None:
                    continue
                step = ref.name
                seen: set[str] = set()
                while not supported(step):
                    if parsed.stop_at_error and step == error_const:
                        break
                    if step in seen:
                        out.append(
                            KERNEL_HANG.diagnostic(
                                f"request {machine.short_name(cur)} -> {machine.short_name(new)} "
                                f"on a device with {kind.name} never ends: "
                                f"the loop keeps returning {machine.short_name(step)}",
                                parsed.skip_loop,
                                notes=(Note(message="the table entry", location=ref.location),),
                            )
                        )
                        break
                    seen.add(step)
                    nxt = parsed.next_table.get((step, new))
                    if nxt is None:
                        break
                    step = nxt.name
    return out


def compare_kernel_tables(
    spec: Spec,
    parsed: KernelRead,
    computed_next: Mapping[tuple[str, str], str] | None,
    computed_flags: Mapping[str, frozenset[str] | None],
) -> list[Diagnostic]:
    """The kernel's tables (as read) vs the spec's (state names, not constants).

    ``computed_next[(from, to)]`` is the next state; ``None`` skips that table.
    ``computed_flags[state]`` is the set of feature macros, ``None`` for "every bit".
    The walk's shape (a skip loop, and whether it stops at the error state) is
    compared with ``spec.walk``.
    """
    machine = spec.machine
    out: list[Diagnostic] = []
    where_next = parsed.next_location or Location(parsed.path)
    where_flags = parsed.flags_location or Location(parsed.path)
    if computed_next is not None and parsed.next_location is not None:
        for (src, dst), want_next in sorted(computed_next.items()):
            key = (machine.constant(src), machine.constant(dst))
            entry = parsed.next_table.get(key)
            if entry is None:
                out.append(
                    KERNEL_NEXT.diagnostic(
                        f"no entry [{key[0]}][{key[1]}]; the spec's next state is {want_next}",
                        where_next,
                    )
                )
            elif entry.name != machine.constant(want_next):
                out.append(
                    KERNEL_NEXT.diagnostic(
                        f"[{src}][{dst}] steps to {machine.short_name(entry.name)}; "
                        f"the spec's next state is {want_next}",
                        entry.location,
                    )
                )
        wanted = {(machine.constant(a), machine.constant(b)) for a, b in computed_next}
        for key, entry in sorted(parsed.next_table.items()):
            if key not in wanted:
                out.append(
                    KERNEL_NEXT.diagnostic(
                        f"entry [{key[0]}][{key[1]}] is not in the spec's table",
                        entry.location,
                    )
                )
    if parsed.flags_location is not None:
        for state, want in computed_flags.items():
            constant = machine.constant(state)
            flags_entry = parsed.flags_table.get(constant)
            shown_want = "~0U (every bit)" if want is None else " | ".join(sorted(want)) or "0"
            if flags_entry is None:
                out.append(
                    KERNEL_FLAGS.diagnostic(
                        f"no entry for {constant}; the spec needs {shown_want}", where_flags
                    )
                )
                continue
            same = (
                flags_entry.all_bits
                if want is None
                else (not flags_entry.all_bits and flags_entry.macros == want)
            )
            if not same:
                have = (
                    "~0U (every bit)"
                    if flags_entry.all_bits
                    else " | ".join(sorted(flags_entry.macros)) or "0"
                )
                out.append(
                    KERNEL_FLAGS.diagnostic(
                        f"{constant} needs {have} here; the spec needs {shown_want}",
                        flags_entry.location,
                    )
                )
        for constant, flags_entry in sorted(parsed.flags_table.items()):
            if machine.state_name(constant) not in computed_flags:
                out.append(
                    KERNEL_FLAGS.diagnostic(
                        f"entry for {constant}, which names no state of the spec",
                        flags_entry.location,
                    )
                )
    walk = spec.walk
    spec_note = (Note(message="the spec's walk", location=walk.location),)
    error_name = spec.error_state.name if spec.error_state else None
    for message, where in walk_differences(walk, error_name, parsed):
        out.append(KERNEL_WALK.diagnostic(message, where, notes=spec_note))
    return out
