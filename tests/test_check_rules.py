"""Every check rule, triggered by one small edit of the toy tree (tests/trees/toy)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from migspec.artefacts import check_tree
from migspec.check import RULES
from migspec.load.spec import load_spec
from migspec.model import Spec

from .source_trees import TREES, found

TOY = TREES / "toy"


@pytest.fixture(scope="module")
def spec() -> Spec:
    result = load_spec(TOY / "spec.yaml")
    assert result.spec is not None, result.diagnostics
    return result.spec


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` by ``new`` in ``file`` (``new=None`` deletes the file)."""

    file: str
    old: str
    new: str | None


@dataclass(frozen=True)
class Case:
    name: str
    edits: tuple[Edit, ...]
    expected: tuple[tuple[str, str, int], ...]


def edit(file: str, old: str, new: str | None) -> Edit:
    return Edit(file, old, new)


CASES = [
    Case(
        "enum-missing",
        (edit("include/lamp.h", "    LAMP_DIMMED,\n", ""),),
        (("check-enum-missing", "include/lamp.h", 2),),
    ),
    Case(
        "enum-extra-and-value",
        (edit("include/lamp.h", "    LAMP_ON,\n", "    LAMP_LOST,\n    LAMP_ON,\n"),),
        (
            ("check-enum-extra", "include/lamp.h", 5),
            ("check-enum-value", "include/lamp.h", 6),
            ("check-enum-value", "include/lamp.h", 7),
        ),
    ),
    Case(
        # A trailing count is no state; the same name with a value is one.
        "enum-sentinel-is-no-state",
        (edit("include/lamp.h", "    LAMP_DIMMED,\n", "    LAMP_DIMMED,\n    LAMP_NR,\n"),),
        (),
    ),
    Case(
        "enum-sentinel-shape-with-a-value-is-extra",
        (edit("include/lamp.h", "    LAMP_DIMMED,\n", "    LAMP_DIMMED,\n    LAMP_NR = 4,\n"),),
        (("check-enum-extra", "include/lamp.h", 7),),
    ),
    Case(
        "enum-ambiguous",
        (
            edit(
                "include/lamp.h",
                "    LAMP_OFF,\n",
                "#ifdef LAMP_LEGACY\n    LAMP_FLICKER,\n#endif\n    LAMP_OFF,\n",
            ),
        ),
        (
            ("check-enum-extra", "include/lamp.h", 5),
            ("check-enum-ambiguous", "include/lamp.h", 7),
            ("check-enum-ambiguous", "include/lamp.h", 8),
            ("check-enum-ambiguous", "include/lamp.h", 9),
        ),
    ),
    Case(
        "enum-not-found",
        (edit("include/lamp.h", "enum lamp_state {", "enum bulb_state {"),),
        (("check-enum-not-found", "include/lamp.h", 0),),
    ),
    Case(
        "to-string-missing-extra-string",
        (
            edit(
                "src/lamp.c",
                '    case LAMP_DIMMED: return "DIMMED";\n',
                '    case LAMP_DIMMED: return "DIM";\n    case LAMP_LOST: return "LOST";\n',
            ),
            edit("src/lamp.c", '    case LAMP_ON: return "ON";\n', ""),
        ),
        (
            ("check-to-string-extra", "src/lamp.c", 11),
            ("check-to-string-missing", "src/lamp.c", 5),
            ("check-to-string-string", "src/lamp.c", 10),
        ),
    ),
    Case(
        "to-string-default",
        (edit("src/lamp.c", 'default: return "?";', 'default: return "UNKNOWN";'),),
        (("check-to-string-default", "src/lamp.c", 12),),
    ),
    Case(
        "to-string-no-default",
        (edit("src/lamp.c", '    default: return "?";\n', ""),),
        (("check-to-string-default", "src/lamp.c", 5),),
    ),
    Case(
        "to-string-not-found",
        (edit("src/lamp.c", "const char *lamp_str(", "const char *lamp_name("),),
        (("check-to-string-not-found", "src/lamp.c", 0),),
    ),
    Case(
        "predicate-extra-negated",
        (edit("src/lamp.c", " && l->state != LAMP_BROKEN", ""),),
        (("check-predicate-extra", "src/lamp.c", 16),),
    ),
    Case(
        "predicate-missing-and-extra",
        (
            edit(
                "src/lamp.c",
                "return l->state != LAMP_OFF && l->state != LAMP_BROKEN;",
                "return l->state == LAMP_ON || l->state == LAMP_BROKEN;",
            ),
        ),
        (
            ("check-predicate-extra", "src/lamp.c", 18),
            ("check-predicate-missing", "src/lamp.c", 16),
        ),
    ),
    Case(
        "predicate-form",
        (
            edit(
                "src/lamp.c",
                "return l->state != LAMP_OFF && l->state != LAMP_BROKEN;",
                "return lit_table[l->state];",
            ),
        ),
        (("check-c-form", "src/lamp.c", 18),),
    ),
    Case(
        "predicate-not-found",
        (edit("src/lamp.c", "bool lamp_is_lit(", "bool lamp_is_on("),),
        (("check-predicate-not-found", "src/lamp.c", 0),),
    ),
    Case(
        "trace-section",
        (edit("src/trace-events", "# lamp.c", "# lamps.c"),),
        (("check-trace-section", "src/trace-events", 0),),
    ),
    Case(
        "trace-missing-and-call-unknown",
        (edit("src/trace-events", 'lamp_dim(int level) "level %d"\n', ""),),
        (
            ("check-trace-call-unknown", "src/lamp.c", 44),
            ("check-trace-missing", "src/trace-events", 1),
        ),
    ),
    Case(
        "trace-args-format-extra",
        (
            edit(
                "src/trace-events",
                'lamp_dim(int level) "level %d"\n',
                'lamp_dim(int lvl) "lvl %d"\nlamp_blink(void) "blink"\n',
            ),
        ),
        (
            ("check-trace-args", "src/trace-events", 3),
            ("check-trace-extra", "src/trace-events", 4),
            ("check-trace-format", "src/trace-events", 3),
            ("check-trace-uncalled", "src/trace-events", 4),
        ),
    ),
    Case(
        "trace-call-args-and-uncalled",
        (edit("src/lamp.c", "trace_lamp_dim(level);", "trace_lamp_set(l->name, level, 1);"),),
        (
            ("check-trace-call-args", "src/lamp.c", 44),
            ("check-trace-uncalled", "src/trace-events", 3),
        ),
    ),
    Case(
        "docs-file-missing",
        (edit("docs/lamp.rst", "", None),),
        (("check-file-missing", "docs/lamp.rst", 0),),
    ),
    Case(
        "docs-section",
        (edit("docs/lamp.rst", "Evening\n-------", "Night\n-----"),),
        (("check-docs-section", "docs/lamp.rst", 0),),
    ),
    Case(
        "docs-section-without-block",
        (edit("docs/lamp.rst", "::\n", "\n"),),
        (("check-docs-section", "docs/lamp.rst", 4),),
    ),
    Case(
        "docs-step-missing-and-text",
        (
            edit("docs/lamp.rst", " (HOME, _IDLE, _DIMMED)\n     Reading light\n         |\n", ""),
            edit("docs/lamp.rst", "      Dusk", "     Sunset"),
        ),
        (
            ("check-docs-step-missing", "docs/lamp.rst", 15),
            ("check-docs-text", "docs/lamp.rst", 9),
        ),
    ),
    Case(
        "docs-step-extra",
        (
            edit(
                "docs/lamp.rst",
                "  (HOME, _NIGHT, _OFF)\n",
                "  (HOME, _NIGHT, _OFF)\n         |\n  (AWAY, _NONE, _BROKEN)\n",
            ),
        ),
        (("check-docs-step-extra", "docs/lamp.rst", 21),),
    ),
    Case(
        "docs-tuple-missing-and-doubled",
        (
            edit("docs/lamp.rst", "   (HOME, _IDLE, _ON)\n", ""),
            edit("docs/lamp.rst", "     Reading light\n         |\n", "     Reading light\n"),
        ),
        (
            # The .switch_on() step lost its tuple; the last two steps ran together,
            # so the .switch_off() step is missing and its lines are extra.
            ("check-docs-step-missing", "docs/lamp.rst", 17),
            ("check-docs-text", "docs/lamp.rst", 16),
            ("check-docs-tuple", "docs/lamp.rst", 12),
            ("check-docs-tuple", "docs/lamp.rst", 17),
        ),
    ),
    Case(
        "transition-constant",
        (edit("src/lamp.c", "    lamp_set(l, LAMP_OFF);\n", "    lamp_set(l, LAMP_ON);\n"),),
        (("check-transition", "src/lamp.c", 39),),
    ),
    Case(
        "transition-candidate",
        (
            edit(
                "src/lamp.c",
                "lamp_set(l, LAMP_DIMMED);",
                "lamp_set(l, level ? LAMP_DIMMED : LAMP_ON);",
            ),
        ),
        (("check-transition-candidate", "src/lamp.c", 45),),
    ),
    Case(
        "transition-unregistered-and-unknown",
        (
            edit("src/lamp.c", "    lamp_set(l, LAMP_OFF);\n", "    lamp_set(l, l->saved);\n"),
            edit(
                "src/lamp.c",
                "void lamp_init(",
                "void lamp_reset(Lamp *l)\n{\n    lamp_go(l, LAMP_OFF);\n}\n\nvoid lamp_init(",
            ),
        ),
        (
            ("check-transition-unknown", "src/lamp.c", 39),
            ("check-transition-unregistered", "src/lamp.c", 55),
        ),
    ),
]


def apply(tree: Path, edits: tuple[Edit, ...]) -> None:
    for e in edits:
        path = tree / e.file
        if e.new is None:
            path.unlink()
            continue
        text = path.read_text()
        assert e.old in text, f"{e.old!r} not in {e.file}"
        path.write_text(text.replace(e.old, e.new, 1))


def test_toy_tree_agrees(spec: Spec) -> None:
    assert check_tree(spec, TOY / "tree") == []


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rule(spec: Spec, case: Case, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(TOY / "tree", tree)
    apply(tree, case.edits)
    assert found(check_tree(spec, tree), tree) == sorted(case.expected)


def test_every_check_rule_is_triggered_somewhere() -> None:
    here = {rule for case in CASES for rule, _, _ in case.expected}
    # Covered elsewhere: kernel rules (test_check_kernel), c-form on odd switches and
    # unreadable files (test_source_c).
    elsewhere = {
        "check-kernel-next",
        "check-kernel-flags",
        "check-kernel-bound",  # test_kernel_comment, test_check_linux
        "check-kernel-walk",
        "check-kernel-walk-hangs",
        "check-kernel-unchecked",
        "check-kernel-not-found",
        "check-kernel-arcs-comment",  # test_kernel_arcs
        "check-file-unreadable",
        "check-path-outside-root",  # test_check_confinement
        "check-docs-section-twice",  # test_source_rst, tests/hostile/rst
        "check-trace-caller",  # test_check_trace_sources
        # test_kernel_comment
        "check-comment-not-found",
        "check-comment-arc",
        "check-comment-refused",
        "check-comment-state",
        "check-comment-rule",
        # test_check_drivers
        "check-driver-arc-missing",
        "check-driver-arc-extra",
        "check-driver-unread",
    }
    assert {r.id for r in RULES} == here | elsewhere


def test_rules_are_documented() -> None:
    for rule in RULES:
        assert rule.id.startswith("check-")
        assert rule.summary and rule.example, rule.id
