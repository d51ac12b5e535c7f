"""The rst flow reader (real docutils): sections, literal blocks, steps, tuples."""

from __future__ import annotations

from pathlib import Path

import pytest

from migspec.source import rst

DOC = """\
Title
=====

Some prose with a literal block that is not a flow::

    not | a flow

Save
----

Intro.

::

                      first line
\t\t      (RUNNING, _SETUP, _RUNNING [_PRE_COPY])   \n\
                                  |
        [Data is copied]
                 [(FINISH_MIGRATE, _ACTIVE, _PRE_COPY_P2P)]
   text after

Subsection without a block
~~~~~~~~~~~~~~~~~~~~~~~~~~

Prose.

Empty
-----

No block here.
"""


def read(text: str, sections: list[str]) -> rst.RstFlows:
    flows, diagnostics = rst.parse_flows(text, "doc.rst", sections)
    assert diagnostics == []
    assert flows is not None
    return flows


def test_block_lines_keep_their_text_and_file_lines() -> None:
    flows = read(DOC, ["Save"])
    assert flows.sections["Save"].line == 8
    flow = flows.flows["Save"]
    assert flow.location.line == 15
    assert flow.end_line == 20
    first, second = flow.steps
    assert [(line.location.line, line.location.column) for line in first.lines] == [
        (15, 23),
        (16, 9),
    ]
    tuple_line = first.lines[1]
    assert tuple_line.raw == "\t\t      (RUNNING, _SETUP, _RUNNING [_PRE_COPY])   "
    assert tuple_line.role is rst.LineRole.TUPLE
    assert tuple_line.tuple == rst.DocTuple(
        vm="RUNNING", migration="_SETUP", device="_RUNNING [_PRE_COPY]"
    )
    assert [line.meaning for line in second.lines] == [
        "[Data is copied]",
        "[(FINISH_MIGRATE, _ACTIVE, _PRE_COPY_P2P)]",
        "text after",
    ]
    assert second.lines[0].bracketed and second.lines[0].role is rst.LineRole.TEXT
    assert second.lines[1].tuple is not None and second.lines[1].tuple.bracketed
    before, tup, after = second.split()
    assert [line.text for line in before] == ["[Data is copied]"]
    assert tup is second.lines[1] and [line.text for line in after] == ["text after"]


def test_missing_section_and_section_without_block() -> None:
    flows = read(DOC, ["Save", "Empty", "Nowhere"])
    assert set(flows.sections) == {"Save", "Empty"}
    assert set(flows.flows) == {"Save"}


def test_unterminated_block_at_end_of_file_and_no_trailing_newline() -> None:
    text = "Flow\n----\n\n::\n\n    (A, _B, _C)\n        |\n    (D, _E, _F)"
    flow = read(text, ["Flow"]).flows["Flow"]
    assert [step.lines[0].location.line for step in flow.steps] == [6, 8]


def test_block_ended_by_unindented_text_without_blank_line() -> None:
    text = "Flow\n----\n\n::\n\n    (A, _B, _C)\nnot in the block\n"
    flow = read(text, ["Flow"]).flows["Flow"]
    assert [line.text for step in flow.steps for line in step.lines] == ["(A, _B, _C)"]


def test_no_stderr_noise_from_bad_rst(capsys: pytest.CaptureFixture[str]) -> None:
    # An underline too short, an unknown directive, an unknown role.
    text = "Flow drawing\n-----\n\n.. unknown-directive::\n\n:unknown-role:`x`\n\n::\n\n  (A, _B, _C)\n"
    flows = read(text, ["Flow drawing"])
    assert "Flow drawing" in flows.flows
    captured = capsys.readouterr()
    assert captured.err == "" and captured.out == ""


@pytest.mark.parametrize(
    ("text", "members"),
    [
        ("(RUNNING, _NONE, _RUNNING)", ("RUNNING", "_NONE", "_RUNNING")),
        ("( RUNNING ,_NONE,   _RUNNING )", ("RUNNING", "_NONE", "_RUNNING")),
        ("(RUNNING, _SETUP, _RUNNING [_PRE_COPY])", ("RUNNING", "_SETUP", "_RUNNING [_PRE_COPY]")),
        ("(a, b)", None),
        ("(a, b, c, d)", None),
        ("text (a, b, c)", None),
        ("[(a, b, c)", None),
    ],
)
def test_parse_tuple(text: str, members: tuple[str, str, str] | None) -> None:
    parsed = rst.parse_tuple(text)
    assert (parsed.members if parsed else None) == members


def test_corpus_seed_blocks(corpus: Path) -> None:
    path = corpus / "qemu-94f775e428/docs/devel/vfio-migration.rst"
    flows, diagnostics = rst.read_flows(
        path, "vfio-migration.rst", ["Live migration save path", "Live migration resume path"]
    )
    assert diagnostics == [] and flows is not None
    save = flows.flows["Live migration save path"]
    assert len(save.steps) == 7
    last = save.steps[-1].lines[-1]
    assert last.tuple is not None and last.tuple.device == "_STOP"
    # The line number is the file's: the raw text is exactly what is there.
    lines = path.read_text().splitlines()
    assert lines[last.location.line - 1] == last.raw
    assert len(flows.flows["Live migration resume path"].steps) == 4


def test_a_directive_before_the_block_is_not_the_block() -> None:
    """QEMU docs use Sphinx directives docutils alone does not know; skip their quoted source."""
    from migspec.source.rst import parse_flows

    text = (
        "Title\n=====\n\nLive migration save path\n------------------------\n\n"
        ".. migspec:check-flow:: save\n\n.. toctree::\n\n   x\n\n::\n\n"
        "      (RUNNING, _NONE, _RUNNING)\n                |\n      (RUNNING, _SETUP, _PRE_COPY)\n"
    )
    flows, diagnostics = parse_flows(text, "d.rst", ["Live migration save path"])
    assert diagnostics == []
    assert flows is not None
    flow = flows.flows["Live migration save path"]
    assert [step.lines[0].meaning for step in flow.steps] == [
        "(RUNNING, _NONE, _RUNNING)",
        "(RUNNING, _SETUP, _PRE_COPY)",
    ]
    assert flow.location.line == 15


def test_a_line_docutils_refuses_is_one_located_diagnostic() -> None:
    """docutils drops the whole document for a line over its limit: say so, at that line."""
    from migspec.source.rst import LINE_LENGTH_LIMIT, parse_flows

    title = "Live migration save path\n========================\n\n"
    for long_line in ("x" * (LINE_LENGTH_LIMIT + 1), "\t" * (LINE_LENGTH_LIMIT // 8) + "x"):
        text = title + "::\n\n   (A, _B, _C)\n" + long_line + "\n"
        flows, diagnostics = parse_flows(text, "d.rst", ["Live migration save path"])
        assert flows is None
        assert [(d.rule, d.location.line) for d in diagnostics] == [("check-file-unreadable", 7)]
    flows, diagnostics = parse_flows(
        title + "x" * LINE_LENGTH_LIMIT + "\n", "d.rst", ["Live migration save path"]
    )
    assert flows is not None and diagnostics == []


def test_nesting_too_deep_for_docutils_is_a_diagnostic() -> None:
    from migspec.source.rst import parse_flows

    for step in ("{}x\n\n", "{}- x\n\n"):
        text = "T\n=\n\n" + "".join(step.format(" " * (2 * i)) for i in range(1000))
        flows, diagnostics = parse_flows(text, "d.rst", ["T"])
        assert flows is None
        assert [d.rule for d in diagnostics] == ["check-file-unreadable"]


def test_line_numbers_are_the_files_despite_form_feeds_and_separators() -> None:
    """str.splitlines() (and docutils) break lines at \\f, \\v, NEL, U+2028...; editors do not."""
    from migspec.source.rst import parse_flows

    text = (
        "Intro\x0c with a form feed,\u2028a line separator\x85 and NEL.\n\n"
        "\x0c\nLive migration save path\n========================\n\n::\n\n"
        "   (A, _B, _C)\n         |\n   (D, _E, _F)\n"
    )
    flows, diagnostics = parse_flows(text, "d.rst", ["Live migration save path"])
    assert diagnostics == [] and flows is not None
    assert flows.sections["Live migration save path"].line == 4
    steps = flows.flows["Live migration save path"].steps
    assert [s.lines[0].location.line for s in steps] == [9, 11]
    # Raw lines are the file's, as written.
    assert text.split("\n")[8] == steps[0].lines[0].raw


def test_a_section_title_twice_is_reported() -> None:
    from migspec.source.rst import parse_flows

    section = "Save\n====\n\n::\n\n   (A, _B, _C)\n\n"
    flows, diagnostics = parse_flows(section + section, "d.rst", ["Save"])
    assert flows is not None and flows.flows["Save"].location.line == 6
    assert [(d.rule, d.location.line) for d in diagnostics] == [("check-docs-section-twice", 8)]
    assert diagnostics[0].notes[0].location is not None
    assert diagnostics[0].notes[0].location.line == 1


def test_deep_indentation_is_refused_before_docutils_but_drawings_are_not_deep() -> None:
    from migspec.source.rst import MAX_NESTING, parse_flows

    bullets = "".join(" " * (2 * i) + "- x\n\n" for i in range(MAX_NESTING + 5))
    flows, diagnostics = parse_flows("T\n=\n\n" + bullets, "d.rst", ["T"])
    assert flows is None
    assert [(d.rule, d.location.line) for d in diagnostics] == [
        ("check-file-unreadable", 3 + 2 * MAX_NESTING + 1)
    ]
    # A literal block indented ever deeper is text, not nesting.
    drawing = "".join(" " * (i + 3) + "x\n" for i in range(3 * MAX_NESTING))
    flows, diagnostics = parse_flows("T\n=\n\n::\n\n" + drawing, "d.rst", ["T"])
    assert diagnostics == [] and flows is not None and "T" in flows.flows
