"""``migspec update`` on the toy tree (another machine, another layout): exact diffs.

The toy tree writes its to-string cases on one line, its predicate with
``!=``/``&&``, its trace events unsorted and its flow in a narrow hand
layout; each test drifts one region and reads the whole diff update makes.
"""

from __future__ import annotations

from pathlib import Path

from migspec.artefacts import plan_update
from migspec.update import apply_plan

from .update_support import REGION_RULES, edit, problems, toy_spec, toy_tree


def diff_after(tree: Path) -> str:
    spec = toy_spec()
    plan = plan_update(spec, tree)
    assert plan.diagnostics == ()
    text = plan.diff().decode()
    apply_plan(plan)
    assert not problems(spec, tree) & REGION_RULES
    assert plan_update(spec, tree).files == ()
    return text


def test_to_string_cases_keep_the_one_line_style(tmp_path: Path) -> None:
    tree = toy_tree(tmp_path / "toy")
    edit(tree, "src/lamp.c", '    case LAMP_ON: return "ON";\n', "")
    edit(
        tree,
        "src/lamp.c",
        '    case LAMP_BROKEN: return "BROKEN";\n',
        '    case LAMP_BROKEN: return "BROKE";\n    case LAMP_LOST: return "LOST";\n',
    )
    assert diff_after(tree) == (
        "--- a/src/lamp.c\n"
        "+++ b/src/lamp.c\n"
        "@@ -5,9 +5,9 @@\n"
        " const char *lamp_str(enum lamp_state s)\n"
        " {\n"
        "     switch (s) {\n"
        '-    case LAMP_BROKEN: return "BROKE";\n'
        '-    case LAMP_LOST: return "LOST";\n'
        '+    case LAMP_BROKEN: return "BROKEN";\n'
        '     case LAMP_OFF: return "OFF";\n'
        '+    case LAMP_ON: return "ON";\n'
        '     case LAMP_DIMMED: return "DIMMED";\n'
        '     default: return "?";\n'
        "     }\n"
    )


def test_a_missing_default_goes_last(tmp_path: Path) -> None:
    tree = toy_tree(tmp_path / "toy")
    edit(tree, "src/lamp.c", '    default: return "?";\n', "")
    # The template escapes "?" (no trigraphs); the checker reads "\\?" back as "?".
    assert diff_after(tree) == (
        "--- a/src/lamp.c\n"
        "+++ b/src/lamp.c\n"
        "@@ -9,6 +9,7 @@\n"
        '     case LAMP_OFF: return "OFF";\n'
        '     case LAMP_ON: return "ON";\n'
        '     case LAMP_DIMMED: return "DIMMED";\n'
        '+    default: return "\\?";\n'
        "     }\n"
        " }\n"
        " \n"
    )


def test_fallthrough_labels_with_a_wrong_body_are_split(tmp_path: Path) -> None:
    tree = toy_tree(tmp_path / "toy")
    edit(
        tree,
        "src/lamp.c",
        '    case LAMP_ON: return "ON";\n    case LAMP_DIMMED: return "DIMMED";\n',
        '    case LAMP_ON:\n    case LAMP_DIMMED: return "ON";\n',
    )
    assert diff_after(tree) == (
        "--- a/src/lamp.c\n"
        "+++ b/src/lamp.c\n"
        "@@ -7,8 +7,8 @@\n"
        "     switch (s) {\n"
        '     case LAMP_BROKEN: return "BROKEN";\n'
        '     case LAMP_OFF: return "OFF";\n'
        "-    case LAMP_ON:\n"
        '-    case LAMP_DIMMED: return "ON";\n'
        '+    case LAMP_ON: return "ON";\n'
        '+    case LAMP_DIMMED: return "DIMMED";\n'
        '     default: return "?";\n'
        "     }\n"
        " }\n"
    )


def test_a_right_negated_predicate_stays_and_a_wrong_one_is_rewritten(tmp_path: Path) -> None:
    tree = toy_tree(tmp_path / "toy")
    assert plan_update(toy_spec(), tree).files == ()  # != / && testing the right set
    edit(tree, "src/lamp.c", " && l->state != LAMP_BROKEN", "")
    assert diff_after(tree) == (
        "--- a/src/lamp.c\n"
        "+++ b/src/lamp.c\n"
        "@@ -15,7 +15,8 @@\n"
        " \n"
        " bool lamp_is_lit(Lamp *l)\n"
        " {\n"
        "-    return l->state != LAMP_OFF;\n"
        "+    return l->state == LAMP_ON ||\n"
        "+           l->state == LAMP_DIMMED;\n"
        " }\n"
        " \n"
        " static void lamp_set(Lamp *l, enum lamp_state s)\n"
    )


def test_trace_lines_unsorted_stay_put_and_new_ones_go_in_sorted_place(tmp_path: Path) -> None:
    tree = toy_tree(tmp_path / "toy")
    edit(
        tree,
        "src/trace-events",
        'lamp_dim(int level) "level %d"\n',
        'lamp_dim(int level) "lvl %d"\n',
    )
    edit(tree, "src/trace-events", 'lamp_set(const char *name, int state) "%s -> %d"\n', "")
    edit(tree, "src/trace-events", "# lamp.c\n", '# lamp.c\nlamp_zap(void) ""\n')
    # lamp_zap goes; lamp_dim is rewritten where it is; lamp_set sorts after it.
    assert diff_after(tree) == (
        "--- a/src/trace-events\n"
        "+++ b/src/trace-events\n"
        "@@ -1,3 +1,3 @@\n"
        " # lamp.c\n"
        '-lamp_zap(void) ""\n'
        '-lamp_dim(int level) "lvl %d"\n'
        '+lamp_dim(int level) "level %d"\n'
        '+lamp_set(const char *name, int state) "%s -> %d"\n'
    )


def test_a_flow_step_is_drawn_with_the_templates_layout(tmp_path: Path) -> None:
    tree = toy_tree(tmp_path / "toy")
    edit(tree, "docs/lamp.rst", "  .switch_on() is called\n   (HOME, _IDLE, _ON)\n         |\n", "")
    edit(tree, "docs/lamp.rst", "      Dusk\n", "      Dusk falls\n")
    # Only the changed and new lines use the template's centring (80 columns,
    # connector at 38); the hand-drawn rest keeps its narrow layout.
    assert diff_after(tree) == (
        "--- a/docs/lamp.rst\n"
        "+++ b/docs/lamp.rst\n"
        "@@ -6,9 +6,12 @@\n"
        " \n"
        " ::\n"
        " \n"
        "-      Dusk falls\n"
        "+                                      Dusk\n"
        "   (HOME, _IDLE, _OFF)\n"
        "          |\n"
        "+                             .switch_on() is called\n"
        "+                               (HOME, _IDLE, _ON)\n"
        "+                                      |\n"
        "  (HOME, _IDLE, _DIMMED)\n"
        "      Reading light\n"
        "          |\n"
    )


def test_a_dropped_step_goes_with_its_connector(tmp_path: Path) -> None:
    tree = toy_tree(tmp_path / "toy")
    edit(
        tree,
        "docs/lamp.rst",
        "  (HOME, _NIGHT, _OFF)\n",
        "  (HOME, _NIGHT, _OFF)\n         |\n     (HOME, _DAY, _ON)\n",
    )
    assert diff_after(tree) == (
        "--- a/docs/lamp.rst\n"
        "+++ b/docs/lamp.rst\n"
        "@@ -17,5 +17,3 @@\n"
        "          |\n"
        "   .switch_off() is called\n"
        "   (HOME, _NIGHT, _OFF)\n"
        "-         |\n"
        "-     (HOME, _DAY, _ON)\n"
    )
