"""The kernel table reader on the fixture kernel tree and on small variants."""

from __future__ import annotations

from migspec.diagnostics import Diagnostic
from migspec.source.c import CReader
from migspec.source.kernel import KernelRead, read_kernel_tables

from .source_trees import TREES

KERNEL = TREES / "kernel"
P = "VFIO_DEVICE_STATE_"


def read(text: str | None = None) -> tuple[KernelRead, list[Diagnostic]]:
    reader = CReader()
    if text is None:
        cfile, _ = reader.parse(KERNEL / "drivers/vfio/vfio_main.c", "vfio_main.c")
        assert cfile is not None
    else:
        cfile = reader.parse_bytes(text.encode(), "k.c")
    return read_kernel_tables(
        cfile,
        function="vfio_mig_get_next_state",
        next_table="vfio_from_fsm_table",
        flags_table="state_flags_table",
        error_constant=P + "ERROR",
    )


def test_fixture_tables() -> None:
    parsed, diagnostics = read()
    assert diagnostics == []
    assert parsed.function is not None and parsed.function.line == 21
    assert len(parsed.next_table) == 64
    entry = parsed.next_table[(P + "RUNNING", P + "STOP")]
    assert entry.name == P + "RUNNING_P2P"
    assert parsed.next_table[(P + "STOP_COPY", P + "PRE_COPY")].name == P + "ERROR"
    flags = parsed.flags_table
    assert flags[P + "PRE_COPY_P2P"].macros == {
        "VFIO_MIGRATION_STOP_COPY",
        "VFIO_MIGRATION_P2P",
        "VFIO_MIGRATION_PRE_COPY",
    }
    assert flags[P + "ERROR"].all_bits and not flags[P + "STOP"].all_bits
    assert parsed.skip_loop is not None and parsed.stop_at_error


LOOP = """\
int vfio_mig_get_next_state(struct vfio_device *device, int cur_fsm, int new_fsm,
\t\t\t    int *next_fsm)
{{
\tstatic const u8 vfio_from_fsm_table[2][2] = {{
\t\t[{p}STOP] = {{ [{p}STOP] = {p}STOP, [{p}ERROR] = {p}ERROR }},
\t\t[{p}ERROR] = {{ [{p}STOP] = {p}ERROR, [{p}ERROR] = 3 }},
\t}};
\tstatic const unsigned int state_flags_table[2] = {{
\t\t[{p}STOP] = VFIO_MIGRATION_STOP_COPY,
\t\t[{p}ERROR] = compute_flags(),
\t}};
\t*next_fsm = vfio_from_fsm_table[cur_fsm][new_fsm];
\t{loop}
\t\t*next_fsm = vfio_from_fsm_table[*next_fsm][new_fsm];
\treturn 0;
}}
"""


def test_loop_without_error_stop_and_odd_entries() -> None:
    text = LOOP.format(
        p=P,
        loop="while ((state_flags_table[*next_fsm] & device->migration_flags) !=\n"
        "\t\t\tstate_flags_table[*next_fsm])",
    )
    parsed, diagnostics = read(text)
    assert parsed.skip_loop is not None and parsed.skip_loop.line == 13
    assert not parsed.stop_at_error
    assert len(parsed.next_table) == 3
    assert [(d.rule, d.location.line) for d in diagnostics] == [
        ("check-c-form", 6),  # "= 3" is not a state constant
        ("check-c-form", 10),  # a call is neither 'A | B' nor '~0U'
    ]


def test_error_stop_on_either_side_of_the_conjunction() -> None:
    text = LOOP.format(
        p=P,
        loop="while ((state_flags_table[*next_fsm] & flags) != state_flags_table[*next_fsm] &&\n"
        f"\t       ({P}ERROR != *next_fsm))",
    )
    parsed, _ = read(text)
    assert parsed.stop_at_error


def test_no_function_no_tables() -> None:
    parsed, diagnostics = read("int other(void) { return 0; }\n")
    assert diagnostics == []
    assert (
        parsed.function is None and parsed.next_location is None and parsed.flags_location is None
    )
    assert parsed.skip_loop is None


def test_a_long_conjunction_is_read_without_recursion() -> None:
    terms = " && ".join(f"x{i}" for i in range(5000))
    table, _ = read(
        "int vfio_mig_get_next_state(int cur, int new, int *next)\n{\n"
        "    static const unsigned int state_flags_table[2] = { [0] = ~0U };\n"
        f"    while ((state_flags_table[*next] & flags) != 0 && {terms} && "
        f"*next != {P}ERROR)\n        *next = 0;\n    return 0;\n}}\n"
    )
    assert table.skip_loop is not None and table.stop_at_error
