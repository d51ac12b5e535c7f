"""Hostile inputs too big (or too regular) to commit: built at run time.

Each entry of :data:`GENERATED` is a case of the hostile corpus whose sidecar
(``<kind>/<name>.expected``) is committed but whose input is produced here,
into a temporary folder, when the test runs.  :func:`truncations` makes the
"cut at every N bytes of a valid file" families.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIRROR = ROOT / "tests" / "specs" / "mirror-small.yaml"
BASE = ROOT / "tests" / "trees" / "base"

MIB = 1024 * 1024


def _spec_50mb() -> bytes:
    """A valid spec followed by 50 MB of comment lines: over the 8 MiB limit."""
    line = b"# " + b"padding " * 12 + b"\n"
    return MIRROR.read_bytes() + line * (50 * MIB // len(line))


def _spec_7mb() -> bytes:
    """Just under the 8 MiB limit: read, parsed and linted in full."""
    line = b"# " + b"padding " * 12 + b"\n"
    return MIRROR.read_bytes() + line * (7 * MIB // len(line))


def _spec_largest_allowed() -> bytes:
    """64 states, 6 optional features, every arc: the worst case the limits let through."""
    out = [
        "migspec: 1",
        "machine: {name: big, c: {enum: big_state, prefix: BIG_}}",
        "features:",
        "  - {name: BASE, macro: BIG_F, bit: 0, mandatory: true}",
    ]
    out += [f"  - {{name: F{i}, macro: BIG_F{i}, bit: {i + 1}}}" for i in range(6)]
    out += ["states:", "  - {name: ERR, value: 0, error: true}"]
    for i in range(63):
        extra = ", initial: true" if i == 0 else ""
        if i % 3 == 2:
            extra += f", features: [F{i % 6}]"
        out.append(f"  - {{name: S{i}, value: {i + 1}{extra}}}")
    out.append("arcs:")
    for i in range(63):
        for j in range(63):
            if i == j:
                continue
            needs = sorted({f"F{x % 6}" for x in (i, j) if x % 3 == 2})
            feats = f", features: [{', '.join(needs)}]" if needs else ""
            out.append(f"  - {{from: S{i}, to: S{j}{feats}}}")
    return ("\n".join(out) + "\n").encode()


def _spec_many_nodes() -> bytes:
    """A list of 250k scalars: over the node budget, stopped before it is all built."""
    return MIRROR.read_bytes() + b"x: [" + b"a, " * 250_000 + b"a]\n"


def _spec_deep_flow() -> bytes:
    return b"migspec: 1\nmachine: " + b"[" * 100_000 + b"]" * 100_000 + b"\n"


def _trace_10k_args() -> bytes:
    args = ", ".join(f"int a{i}" for i in range(10_000))
    fmt = " ".join("%d" for _ in range(10_000))
    return f'# big.c\nbig_event({args}) "{fmt}"\n'.encode()


def _trace_200k_lines() -> bytes:
    out = ["# big.c"]
    out += [f'ev{i:06d}(int a) "a %d"' for i in range(200_000)]
    return ("\n".join(out) + "\n").encode()


def _trace_over_limit() -> bytes:
    line = b'ev(int a) "' + b"x" * 100 + b'"\n'
    return line * (9 * MIB // len(line))


def _trace_long_line() -> bytes:
    return b'ev(int a) "' + b"%d " * 300_000 + b'"\n'


def _c_100k_lines() -> bytes:
    """The fixture's to-string function after 100k lines of plain helpers."""
    lines: list[str] = []
    i = 0
    while len(lines) < 100_000:
        lines += [
            f"static int helper_{i}(int x)",
            "{",
            f"    if (x > {i}) {{",
            f"        return x - {i};",
            "    }",
            "    return x + 1;",
            "}",
            "",
        ]
        i += 1
    base = (BASE / "hw/vfio/migration.c").read_text()
    start = base.index("static const char *mig_state_to_str")
    end = base.index("static int vfio_migration_set_state")
    return ("\n".join(lines) + "\n" + base[start:end]).encode()


def _c_deep_parens() -> bytes:
    """A predicate wrapped in 50k parentheses (tree-sitter nests them all)."""
    n = 50_000
    body = "(" * n + "migration->device_state == VFIO_DEVICE_STATE_RUNNING" + ")" * n
    return (
        "bool vfio_device_state_is_running(VFIODevice *vbasedev)\n{\n"
        "    VFIOMigration *migration = vbasedev->migration;\n\n"
        f"    return {body};\n}}\n"
    ).encode()


def _c_long_or_chain() -> bytes:
    """A predicate of 20k comparisons (the two right constants, over and over), one line."""
    terms = " || ".join(
        f"migration->device_state == VFIO_DEVICE_STATE_RUNNING{'_P2P' if i % 2 else ''}"
        for i in range(20_000)
    )
    return (
        "bool vfio_device_state_is_running(VFIODevice *vbasedev)\n{\n"
        "    VFIOMigration *migration = vbasedev->migration;\n\n"
        f"    return {terms};\n}}\n"
    ).encode()


def _c_nested_calls() -> bytes:
    """One setter call at the bottom of 20k nested calls, all on one line."""
    n = 20_000
    call = (
        "wrap(" * n
        + ("vfio_migration_set_state(vbasedev, VFIO_DEVICE_STATE_STOP, VFIO_DEVICE_STATE_ERROR)")
        + ")" * n
    )
    return f"static void vfio_save_cleanup(void *opaque)\n{{\n    {call};\n}}\n".encode()


def _c_ternary_chain() -> bytes:
    n = 5_000
    value = "c ? VFIO_DEVICE_STATE_STOP : " * n + "VFIO_DEVICE_STATE_RUNNING"
    return (
        "static void vfio_save_cleanup(void *opaque)\n{\n"
        f"    vfio_migration_set_state(vbasedev, {value}, VFIO_DEVICE_STATE_ERROR);\n}}\n"
    ).encode()


def _rst_huge_line() -> bytes:
    return (
        b"Live migration save path\n========================\n\n::\n\n"
        b"   (RUNNING, _NONE, _RUNNING)\n   " + b"x" * 1_000_000 + b"\n"
    )


def _rst_deep_nesting() -> bytes:
    return b"Title\n=====\n\n" + b"".join(b" " * (2 * i) + b"- x\n\n" for i in range(2000))


def _rst_100k_lines() -> bytes:
    """The fixture's drawings after 100k lines of prose and literal blocks."""
    prose = "".join(
        f"Paragraph {i} says nothing of note about device state.\n\n::\n\n   block {i}\n\n"
        for i in range(20_000)
    )
    base = (BASE / "docs/devel/vfio-migration.rst").read_text()
    head, _, tail = base.partition("Flows\n=====\n")
    return (head + "Filler\n======\n\n" + prose + "Flows\n=====\n" + tail).encode()


GENERATED: dict[str, Callable[[], bytes]] = {
    "spec/size-50mb": _spec_50mb,
    "spec/size-7mb-comments": _spec_7mb,
    "spec/largest-allowed": _spec_largest_allowed,
    "spec/nodes-250k": _spec_many_nodes,
    "spec/nesting-100k-flow": _spec_deep_flow,
    "trace/args-10k": _trace_10k_args,
    "trace/lines-200k": _trace_200k_lines,
    "trace/size-9mb": _trace_over_limit,
    "trace/line-900k-chars": _trace_long_line,
    "c/lines-100k": _c_100k_lines,
    "c/parens-50k": _c_deep_parens,
    "c/or-chain-20k": _c_long_or_chain,
    "c/nested-calls-20k": _c_nested_calls,
    "c/ternary-chain-5k": _c_ternary_chain,
    "rst/line-1m-chars": _rst_huge_line,
    "rst/nesting-2000": _rst_deep_nesting,
    "rst/lines-100k": _rst_100k_lines,
}


# -- truncation families ------------------------------------------------------------

# (kind, valid file, step in bytes): each file is cut after 0, step, 2*step, ... bytes.
TRUNCATED = (
    ("spec", MIRROR, 61),
    ("trace", BASE / "hw/vfio/trace-events", 67),
    ("c", BASE / "hw/vfio/migration.c", 509),
    ("rst", BASE / "docs/devel/vfio-migration.rst", 113),
)


def truncations() -> Iterator[tuple[str, str, bytes]]:
    """(kind, case id, bytes) for every cut of every valid file in :data:`TRUNCATED`."""
    for kind, path, step in TRUNCATED:
        data = path.read_bytes()
        for cut in range(0, len(data), step):
            yield kind, f"{kind}/truncated-{path.name}@{cut}", data[:cut]
