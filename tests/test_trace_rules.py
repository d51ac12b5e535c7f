"""Trace-event rules: each one triggered and not, on files and on spec events."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from migspec.diagnostics import Diagnostic, Location, Rule, Severity
from migspec.lint import trace_rules as tr
from migspec.lint.spec import lint_spec
from migspec.lint.trace_files import lint_trace_file, lint_trace_files
from migspec.load.spec import load_spec, load_spec_text
from migspec.load.trace_events import EventLine, parse_trace_events
from migspec.model import TraceArg, TraceEvent
from migspec.rules import all_rules

from .conftest import SEED_SPEC
from .test_trace_reader import LINES


def lint(text: str, disabled: frozenset[str] = frozenset()) -> list[Diagnostic]:
    return sorted(lint_trace_file(parse_trace_events(text, "t"), disabled), key=Diagnostic.sort_key)


def found(text: str, rule: str) -> list[tuple[int, int, str]]:
    """(line, column, severity) of each finding of ``rule`` for one file's text."""
    return [
        (d.location.line, d.location.column, d.severity.label) for d in lint(text) if d.rule == rule
    ]


def col(line: str, fragment: str, nth: int = 0) -> int:
    """1-based column of the nth occurrence of ``fragment`` in ``line``."""
    at = -1
    for _ in range(nth + 1):
        at = line.index(fragment, at + 1)
    return at + 1


# -- every rule: documented, and its example triggers it -----------------------

FILE_ONLY = {"trace-no-final-newline", "trace-duplicate-event", "trace-syntax"}


def trace_rule_list() -> list[Rule[object]]:
    return [r for r in all_rules() if r.id.startswith("trace-")]


@pytest.mark.parametrize("rule", trace_rule_list(), ids=lambda r: r.id)
def test_every_rule_is_documented_and_its_example_fails(rule: Rule[object]) -> None:
    assert rule.summary and rule.doc and rule.example
    assert rule.summary.endswith(".")
    text = rule.example
    if rule.id == "trace-no-final-newline":
        text = text.split("   (", 1)[0]
    else:
        text += "\n"
    assert rule.id in {d.rule for d in lint(text)}, (rule.id, lint(text))


def test_rule_ids_are_kebab_case_and_listed_once() -> None:
    ids = [r.id for r in tr.FILE_RULES]
    assert len(ids) == len(set(ids))
    assert {r.id for r in tr.SPEC_RULES} == {r.id for r in tr.EVENT_RULES}
    assert {r.id for r in tr.SPEC_RULES} | FILE_ONLY == set(ids)
    for rule_id in ids:
        assert rule_id.startswith("trace-")
        assert rule_id == rule_id.lower() and " " not in rule_id and "_" not in rule_id


def test_a_clean_file_has_no_findings() -> None:
    text = (
        "# dev.c\n"
        "dev_read(void *opaque, uint64_t addr, unsigned size, const char *name) "
        '"%p 0x%" PRIx64 " size %u (%s)"\n'
        'dev_state(char *name, int32_t v, size_t len, bool on) "%s %" PRId32 " %zu %d"\n'
        'dev_bytes(uint8_t a, uint16_t b, long c) "0x%02x:%04x %ld"\n'
        "dev_quiet(void)\n"
        'dev_star(int width, const char *s) "%*s"\n'
    )
    assert lint(text) == []


# -- tracetool's rules ---------------------------------------------------------


def test_format_newline() -> None:
    line = 'ev(int x) "x=%d\\n"'
    assert found(line + "\n", "trace-format-newline") == [(1, col(line, "\\n"), "error")]
    assert found('ev(int x) "a\\nb=%d"\n', "trace-format-newline") == []


def test_format_errno_in_either_format() -> None:
    line = 'ev(int x) "x=%d %m"'
    assert found(line + "\n", "trace-format-errno") == [(1, col(line, "%m"), "error")]
    # tracetool refuses any "%m" in the text, so "%%m" too
    assert len(found('ev(void) "100%%mark"\n', "trace-format-errno")) == 1
    two = 'ev(int x) "t %m", "e %d"'
    assert found(two + "\n", "trace-format-errno") == [(1, col(two, "%m"), "error")]
    assert found('ev(int x) "x=%d"\n', "trace-format-errno") == []


@pytest.mark.parametrize(
    ("args", "bad"),
    [
        ("hwaddr addr", "hwaddr addr"),
        ("struct Dev *d", "struct Dev *d"),
        ("float f", "float f"),
        ("void v", "void v"),
        ("unsigned\tint n", "unsigned\tint n"),
    ],
)
def test_arg_type_refused(args: str, bad: str) -> None:
    line = f"ev(int ok, {args})"
    assert found(line + "\n", "trace-arg-type") == [(1, col(line, bad), "error")]


@pytest.mark.parametrize(
    "args",
    [
        "const char *s",
        "char **argv",
        "unsigned long long n",
        "signed char c",
        "void *opaque",
        "const uint8_t *buf",
        "ssize_t r, ptrdiff_t d, uintptr_t p, bool b, short s",
    ],
)
def test_arg_type_allowed(args: str) -> None:
    assert found(f"ev({args})\n", "trace-arg-type") == []


def test_a_tab_between_type_and_name_is_fine() -> None:
    # tracetool cuts the name off at the last blank (or '*') before it checks the type
    assert found("ev(int\tx, const char *\ts)\n", "trace-arg-type") == []


def test_empty_args() -> None:
    assert found('ev() "x"\n', "trace-empty-args") == [(1, 4, "error")]
    line = "ev(int a, , int b)"
    assert found(line + "\n", "trace-empty-args") == [(1, col(line, " ,") + 1, "error")]
    assert found("ev(void)\n", "trace-empty-args") == []
    assert found('ev(int a) "%d"\n', "trace-empty-args") == []


def test_too_many_args() -> None:
    eleven = ", ".join(f"int a{i}" for i in range(11))
    line = f'ev({eleven}) "{" ".join(["%d"] * 11)}"'
    assert found(line + "\n", "trace-too-many-args") == [(1, col(line, "int a10"), "error")]
    ten = ", ".join(f"int a{i}" for i in range(10))
    assert found(f'ev({ten}) "{" ".join(["%d"] * 10)}"\n', "trace-too-many-args") == []


def test_unknown_property() -> None:
    assert found('static ev(int x) "%d"\n', "trace-unknown-property") == [(1, 1, "error")]
    assert found('disable vcpu ev(int x) "%d"\n', "trace-unknown-property") == []
    assert found('disable bogus ev(int x) "%d"\n', "trace-unknown-property") == [(1, 9, "error")]


def test_two_formats() -> None:
    line = 'ev(int x) "t %d", "e %d"'
    assert found(line + "\n", "trace-two-formats") == [(1, col(line, '"t'), "error")]
    assert found('ev(int x) "a, %d"\n', "trace-two-formats") == []


def test_syntax_is_reported_through_the_linter() -> None:
    assert found("ev (int x)\n", "trace-syntax") == [(1, 3, "error")]


def test_no_final_newline() -> None:
    assert found('a(void)\nb(int x) "%d"', "trace-no-final-newline") == [(2, 14, "error")]
    assert found("# only a comment", "trace-no-final-newline") == [(1, 17, "error")]
    assert found('a(void)\r\nb(int x) "%d"\r\n', "trace-no-final-newline") == []
    assert found("", "trace-no-final-newline") == []


def test_duplicate_event_in_one_file() -> None:
    text = 'ev(int x) "%d"\nother(void)\nev(int x) "%d"\n'
    (d,) = [d for d in lint(text) if d.rule == "trace-duplicate-event"]
    assert (d.location.line, d.severity) == (3, Severity.ERROR)
    assert d.notes[0].location is not None and d.notes[0].location.line == 1
    assert found('ev(int x) "%d"\nev2(int x) "%d"\n', "trace-duplicate-event") == []


def test_duplicate_event_across_files(tmp_path: Path) -> None:
    a = tmp_path / "a-events"
    b = tmp_path / "b-events"
    c = tmp_path / "c-events"
    a.write_text('same(int x) "%d"\ndiffer(int x) "(%d)"\n')
    b.write_text('same(int x) "%d"\ndiffer(int x) "(%d("\n')
    c.write_text('unique(int x) "%d"\n')
    diagnostics, unreadable = lint_trace_files([str(a), str(b), str(c), str(a)])
    assert unreadable == []
    dups = [d for d in diagnostics if d.rule == "trace-duplicate-event"]
    assert [(d.location.path, d.location.line, d.severity) for d in dups] == [
        (str(b), 1, Severity.WARNING),
        (str(b), 2, Severity.WARNING),
    ]
    assert "identically" in dups[0].message
    assert "differently (format)" in dups[1].message
    assert dups[1].notes[0].location is not None
    assert dups[1].notes[0].location.path == str(a)


def test_duplicates_across_many_files_point_at_the_first(tmp_path: Path) -> None:
    """Every later file that redefines a name is reported once, against the
    first file that defined it, and says whether the copies agree."""
    paths = []
    for i in range(7):
        f = tmp_path / f"{i}-events"
        # Every file redefines 'shared' (a different format from the third on,
        # twice in the last file), has one event of its own, odd ones a bad format.
        fmt = '"%d"' if i < 3 else '"0x%x"'
        own = '"v=%d"' if i % 2 else '"v=%" PRIu64'
        again = f"shared(int x) {fmt}\n" if i == 6 else ""
        f.write_text(f"shared(int x) {fmt}\nown{i}(uint64_t v) {own}\n{again}")
        paths.append(str(f))
    paths.append(str(tmp_path / "missing"))
    diagnostics, unreadable = lint_trace_files(paths)
    assert unreadable == [str(tmp_path / "missing")]
    dups = [d for d in diagnostics if d.rule == "trace-duplicate-event"]
    across = [d for d in dups if d.severity is Severity.WARNING]
    assert [d.location.path for d in across] == paths[1:7]
    assert all(d.location.line == 1 for d in across)
    assert all(d.notes[0].location == Location(paths[0], 1, 1) for d in across)
    assert sum("differently (format)" in d.message for d in across) == 4
    # The second copy in the last file is the in-file rule's error, reported once.
    within = [d for d in dups if d.severity is Severity.ERROR]
    assert [(d.location.path, d.location.line) for d in within] == [(paths[6], 3)]


# -- printf checks -------------------------------------------------------------


def test_format_invalid() -> None:
    line = 'ev(int x) "x=%y"'
    assert found(line + "\n", "trace-format-invalid") == [(1, col(line, "%y"), "error")]
    line = 'ev(int x) "%d" TARGET_FMT_lx'
    assert found(line + "\n", "trace-format-invalid") == [(1, col(line, "TARGET"), "error")]
    assert found('ev(int x) "%d%%"\n', "trace-format-invalid") == []


def test_format_arg_count() -> None:
    line = 'ev(int a, int b, int c) "a=%d"'
    (d,) = [d for d in lint(line + "\n") if d.rule == "trace-format-arg-count"]
    assert d.location.column == col(line, "int b")
    assert "prints 1 of 3 arguments; not printed: 'b', 'c'" in d.message
    line = 'ev(int a) "a=%d b=%d"'
    assert found(line + "\n", "trace-format-arg-count") == [(1, col(line, "%d", 1), "error")]
    line = "ev(int a)"
    assert found(line + "\n", "trace-format-arg-count") == [(1, 4, "error")]
    assert found('ev(int w, const char *s, int e) "%*s %m %d"\n', "trace-format-arg-count") == []
    # an opaque macro may hold conversions: no count
    assert found('ev(int a, int b) "%d" FMT_X\n', "trace-format-arg-count") == []


def test_format_64bit() -> None:
    line = 'ev(uint64_t a, int64_t b, uint64_t c) "%x %ld 0x%llx"'
    assert found(line + "\n", "trace-format-64bit") == [
        (1, col(line, "%x"), "error"),
        (1, col(line, "%ld"), "warning"),
        (1, col(line, "%llx"), "warning"),
    ]
    assert found('ev(uint64_t a, int64_t b) "0x%" PRIx64 " %" PRId64\n', "trace-format-64bit") == []


def test_format_pri_width() -> None:
    line = (
        'ev(int a, uint64_t b, size_t c, uint32_t d) "%" PRId64 " %" PRIu32 " %" PRIu64 " %" PRIx16'
    )
    assert found(line + "\n", "trace-format-pri-width") == [
        (1, col(line, '%" PRId64'), "error"),
        (1, col(line, '%" PRIu32'), "error"),
        (1, col(line, '%" PRIu64'), "warning"),
        (1, col(line, '%" PRIx16'), "warning"),
    ]
    ok = 'ev(uint32_t a, uint8_t b, uint64_t c, uintptr_t d) "%" PRIu32 " %" PRIx32 " %" PRIx64 " %" PRIxPTR'
    assert found(ok + "\n", "trace-format-pri-width") == []


def test_format_int_size() -> None:
    line = 'ev(size_t a, uint32_t b, long c, long w, int v, size_t n) "%d %lu %d %*d %lu"'
    got = found(line + "\n", "trace-format-int-size")
    assert got == [
        (1, col(line, "%d"), "error"),
        (1, col(line, "%lu"), "error"),
        (1, col(line, "%d", 1), "error"),
        (1, col(line, "%*d"), "error"),
        (1, col(line, "%lu", 1), "warning"),
    ]
    messages = [d.message for d in lint(line + "\n") if d.rule == "trace-format-int-size"]
    assert "the '*' width of '%*d' takes an int but argument 'w' is long" in messages[3]
    assert "wrong size on LLP64 hosts" in messages[4]
    assert found('ev(size_t a, long b, int c) "%zu %ld %d"\n', "trace-format-int-size") == []


def test_format_string() -> None:
    line = 'ev(void *p, uint8_t *buf, int n) "%s %s %s"'
    got = found(line + "\n", "trace-format-string")
    assert got == [(1, col(line, "%s", i), "error") for i in range(3)]
    assert found('ev(char *name, const char *other) "%s %s"\n', "trace-format-string") == []


def test_format_pointer() -> None:
    line = 'ev(uint64_t addr, void *p) "%p %p"'
    assert found(line + "\n", "trace-format-pointer") == [(1, col(line, "%p"), "error")]
    assert found('ev(const char *s) "%p"\n', "trace-format-pointer") == []


def test_format_kind() -> None:
    line = 'ev(void *p, int x, void *w, int y) "0x%x %f %*d"'
    assert found(line + "\n", "trace-format-kind") == [
        (1, col(line, "%x"), "error"),
        (1, col(line, "%f"), "error"),
        (1, col(line, "%*d"), "error"),
    ]
    assert found('ev(void *p, int x) "%p %d"\n', "trace-format-kind") == []


def test_format_sign_extension() -> None:
    line = 'ev(char a, int8_t b, int16_t c, short d, char e) "0x%02x 0x%x %u %o 0x%hhx"'
    assert found(line + "\n", "trace-format-sign-extension") == [
        (1, col(line, "%02x"), "warning"),
        (1, col(line, "%x"), "warning"),
        (1, col(line, "%u"), "warning"),
        (1, col(line, "%o"), "warning"),
    ]
    ok = 'ev(uint8_t a, unsigned char b, char c, int8_t d, short e) "0x%x 0x%x %c %d 0x%hx"'
    assert found(ok + "\n", "trace-format-sign-extension") == []


def test_format_hex_prefix() -> None:
    line = 'ev(int a, int b, uint64_t c) "%#x, %x, %" PRIx64'
    assert found(line + "\n", "trace-format-hex-prefix") == [
        (1, col(line, "%#x"), "warning"),
        (1, col(line, "%x"), "warning"),
        (1, col(line, '%" PRIx64'), "warning"),
    ]
    ok = (
        "ev(int a, int b, int c, int d, int e, int f, uint64_t g) "
        '"0x%x %02x:%02x.%x mac 0x%02x-0x%02x 0x%" PRIx64'
    )
    assert found(ok + "\n", "trace-format-hex-prefix") == []
    # a space makes a group, a '-' does not (checkpatch's rule)
    assert found('ev(int a, uint64_t b) "%x %" PRIx64\n', "trace-format-hex-prefix") == []
    dashed = 'ev(int a, int b) "0x%02x-%02x"'
    assert found(dashed + "\n", "trace-format-hex-prefix") == [
        (1, col(dashed, "%02x", 1), "warning")
    ]


# -- the type rules only skip pairs that no rule would report ------------------

TYPES = [
    "int", "unsigned", "long", "unsigned long long", "char", "int8_t", "uint8_t", "int16_t",
    "short", "uint32_t", "int64_t", "uint64_t", "size_t", "ssize_t", "uintptr_t", "bool",
    "void *", "const char *", "char *", "uint8_t *", "hwaddr",
]  # fmt: skip
CONVERSIONS = [
    "%d", "%u", "%x", "%c", "%s", "%p", "%ld", "%lx", "%llu", "%zu", "%zd", "%hhx", "%hx",
    '%" PRIx64 "', '%" PRIu32 "', '%" PRIx8 "', '%" PRIxPTR "', "%f",
]  # fmt: skip
PAIR_RULES = [
    tr.format_64bit, tr.format_pri_width, tr.format_int_size, tr.format_string,
    tr.format_pointer, tr.format_kind, tr.format_sign_extension,
]  # fmt: skip


@pytest.mark.parametrize("shape", ["{}", "%*.*s {}"])
def test_plain_pairs_are_really_plain(shape: str) -> None:
    """Running the type rules over every pair finds nothing more than over suspects."""
    for type_text, conv in itertools.product(TYPES, CONVERSIONS):
        star = shape != "{}"
        extra = (TraceArg(type=type_text, name="w"), TraceArg(type="int", name="p"))
        extra += (TraceArg(type="const char *", name="s"),)
        event = TraceEvent(
            name="ev",
            args=(*(extra if star else ()), TraceArg(type=type_text, name="v")),
            format='"' + shape.format(conv) + '"',
        )
        ev = tr.prepare_event(EventLine.from_event(event))
        assert ev.paired, (type_text, conv)
        everything = ev._replace(suspects=ev.pairs())
        for r in PAIR_RULES:
            assert r.check is not None
            assert list(r.check([ev])) == list(r.check([everything])), (type_text, conv, r.id)


# -- spec events ---------------------------------------------------------------


def test_bundled_spec_events_lint_clean() -> None:
    result = load_spec(SEED_SPEC)
    assert result.spec is not None
    trace_ids = {r.id for r in tr.SPEC_RULES}
    assert [d for d in lint_spec(result.spec, catalogue=all_rules) if d.rule in trace_ids] == []


SPEC = """\
migspec: 1
machine: {name: toy, c: {enum: toy_state, prefix: TOY_}}
features:
  - {name: BASE, macro: TOY_BASE, bit: 0, mandatory: true}
states:
  - {name: OFF, value: 0, initial: true}
  - {name: ON, value: 1}
arcs:
  - {from: OFF, to: ON}
  - {from: ON, to: OFF}
trace:
  - file: hw/toy/trace-events
    section: toy.c
    events:
      - {name: toy_ok, args: [const char *name], format: '" (%s)"'}
      - {name: toy_bad, args: [char *name, uint64_t size], format: '" (%s) size %d\\n"'}
"""


def test_spec_events_are_checked_by_the_same_rules() -> None:
    result = load_spec_text(SPEC, "toy.yaml")
    assert result.spec is not None, result.diagnostics
    got = [
        (d.rule, d.location.path, d.location.line)
        for d in lint_spec(result.spec, catalogue=all_rules)
        if d.rule.startswith("trace-")
    ]
    # spec events have no columns: findings sit at the event's YAML location
    assert sorted(got) == [
        ("trace-format-64bit", "toy.yaml", 16),
        ("trace-format-newline", "toy.yaml", 16),
    ]
    disabled = lint_spec(result.spec, frozenset({"trace-format-64bit"}), catalogue=all_rules)
    assert "trace-format-64bit" not in {d.rule for d in disabled}


def test_rules_can_be_disabled_by_id() -> None:
    text = 'ev(uint64_t a) "%x"\n'
    assert {d.rule for d in lint(text)} == {"trace-format-64bit", "trace-format-hex-prefix"}
    kept = lint(text, frozenset({"trace-format-64bit"}))
    assert {d.rule for d in kept} == {"trace-format-hex-prefix"}


@given(st.lists(LINES, max_size=8))
def test_linting_never_raises_and_stays_located(lines: list[str]) -> None:
    for d in lint("\n".join(lines) + "\n"):
        assert d.location.path == "t"
        assert d.location.line >= 1


def test_odd_blanks_are_all_unprintable() -> None:
    """arg_type only searches a line for blanks other than the space when the
    line is not printable: that must skip no line the search would match."""
    import sys

    odd = [c for c in map(chr, range(sys.maxunicode + 1)) if tr.ODD_BLANK.match(c)]
    assert "\t" in odd and "\u00a0" in odd and " " not in odd
    assert not any(c.isprintable() for c in odd)


def test_a_path_with_a_nul_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    good = tmp_path / "trace-events"
    good.write_text('ev(int x) "%d"\n')
    diagnostics, unreadable = lint_trace_files(["a\0b", str(good)])
    assert unreadable == ["a\0b"]
    assert [(d.rule, d.location.path) for d in diagnostics] == [("input-unreadable", "a\0b")]


def test_one_missing_file_named_twice_is_reported_once(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    diagnostics, unreadable = lint_trace_files([str(missing), f"{tmp_path}/./missing"])
    assert unreadable == [str(missing)]
    assert [d.rule for d in diagnostics] == ["input-unreadable"]
