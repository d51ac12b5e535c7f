"""The broken-spec corpus: each case runs through the library and the CLI.

``tests/cases/broken/<name>/spec.yaml`` is a small spec (mostly a copy of
``tests/specs/mirror-small.yaml``) with one defect, named on its first line;
``expected.txt`` lists the diagnostics it must produce, one ``rule-id
line[:col]`` a line, in output order.  The CLI is run in every output format;
each format is parsed back and must locate the same diagnostics, and the
exit code must be 2 for unreadable input, 1 when an error is found and 0
when only warnings are.  Each case runs once as a real subprocess (the
format rotates from case to case, so every format is run that way) and in
the other three formats through :func:`migspec.cli.main` in this process,
with standard output and error captured: the same code path without the
interpreter start-up that made this matrix most of the suite's time.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass

import pytest

from migspec.cli import main
from migspec.lint.spec import lint_spec
from migspec.load.spec import load_spec
from migspec.report import FORMATS
from migspec.rules import all_rules

from .conftest import ROOT

CASES_DIR = ROOT / "tests" / "cases" / "broken"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
UNREADABLE = {"input-unreadable", "input-encoding", "input-too-large"}


@dataclass(frozen=True, order=True)
class Expected:
    rule: str
    line: int
    column: int | None  # None: not written in expected.txt

    def matches(self, rule: str, line: int, column: int | None) -> bool:
        if (self.rule, self.line) != (rule, line):
            return False
        return self.column is None or column is None or self.column == column


def read_expected(case: str) -> list[Expected]:
    out = []
    text = (CASES_DIR / case / "expected.txt").read_text()
    for raw in text.splitlines():
        m = re.fullmatch(r"([a-z][a-z0-9-]*) (\d+)(?::(\d+))?", raw)
        assert m, f"{case}/expected.txt: bad line {raw!r}"
        out.append(Expected(m[1], int(m[2]), int(m[3]) if m[3] else None))
    return out


def expected_exit(expected: list[Expected]) -> int:
    severity = {r.id: r.severity.label for r in all_rules()}
    if any(e.rule in UNREADABLE for e in expected):
        return 2
    return 1 if any(severity[e.rule] == "error" for e in expected) else 0


def assert_same(
    expected: list[Expected], got: list[tuple[str, int, int | None]], where: str
) -> None:
    assert len(got) == len(expected), f"{where}: expected {expected}, got {got}"
    for e, g in zip(expected, got, strict=True):
        assert e.matches(*g), f"{where}: expected {expected}, got {got}"


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 30
    for case in CASES:
        assert (CASES_DIR / case / "spec.yaml").is_file()
        assert read_expected(case), f"{case}: a broken case must expect a diagnostic"


def test_corpus_covers_every_structural_and_load_rule() -> None:
    covered = {e.rule for case in CASES for e in read_expected(case)}
    wanted = {r.id for r in all_rules() if r.scope in ("load", "spec")}
    # Only a missing file or a directory makes input-unreadable; a case folder
    # always has its spec.yaml, and the size limit needs an 8 MiB file.
    wanted -= {"input-unreadable", "input-too-large"}
    from migspec.lint import spec_rules

    assert {r.id for r in spec_rules.RULES} <= covered
    assert wanted <= covered, sorted(wanted - covered)


@pytest.mark.parametrize("case", CASES)
def test_library(case: str) -> None:
    result = load_spec(CASES_DIR / case / "spec.yaml", display="spec.yaml")
    diagnostics = list(result.diagnostics)
    if result.spec is not None:
        diagnostics += lint_spec(result.spec, catalogue=all_rules)
    diagnostics.sort(key=lambda d: d.sort_key())
    assert all(d.location.path == "spec.yaml" for d in diagnostics)
    got = [(d.rule, d.location.line, d.location.column) for d in diagnostics]
    assert_same(read_expected(case), list(got), "library")


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"))
    return subprocess.run(
        [sys.executable, "-m", "migspec", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )


def run_cli_in_process(*args: str) -> subprocess.CompletedProcess[str]:
    """``migspec ARGS`` through :func:`migspec.cli.main`, output captured; cwd must be ROOT."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return subprocess.CompletedProcess(["migspec", *args], code, out.getvalue(), err.getvalue())


# The one format each case is run in as a real subprocess.
SUBPROCESS_FORMAT = {case: FORMATS[i % len(FORMATS)] for i, case in enumerate(CASES)}


_HUMAN = re.compile(
    r"(?P<path>[^:]+)(?::(?P<line>\d+))?(?::(?P<col>\d+))?: "
    r"(?P<sev>error|warning|note): (?P<msg>.*) \[(?P<rule>[a-z0-9-]+)\]"
)


def parse_output(fmt: str, out: str, path: str) -> list[tuple[str, int, int | None]]:
    """(rule, line, column) of each diagnostic, from any output format."""
    got: list[tuple[str, int, int | None]] = []
    if fmt == "human":
        for line in out.splitlines():
            m = _HUMAN.fullmatch(line)
            if m is None:
                assert re.match(r"[^:]+(:\d+)*: note: ", line), f"stray output line {line!r}"
                continue
            assert m["path"] == path
            got.append((m["rule"], int(m["line"] or 0), int(m["col"] or 0)))
    elif fmt == "json":
        for d in json.loads(out)["diagnostics"]:
            assert d["path"] == path
            got.append((d["rule"], d["line"], d["column"]))
    elif fmt == "sarif":
        (run,) = json.loads(out)["runs"]
        for r in run["results"]:
            physical = r["locations"][0]["physicalLocation"]
            assert physical["artifactLocation"]["uri"] == path
            region = physical.get("region", {})
            got.append((r["ruleId"], region.get("startLine", 0), region.get("startColumn", 0)))
    elif fmt == "gitlab":
        for issue in json.loads(out):
            assert issue["location"]["path"] == path
            # GitLab has no column, and line 0 ("the whole file") is written as 1.
            got.append((issue["check_name"], issue["location"]["lines"]["begin"], None))
    else:  # pragma: no cover - a new format needs a parser here
        raise AssertionError(fmt)
    return got


def test_every_case_runs_as_a_subprocess_in_some_format() -> None:
    assert set(SUBPROCESS_FORMAT) == set(CASES)
    assert set(SUBPROCESS_FORMAT.values()) == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("case", CASES)
def test_cli(case: str, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = f"tests/cases/broken/{case}/spec.yaml"
    if fmt == SUBPROCESS_FORMAT[case]:
        proc = run_cli("lint", "--spec", spec, "--format", fmt)
    else:
        monkeypatch.chdir(ROOT)
        proc = run_cli_in_process("lint", "--spec", spec, "--format", fmt)
    expected = read_expected(case)
    assert "Traceback" not in proc.stderr
    assert proc.returncode == expected_exit(expected), proc.stdout + proc.stderr
    got = parse_output(fmt, proc.stdout, spec)
    if fmt == "gitlab":
        expected = [Expected(e.rule, max(e.line, 1), None) for e in expected]
    assert_same(expected, got, f"--format {fmt}")
    if fmt == "human":
        # The summary goes to stderr so that stdout stays machine-readable.
        assert re.search(r"\d+ errors?, \d+ warnings?, \d+ notes?", proc.stderr)
