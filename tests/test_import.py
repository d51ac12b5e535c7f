"""``import_spec``: a spec read from a tree loads, and the tree then checks clean.

"Clean" means: nothing but the disagreements that are really inside the
tree (an enum with states its to-string switch does not handle).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from migspec.artefacts import check_tree, plan_update
from migspec.diagnostics import Severity
from migspec.importer import ImportOptions, import_spec
from migspec.load.spec import load_spec_text
from migspec.model import FlowStyle, Spec
from migspec.render.trace import render_trace_events

from .source_trees import BASE, TREES, build_tree, with_corpus
from .update_support import edit, toy_tree


def imported(root: Path, options: ImportOptions | None = None) -> Spec:
    result = import_spec(root, options)
    assert not result.failed, result.diagnostics
    assert result.text is not None
    loaded = load_spec_text(result.text, "imported.yaml")
    assert loaded.spec is not None, loaded.diagnostics
    assert loaded.diagnostics == []
    return loaded.spec


def rules(spec: Spec, root: Path) -> list[tuple[str, str, int]]:
    return sorted(
        (d.rule, Path(d.location.path).relative_to(root).as_posix(), d.location.line)
        for d in check_tree(spec, root)
    )


def findings(spec: Spec, root: Path) -> list[tuple[str, str, int]]:
    """``rules`` without the notes (the handlers import leaves unregistered)."""
    return sorted(
        (d.rule, Path(d.location.path).relative_to(root).as_posix(), d.location.line)
        for d in check_tree(spec, root)
        if d.severity is not Severity.NOTE
    )


def test_the_base_tree_imports_and_checks_clean() -> None:
    spec = imported(BASE)
    # Notes only: the VM state change handlers and the migration notifier
    # request states, and import reads no registration that makes them
    # callbacks of the flows (the drawing does not name them).
    assert rules(spec, BASE) == [
        ("check-transition-unregistered", "hw/vfio/migration.c", 432),
        ("check-transition-unregistered", "hw/vfio/migration.c", 458),
        ("check-transition-unregistered", "hw/vfio/migration.c", 483),
    ]
    assert [(s.function, s.state_arg, s.recover_arg) for s in spec.code.setters] == [
        ("vfio_migration_set_state", 1, 2)
    ]
    save = spec.flows[0]
    assert [step.callbacks for step in save.steps][:3] == [
        (),
        ("save_setup",),
        ("state_pending_estimate", "state_pending_exact", "save_live_iterate", "save_setup"),
    ]
    m = spec.machine
    assert (m.enum, m.prefix, m.header) == (
        "vfio_device_mig_state",
        "VFIO_DEVICE_STATE_",
        "linux-headers/linux/vfio.h",
    )
    assert [(s.name, s.value) for s in spec.states_by_value] == [
        ("ERROR", 0),
        ("STOP", 1),
        ("RUNNING", 2),
        ("STOP_COPY", 3),
        ("RESUMING", 4),
        ("RUNNING_P2P", 5),
        ("PRE_COPY", 6),
        ("PRE_COPY_P2P", 7),
    ]
    assert spec.error_state is not None and spec.error_state.name == "ERROR"
    assert spec.initial_state is not None and spec.initial_state.name == "RUNNING"
    assert spec.code.to_string is not None
    assert (spec.code.to_string.function, spec.code.to_string.default) == (
        "mig_state_to_str",
        "UNKNOWN STATE",
    )
    classes = {s.name: s.classes for s in spec.states if s.classes}
    assert classes == {
        "RUNNING": ("running",),
        "RUNNING_P2P": ("running",),
        "PRE_COPY": ("precopy",),
        "PRE_COPY_P2P": ("precopy",),
    }
    (running,) = [p for p in spec.code.predicates if p.state_class == "running"]
    assert running.function == "vfio_device_state_is_running"
    assert running.subject == "migration->device_state"
    assert running.params == "VFIODevice *vbasedev"
    assert running.prologue == ("VFIOMigration *migration = vbasedev->migration;",)
    assert [f.title for f in spec.flows] == [
        "Live migration save path",
        "Live migration resume path",
    ]
    assert [c.name for c in spec.callbacks][:3] == [
        "save_setup",
        "save_cleanup",
        "state_pending_estimate",
    ]
    # The arcs the flows imply: each change of device state, once.
    assert [(a.source, a.target) for a in spec.arcs] == [
        ("RUNNING", "PRE_COPY"),
        ("PRE_COPY", "PRE_COPY_P2P"),
        ("PRE_COPY_P2P", "STOP_COPY"),
        ("STOP_COPY", "STOP"),
        ("STOP", "RESUMING"),
        ("RESUMING", "RUNNING_P2P"),
        ("RUNNING_P2P", "RUNNING"),
    ]


def test_what_was_imported_regenerates_what_was_read() -> None:
    spec = imported(BASE)
    # update plans nothing: the tree says exactly what the imported spec says.
    plan = plan_update(spec, BASE)
    assert plan.files == () and plan.diagnostics == ()
    # The trace section renders back to the file's lines.
    lines = (BASE / "hw/vfio/trace-events").read_text().splitlines()
    start = lines.index("# migration.c")
    assert render_trace_events(spec).splitlines() == lines[start:]


def test_the_pre_seed_tree_imports_with_brackets(corpus: Path, tmp_path: Path) -> None:
    tree = with_corpus(
        build_tree(tmp_path / "tree", TREES / "pre-seed" / "seed-reverted.patch"),
        corpus / "qemu-3d4d0f0e06",
    )
    spec = imported(tree)
    # The real disagreements: the enum has the P2P states, the switch does not
    # (this fixture's header documents no features, so import cannot tell that
    # QEMU handles none of P2P); and the C moves the device to STOP in
    # .save_cleanup(), which these docs do not draw.  The notes: the VM state
    # change handler and the notifier are no callbacks of the flows.
    assert rules(spec, tree) == [
        ("check-to-string-missing", "hw/vfio/migration.c", 39),
        ("check-to-string-missing", "hw/vfio/migration.c", 39),
        ("check-transition", "hw/vfio/migration.c", 235),
        ("check-transition-unregistered", "hw/vfio/migration.c", 427),
        ("check-transition-unregistered", "hw/vfio/migration.c", 452),
    ]
    save = spec.flows[0]
    assert save.style is FlowStyle.BRACKETED
    # "_RUNNING [_PRE_COPY]": the step is PRE_COPY, which RUNNING stands in for.
    assert [s.state.device for s in save.steps[:3]] == ["RUNNING", "PRE_COPY", "PRE_COPY"]
    pre_copy = spec.state("PRE_COPY")
    assert [si.state for si in pre_copy.stand_ins] == ["RUNNING"]
    assert "OPTIONAL" in pre_copy.features
    (data,) = [line for line in save.steps[2].text_after if line.features]
    assert data.text == "Data of VFIO device for pre-copy phase is copied"
    assert spec.notation.connector_column == 34  # as the pre-seed drawings have it
    # Without the bracket feature a device goes RUNNING -> STOP_COPY directly.
    assert {(a.source, a.target, tuple(a.without)) for a in spec.arcs if a.without} == {
        ("RUNNING", "STOP_COPY", ("OPTIONAL",))
    }


def test_the_toy_tree_needs_the_enum_named(tmp_path: Path) -> None:
    tree = toy_tree(tmp_path / "toy")
    result = import_spec(tree)
    assert result.text is None
    (d,) = result.diagnostics
    assert d.rule == "import-not-found"
    assert "--enum NAME" in d.message
    spec = imported(tree, ImportOptions(enum="lamp_state"))
    assert [s.name for s in spec.states] == ["BROKEN", "OFF", "ON", "DIMMED"]
    assert spec.machine.prefix == "LAMP_"
    assert findings(spec, tree) == []
    # lamp_is_lit() tests with != and &&: not a class import can name.
    assert spec.code.predicates == ()


def test_two_state_enums_are_ambiguous_until_one_is_named(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    (tree / "include").mkdir()
    (tree / "include/power.h").write_text("enum power_state { POWER_STATE_OFF, POWER_STATE_ON };\n")
    result = import_spec(tree)
    (d,) = result.diagnostics
    assert d.rule == "import-ambiguous"
    assert "power_state" in d.message and "vfio_device_mig_state" in d.message
    assert "--enum NAME" in d.message
    spec = imported(tree, ImportOptions(enum="vfio_device_mig_state"))
    assert len(spec.states) == 8


def test_a_value_that_depends_on_an_if_branch_is_not_guessed(tmp_path: Path) -> None:
    tree = tmp_path / "t"
    (tree / "include").mkdir(parents=True)
    (tree / "include/power.h").write_text(
        "enum power_state {\n"
        "    POWER_STATE_OFF,\n"
        "#ifdef CONFIG_FAST\n"
        "    POWER_STATE_ON = 4,\n"
        "#else\n"
        "    POWER_STATE_ON = 1,\n"
        "#endif\n"
        "};\n"
    )
    result = import_spec(tree, ImportOptions(enum="power_state"))
    assert result.text is None
    assert [(d.rule, Path(d.location.path).name) for d in result.diagnostics] == [
        ("import-ambiguous", "power.h")
    ]
    assert "POWER_STATE_ON" in result.diagnostics[0].message


def test_one_enum_in_two_headers_needs_the_header_named(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    (tree / "include/uapi/linux").mkdir(parents=True)
    shutil.copyfile(tree / "linux-headers/linux/vfio.h", tree / "include/uapi/linux/vfio.h")
    (d,) = import_spec(tree).diagnostics
    assert d.rule == "import-ambiguous" and "--header FILE" in d.message
    spec = imported(tree, ImportOptions(header="include/uapi/linux/vfio.h"))
    assert spec.machine.header == "include/uapi/linux/vfio.h"


def test_two_to_string_functions_are_ambiguous(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    text = (tree / "hw/vfio/migration.c").read_text()
    start = text.index("static const char *mig_state_to_str(")
    end = text.index("}\n}\n", start) + 4
    copy = text[start:end].replace("mig_state_to_str", "mig_state_name")
    (tree / "hw/vfio/helpers.c").write_text(copy)
    (d,) = import_spec(tree).diagnostics
    assert d.rule == "import-ambiguous" and "--to-string NAME" in d.message
    spec = imported(tree, ImportOptions(to_string="mig_state_to_str"))
    assert spec.code.to_string is not None
    assert spec.code.to_string.file == "hw/vfio/migration.c"


def test_two_rst_files_with_drawings_are_ambiguous(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    shutil.copyfile(tree / "docs/devel/vfio-migration.rst", tree / "docs/old.rst")
    (d,) = import_spec(tree).diagnostics
    assert d.rule == "import-ambiguous" and "--docs FILE" in d.message
    spec = imported(tree, ImportOptions(docs="docs/old.rst"))
    assert {f.docs.file for f in spec.flows if f.docs} == {"docs/old.rst"}


def test_a_tree_without_docs_or_trace_still_imports(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    shutil.rmtree(tree / "docs")
    (tree / "hw/vfio/trace-events").unlink()
    result = import_spec(tree)
    assert sorted(d.rule for d in result.diagnostics) == ["import-skipped", "import-skipped"]
    spec = imported(tree)
    assert spec.flows == () and spec.trace == ()
    assert spec.initial_state is not None and spec.initial_state.name == "STOP"
    assert rules(spec, tree) == []


def test_awkward_strings_survive_the_round_trip(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    edit(tree, "hw/vfio/migration.c", '"UNKNOWN STATE"', '"what?: #1, [x] \\"y\\""')
    edit(
        tree,
        "docs/devel/vfio-migration.rst",
        "QEMU normal running state",
        "QEMU: normal running state #1 {yes}",
    )
    spec = imported(tree)
    assert spec.code.to_string is not None
    assert spec.code.to_string.default == 'what?: #1, [x] "y"'
    assert spec.flows[0].steps[0].text[0].text == "QEMU: normal running state #1 {yes}"
    assert findings(spec, tree) == []


def test_a_string_that_is_not_the_states_name_is_flagged_for_review(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "t")
    edit(tree, "hw/vfio/migration.c", 'return "STOP_COPY";', 'return "STOP-COPY";')
    result = import_spec(tree)
    assert result.text is not None
    assert (
        '#   - strings: mig_state_to_str() returns "STOP-COPY" for VFIO_DEVICE_STATE_STOP_COPY, '
        "not the state's name;\n"
    ) in result.text
    spec = imported(tree)
    assert [r for r, _, _ in findings(spec, tree)] == ["check-to-string-string"]


def test_prefixes_and_class_names() -> None:
    from migspec.importer.scan import class_name, common_prefix

    assert common_prefix(["VFIO_DEVICE_STATE_STOP", "VFIO_DEVICE_STATE_STOP_COPY"]) == (
        "VFIO_DEVICE_STATE_"
    )
    assert common_prefix(["LAMP_OFF", "LAMP_ON"]) == "LAMP_"
    assert common_prefix(["A_X", "B_X"]) == ""
    assert class_name("vfio_device_state_is_running") == "running"
    assert class_name("lamp_lit") == "lamp_lit"
