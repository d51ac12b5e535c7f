"""The variant drivers of a real Linux tree (Debian's 6.12) vs the bundled spec.

The fixture drivers (test_check_drivers.py) are ours, written in the shapes
the real drivers use; here the real drivers themselves are read, and then
mutated in a copy the way a patch could break them: an arc dropped from an
``||``, a feature no longer declared, a feature declared without its arcs.
Each mutation must be reported at the driver that has it, and only there.

Skipped when the tarball is absent (tests/linux_trees.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from migspec.artefacts import run_check
from migspec.check.drivers import DriverReport
from migspec.load.spec import load_spec
from migspec.model import Spec

from .conftest import BUNDLED_SPEC
from .linux_trees import copy_tree

PCI = "drivers/vfio/pci"


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(BUNDLED_SPEC)
    assert result.spec is not None, result.diagnostics
    return result.spec


def reports(spec: Spec, tree: Path) -> dict[str, DriverReport]:
    return {Path(r.driver).name: r for r in run_check(spec, None, tree).drivers}


def edit(path: Path, old: str, new: str) -> None:
    source = path.read_text()
    assert source.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(source.replace(old, new))


def driver_findings(spec: Spec, tree: Path) -> list[tuple[str, str]]:
    """(rule, driver directory) of every driver finding."""
    return sorted(
        (d.rule, Path(d.location.path).relative_to(tree / PCI).parts[0])
        for d in run_check(spec, None, tree).diagnostics
        if d.rule.startswith("check-driver-")
    )


def test_every_driver_of_6_12_is_read_and_handles_what_it_is_asked(
    spec: Spec, linux_6_12: Path
) -> None:
    found = reports(spec, linux_6_12)
    # Every driver that supplies the ops struct, found without naming any.
    supplies = sorted(
        p.parent.name
        for p in (linux_6_12 / PCI).glob("*/*.c")
        if ".migration_set_state =" in p.read_text(errors="replace")
    )
    assert sorted(found) == supplies
    assert {name: [k.kind.name for k in r.kinds] for name, r in found.items()} == {
        "hisilicon": ["PRE_COPY"],
        "mlx5": ["P2P+PRE_COPY"],  # declared in cmd.c, not beside its ops
        "pds": ["P2P"],
        "qat": ["P2P+PRE_COPY"],
    }
    for name, report in found.items():
        assert report.complete, name
        assert report.extra == (), name
        for kind in report.kinds:
            assert kind.missing == (), (name, kind.kind.name)
            assert set(kind.asked) <= set(report.handled), name


def test_an_arc_dropped_from_an_or_is_missing_at_that_driver(
    spec: Spec, linux_6_12: Path, tmp_path: Path
) -> None:
    tree = copy_tree(linux_6_12, tmp_path / "linux")
    main = tree / PCI / "qat/main.c"
    edit(
        main,
        "if ((cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_RUNNING_P2P) ||\n"
        "\t    (cur == VFIO_DEVICE_STATE_PRE_COPY && new == VFIO_DEVICE_STATE_PRE_COPY_P2P)) {",
        "if (cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_RUNNING_P2P) {",
    )
    assert driver_findings(spec, tree) == [("check-driver-arc-missing", "qat")]
    (qat,) = reports(spec, tree)["qat"].kinds
    assert qat.missing == (("PRE_COPY", "PRE_COPY_P2P"),)
    (d,) = [d for d in run_check(spec, None, tree).diagnostics if d.rule.startswith("check-")]
    step = reports(spec, tree)["qat"].step
    assert step is not None and (d.location.path, d.location.line) == (step.path, step.line)


def test_a_feature_no_longer_declared_makes_its_arcs_extra(
    spec: Spec, linux_6_12: Path, tmp_path: Path
) -> None:
    """mlx5 declares its flags in cmd.c; without PRE_COPY there, main.c's PRE_COPY arcs are dead."""
    tree = copy_tree(linux_6_12, tmp_path / "linux")
    edit(
        tree / PCI / "mlx5/cmd.c",
        "VFIO_MIGRATION_P2P |\n\t\tVFIO_MIGRATION_PRE_COPY;",
        "VFIO_MIGRATION_P2P;",
    )
    found = driver_findings(spec, tree)
    assert found and set(found) == {("check-driver-arc-extra", "mlx5")}
    mlx5 = reports(spec, tree)["mlx5"]
    assert [k.kind.name for k in mlx5.kinds] == ["P2P"]
    assert mlx5.extra and all("PRE_COPY" in a or "PRE_COPY" in b for a, b in mlx5.extra)
    main = (tree / PCI / "mlx5/main.c").read_text().splitlines()
    for d in run_check(spec, None, tree).diagnostics:
        if d.rule == "check-driver-arc-extra":
            assert d.location.path.endswith("mlx5/main.c")
            # At the disjunct that handles it (split across two lines in mlx5).
            assert "PRE_COPY" in " ".join(main[d.location.line - 1 : d.location.line + 1])


def test_a_feature_declared_without_its_arcs_is_missing_them(
    spec: Spec, linux_6_12: Path, tmp_path: Path
) -> None:
    """hisi_acc declaring P2P (which it does not implement) is asked the P2P arcs."""
    tree = copy_tree(linux_6_12, tmp_path / "linux")
    edit(
        tree / PCI / "hisilicon/hisi_acc_vfio_pci.c",
        "VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_PRE_COPY;",
        "VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_PRE_COPY | VFIO_MIGRATION_P2P;",
    )
    found = driver_findings(spec, tree)
    assert {driver for _, driver in found} == {"hisilicon"}
    assert ("check-driver-arc-missing", "hisilicon") in found
    (kind,) = reports(spec, tree)["hisilicon"].kinds
    assert kind.kind.name == "P2P+PRE_COPY"
    assert ("RUNNING", "RUNNING_P2P") in kind.missing
    assert ("PRE_COPY", "PRE_COPY_P2P") in kind.missing
