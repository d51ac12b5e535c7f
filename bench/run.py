#!/usr/bin/env python3
"""Run migspec's benchmarks side by side with their peers and print a table.

Usage: ``python3 bench/run.py [--runs N] [--venv DIR | --no-venv] [NAME ...]``

Both sides run in a bare virtualenv, as users have migspec: ``python3 -m
venv DIR`` (no system site packages, so no ``.pth`` hook of the machine's
own site-packages runs at every start) with the project's dependencies
installed by ``pip install``.  ``--venv`` names it (default
``/tmp/migspec-bench-venv``, created on first use); ``--no-venv`` runs with
this interpreter instead.  Either way migspec itself is the checkout's
(``PYTHONPATH=ext``).

Each benchmark measures migspec and a peer in the same run, alternating them
run by run so that machine noise hits both alike, and reports the median, min
and max wall time of each and the ratio of the medians against its target.
Benchmarks whose peer is unavailable (no ``QEMU_SRC``, no corpus) say so and
are skipped.  Nothing here is a test: the suite never times anything.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
PY = sys.executable
SEED_SPEC = ROOT / "spec" / "examples" / "vfio-migration-94f775e428.yaml"


@dataclass(frozen=True)
class Side:
    label: str
    argv: Sequence[str]
    cwd: Path = ROOT
    env: dict[str, str] | None = None
    # Exit statuses that mean the run did its job.  Anything else (a missing
    # module exits 1 too) aborts the benchmark instead of timing a failure.
    ok: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class Bench:
    name: str
    what: str
    target: float  # migspec median / peer median must be <= target
    prepare: Callable[[], tuple[Side, Side] | str]  # the pair, or why it is skipped
    limit: float | None = None  # or: migspec's median must be under this many seconds
    # The same pair on a minimal input, timed in the same alternating loop:
    # its medians (each side's start-up) are subtracted from the pair's to
    # show the work alone, beside the ratio the target judges.
    baseline: Callable[[], tuple[Side, Side] | str] | None = None


_PEAK: dict[str, int] = {}


def _time(side: Side) -> float:
    """Wall time of one run; the child's peak RSS is kept in _PEAK (KiB)."""
    # The checkout's migspec, not whichever one is installed.
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"))
    if side.env:
        env.update(side.env)
    start = time.perf_counter()
    proc = subprocess.Popen(
        side.argv, cwd=side.cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    _PEAK[side.label] = max(_PEAK.get(side.label, 0), usage.ru_maxrss)
    if proc.returncode not in side.ok or b"Traceback (most recent call last)" in err:
        raise RuntimeError(f"{side.label} failed ({proc.returncode}): {err.decode()[-400:]}")
    return elapsed


_CACHE = "/tmp/migspec-bench-cache"


def trace_files() -> list[str]:
    base = CORPUS / "qemu-trace-events"
    return sorted(str(p) for p in base.rglob("trace-events"))


def bench_startup() -> tuple[Side, Side] | str:
    # Every run after the first finds the spec's lint result in the cache
    # (migspec.cache), as every run of a user's but the first after an edit.
    return (
        Side("migspec lint", [PY, "-m", "migspec", "lint"], env={"MIGSPEC_CACHE_DIR": _CACHE}),
        Side('python -c "import yaml"', [PY, "-c", "import yaml"]),
    )


def bench_startup_cold() -> tuple[Side, Side] | str:
    # No cache: what the first run after an edit of the spec (or of migspec) costs.
    return (
        Side(
            "migspec lint, no cache", [PY, "-m", "migspec", "lint"], env={"MIGSPEC_CACHE_DIR": ""}
        ),
        Side('python -c "import yaml"', [PY, "-c", "import yaml"]),
    )


def _trace_events(cache: str, files: list[str] | None = None) -> tuple[Side, Side] | str:
    files = trace_files() if files is None else files
    if not files:
        return "no ../shared/corpus/qemu-trace-events"
    qemu = os.environ.get("QEMU_SRC")
    if not qemu or not (Path(qemu) / "scripts" / "tracetool.py").is_file():
        return "set QEMU_SRC to a QEMU checkout (scripts/tracetool.py) to compare with tracetool"
    out = Path("/tmp/migspec-bench-trace.h")
    return (
        Side(
            f"migspec lint --trace-events ({_files(files)}{', no cache' if not cache else ''})",
            [PY, "-m", "migspec", "lint", "--trace-events", *files],
            env={"MIGSPEC_CACHE_DIR": cache},
        ),
        Side(
            f"tracetool --format=h ({_files(files)})",
            [
                PY,
                str(Path(qemu) / "scripts" / "tracetool.py"),
                "--backends=nop",
                "--format=h",
                "--group=all",
                *files,
                str(out),
            ],
            env={"PYTHONPATH": str(Path(qemu) / "scripts")},
        ),
    )


def bench_trace_events() -> tuple[Side, Side] | str:
    # No cache: every file is read and linted (the first run, or after an edit).
    return _trace_events("")


def bench_trace_events_one() -> tuple[Side, Side] | str:
    # One event in one file: what each side pays before any real work.
    path = _tmp("one") / "trace-events"
    path.write_text('one_event(int value) "value %d"\n')
    return _trace_events("", [str(path)])


def _files(files: Sequence[str]) -> str:
    return f"{len(files)} file{'s' if len(files) != 1 else ''}"


def bench_trace_events_warm() -> tuple[Side, Side] | str:
    # The files are unchanged since an earlier run, which kept its findings.
    return _trace_events(_CACHE)


_TMP: dict[str, Path] = {}


def _tmp(name: str) -> Path:
    import tempfile

    if name not in _TMP:
        _TMP[name] = Path(tempfile.mkdtemp(prefix=f"migspec-bench-{name}-"))
    return _TMP[name]


def bench_check() -> tuple[Side, Side] | str:
    """`migspec check` on a QEMU-sized tree vs parsing the same C with tree-sitter alone."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from trees import qemu_sized_tree

    tree = qemu_sized_tree(_tmp("check"))
    parse_only = (
        "import sys, pathlib, tree_sitter as ts, tree_sitter_c as c\n"
        "p = ts.Parser(ts.Language(c.language()))\n"
        "for f in sorted(pathlib.Path(sys.argv[1]).rglob('*.[ch]')): p.parse(f.read_bytes())\n"
    )
    return (
        Side(
            "migspec check (15k lines of hw/vfio C)",
            # The tree is the seed revision's hw/vfio padded out, so the spec is the seed's.
            [PY, "-m", "migspec", "check", "--spec", str(SEED_SPEC), "--source-root", str(tree)],
        ),
        Side("tree-sitter parse of the same files", [PY, "-c", parse_only, str(tree)]),
    )


KERNEL_TARBALL = Path("/usr/src/linux-source-6.12.tar.xz")


def bench_check_kernel() -> tuple[Side, Side] | str:
    """`migspec check --kernel-root` on Linux 6.12 (uAPI enum, tables, every variant
    driver under drivers/vfio) vs parsing the same C with tree-sitter alone."""
    if not KERNEL_TARBALL.is_file():
        return f"no {KERNEL_TARBALL} (Debian's linux-source-6.12)"
    top = KERNEL_TARBALL.name.removesuffix(".tar.xz")
    dest = _tmp("kernel")
    root = dest / top
    if not (root / "drivers" / "vfio").is_dir():
        subprocess.run(
            [
                "tar",
                "-xJf",
                str(KERNEL_TARBALL),
                "-C",
                str(dest),
                "--wildcards",
                f"{top}/drivers/vfio/*",
                f"{top}/include/uapi/linux/vfio.h",
            ],
            check=True,
        )
    parse_only = (
        "import sys, pathlib, tree_sitter as ts, tree_sitter_c as c\n"
        "p = ts.Parser(ts.Language(c.language()))\n"
        "for f in sorted(pathlib.Path(sys.argv[1]).rglob('*.[ch]')): p.parse(f.read_bytes())\n"
    )
    files = len(list((root / "drivers" / "vfio").rglob("*.[ch]")))
    return (
        Side(
            f"migspec check --kernel-root ({files} files of drivers/vfio)",
            [PY, "-m", "migspec", "check", "--kernel-root", str(root)],
            env={"MIGSPEC_CACHE_DIR": ""},
            ok=(0, 1),
        ),
        Side(
            "tree-sitter parse of drivers/vfio", [PY, "-c", parse_only, str(root / "drivers/vfio")]
        ),
    )


def _sphinx(src: Path, out: Path, *, fresh: bool) -> Side:
    import shlex

    build = shlex.join([PY, "-m", "sphinx", "-q", "-b", "html", str(src), str(out)])
    # A full build starts from an empty output folder (and environment) each run.
    command = f"rm -rf {shlex.quote(str(out))} && {build}" if fresh else build
    return Side(
        ("full" if fresh else "no-op") + f" sphinx-build ({src.name})", ["bash", "-c", command]
    )


def _docs() -> tuple[Path, Path]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from trees import docs_pair

    base = _tmp("sphinx")
    if not (base / "directives").exists():
        docs_pair(base)
    return base / "directives", base / "static"


def bench_sphinx_full() -> tuple[Side, Side] | str:
    ours, static = _docs()
    return _sphinx(ours, ours / "_build", fresh=True), _sphinx(
        static, static / "_build", fresh=True
    )


def bench_sphinx_noop() -> tuple[Side, Side] | str:
    ours, static = _docs()
    for src in (ours, static):
        subprocess.run(
            [PY, "-m", "sphinx", "-q", "-b", "html", str(src), str(src / "_build")], check=True
        )
    return _sphinx(ours, ours / "_build", fresh=False), _sphinx(
        static, static / "_build", fresh=False
    )


BENCHES = (
    Bench(
        "startup",
        "`migspec lint` on the bundled spec (lint cache warm) vs importing PyYAML",
        2.5,
        bench_startup,
    ),
    Bench(
        "startup-cold",
        "`migspec lint` on the bundled spec, no cache, vs importing PyYAML",
        2.5,
        bench_startup_cold,
    ),
    Bench(
        "trace-events",
        "lint all 90 QEMU trace-events files, no cache, vs tracetool parsing+emitting them",
        0.3,
        bench_trace_events,
        baseline=bench_trace_events_one,
    ),
    Bench(
        "trace-events-warm",
        "the same, the files unchanged since an earlier run (lint cache warm)",
        0.3,
        bench_trace_events_warm,
    ),
    Bench(
        "check",
        "migspec check on a 15k-line hw/vfio (target: under 0.5 s; tree-sitter's parse alone for scale)",
        0.0,
        bench_check,
        limit=0.5,
    ),
    Bench(
        "check-kernel",
        "migspec check --kernel-root on Linux 6.12: enum, tables and every variant driver"
        " (target: under 0.5 s; tree-sitter's parse of drivers/vfio for scale)",
        0.0,
        bench_check_kernel,
        limit=0.5,
    ),
    Bench(
        "sphinx-full",
        "full sphinx-build of the VFIO page: directives vs their output pasted as rst",
        1.15,
        bench_sphinx_full,
    ),
    Bench("sphinx-noop", "no-op rebuild of the same two docs sets", 1.05, bench_sphinx_noop),
)


def _compile(folder: Path) -> None:
    """Write the bytecode of ``folder``'s modules, as installing a package does.

    A checkout run with ``PYTHONDONTWRITEBYTECODE`` set (or not yet run at all)
    would otherwise compile every module from source on every start, which
    is not what a user of an installed migspec (or QEMU's build) pays; the
    same is done for both sides.
    """
    import compileall

    if folder.is_dir():
        compileall.compile_dir(folder, quiet=2)


DEFAULT_VENV = Path("/tmp/migspec-bench-venv")


def bare_venv(venv: Path) -> str:
    """The python of a bare virtualenv at ``venv`` holding migspec's dependencies
    (created, and the project installed into it, when it has no python yet)."""
    python = venv / "bin" / "python"
    if not python.is_file():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", str(ROOT)],
            check=True,
        )
    return str(python)


def main(argv: Sequence[str] | None = None) -> int:
    global PY
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11)
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    where.add_argument("--no-venv", action="store_true")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    if not args.no_venv:
        PY = bare_venv(args.venv)
    chosen = [b for b in BENCHES if not args.names or b.name in args.names]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cpus, Python {platform.python_version()}, {platform.platform()}"
    )
    print(f"python: {PY}{'' if args.no_venv else ' (bare virtualenv)'}")
    print(f"runs per side: {args.runs} (alternating), times in seconds\n")
    header = (
        f"{'bench':<17} {'side':<50} {'median':>8} {'min':>8} {'max':>8} {'peak MiB':>9}"
        f"  {'ratio':>6} {'target':>7}  ok"
    )
    print(header)
    print("-" * len(header))
    _compile(ROOT / "ext" / "migspec")
    if os.environ.get("QEMU_SRC"):
        _compile(Path(os.environ["QEMU_SRC"]) / "scripts" / "tracetool")
    failed = False
    for bench in chosen:
        pair = bench.prepare()
        if isinstance(pair, str):
            print(f"{bench.name:<17} skipped: {pair}")
            continue
        ours, peer = pair
        sides = [ours, peer]
        base = bench.baseline() if bench.baseline is not None else None
        if isinstance(base, tuple):
            sides += base
        for side in sides:
            _time(side)  # warm the page cache for every side
        times: dict[str, list[float]] = {side.label: [] for side in sides}
        for _ in range(args.runs):
            for side in sides:
                times[side.label].append(_time(side))
        med_ours = statistics.median(times[ours.label])
        med_peer = statistics.median(times[peer.label])
        ratio = med_ours / med_peer
        ok = med_ours <= bench.limit if bench.limit is not None else ratio <= bench.target
        target = f"<{bench.limit:.1f}s" if bench.limit is not None else f"{bench.target:.2f}"
        failed |= not ok
        for side, med in ((ours, med_ours), (peer, med_peer)):
            ts = times[side.label]
            peak = _PEAK[side.label] / 1024
            tail = f"  {ratio:>6.2f} {target:>7}  {'yes' if ok else 'NO'}" if side is ours else ""
            print(
                f"{bench.name:<17} {side.label:<50} {med:>8.3f} {min(ts):>8.3f} {max(ts):>8.3f}"
                f" {peak:>9.1f}{tail}"
            )
        if isinstance(base, tuple):
            _print_work_alone(bench.name, times, (ours, peer), base)
    return 1 if failed else 0


def _print_work_alone(
    name: str, times: dict[str, list[float]], pair: tuple[Side, Side], base: tuple[Side, Side]
) -> None:
    """Each side's median on the baseline input, and the pair's medians minus it."""
    work = []
    for side, start in zip(pair, base, strict=True):
        ts = times[start.label]
        med = statistics.median(ts)
        print(f"{name:<17} {start.label:<50} {med:>8.3f} {min(ts):>8.3f} {max(ts):>8.3f}")
        work.append(statistics.median(times[side.label]) - med)
    print(
        f"{name:<17} {'work alone (median minus the 1-file run), migspec':<50} {work[0]:>8.3f}"
        f"{'':>18} {'':>9}  {work[0] / work[1]:>6.2f}      --"
    )
    print(f"{name:<17} {'work alone, tracetool':<50} {work[1]:>8.3f}")


if __name__ == "__main__":
    sys.exit(main())
