"""Taking trace formats apart: conversions, PRI macros, offsets, problems."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from migspec.lint.printf import Conversion, parse_format


def convs(written: str) -> list[Conversion]:
    parsed = parse_format(written)
    assert parsed.problems == (), parsed.problems
    return list(parsed.conversions)


def spec(c: Conversion) -> tuple[str, str, str | None, str, str]:
    return (c.flags, c.width, c.precision, c.length, c.conversion)


def test_plain_conversions_and_percent_percent() -> None:
    parsed = parse_format('"%d%% done, %s"')
    assert [spec(c) for c in parsed.conversions] == [
        ("", "", None, "", "d"),
        ("", "", None, "", "s"),
    ]
    assert parsed.args_used == 2
    # Offsets are in the format as written, quotes included.
    assert [(c.offset, c.end, c.text) for c in parsed.conversions] == [(1, 3, "%d"), (12, 14, "%s")]


def test_flags_width_precision_and_length() -> None:
    got = convs('"%-10s %#x %08x %zu %p %lld %.3s %.*s %*d %+ d %hhx"')
    assert [spec(c) for c in got] == [
        ("-", "10", None, "", "s"),
        ("#", "", None, "", "x"),
        ("0", "8", None, "", "x"),
        ("", "", None, "z", "u"),
        ("", "", None, "", "p"),
        ("", "", None, "ll", "d"),
        ("", "", "3", "", "s"),
        ("", "", "*", "", "s"),
        ("", "*", None, "", "d"),
        ("+ ", "", None, "", "d"),
        ("", "", None, "hh", "x"),
    ]
    assert [c.args_used for c in got] == [1, 1, 1, 1, 1, 1, 1, 2, 2, 1, 1]
    assert parse_format('"%.*s %*d"').args_used == 4


def test_pri_macro_supplies_length_and_conversion() -> None:
    written = '" (%s) size 0x%"PRIx64" ret %d"'
    got = convs(written)
    assert [spec(c) for c in got] == [
        ("", "", None, "", "s"),
        ("", "", None, "", "x"),
        ("", "", None, "", "d"),
    ]
    pri = got[1]
    assert (pri.macro, pri.macro_bits) == ("PRIx64", 64)
    assert pri.text == '%"PRIx64'
    assert written[pri.offset] == "%"
    assert written[pri.end - 1] == "4"
    # The conversion after the macro is located in the third literal.
    assert written[got[2].offset : got[2].end] == "%d"


def test_pri_macro_with_flags_and_width_across_spaces() -> None:
    (c,) = convs('"%08" PRIu32')
    assert spec(c) == ("0", "8", None, "", "u")
    assert (c.macro, c.macro_bits, c.text) == ("PRIu32", 32, '%08" PRIu32')


def test_pri_macro_sizes() -> None:
    bits = {c.macro: c.macro_bits for c in convs('"%"PRIx8 "%"PRId16 "%"PRIxPTR "%"PRIuMAX')}
    assert bits == {"PRIx8": 8, "PRId16": 16, "PRIxPTR": None, "PRIuMAX": 64}
    (c,) = convs('"%" PRIuLEAST16')
    assert c.macro_bits == 16


def test_conversion_split_across_literals() -> None:
    written = '"0x%" "08x"'
    (c,) = convs(written)
    assert spec(c) == ("0", "8", None, "", "x")
    assert c.text == '%" "08x'
    assert parse_format(written).preceded_by(0, "0x")
    assert not parse_format(written).preceded_by(0, "1x")


def test_errno_conversion_uses_no_argument() -> None:
    parsed = parse_format('"failed: %m (%d)"')
    assert [c.conversion for c in parsed.conversions] == ["m", "d"]
    assert parsed.args_used == 1


def test_invalid_and_truncated_conversions_are_problems() -> None:
    cases = {
        '"100%"': "at the end of the format",
        '"50% )"': "followed by ')'",
        '"%y"': "'%y' is not a printf conversion",
        '"%Ld"': "not standard",
        '"%hhn"': "'%n' writes to memory",
        '"%lp"': "does not apply to '%p'",
        '"%\\n"': "escape sequence",
        '"size " PRIx64': "PRIx64 is not preceded by a '%'",
        '"a" ; "b"': "unexpected ';'",
    }
    for written, fragment in cases.items():
        problems = parse_format(written).problems
        assert len(problems) == 1, (written, problems)
        assert fragment in problems[0].message, (written, problems)


def test_problem_offsets_point_into_the_written_format() -> None:
    written = '"ok %d" " then %y"'
    (problem,) = parse_format(written).problems
    assert written[problem.offset : problem.offset + 2] == "%y"


def test_offsets_as_written_across_blanks_empty_literals_and_strays() -> None:
    """Every offset (conversion, macro, problem) points at its text as written,
    whatever lies between the literals: tabs, newlines, empty literals, a stray
    character, an unterminated quote."""
    written = '""\t"a %"\n  PRIu16 "" ; "%-4s"  OTHER_MACRO "%d" "'
    parsed = parse_format(written)
    assert [(m.name, written[m.offset : m.offset + len(m.name)]) for m in parsed.macros] == [
        ("PRIu16", "PRIu16"),
        ("OTHER_MACRO", "OTHER_MACRO"),
    ]
    assert [(c.text, written[c.offset : c.end]) for c in parsed.conversions] == [
        ('%"\n  PRIu16', '%"\n  PRIu16'),
        ("%-4s", "%-4s"),
        ("%d", "%d"),
    ]
    assert [written[p.offset] for p in parsed.problems] == [";", '"', "O"]


def test_pri_macro_table() -> None:
    """The <inttypes.h> names, and look-alikes that are not among them."""
    bits = {
        c.macro: (c.conversion, c.macro_bits)
        for c in convs('"%" PRIXFAST16 "%" PRIoLEAST64 "%" PRIiMAX "%" PRIdPTR "%" PRIu8')
    }
    assert bits == {
        "PRIXFAST16": ("X", None),
        "PRIoLEAST64": ("o", 64),
        "PRIiMAX": ("i", 64),
        "PRIdPTR": ("d", None),
        "PRIu8": ("u", 8),
    }
    for name in ("PRIx128", "PRIxFAST", "PRIs64", "PRIx64_", "PRId"):
        assert parse_format(f'"%" {name}').opaque, name


def test_other_macros_make_the_format_opaque() -> None:
    parsed = parse_format('"addr " TARGET_FMT_lx " size %d"')
    assert parsed.opaque
    assert [m.name for m in parsed.macros] == ["TARGET_FMT_lx"]
    assert "TARGET_FMT_lx" in parsed.problems[0].message
    assert not parse_format('"%" PRIx64').opaque


def test_percent_before_an_opaque_macro_is_reported_once() -> None:
    problems = parse_format('"0x%" TARGET_FMT_lx').problems
    assert len(problems) == 1
    assert "TARGET_FMT_lx" in problems[0].message


def test_newline_at_the_end() -> None:
    assert parse_format('"done\\n"').ends_with_newline()
    assert parse_format('"%d" "\\n"').ends_with_newline()
    assert not parse_format('"a backslash and n: \\\\n"').ends_with_newline()
    assert not parse_format('"a\\n" PRIx64').ends_with_newline()
    assert not parse_format('"plain"').ends_with_newline()


def test_empty_and_conversionless_formats() -> None:
    assert parse_format("").conversions == ()
    assert parse_format('""').args_used == 0
    assert parse_format('"no conversions here"').conversions == ()


@given(st.text(alphabet='%"\\ dxslz*.#0-PRIx64u\n\tA', max_size=40))
def test_never_raises_and_offsets_stay_inside(written: str) -> None:
    parsed = parse_format(written)
    for c in parsed.conversions:
        assert 0 <= c.offset < c.end <= len(written)
        assert written[c.offset] == "%"
    for p in parsed.problems:
        assert 0 <= p.offset <= len(written)


def test_control_characters_in_a_format_are_text() -> None:
    """The parser marks PRI macros with \\x01 and \\x02 internally: a format holding
    those bytes used to crash it (KeyError, StopIteration; found by fuzzing)."""
    from migspec.lint.printf import parse_format

    for written in ('"a \x01 %d \x02 b"', '"%\x01"', '"a" PRIx64 "\x02"', '"%"PRIx64"\x01"'):
        parsed = parse_format(written)
        assert parsed.written == written
        for c in parsed.conversions:
            assert c.text == written[c.offset : c.end]
    assert [c.conversion for c in parse_format('"a \x01 %d \x02 b"').conversions] == ["d"]


def test_preceded_by_near_the_start_of_the_format() -> None:
    assert not parse_format('"%x"').preceded_by(0, "0x")
    assert not parse_format('"x%x"').preceded_by(0, "0x")
    assert parse_format('"0x%x 0x%" PRIx64').preceded_by(1, "0x")
    assert not parse_format('"0x%x %" PRIx64').preceded_by(1, "0x")


def test_hostile_formats_map_back_to_the_written_text() -> None:
    """Offsets in the written format survive '%%', every part of a
    conversion, macros, '*' and conversions split across literals."""
    parsed = parse_format('"%%d %-08.3lld"')
    assert [(spec(c), c.offset, c.end, c.text) for c in parsed.conversions] == [
        (("-0", "8", "3", "ll", "d"), 5, 14, "%-08.3lld")
    ]
    parsed = parse_format('"a %" PRIx64 " b %*d %"')
    assert [(spec(c), c.text, c.macro) for c in parsed.conversions] == [
        (("", "", None, "", "x"), '%" PRIx64', "PRIx64"),
        (("", "*", None, "", "d"), "%*d", None),
    ]
    assert parsed.args_used == 3
    # The unterminated '%' at the end, at its offset as written.
    assert [p.offset for p in parsed.problems] == [21]
    assert "at the end of the format" in parsed.problems[0].message
    written = '"%0" "8" PRIx32 " %" "" "s"'
    parsed = parse_format(written)
    assert [c.text for c in parsed.conversions] == ['%0" "8" PRIx32', '%" "" "s']
    assert [written[c.offset] for c in parsed.conversions] == ["%", "%"]
    assert parsed.problems == ()
