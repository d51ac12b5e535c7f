"""update --kernel-root and the kernel's uAPI enum: adds what the spec adds,
never removes or renumbers (ABI), refuses forms it would have to guess at.

On the kernel fixture tree (tests/trees/kernel, written for these tests),
with the bundled spec, whose enum the fixture matches.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migspec.artefacts import check_tree, plan_update
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.update import apply_plan

from .checkpatch import checkpatch
from .conftest import BUNDLED_SPEC
from .source_trees import TREES

HEADER = "include/uapi/linux/vfio.h"
P2P = "\tVFIO_DEVICE_STATE_RUNNING_P2P = 5,\n"
PRE_COPY = "\tVFIO_DEVICE_STATE_PRE_COPY = 6,\n\tVFIO_DEVICE_STATE_PRE_COPY_P2P = 7,\n"


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(BUNDLED_SPEC)
    assert result.spec is not None, result.diagnostics
    return result.spec


@pytest.fixture()
def kernel(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TREES / "kernel", tmp_path / "kernel"))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def header_rules(spec: Spec, kernel: Path) -> list[str]:
    plan = plan_update(spec, kernel, "kernel")
    return [d.rule for d in plan.diagnostics if d.location.path.endswith(HEADER)]


def test_missing_states_are_added_in_value_order(spec: Spec, kernel: Path) -> None:
    header = kernel / HEADER
    original = header.read_text()
    edit(header, PRE_COPY, "")
    assert {d.rule for d in check_tree(spec, None, kernel)} >= {"check-enum-missing"}
    plan = plan_update(spec, kernel, "kernel")
    patch = plan.diff().decode()
    assert [line for line in patch.splitlines() if line.startswith("+\t")] == [
        "+" + line for line in PRE_COPY.splitlines()
    ]
    assert checkpatch(patch) == []
    assert apply_plan(plan).diagnostics == ()
    assert header.read_text() == original
    assert plan_update(spec, kernel, "kernel").files == ()


def test_a_sentinel_stays_last(spec: Spec, kernel: Path) -> None:
    header = kernel / HEADER
    edit(header, PRE_COPY, "\tVFIO_DEVICE_STATE_NR,\n")
    apply_plan(plan_update(spec, kernel, "kernel"))
    body = header.read_text().split("enum vfio_device_mig_state {", 1)[1].split("};", 1)[0]
    assert body.rstrip().splitlines()[-1] == "\tVFIO_DEVICE_STATE_NR,"
    assert "\tVFIO_DEVICE_STATE_PRE_COPY_P2P = 7,\n" in body
    assert check_tree(spec, None, kernel) == []


def test_a_constant_the_spec_lacks_is_never_removed(spec: Spec, kernel: Path) -> None:
    header = kernel / HEADER
    edit(header, P2P, P2P + "\tVFIO_DEVICE_STATE_PAUSED = 8,\n")
    before = header.read_text()
    plan = plan_update(spec, kernel, "kernel")
    assert HEADER not in {f.rel for f in plan.files}
    (by_hand,) = [d for d in plan.diagnostics if d.location.path.endswith(HEADER)]
    assert by_hand.rule == "update-by-hand" and "PAUSED" in by_hand.message
    assert by_hand.location.line == before.splitlines().index("\tVFIO_DEVICE_STATE_PAUSED = 8,") + 1
    apply_plan(plan)
    assert header.read_text() == before


def test_a_constant_of_another_value_is_never_renumbered(spec: Spec, kernel: Path) -> None:
    edit(kernel / HEADER, P2P, "\tVFIO_DEVICE_STATE_RUNNING_P2P = 9,\n")
    assert header_rules(spec, kernel) == ["update-by-hand"]


def test_an_anchor_without_its_comma_is_not_guessed_at(spec: Spec, kernel: Path) -> None:
    header = kernel / HEADER
    edit(header, PRE_COPY, "")
    edit(header, P2P, "\tVFIO_DEVICE_STATE_RUNNING_P2P = 5 /* last */\n")
    before = header.read_text()
    assert header_rules(spec, kernel) == ["update-region-form"]
    apply_plan(plan_update(spec, kernel, "kernel"))
    assert header.read_text() == before


def test_a_header_that_is_not_utf8_is_left_as_it_is(spec: Spec, kernel: Path) -> None:
    """One missing state to add, but a Latin-1 byte in the header: update
    says where the text stops being UTF-8 and writes nothing there."""
    header = kernel / HEADER
    edit(header, PRE_COPY, "")
    data = header.read_bytes()
    at = data.index(b"\n") + 1
    header.write_bytes(data[:at] + b"/* caf\xe9 */\n" + data[at:])
    plan = plan_update(spec, kernel, "kernel")
    said = [d for d in plan.diagnostics if d.location.path.endswith(HEADER)]
    assert [(d.rule, d.message) for d in said] == [
        ("update-region-form", f"the file is not UTF-8 (byte {at + 6}); left as it is")
    ]
    assert HEADER not in [f.rel for f in plan.files]
