"""The hostile-input corpus: every reader, and the CLI on it, bounded.

``tests/hostile/<kind>/<case>.expected`` names a case; its input is the
sibling file (``.yaml``, ``.trace-events``, ``.c``, ``.rst``) or, for inputs
too big to commit, a generator in :mod:`tests.hostile.generators`.  The
sidecar holds ``clean`` or one ``rule-id line[:col]`` per diagnostic located
in the case's file, in output order; ``#`` lines are comments, and two of them
are directives: ``# place: REL`` (where a C or rst case goes in the tree;
``kernel:REL`` for the kernel tree) and ``# cpu: N`` (the case's CPU bound in
seconds, for the generated scale cases).

Each case runs through its reader in-process (the spec loader and linter,
the trace-events reader and linter, or ``check`` on a copy of
``tests/trees/base`` holding the file), then through the CLI (``lint``,
``lint --trace-events``, ``check``; ``generate`` for specs that load) in a
subprocess limited to :data:`MEMORY` bytes of address space and ``cpu``
seconds of CPU (:data:`CPU` unless the sidecar says otherwise), with a
wall-clock timeout.  Every run must give the expected diagnostics, no
traceback, the documented exit code (0 clean, 1 findings, 2 unreadable
input), and only diagnostics located inside their files.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from migspec.artefacts import run_check
from migspec.diagnostics import Diagnostic, Policy, Severity
from migspec.lint.spec import lint_spec
from migspec.lint.trace_files import lint_trace_file
from migspec.load.spec import load_spec
from migspec.load.trace_events import read_trace_events
from migspec.model import Spec
from migspec.rules import all_rules

from .conftest import ROOT, SEED_SPEC
from .hostile.generators import GENERATED, truncations
from .located import assert_located

HOSTILE = ROOT / "tests" / "hostile"
BASE = ROOT / "tests" / "trees" / "base"
KERNEL = ROOT / "tests" / "trees" / "kernel"

# The bounds every CLI run is held to: a case over them fails.
MEMORY = 1024**3  # RLIMIT_AS, bytes of address space
CPU = 2  # RLIMIT_CPU, seconds (a sidecar's "# cpu: N" raises it for scale cases)
WALL_FACTOR = 5  # wall-clock timeout: CPU bound x this (a loaded CI machine), at least 10 s

UNREADABLE = {"input-unreadable", "input-encoding", "input-too-large"}
EXTENSIONS = {"spec": ".yaml", "trace": ".trace-events", "c": ".c", "rst": ".rst"}
PLACES = {
    "trace": "hw/vfio/trace-events",
    "c": "hw/vfio/migration.c",
    "rst": "docs/devel/vfio-migration.rst",
}


@dataclass(frozen=True)
class Expected:
    clean: bool
    diagnostics: tuple[tuple[str, int, int | None], ...]
    place: str | None
    cpu: int
    comments: tuple[str, ...] = field(default=())


def read_sidecar(path: Path) -> Expected:
    diagnostics: list[tuple[str, int, int | None]] = []
    clean = False
    place = None
    cpu = CPU
    comments = []
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            m = re.fullmatch(r"#\s*(place|cpu):\s*(\S+)", line)
            if m and m[1] == "place":
                place = m[2]
            elif m:
                cpu = int(m[2])
            else:
                comments.append(line)
            continue
        if line == "clean":
            clean = True
            continue
        m = re.fullmatch(r"([a-z][a-z0-9-]*) (\d+)(?::(\d+))?", line)
        assert m, f"{path}: bad line {raw!r}"
        diagnostics.append((m[1], int(m[2]), int(m[3]) if m[3] else None))
    assert clean != bool(diagnostics), f"{path}: say 'clean' or list diagnostics, not both"
    return Expected(clean, tuple(diagnostics), place, cpu, tuple(comments))


def cases() -> list[str]:
    out = []
    for kind in EXTENSIONS:
        for sidecar in sorted((HOSTILE / kind).glob("*.expected")):
            out.append(f"{kind}/{sidecar.stem}")
    return out


CASES = cases()


def case_bytes(case: str) -> bytes:
    kind, name = case.split("/", 1)
    data_file = HOSTILE / kind / (name + EXTENSIONS[kind])
    if data_file.is_file():
        assert case not in GENERATED, f"{case}: both a file and a generator"
        return data_file.read_bytes()
    assert case in GENERATED, f"{case}: no {data_file.name} and no generator"
    return GENERATED[case]()


def assert_expected(expected: Expected, got: Sequence[tuple[str, int, int]], where: str) -> None:
    if expected.clean:
        assert not got, f"{where}: expected clean, got {got}"
        return
    assert len(got) == len(expected.diagnostics), f"{where}: expected {expected}, got {got}"
    for (rule, line, col), (g_rule, g_line, g_col) in zip(expected.diagnostics, got, strict=True):
        assert (rule, line) == (g_rule, g_line) and col in (None, g_col), (
            f"{where}: expected {expected.diagnostics}, got {got}"
        )


# -- running the CLI under bounds -----------------------------------------------------


@dataclass(frozen=True)
class CliRun:
    code: int
    diagnostics: list[dict[str, object]]
    stderr: str


def run_cli(args: Sequence[str], cpu: int, cwd: Path) -> CliRun:
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))

    env = {**os.environ, "PYTHONPATH": str(ROOT / "ext")}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "migspec", *args],
            capture_output=True,
            cwd=cwd,
            env=env,
            preexec_fn=limits,
            timeout=max(10, WALL_FACTOR * cpu),
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"migspec {' '.join(args)}: over the wall-clock bound")
    stderr = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode >= 0, (
        f"migspec {' '.join(args[:2])}: killed by signal {-proc.returncode} "
        f"(over the {cpu} s CPU bound?)\n{stderr[-2000:]}"
    )
    assert "Traceback" not in stderr, stderr[-4000:]
    assert "MemoryError" not in stderr, stderr[-2000:]
    records: list[dict[str, object]] = []
    if "--format" in args and proc.stdout.strip():
        records = json.loads(proc.stdout)["diagnostics"]
    return CliRun(proc.returncode, records, stderr)


def _as_diagnostics(records: list[dict[str, object]]) -> list[Diagnostic]:
    from migspec.diagnostics import Location

    return [
        Diagnostic(
            rule=str(r["rule"]),
            severity=Severity.parse(str(r["severity"])),
            message=str(r["message"]),
            location=Location(str(r["path"]), int(str(r["line"])), int(str(r["column"]))),
        )
        for r in records
    ]


def _in_file(diagnostics: Iterable[Diagnostic], path: str) -> list[tuple[str, int, int]]:
    return [
        (d.rule, d.location.line, d.location.column)
        for d in sorted(diagnostics, key=Diagnostic.sort_key)
        if d.location.path == path
    ]


def _exit_for(diagnostics: Iterable[Diagnostic], unreadable: bool) -> int:
    if unreadable:
        return 2
    return 1 if any(d.severity >= Severity.ERROR for d in diagnostics) else 0


# -- one case ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> Spec:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    return result.spec


@dataclass(frozen=True)
class Placed:
    path: Path  # the case's file, where the readers see it
    tree: Path | None  # the QEMU tree holding it (c, rst, trace)
    kernel: Path | None  # the kernel tree, for kernel: places


def place(kind: str, name: str, data: bytes, where: str | None, tmp: Path) -> Placed:
    if kind == "spec":
        path = tmp / (name + ".yaml")
        path.write_bytes(data)
        return Placed(path, None, None)
    tree = tmp / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    kernel = None
    rel = where or PLACES[kind]
    if rel.startswith("kernel:"):
        kernel = tmp / "kernel"
        shutil.copytree(KERNEL, kernel)
        path = kernel / rel.removeprefix("kernel:")
    else:
        path = tree / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return Placed(path, tree, kernel)


def in_process(kind: str, placed: Placed, bundled: Spec) -> tuple[list[Diagnostic], bool]:
    """The reader's diagnostics (all files) and whether the input was unreadable."""
    if kind == "spec":
        result = load_spec(placed.path, display=str(placed.path))
        diagnostics = list(result.diagnostics)
        policy = Policy()
        if result.spec is not None:
            diagnostics += lint_spec(result.spec, catalogue=all_rules)
            policy = policy.merged(result.spec.disabled_rules)
        unreadable = result.spec is None and any(d.rule in UNREADABLE for d in diagnostics)
        return policy.filter(diagnostics), unreadable
    if kind == "trace":
        tf = read_trace_events(str(placed.path))
        return sorted(lint_trace_file(tf), key=Diagnostic.sort_key), not tf.readable
    assert placed.tree is not None
    result = run_check(bundled, placed.tree, placed.kernel)
    return result.diagnostics, False


def cli_runs(kind: str, placed: Placed) -> list[tuple[list[str], bool]]:
    """(arguments, whether the expected diagnostics apply) for each CLI run of a case."""
    fmt = ["--format", "json"]
    if kind == "spec":
        return [(["lint", "--spec", str(placed.path), *fmt], True)]
    assert placed.tree is not None
    check = ["check", "--spec", str(SEED_SPEC), "--source-root", str(placed.tree), *fmt]
    if placed.kernel is not None:
        check += ["--kernel-root", str(placed.kernel)]
    if kind == "trace":
        return [(["lint", "--trace-events", str(placed.path), *fmt], True), (check, False)]
    return [(check, True)]


def known_files(placed: Placed) -> dict[str, bytes]:
    out = {str(placed.path): placed.path.read_bytes()}
    for root in (placed.tree, placed.kernel):
        if root is None:
            continue
        for p in root.rglob("*"):
            if p.is_file() and not p.is_symlink():
                out.setdefault(str(p), p.read_bytes())
    return out


def run_case(
    case: str,
    data: bytes,
    expected: Expected | None,
    tmp_path: Path,
    bundled: Spec,
    *,
    cli: bool = True,
) -> None:
    """Reader and CLI on one input; ``expected`` None: only the generic properties."""
    kind, name = case.split("/", 1)
    placed = place(
        kind, name.replace("/", "-"), data, expected.place if expected else None, tmp_path
    )
    files = known_files(placed)
    shown = str(placed.path)

    diagnostics, unreadable = in_process(kind, placed, bundled)
    assert_located(diagnostics, files)
    if expected is not None:
        assert_expected(expected, _in_file(diagnostics, shown), f"{case} (library)")
        unreadable_expected = any(r in UNREADABLE for r, _, _ in expected.diagnostics)
        assert unreadable == unreadable_expected
    if not cli:
        return
    cpu = expected.cpu if expected else CPU
    for args, applies in cli_runs(kind, placed):
        run = run_cli(args, cpu, tmp_path)
        got = _as_diagnostics(run.diagnostics)
        assert_located(got, files)
        from_cli_unreadable = args[0] == "lint" and any(d.rule in UNREADABLE for d in got)
        assert run.code == _exit_for(got, from_cli_unreadable), (
            f"{case}: migspec {args[0]} exited {run.code}\n{run.stderr[-2000:]}"
        )
        if applies and expected is not None:
            assert_expected(expected, _in_file(got, shown), f"{case} (migspec {args[0]})")
    if (
        kind == "spec"
        and not unreadable
        and not any(d.severity >= Severity.ERROR for d in diagnostics)
    ):
        out = tmp_path / "out"
        run = run_cli(
            ["generate", "--spec", str(placed.path), "--out", str(out)], 4 * cpu, tmp_path
        )
        assert run.code == 0, run.stderr[-2000:]
        assert (out / "index.html").is_file()


# -- the tests ------------------------------------------------------------------------


def test_corpus_size_and_shape() -> None:
    by_kind = {kind: [c for c in CASES if c.startswith(kind + "/")] for kind in EXTENSIONS}
    assert len(CASES) >= 100
    assert all(len(v) >= 15 for v in by_kind.values()), {k: len(v) for k, v in by_kind.items()}
    for case in GENERATED:
        assert case in CASES, f"generator {case} has no sidecar"
    # Big inputs are generated, never committed.
    for path in HOSTILE.rglob("*"):
        if path.is_file():
            assert path.stat().st_size < 64 * 1024, path


@pytest.mark.parametrize("case", CASES)
def test_hostile_case(case: str, tmp_path: Path, bundled: Spec) -> None:
    kind, name = case.split("/", 1)
    expected = read_sidecar(HOSTILE / kind / f"{name}.expected")
    run_case(case, case_bytes(case), expected, tmp_path, bundled)


TRUNCATED = list(truncations())


@pytest.mark.parametrize(
    ("index", "case"), [(i, case) for i, (_, case, _) in enumerate(TRUNCATED)], ids=lambda x: str(x)
)
def test_truncated_input(index: int, case: str, tmp_path: Path, bundled: Spec) -> None:
    """A valid file cut short: no crash, every diagnostic inside the (shorter) file.

    Every cut runs through the reader; every eighth also through the CLI.
    """
    _, _, data = TRUNCATED[index]
    run_case(case, data, None, tmp_path, bundled, cli=index % 8 == 0)
