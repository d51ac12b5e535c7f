"""The bundled spec against QEMU master's files (../shared/corpus/qemu-master),
laid out as a tree at run time: check and update --check are clean, and the
multifd era is read as it is written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from migspec.artefacts import check_tree
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.render.dot import flow_graph
from migspec.source.rst import read_flows

from .conftest import BUNDLED_SPEC
from .render_support import run_cli

RST = "docs/devel/migration/vfio.rst"


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(BUNDLED_SPEC)
    assert result.spec is not None
    return result.spec


@pytest.fixture
def tree(corpus: Path, tmp_path: Path) -> Path:
    """The corpus files of QEMU master, in a tree of their own (update may write)."""
    root = tmp_path / "qemu"
    for path in sorted((corpus / "qemu-master").rglob("*")):
        if path.is_file():
            target = root / path.relative_to(corpus / "qemu-master")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return root


def test_check_is_clean_with_fail_on_warning(tree: Path) -> None:
    run = run_cli("check", "--source-root", str(tree), "--fail-on", "warning", "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    # Left: the notifier that moves the device back to RUNNING when a
    # migration fails or is cancelled, which no flow draws.
    assert '"rule": "check-transition-unregistered"' in run.stdout
    assert run.stdout.count('"rule"') == 1


def test_update_check_is_clean(tree: Path) -> None:
    before = {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()}
    run = run_cli("update", "--source-root", str(tree), "--check")
    assert run.returncode == 0, run.stderr
    assert run.stderr == f"migspec update: nothing to do in {tree}\n"
    assert {p: p.read_bytes() for p in tree.rglob("*") if p.is_file()} == before


def test_the_uapi_enum_sentinel_is_no_state(spec: Spec, tree: Path) -> None:
    header = tree / "linux-headers/linux/vfio.h"
    assert "\tVFIO_DEVICE_STATE_NR,\n" in header.read_text()
    assert [d for d in check_tree(spec, tree) if d.rule.startswith("check-enum")] == []


def test_tab_indented_lines_are_text_of_their_step(tree: Path) -> None:
    """Two lines of the save path are indented with a tab and spaces: docutils
    reads them at column 18 (tab stops of 8), inside the same step."""
    rst = tree / RST
    raw = rst.read_text().splitlines()
    tabbed = [n for n, line in enumerate(raw, 1) if line.startswith("\t")]
    assert len(tabbed) == 2
    flows, diagnostics = read_flows(
        rst, str(rst), ["Live migration save path", "Live migration resume path"], "|"
    )
    assert diagnostics == [] and flows is not None
    save = flows.flows["Live migration save path"]
    lines = {line.location.line: line for step in save.steps for line in step.lines}
    # Columns in diagnostics count characters, as everywhere in migspec: the
    # tab is one (an editor's "go to column 12" lands on the text).
    assert [(lines[n].text, lines[n].location.column) for n in tabbed] == [
        ("In the multifd mode this iteration is done in", 12),
        (".save_complete_precopy_thread() instead.", 12),
    ]
    # ... in the step of the STOP_COPY tuple above them.
    (step,) = [s for s in save.steps if lines[tabbed[0]] in s.lines]
    assert step.tuples[0].text == "(FINISH_MIGRATE, _ACTIVE, _STOP_COPY)"


def test_a_changed_tab_line_is_found_and_rewritten(tree: Path) -> None:
    rst = tree / RST
    text = rst.read_text()
    old = "\t          .save_complete_precopy_thread() instead.\n"
    assert old in text
    rst.write_text(text.replace(old, "\t          .save_complete_thread() instead.\n"))
    check = run_cli("check", "--source-root", str(tree), "--format", "json")
    assert '"rule": "check-docs-text"' in check.stdout
    assert run_cli("update", "--source-root", str(tree), "--write").returncode == 0
    new = rst.read_text()
    # The changed line is drawn as the template draws it; its tabbed
    # neighbour keeps its hand layout byte for byte.
    assert "\t          In the multifd mode this iteration is done in\n" in new
    assert "\t          .save_complete" not in new
    assert ".save_complete_precopy_thread() instead.\n" in new
    assert run_cli("update", "--source-root", str(tree), "--check").returncode == 0


def test_work_in_a_thread_or_over_multifd_is_drawn(spec: Spec) -> None:
    save = flow_graph(spec, spec.flow_map["save"])
    assert [n.elsewhere for n in save.nodes if n.elsewhere] == [
        (".save_complete_precopy_thread() runs in a thread of its own, over the multifd channels",)
    ]
    resume = flow_graph(spec, spec.flow_map["resume"])
    assert [n.elsewhere for n in resume.nodes if n.elsewhere] == [
        (".load_state_buffer() runs over the multifd channels",)
    ]
    dot = run_cli("render", "flow-dot", "--flow", "resume").stdout
    assert "&#8649; .load_state_buffer() runs over the multifd channels" in dot
