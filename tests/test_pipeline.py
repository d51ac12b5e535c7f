"""One pipeline for every front end: load -> lint -> stage.

A spec that lint rejects never becomes output, a rewrite or a check, and its
errors are reported identically by ``check``, ``update``, ``generate``,
``render``, ``lint`` and a real ``sphinx-build``.  The library functions are
tested directly too: they return diagnostics and an outcome, and print nothing.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from migspec import pipeline
from migspec.diagnostics import Policy, Severity

from .conftest import ROOT, SEED_SPEC
from .source_trees import BASE, TREES, build_tree
from .test_sphinx_basic import build
from .update_support import snapshot_tree

# (path, line, rule, message) of one error.
Error = tuple[str, int, str, str]

HUMAN = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+):\d+: error: (?P<msg>.*) \[(?P<rule>[a-z0-9-]+)\]$"
)
SPHINX = re.compile(
    r"^(?P<path>.+?):(?P<line>\d+): WARNING: (?P<msg>.*) \[migspec\.(?P<rule>[a-z0-9-]+)\]$"
)


def lint_rejected(tmp_path: Path) -> Path:
    """The bundled spec with the lookup told not to stop at the error state:
    it loads, and lint finds walks that never end (errors)."""
    spec = tmp_path / "lenient.yaml"
    text = SEED_SPEC.read_text()
    assert "stop_at_error: true" in text
    spec.write_text(text.replace("stop_at_error: true", "stop_at_error: false"))
    return spec.resolve()


def load_rejected(tmp_path: Path) -> Path:
    """A spec the loader rejects (a key with a typo): no model at all."""
    spec = tmp_path / "typo.yaml"
    text = SEED_SPEC.read_text()
    assert "\nstates:\n" in text
    spec.write_text(text.replace("\nstates:\n", "\nstaets:\n", 1))
    return spec.resolve()


BAD_SPECS = {"lint-rejected": lint_rejected, "load-rejected": load_rejected}


def migspec(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "migspec", *args],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "ext"), "PATH": "/usr/bin:/bin"},
        cwd=cwd,
        check=False,
    )


def errors_in(text: str, pattern: re.Pattern[str]) -> set[Error]:
    out = set()
    for line in text.splitlines():
        m = pattern.match(line)
        if m:
            out.add((m["path"], int(m["line"]), m["rule"], m["msg"]))
    return out


@pytest.mark.parametrize("bad", sorted(BAD_SPECS))
def test_every_command_reports_a_rejected_spec_identically(tmp_path: Path, bad: str) -> None:
    spec = str(BAD_SPECS[bad](tmp_path))
    linted = migspec("lint", "--spec", spec)
    assert linted.returncode == 1
    expected = errors_in(linted.stdout, HUMAN)
    assert expected and all(path == spec for path, *_ in expected)

    tree = build_tree(tmp_path / "tree", TREES / "drift-doc-tuple" / "drift.patch")
    before = snapshot_tree(tree)
    out = tmp_path / "out"
    runs = {
        "check": migspec("check", "--source-root", str(tree), "--spec", spec),
        "update --check": migspec("update", "--source-root", str(tree), "--spec", spec, "--check"),
        "update --diff": migspec("update", "--source-root", str(tree), "--spec", spec, "--diff"),
        "update --write": migspec("update", "--source-root", str(tree), "--spec", spec, "--write"),
        "generate": migspec("generate", "--spec", spec, "--out", str(out)),
        "render": migspec("render", "c-enum", "--spec", spec),
    }
    for name, done in runs.items():
        assert done.returncode == 1, (name, done.stderr)
        assert "Traceback" not in done.stderr, name
        assert errors_in(done.stdout + done.stderr, HUMAN) == expected, name
        # Nothing about the tree: the gate stopped the run before the stage.
        assert str(tree) not in done.stdout + done.stderr, name
    # Nothing was made or rewritten.
    assert runs["render"].stdout == ""
    assert runs["update --diff"].stdout == ""
    assert not out.exists()
    assert snapshot_tree(tree) == before
    # The same spec without the error goes through: the tree drifted, so
    # update has work to do (the gate, not the tree, stopped it above).
    assert migspec("update", "--source-root", str(tree), "--check").returncode == 1


@pytest.mark.slow
@pytest.mark.parametrize("bad", sorted(BAD_SPECS))
def test_sphinx_reports_a_rejected_spec_as_the_cli_does(tmp_path: Path, bad: str) -> None:
    spec = BAD_SPECS[bad](tmp_path)
    expected = errors_in(migspec("lint", "--spec", str(spec)).stdout, HUMAN)
    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "tests" / "sphinx" / "basic", docs)
    (docs / "typo.rst").unlink()
    conf = docs / "conf.py"
    conf.write_text(conf.read_text() + f'migspec_spec = "../{spec.name}"\n')
    result = build(docs, tmp_path / "html", "html", "--keep-going")
    assert result.returncode == 0, result.stderr  # warnings, not a crash
    # The spec's errors as CLI reports them; then, at each directive, that it stopped.
    assert {e for e in errors_in(result.stderr, SPHINX) if e[2] != "spec"} == expected
    # The directives rendered nothing from it, and said so where they stand.
    html = (tmp_path / "html" / "index.html").read_text()
    assert 'id="migspec-state-stop-copy"' not in html
    assert re.search(r"index\.rst:\d+: WARNING: migspec: the spec .* has errors", result.stderr)


@pytest.mark.slow
def test_sphinx_tree_check_stops_on_a_rejected_spec(tmp_path: Path) -> None:
    """With ``migspec_source_root``, Sphinx's check runs the same gate as ``migspec check``."""
    spec = lint_rejected(tmp_path)
    tree = build_tree(tmp_path / "tree", TREES / "drift-doc-tuple" / "drift.patch")
    docs = tree / "sphinxdocs"
    docs.mkdir()
    (docs / "conf.py").write_text(
        f'extensions = ["migspec.sphinxext"]\nmigspec_source_root = ".."\nmigspec_spec = "{spec}"\n'
    )
    (docs / "index.rst").write_text("Docs\n====\n\nNo directive here.\n")
    result = build(docs, tmp_path / "html", "html", "--keep-going")
    cli = migspec("check", "--source-root", str(tree), "--spec", str(spec))
    expected = errors_in(cli.stdout, HUMAN)
    assert expected
    assert errors_in(result.stderr, SPHINX) == expected
    assert "[migspec.check-docs-tuple]" not in result.stderr


# -- the library ------------------------------------------------------------------------


def test_prepare_gates_on_lint_errors_and_keeps_the_findings(tmp_path: Path) -> None:
    prepared = pipeline.prepare(lint_rejected(tmp_path))
    assert prepared.spec is None
    assert prepared.outcome is pipeline.Outcome.FINDINGS
    assert {d.rule for d in prepared.stopped} == {"fsm-walk-loop"}
    # lint's notes are findings (for `lint`), not reasons to stop.
    assert {d.rule for d in prepared.findings} == {"fsm-walk-loop", "fsm-flow-combination"}
    assert all(d.severity is Severity.ERROR for d in prepared.stopped)


def test_disabling_the_rule_lets_the_spec_through(tmp_path: Path) -> None:
    prepared = pipeline.prepare(
        lint_rejected(tmp_path), Policy(disabled=frozenset({"fsm-walk-loop"}))
    )
    assert prepared.spec is not None and prepared.stopped == ()
    assert prepared.outcome is pipeline.Outcome.CLEAN


def test_the_spec_can_disable_the_rule_itself(tmp_path: Path) -> None:
    spec = lint_rejected(tmp_path)
    spec.write_text(spec.read_text() + "lint:\n  disable: [fsm-walk-loop]\n")
    prepared = pipeline.prepare(spec)
    assert prepared.spec is not None
    assert "fsm-walk-loop" in prepared.policy.disabled


def test_a_spec_that_does_not_load_is_never_disabled_away(tmp_path: Path) -> None:
    policy = Policy(disabled=frozenset({"schema-unknown-key", "schema-missing-key"}))
    prepared = pipeline.prepare(load_rejected(tmp_path), policy)
    assert prepared.spec is None
    assert {d.rule for d in prepared.stopped} >= {"schema-unknown-key"}


def test_unreadable_spec(tmp_path: Path) -> None:
    prepared = pipeline.prepare(tmp_path / "missing.yaml")
    assert prepared.unreadable and prepared.outcome is pipeline.Outcome.UNREADABLE
    checked = pipeline.check(prepared, BASE)
    assert checked.outcome is pipeline.Outcome.UNREADABLE and checked.files == ()


def test_check_on_an_agreeing_tree(capsys: pytest.CaptureFixture[str]) -> None:
    assert pipeline.prepare().name == "spec/vfio-migration.yaml"
    prepared = pipeline.prepare(SEED_SPEC)
    checked = pipeline.check(prepared, BASE)
    assert checked.outcome is pipeline.Outcome.CLEAN
    assert [d.rule for d in checked.diagnostics] == ["check-transition-unregistered"]
    assert checked.files
    strict = pipeline.prepare(SEED_SPEC, policy=Policy(fail_on=Severity.NOTE))
    assert pipeline.check(strict, BASE).outcome is pipeline.Outcome.FINDINGS
    assert capsys.readouterr() == ("", "")


def test_plan_and_write_an_update(tmp_path: Path) -> None:
    tree = build_tree(tmp_path / "tree", TREES / "drift-doc-tuple" / "drift.patch")
    planned = pipeline.plan_update(pipeline.prepare(SEED_SPEC), tree)
    assert planned.changes and planned.outcome is pipeline.Outcome.CLEAN
    written = pipeline.write_update(planned)
    assert written.written == ("docs/devel/vfio-migration.rst",)
    assert not pipeline.plan_update(pipeline.prepare(SEED_SPEC), tree).changes


def test_stopped_stages_return_the_gate_errors(tmp_path: Path) -> None:
    prepared = pipeline.prepare(lint_rejected(tmp_path))
    planned = pipeline.plan_update(prepared, BASE)
    assert planned.plan is None and planned.diagnostics == prepared.stopped
    assert pipeline.write_update(planned).written == ()
    generated = pipeline.generate(prepared, tmp_path / "out")
    assert generated.report is None and generated.diagnostics == prepared.stopped
    assert not (tmp_path / "out").exists()
