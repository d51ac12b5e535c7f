"""Import reads the uAPI header's machine comment: the seed round trip.

The tree is the seed revision's files as CI has them: the base fixture's C
(the seed's code), the seed's real rst and trace-events
(``../shared/corpus/qemu-94f775e428``) and a real uAPI header whose machine
comment is the seed's word for word (QEMU master's copy; its enum adds the
``VFIO_DEVICE_STATE_NR`` sentinel, which is no state).  The spec imported
from it must render what the seed spec renders.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

from migspec.diagnostics import Severity
from migspec.importer import ImportOptions, import_spec
from migspec.importer.uapi import CommentWords, read_uapi_machine
from migspec.lint.spec import lint_spec
from migspec.load.spec import load_spec_text
from migspec.model import Spec
from migspec.render.c import render_c_enum, render_predicates, render_to_str
from migspec.render.flow_rst import render_flow_rst
from migspec.render.kernel import render_kernel_table
from migspec.render.trace import render_trace_events
from migspec.rules import all_rules

from .conftest import ROOT
from .source_trees import build_tree, with_corpus

SEED_SPEC = ROOT / "spec" / "examples" / "vfio-migration-94f775e428.yaml"
NAMES = ["ERROR", "STOP", "RUNNING", "STOP_COPY", "RESUMING", "RUNNING_P2P", "PRE_COPY"]
NAMES += ["PRE_COPY_P2P"]


def seed_tree(corpus: Path, dest: Path) -> Path:
    tree = with_corpus(build_tree(dest), corpus / "qemu-94f775e428")
    header = "linux-headers/linux/vfio.h"
    shutil.copyfile(corpus / "qemu-master" / header, tree / header)
    return tree


def load(text: str, name: str) -> Spec:
    loaded = load_spec_text(text, name)
    assert loaded.spec is not None, loaded.diagnostics
    return loaded.spec


def test_the_machine_comment_reads_as_the_seed_spec_says(corpus: Path) -> None:
    text = (corpus / "qemu-master/linux-headers/linux/vfio.h").read_text()
    m = read_uapi_machine(text, "vfio_device_mig_state", NAMES)
    assert m is not None
    seed = load(SEED_SPEC.read_text(), str(SEED_SPEC))
    assert [(f.name, f.macro, f.bit, f.mandatory) for f in m.features] == [
        (f.name, f.macro, f.bit, f.mandatory) for f in seed.features
    ]
    assert {s.name: set(s.features) for s in m.states} == {
        s.name: set(s.features) for s in seed.states
    }
    assert (m.error, m.initial) == ("ERROR", "RUNNING")
    got = {
        (a.source, a.target, frozenset(a.features), frozenset(a.without), a.session) for a in m.arcs
    }
    want = {
        (
            a.source,
            a.target,
            a.features,
            a.without,
            a.session.value if a.session.value != "none" else None,
        )
        for a in seed.arcs
    }
    assert got == want
    assert {(a.source, a.target) for a in m.refused} == {(r.source, r.target) for r in seed.refused}
    assert [(g.name, set(g.states)) for g in m.groups] == [
        ("saving", {"PRE_COPY", "PRE_COPY_P2P", "STOP_COPY"})
    ]
    assert m.state("PRE_COPY_P2P") is not None
    assert m.state("PRE_COPY_P2P").stand_in == {"P2P": "PRE_COPY", "PRE_COPY": "RUNNING_P2P"}  # type: ignore[union-attr]
    assert m.removed_without == ("PRE_COPY",)


def test_the_words_are_the_callers_to_change(corpus: Path) -> None:
    text = (corpus / "qemu-master/linux-headers/linux/vfio.h").read_text()
    words = CommentWords(refused=("no such refusal phrase",))
    m = read_uapi_machine(text, "vfio_device_mig_state", NAMES, words)
    assert m is not None and m.refused == ()
    assert ("STOP_COPY", "PRE_COPY") in {(a.source, a.target) for a in m.arcs}


def test_a_header_without_a_machine_comment_gives_none() -> None:
    text = (ROOT / "tests/trees/base/linux-headers/linux/vfio.h").read_text()
    assert read_uapi_machine(text, "vfio_device_mig_state", NAMES) is None


def test_the_seed_round_trip(corpus: Path, tmp_path: Path) -> None:
    tree = seed_tree(corpus, tmp_path / "seed")
    result = import_spec(tree)
    assert not result.failed, result.diagnostics
    assert result.text is not None
    imported = load(result.text, "imported.yaml")
    seed = load(SEED_SPEC.read_text(), str(SEED_SPEC))
    found = [d for d in lint_spec(imported, catalogue=all_rules) if d.severity is not Severity.NOTE]
    assert found == []
    assert [s.name for s in imported.states_by_value] == NAMES
    assert len(seed.device_kinds) == 4
    for kind in seed.device_kinds:
        a = _steps(seed, kind.features)
        b = _steps(imported, kind.features)
        assert a == b, kind
    assert render_to_str(imported) == render_to_str(seed)
    assert render_predicates(imported) == render_predicates(seed)
    assert render_c_enum(imported) == render_c_enum(seed)
    assert render_trace_events(imported) == render_trace_events(seed)
    # The registration call the seed tree makes, read as the seed spec states
    # it, its callbacks named alike; the docs name the VM state change handler.
    seed_regs = {r.function: r.args for r in seed.code.registrations}
    assert [(r.function, r.args) for r in imported.code.registrations] == [
        (
            "qdev_add_vm_change_state_handler_full",
            seed_regs["qdev_add_vm_change_state_handler_full"],
        )
    ]
    assert imported.callback_map["vmstate_change"].docs_as == "VM state change handler"
    # The rst flows, as the docs draw them (for the flow's own kind of device;
    # the drawings do not say which lines only some kinds have).
    assert len(imported.flows) == len(seed.flows) == 2
    for mine, theirs in zip(imported.flows, seed.flows, strict=True):
        assert mine.features == theirs.features
        assert render_flow_rst(imported, mine) == render_flow_rst(seed, theirs), theirs.name


def _steps(spec: Spec, features: frozenset[str]) -> list[list[object]]:
    from migspec.fsm.engine import device_steps

    steps = device_steps(spec, spec.device_kind(features))
    names = [s.name for s in spec.states_by_value]
    return [[steps.answer(a, b) for b in names] for a in names]


KERNEL = ROOT / "tests" / "trees" / "kernel"


def test_a_kernel_tree_alone_imports_to_the_seed_machine() -> None:
    # The fixture's uAPI header has no machine comment: what the spec says
    # comes from the core's two tables and its walk.
    result = import_spec(None, ImportOptions(kernel_root=str(KERNEL)))
    assert not result.failed, result.diagnostics
    assert result.text is not None
    imported = load(result.text, "imported.yaml")
    seed = load(SEED_SPEC.read_text(), str(SEED_SPEC))
    assert [
        d for d in lint_spec(imported, catalogue=all_rules) if d.severity is not Severity.NOTE
    ] == []
    assert imported.code.kernel == replace(seed.code.kernel, location=imported.code.kernel.location)  # type: ignore[arg-type]
    assert imported.walk is not None and seed.walk is not None
    assert (
        imported.walk.skip_unsupported,
        imported.walk.error_flags_all,
        imported.walk.stop_at_error,
    ) == (
        seed.walk.skip_unsupported,
        seed.walk.error_flags_all,
        seed.walk.stop_at_error,
    )
    assert {(a.source, a.target, a.features, a.without) for a in imported.arcs} == {
        (a.source, a.target, a.features, a.without) for a in seed.arcs
    }
    for kind in seed.device_kinds:
        assert _steps(imported, kind.features) == _steps(seed, kind.features), kind
    assert (
        render_kernel_table(imported).splitlines()[1:] == render_kernel_table(seed).splitlines()[1:]
    )


def test_a_kernel_tree_with_the_qemu_tree_names_the_tables(corpus: Path, tmp_path: Path) -> None:
    tree = seed_tree(corpus, tmp_path / "seed")
    result = import_spec(tree, ImportOptions(kernel_root=str(KERNEL)))
    assert not result.failed, result.diagnostics
    assert result.text is not None
    imported = load(result.text, "imported.yaml")
    seed = load(SEED_SPEC.read_text(), str(SEED_SPEC))
    assert [
        d for d in lint_spec(imported, catalogue=all_rules) if d.severity is not Severity.NOTE
    ] == []
    assert (
        render_kernel_table(imported).splitlines()[1:] == render_kernel_table(seed).splitlines()[1:]
    )
    # The machine still comes from QEMU's header (its groups, its sessions).
    assert [g.name for g in imported.groups] == ["saving"]


def test_import_from_a_kernel_root_on_the_command_line(tmp_path: Path) -> None:
    from .test_cli_check import migspec

    run = migspec("import", "--kernel-root", str(KERNEL))
    assert run.returncode == 0, run.stderr
    assert "next_table: vfio_from_fsm_table" in run.stdout
    assert migspec("import").returncode == 2
    assert migspec("import", "--kernel-root", str(tmp_path / "nope")).returncode == 2


def test_a_pre_seed_tree_imports_its_brackets_as_real_features(
    corpus: Path, tmp_path: Path
) -> None:
    # Before the P2P commit QEMU drew pre-copy in brackets and drove no P2P
    # state: the brackets become the header's PRE_COPY, and code.features
    # says the C handles PRE_COPY only, so check asks for no P2P case.  The
    # steps' callbacks are those the drawing names (".load_setup", no "()").
    from migspec.artefacts import check_tree

    from .source_trees import TREES

    tree = with_corpus(
        build_tree(tmp_path / "tree", TREES / "pre-seed" / "seed-reverted.patch"),
        corpus / "qemu-3d4d0f0e06",
    )
    # The 2023 header: master's, whose machine comment is the same, without
    # the sentinel enumerator added since.
    header = "linux-headers/linux/vfio.h"
    text = (corpus / "qemu-master" / header).read_text()
    (tree / header).write_text(text.replace("\tVFIO_DEVICE_STATE_NR,\n", ""))
    result = import_spec(tree)
    assert not result.failed, result.diagnostics
    assert result.text is not None
    spec = load(result.text, "imported.yaml")
    assert spec.code.features == frozenset({"PRE_COPY"})
    assert [f.features for f in spec.flows] == [frozenset({"PRE_COPY"})] * 2
    assert [
        d for d in lint_spec(spec, catalogue=all_rules) if d.severity is not Severity.NOTE
    ] == []
    # One real disagreement, and check finds it: since 5485298ce0 the C moves
    # the device to STOP in .save_cleanup(), while these docs still draw STOP
    # after .save_live_complete_precopy and no step names .save_cleanup().
    errors = [d for d in check_tree(spec, tree) if d.severity is Severity.ERROR]
    assert [(d.rule, Path(d.location.path).relative_to(tree).as_posix()) for d in errors] == [
        ("check-transition", "hw/vfio/migration.c")
    ]
    assert "requests STOP in .save_cleanup()" in errors[0].message


def test_the_tables_bound_is_imported_as_the_tree_spells_it(tmp_path: Path) -> None:
    """The constant the next-state table is sized by becomes code.kernel.bound,
    whatever it is called; check then compares the tree's bound under that name."""
    from migspec.artefacts import check_tree

    tree = tmp_path / "kernel"
    shutil.copytree(KERNEL, tree)
    main = tree / "drivers" / "vfio" / "vfio_main.c"
    main.write_text(main.read_text().replace("VFIO_DEVICE_NUM_STATES", "VFIO_STATE_COUNT"))
    result = import_spec(None, ImportOptions(kernel_root=str(tree)))
    assert not result.failed, result.diagnostics
    assert result.text is not None
    imported = load(result.text, "imported.yaml")
    assert imported.code.kernel is not None
    assert imported.code.kernel.bound == "VFIO_STATE_COUNT"
    assert [d for d in check_tree(imported, None, tree) if d.rule == "check-kernel-bound"] == []
