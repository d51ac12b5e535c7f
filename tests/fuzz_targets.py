"""Fuzz targets: one function per reader, taking bytes, asserting the properties.

Used by ``tests/test_fuzz_readers.py`` (hypothesis, few examples, derandomized)
and by ``bench/fuzz_long.py`` (hypothesis or atheris, as many as you like).
Each target feeds its input to a reader (and what follows it: the linter,
the renderers, the C, rst and kernel readers' queries) and checks that no
exception escapes, that the output is diagnostics, and that every located
diagnostic lies inside the input.

:func:`mutate` makes the inputs: a valid file (the bundled spec, the fixture
tree's C, rst and trace-events) with lines deleted, duplicated or swapped,
bytes flipped, tabs and language-specific snippets inserted, or cut short.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from migspec.diagnostics import Diagnostic

from .located import assert_located

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "trees" / "base"
KERNEL = ROOT / "tests" / "trees" / "kernel"

SEEDS: dict[str, tuple[Path, ...]] = {
    "spec": (ROOT / "spec" / "vfio-migration.yaml", ROOT / "tests" / "specs" / "mirror-small.yaml"),
    "trace": (BASE / "hw/vfio/trace-events",),
    "c": (
        BASE / "hw/vfio/migration.c",
        BASE / "hw/vfio/common.c",
        BASE / "linux-headers/linux/vfio.h",
        KERNEL / "drivers/vfio/vfio_main.c",
    ),
    "rst": (BASE / "docs/devel/vfio-migration.rst",),
}

# Snippets worth inserting, per language: the syntax a reader turns on.
SNIPPETS: dict[str, tuple[bytes, ...]] = {
    "spec": (
        b": ",
        b"- ",
        b"[",
        b"]",
        b"{",
        b"}",
        b",",
        b"&a ",
        b"*a",
        b"'",
        b'"',
        b"#",
        b"? ",
        b"!!python/object/apply:os.system ['true'] ",
        b"!x ",
        b"---\n",
        b"...\n",
        b"<<: *a\n",
        b"9" * 120,
        b"0x" + b"f" * 120,
        b"\\u2028",
        b"\xe2\x80\xa8",
        b"|\n",
        b">-\n",
        b"~",
        b"\xef\xbb\xbf",
        b"\x00",
        b"\xff",
        b"\r",
        b"\n  ",
        b"name: X\n",
        b"value: -1",
    ),
    "trace": (
        b"(",
        b")",
        b'"',
        b",",
        b"%",
        b'"PRIx64"',
        b"void",
        b"disable ",
        b"vcpu ",
        b"#",
        b"# x.c\n",
        b"%m",
        b"\\n",
        b"int a",
        b"const char *s",
        b"uint64_t",
        b"\x00",
        b"\xff",
        b"\r",
        b"\t",
        b" " * 40,
        b"(" * 50,
        b"%" * 30,
        b"\\",
        b"\x01",
        b"\x02",
        b"%\x01",
    ),
    "c": (
        b"{",
        b"}",
        b"(",
        b")",
        b";",
        b"#ifdef X\n",
        b"#else\n",
        b"#endif\n",
        b"#define X ",
        b"/*",
        b"*/",
        b"//",
        b'"',
        b"'",
        b"\\",
        b"case VFIO_DEVICE_STATE_STOP:",
        b'return "STOP";',
        b"||",
        b"&&",
        b"!",
        b" ? ",
        b" : ",
        b"==",
        b"!=",
        b"<%",
        b"%>",
        b"(" * 60,
        b"!" * 150,
        b"\x00",
        b"\xff\xfe",
        b"\r",
        b"\t",
        b"\xe2\x80\xae",
        b"vfio_migration_set_state(vbasedev, ",
        b"trace_vfio_save_setup(",
        b".save_setup = ",
    ),
    "rst": (
        b"::\n\n",
        b"|",
        b"||",
        b"(RUNNING, _NONE, _RUNNING)",
        b"[",
        b"]",
        b"(",
        b")",
        b"\n====\n",
        b"\n----\n",
        b".. include:: /etc/passwd\n",
        b".. raw:: html\n",
        b"- ",
        b"\t",
        b" " * 40,
        b"\x0c",
        b"\xe2\x80\xa8",
        b"\x00",
        b"\xff",
        b"\r",
        b"Live migration save path\n------------------------\n",
        b"`",
        b"*",
        b"_",
    ),
}

OPS = ("delete", "duplicate", "swap", "flip", "insert", "tab", "truncate")


@dataclass(frozen=True, slots=True)
class Op:
    kind: str
    a: int
    b: int
    value: int


def mutate(data: bytes, ops: Sequence[Op], snippets: Sequence[bytes]) -> bytes:
    """``data`` with each of ``ops`` applied; positions wrap around, so any ints do."""
    for op in ops:
        lines = data.split(b"\n")
        if op.kind == "delete" and len(lines) > 1:
            del lines[op.a % len(lines)]
            data = b"\n".join(lines)
        elif op.kind == "duplicate":
            i = op.a % len(lines)
            lines.insert(i, lines[i])
            data = b"\n".join(lines)
        elif op.kind == "swap":
            i, j = op.a % len(lines), op.b % len(lines)
            lines[i], lines[j] = lines[j], lines[i]
            data = b"\n".join(lines)
        elif op.kind == "flip" and data:
            i = op.a % len(data)
            data = data[:i] + bytes([op.value % 256]) + data[i + 1 :]
        elif op.kind == "insert":
            i = op.a % (len(data) + 1)
            data = data[:i] + snippets[op.value % len(snippets)] + data[i:]
        elif op.kind == "tab":
            i = op.a % (len(data) + 1)
            data = data[:i] + b"\t" + data[i:]
        elif op.kind == "truncate":
            data = data[: op.a % (len(data) + 1)]
    return data


@cache
def seed_bytes(kind: str) -> tuple[bytes, ...]:
    return tuple(p.read_bytes() for p in SEEDS[kind])


@cache
def _rule_ids() -> frozenset[str]:
    from migspec.rules import all_rules

    return frozenset(r.id for r in all_rules())


def _diagnostics_only(diagnostics: Sequence[object], data: bytes, path: str) -> None:
    for d in diagnostics:
        assert isinstance(d, Diagnostic), d
        assert d.rule in _rule_ids(), d.rule
        assert d.message.strip(), d
    assert_located(diagnostics, {path: data})  # type: ignore[arg-type]


# -- the targets -----------------------------------------------------------------------


def fuzz_spec(data: bytes) -> None:
    """Loader, linter and the text renderers on spec bytes."""
    from migspec.lint.spec import lint_spec
    from migspec.load.spec import load_spec_text
    from migspec.load.text import decode_text
    from migspec.rules import all_rules

    text, diagnostics = decode_text(data, "f.yaml")
    if text is None:
        assert diagnostics
        _diagnostics_only(diagnostics, data, "f.yaml")
        return
    result = load_spec_text(text, "f.yaml")
    out = list(result.diagnostics)
    if result.spec is not None:
        out += lint_spec(result.spec, catalogue=all_rules)
        _render(result.spec)
    else:
        assert out, "a spec that does not load must say why"
    _diagnostics_only(out, data, "f.yaml")


def _render(spec: object) -> None:
    from migspec.model import Spec
    from migspec.render.c import render_c_enum, render_predicates, render_to_str
    from migspec.render.dot import render_flow_dot, render_fsm_dot
    from migspec.render.flow_rst import render_flow_rst
    from migspec.render.trace import render_trace_events

    assert isinstance(spec, Spec)
    render_trace_events(spec)
    render_c_enum(spec)
    render_to_str(spec)
    render_predicates(spec)
    render_fsm_dot(spec, show_refused=True)
    for flow in spec.flows:
        render_flow_rst(spec, flow)
        render_flow_dot(spec, flow)


def fuzz_trace(data: bytes) -> None:
    from migspec.lint.trace_files import lint_trace_file
    from migspec.load.trace_events import read_trace_bytes

    tf = read_trace_bytes(data, "trace-events")
    out = lint_trace_file(tf)
    if not tf.readable:
        assert out
    _diagnostics_only(out, data, "trace-events")


@cache
def _c_reader() -> object:
    from migspec.source.c import CReader

    return CReader()


def fuzz_c(data: bytes) -> None:
    """Every query the check makes of a C file, with the bundled spec's names."""
    from migspec.source.c import (
        CReader,
        read_enum,
        read_predicate,
        read_to_string,
        registrations,
        setter_calls,
        trace_calls,
    )
    from migspec.source.kernel import read_kernel_tables

    reader = _c_reader()
    assert isinstance(reader, CReader)
    cfile = reader.parse_bytes(data, "f.c")
    out: list[Diagnostic] = []
    out += read_to_string(cfile, "mig_state_to_str")[1]
    for fn in ("vfio_device_state_is_running", "vfio_device_state_is_precopy"):
        out += read_predicate(cfile, fn, "migration->device_state")[1]
    enum = read_enum(cfile, "vfio_device_mig_state")
    calls, found = setter_calls(
        cfile,
        {"vfio_migration_set_state": (1, 2), "vfio_migration_set_state_or_reset": (1, None)},
        "VFIO_DEVICE_STATE_",
    )
    out += found
    out += registrations(
        cfile,
        frozenset({"save_setup", "save_cleanup", "load_setup", "load_cleanup", "vmstate_change"}),
        {"qdev_add_vm_change_state_handler": [(1, "vmstate_change")]},
    )[1]
    out += read_kernel_tables(
        cfile,
        function="vfio_mig_get_next_state",
        next_table="vfio_from_fsm_table",
        flags_table="state_flags_table",
        error_constant="VFIO_DEVICE_STATE_ERROR",
    )[1]
    facts = [c.location for c in calls] + [t.location for t in trace_calls(cfile)]
    if enum is not None:
        facts += [k.location for k in enum.constants]
    _diagnostics_only(out, data, "f.c")
    from migspec.diagnostics import Severity

    assert_located(
        [Diagnostic(rule="fact", severity=Severity.NOTE, message="-", location=f) for f in facts],
        {"f.c": data},
    )


SECTIONS = ("Live migration save path", "Live migration resume path")


def fuzz_rst(data: bytes) -> None:
    from migspec.diagnostics import Severity
    from migspec.source.rst import parse_flows

    text = data.decode("utf-8", errors="replace")  # as the check reads rst
    flows, out = parse_flows(text, "f.rst", SECTIONS)
    if flows is None:
        assert out
    else:
        lines = [
            Diagnostic(rule="fact", severity=Severity.NOTE, message="-", location=line.location)
            for flow in flows.flows.values()
            for step in flow.steps
            for line in step.lines
        ]
        assert_located(lines, {"f.rst": text.encode("utf-8")})
    _diagnostics_only(out, text.encode("utf-8"), "f.rst")


TARGETS: dict[str, Callable[[bytes], None]] = {
    "spec": fuzz_spec,
    "trace": fuzz_trace,
    "c": fuzz_c,
    "rst": fuzz_rst,
}
