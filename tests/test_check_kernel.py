"""Comparing kernel tables with the spec's (hand-written expected tables)."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from migspec.artefacts import check_tree
from migspec.check.kernel import compare_kernel_tables
from migspec.diagnostics import Location
from migspec.expect.kernel import expected_flags, expected_next
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.source.c import Ref
from migspec.source.kernel import FlagsEntry, KernelRead

from .conftest import SEED_SPEC
from .kernel_truth import KERNEL_NEXT, STATES
from .source_trees import BASE, TREES, found

P = "VFIO_DEVICE_STATE_"
SC, P2P, PRE = "VFIO_MIGRATION_STOP_COPY", "VFIO_MIGRATION_P2P", "VFIO_MIGRATION_PRE_COPY"


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


def at(line: int) -> Location:
    return Location("k.c", line, 1)


def flags_entry(line: int, *macros: str, all_bits: bool = False) -> FlagsEntry:
    return FlagsEntry(macros=frozenset(macros), all_bits=all_bits, location=at(line))


# What the spec implies for the state-flags table, written out by hand.
SPEC_FLAGS: dict[str, frozenset[str] | None] = {
    "ERROR": None,
    "STOP": frozenset({SC}),
    "RUNNING": frozenset({SC}),
    "STOP_COPY": frozenset({SC}),
    "RESUMING": frozenset({SC}),
    "RUNNING_P2P": frozenset({SC, P2P}),
    "PRE_COPY": frozenset({SC, PRE}),
    "PRE_COPY_P2P": frozenset({SC, P2P, PRE}),
}


def kernel_read(**changes: object) -> KernelRead:
    base = KernelRead(
        path="k.c",
        function=at(1),
        next_table={
            (P + "STOP", P + "RUNNING"): Ref(name=P + "RUNNING_P2P", location=at(10)),
            (P + "RUNNING", P + "STOP"): Ref(name=P + "RUNNING_P2P", location=at(11)),
        },
        next_location=at(9),
        flags_table={
            P + "ERROR": flags_entry(20, all_bits=True),
            P + "STOP": flags_entry(21, SC),
            P + "RUNNING": flags_entry(22, SC),
            P + "STOP_COPY": flags_entry(23, SC),
            P + "RESUMING": flags_entry(24, SC),
            P + "RUNNING_P2P": flags_entry(25, SC, P2P),
            P + "PRE_COPY": flags_entry(26, SC, PRE),
            P + "PRE_COPY_P2P": flags_entry(27, SC, P2P, PRE),
        },
        flags_location=at(19),
        skip_loop=at(30),
        stop_at_error=True,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_expected_flags_follow_the_spec(spec: Spec) -> None:
    assert expected_flags(spec) == SPEC_FLAGS


def test_agreeing_tables(spec: Spec) -> None:
    nxt = {("STOP", "RUNNING"): "RUNNING_P2P", ("RUNNING", "STOP"): "RUNNING_P2P"}
    assert compare_kernel_tables(spec, kernel_read(), nxt, SPEC_FLAGS) == []


def test_next_table_differences(spec: Spec) -> None:
    nxt = {("STOP", "RUNNING"): "RUNNING", ("STOP", "RESUMING"): "RESUMING"}
    out = compare_kernel_tables(spec, kernel_read(), nxt, SPEC_FLAGS)
    assert [(d.rule, d.location.line, d.message) for d in out] == [
        (
            "check-kernel-next",
            9,
            f"no entry [{P}STOP][{P}RESUMING]; the spec's next state is RESUMING",
        ),
        (
            "check-kernel-next",
            10,
            "[STOP][RUNNING] steps to RUNNING_P2P; the spec's next state is RUNNING",
        ),
        ("check-kernel-next", 11, f"entry [{P}RUNNING][{P}STOP] is not in the spec's table"),
    ]


def test_next_table_can_be_skipped(spec: Spec) -> None:
    assert compare_kernel_tables(spec, kernel_read(), None, SPEC_FLAGS) == []


def test_flags_differences(spec: Spec) -> None:
    flags = dict(kernel_read().flags_table)
    flags[P + "PRE_COPY_P2P"] = flags_entry(27, SC, P2P)
    flags[P + "ERROR"] = flags_entry(20, SC)
    del flags[P + "RESUMING"]
    flags[P + "SLEEPING"] = flags_entry(28, SC)
    out = compare_kernel_tables(spec, kernel_read(flags_table=flags), None, SPEC_FLAGS)
    assert [(d.rule, d.location.line) for d in out] == [
        ("check-kernel-flags", 20),
        ("check-kernel-flags", 19),  # RESUMING has no entry: at the table
        ("check-kernel-flags", 27),
        ("check-kernel-flags", 28),
    ]
    assert "needs ~0U (every bit)" in out[0].message


def test_walk_differences(spec: Spec) -> None:
    out = compare_kernel_tables(spec, kernel_read(stop_at_error=False), None, SPEC_FLAGS)
    assert [(d.rule, d.location.line) for d in out] == [("check-kernel-walk", 30)]
    assert "does not stop at ERROR" in out[0].message
    out = compare_kernel_tables(spec, kernel_read(skip_loop=None), None, SPEC_FLAGS)
    assert [(d.rule, d.location.line) for d in out] == [("check-kernel-walk", 1)]
    lenient = replace(spec, walk=replace(spec.walk, stop_at_error=False))
    out = compare_kernel_tables(lenient, kernel_read(), None, SPEC_FLAGS)
    assert "this loop stops at ERROR; the spec's walk does not stop there" in out[0].message


def in_kernel(spec: Spec, kernel: Path) -> list[tuple[str, str, int]]:
    diagnostics = [
        d for d in check_tree(spec, BASE, kernel) if d.location.path.startswith(str(kernel))
    ]
    return found(diagnostics, kernel)


def test_expected_next_is_the_kernels_table(spec: Spec) -> None:
    want = {(a, b): KERNEL_NEXT[a][i] for a in STATES for i, b in enumerate(STATES)}
    assert expected_next(spec) == want


def test_check_tree_with_a_kernel_root(spec: Spec) -> None:
    # The fixture's tables are transcribed by hand from the kernel; the FSM
    # engine's table for the bundled spec agrees with every entry.
    assert in_kernel(spec, TREES / "kernel") == []


def test_kernel_tree_entry_that_differs(spec: Spec, tmp_path: Path) -> None:
    kernel = tmp_path / "kernel"
    shutil.copytree(TREES / "kernel", kernel)
    main = kernel / "drivers" / "vfio" / "vfio_main.c"
    lines = main.read_text().splitlines(keepends=True)
    # RUNNING -> STOP as a device without P2P would step, not through RUNNING_P2P.
    row = lines.index("\t\t[VFIO_DEVICE_STATE_RUNNING] = {\n")
    assert lines[row + 1] == ("\t\t\t[VFIO_DEVICE_STATE_STOP] = VFIO_DEVICE_STATE_RUNNING_P2P,\n")
    lines[row + 1] = "\t\t\t[VFIO_DEVICE_STATE_STOP] = VFIO_DEVICE_STATE_STOP,\n"
    main.write_text("".join(lines))
    assert in_kernel(spec, kernel) == [("check-kernel-next", "drivers/vfio/vfio_main.c", row + 2)]


def test_spec_without_error_state_leaves_the_next_table_unchecked(spec: Spec) -> None:
    no_error = replace(spec, states=tuple(replace(s, error=False) for s in spec.states))
    assert expected_next(no_error) is None
    assert in_kernel(no_error, TREES / "kernel") == [
        # "any -> ERROR": the spec has no error state for it
        ("check-comment-arc", "include/uapi/linux/vfio.h", 88),
        ("check-kernel-flags", "drivers/vfio/vfio_main.c", 158),  # ERROR's ~0U
        ("check-kernel-unchecked", "drivers/vfio/vfio_main.c", 63),
        ("check-kernel-walk", "drivers/vfio/vfio_main.c", 176),  # stops at ERROR
    ]


def test_kernel_loop_without_the_error_stop_hangs(spec: Spec, tmp_path: Path) -> None:
    """The kernel before the 2026 fix: STOP_COPY -> PRE_COPY(_P2P) spins forever."""
    kernel = tmp_path / "kernel"
    shutil.copytree(TREES / "kernel", kernel)
    main = kernel / "drivers/vfio/vfio_main.c"
    text = main.read_text()
    fixed = "*next_fsm != VFIO_DEVICE_STATE_ERROR &&"
    assert fixed in text
    main.write_text(text.replace(fixed, ""))
    diagnostics = [
        d for d in check_tree(spec, BASE, kernel) if d.location.path.startswith(str(kernel))
    ]
    rules = sorted({d.rule for d in diagnostics})
    assert rules == ["check-kernel-walk", "check-kernel-walk-hangs"]
    hangs = sorted(d.message for d in diagnostics if d.rule == "check-kernel-walk-hangs")
    assert hangs == [
        "request STOP_COPY -> PRE_COPY on a device with P2P+PRE_COPY never ends: the loop keeps returning ERROR",
        "request STOP_COPY -> PRE_COPY on a device with PRE_COPY never ends: the loop keeps returning ERROR",
        "request STOP_COPY -> PRE_COPY_P2P on a device with P2P+PRE_COPY never ends: the loop keeps returning ERROR",
    ]


def test_kernel_root_without_the_files(spec: Spec, tmp_path: Path) -> None:
    diagnostics = check_tree(spec, BASE, tmp_path)
    missing = sorted(d.location.path for d in diagnostics if d.rule == "check-file-missing")
    assert missing == [
        f"{tmp_path}/drivers/vfio/vfio_main.c",
        f"{tmp_path}/include/uapi/linux/vfio.h",
    ]


def test_kernel_uapi_enum_sentinels_are_no_states(spec: Spec, tmp_path: Path) -> None:
    """The kernel's enum ends in VFIO_DEVICE_STATE_NR since 2024: a count, not a state;
    another bound is a state only until the spec names it in machine.c.sentinels."""
    kernel = tmp_path / "kernel"
    shutil.copytree(TREES / "kernel", kernel)
    header = kernel / "include/uapi/linux/vfio.h"
    text = header.read_text()
    last = "\tVFIO_DEVICE_STATE_PRE_COPY_P2P = 7,\n"
    assert last in text
    header.write_text(text.replace(last, last + "\tVFIO_DEVICE_STATE_NR,\n"))
    assert in_kernel(spec, kernel) == []
    header.write_text(text.replace(last, "\tVFIO_DEVICE_STATE_ANY = 0xff,\n" + last))
    row = text.splitlines().index(last.rstrip("\n")) + 1
    assert in_kernel(spec, kernel) == [("check-enum-extra", "include/uapi/linux/vfio.h", row)]
    declared = replace(spec, machine=replace(spec.machine, sentinels=("VFIO_DEVICE_STATE_ANY",)))
    assert in_kernel(declared, kernel) == []
