"""YAML is only ever read through the safe event parser.

A spec is data from a source tree; a constructing loader would run code
named by a tag (``!!python/object/apply:os.system``).  These tests grep the
package for every way PyYAML can construct objects, and load a spec whose
tags would leave a mark on disk if anything constructed them.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

from migspec.load.spec import load_spec

from .conftest import ROOT

EXT = ROOT / "ext"
SOURCES = sorted(EXT.rglob("*.py"))

# Every PyYAML entry point that builds Python objects, and every loader
# class that is not the safe one.
CONSTRUCTING = re.compile(
    r"\byaml\s*\.\s*(load|load_all|unsafe_load|unsafe_load_all|full_load|full_load_all"
    r"|safe_load|safe_load_all|compose|compose_all|add_constructor|add_multi_constructor)\b"
)
UNSAFE_LOADERS = re.compile(r"\b(C?Loader|C?UnsafeLoader|C?FullLoader|C?BaseLoader)\b")
LOADER_KEYWORD = re.compile(r"\bLoader\s*=")


def test_the_package_has_sources() -> None:
    assert len(SOURCES) > 40
    assert any(p.name == "yamlsrc.py" for p in SOURCES)


def code_lines(path: Path) -> list[tuple[int, str]]:
    """The file's lines with comments and string literals (docstrings) blanked."""
    lines = path.read_text().splitlines()
    keep = [list(line) for line in lines]
    with path.open("rb") as fh:
        for tok in tokenize.tokenize(fh.readline):
            if tok.type in (tokenize.COMMENT, tokenize.STRING):
                (r0, c0), (r1, c1) = tok.start, tok.end
                for row in range(r0, r1 + 1):
                    start = c0 if row == r0 else 0
                    end = c1 if row == r1 else len(keep[row - 1])
                    keep[row - 1][start:end] = " " * (end - start)
    return [(i, "".join(chars)) for i, chars in enumerate(keep, 1)]


def test_the_grep_sees_code_not_prose() -> None:
    path = EXT / "migspec" / "load" / "yamlsrc.py"
    assert "yaml.load" in path.read_text()  # in the module docstring
    assert not any("yaml.load" in line for _, line in code_lines(path))
    assert any("yaml.parse(text, Loader=_Loader)" in line for _, line in code_lines(path))


def test_no_constructing_yaml_call_anywhere() -> None:
    found = [
        f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
        for p in SOURCES
        for i, line in code_lines(p)
        if CONSTRUCTING.search(line) or UNSAFE_LOADERS.search(LOADER_KEYWORD.sub("", line))
    ]
    assert found == []


def test_the_only_loader_argument_is_the_safe_event_parser() -> None:
    uses = [
        (p, i, line.strip())
        for p in SOURCES
        for i, line in code_lines(p)
        if LOADER_KEYWORD.search(line)
    ]
    assert [(p.name, line) for p, _, line in uses] == [
        ("yamlsrc.py", "yaml.parse(text, Loader=_Loader)")
    ]
    # ... and _Loader is bound to the safe loaders only.
    tree = ast.parse((EXT / "migspec" / "load" / "yamlsrc.py").read_text())
    bound = {
        ast.unparse(node.value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Assign, ast.AnnAssign))
        and any(
            isinstance(t, ast.Name) and t.id == "_Loader"
            for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        )
        and node.value is not None
    }
    assert bound == {"yaml.CSafeLoader", "yaml.SafeLoader"}


def test_every_yaml_attribute_used_is_harmless() -> None:
    """Whatever the package touches in the yaml module: events, errors, the parser."""
    allowed = {
        "parse",
        "CSafeLoader",
        "SafeLoader",
        "Event",
        "ScalarEvent",
        "AliasEvent",
        "MappingStartEvent",
        "MappingEndEvent",
        "SequenceStartEvent",
        "SequenceEndEvent",
        "DocumentStartEvent",
        "DocumentEndEvent",
        "StreamStartEvent",
        "StreamEndEvent",
        "YAMLError",
        "MarkedYAMLError",
        # Writing YAML (no reading): dumping plain data is safe.
        "safe_dump",
        "SafeDumper",
        "CSafeDumper",
    }
    used = set()
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "yaml"
            ):
                used.add((path.name, node.attr))
    assert {attr for _, attr in used} <= allowed, sorted(used)


def test_a_spec_full_of_python_tags_constructs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "constructed"
    spec = tmp_path / "evil.yaml"
    spec.write_text(
        f"migspec: !!python/object/apply:os.system ['touch {marker}']\n"
        f"machine: !!python/object/new:pathlib.Path ['{marker}']\n"
        f"states: !!python/name:os.system\n"
    )
    result = load_spec(spec)
    assert result.spec is None
    assert [d.rule for d in result.diagnostics] == ["yaml-tag"]
    env = {**os.environ, "PYTHONPATH": str(EXT)}
    for args in (["lint"], ["check", "--source-root", str(tmp_path)], ["render", "trace-events"]):
        run = subprocess.run(
            [sys.executable, "-m", "migspec", *args, "--spec", str(spec)],
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert run.returncode == 1, (args, run.stderr)
        # (render keeps standard output for the artefact: errors go to stderr)
        assert "[yaml-tag]" in run.stdout + run.stderr
    assert not marker.exists()
