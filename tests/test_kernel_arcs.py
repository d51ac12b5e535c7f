"""The arcs comment above the kernel's next-state table: read, checked, updated.

The kernel fixture (``tests/trees/kernel``) has such a comment, written for
these tests in the kernel's layout (headings, then ``A -> B`` lines) but in
words of its own and with the arcs in an order of its own: the lists are
paired with the spec's by their arcs, never by their words.  The real trees
(Debian's 6.1 and 6.12) are checked and updated on copies.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from migspec.align.kernel_arcs import pair_arc_lists, unnamed_features
from migspec.artefacts import check_tree, plan_update
from migspec.expect.kernel import expect_kernel_tables
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.render.kernel import render_kernel_table
from migspec.source.kernel_arcs import read_arcs_comment
from migspec.update import apply_plan

from .checkpatch import checkpatch
from .conftest import BUNDLED_SPEC, ROOT
from .linux_trees import copy_tree
from .source_trees import TREES

MAIN = "drivers/vfio/vfio_main.c"
RULE = "check-kernel-arcs-comment"
TABLE = "\tstatic const u8 vfio_from_fsm_table["
LINUX_6_1_SPEC = ROOT / "spec" / "examples" / "vfio-migration-linux-6.1.yaml"
PRE_COPY_SPEC = ROOT / "docs" / "kernel" / "pre-copy.yaml"


def load(path: Path) -> Spec:
    result = load_spec(path)
    assert result.spec is not None, result.diagnostics
    return result.spec


@pytest.fixture
def kernel(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TREES / "kernel", tmp_path / "kernel"))


def line_of(path: Path, text: str, nth: int = 0) -> int:
    return [i + 1 for i, line in enumerate(path.read_text().split("\n")) if line == text][nth]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def arcs_findings(spec: Spec, kernel: Path) -> list[tuple[int, str]]:
    return sorted(
        (d.location.line, d.message) for d in check_tree(spec, None, kernel) if d.rule == RULE
    )


def table_line(lines: list[str]) -> int:
    return next(i + 1 for i, line in enumerate(lines) if line.startswith(TABLE))


# -- the reader -------------------------------------------------------------------------------


def test_reader_reads_the_fixtures_lists_by_layout() -> None:
    lines = (TREES / "kernel" / MAIN).read_text().split("\n")
    comment = read_arcs_comment(lines, table_line(lines))
    assert comment is not None
    assert lines[comment.line - 1].strip() == "/*" and lines[comment.last_line - 1].strip() == "*/"
    heads = [lines[b.heading[0] - 1] if b.heading else None for b in comment.blocks]
    assert heads == [
        "\t * Whatever it supports, a driver has to move along these arcs:",
        "\t * With P2P it moves along these as well:",
        "\t * With pre-copy but no P2P, add these:",
        "\t * and with both, these on top of the P2P ones:",  # right after arcs, no blank
        "\t * With neither, the driver goes straight between:",
    ]
    assert [len(b.arcs) for b in comment.blocks] == [4, 4, 3, 7, 2]
    # The combination transitions end the lists: their path is not an arc.
    assert all(lines[a.line - 1].count("->") == 1 for b in comment.blocks for a in b.arcs)


def test_the_rendered_comment_pairs_exactly_with_the_expectation() -> None:
    """The template draws every list; the reader reads it back, each list equal."""
    for path in (BUNDLED_SPEC, LINUX_6_1_SPEC):
        spec = load(path)
        lines = render_kernel_table(spec).split("\n")
        comment = read_arcs_comment(lines, table_line(lines))
        assert comment is not None
        pairings, extra = pair_arc_lists(expect_kernel_tables(spec).arc_lists, comment.blocks)
        assert extra == []
        assert all(p.block is not None and not p.missing and not p.extra for p in pairings)


def test_no_comment_above_the_table_is_none() -> None:
    lines = ["int x;", "", TABLE + "X][X] = {", "};"]
    assert read_arcs_comment(lines, 3) is None


# -- check and update, on the fixture ---------------------------------------------------------


def test_the_fixture_agrees() -> None:
    spec = load(BUNDLED_SPEC)
    assert arcs_findings(spec, TREES / "kernel") == []
    assert plan_update(spec, TREES / "kernel", "kernel").files == ()


MUTATIONS = {
    # name: (old, new, the line (text) each finding is at)
    "arc-missing": (
        "\t *         RUNNING_P2P -> STOP\n",
        "",
        ["\t * With P2P it moves along these as well:"],
    ),
    "arc-extra": (
        "\t *         STOP -> RESUMING\n",
        "\t *         STOP -> RESUMING\n\t *         RESUMING -> RUNNING\n",
        ["\t *         RESUMING -> RUNNING"],
    ),
    "list-missing": (
        "\t *\n\t * With pre-copy but no P2P, add these:\n"
        "\t *         RUNNING -> PRE_COPY\n"
        "\t *         PRE_COPY -> STOP_COPY\n"
        "\t *         PRE_COPY -> RUNNING\n",
        "\t *\n",
        ["\t/*"],
    ),
    "list-extra": (
        "\t *\n\t * With neither,",
        "\t *\n\t * Made up:\n\t *         ERROR -> RUNNING\n\t *\n\t * With neither,",
        ["\t * Made up:"],
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_mutation_is_found_and_mended(name: str, kernel: Path) -> None:
    old, new, at = MUTATIONS[name]
    spec = load(BUNDLED_SPEC)
    main = kernel / MAIN
    before = main.read_text()
    edit(main, old, new)
    # "\t/*" is the arcs comment's opening, the file's first tab-indented one.
    lines = [line_of(main, text) for text in at]
    assert [line for line, _ in arcs_findings(spec, kernel)] == lines
    plan = plan_update(spec, kernel, "kernel")
    assert plan.diagnostics == ()
    diff = plan.diff().decode()
    assert checkpatch(diff) == []
    changed = [
        line
        for line in diff.split("\n")
        if line.startswith(("+", "-")) and not line.startswith(("+++", "---"))
    ]
    assert 0 < len(changed) <= 6, changed  # only the comment's lines that disagree
    assert apply_plan(plan).diagnostics == ()
    assert arcs_findings(spec, kernel) == []
    assert plan_update(spec, kernel, "kernel").files == ()  # idempotent
    if name in ("arc-extra", "list-extra"):
        assert main.read_text() == before  # removed exactly what was added


def test_no_arcs_comment_is_found_and_left_to_people(kernel: Path) -> None:
    spec = load(BUNDLED_SPEC)
    main = kernel / MAIN
    text = main.read_text()
    start = text.index("\t/*\n\t * One arc a step")
    end = text.index("\t */\n", start) + len("\t */\n")
    main.write_text(text[:start] + text[end:])
    table = line_of(main, next(x for x in text.split("\n") if x.startswith(TABLE)))
    assert [line for line, _ in arcs_findings(spec, kernel)] == [table]
    plan = plan_update(spec, kernel, "kernel")
    assert [(d.rule, d.location.line) for d in plan.diagnostics] == [("update-by-hand", table)]
    assert plan.files == ()


# -- the real trees -----------------------------------------------------------------------------


def test_linux_6_1_gains_the_pre_copy_lists(linux_6_1: Path, tmp_path: Path) -> None:
    """6.1 + pre-copy.yaml: the two PRE_COPY lists are inserted after the P2P
    list, with the template's headings; 6.1's own lists keep their words but
    one: "Without P2P the driver must implement:" heads the list of drivers
    with no optional feature, which now lack PRE_COPY too (6.2 reworded it
    by hand), so it becomes the template's heading for that list."""
    spec = load(PRE_COPY_SPEC)
    kernel = copy_tree(linux_6_1, tmp_path / "linux")
    missing = arcs_findings(spec, kernel)
    assert [m for _, m in missing] == [
        "the arcs comment has no list of the arcs of a P2P and PRE_COPY driver: "
        "PRE_COPY -> PRE_COPY_P2P, PRE_COPY -> RUNNING, PRE_COPY_P2P -> PRE_COPY, "
        "PRE_COPY_P2P -> RUNNING_P2P, PRE_COPY_P2P -> STOP_COPY, RUNNING -> PRE_COPY, "
        "RUNNING_P2P -> PRE_COPY_P2P",
        "the arcs comment has no list of the arcs of a PRE_COPY driver: "
        "PRE_COPY -> RUNNING, PRE_COPY -> STOP_COPY, RUNNING -> PRE_COPY",
        "the heading of this list of the arcs of a driver with no optional feature "
        "does not name PRE_COPY, which its drivers lack too",
    ]
    plan = plan_update(spec, kernel, "kernel")
    diff = plan.diff().decode()
    assert checkpatch(diff) == []
    assert "+\t * A PRE_COPY driver implements the arcs of a driver with no optional\n" in diff
    assert "+\t *         PRE_COPY_P2P -> STOP_COPY\n" in diff
    removed = [line for line in diff.split("\n") if line.startswith("-\t *")]
    assert removed == ["-\t * Without P2P the driver must implement:"]
    assert "+\t * A driver with no optional feature also implements:\n" in diff
    apply_plan(plan)
    assert arcs_findings(spec, kernel) == []
    again = plan_update(spec, kernel, "kernel")
    assert MAIN not in [f.rel for f in again.files]


def test_linux_6_12_loses_them_with_the_6_1_spec(linux_6_12: Path, tmp_path: Path) -> None:
    spec = load(LINUX_6_1_SPEC)
    kernel = copy_tree(linux_6_12, tmp_path / "linux")
    assert len(arcs_findings(spec, kernel)) == 2
    plan = plan_update(spec, kernel, "kernel")
    diff = plan.diff().decode()
    removed = [line for line in diff.split("\n") if line.startswith("-\t * ")]
    assert "-\t * If precopy is supported then the driver must support these additional" in removed
    assert not any(line.startswith("+\t * ") for line in diff.split("\n"))
    apply_plan(plan)
    assert arcs_findings(spec, kernel) == []
    # 6.1's spec on 6.12 as updated: nothing of the comment is left to report.
    assert Counter(d.rule for d in check_tree(spec, None, kernel))[RULE] == 0


def test_real_trees_with_their_specs_are_clean(linux_6_1: Path, linux_6_12: Path) -> None:
    assert arcs_findings(load(LINUX_6_1_SPEC), linux_6_1) == []
    assert arcs_findings(load(BUNDLED_SPEC), linux_6_12) == []
    assert plan_update(load(BUNDLED_SPEC), linux_6_12, "kernel").files == ()


@pytest.mark.parametrize(
    ("heading", "features", "unnamed"),
    [
        ("Without P2P the driver must implement:", (), ("PRE_COPY",)),
        ("Without P2P and precopy the driver must implement:", (), ()),
        ("A driver with neither p2p nor pre-copy:", (), ()),
        ("With neither, the driver goes straight between:", (), ()),
        ("A driver with no optional feature also implements:", (), ()),
        ("Without PRE_COPY:", (), ("P2P",)),
        # Only the list of drivers with no optional feature is held to names.
        ("and with both, these on top of the P2P ones:", ("P2P", "PRE_COPY"), ()),
        ("If P2P is supported then the driver must also implement:", ("P2P",), ()),
        ("Whatever it supports, a driver has to move along these arcs:", None, ()),
    ],
)
def test_which_heading_no_longer_names_what_its_drivers_lack(
    heading: str, features: tuple[str, ...] | None, unnamed: tuple[str, ...]
) -> None:
    assert unnamed_features(heading, features, ("P2P", "PRE_COPY")) == unnamed
