"""Trace events called from several C files of one directory (``sources``),
and the ``caller`` each event names."""

from __future__ import annotations

import shutil
from pathlib import Path

from migspec.artefacts import check_tree
from migspec.lint.spec import lint_spec
from migspec.load.spec import load_spec_text
from migspec.model import Spec
from migspec.rules import all_rules

from .source_trees import TREES, found

TOY = TREES / "toy"
DIM_EVENT = "      - {name: lamp_dim, args: [int level], format: '\"level %d\"'}\n"
SECTION = "    section: lamp.c\n"


def toy_spec(*edits: tuple[str, str]) -> Spec:
    text = (TOY / "spec.yaml").read_text()
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    result = load_spec_text(text, str(TOY / "spec.yaml"))
    assert result.spec is not None, result.diagnostics
    return result.spec


def moved_dim(tmp_path: Path) -> Path:
    """The toy tree with lamp_dim() moved to src/lamp-dim.c (its event stays in '# lamp.c')."""
    tree = tmp_path / "tree"
    shutil.copytree(TOY / "tree", tree)
    lamp = tree / "src" / "lamp.c"
    text = lamp.read_text()
    body = (
        "static void lamp_dim(Lamp *l, int level)\n{\n"
        "    trace_lamp_dim(level);\n    lamp_set(l, LAMP_DIMMED);\n}\n"
    )
    assert body in text
    lamp.write_text(text.replace(body, "void lamp_dim(Lamp *l, int level);\n"))
    (tree / "src" / "lamp-dim.c").write_text(
        '#include "lamp.h"\n\nvoid ' + body[len("static void ") :]
    )
    return tree


def test_caller_is_checked_in_any_file_of_the_directory(tmp_path: Path) -> None:
    spec = toy_spec((DIM_EVENT, DIM_EVENT.replace("args:", "caller: lamp_dim, args:")))
    assert check_tree(spec, TOY / "tree") == []
    assert check_tree(spec, moved_dim(tmp_path)) == []
    wrong = toy_spec((DIM_EVENT, DIM_EVENT.replace("args:", "caller: lamp_set, args:")))
    diagnostics = check_tree(wrong, TOY / "tree")
    assert found(diagnostics, TOY / "tree") == [("check-trace-caller", "src/trace-events", 3)]
    assert "lamp_set() does not call trace_lamp_dim() (called by lamp_dim)" in (
        diagnostics[0].message
    )


def test_sources_name_the_files_a_section_is_called_from(tmp_path: Path) -> None:
    tree = moved_dim(tmp_path)
    caller = (DIM_EVENT, DIM_EVENT.replace("args:", "caller: lamp_dim, args:"))
    both = toy_spec(caller, (SECTION, SECTION + "    sources: [src/lamp.c, src/lamp-dim.c]\n"))
    assert check_tree(both, tree) == []
    one = toy_spec(caller, (SECTION, SECTION + "    sources: [src/lamp.c]\n"))
    assert found(check_tree(one, tree), tree) == [("check-trace-caller", "src/trace-events", 3)]
    gone = toy_spec(caller, (SECTION, SECTION + "    sources: [src/lamp.c, src/gone.c]\n"))
    assert found(check_tree(gone, tree), tree) == [
        ("check-file-missing", "src/gone.c", 0),
        ("check-trace-caller", "src/trace-events", 3),
    ]


def test_lint_wants_sources_beside_the_trace_events_file() -> None:
    spec = toy_spec((SECTION, SECTION + "    sources: [src/lamp.c, include/lamp.h, lib/x.c]\n"))
    hits = [
        d
        for d in lint_spec(spec, frozenset(), catalogue=all_rules)
        if d.rule == "sources-outside-directory"
    ]
    assert [d.message for d in hits] == [
        "trace section '# lamp.c' of src/trace-events: source include/lamp.h is not a .c file "
        "in src",
        "trace section '# lamp.c' of src/trace-events: source lib/x.c is not a .c file in src",
    ]
    assert all(d.location.line == 47 for d in hits)
