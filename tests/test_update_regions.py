"""Regions that cannot be found without guessing: located errors, and the file left alone."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from migspec.artefacts import plan_update
from migspec.diagnostics import Diagnostic, InternalError
from migspec.model import ToString
from migspec.update import unified_diff
from migspec.update.regions import (
    ByteEdit,
    EditOverlap,
    LineEdit,
    apply_byte_edits,
    apply_line_edits,
    split_lines,
)

from .source_trees import TREES, build_tree
from .update_support import bundled, edit, git, snapshot_tree

PRE_SEED = TREES / "pre-seed" / "seed-reverted.patch"


def where(diagnostics: tuple[Diagnostic, ...], root: Path) -> list[tuple[str, str, int]]:
    return [
        (d.rule, Path(d.location.path).relative_to(root).as_posix(), d.location.line)
        for d in diagnostics
    ]


def changed(root: Path) -> set[str]:
    return {f.rel for f in plan_update(bundled(), root).files}


# -- C ---------------------------------------------------------------------------


def test_a_second_definition_is_ambiguous_and_the_file_is_left_alone(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", PRE_SEED)
    # Both predicates of common.c need rewriting; one of them is defined twice.
    (tree / "hw/vfio/common.c").write_text(
        (tree / "hw/vfio/common.c").read_text()
        + "\n#ifdef CONFIG_NO_MIGRATION\n"
        + "bool vfio_device_state_is_running(VFIODevice *vbasedev)\n{\n    return false;\n}\n"
        + "#endif\n"
    )
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-ambiguous", "hw/vfio/common.c", 80)]
    (d,) = plan.diagnostics
    assert d.message == "vfio_device_state_is_running() is defined 2 times; left as it is"
    assert d.notes[0].location is not None and d.notes[0].location.line == 19
    assert {f.rel for f in plan.files} == {"hw/vfio/migration.c"}
    assert plan.failed


def test_a_missing_function_is_an_error_not_an_invention(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", PRE_SEED)
    edit(tree, "hw/vfio/common.c", "bool vfio_device_state_is_precopy(", "bool vfio_precopy(")
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-missing", "hw/vfio/common.c", 0)]
    assert "vfio_device_state_is_precopy() is not defined here" in plan.diagnostics[0].message
    assert "hw/vfio/common.c" not in {f.rel for f in plan.files}


def test_a_predicate_migspec_cannot_read_is_not_rewritten(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    edit(
        tree,
        "hw/vfio/common.c",
        "    return migration->device_state == VFIO_DEVICE_STATE_RUNNING ||\n"
        "           migration->device_state == VFIO_DEVICE_STATE_RUNNING_P2P;",
        "    return vfio_state_bits(migration) & 3;",
    )
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-form", "hw/vfio/common.c", 23)]
    assert plan.files == ()


def test_a_to_string_function_without_a_switch_is_not_rewritten(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    text = (tree / "hw/vfio/migration.c").read_text()
    start = text.index("    switch (state) {")
    end = text.index("    }\n}\n", start) + len("    }\n")
    (tree / "hw/vfio/migration.c").write_text(
        text[:start] + "    return vfio_state_names[state];\n" + text[end:]
    )
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-form", "hw/vfio/migration.c", 39)]
    assert plan.files == ()


def test_a_switch_predicate_gets_the_templates_body(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    edit(
        tree,
        "hw/vfio/common.c",
        "    return migration->device_state == VFIO_DEVICE_STATE_RUNNING ||\n"
        "           migration->device_state == VFIO_DEVICE_STATE_RUNNING_P2P;\n",
        "    switch (migration->device_state) {\n"
        "    case VFIO_DEVICE_STATE_RUNNING:\n"
        "        return true;\n"
        "    default:\n"
        "        return false;\n"
        "    }\n",
    )
    (update,) = plan_update(bundled(), tree).files
    assert update.new == (TREES / "base/hw/vfio/common.c").read_bytes()


# -- trace-events ----------------------------------------------------------------


def test_a_missing_section_comment_is_an_error(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-trace-format" / "drift.patch")
    edit(tree, "hw/vfio/trace-events", "# migration.c\n", "")
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-missing", "hw/vfio/trace-events", 0)]
    assert plan.files == ()


def test_a_section_comment_written_twice_is_ambiguous(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-trace-format" / "drift.patch")
    path = tree / "hw/vfio/trace-events"
    path.write_text(path.read_text() + '\n# migration.c\nvfio_old(void) ""\n')
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [
        ("update-region-ambiguous", "hw/vfio/trace-events", 29)
    ]
    assert plan.diagnostics[0].notes[0].location.line == 11  # type: ignore[union-attr]
    assert plan.files == ()


def test_a_line_that_is_no_event_stops_the_rewrite(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-trace-format" / "drift.patch")
    edit(
        tree,
        "hw/vfio/trace-events",
        "vfio_migration_realize(",
        'vfio_save_pause (const char *name) " (%s)"\nvfio_migration_realize(',
    )
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-form", "hw/vfio/trace-events", 16)]
    assert plan.files == ()


# -- rst -------------------------------------------------------------------------

RST = "docs/devel/vfio-migration.rst"


def test_a_missing_section_title_is_an_error_and_the_other_flow_waits(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-doc-tuple" / "drift.patch")
    edit(tree, RST, "Live migration resume path\n", "Live migration load path\n")
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-missing", RST, 0)]
    assert "no section titled 'Live migration resume path'" in plan.diagnostics[0].message
    assert plan.files == ()  # the save path's drift is not fixed either


def test_a_section_title_written_twice_is_ambiguous(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-doc-tuple" / "drift.patch")
    path = tree / RST
    path.write_text(
        path.read_text()
        + "\nLive migration save path\n------------------------\n\n::\n\n"
        + "   (RUNNING, _NONE, _RUNNING)\n"
    )
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-ambiguous", RST, 76)]
    assert plan.files == ()


def test_a_section_without_a_literal_block_is_an_error(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    text = (tree / RST).read_text()
    start = text.index("::\n", text.index("Live migration resume path"))
    end = text.index("Postcopy")
    (tree / RST).write_text(text[:start] + "(drawing to come)\n\n" + text[end:])
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-missing", RST, 54)]
    assert "has no literal block" in plan.diagnostics[0].message


def test_a_file_that_is_not_utf8_is_not_rewritten(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t", TREES / "drift-doc-tuple" / "drift.patch")
    path = tree / RST
    path.write_bytes(path.read_bytes().replace(b"Test fixture", b"Test fixt\xfcre"))
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("update-region-form", RST, 0)]


# -- files -----------------------------------------------------------------------


def test_a_missing_file_is_reported_once(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    (tree / "hw/vfio/common.c").unlink()
    plan = plan_update(bundled(), tree)
    assert where(plan.diagnostics, tree) == [("check-file-missing", "hw/vfio/common.c", 0)]


def test_one_file_named_as_c_and_as_trace_events_is_refused(tmp_path: Path) -> None:
    spec = bundled()
    assert spec.code.to_string is not None
    odd = replace(
        spec,
        code=replace(
            spec.code, to_string=replace(spec.code.to_string, file="hw/vfio/trace-events")
        ),
    )
    assert isinstance(odd.code.to_string, ToString)
    plan = plan_update(odd, build_tree(tmp_path / "t"))
    assert [d.rule for d in plan.diagnostics] == ["update-region-ambiguous"]
    assert "as C and trace-events" in plan.diagnostics[0].message


def test_a_spec_path_climbing_out_of_the_root_is_refused(tmp_path: Path) -> None:
    spec = bundled()
    assert spec.code.to_string is not None
    odd = replace(
        spec,
        code=replace(spec.code, to_string=replace(spec.code.to_string, file="../migration.c")),
    )
    tree = build_tree(tmp_path / "t")
    (tmp_path / "migration.c").write_text("int x;\n")
    plan = plan_update(odd, tree)
    assert [d.rule for d in plan.diagnostics] == ["write-outside-root"]


# -- edits -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "edits", "expected"),
    [
        ("a\nb\n", [LineEdit(2, 2, ("c\n",))], "a\nb\nc\n"),
        ("a\nb", [LineEdit(2, 2, ("c\n",))], "a\nb\nc"),  # still no final newline
        ("a\r\nb", [LineEdit(2, 2, ("c\r\n",))], "a\r\nb\r\nc"),
        ("a\nb", [LineEdit(1, 2, ())], "a"),
        ("a\nb\n", [LineEdit(0, 1, ()), LineEdit(1, 1, ("x\n",))], "x\nb\n"),
        ("a\n", [LineEdit(0, 0, ("1\n",)), LineEdit(0, 0, ("2\n",))], "1\n2\na\n"),
    ],
)
def test_line_edits(text: str, edits: list[LineEdit], expected: str) -> None:
    newline = "\r\n" if "\r\n" in text else "\n"
    assert apply_line_edits(split_lines(text), edits, newline) == expected


def test_overlapping_edits_are_a_bug() -> None:
    with pytest.raises(EditOverlap):
        apply_byte_edits(b"abcdef", [ByteEdit(0, 3, b""), ByteEdit(2, 4, b"x")])
    with pytest.raises(EditOverlap):
        apply_line_edits(["a\n", "b\n"], [LineEdit(0, 2, ()), LineEdit(1, 1, ("c\n",))], "\n")


def test_a_diff_without_final_newlines_applies(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"one\ntwo")
    diff = unified_diff("f", b"one\ntwo", b"one\n2\nthree")
    assert b"\\ No newline at end of file\n" in diff
    run = git(tmp_path, "apply", "-", stdin=diff)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "f").read_bytes() == b"one\n2\nthree"


def test_a_symlink_loop_is_a_diagnostic_not_a_traceback(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    common = tree / "hw/vfio/common.c"
    common.unlink()
    common.symlink_to("common.c")
    plan = plan_update(bundled(), tree)
    # The write guard sees the loop first: the file cannot be resolved inside the root.
    assert where(plan.diagnostics, tree) == [("write-outside-root", "hw/vfio/common.c", 0)]
    assert "symlink loop" in plan.diagnostics[0].message
    assert plan.files == ()


def test_a_rewrite_that_does_not_read_back_is_not_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net for migspec's own bugs: a template line that the checker
    would still find wrong is caught before anything is written, as an
    internal error (exit 3 from the CLI), not as a finding in the tree.
    (Fault injection: a correct migspec cannot produce such a line.)"""
    import migspec.update.trace_events as trace_update

    real = trace_update.rendered_lines

    def broken(section: object) -> dict[str, str]:
        lines = real(section)  # type: ignore[arg-type]
        lines["vfio_save_cleanup"] = 'vfio_save_cleanup(const char *name) "(%s) oops"'
        return lines

    monkeypatch.setattr(trace_update, "rendered_lines", broken)
    tree = build_tree(tmp_path / "t", TREES / "drift-trace-format" / "drift.patch")
    before = snapshot_tree(tree)
    with pytest.raises(InternalError, match="does not read back"):
        plan_update(bundled(), tree)
    assert snapshot_tree(tree) == before
