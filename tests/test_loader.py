"""The loader: located diagnostics for bad YAML and bad specs, never a traceback."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from migspec.load import spec as spec_loader
from migspec.load import text as text_reader
from migspec.load import yamlsrc
from migspec.load.spec import load_spec, load_spec_text
from migspec.load.text import DEFAULT_LIMITS, Limits
from migspec.load.yamlsrc import parse_yaml, to_plain

from .conftest import BUNDLED_SPEC, SEED_SPEC

MINIMAL = """\
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
"""


def rules_at(text: str) -> list[tuple[str, int, int]]:
    result = load_spec_text(text, "t.yaml")
    return [(d.rule, d.location.line, d.location.column) for d in result.diagnostics]


def test_bundled_spec_loads_clean() -> None:
    result = load_spec(SEED_SPEC)
    assert result.diagnostics == []
    spec = result.spec
    assert spec is not None
    assert [s.name for s in spec.states_by_value] == [
        "ERROR",
        "STOP",
        "RUNNING",
        "STOP_COPY",
        "RESUMING",
        "RUNNING_P2P",
        "PRE_COPY",
        "PRE_COPY_P2P",
    ]
    assert spec.state("STOP_COPY").location.line > 0


def test_default_spec_is_the_bundled_one() -> None:
    default = load_spec()  # the bundled spec
    assert default.spec is not None
    assert default.text == BUNDLED_SPEC.read_text()


def test_minimal_spec_loads() -> None:
    result = load_spec_text(MINIMAL, "t.yaml")
    assert result.diagnostics == [], result.diagnostics
    assert result.spec is not None
    assert result.spec.state("ON").location.line == 7


def test_duplicate_key_points_at_both() -> None:
    text = MINIMAL.replace("  - {name: ON, value: 1}", "  - name: ON\n    value: 1\n    value: 2")
    result = load_spec_text(text, "t.yaml")
    (diag,) = result.diagnostics
    assert diag.rule == "yaml-duplicate-key"
    assert (diag.location.line, diag.location.column) == (9, 5)
    assert diag.notes[0].location is not None and diag.notes[0].location.line == 8


def test_unknown_key_did_you_mean() -> None:
    text = MINIMAL.replace("{name: ON, value: 1}", "{name: ON, vaule: 1, value: 1}")
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert diag.rule == "schema-unknown-key"
    assert "did you mean 'value'" in diag.message
    assert (diag.location.line, diag.location.column) == (7, 16)


def test_wrong_type_located_at_value() -> None:
    text = MINIMAL.replace("{name: ON, value: 1}", "{name: ON, value: one}")
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert diag.rule == "schema-invalid"
    assert "states[1].value must be an integer, not a string" in diag.message
    assert diag.location.line == 7


def test_dangling_reference_did_you_mean() -> None:
    text = MINIMAL.replace("{from: ON, to: OFF}", "{from: ON, to: OF}")
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert diag.rule == "ref-unknown"
    assert "did you mean 'OFF'" in diag.message
    assert diag.location.line == 10


def test_missing_version() -> None:
    assert rules_at("machine: {}\n") == [("schema-version", 1, 1)]
    assert rules_at("migspec: 2\n")[0][0] == "schema-version"


def test_billion_laughs_fails_fast() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 10)}]")
    doc = parse_yaml("\n".join(lines) + "\n", "bomb.yaml")
    assert doc.root is None
    assert [d.rule for d in doc.diagnostics] == ["yaml-limits"]


def test_deep_nesting_is_bounded() -> None:
    doc = parse_yaml("[" * 5000 + "]" * 5000, "deep.yaml")
    assert [d.rule for d in doc.diagnostics] == ["yaml-limits"]


def test_python_tags_are_refused() -> None:
    doc = parse_yaml("a: !!python/object/apply:os.system ['true']\n", "tag.yaml")
    assert [d.rule for d in doc.diagnostics] == ["yaml-tag"]
    assert doc.diagnostics[0].location.line == 1


def test_syntax_error_located() -> None:
    assert rules_at("migspec: 1\nstates: [a, b\n") == [("yaml-syntax", 3, 1)]


def test_empty_and_multi_document() -> None:
    assert rules_at("")[0][0] == "yaml-documents"
    assert rules_at("a: 1\n---\nb: 2\n")[0][0] == "yaml-documents"


def test_core_schema_keeps_yes_no_as_strings() -> None:
    doc = parse_yaml("[yes, no, on, off, true, 0x10, 010, ~]\n", "s.yaml")
    assert doc.root is not None
    assert to_plain(doc.root) == ["yes", "no", "on", "off", True, 16, 10, None]


@pytest.mark.parametrize(
    ("data", "line", "col"),
    [(b"migspec: 1\n\xff\xfe", 2, 1), (b"a: 1\nb: \x00\n", 2, 4), (b"\xff\xfea\x00", 1, 1)],
)
def test_binary_input_one_error(tmp_path: Path, data: bytes, line: int, col: int) -> None:
    path = tmp_path / "bin.yaml"
    path.write_bytes(data)
    result = load_spec(path)
    assert [(d.rule, d.location.line, d.location.column) for d in result.diagnostics] == [
        ("input-encoding", line, col)
    ]


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 2000 + "\n")
    result = load_spec(path, limits=Limits(max_bytes=1000))
    assert [d.rule for d in result.diagnostics] == ["input-too-large"]


def test_bom_and_crlf_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "crlf.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + MINIMAL.replace("\n", "\r\n").encode())
    result = load_spec(path)
    assert result.diagnostics == []
    assert result.spec is not None and result.spec.state("ON").location.line == 7


def test_a_bad_byte_after_a_bom_is_located_where_it_is(tmp_path: Path) -> None:
    # The utf-8-sig codec counted error offsets from after the BOM: 1:12 here.
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbfmigspec: 1\n\xff\n")
    (d,) = load_spec(path).diagnostics
    assert (d.rule, d.location.line, d.location.column) == ("input-encoding", 2, 1)
    # On the BOM's own line, columns count from after it, as an editor shows them.
    path.write_bytes(b"\xef\xbb\xbfab\xff\n")
    (d,) = load_spec(path).diagnostics
    assert (d.location.line, d.location.column) == (1, 3)


def test_a_linted_spec_still_pickles_and_copies() -> None:
    """What lint derives is cached on the spec (Spec.derived), and some of it
    cannot be pickled: it is not part of the value."""
    import copy
    import pickle

    from migspec.lint.spec import lint_spec
    from migspec.rules import all_rules

    spec = load_spec(SEED_SPEC).spec
    assert spec is not None
    lint_spec(spec, catalogue=all_rules)
    assert "_derived" in spec.__dict__
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and "_derived" not in again.__dict__
    assert copy.deepcopy(spec) == spec
    assert lint_spec(again, catalogue=all_rules) == lint_spec(spec, catalogue=all_rules)


# -- every declared load rule: one input that triggers it, one near miss that does not --


@dataclass(frozen=True)
class LoadCase:
    rule: str
    data: bytes
    at: bytes | tuple[int, int] = (0, 0)  # the first occurrence of these bytes, or (line, col)
    limits: Limits = DEFAULT_LIMITS
    where: str = "file"  # "file", "dir" (a directory), "fifo" or "missing" (no such path)

    def location(self) -> tuple[int, int]:
        if isinstance(self.at, tuple):
            return self.at
        return position(self.data, self.at)


def position(data: bytes | str, token: bytes | str) -> tuple[int, int]:
    """1-based line and column of the first ``token`` in ``data``."""
    raw = data.encode() if isinstance(data, str) else data
    needle = token.encode() if isinstance(token, str) else token
    offset = raw.index(needle)
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


def _spec(extra: str = "", *edits: tuple[str, str]) -> bytes:
    text = MINIMAL
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    return (text + extra).encode()


def _nested(depth: int) -> str:
    return "doc: " + "[" * depth + "]" * depth + "\n"


_ALIAS = "x: &a [1, 2]\ny: [*a, *a, *a]\n"

LOAD_POSITIVE = [
    LoadCase("input-unreadable", b"", where="missing"),
    LoadCase("input-unreadable", b"", where="dir"),
    # A FIFO is refused by name, never opened (opening it would block).
    LoadCase("input-unreadable", b"", where="fifo"),
    LoadCase("input-encoding", b"migspec: 1\nmachine: {name: caf\xe9}\n", b"\xe9"),
    LoadCase("input-too-large", _spec(), limits=Limits(max_bytes=100)),
    # Found at the end of the file (line 11); a note points back at the "{".
    LoadCase("yaml-syntax", _spec("", ("{from: ON, to: OFF}", "{from: ON, to: OFF")), (11, 1)),
    # The root mapping and 63 lists make 64 levels: the 64th "[" is one too many.
    LoadCase("yaml-limits", _spec(_nested(70)), (11, 6 + 63), limits=Limits(max_depth=64)),
    # The spec is 54 nodes; the second expansion of *a crosses 60.
    LoadCase("yaml-limits", _spec(_ALIAS), b"*a, *a]", limits=Limits(max_nodes=60)),
    LoadCase("yaml-tag", _spec("", ("value: 1}", "value: !!python/int 1}")), b"!!python"),
    LoadCase(
        "yaml-duplicate-key",
        _spec("", ("{name: ON, value: 1}", "{name: ON, value: 1, name: ON2}")),
        b"name: ON2",
    ),
    LoadCase(
        "yaml-key-type", _spec("", ("{name: ON, value: 1}", "{name: ON, value: 1, ~: x}")), b"~"
    ),
    LoadCase("yaml-documents", b"", (1, 1)),
    LoadCase("yaml-documents", _spec("---\nmigspec: 1\n"), b"---"),
    LoadCase("schema-version", _spec("", ("migspec: 1", "migspec: 2")), b"2"),
    LoadCase(
        "schema-unknown-key",
        _spec("", ("{name: ON, value: 1}", "{name: ON, value: 1, inital: true}")),
        b"inital",
    ),
    LoadCase(
        "schema-missing-key", _spec("", ("{name: ON, value: 1}", "{name: ON}")), b"{name: ON}"
    ),
    LoadCase("schema-invalid", _spec("", ("{name: ON, value: 1}", "{name: ON, value: -1}")), b"-1"),
    LoadCase("ref-unknown", _spec("", ("{from: OFF, to: ON}", "{from: OF, to: ON}")), b"OF,"),
    LoadCase("spec-limits", _spec(), b"{name: ON", limits=Limits(max_states=1)),
    LoadCase(
        "spec-path-invalid",
        _spec("", ("prefix: TOY_}", 'prefix: TOY_, header: "toy\\0.h"}')),
        b'"toy',
    ),
]

LOAD_NEGATIVE = [
    LoadCase("input-unreadable", _spec()),
    # UTF-8 with a byte order mark and non-ASCII text is fine.
    LoadCase(
        "input-encoding",
        b"\xef\xbb\xbf" + _spec("", ("name: toy,", "name: toy, title: caf\xc3\xa9 \xe2\x86\x92,")),
    ),
    LoadCase("input-too-large", _spec(), limits=Limits(max_bytes=len(_spec()))),
    # Colons and hashes inside quotes are text, not syntax.
    LoadCase("yaml-syntax", _spec("", ("name: toy,", "name: toy, title: 'a: b # c',"))),
    LoadCase("yaml-limits", _spec(_nested(60)), limits=Limits(max_depth=64)),
    LoadCase("yaml-limits", _spec(_ALIAS), limits=Limits(max_nodes=200)),
    # Standard tags are plain data.
    LoadCase("yaml-tag", _spec("", ("value: 1}", "value: !!int 1, doc: !!str 5}"))),
    # The same key in sibling mappings is not a duplicate.
    LoadCase("yaml-duplicate-key", _spec()),
    # Integer keys are allowed (registration argument indexes).
    LoadCase(
        "yaml-key-type",
        _spec(
            "callbacks: [{name: cb}]\ncode:\n  registrations:\n    - {function: reg, args: {1: cb}}\n"
        ),
    ),
    # One document with explicit start and end markers.
    LoadCase("yaml-documents", b"---\n" + _spec() + b"...\n"),
    LoadCase("schema-version", _spec()),
    LoadCase("schema-unknown-key", SEED_SPEC.read_bytes()),
    LoadCase("schema-missing-key", _spec()),
    LoadCase("schema-invalid", _spec("", ("value: 1}", "value: 2147483647}"))),
    # Every name MINIMAL refers to is defined.
    LoadCase("ref-unknown", _spec()),
    LoadCase("spec-limits", _spec(), limits=Limits(max_states=2, max_optional_features=0)),
    # A long path of short names is a path.
    LoadCase(
        "spec-path-invalid",
        _spec("", ("prefix: TOY_}", f"prefix: TOY_, header: {'/'.join(['d' * 255] * 15)}}}")),
    ),
]


def _load(case: LoadCase, tmp_path: Path) -> list[tuple[str, int, int]]:
    path = tmp_path / "spec.yaml"
    if case.where == "dir":
        path.mkdir()
    elif case.where == "fifo":
        os.mkfifo(path)
    elif case.where == "file":
        path.write_bytes(case.data)
    result = load_spec(path, display="spec.yaml", limits=case.limits)
    assert all(d.location.path == "spec.yaml" for d in result.diagnostics)
    return [(d.rule, d.location.line, d.location.column) for d in result.diagnostics]


@pytest.mark.parametrize("case", LOAD_POSITIVE, ids=lambda c: c.rule)
def test_load_rule_fires(case: LoadCase, tmp_path: Path) -> None:
    assert _load(case, tmp_path) == [(case.rule, *case.location())]


@pytest.mark.parametrize("case", LOAD_NEGATIVE, ids=lambda c: c.rule)
def test_load_rule_quiet_on_near_miss(case: LoadCase, tmp_path: Path) -> None:
    assert case.rule not in [rule for rule, _, _ in _load(case, tmp_path)]


def test_every_load_rule_has_a_positive_and_a_negative_case() -> None:
    declared = {r.id for r in (*text_reader.RULES, *yamlsrc.RULES, *spec_loader.RULES)}
    assert declared == {c.rule for c in LOAD_POSITIVE}
    assert declared == {c.rule for c in LOAD_NEGATIVE}


def test_load_rules_are_documented() -> None:
    for r in (*text_reader.RULES, *yamlsrc.RULES, *spec_loader.RULES):
        assert r.scope == "load"
        assert r.summary.endswith("."), r.id
        assert r.check is None  # reported by the loader itself


def test_forward_references_resolve() -> None:
    moved = (
        "migspec: 1\n"
        "arcs:\n  - {from: OFF, to: ON}\n  - {from: ON, to: OFF}\n"
        "machine: {name: toy, c: {enum: toy_state, prefix: TOY_}}\n"
        "features:\n  - {name: BASE, macro: TOY_BASE, bit: 0, mandatory: true}\n"
        "states:\n  - {name: OFF, value: 0, initial: true}\n  - {name: ON, value: 1}\n"
    )
    assert load_spec_text(moved, "t.yaml").diagnostics == []


# -- regressions: each of these was wrong before ---------------------------------------


@pytest.mark.parametrize("version", ["true", "1.0", "'1'", "[1]"])
def test_version_must_be_the_integer_one(version: str) -> None:
    text = MINIMAL.replace("migspec: 1", f"migspec: {version}")
    assert rules_at(text) == [("schema-version", 1, 10)]


def test_integer_and_string_keys_collide() -> None:
    # to_plain() would silently keep only one of them.
    text = MINIMAL + "callbacks: [{name: a}, {name: b}]\ncode:\n  registrations:\n"
    text += "    - {function: reg, args: {1: a, '1': b}}\n"
    assert rules_at(text) == [("yaml-duplicate-key", *position(text, "'1'"))]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("!!int 0x10", 16),
        ("!!float 1", 1.0),
        ("!!bool true", True),
        ("!!null ~", None),
        ("!!str 12", "12"),
    ],
)
def test_standard_tags_resolve(value: str, expected: object) -> None:
    doc = parse_yaml(f"a: {value}\n", "t.yaml")
    assert doc.diagnostics == []
    assert doc.root is not None and to_plain(doc.root) == {"a": expected}


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("!!int four", "yaml-syntax"),
        ("!!bool yes", "yaml-syntax"),
        ("!!null x", "yaml-syntax"),
        ("!!map x", "yaml-tag"),
        ("!!seq {a: 1}", "yaml-tag"),
    ],
)
def test_tag_must_fit_its_value(value: str, rule: str) -> None:
    doc = parse_yaml(f"a: {value}\n", "t.yaml")
    assert [(d.rule, d.location.line, d.location.column) for d in doc.diagnostics] == [(rule, 1, 4)]


def test_typo_in_a_text_line_mapping_offers_the_key() -> None:
    text = MINIMAL + (
        "flows:\n  - name: f\n    title: T\n    steps:\n"
        "      - state: [A, B, ON]\n        text: [{text: hi, feature: [BASE]}]\n"
    )
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert diag.rule == "schema-unknown-key"
    assert "did you mean 'features'?" in diag.message
    assert (diag.location.line, diag.location.column) == (16, 27)


def test_one_of_with_no_fitting_branch_names_every_type() -> None:
    text = MINIMAL.replace("{name: ON, value: 1}", "{name: ON, value: 1, stand_in: 5}")
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert diag.message == "states[1].stand_in must be a string or a mapping, not an integer"


def test_bad_mapping_key_is_located_at_the_key() -> None:
    text = MINIMAL + "callbacks: [{name: a}]\ncode:\n  registrations:\n"
    text += "    - {function: reg, args: {first: a}}\n"
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert diag.rule == "schema-invalid"
    assert "key 'first' is not an argument index" in diag.message
    assert (diag.location.line, diag.location.column) == position(text, "first")


def test_repeated_item_is_located_at_the_repeat() -> None:
    text = MINIMAL.replace("{name: ON, value: 1}", "{name: ON, value: 1, features: [BASE, BASE]}")
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert diag.message == "states[1].features lists 'BASE' twice"
    assert (diag.location.line, diag.location.column) == position(text, "BASE]}")


def test_merge_key_is_explained() -> None:
    text = MINIMAL.replace(
        "  - {name: ON, value: 1}",
        "  - &on {name: ON, value: 1}\n  - {<<: *on, name: ON2, value: 2}",
    )
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert "merge keys are not supported" in diag.message
    assert (diag.location.line, diag.location.column) == (8, 6)


def test_tab_indentation_is_explained() -> None:
    (diag,) = load_spec_text(
        MINIMAL.replace("  - {name: ON", "\t- {name: ON"), "t.yaml"
    ).diagnostics
    assert diag.rule == "yaml-syntax"
    assert diag.message.endswith("indent YAML with spaces, not tabs")


def test_unclosed_quote_points_back_at_its_start() -> None:
    text = MINIMAL.replace("{name: ON, value: 1}", "{name: 'ON, value: 1}")
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert (diag.rule, diag.location.line) == ("yaml-syntax", 11)
    (note,) = diag.notes
    assert note.message == "a quoted scalar starts here"
    assert note.location is not None
    assert (note.location.line, note.location.column) == position(text, "'ON")


def test_state_value_fits_a_c_int() -> None:
    text = MINIMAL.replace("{name: ON, value: 1}", "{name: ON, value: 2147483648}")
    assert rules_at(text) == [("schema-invalid", 7, 23)]


def test_predicate_subject_is_required() -> None:
    # There is no sensible default: it is the C expression the predicate tests.
    text = MINIMAL + "classes: [{name: on}]\ncode:\n  predicates:\n"
    text += "    - {function: is_on, file: toy.c, class: on}\n"
    assert rules_at(text) == [("schema-missing-key", 14, 7)]


def test_kernel_header_defaults_to_the_machine_header() -> None:
    text = MINIMAL.replace("prefix: TOY_}", "prefix: TOY_, header: include/toy.h}")
    text += "code:\n  kernel: {file: toy.c, function: next, next_table: t, flags_table: f}\n"
    result = load_spec_text(text, "t.yaml")
    assert result.spec is not None and result.spec.code.kernel is not None
    assert result.spec.code.kernel.header == "include/toy.h"


def test_lint_disable_entries_keep_their_location() -> None:
    result = load_spec_text(MINIMAL + "lint:\n  disable: [arc-session, duplicate-name]\n", "t.yaml")
    assert result.spec is not None
    assert result.spec.disabled_rules == {"arc-session", "duplicate-name"}
    assert [(s.rule, s.location.line, s.location.column) for s in result.spec.suppressions] == [
        ("arc-session", 12, 13),
        ("duplicate-name", 12, 26),
    ]


def test_void_trace_argument_is_explained() -> None:
    text = (
        MINIMAL
        + "trace:\n  - {file: t, section: s, events: [{name: e, args: [void], format: '\"\"'}]}\n"
    )
    (diag,) = load_spec_text(text, "t.yaml").diagnostics
    assert diag.message == "trace argument 'void' is not 'type name'; write 'args: []' for none"


def test_absurdly_long_numbers_are_a_located_error() -> None:
    """Python refuses int() of more than 4300 digits: that must not escape as a ValueError."""
    for text, column in (
        ("migspec: " + "9" * 5000 + "\n", 10),
        ("a: !!float " + "9" * 5000 + "\n", 4),
        ("a: 0x" + "f" * 5000 + "\n", 4),
        ("? " + "1" * 5000 + "\n: x\n", 3),
    ):
        doc = parse_yaml(text, "n.yaml")
        assert doc.root is None
        assert [(d.rule, d.location.line, d.location.column) for d in doc.diagnostics] == [
            ("yaml-limits", 1, column)
        ]
    # Quoted, it is a string; 100 digits are still a number.
    assert rules_at("migspec: '" + "9" * 5000 + "'\n") == [("schema-version", 1, 10)]
    assert rules_at("migspec: " + "9" * 100 + "\n") == [("schema-version", 1, 10)]


def test_states_and_optional_features_are_bounded() -> None:
    """Lint walks 2 ** optional features device kinds and every pair of states: both capped."""
    states = "".join(f"  - {{name: S{i}, value: {i + 2}}}\n" for i in range(62))
    at_limit = MINIMAL.replace("arcs:", states.rstrip("\n") + "\narcs:")
    assert rules_at(at_limit) == []  # 64 states
    over = at_limit.replace("arcs:", "  - {name: S62, value: 64}\narcs:")
    assert rules_at(over) == [("spec-limits", 6 + 64, 5)]
    optional = "".join(f"  - {{name: F{i}, macro: TOY_F{i}, bit: {i + 1}}}\n" for i in range(6))
    six = MINIMAL.replace("states:", optional + "states:")
    assert load_spec_text(six, "t.yaml").spec is not None
    seven = MINIMAL.replace(
        "states:", optional + "  - {name: F6, macro: TOY_F6, bit: 7, mandatory: false}\nstates:"
    )
    assert rules_at(seven) == [("spec-limits", 11, 5)]


def test_yaml_11_line_breaks_are_refused_where_they_are() -> None:
    """libyaml breaks lines at NEL, U+2028 and U+2029; editors do not: no shifted lines."""
    for char in ("\x85", "\u2028", "\u2029"):
        text = f"migspec: 1\nmachine:\n  name: a{char}b\n  bogus: 1\n"
        assert rules_at(text) == [("yaml-syntax", 3, 10)]
    # Escaped in a double-quoted string, it is plain text.
    assert rules_at('migspec: 1\nmachine: {name: toy, title: "a\\u2028b"}\n')[0][0] != "yaml-syntax"


def test_an_error_at_the_end_of_a_file_without_newline_is_inside_it() -> None:
    """libyaml puts the end of the stream on the line after the last: clamp it to the file."""
    assert rules_at("migspec: 1\nstates: [a, b") == [("yaml-syntax", 2, 14)]
    assert rules_at("migspec: 1\nstates: [a, b\n") == [("yaml-syntax", 3, 1)]


def test_an_empty_document_is_located_inside_the_file() -> None:
    """'---' alone: libyaml puts its empty value on the line after the last (fuzzing)."""
    assert rules_at("---") == [("schema-invalid", 1, 4)]
    assert rules_at("---\n# only a comment") == [("schema-invalid", 2, 17)]
