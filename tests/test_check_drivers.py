"""The kernel's variant drivers vs the arcs the core asks of them.

The fixture drivers (tests/trees/kernel-drivers/, written for these tests
in the shapes real drivers use) check clean with the bundled spec; each
seeded mutation is reported at the right driver, file and line.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migspec.artefacts import run_check
from migspec.check.drivers import DriverReport
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.source.c import CReader
from migspec.source.kernel_drivers import DriverNames, read_drivers
from migspec.source.tree import TreeReader

from .conftest import ROOT
from .source_trees import TREES

BUNDLED = ROOT / "spec" / "vfio-migration.yaml"
DRIVERS = TREES / "kernel-drivers"
PCI = "drivers/vfio/pci"


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(BUNDLED)
    assert result.spec is not None
    return result.spec


def kernel_tree(dest: Path) -> Path:
    """The kernel fixture tree (core and uAPI) with the fixture drivers in it."""
    shutil.copytree(TREES / "kernel", dest)
    shutil.copytree(DRIVERS, dest, dirs_exist_ok=True)
    return dest


def line_of(path: Path, text: str, nth: int = 0) -> int:
    """The 1-based line of the ``nth`` line containing ``text``."""
    hits = [i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    assert len(hits) > nth, f"{text!r} not in {path}"
    return hits[nth]


def edit(path: Path, old: str, new: str) -> None:
    source = path.read_text()
    assert source.count(old) == 1, f"{old!r} not once in {path}"
    path.write_text(source.replace(old, new))


def findings(spec: Spec, tree: Path) -> list[tuple[str, str, int]]:
    checked = run_check(spec, None, tree)
    return sorted(
        (d.rule, Path(d.location.path).relative_to(tree).as_posix(), d.location.line)
        for d in checked.diagnostics
    )


def by_driver(spec: Spec, tree: Path) -> dict[str, DriverReport]:
    return {Path(r.driver).name: r for r in run_check(spec, None, tree).drivers}


def test_every_fixture_driver_is_read_and_checks_clean(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    assert findings(spec, tree) == []
    drivers = by_driver(spec, tree)
    assert sorted(drivers) == ["alpha", "beta", "delta", "epsilon", "gamma"]
    kinds = {name: [k.kind.name for k in r.kinds] for name, r in drivers.items()}
    assert kinds == {
        # flags set in another file of the driver (setup.c)
        "alpha": ["P2P+PRE_COPY"],
        "beta": ["P2P"],
        # PRE_COPY OR-ed in under a capability test: two kinds
        "delta": ["none", "PRE_COPY"],
        "epsilon": ["P2P"],
        "gamma": ["P2P"],
    }
    for report in drivers.values():
        assert report.complete
        assert report.extra == ()
        for kind in report.kinds:
            assert set(kind.asked) <= set(report.handled)
    # Every arc of the || chains, the split conditions and the switches is read.
    assert len(drivers["alpha"].handled) == 15
    assert ("PRE_COPY_P2P", "RUNNING_P2P") in drivers["alpha"].handled
    assert ("STOP", "RESUMING") in drivers["gamma"].handled
    assert ("RUNNING_P2P", "STOP") in drivers["gamma"].handled
    # beta's step function is in another file, and its next variable is step_to.
    step = drivers["beta"].step
    assert step is not None and step.path.endswith(f"{PCI}/beta/lm.c")


def test_missing_arc_is_an_error_at_the_step_function(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(
        main,
        "\tif (cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP)\n"
        "\t\treturn NULL;\n",
        "",
    )
    step_line = line_of(main, "static struct file *eps_set(")
    assert findings(spec, tree) == [
        ("check-driver-arc-missing", f"{PCI}/epsilon/main.c", step_line)
    ]
    (d,) = [d for d in run_check(spec, None, tree).diagnostics]
    assert "RESUMING -> STOP" in d.message and "(P2P)" in d.message
    noted = {(Path(n.location.path).name, n.location.line) for n in d.notes if n.location}
    assert ("main.c", line_of(main, "return ERR_PTR(-EINVAL);")) in noted
    assert ("main.c", line_of(main, "migration_flags =")) in noted
    assert by_driver(spec, tree)["epsilon"].kinds[0].missing == (("RESUMING", "STOP"),)


def test_an_arc_hidden_in_an_or_is_read(spec: Spec, tmp_path: Path) -> None:
    """The third disjunct of a split || condition now handles the wrong arc."""
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "alpha/main.c"
    edit(
        main,
        "\t    (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&\n\t     new == VFIO_DEVICE_STATE_RUNNING_P2P)) {",
        "\t    (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&\n\t     new == VFIO_DEVICE_STATE_RUNNING)) {",
    )
    assert findings(spec, tree) == [
        (
            "check-driver-arc-extra",
            f"{PCI}/alpha/main.c",
            line_of(main, "new == VFIO_DEVICE_STATE_RUNNING)) {") - 1,
        ),
        ("check-driver-arc-missing", f"{PCI}/alpha/main.c", line_of(main, "*alpha_step(")),
    ]
    report = by_driver(spec, tree)["alpha"]
    assert report.extra == (("PRE_COPY_P2P", "RUNNING"),)
    assert report.kinds[0].missing == (("PRE_COPY_P2P", "RUNNING_P2P"),)


def test_undeclared_feature_makes_its_arcs_extra(spec: Spec, tmp_path: Path) -> None:
    """alpha handles the PRE_COPY arcs but (in another file) no longer declares PRE_COPY."""
    tree = kernel_tree(tmp_path / "k")
    setup = tree / PCI / "alpha/setup.c"
    edit(setup, "\t\tVFIO_MIGRATION_P2P |\n\t\tVFIO_MIGRATION_PRE_COPY;", "\t\tVFIO_MIGRATION_P2P;")
    main = tree / PCI / "alpha/main.c"
    got = findings(spec, tree)
    assert {rule for rule, _, _ in got} == {"check-driver-arc-extra"}
    assert {path for _, path, _ in got} == {f"{PCI}/alpha/main.c"}
    # Where each PRE_COPY arc's comparison starts (one disjunct of an || each).
    starts = [
        "(cur == VFIO_DEVICE_STATE_PRE_COPY && new == VFIO_DEVICE_STATE_PRE_COPY_P2P)",
        "(cur == VFIO_DEVICE_STATE_PRE_COPY_P2P && new == VFIO_DEVICE_STATE_PRE_COPY)",
        "(cur == VFIO_DEVICE_STATE_PRE_COPY && new == VFIO_DEVICE_STATE_RUNNING) ||",
        "(cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&",
        "if ((cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_PRE_COPY) ||",
        "(cur == VFIO_DEVICE_STATE_RUNNING_P2P &&",
        "if (cur == VFIO_DEVICE_STATE_PRE_COPY_P2P &&",
    ]
    lines = main.read_text().splitlines()
    precopy_lines = {
        i for i, line in enumerate(lines, 1) if any(line.strip().startswith(t) for t in starts)
    }
    assert len(precopy_lines) == 7
    assert {line for _, _, line in got} == precopy_lines
    assert len(got) == 7
    report = by_driver(spec, tree)["alpha"]
    assert [k.kind.name for k in report.kinds] == ["P2P"]
    messages = [d.message for d in run_check(spec, None, tree).diagnostics]
    assert all("only of devices with" in m and "PRE_COPY" in m for m in messages)


def test_extra_arc_is_a_warning_at_its_condition(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    lm = tree / PCI / "beta/lm.c"
    edit(
        lm,
        "\treturn ERR_PTR(-EINVAL);\n}",
        "\tif (from == VFIO_DEVICE_STATE_RUNNING && target == VFIO_DEVICE_STATE_STOP_COPY)\n"
        "\t\treturn NULL;\n\n\treturn ERR_PTR(-EINVAL);\n}",
    )
    assert findings(spec, tree) == [
        (
            "check-driver-arc-extra",
            f"{PCI}/beta/lm.c",
            line_of(lm, "target == VFIO_DEVICE_STATE_STOP_COPY)"),
        )
    ]
    (d,) = run_check(spec, None, tree).diagnostics
    assert "RUNNING -> STOP_COPY" in d.message and "of no device kind" in d.message


def test_capability_kind_needs_its_arcs(spec: Spec, tmp_path: Path) -> None:
    """delta's PRE_COPY kind (capability-guarded) lacks PRE_COPY -> STOP_COPY; the base kind does not ask it."""
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "delta/main.c"
    edit(
        main,
        "\tif (cur == VFIO_DEVICE_STATE_PRE_COPY && new == VFIO_DEVICE_STATE_STOP_COPY)\n"
        "\t\treturn NULL;\n",
        "",
    )
    assert findings(spec, tree) == [
        ("check-driver-arc-missing", f"{PCI}/delta/main.c", line_of(main, "*delta_step("))
    ]
    kinds = {k.kind.name: k.missing for k in by_driver(spec, tree)["delta"].kinds}
    assert kinds == {"none": (), "PRE_COPY": (("PRE_COPY", "STOP_COPY"),)}
    (d,) = run_check(spec, None, tree).diagnostics
    noted = {n.location.line for n in d.notes if n.location}
    assert line_of(main, "migration_flags |=") in noted


def test_switch_case_removed_is_missing(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "gamma/main.c"
    edit(main, "\t\tcase VFIO_DEVICE_STATE_RESUMING:\n\t\t\treturn NULL;", "\t\t\treturn NULL;")
    got = findings(spec, tree)
    assert got == [
        ("check-driver-arc-missing", f"{PCI}/gamma/main.c", line_of(main, "*gamma_step("))
    ]
    assert by_driver(spec, tree)["gamma"].kinds[0].missing == (("STOP", "RESUMING"),)


# -- forms the reader does not understand: said, never guessed -------------------


@pytest.mark.parametrize(
    ("driver", "old", "new", "marker"),
    [
        # a comparison with != naming the target
        (
            "epsilon/main.c",
            "if (cur == VFIO_DEVICE_STATE_STOP_COPY && new == VFIO_DEVICE_STATE_STOP)",
            "if (cur == VFIO_DEVICE_STATE_STOP_COPY && new != VFIO_DEVICE_STATE_RUNNING)",
            "new != VFIO_DEVICE_STATE_RUNNING",
        ),
        # flags copied from a variable
        (
            "beta/dev.c",
            "vdev->migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;",
            "vdev->migration_flags = VFIO_MIGRATION_STOP_COPY | beta_extra_flags;",
            "beta_extra_flags",
        ),
        # the next state passed to no function of the driver
        (
            "gamma/main.c",
            "res = gamma_step(g, next);",
            "res = gamma_elsewhere(g, next);",
            "vfio_mig_get_next_state(",
        ),
    ],
)
def test_unread_forms_are_reported_where_they_are(
    spec: Spec, tmp_path: Path, driver: str, old: str, new: str, marker: str
) -> None:
    tree = kernel_tree(tmp_path / "k")
    path = tree / PCI / driver
    edit(path, old, new)
    got = findings(spec, tree)
    assert ("check-driver-unread", f"{PCI}/{driver}", line_of(path, marker)) in got
    # No missing arc is claimed for a driver that was not read completely.
    assert not [g for g in got if g[0] == "check-driver-arc-missing"]


def test_no_flags_is_reported_at_the_ops(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "gamma/main.c"
    edit(main, "\tg->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;\n", "")
    assert findings(spec, tree) == [
        ("check-driver-unread", f"{PCI}/gamma/main.c", line_of(main, ".migration_set_state"))
    ]


def test_recognition_comes_from_the_spec(spec: Spec, tmp_path: Path) -> None:
    """Renamed in the spec and in the tree alike, the drivers are still found."""
    tree = kernel_tree(tmp_path / "k")
    for path in (tree / PCI).rglob("*.c"):
        text = path.read_text().replace("vfio_migration_ops", "mig_ops_v2")
        path.write_text(text.replace("migration_set_state", "set_state_v2"))
    names = DriverNames(
        dir="drivers/vfio/pci",
        ops="mig_ops_v2",
        set_state="set_state_v2",
        flags="migration_flags",
        lookup="vfio_mig_get_next_state",
        state_prefix="VFIO_DEVICE_STATE_",
    )
    reader = TreeReader.at(tree)
    drivers, files, diagnostics = read_drivers(reader, CReader(), names)
    assert diagnostics == [] and reader.diagnostics == []
    assert [Path(d.directory).name for d in drivers] == [
        "alpha",
        "beta",
        "delta",
        "epsilon",
        "gamma",
    ]
    assert all(f.startswith("drivers/vfio/pci/") for f in files)
    # With the spec's names, the renamed tree has no driver.
    assert by_driver(spec, tree) == {}


# -- the command line -----------------------------------------------------------


def migspec(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migspec", *args],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "ext"), "PATH": "/usr/bin:/bin", "MIGSPEC_CACHE_DIR": ""},
        check=False,
    )


def test_check_json_lists_each_driver(tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(
        main,
        "\tif (cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP)\n"
        "\t\treturn NULL;\n",
        "",
    )
    run = migspec("check", "--kernel-root", str(tree), "--format", "json")
    assert run.returncode == 1, run.stderr
    document = json.loads(run.stdout)
    assert [r["rule"] for r in document["diagnostics"]] == ["check-driver-arc-missing"]
    drivers = {Path(d["driver"]).name: d for d in document["drivers"]}
    assert sorted(drivers) == ["alpha", "beta", "delta", "epsilon", "gamma"]
    eps = drivers["epsilon"]
    assert eps["complete"] is True
    assert [k["kind"] for k in eps["kinds"]] == ["P2P"]
    assert eps["kinds"][0]["features"] == ["P2P", "STOP_COPY"]
    assert eps["kinds"][0]["missing"] == [{"from": "RESUMING", "to": "STOP"}]
    assert {"from": "STOP", "to": "RESUMING"} in eps["handled"]
    assert eps["extra"] == []
    assert eps["step"]["line"] == line_of(main, "static struct file *eps_set(")
    assert [k["kind"] for k in drivers["delta"]["kinds"]] == ["none", "PRE_COPY"]


def test_check_json_without_drivers_keeps_its_shape(tmp_path: Path) -> None:
    """A QEMU-only check has no drivers key; a kernel without drivers an empty list."""
    run = migspec("check", "--kernel-root", str(TREES / "kernel"), "--format", "json")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"diagnostics": [], "drivers": []}


def test_a_missing_drivers_directory_is_named(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    shutil.rmtree(tree / "drivers")
    checked = run_check(spec, None, tree)
    missing = [d for d in checked.diagnostics if d.location.path == str(tree / "drivers/vfio")]
    assert [d.rule for d in missing] == ["check-file-missing"]
    assert "variant drivers" in missing[0].message
    assert checked.drivers == ()


def test_flags_chosen_by_a_conditional_expression_are_two_kinds(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "beta/dev.c"
    edit(
        main,
        "vdev->migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;",
        "vdev->migration_flags = bd->quiet ? (VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P) :\n"
        "\t\t\t\t\t\t VFIO_MIGRATION_STOP_COPY;",
    )
    report = by_driver(spec, tree)["beta"]
    assert [k.kind.name for k in report.kinds] == ["P2P", "none"]
    # beta handles no RUNNING <-> STOP arc, which a device without P2P is asked.
    missing = {k.kind.name: k.missing for k in report.kinds}
    assert missing == {"P2P": (), "none": (("RUNNING", "STOP"), ("STOP", "RUNNING"))}
    assert [d.rule for d in run_check(spec, None, tree).diagnostics] == [
        "check-driver-arc-missing",
        "check-driver-arc-missing",
    ]


# -- arcs inside other statements (#16 review) -------------------------------------

RESUME_ARC = (
    "\tif (cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP)\n\t\treturn NULL;\n"
)
RESUME_COND = "cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP"


@pytest.mark.parametrize(
    "wrapped",
    [
        # under a condition on something else (a capability): one more conjunct
        "\tif (e->supported) {\n\t\tif (" + RESUME_COND + ")\n\t\t\treturn NULL;\n\t}\n",
        # a switch on the new state inside such an if
        "\tif (e->supported) {\n\t\tswitch (new) {\n\t\tcase VFIO_DEVICE_STATE_STOP:\n"
        "\t\t\tif (cur == VFIO_DEVICE_STATE_RESUMING)\n\t\t\t\treturn NULL;\n"
        "\t\t\tbreak;\n\t\tdefault:\n\t\t\tbreak;\n\t\t}\n\t}\n",
        # in a do { } while (0) and in a for loop
        "\tdo {\n\t\tif (" + RESUME_COND + ")\n\t\t\treturn NULL;\n\t} while (0);\n",
        "\tfor (;;) {\n\t\tif (" + RESUME_COND + ")\n\t\t\treturn NULL;\n\t\tbreak;\n\t}\n",
        # after a label
        "again:\n\tif (" + RESUME_COND + ")\n\t\treturn NULL;\n",
        # a non-state disjunct with a nested arc
        "\tif (!e->supported || e->vdev.migration_flags) {\n\t\tif (" + RESUME_COND + ")\n"
        "\t\t\treturn NULL;\n\t}\n",
    ],
)
def test_an_arc_inside_other_statements_is_handled(
    spec: Spec, tmp_path: Path, wrapped: str
) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(main, RESUME_ARC, wrapped)
    # Not read, RESUMING -> STOP would be a missing arc (an error).
    assert findings(spec, tree) == []
    report = by_driver(spec, tree)["epsilon"]
    assert report.complete and ("RESUMING", "STOP") in report.handled
    assert report.configured == ()


def test_an_extra_arc_under_a_capability_test_is_located(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(
        main,
        RESUME_ARC,
        RESUME_ARC + "\tif (e->supported) {\n\t\twhile (e->supported) {\n"
        "\t\t\tif (cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_PRE_COPY)\n"
        "\t\t\t\treturn NULL;\n\t\t}\n\t}\n",
    )
    assert findings(spec, tree) == [
        (
            "check-driver-arc-extra",
            f"{PCI}/epsilon/main.c",
            line_of(main, "new == VFIO_DEVICE_STATE_PRE_COPY"),
        )
    ]


@pytest.mark.parametrize(
    ("new", "marker"),
    [
        # a macro taking the states' bare names
        (
            "#define EPS_ARC(a, b) (cur == VFIO_DEVICE_STATE_##a && new == VFIO_DEVICE_STATE_##b)\n"
            "\tif (EPS_ARC(RESUMING, STOP))\n\t\treturn NULL;\n",
            "if (EPS_ARC(",
        ),
        # a macro around the comparison, given a prefixed constant
        (
            "\tif (likely(" + RESUME_COND + "))\n\t\treturn NULL;\n",
            "if (likely(",
        ),
        # an #ifdef inside the condition
        (
            "\tif ((cur == VFIO_DEVICE_STATE_STOP_COPY && new == VFIO_DEVICE_STATE_STOP)\n"
            "#ifdef CONFIG_EPS_RESUME\n\t    || (" + RESUME_COND + ")\n#endif\n\t    )\n"
            "\t\treturn NULL;\n",
            "if ((cur == VFIO_DEVICE_STATE_STOP_COPY",
        ),
    ],
)
def test_a_condition_not_taken_apart_makes_the_driver_incomplete(
    spec: Spec, tmp_path: Path, new: str, marker: str
) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(main, RESUME_ARC, new)
    # No missing RESUMING -> STOP is claimed: the driver may handle it there.
    assert findings(spec, tree) == [
        ("check-driver-unread", f"{PCI}/epsilon/main.c", line_of(main, marker))
    ]
    assert by_driver(spec, tree)["epsilon"].complete is False


# -- flags: statement order, removals, what is not read ------------------------------

EPS_FLAGS = "\te->vdev.migration_flags = VFIO_MIGRATION_STOP_COPY | VFIO_MIGRATION_P2P;\n"


def test_a_plain_assignment_replaces_an_earlier_or(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(main, EPS_FLAGS, "\te->vdev.migration_flags |= VFIO_MIGRATION_PRE_COPY;\n" + EPS_FLAGS)
    # Read as P2P+PRE_COPY, the PRE_COPY arcs epsilon lacks would be errors.
    assert findings(spec, tree) == []
    assert [k.kind.name for k in by_driver(spec, tree)["epsilon"].kinds] == ["P2P"]
    # After the assignment, the OR adds to it.
    edit(
        main,
        "\te->vdev.migration_flags |= VFIO_MIGRATION_PRE_COPY;\n" + EPS_FLAGS,
        EPS_FLAGS + "\te->vdev.migration_flags |= VFIO_MIGRATION_PRE_COPY;\n",
    )
    assert [k.kind.name for k in by_driver(spec, tree)["epsilon"].kinds] == ["P2P+PRE_COPY"]


def test_a_guarded_removal_is_another_kind(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(
        main,
        EPS_FLAGS,
        EPS_FLAGS + "\tif (!e->supported)\n\t\te->vdev.migration_flags &= ~VFIO_MIGRATION_P2P;\n",
    )
    report = by_driver(spec, tree)["epsilon"]
    assert [k.kind.name for k in report.kinds] == ["P2P", "none"]
    # epsilon does P2P as STOP: a device without P2P is asked RUNNING <-> STOP.
    step = line_of(main, "static struct file *eps_set(")
    assert findings(spec, tree) == [("check-driver-arc-missing", f"{PCI}/epsilon/main.c", step)] * 2
    d = run_check(spec, None, tree).diagnostics[0]
    assert "(none)" in d.message
    assert line_of(main, "&= ~VFIO_MIGRATION_P2P") in {
        n.location.line for n in d.notes if n.location
    }
    # Unconditionally, the removal applies to the only kind.
    edit(main, "\tif (!e->supported)\n\t\te->vdev", "\te->vdev")
    assert [k.kind.name for k in by_driver(spec, tree)["epsilon"].kinds] == ["none"]


@pytest.mark.parametrize(
    ("new", "marker"),
    [
        # from a helper
        ("\te->vdev.migration_flags = eps_flags(e);\n", "eps_flags(e)"),
        # from a variable
        (
            "\tu64 flags = VFIO_MIGRATION_STOP_COPY;\n\n\tif (e->supported)\n"
            "\t\tflags |= VFIO_MIGRATION_P2P;\n\te->vdev.migration_flags = flags;\n",
            "migration_flags = flags",
        ),
        # masked with something other than ~ of macros
        (EPS_FLAGS + "\te->vdev.migration_flags &= eps_mask;\n", "&= eps_mask"),
        # another operator
        (EPS_FLAGS + "\te->vdev.migration_flags ^= VFIO_MIGRATION_P2P;\n", "^= VFIO"),
    ],
)
def test_flags_not_read_make_the_driver_incomplete(
    spec: Spec, tmp_path: Path, new: str, marker: str
) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(main, EPS_FLAGS, new)
    # One finding there; no "no assignment" claim beside it, no missing arc.
    assert findings(spec, tree) == [
        ("check-driver-unread", f"{PCI}/epsilon/main.c", line_of(main, marker))
    ]
    assert by_driver(spec, tree)["epsilon"].complete is False


# -- the kernel's configuration ---------------------------------------------------


def test_an_arc_under_ifdef_depends_on_the_configuration(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    # One arc under #ifdef, another under its #else: neither is claimed missing.
    edit(
        main,
        RESUME_ARC,
        "#ifdef CONFIG_EPS_RESUME\n" + RESUME_ARC + "#else\n"
        "\tif (cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_PRE_COPY)\n"
        "\t\treturn NULL;\n#endif\n",
    )
    got = findings(spec, tree)
    extra_line = line_of(main, "new == VFIO_DEVICE_STATE_PRE_COPY")
    assert got == [("check-driver-arc-extra", f"{PCI}/epsilon/main.c", extra_line)]
    report = by_driver(spec, tree)["epsilon"]
    assert report.configured == (("RESUMING", "STOP"), ("RUNNING", "PRE_COPY"))
    (d,) = run_check(spec, None, tree).diagnostics
    noted = {(n.location.line, n.message.split()[0]) for n in d.notes if n.location}
    assert (line_of(main, "#else"), "handled") in noted
    run = migspec("check", "--kernel-root", str(tree), "--format", "json")
    eps = [r for r in json.loads(run.stdout)["drivers"] if r["driver"].endswith("epsilon")]
    assert eps[0]["configured"] == [
        {"from": "RESUMING", "to": "STOP"},
        {"from": "RUNNING", "to": "PRE_COPY"},
    ]


def test_flags_added_under_ifdef_are_another_kind(spec: Spec, tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(
        main,
        EPS_FLAGS,
        EPS_FLAGS + "#ifdef CONFIG_EPS_PRE_COPY\n"
        "\te->vdev.migration_flags |= VFIO_MIGRATION_PRE_COPY;\n#endif\n",
    )
    report = by_driver(spec, tree)["epsilon"]
    assert [k.kind.name for k in report.kinds] == ["P2P", "P2P+PRE_COPY"]
    step = line_of(main, "static struct file *eps_set(")
    got = findings(spec, tree)
    assert got and set(got) == {("check-driver-arc-missing", f"{PCI}/epsilon/main.c", step)}


def test_two_ops_initializers_are_one_driver(tmp_path: Path) -> None:
    tree = kernel_tree(tmp_path / "k")
    main = tree / PCI / "epsilon/main.c"
    edit(
        main,
        "static void eps_migration_init(",
        "static const struct vfio_migration_ops eps_migration_ops_b = {\n"
        "\t.migration_set_state = eps_set_device_state,\n};\n\n"
        "static void eps_migration_init(",
    )
    run = migspec("check", "--kernel-root", str(tree), "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    names = [Path(d["driver"]).name for d in json.loads(run.stdout)["drivers"]]
    assert names == ["alpha", "beta", "delta", "epsilon", "gamma"]
