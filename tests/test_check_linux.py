"""``check --kernel-root`` on real Linux trees (Debian's 6.1 and 6.12 sources).

* Linux 6.1 (before PRE_COPY) agrees with spec/examples/vfio-migration-linux-6.1.yaml;
* Linux 6.12 agrees with the bundled spec: Debian's 6.12 (6.12.118) carries the
  2026 fix that makes the lookup loop stop at ERROR, so check-kernel-walk-hangs
  is not reported there -- and is, on a copy with the fix taken out;
* each spec on the other revision reports exactly what PRE_COPY changed.

Skipped when the tarballs are absent (tests/linux_trees.py).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from migspec.artefacts import check_tree
from migspec.load.spec import load_spec
from migspec.model import Spec

from .conftest import BUNDLED_SPEC, ROOT
from .linux_trees import copy_tree
from .source_trees import found
from .test_cli_check import migspec

LINUX_6_1_SPEC = ROOT / "spec" / "examples" / "vfio-migration-linux-6.1.yaml"
MAIN = "drivers/vfio/vfio_main.c"
FIX = "*next_fsm != VFIO_DEVICE_STATE_ERROR &&"


def load(path: Path) -> Spec:
    result = load_spec(path)
    assert result.spec is not None, result.diagnostics
    return result.spec


def rules(spec: Spec, kernel: Path) -> Counter[str]:
    return Counter(d.rule for d in check_tree(spec, None, kernel))


def test_linux_6_1_agrees_with_its_spec(linux_6_1: Path) -> None:
    assert check_tree(load(LINUX_6_1_SPEC), None, linux_6_1) == []


def test_linux_6_12_agrees_with_the_bundled_spec(linux_6_12: Path) -> None:
    assert check_tree(load(BUNDLED_SPEC), None, linux_6_12) == []
    # The loop has the 2026 fix (Debian's 6.12 stable update carries it).
    assert FIX in (linux_6_12 / MAIN).read_text()


def test_linux_6_12_without_the_fix_hangs(linux_6_12: Path, tmp_path: Path) -> None:
    """The loop as 6.2 to 6.12 wrote it before the fix: a real soft lockup."""
    kernel = copy_tree(linux_6_12, tmp_path / "linux")
    main = kernel / MAIN
    text = main.read_text()
    assert text.count(FIX) == 1
    main.write_text(text.replace(FIX, ""))
    loop = next(i for i, line in enumerate(text.splitlines(), 1) if FIX in line)
    diagnostics = check_tree(load(BUNDLED_SPEC), None, kernel)
    assert {(rule, rel, line) for rule, rel, line in found(diagnostics, kernel)} == {
        ("check-kernel-walk", MAIN, loop),
        ("check-kernel-walk-hangs", MAIN, loop),
    }
    assert sorted(d.message for d in diagnostics if d.rule == "check-kernel-walk-hangs") == [
        "request STOP_COPY -> PRE_COPY on a device with P2P+PRE_COPY never ends: "
        "the loop keeps returning ERROR",
        "request STOP_COPY -> PRE_COPY on a device with PRE_COPY never ends: "
        "the loop keeps returning ERROR",
        "request STOP_COPY -> PRE_COPY_P2P on a device with P2P+PRE_COPY never ends: "
        "the loop keeps returning ERROR",
    ]


# What PRE_COPY changed, seen from either side: 8 states -> 28 table entries
# (the two new rows and columns), 2 flags entries, 2 enum constants, and
# whether the loop stops at ERROR.
PRE_COPY_DELTA = {
    "check-kernel-next": 28,
    "check-kernel-flags": 2,
    "check-kernel-walk": 1,
}


def test_the_bundled_spec_on_linux_6_1(linux_6_1: Path) -> None:
    assert rules(load(BUNDLED_SPEC), linux_6_1) == Counter(
        {**PRE_COPY_DELTA, "check-enum-missing": 2}
    )


def test_the_linux_6_1_spec_on_linux_6_12(linux_6_12: Path) -> None:
    assert rules(load(LINUX_6_1_SPEC), linux_6_12) == Counter(
        {**PRE_COPY_DELTA, "check-enum-extra": 2}
    )


def test_through_the_cli(linux_6_1: Path, linux_6_12: Path) -> None:
    clean = migspec("check", "--spec", str(LINUX_6_1_SPEC), "--kernel-root", str(linux_6_1))
    assert (clean.returncode, clean.stdout) == (0, ""), clean.stderr
    run = migspec(
        "check", "--spec", str(LINUX_6_1_SPEC), "--kernel-root", str(linux_6_12), "--format", "json"
    )
    assert run.returncode == 1, run.stderr
    reported = json.loads(run.stdout)["diagnostics"]
    assert len(reported) == 33
    assert {Path(d["path"]).relative_to(linux_6_12).as_posix() for d in reported} == {
        MAIN,
        "include/uapi/linux/vfio.h",
    }


def test_importing_linux_6_1_gives_the_example_spec_by_meaning(
    linux_6_1: Path, tmp_path: Path
) -> None:
    """spec/examples/vfio-migration-linux-6.1.yaml is the import of 6.1, reworded:
    ``migspec diff`` finds only docs, names and the order of arcs changed."""
    imported = tmp_path / "imported.yaml"
    run = migspec("import", "--kernel-root", str(linux_6_1), "-o", str(imported))
    assert run.returncode == 0, run.stderr
    run = migspec("diff", str(imported), str(LINUX_6_1_SPEC), "--format", "json")
    assert "Traceback" not in run.stderr
    report = json.loads(run.stdout)
    assert report["steps"]["kinds_compared"] == ["none", "P2P"]
    assert (report["steps"]["changes"], report["code"], report["trace"]) == ([], [], [])
    changed = [
        detail.split(":", 1)[0]
        for entry in report["vocabulary"] + report["arcs"] + report["other"]
        for detail in entry["details"]
    ]
    assert set(changed) == {"doc", "order", "name", "title"}
    assert all(e["change"] == "changed" for e in report["vocabulary"] + report["arcs"])
