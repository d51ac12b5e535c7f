"""Doc CI: sphinx-build -W fails, at the right file and line, when docs, code
and spec disagree; passes when they agree.  Real builds of a QEMU-shaped tree
(``tests/trees/base``, which agrees with the bundled spec)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEED_SPEC

BASE = ROOT / "tests" / "trees" / "base"
RST = "docs/devel/vfio-migration.rst"

CONF = f"""\
extensions = ["migspec.sphinxext"]
# The fixture tree is the seed's: so is its spec.
migspec_spec = "{SEED_SPEC}"
migspec_source_root = ".."
# The tree's one real note (a cancel/fail notifier no flow covers) stays quiet.
migspec_check = "warning"
exclude_patterns = ["_build"]
"""

INDEX = """\
QEMU-shaped docs
================

.. toctree::

   devel/vfio-migration
"""


def make_tree(tmp_path: Path) -> Path:
    tree = tmp_path / "tree"
    shutil.copytree(BASE, tree, ignore=shutil.ignore_patterns("expected.txt"))
    (tree / "docs" / "conf.py").write_text(CONF)
    (tree / "docs" / "index.rst").write_text(INDEX)
    rst = tree / RST
    text = rst.read_text()
    # QEMU keeps its hand-drawn blocks: a directive before each one checks it.
    text = text.replace(
        "Live migration save path\n------------------------\n\n::",
        "Live migration save path\n------------------------\n\n.. migspec:check-flow:: save\n\n::",
    )
    text = text.replace(
        "Live migration resume path\n--------------------------\n\n::",
        "Live migration resume path\n--------------------------\n\n.. migspec:check-flow:: resume\n\n::",
    )
    assert text.count("migspec:check-flow") == 2
    rst.write_text(text)
    return tree


def build(tree: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            *extra,
            str(tree / "docs"),
            str(tree / "docs" / "_build"),
        ],
        capture_output=True,
        text=True,
        cwd=tree,
    )


def warnings(result: subprocess.CompletedProcess[str]) -> list[tuple[str, int, str]]:
    """(file, line, subtype) of each migspec warning."""
    out = []
    for line in result.stderr.splitlines():
        m = re.match(
            r"(?P<file>[^:]+):(?P<line>\d+): WARNING: .* \[migspec\.(?P<sub>[a-z0-9-]+)\]$", line
        )
        if m:
            out.append((m["file"], int(m["line"]), m["sub"]))
    return out


def line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text().splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(f"{needle!r} not in {path}")


@pytest.mark.slow
def test_agreeing_tree_builds_clean(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    result = build(tree)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_code_drift_fails_at_the_c_line(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    common = tree / "hw/vfio/common.c"
    text = common.read_text()
    assert "VFIO_DEVICE_STATE_RUNNING_P2P" in text
    common.write_text(
        re.sub(
            r"\|\|\s*migration->device_state == VFIO_DEVICE_STATE_RUNNING_P2P", "", text, count=1
        )
    )
    result = build(tree)
    assert result.returncode != 0
    found = warnings(result)
    assert any(
        f.endswith("hw/vfio/common.c") and sub.startswith("check-predicate") for f, _, sub in found
    ), result.stderr


@pytest.mark.slow
def test_trace_events_drift_fails_at_the_trace_line(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    events = tree / "hw/vfio/trace-events"
    lines = events.read_text().splitlines(keepends=True)
    victim = next(i for i, line in enumerate(lines) if line.startswith("vfio_save_block("))
    lines[victim] = lines[victim].replace("int data_size", "uint64_t data_size")
    events.write_text("".join(lines))
    result = build(tree)
    assert result.returncode != 0
    assert (str(events.relative_to(tree)), victim + 1) in {
        (f, n) for f, n, _ in warnings(result)
    }, result.stderr


@pytest.mark.slow
def test_hand_drawn_block_drift_fails_at_the_rst_line(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    rst = tree / RST
    rst.write_text(
        rst.read_text().replace(
            "(FINISH_MIGRATE, _ACTIVE, _STOP_COPY)", "(FINISH_MIGRATE, _ACTIVE, _STOP)", 1
        )
    )
    result = build(tree)
    assert result.returncode != 0
    line = line_of(rst, "(FINISH_MIGRATE, _ACTIVE, _STOP)")
    assert (RST, line, "check-docs-tuple") in warnings(result), result.stderr


@pytest.mark.slow
def test_check_warnings_can_be_suppressed_by_rule(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    rst = tree / RST
    rst.write_text(
        rst.read_text().replace(
            "(FINISH_MIGRATE, _ACTIVE, _STOP_COPY)", "(FINISH_MIGRATE, _ACTIVE, _STOP)", 1
        )
    )
    result = build(tree, "-D", "suppress_warnings=migspec.check-docs-tuple")
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_editing_a_checked_c_file_reruns_the_check_on_rebuild(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    assert build(tree).returncode == 0
    # A no-op rebuild reads no document again and re-runs nothing.
    noop = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "-b",
            "html",
            str(tree / "docs"),
            str(tree / "docs" / "_build"),
        ],
        capture_output=True,
        text=True,
        cwd=tree,
    )
    assert noop.returncode == 0, noop.stderr
    assert re.search(r"reading sources\.\.\. \[", noop.stdout) is None, noop.stdout
    migration = tree / "hw/vfio/migration.c"
    text = migration.read_text()
    assert 'return "RUNNING_P2P";' in text
    migration.write_text(text.replace('return "RUNNING_P2P";', 'return "RUNNING-P2P";'))
    result = build(tree)
    assert result.returncode != 0
    line = line_of(migration, 'return "RUNNING-P2P";')
    assert ("hw/vfio/migration.c", line, "check-to-string-string") in warnings(result), (
        result.stderr
    )


@pytest.mark.slow
def test_latex_and_text_builders(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    (tree / "docs" / "index.rst").write_text(INDEX + "   machine\n")
    (tree / "docs" / "machine.rst").write_text(
        "Machine\n=======\n\n.. migspec:fsm::\n\n.. migspec:flow:: save\n   :format: graphviz\n\n"
        ".. migspec:flow:: resume\n   :features: none\n"
    )
    for builder in ("latex", "text"):
        out = tree / "docs" / f"_{builder}"
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "sphinx",
                "-W",
                "-q",
                "-b",
                builder,
                str(tree / "docs"),
                str(out),
            ],
            capture_output=True,
            text=True,
            cwd=tree,
        )
        assert result.returncode == 0, result.stderr
    text = (tree / "docs" / "_text" / "machine.txt").read_text()
    assert "(RESTORE_VM, _ACTIVE, _RESUMING)" in text
    tex = next((tree / "docs" / "_latex").glob("*.tex")).read_text()
    assert "graphviz-" in tex and ".pdf" in tex


# -- the kernel tree: uAPI enum, tables and variant drivers ------------------

KERNEL_CONF = """\
extensions = ["migspec.sphinxext"]
# The bundled spec; the kernel tree beside the docs.
migspec_kernel_root = "../kernel"
exclude_patterns = ["_build"]
"""


def make_kernel_docs(tmp_path: Path) -> Path:
    """A docs directory beside a kernel tree (tables, uAPI header, fixture drivers)."""
    top = tmp_path / "top"
    shutil.copytree(ROOT / "tests" / "trees" / "kernel", top / "kernel")
    shutil.copytree(ROOT / "tests" / "trees" / "kernel-drivers", top / "kernel", dirs_exist_ok=True)
    (top / "docs").mkdir()
    (top / "docs" / "conf.py").write_text(KERNEL_CONF)
    (top / "docs" / "index.rst").write_text("Kernel docs\n===========\n\nText.\n")
    return top


@pytest.mark.slow
def test_kernel_root_drivers_are_doc_ci_warnings(tmp_path: Path) -> None:
    top = make_kernel_docs(tmp_path)
    clean = build(top)
    assert clean.returncode == 0, clean.stderr
    assert warnings(clean) == []

    main = top / "kernel" / "drivers/vfio/pci/epsilon/main.c"
    text = main.read_text()
    arc = "\tif (cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP)\n\t\treturn NULL;\n"
    extra = (
        "\tif (cur == VFIO_DEVICE_STATE_RUNNING && new == VFIO_DEVICE_STATE_PRE_COPY)\n"
        "\t\treturn NULL;\n"
    )
    assert text.count(arc) == 1
    main.write_text(text.replace(arc, extra))
    result = build(top)
    assert result.returncode != 0
    shown = "kernel/drivers/vfio/pci/epsilon/main.c"  # relative to the build's folder
    assert sorted(warnings(result)) == sorted(
        [
            (shown, line_of(main, "*eps_set("), "check-driver-arc-missing"),
            (shown, line_of(main, "new == VFIO_DEVICE_STATE_PRE_COPY)"), "check-driver-arc-extra"),
        ]
    )


@pytest.mark.slow
def test_kernel_root_that_is_no_directory_is_a_warning(tmp_path: Path) -> None:
    top = make_kernel_docs(tmp_path)
    shutil.rmtree(top / "kernel")
    result = build(top)
    assert result.returncode != 0
    assert "migspec_kernel_root" in result.stderr and "[migspec.kernel-root]" in result.stderr


@pytest.mark.slow
def test_a_driver_added_since_the_last_build_is_checked(tmp_path: Path) -> None:
    top = make_kernel_docs(tmp_path)
    first = build(top)
    assert first.returncode == 0, first.stderr
    pci = top / "kernel" / "drivers/vfio/pci"
    # A new driver: a copy of epsilon that lacks an arc.
    shutil.copytree(pci / "epsilon", pci / "zeta")
    main = pci / "zeta" / "main.c"
    arc = "\tif (cur == VFIO_DEVICE_STATE_RESUMING && new == VFIO_DEVICE_STATE_STOP)\n\t\treturn NULL;\n"
    main.write_text(main.read_text().replace(arc, ""))
    again = build(top)
    assert warnings(again) == [
        (
            "kernel/drivers/vfio/pci/zeta/main.c",
            line_of(main, "*eps_set("),
            "check-driver-arc-missing",
        )
    ]
