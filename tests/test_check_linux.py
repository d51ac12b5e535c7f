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

from migspec.artefacts import check_tree, plan_update
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.update import apply_plan

from .conftest import BUNDLED_SPEC, ROOT
from .linux_trees import copy_tree
from .source_trees import found
from .test_cli_check import migspec
from .test_invariant import assert_invariant

LINUX_6_1_SPEC = ROOT / "spec" / "examples" / "vfio-migration-linux-6.1.yaml"
MAIN = "drivers/vfio/vfio_main.c"
HEADER = "include/uapi/linux/vfio.h"
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


def test_linux_6_12_with_a_short_bound(linux_6_12: Path, tmp_path: Path) -> None:
    """The tables sized as before PRE_COPY: check reports the bound where update mends it."""
    kernel = copy_tree(linux_6_12, tmp_path / "linux")
    main = kernel / MAIN
    text = main.read_text()
    right = "VFIO_DEVICE_NUM_STATES = VFIO_DEVICE_STATE_PRE_COPY_P2P + 1"
    assert text.count(right) == 1
    main.write_text(text.replace(right, right.replace("PRE_COPY_P2P", "RUNNING_P2P")))
    spec = load(BUNDLED_SPEC)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if right in s)
    assert found(check_tree(spec, None, kernel), kernel) == [("check-kernel-bound", MAIN, line)]
    assert_invariant(spec, kernel, "kernel")
    assert main.read_text() == text


def test_linux_6_12_with_an_emptied_state_list(linux_6_12: Path, tmp_path: Path) -> None:
    """PRE_COPY_P2P's entry taken out: reported at the heading left, put back under it."""
    kernel = copy_tree(linux_6_12, tmp_path / "linux")
    header = kernel / HEADER
    text = header.read_text()
    entry = " *  PRE_COPY_P2P - PRE_COPY, except the device cannot do peer to peer DMA\n"
    heading = " * And VFIO_MIGRATION_P2P | VFIO_MIGRATION_PRE_COPY:"
    assert text.count(entry) == 1 and text.count(heading + "\n" + entry) == 1
    header.write_text(text.replace(entry, ""))
    spec = load(BUNDLED_SPEC)
    line = text.splitlines().index(heading) + 1
    assert found(check_tree(spec, None, kernel), kernel) == [("check-comment-state", HEADER, line)]
    assert_invariant(spec, kernel, "kernel")
    now = header.read_text().splitlines()
    assert now.count(heading) == 1 and now[now.index(heading) + 1].startswith(" *  PRE_COPY_P2P - ")


def test_the_linux_6_1_spec_takes_pre_copy_out_of_the_6_12_comment(
    linux_6_12: Path, tmp_path: Path
) -> None:
    """What 6.12's comment says beyond the 6.1 spec (the saving group's rule, the
    removal of PRE_COPY's arcs) is reported at its lines and removed by update."""
    kernel = copy_tree(linux_6_12, tmp_path / "linux")
    header = kernel / HEADER
    text = header.read_text().splitlines()
    rule = " *   - The path cannot have saving group states as interior arcs, only"
    removal = " * Arcs touching PRE_COPY and PRE_COPY_P2P are removed if support for PRE_COPY"
    spec = load(LINUX_6_1_SPEC)
    said = [
        (d.location.line, d.message)
        for d in check_tree(spec, None, kernel)
        if d.rule == "check-comment-rule"
    ]
    assert [line for line, _ in said] == [text.index(rule) + 1, text.index(removal) + 1]
    assert all("which the spec does not" in message for _, message in said)
    assert_invariant(spec, kernel, "kernel")
    now = header.read_text()
    # (The STOP -> STOP_COPY paragraph's prose still speaks of the saving group: its
    # arcs agree, and prose is never compared.)
    assert "saving group states" not in now and "removed if support for" not in now
    assert " *   - Select the shortest path.\n * Refer to vfio_mig_get_next_state()" in now


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
# (the two new rows and columns), the tables' bound, 2 flags entries, 2 enum constants, and
# whether the loop stops at ERROR; in the uAPI comment, the 2 states, the 7
# arcs they add (RUNNING <-> PRE_COPY, RUNNING_P2P -> PRE_COPY_P2P and back,
# PRE_COPY <-> PRE_COPY_P2P, PRE_COPY_P2P -> STOP_COPY) and the 2 refused
# pairs (STOP_COPY -> PRE_COPY, PRE_COPY_P2P).
PRE_COPY_DELTA = {
    "check-kernel-next": 28,
    "check-kernel-bound": 1,
    "check-kernel-flags": 2,
    "check-kernel-walk": 1,
    "check-comment-state": 2,
    "check-comment-arc": 7,
    "check-comment-refused": 2,
    # The arcs comment above the table: two lists of PRE_COPY's arcs.
    "check-kernel-arcs-comment": 2,
}


def test_the_bundled_spec_on_linux_6_1(linux_6_1: Path) -> None:
    # And 6.1's comment lacks the saving group's path rule and the sentence
    # that PRE_COPY's arcs are removed without it; and the heading "Without
    # P2P the driver must implement:" no longer names all its drivers lack.
    assert rules(load(BUNDLED_SPEC), linux_6_1) == Counter(
        {
            **PRE_COPY_DELTA,
            "check-enum-missing": 2,
            "check-comment-rule": 2,
            "check-kernel-arcs-comment": PRE_COPY_DELTA["check-kernel-arcs-comment"] + 1,
        }
    )


def test_the_linux_6_1_spec_on_linux_6_12(linux_6_12: Path) -> None:
    found = rules(load(LINUX_6_1_SPEC), linux_6_12)
    # And the drivers' PRE_COPY arcs and flags, which the 6.1 spec cannot
    # name: each said where it is, none guessed at (warnings).  6.12's
    # comment has the saving group's path rule and the sentence that
    # PRE_COPY's arcs are removed without it, which the 6.1 spec has not.
    unread = found.pop("check-driver-unread")
    assert found == Counter({**PRE_COPY_DELTA, "check-enum-extra": 2, "check-comment-rule": 2})
    assert unread == 20


def test_through_the_cli(linux_6_1: Path, linux_6_12: Path) -> None:
    clean = migspec("check", "--spec", str(LINUX_6_1_SPEC), "--kernel-root", str(linux_6_1))
    assert (clean.returncode, clean.stdout) == (0, ""), clean.stderr
    run = migspec(
        "check", "--spec", str(LINUX_6_1_SPEC), "--kernel-root", str(linux_6_12), "--format", "json"
    )
    assert run.returncode == 1, run.stderr
    reported = json.loads(run.stdout)["diagnostics"]
    errors = [d for d in reported if d["severity"] == "error"]
    # And the 2 enum constants, the saving group's path rule and PRE_COPY's removal sentence.
    assert len(errors) == sum(PRE_COPY_DELTA.values()) + 2 + 2
    assert {Path(d["path"]).relative_to(linux_6_12).as_posix() for d in errors} == {
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
    # The uAPI comment is rendered from the docs, so it is the one artefact
    # a docs-only change changes.
    code = [c["name"] for c in report["code"]]
    assert (report["steps"]["changes"], code, report["trace"]) == ([], ["fsm-comment"], [])
    changed = [
        detail.split(":", 1)[0]
        for entry in report["vocabulary"] + report["arcs"] + report["other"]
        for detail in entry["details"]
    ]
    # (import writes no code.kernel.drivers: how drivers are recognised is the
    # spec author's call, added by hand to the example.)
    assert set(changed) == {"doc", "order", "name", "title", "drivers"}
    assert all(e["change"] == "changed" for e in report["vocabulary"] + report["arcs"])


def test_update_brings_linux_6_1_to_pre_copy_but_the_loop(linux_6_1: Path, tmp_path: Path) -> None:
    """update --kernel-root brings 6.1's comment, enum and tables to the bundled
    spec; the skip loop is code, so it is reported to be edited by hand
    (update-by-hand, at the loop), and check then reports only the loop and
    the hang it causes (2022's lockup).  With the loop mended by hand, check
    is clean and update has nothing to do."""
    spec = load(BUNDLED_SPEC)
    kernel = copy_tree(linux_6_1, tmp_path / "linux")
    plan = plan_update(spec, kernel, "kernel")
    assert sorted(f.rel for f in plan.files) == [MAIN, "include/uapi/linux/vfio.h"]
    (by_hand,) = plan.diagnostics
    assert by_hand.rule == "update-by-hand"
    loop = next(
        i
        for i, line in enumerate((kernel / MAIN).read_text().splitlines(), 1)
        if "while ((state_flags_table[*next_fsm]" in line
    )
    assert (Path(by_hand.location.path).relative_to(kernel).as_posix(), by_hand.location.line) == (
        MAIN,
        loop,
    )
    assert apply_plan(plan).diagnostics == ()
    assert rules(spec, kernel) == Counter({"check-kernel-walk": 1, "check-kernel-walk-hangs": 3})
    again = plan_update(spec, kernel, "kernel")
    assert again.files == ()
    assert [d.rule for d in again.diagnostics] == ["update-by-hand"]
    # The 2026 fix, by hand.
    main = kernel / MAIN
    text = main.read_text()
    loop = "\twhile ((state_flags_table[*next_fsm]"
    assert text.count(loop) == 1
    main.write_text(text.replace(loop, f"\twhile ({FIX}\n\t       (state_flags_table[*next_fsm]"))
    assert check_tree(spec, None, kernel) == []
    assert plan_update(spec, kernel, "kernel").diagnostics == ()
