"""Reading trace-events files: events, columns, sections, and awkward input."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from migspec.load.text import Limits
from migspec.load.trace_events import (
    TraceFile,
    parse_trace_events,
    read_trace_bytes,
    read_trace_events,
)
from migspec.model import TraceArg

SAMPLE = """\
# See the tracing docs for the syntax.
# This line is prose, not a section: it mentions file.c in passing.

early_event(void)

# device.c
dev_reset(void *opaque, int level) "opaque %p level %d"
dev_read(void *opaque, uint64_t addr, unsigned size) "0x%" PRIx64 " size %u"
# Warning: verbose
dev_poll(const char*name) " (%s)"

#helper.c
disable helper_call(int n) "n=%d"
# */signal.c
user_signal(void *env, int sig) "env=%p signal %d"
"""


def read(text: str) -> TraceFile:
    return parse_trace_events(text, "t/trace-events")


def syntax(tf: TraceFile) -> list[tuple[int, int, str]]:
    return [(d.location.line, d.location.column, d.message) for d in tf.diagnostics]


def test_events_args_and_formats_exactly_as_written() -> None:
    tf = read(SAMPLE)
    assert tf.diagnostics == ()
    names = [e.event.name for e in tf.events]
    assert names == [
        "early_event",
        "dev_reset",
        "dev_read",
        "dev_poll",
        "helper_call",
        "user_signal",
    ]
    read_ = tf.events[2].event
    assert read_.args == (
        TraceArg(type="void *", name="opaque"),
        TraceArg(type="uint64_t", name="addr"),
        TraceArg(type="unsigned", name="size"),
    )
    assert read_.format == '"0x%" PRIx64 " size %u"'
    assert tf.events[0].event.args == ()
    assert tf.events[0].event.format == ""
    # split on the last '*', as tracetool does
    assert tf.events[3].event.args == (TraceArg(type="const char *", name="name"),)
    assert tf.events[4].event.properties == ("disable",)


def test_lines_and_columns() -> None:
    tf = read(SAMPLE)
    dev_read = tf.events[2]
    assert dev_read.line == 8
    assert (
        dev_read.text
        == 'dev_read(void *opaque, uint64_t addr, unsigned size) "0x%" PRIx64 " size %u"'
    )
    assert str(dev_read.event.location) == "t/trace-events:8:1"
    assert dev_read.args_column == 10
    assert dev_read.piece_columns() == (10, 24, 39)
    assert dev_read.arg_columns() == (10, 24, 39)
    assert dev_read.text[dev_read.format_column - 1 :].startswith('"0x%"')
    assert str(dev_read.format_at(3)) == f"t/trace-events:8:{dev_read.format_column + 3}"
    helper = tf.events[4]
    assert helper.property_columns == (1,)
    assert helper.event.location.column == 9


def test_sections_follow_file_comments_only() -> None:
    tf = read(SAMPLE)
    assert [e.section for e in tf.events] == [
        None,
        "device.c",
        "device.c",
        "device.c",
        "helper.c",
        "*/signal.c",
    ]
    assert [(s.section, len(s.events), s.location.line) for s in tf.sections] == [
        ("", 1, 4),
        ("device.c", 3, 6),
        ("helper.c", 1, 12),
        ("*/signal.c", 1, 14),
    ]
    assert all(s.file == "t/trace-events" for s in tf.sections)


def test_sections_of_files_with_no_events() -> None:
    assert parse_trace_events("", "t/trace-events").sections == ()
    assert parse_trace_events("# just a comment\n\n", "t/trace-events").sections == ()
    # A heading with nothing under it is still a section; so is the last one.
    tf = parse_trace_events('# a.c\n# b.c\nev(int x) "%d"\n# c.c\n', "t/trace-events")
    assert [(s.section, [e.name for e in s.events]) for s in tf.sections] == [
        ("a.c", []),
        ("b.c", ["ev"]),
        ("c.c", []),
    ]
    (ev,) = tf.sections[1].events
    assert ev == tf.events[0].event
    assert str(ev.location) == "t/trace-events:3:1"


def test_crlf_bom_tabs_and_blank_lines() -> None:
    text = '\ufeff# a.c\r\n\r\n\tev_one(int a,\tint b)\t"%d %d"\r\n   \r\nev_two(void)\r\n'
    tf = read(text)
    assert tf.diagnostics == ()
    assert [e.event.name for e in tf.events] == ["ev_one", "ev_two"]
    one = tf.events[0]
    assert one.line == 3
    assert one.event.location.column == 2
    assert one.event.args == (TraceArg(type="int", name="a"), TraceArg(type="int", name="b"))
    assert one.event.format == '"%d %d"'
    assert one.section == "a.c"
    assert not one.text.endswith("\r")


def test_old_mac_line_ends_count_as_lines() -> None:
    tf = read('a(void)\rb(int x) "%d"\r')
    assert [(e.event.name, e.line) for e in tf.events] == [("a", 1), ("b", 2)]


def test_missing_final_newline_still_reads_the_last_event() -> None:
    tf = read('a(void)\nb(int x) "%d"')
    assert [e.event.name for e in tf.events] == ["a", "b"]
    assert tf.text.endswith('"%d"')


def test_vcpu_property_and_two_formats() -> None:
    tf = read('vcpu guest_op(uint64_t info) "trans 0x%" PRIx64, "exec 0x%" PRIx64\n')
    (ev,) = tf.events
    assert ev.event.properties == ("vcpu",)
    assert ev.format_trans == '"trans 0x%" PRIx64'
    assert ev.event.format == '"exec 0x%" PRIx64'
    assert ev.text[ev.format_trans_column - 1 :].startswith('"trans')
    assert ev.text[ev.format_column - 1 :].startswith('"exec')


def test_comma_inside_a_literal_is_not_two_formats() -> None:
    (ev,) = read('x(int a, int b) "a=%d, " "b=%d"\n').events
    assert ev.format_trans is None
    assert ev.event.format == '"a=%d, " "b=%d"'


def test_empty_argument_pieces_are_kept_for_the_linter() -> None:
    (ev,) = read('x() "nothing"\n').events
    assert ev.arg_texts == ("",)
    assert ev.event.args == ()
    (ev,) = read("y(int a, , int b)\n").events
    assert ev.arg_texts == ("int a", " ", " int b")
    assert ev.arg_columns() == (3, 12)


def test_malformed_lines_are_diagnostics_and_reading_goes_on() -> None:
    text = "\n".join(
        [
            "ok_one(void)",
            "this is prose without parentheses",
            'spaced (int x) "%d"',
            'no_name(int) "%d"',
            'open(int x) "abc',
            'junk(int x) "abc" // comment',
            "nofmt(int x) PRIx64",
            'three(int x) "a", "b", "c"',
            'bad-name(int x) "%d"',
            'ok_two(int x) "%d"',
            "",
        ]
    )
    tf = read(text)
    assert [e.event.name for e in tf.events] == ["ok_one", "ok_two"]
    assert {d.rule for d in tf.diagnostics} == {"trace-syntax"}
    assert [(line, col) for line, col, _ in syntax(tf)] == [
        (2, 1),
        (3, 7),
        (4, 9),
        (5, 13),
        (6, 19),
        (7, 14),
        (8, 24),
        (9, 1),
    ]
    messages = [m for _, _, m in syntax(tf)]
    assert "space between the event name 'spaced'" in messages[1]
    assert "argument 'int' is not 'type name'" in messages[2]
    assert "unterminated string literal" in messages[3]
    assert "unexpected text after the format" in messages[4]
    assert "expected the format" in messages[5]


def test_non_ascii_event_name_is_rejected() -> None:
    tf = read('caf\u00e9(int x) "%d"\n')
    assert tf.events == ()
    assert "not a C identifier" in syntax(tf)[0][2]


def test_a_very_long_bad_line_does_not_hang() -> None:
    words = "word " * 20000
    tf = read(f"{words}\nev(int x) {'PRIx64 ' * 20000}\nok(void)\n")
    assert [e.event.name for e in tf.events] == ["ok"]
    assert len(tf.diagnostics) == 2


def test_read_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "trace-events"
    path.write_text(SAMPLE, encoding="utf-8")
    tf = read_trace_events(str(path), display="hw/dev/trace-events")
    assert tf.readable
    assert tf.path == "hw/dev/trace-events"
    assert len(tf.events) == 6
    assert tf.events[1].event.location.path == "hw/dev/trace-events"


@pytest.mark.parametrize(
    ("setup", "rule"),
    [
        ("missing", "input-unreadable"),
        ("directory", "input-unreadable"),
        ("utf16", "input-encoding"),
        ("nul", "input-encoding"),
        ("latin1", "input-encoding"),
        ("large", "input-too-large"),
    ],
)
def test_unreadable_input_is_one_diagnostic(tmp_path: Path, setup: str, rule: str) -> None:
    path = tmp_path / "trace-events"
    limits = Limits()
    if setup == "directory":
        path.mkdir()
    elif setup == "utf16":
        path.write_bytes("ev(void)\n".encode("utf-16"))
    elif setup == "nul":
        path.write_bytes(b"ev(void)\n\0\n")
    elif setup == "latin1":
        path.write_bytes(b'ev(int x) "caf\xe9 %d"\n')
    elif setup == "large":
        path.write_bytes(b"ev(void)\n" * 200)
        limits = Limits(max_bytes=1000)
    tf = read_trace_events(str(path), limits=limits)
    assert not tf.readable
    assert tf.events == ()
    assert [d.rule for d in tf.diagnostics] == [rule]
    assert tf.diagnostics[0].location.path == str(path)


def test_read_bytes_reports_encoding_with_a_location() -> None:
    tf = read_trace_bytes(b'ok(void)\nev(int x) "caf\xe9"\n', "x/trace-events")
    assert not tf.readable
    (d,) = tf.diagnostics
    assert (d.rule, d.location.line, d.location.column) == ("input-encoding", 2, 15)
    good = read_trace_bytes(b"\xef\xbb\xbfok(void)\n", "x/trace-events")
    assert [e.event.name for e in good.events] == ["ok"]


def test_the_seed_revision_matches_the_bundled_spec(corpus: Path) -> None:
    """The reader keeps formats exactly: the seed's migration.c section is the spec's."""
    from migspec.load.spec import load_spec

    from .conftest import SEED_SPEC

    spec = load_spec(SEED_SPEC).spec
    assert spec is not None
    tf = read_trace_events(str(corpus / "qemu-94f775e428" / "hw" / "vfio" / "trace-events"))
    (section,) = [s for s in tf.sections if s.section == "migration.c"]
    (expected,) = spec.trace
    assert [(e.name, e.args, e.format) for e in section.events] == [
        (e.name, e.args, e.format) for e in expected.events
    ]


BLANK = st.sampled_from(["", " ", "  ", "\t"])
TYPES = st.sampled_from(["int", "uint64_t", "const char *", "void *", "char*", "unsigned  long"])
PIECE = st.sampled_from(['"a=%d"', '"0x%"', "PRIx64", '" %s"', '"\\n"', '"%"', "X", '","'])


@st.composite
def event_lines(draw: st.DrawFn) -> str:
    """Mostly well-formed event lines, with awkward spacing, pieces and props."""
    args = draw(
        st.lists(st.tuples(BLANK, TYPES, BLANK, st.sampled_from(["a", "b", ""])), max_size=4)
    )
    arg_text = ",".join(f"{b1}{t}{b2}{n}" for b1, t, b2, n in args) or draw(
        st.sampled_from(["void", "", " "])
    )
    fmt = draw(BLANK).join(draw(st.lists(PIECE, max_size=4)))
    props = draw(st.sampled_from(["", "disable ", "vcpu ", "bogus "]))
    return f"{draw(BLANK)}{props}ev_{draw(st.integers(0, 3))}({arg_text}){draw(BLANK)}{fmt}"


LINES = st.one_of(
    event_lines(),
    st.text(alphabet='ab_ (),*"%\\#\t.x0PRIu64voidcharconst', max_size=30),
    st.sampled_from(["# file.c", "", "   ", "# prose"]),
)


@given(st.lists(LINES, max_size=8), st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_never_raises_and_columns_stay_on_the_line(
    lines: list[str], newline: str, final: bool
) -> None:
    text = newline.join(lines) + (newline if final else "")
    tf = read(text)
    for ev in tf.events:
        width = len(ev.text) + 1
        assert 1 <= ev.event.location.column <= width
        assert all(1 <= c <= width for c in ev.piece_columns())
        assert len(ev.arg_columns()) == len(ev.event.args)
        if ev.event.format:
            start = ev.format_column - 1
            assert ev.text[start : start + len(ev.event.format)] == ev.event.format
    for d in tf.diagnostics:
        assert d.rule == "trace-syntax"
        assert d.location.line >= 1 and d.location.column >= 1


# The reader matches a whole text at once (one pattern, line after line), so
# what it reports must not depend on the lines around a line: the lines below
# are the awkward ones for such a scan (odd blank space that is not a line
# break, literals left open, headings, properties, errors).
AWKWARD = st.sampled_from(
    [
        'ev_a(int a) "x"',
        "\x0cev_b(int a)",
        'ev_c(int a)\x0b"f"',
        'ev_d(int a) "f"\u00a0',
        "\u2028ev_e(void)",
        'ev_f(int a) "open',
        'ev_g(int a) "ends in \\"',
        'ev_h(int a) "a\\"b" PRIx64 "c"',
        'ev_i(int a) "x", "y"',
        'vcpu ev_j(int a) "x"',
        "ev_k (int a)",
        "ev_l(int a",
        "ev_m(int a))",
        "é(int a)",
        "1ev(int a)",
        ")",
        '"x"',
        '"',
        '" PRIx64',
        "# a.c",
        "  #\tb/c.h  ",
        "#",
        "#d.txt",
        "\t",
    ]
)


@given(
    st.lists(st.one_of(LINES, AWKWARD), max_size=10),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.booleans(),
    st.booleans(),
)
def test_a_whole_text_reads_as_its_lines_read_one_by_one(
    lines: list[str], newline: str, final: bool, bom: bool
) -> None:
    text = newline.join(lines) + (newline if final else "")
    whole = read(("\ufeff" if bom else "") + text)
    assert whole.text == text
    events = []
    diagnostics = []
    headings = []
    section = None
    for number, line in enumerate(lines, 1):
        alone = read(line)
        for name, where, _ in alone.headings:
            if name:
                section = name
                headings.append((name, replace(where, line=number), len(events)))
        for ev in alone.events:
            if not headings:
                headings.append(("", replace(ev.location, line=number), 0))
            events.append(ev._replace(line=number, section=section))
        diagnostics += [
            replace(d, location=replace(d.location, line=number)) for d in alone.diagnostics
        ]
    assert list(whole.events) == events
    assert list(whole.diagnostics) == diagnostics
    assert list(whole.headings) == headings


def where(tf: TraceFile) -> list[tuple[str, int, int, str | None]]:
    return [(e.name, e.line, e.column, e.section) for e in tf.events]


@pytest.mark.parametrize(
    ("text", "events"),
    [
        ("", []),
        ("\n\n", []),
        ("a(void)", [("a", 1, 1, None)]),
        ("\n\na(void)", [("a", 3, 1, None)]),
        ("# x.c\na(void)\n# y.c", [("a", 2, 1, "x.c")]),
        ("a(void)\n# y.c\nb(void)\n", [("a", 1, 1, None), ("b", 3, 1, "y.c")]),
        (
            'a(void)\r\nvcpu b(int x) "f"\r\nc(void)\r\n',
            [("a", 1, 1, None), ("b", 2, 6, None), ("c", 3, 1, None)],
        ),
        ("a(void)\rb(void)\r\rc(void)", [("a", 1, 1, None), ("b", 2, 1, None), ("c", 4, 1, None)]),
        ("\ufeff\ta(void)\n", [("a", 1, 2, None)]),
        ("a(void)\n\r\nb(void)\r", [("a", 1, 1, None), ("b", 3, 1, None)]),
    ],
)
def test_line_numbers_of_a_whole_text(
    text: str, events: list[tuple[str, int, int, str | None]]
) -> None:
    tf = read(text)
    assert tf.diagnostics == ()
    assert where(tf) == events


def test_a_slow_line_between_two_fast_ones() -> None:
    tf = read('a(int x) "%d"\nvcpu b(int y) "t", "e"\nc(int z) "%d" PRIx64\n')
    assert where(tf) == [("a", 1, 1, None), ("b", 2, 6, None), ("c", 3, 1, None)]
    a, b, c = tf.events
    assert (a.args_column, a.format_column) == (3, 10)
    assert (b.format_trans, b.format, b.format_trans_column, b.format_column) == (
        '"t"',
        '"e"',
        15,
        20,
    )
    assert (c.format, c.format_column) == ('"%d" PRIx64', 10)


def test_a_literal_left_open_does_not_run_into_the_next_line() -> None:
    tf = read('a(int x) "open\nb(int y) "%d"\n')
    assert syntax(tf) == [(1, 10, "unterminated string literal in the format")]
    assert where(tf) == [("b", 2, 1, None)]
    tf = read('a(int x) "open\n" PRIx64\n')
    assert [d.location.line for d in tf.diagnostics] == [1, 2]
    assert tf.events == ()
    tf = read("a(int x\nb(int y)\n")
    assert [d.location.line for d in tf.diagnostics] == [1]
    assert where(tf) == [("b", 2, 1, None)]
