"""``migspec render KIND``: the real command line in a child process."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .conftest import SEED_SPEC
from .render_support import env_without_dot, golden, run_cli

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")


def test_flow_rst_defaults_to_the_first_flow_projected() -> None:
    result = run_cli("render", "flow-rst", "--spec", str(SEED_SPEC))
    assert result.returncode == 0, result.stderr
    assert result.stdout == golden("flow-rst", "save.projected.rst")
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--flow", "resume"], "resume.projected.rst"),
        (["--flow", "resume", "--style", "bracketed"], "resume.bracketed.rst"),
        (["--style", "bracketed"], "save.bracketed.rst"),
        (["--features", "none"], "save.none.projected.rst"),
        (["--features", "all"], "save.projected.rst"),
        (["--features", "P2P,PRE_COPY"], "save.projected.rst"),
    ],
)
def test_flow_rst_options(args: list[str], expected: str) -> None:
    result = run_cli("render", "flow-rst", "--spec", str(SEED_SPEC), *args)
    assert result.returncode == 0, result.stderr
    assert result.stdout == golden("flow-rst", expected)


def test_trace_events_kind() -> None:
    result = run_cli("render", "trace-events", "--spec", str(SEED_SPEC))
    assert result.returncode == 0
    assert result.stdout.startswith("# migration.c\nvfio_load_cleanup(const char *name)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["flow-rst", "--flow", "nope"], "no flow 'nope'"),
        (["flow-rst", "--features", "P2Q"], "unknown feature(s) P2Q"),
        (["flow-svg", "--flow", "x"], "no flow 'x'"),
        (["pie-chart"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run_cli("render", *args)
    assert result.returncode == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_bad_spec_gives_located_diagnostics(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("migspec: 1\nmachine: {name: x, c: {enum: e, prefix: P_}}\nstates: []\n")
    result = run_cli("render", "c-enum", "--spec", str(bad))
    assert result.returncode == 1
    # Standard output is the artefact: the errors go to standard error.
    assert result.stdout == ""
    assert f"{bad}:" in result.stderr and "[schema-missing-key]" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_spec_exits_2(tmp_path: Path) -> None:
    result = run_cli("render", "c-enum", "--spec", str(tmp_path / "none.yaml"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr


def test_kernel_table_is_the_same_as_table_format_c() -> None:
    rendered = run_cli("render", "kernel-table")
    table = run_cli("table", "--format", "c")
    assert rendered.returncode == 0, rendered.stderr
    assert rendered.stdout == table.stdout
    assert "static const u8 vfio_from_fsm_table[" in rendered.stdout


@needs_dot
@pytest.mark.parametrize("kind", ["fsm-svg", "flow-svg"])
def test_svg_kinds(kind: str) -> None:
    result = run_cli("render", kind)
    assert result.returncode == 0, result.stderr
    assert "<svg" in result.stdout and result.stdout.rstrip().endswith("</svg>")


@pytest.mark.parametrize("kind", ["fsm-dot", "flow-dot"])
def test_dot_kinds_need_no_graphviz(kind: str, tmp_path: Path) -> None:
    result = run_cli("render", kind, env=env_without_dot(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("digraph ")


def test_fsm_options_reach_the_drawing() -> None:
    plain = run_cli("render", "fsm-dot").stdout
    refused = run_cli("render", "fsm-dot", "--show-refused").stdout
    kind = run_cli("render", "fsm-dot", "--features", "none").stdout
    assert "refused" not in plain.split("legend")[0] and '[label="refused"' in refused
    assert "RUNNING_P2P" in plain and "RUNNING_P2P" not in kind


def test_svg_without_dot_warns_and_prints_nothing(tmp_path: Path) -> None:
    env = env_without_dot(tmp_path)
    result = run_cli("render", "fsm-svg", env=env)
    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "warning" in result.stderr
    assert "dot" in result.stderr
    strict = run_cli("render", "fsm-svg", "--strict", env=env)
    assert strict.returncode == 1 and strict.stdout == ""
