#!/usr/bin/env python3
"""Fuzz the readers for a long time (not a test; CI runs tests/test_fuzz_readers.py).

Usage::

    PYTHONPATH=ext python3 bench/fuzz_long.py [--engine hypothesis|atheris]
        [--target spec|trace|c|rst|machines|all] [--minutes N] [--out DIR] [-- LIBFUZZER-ARGS]

The targets are those of ``tests/fuzz_targets.py`` (the same properties as
the CI fuzz tests: no exception escapes, the output is diagnostics of known
rules, every located diagnostic lies inside the input).

``hypothesis`` (default): batches of 1000 examples, random seeds, until the
time is up: mutations of the valid seed files (as in CI, without the example
cap), random bytes, and for ``machines`` random specs that mostly load.  A
failing input, shrunk, is written to ``DIR`` (default
``/tmp/migspec-fuzz``) and the run goes on.

``atheris`` (``pip install atheris``): libFuzzer with coverage feedback over
the migspec modules, one target at a time, seeded with the valid files and
the hostile corpus of that kind; crashes are written by libFuzzer to ``DIR``
(``crash-<sha1>``).  Extra arguments after ``--`` go to libFuzzer.

Results of the runs made so far are in ``docs/robustness.rst``.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "ext"))

KINDS = ("spec", "trace", "c", "rst")
# What atheris instruments (coverage feedback): every stage a target reaches.
INSTRUMENTED = (
    "migspec.check",
    "migspec.lint",
    "migspec.lint.trace_files",
    "migspec.load.spec",
    "migspec.load.trace_events",
    "migspec.render.c",
    "migspec.render.dot",
    "migspec.render.flow_rst",
    "migspec.render.trace",
    "migspec.source.c",
    "migspec.source.kernel",
    "migspec.source.rst",
)
EXTENSIONS = {"spec": ".yaml", "trace": ".trace-events", "c": ".c", "rst": ".rst"}


def save(out: Path, target: str, data: bytes, error: BaseException) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    name = f"{target}-{hashlib.sha1(data).hexdigest()[:12]}"
    (out / f"{name}.bin").write_bytes(data)
    (out / f"{name}.txt").write_text("".join(traceback.format_exception(error)))
    return out / f"{name}.bin"


def run_hypothesis(targets: list[str], seconds: float, out: Path) -> int:
    found = 0
    for target in targets:
        examples, failures = _fuzz_one(target, seconds / len(targets), out)
        found += len(failures)
        print(
            f"{target}: {examples} inputs in {seconds / len(targets):.0f} s, "
            f"{len(failures)} distinct failures"
        )
        for key, path in failures.items():
            print(f"  {path}: {key}")
    return 1 if found else 0


def _fuzz_one(target: str, seconds: float, out: Path) -> tuple[int, dict[str, Path]]:
    """Batches of hypothesis examples on one target until ``seconds`` have passed."""
    import yaml
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from tests.fuzz_targets import SNIPPETS, TARGETS, mutate, seed_bytes
    from tests.test_fuzz_readers import machines, ops

    kind = "spec" if target == "machines" else target
    fuzz = TARGETS[kind]
    seeds = seed_bytes(kind)
    counted = [0]
    failures: dict[str, Path] = {}

    def check(data: bytes) -> None:
        counted[0] += 1
        try:
            fuzz(data)
        except BaseException as err:
            key = f"{type(err).__name__}: {str(err)[:200]}"
            if key not in failures:
                failures[key] = save(out, target, data, err)
            raise

    batch = settings(
        max_examples=1000,
        derandomize=False,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    if target == "machines":

        @batch
        @given(doc=machines())
        def run(doc: dict[str, object]) -> None:
            check(yaml.safe_dump(doc, allow_unicode=True).encode("utf-8"))

    else:

        @batch
        @given(
            choice=st.one_of(
                st.tuples(st.integers(0, len(seeds) - 1), ops), st.binary(max_size=4000)
            )
        )
        def run(choice: object) -> None:
            if isinstance(choice, bytes):
                check(choice)
            else:
                seed, mutations = choice  # type: ignore[misc]
                check(mutate(seeds[seed], mutations, SNIPPETS[kind]))

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        # A failure is recorded by check() (shrunk by hypothesis): keep fuzzing.
        with contextlib.suppress(Exception):
            run()
    return counted[0], failures


def run_atheris(target: str, seconds: float, out: Path, extra: list[str]) -> int:
    import atheris

    with atheris.instrument_imports(include=["migspec"]):
        for module in INSTRUMENTED:
            importlib.import_module(module)
    from tests.fuzz_targets import SEEDS, TARGETS

    kind = "spec" if target == "machines" else target
    corpus = out / f"corpus-{kind}"
    corpus.mkdir(parents=True, exist_ok=True)
    seeds = list(SEEDS[kind]) + sorted(
        (ROOT / "tests" / "hostile" / kind).glob(f"*{EXTENSIONS[kind]}")
    )
    for path in seeds:
        (corpus / path.name).write_bytes(path.read_bytes())
    fuzz = TARGETS[kind]
    args = [
        sys.argv[0],
        str(corpus),
        f"-artifact_prefix={out}/",
        f"-max_total_time={int(seconds)}",
        "-rss_limit_mb=2048",
        "-timeout=10",
        *extra,
    ]
    atheris.Setup(args, fuzz)
    atheris.Fuzz()
    return 0


def main() -> int:
    argv = sys.argv[1:]
    extra: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, extra = argv[:at], argv[at + 1 :]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--engine", choices=("hypothesis", "atheris"), default="hypothesis")
    parser.add_argument(
        "--target", choices=(*KINDS, "machines", "all"), default="all", help="what to fuzz"
    )
    parser.add_argument("--minutes", type=float, default=10.0, help="total time budget")
    parser.add_argument("--out", type=Path, default=Path("/tmp/migspec-fuzz"))
    args = parser.parse_args(argv)
    targets = [*KINDS, "machines"] if args.target == "all" else [args.target]
    seconds = args.minutes * 60
    if args.engine == "atheris":
        if len(targets) != 1:
            parser.error("atheris fuzzes one --target at a time")
        return run_atheris(targets[0], seconds, args.out, extra)
    return run_hypothesis(targets, seconds, args.out)


if __name__ == "__main__":
    sys.exit(main())
