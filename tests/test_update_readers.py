"""What the readers expose for writers: every definition, repeated titles, spans, escapes."""

from __future__ import annotations

import pytest

from migspec.render.escape import c_string
from migspec.source.c import CReader, function_definitions, read_to_string
from migspec.source.rst import parse_flows, section_titles

TWICE = b"""\
#ifdef CONFIG_A
static const char *name(enum s v) { switch (v) { case S_A: return "A"; default: return "?"; } }
#else
static const char *name(enum s v) { return "none"; }
#endif
int other(void) { return 0; }
"""


def test_every_definition_is_listed_in_file_order() -> None:
    cfile = CReader().parse_bytes(TWICE, "x.c")
    found = function_definitions(cfile, "name")
    assert [f.location.line for f in found] == [2, 4]
    assert cfile.functions["name"].location.line == 2  # the index keeps the first
    assert [f.name for f in function_definitions(cfile, "other")] == ["other"]
    assert function_definitions(cfile, "absent") == []


def test_to_string_cases_carry_their_nodes() -> None:
    cfile = CReader().parse_bytes(TWICE, "x.c")
    read, _ = read_to_string(cfile, "name")
    assert read is not None and read.switch is not None
    (case,) = read.cases
    assert case.node is not None and case.string_node is not None
    assert cfile.text(case.node) == 'case S_A: return "A";'
    assert cfile.text(case.string_node) == '"A"'
    assert read.default is not None and cfile.text(read.default.string_node) == '"?"'  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["?", "??=", 'say "hi"', "a\\b", "tab\there", "\x01 bell \x07"])
def test_the_reader_reads_back_what_the_renderer_escapes(text: str) -> None:
    source = f'const char *f(enum s v) {{ switch (v) {{ default: return "{c_string(text)}"; }} }}'
    read, _ = read_to_string(CReader().parse_bytes(source.encode(), "x.c"), "f")
    assert read is not None and read.default is not None
    assert read.default.string == text


RST = """\
Title
=====

Save
----

::

   (A, _B, _C)

Save
----

::

   (A, _B, _D)

Other
-----
"""


def test_a_title_written_twice_is_reported_and_the_first_is_read() -> None:
    read, _ = parse_flows(RST, "x.rst", ["Save"])
    assert read.sections["Save"].line == 4
    assert [loc.line for loc in read.repeated["Save"]] == [11]
    assert read.flows["Save"].steps[0].lines[0].text == "(A, _B, _C)"


def test_section_titles_in_order() -> None:
    assert section_titles(RST, "x.rst") == ["Title", "Save", "Save", "Other"]
