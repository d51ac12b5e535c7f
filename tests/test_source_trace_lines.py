"""The checker's view of trace-events files (built on the real reader)."""

from __future__ import annotations

from pathlib import Path

from migspec.source.trace_lines import split_trace_lines

TEXT = """\
# See the tracing docs for the syntax.

# a.c
ev_one(const char *name, uint64_t size) " (%s) size 0x%"PRIx64
disable ev_two(void) "nothing"

#b.c
  ev_three(int  x,int y)   "%d %d"  \n"""


def test_sections_and_events() -> None:
    parsed = split_trace_lines(TEXT, "trace-events")
    assert dict(parsed.sections) == {
        "a.c": parsed.sections["a.c"],
        "b.c": parsed.sections["b.c"],
    }
    assert parsed.sections["a.c"].line == 3 and parsed.sections["b.c"].line == 7
    one, two, three = parsed.events
    assert (one.name, one.section, one.format) == ("ev_one", "a.c", '" (%s) size 0x%"PRIx64')
    assert one.arg_list == ("const char *name", "uint64_t size")
    assert (two.properties, two.arg_list) == (("disable",), ())
    assert (three.section, three.arg_list, three.format) == ("b.c", ("int x", "int y"), '"%d %d"')
    assert (three.location.line, three.location.column) == (8, 3)


def test_corpus_file(corpus: Path) -> None:
    text = (corpus / "qemu-94f775e428/hw/vfio/trace-events").read_text()
    parsed = split_trace_lines(text, "trace-events")
    migration = [e for e in parsed.events if e.section == "migration.c"]
    assert len(migration) == 17
    assert "migration.c" in parsed.sections and "common.c" in parsed.sections
