"""``migspec table --format c``: valid kernel C that, compiled and run, is the kernel's lookup.

The harness is ours: it defines the uAPI enum and flag macros, includes the
generated tables inside a lookup function (they are written at function-body
indentation, as in the kernel), and runs the skip walk the spec describes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from migspec.cli import main

from .conftest import SEED_SPEC
from .kernel_truth import KERNEL_FLAGS, KERNEL_NEXT, STATES

HARNESS = Path(__file__).parent / "fixtures" / "kernel_table_harness.c"

VALUES = {
    "ERROR": 0,
    "STOP": 1,
    "RUNNING": 2,
    "STOP_COPY": 3,
    "RESUMING": 4,
    "RUNNING_P2P": 5,
    "PRE_COPY": 6,
    "PRE_COPY_P2P": 7,
}
BITS = {"STOP_COPY": 1, "P2P": 2, "PRE_COPY": 4}
GCC = shutil.which("gcc")


def render_c(capsys: pytest.CaptureFixture[str]) -> str:
    assert main(["table", "--format", "c", "--spec", str(SEED_SPEC)]) == 0
    return capsys.readouterr().out


def write(tmp_path: Path, table: str) -> Path:
    (tmp_path / "table.inc").write_text(table)
    harness = tmp_path / "harness.c"
    harness.write_text(HARNESS.read_text())
    return harness


def test_kernel_style(capsys: pytest.CaptureFixture[str]) -> None:
    text = render_c(capsys)
    lines = text.splitlines()
    # Function-body indentation with tabs, never spaces.
    assert all(line == "" or line.startswith("\t") for line in lines)
    assert not any(line.startswith("\t ") and not line.startswith("\t *") for line in lines)
    assert (
        "\tstatic const u8 vfio_from_fsm_table[VFIO_DEVICE_NUM_STATES][VFIO_DEVICE_NUM_STATES] = {"
        in lines
    )
    assert "\tstatic const unsigned int state_flags_table[VFIO_DEVICE_NUM_STATES] = {" in lines
    assert "\tenum { VFIO_DEVICE_NUM_STATES = VFIO_DEVICE_STATE_PRE_COPY_P2P + 1 };" in lines
    assert "\t\t\t[VFIO_DEVICE_STATE_STOP_COPY] = VFIO_DEVICE_STATE_PRE_COPY_P2P," in lines
    assert "\t\t[VFIO_DEVICE_STATE_ERROR] = ~0U," in lines
    # The comment carries the arcs per kind of driver and the combinations.
    comment = text[text.index("/*\n") : text.index("*/\n\tstatic")]
    assert "\t *         PRE_COPY -> PRE_COPY_P2P -> STOP_COPY\n" in comment
    assert "\t * The following transitions are blocked:\n" in comment
    assert "\t *         STOP_COPY -> PRE_COPY_P2P\n" in comment
    assert "A PRE_COPY driver implements the arcs of a driver with no optional" in comment
    assert max(len(line.expandtabs(8)) for line in comment.splitlines()) <= 80


@pytest.mark.skipif(GCC is None, reason="gcc is not installed")
def test_generated_tables_are_valid_c(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    harness = write(tmp_path, render_c(capsys))
    assert GCC is not None
    proc = subprocess.run(
        [
            GCC,
            "-fsyntax-only",
            "-std=gnu11",
            "-Wall",
            "-Wextra",
            "-Woverride-init",
            "-Werror",
            str(harness),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


@pytest.mark.skipif(GCC is None, reason="gcc is not installed")
def test_compiled_lookup_is_the_kernel_lookup(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Every request on every kind of device, answered by the generated C."""
    harness = write(tmp_path, render_c(capsys))
    assert GCC is not None
    exe = tmp_path / "harness"
    subprocess.run(
        [GCC, "-std=gnu11", "-O0", "-o", str(exe), str(harness)], check=True, cwd=tmp_path
    )
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    names = {v: k for k, v in VALUES.items()}
    rows = [tuple(int(x) for x in line.split()) for line in out.splitlines()]
    assert len(rows) == 4 * 8 * 8
    for flags, cur, want, ret, nxt in rows:
        device = {f for f, bit in BITS.items() if flags & bit}
        c, w = names[cur], names[want]
        fc, fw = KERNEL_FLAGS[c], KERNEL_FLAGS[w]
        if fc is None or fw is None or not fc <= device or not fw <= device:
            assert ret == -22
            continue
        # The walk over the kernel's own table, by hand.
        step = KERNEL_NEXT[c][STATES.index(w)]
        while step != "ERROR" and not (KERNEL_FLAGS[step] or set()) <= device:
            step = KERNEL_NEXT[step][STATES.index(w)]
        assert (ret, names[nxt]) == ((0, step) if step != "ERROR" else (-22, "ERROR")), (
            device,
            c,
            w,
        )


def test_c_needs_the_kernel_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = SEED_SPEC.read_text()
    cut = text[: text.index("  kernel:")]
    path = tmp_path / "nokernel.yaml"
    path.write_text(cut)
    assert main(["table", "--format", "c", "--spec", str(path)]) == 2
    assert "no 'code: kernel:' section" in capsys.readouterr().err


TOY_KERNEL = """\
code:
  kernel: {file: toy.c, function: toy_next_state, next_table: toy_next,
           flags_table: toy_flags, header: toy.h}
"""


@pytest.mark.skipif(GCC is None, reason="gcc is not installed")
def test_any_machine_renders_to_valid_c(tmp_path: Path) -> None:
    """Names, prefix, flags and the count constant all come from the spec."""
    from migspec.render.kernel import render_kernel_table

    from .fsm_machines import load, toy_yaml

    spec = load(
        toy_yaml(
            ["IDLE", "BUSY", "TURBO"],
            ["IDLE BUSY", "BUSY IDLE", "BUSY TURBO [FAST]", "TURBO BUSY [FAST]"],
            optional=["FAST"],
            needs={"TURBO": ["FAST"]},
            extra=TOY_KERNEL,
        )
    )
    text = render_kernel_table(spec)
    assert "\tstatic const u8 toy_next[TOY_NUM_STATES][TOY_NUM_STATES] = {" in text
    assert "\t\t[TOY_TURBO] = TOY_BASE | TOY_FAST," in text
    assert "\t\t[TOY_IDLE] = 0," in text  # as the spec says: needs no feature
    assert "\t *         IDLE -> BUSY -> TURBO\n" in text
    assert "\t * A FAST driver also implements:\n" in text
    enum = ",\n".join(f"\tTOY_{s.name} = {s.value}" for s in spec.states_by_value)
    (tmp_path / "table.inc").write_text(text)
    harness = tmp_path / "toy.c"
    harness.write_text(
        "typedef unsigned char u8;\n"
        f"enum toy_state {{\n{enum}\n}};\n"
        "#define TOY_BASE (1 << 0)\n#define TOY_FAST (1 << 1)\n"
        "int next_of(int cur, int want);\n"
        'int next_of(int cur, int want)\n{\n#include "table.inc"\n'
        "\treturn toy_next[cur][want] + (int)toy_flags[cur];\n}\n"
    )
    assert GCC is not None
    proc = subprocess.run(
        [
            GCC,
            "-fsyntax-only",
            "-std=gnu11",
            "-Wall",
            "-Wextra",
            "-Woverride-init",
            "-Werror",
            str(harness),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr


def test_the_bound_is_the_spec_s_to_name() -> None:
    """``code.kernel.bound`` names the constant both tables are sized by;
    without it, the prefix's spelling (TOY_ -> TOY_NUM_STATES) stands."""
    from migspec.expect.kernel import expected_bound
    from migspec.render.kernel import render_kernel_table

    from .fsm_machines import load, toy_yaml

    named = TOY_KERNEL.replace("header: toy.h}", "header: toy.h, bound: TOY_STATE_COUNT}")
    spec = load(toy_yaml(["IDLE", "BUSY"], ["IDLE BUSY", "BUSY IDLE"], extra=named))
    assert expected_bound(spec).name == "TOY_STATE_COUNT"
    text = render_kernel_table(spec)
    assert "\tenum { TOY_STATE_COUNT = TOY_BUSY + 1 };" in text
    assert "toy_next[TOY_STATE_COUNT][TOY_STATE_COUNT]" in text
    plain = load(toy_yaml(["IDLE", "BUSY"], ["IDLE BUSY", "BUSY IDLE"], extra=TOY_KERNEL))
    assert expected_bound(plain).name == "TOY_NUM_STATES"
