"""The uAPI comment on the machine and the kernel's tables: read, checked, rewritten.

The kernel fixture (``tests/trees/kernel``) holds a comment written for
migspec in the kernel's layout, and the tables of the full machine.  Each
test edits a copy the way a patch would, and finds each disagreement at its
line; ``update --kernel-root`` then mends it with a small, checkpatch-clean
patch, after which check is clean and a second update changes nothing.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from migspec.align.fsm_comment import align
from migspec.align.rendered_comment import rendered_comment
from migspec.artefacts import check_tree, plan_update
from migspec.importer.uapi import read_uapi_machine
from migspec.load.spec import load_spec
from migspec.model import Interior, Spec
from migspec.render.fsm_comment import render_fsm_comment
from migspec.source.fsm_comment import read_fsm_comment
from migspec.update import apply_plan

from .checkpatch import checkpatch
from .conftest import ROOT
from .source_trees import TREES
from .test_cli_check import migspec
from .test_invariant import assert_invariant


def bundled() -> Spec:
    """The bundled spec: it says how the comment groups the arcs (``fsm_comment``)."""
    spec = load_spec(ROOT / "spec" / "vfio-migration.yaml").spec
    assert spec is not None
    return spec


HEADER = "include/uapi/linux/vfio.h"
MAIN = "drivers/vfio/vfio_main.c"
ENUM = "vfio_device_mig_state"


@pytest.fixture
def kernel(tmp_path: Path) -> Path:
    return Path(shutil.copytree(TREES / "kernel", tmp_path / "kernel"))


def line_of(path: Path, text: str) -> int:
    lines = path.read_text().split("\n")
    (n,) = [i + 1 for i, line in enumerate(lines) if line == text]
    return n


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new))


def comment_findings(spec: Spec, kernel: Path) -> list[tuple[str, int]]:
    return [
        (d.rule, d.location.line)
        for d in check_tree(spec, None, kernel)
        if d.rule.startswith("check-comment")
    ]


def update_diff(spec: Spec, kernel: Path) -> str:
    plan = plan_update(spec, kernel, "kernel")
    assert plan.diagnostics == ()
    return plan.diff().decode()


# -- the reader ------------------------------------------------------------------------


def test_reader_locates_each_part() -> None:
    path = TREES / "kernel" / HEADER
    spec = bundled()
    read = read_fsm_comment(path.read_text(), ENUM, [s.name for s in spec.states])
    assert read is not None
    lists = [(sl.macros, sl.line, [e.name for e in sl.entries]) for sl in read.state_lists]
    assert lists[1:] == [
        (
            ("VFIO_MIGRATION_P2P",),
            line_of(path, " * Optional states come with VFIO_MIGRATION_P2P:"),
            ["RUNNING_P2P"],
        ),
        (
            ("VFIO_MIGRATION_PRE_COPY",),
            line_of(path, " * And with VFIO_MIGRATION_PRE_COPY:"),
            ["PRE_COPY"],
        ),
        (
            ("VFIO_MIGRATION_P2P", "VFIO_MIGRATION_PRE_COPY"),
            line_of(path, " * And with VFIO_MIGRATION_P2P | VFIO_MIGRATION_PRE_COPY:"),
            ["PRE_COPY_P2P"],
        ),
    ]
    arcs = {(a.source, a.target): a.line for p in read.paragraphs for a in p.arcs}
    assert arcs[("STOP_COPY", "PRE_COPY")] == line_of(path, " * STOP_COPY -> PRE_COPY")
    assert arcs[("any", "ERROR")] == line_of(path, " * any -> ERROR")
    assert len(arcs) == 15 + 2 + 1  # arcs, refused pairs, any -> ERROR
    refused = [p for p in read.paragraphs if "not permitted" in p.prose]
    assert [(a.source, a.target) for p in refused for a in p.arcs] == [
        ("STOP_COPY", "PRE_COPY"),
        ("STOP_COPY", "PRE_COPY_P2P"),
    ]
    assert [line for _, line in read.path_rules] == [
        line_of(path, " *   - Select the shortest path."),
        line_of(path, " *   - A path passes through saving group states only at its ends, unless"),
    ]


def test_rendered_comment_reads_back_as_the_spec() -> None:
    """The importer, reading the rendered comment, finds the spec's machine."""
    spec = bundled()
    header = (TREES / "kernel" / HEADER).read_text()
    enum_at = header.index(f"enum {ENUM} {{")
    start = header.rindex("/*", 0, enum_at)
    text = header[:start] + render_fsm_comment(spec) + header[enum_at:]
    machine = read_uapi_machine(text, ENUM, [s.name for s in spec.states])
    assert machine is not None
    assert {(a.source, a.target) for a in machine.arcs if not a.without} == {
        (a.source, a.target) for a in spec.arcs if not a.without
    }
    assert {(r.source, r.target) for r in machine.refused} == {
        (r.source, r.target) for r in spec.refused
    }
    assert {s.name: set(s.features) for s in machine.states} == {
        s.name: set(s.features) for s in spec.states
    }
    assert machine.error == "ERROR" and machine.removed_without == ("PRE_COPY",)


def test_rendered_comment_is_checkpatch_clean() -> None:
    text = render_fsm_comment(bundled())
    assert checkpatch("".join(f"+{line}\n" for line in text.splitlines())) == []


# -- check and update, one edit at a time -------------------------------------------------------

MUTATIONS = {
    # A missing arc, found where it belongs: in the paragraph of its group.
    "arc-missing": (
        " * RUNNING -> PRE_COPY\n",
        "",
        [("check-comment-arc", " * RUNNING_P2P -> PRE_COPY_P2P")],
    ),
    # An arc only a device without P2P implements: not the comment's.
    "arc-extra": (
        " * STOP -> RESUMING\n",
        " * STOP -> RESUMING\n * RUNNING -> STOP\n",
        [("check-comment-arc", " * RUNNING -> STOP")],
    ),
    "state-under-wrong-flag": (
        " * And with VFIO_MIGRATION_PRE_COPY:\n *  PRE_COPY - The device runs while its state is read out\n",
        " *  PRE_COPY - The device runs while its state is read out\n * And with VFIO_MIGRATION_PRE_COPY:\n",
        [("check-comment-state", " *  PRE_COPY - The device runs while its state is read out")],
    ),
    # A list left with its heading only: the entry goes back under that heading.
    "state-list-emptied": (
        " *  PRE_COPY_P2P - PRE_COPY, except that no P2P DMA is started\n",
        "",
        [("check-comment-state", " * And with VFIO_MIGRATION_P2P | VFIO_MIGRATION_PRE_COPY:")],
    ),
    "state-list-emptied-midway": (
        " *  PRE_COPY - The device runs while its state is read out\n",
        "",
        [("check-comment-state", " * And with VFIO_MIGRATION_PRE_COPY:")],
    ),
    "refused-missing": (
        " * STOP_COPY -> PRE_COPY\n * STOP_COPY -> PRE_COPY_P2P\n *   These arcs are not permitted and fail.\n *\n",
        "",
        [
            (
                "check-comment-refused",
                " *   A new state is written in; these arcs return a new data_fd.",
            )
        ]
        * 2,
    ),
    "path-rule-missing": (
        " *   - A path passes through saving group states only at its ends, unless\n *     it stays in the group.\n",
        "",
        [("check-comment-rule", " *   - Select the shortest path.")],
    ),
}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_comment_mutation_is_found_and_mended(name: str, kernel: Path) -> None:
    old, new, expected = MUTATIONS[name]
    spec = bundled()
    header = kernel / HEADER
    original = header.read_text()
    edit(header, old, new)
    assert comment_findings(spec, kernel) == [(rule, line_of(header, at)) for rule, at in expected]
    diff = update_diff(spec, kernel)
    assert checkpatch(diff) == []
    changed = [
        line for line in diff.split("\n") if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert 0 < len(changed) <= 10, diff  # only what disagrees
    assert_invariant(spec, kernel, "kernel")
    assert comment_findings(spec, kernel) == []
    if name.startswith("state-list-emptied"):  # under the heading left, not a second one
        heading = expected[0][1]
        now, was = header.read_text().split("\n"), original.split("\n")
        assert now.count(heading) == 1
        name_of = old.split(" - ")[0]
        assert now[now.index(heading) + 1].startswith(name_of + " - ")
        assert len(now) == len(was)


def test_header_without_the_comment_gets_it(kernel: Path) -> None:
    spec = bundled()
    header = kernel / HEADER
    text = header.read_text()
    enum_at = text.index(f"enum {ENUM} {{")
    start = text.rindex("/*", 0, enum_at)
    header.write_text(text[:start] + text[enum_at:])
    found = check_tree(spec, None, kernel)
    assert [(d.rule, d.location.line) for d in found if d.rule.startswith("check-comment")] == [
        ("check-comment-not-found", 0)
    ]
    diff = update_diff(spec, kernel)
    assert checkpatch(diff) == [] and "+ * any -> ERROR" in diff
    assert_invariant(spec, kernel, "kernel")
    assert render_fsm_comment(spec) in header.read_text()


def test_table_entry_is_mended_in_place(kernel: Path) -> None:
    spec = bundled()
    main = kernel / MAIN
    text = main.read_text()
    row = text.index("[VFIO_DEVICE_STATE_RUNNING] = {")
    cell = text.index("[VFIO_DEVICE_STATE_STOP] = VFIO_DEVICE_STATE_RUNNING_P2P,", row)
    main.write_text(
        text[:cell] + "[VFIO_DEVICE_STATE_STOP] = VFIO_DEVICE_STATE_STOP," + text[cell + 57 :]
    )
    assert main.read_text() != text
    diff = update_diff(spec, kernel)
    assert diff.count("\n+\t") == 1 and diff.count("\n-\t") == 1
    assert checkpatch(diff) == []
    apply_plan(plan_update(spec, kernel, "kernel"))
    assert main.read_text() == text


@pytest.mark.parametrize("last", ["RUNNING_P2P", "ERROR"])
def test_tables_bound_is_checked_and_mended(kernel: Path, last: str) -> None:
    """The bound both tables are sized by: check and update decide it alike (one expectation)."""
    spec = bundled()
    main = kernel / MAIN
    text = main.read_text()
    right = "\tenum { VFIO_DEVICE_NUM_STATES = VFIO_DEVICE_STATE_PRE_COPY_P2P + 1 };"
    edit(main, right, right.replace("PRE_COPY_P2P", last))
    found = [d for d in check_tree(spec, None, kernel) if d.rule == "check-kernel-bound"]
    assert [(d.location.line, d.location.column) for d in found] == [
        (line_of(main, right.replace("PRE_COPY_P2P", last)), 34)
    ]
    assert f"ends at {last}; the spec's last state is PRE_COPY_P2P" in found[0].message
    diff = update_diff(spec, kernel)
    assert diff.count("\n+\t") == 1 and "+" + right in diff
    assert_invariant(spec, kernel, "kernel")
    assert main.read_text() == text


# -- path rules and removal sentences: both ways, by what they say ----------------------------------

RULE = " *   - A path passes through saving group states only at its ends, unless"


def with_interior(spec: Spec, interior: Interior) -> Spec:
    return replace(spec, groups=tuple(replace(g, interior=interior) for g in spec.groups))


def test_path_rule_the_spec_lacks_is_found_and_removed(kernel: Path) -> None:
    spec = with_interior(bundled(), Interior.ALLOWED)  # paths may pass: no rule
    header = kernel / HEADER
    found = [d for d in check_tree(spec, None, kernel) if d.rule == "check-comment-rule"]
    assert [d.location.line for d in found] == [line_of(header, RULE)]
    assert "which the spec does not" in found[0].message
    diff = update_diff(spec, kernel)
    assert checkpatch(diff) == []
    assert [line for line in diff.split("\n") if line.startswith(("+ ", "- "))] == [
        "-" + RULE,
        "- *     it stays in the group.",
    ]
    assert_invariant(spec, kernel, "kernel")


def test_path_rule_saying_another_interior_is_found_and_replaced(kernel: Path) -> None:
    header = kernel / HEADER
    # The kernel's own words are prose, kept; migspec's words say a kind.
    assert [
        d
        for d in check_tree(with_interior(bundled(), Interior.NEVER), None, kernel)
        if d.rule == "check-comment-rule"
    ] == []
    edit(header, RULE + "\n *     it stays in the group.\n", "")
    apply_plan(plan_update(bundled(), kernel, "kernel"))  # writes the within-group rule
    assert comment_findings(bundled(), kernel) == []
    spec = with_interior(bundled(), Interior.NEVER)
    within = " *   - A path passes through saving group states only while it stays in the"
    found = [d for d in check_tree(spec, None, kernel) if d.rule == "check-comment-rule"]
    assert [d.location.line for d in found] == [line_of(header, within)]
    assert "the spec's says 'No path passes through saving group states" in found[0].message
    diff = update_diff(spec, kernel)
    assert checkpatch(diff) == [] and "+ *   - No path passes through saving group states;" in diff
    assert_invariant(spec, kernel, "kernel")
    assert within not in header.read_text().split("\n")


def test_removal_sentence_naming_other_states_is_replaced(kernel: Path) -> None:
    spec = bundled()
    header = kernel / HEADER
    said = " * Arcs touching PRE_COPY and PRE_COPY_P2P are removed if support for PRE_COPY"
    edit(header, said, said.replace(" and PRE_COPY_P2P", ""))
    assert comment_findings(spec, kernel) == [
        ("check-comment-rule", line_of(header, said.replace(" and PRE_COPY_P2P", "")))
    ]
    assert checkpatch(update_diff(spec, kernel)) == []
    assert_invariant(spec, kernel, "kernel")
    assert said in header.read_text().split("\n")


# -- a feature added, as PRE_COPY was in 2022 -------------------------------------------------------


def without_pre_copy(spec: Spec) -> Spec:
    """The machine as it was before PRE_COPY: the feature, its states and arcs gone."""
    gone = {s.name for s in spec.states if "PRE_COPY" in s.features}

    def keeps(a: str, b: str) -> bool:
        return a not in gone and b not in gone

    paragraphs = tuple(
        replace(p, arcs=tuple(x for x in p.arcs if keeps(*x)))
        for p in spec.fsm_comment.paragraphs
        if any(keeps(*x) for x in p.arcs)
    )
    return replace(
        spec,
        features=tuple(f for f in spec.features if f.name != "PRE_COPY"),
        states=tuple(s for s in spec.states if s.name not in gone),
        arcs=tuple(a for a in spec.arcs if keeps(a.source, a.target)),
        refused=tuple(r for r in spec.refused if keeps(r.source, r.target)),
        fsm_comment=replace(spec.fsm_comment, paragraphs=paragraphs),
    )


def test_adding_a_feature_updates_comment_and_tables(kernel: Path) -> None:
    spec = bundled()
    before = without_pre_copy(spec)
    # Back to before the feature: everything PRE_COPY leaves the comment and tables.
    apply_plan(plan_update(before, kernel, "kernel"))
    header = (kernel / HEADER).read_text()
    assert "PRE_COPY" not in (kernel / MAIN).read_text().split("state_flags_table")[1]
    assert comment_findings(before, kernel) == []
    assert "STOP_COPY -> PRE_COPY" not in header
    # The feature comes (the spec of today): the patch adds it everywhere.
    diff = update_diff(spec, kernel)
    assert checkpatch(diff) == []
    added = {line for line in diff.split("\n") if line.startswith("+")}
    for wanted in (
        " * RUNNING -> PRE_COPY",
        " * STOP_COPY -> PRE_COPY",
        "\t\t[VFIO_DEVICE_STATE_PRE_COPY] =",
        "\tenum { VFIO_DEVICE_NUM_STATES = VFIO_DEVICE_STATE_PRE_COPY_P2P + 1 };",
    ):
        assert "+" + wanted in added, wanted
    assert_invariant(spec, kernel, "kernel")
    assert comment_findings(spec, kernel) == []


SPECS = sorted(
    {
        *(ROOT / "spec").glob("*.yaml"),
        *(ROOT / "spec" / "examples").glob("*.yaml"),
        *(ROOT / "tests" / "specs").glob("*.yaml"),
        *TREES.glob("*/spec.yaml"),
    }
)


@pytest.mark.parametrize("path", SPECS, ids=[p.name for p in SPECS])
def test_rendered_comment_reads_back_as_rendered(path: Path) -> None:
    """Every spec's comment, read by the one reader, is what the template meant."""
    spec = load_spec(path).spec
    assert spec is not None
    rendered = rendered_comment(spec)
    assert [[(a.source, a.target) for a in p.arcs] for p in rendered.read.paragraphs] == [
        list(p.arcs) for p in rendered.expected.paragraphs
    ]
    assert [[e.name for e in sl.entries] for sl in rendered.read.state_lists] == [
        [name for name, _ in sl.states] for sl in rendered.expected.state_lists
    ]
    assert align(rendered.read, rendered.read, rendered.expected) == []


# -- the command line ------------------------------------------------------------------------


def test_update_with_only_a_kernel_root(kernel: Path) -> None:
    edit(kernel / HEADER, " * RUNNING -> PRE_COPY\n", "")
    run = migspec("update", "--kernel-root", str(kernel), "--check")
    assert run.returncode == 1, run.stderr
    assert f"--kernel-root {kernel}" in run.stderr
    run = migspec("update", "--kernel-root", str(kernel), "--diff")
    assert run.returncode == 0 and run.stdout.startswith(f"--- a/{HEADER}"), run.stderr
    assert migspec("update", "--kernel-root", str(kernel), "--write").returncode == 0
    assert migspec("update", "--kernel-root", str(kernel), "--check").returncode == 0
    assert migspec("update", "--check").returncode == 2  # no tree at all


def test_entries_sharing_a_line_are_refused_not_guessed(kernel: Path) -> None:
    spec = bundled()
    main = kernel / MAIN
    edit(
        main,
        "\t\t[VFIO_DEVICE_STATE_STOP] = VFIO_MIGRATION_STOP_COPY,\n"
        "\t\t[VFIO_DEVICE_STATE_RUNNING] = VFIO_MIGRATION_STOP_COPY,\n",
        "\t\t[VFIO_DEVICE_STATE_STOP] = VFIO_MIGRATION_STOP_COPY, "
        "[VFIO_DEVICE_STATE_RUNNING] = VFIO_MIGRATION_P2P,\n",
    )
    plan = plan_update(spec, kernel, "kernel")
    assert [(d.rule, d.location.path.endswith(MAIN)) for d in plan.diagnostics] == [
        ("update-region-form", True)
    ]
    assert [f.rel for f in plan.files] == []
    run = migspec("update", "--kernel-root", str(kernel), "--check")
    assert run.returncode == 1 and "update-region-form" in run.stderr, run.stderr


def test_crlf_header_keeps_its_line_endings(kernel: Path) -> None:
    spec = bundled()
    header = kernel / HEADER
    header.write_bytes(
        header.read_bytes().replace(b" * RUNNING -> PRE_COPY\n", b"").replace(b"\n", b"\r\n")
    )
    assert comment_findings(spec, kernel) != []
    assert_invariant(spec, kernel, "kernel")
    data = header.read_bytes()
    assert b" * RUNNING -> PRE_COPY\r\n" in data and data.count(b"\n") == data.count(b"\r\n")
