"""The loader: located diagnostics for bad YAML and bad specs, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from migspec.load.spec import load_spec, load_spec_text
from migspec.load.yamlsrc import Limits, parse_yaml

from .conftest import BUNDLED_SPEC

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
    result = load_spec(BUNDLED_SPEC)
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
    default = load_spec()
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
    from migspec.load.yamlsrc import to_plain

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
