"""``migspec diff OLD NEW``: golden reports, exit codes, specs from git revisions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import ROOT
from .render_support import env_without_dot, run_cli
from .review_support import GOLDEN, SEED_NEW, SEED_OLD, arcs_edited, seed_repo, write

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def test_seed_text_report_is_the_golden_file() -> None:
    result = run_cli("diff", SEED_OLD, SEED_NEW)
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    assert result.stdout == (GOLDEN / "seed.txt").read_text("utf-8")


def test_seed_to_master_report_is_the_golden_file() -> None:
    """What changed in QEMU's VFIO migration since the P2P patch (docs/review.rst)."""
    result = run_cli("diff", SEED_NEW, "spec/vfio-migration.yaml")
    assert result.returncode == 1, result.stderr
    assert result.stdout == (GOLDEN / "seed-to-master.txt").read_text("utf-8")
    for fact in (
        "  no request takes another path",
        "+                    .save_complete_precopy_thread() instead.",
        "  + callback load_state_buffer",
        "  + trace event vfio_save_complete_precopy_thread_start",
    ):
        assert fact in result.stdout


def test_seed_json_report_is_the_golden_file() -> None:
    result = run_cli("diff", SEED_OLD, SEED_NEW, "--format", "json")
    assert result.returncode == 1, result.stderr
    assert result.stdout == (GOLDEN / "seed.json").read_text("utf-8")


def test_json_has_exactly_the_documented_shape() -> None:
    data = json.loads((GOLDEN / "seed.json").read_text("utf-8"))
    assert list(data) == [
        "migspec_diff",
        "old",
        "new",
        "equivalent",
        "vocabulary",
        "arcs",
        "steps",
        "flows",
        "trace",
        "code",
        "other",
    ]
    assert list(data["steps"]) == ["kinds_compared", "kinds", "changes"]
    assert list(data["flows"]) == ["changes", "drawings"]
    assert list(data["flows"]["drawings"][0]) == ["flow", "kind", "features", "own", "unified"]
    assert list(data["code"][0]) == ["name", "title", "unified"]
    assert list(data["trace"][0]) == ["change", "what", "name", "details"]


def test_json_step_changes_say_old_and_new_paths(tmp_path: Path) -> None:
    edited = write(tmp_path, "arcs.yaml", arcs_edited())
    result = run_cli("diff", SEED_NEW, str(edited), "--format", "json")
    assert result.returncode == 1, result.stderr
    changes = json.loads(result.stdout)["steps"]["changes"]
    assert {
        "kind": "P2P",
        "source": "RESUMING",
        "target": "RUNNING",
        "old": {"outcome": "path", "path": ["RESUMING", "STOP", "RUNNING_P2P", "RUNNING"]},
        "new": {"outcome": "path", "path": ["RESUMING", "RUNNING"]},
    } in changes


def test_same_spec_exits_0() -> None:
    result = run_cli("diff", SEED_NEW, SEED_NEW)
    assert result.returncode == 0, result.stderr
    assert "The specs are equivalent" in result.stdout


def test_text_names_changed_paths(tmp_path: Path) -> None:
    edited = write(tmp_path, "arcs.yaml", arcs_edited())
    result = run_cli("diff", SEED_NEW, str(edited))
    assert result.returncode == 1
    assert (
        "  ~ RESUMING -> RUNNING: was RESUMING -> STOP -> RUNNING_P2P -> RUNNING, "
        "now RESUMING -> RUNNING\n"
    ) in result.stdout


def test_missing_spec_exits_2_with_a_located_diagnostic() -> None:
    result = run_cli("diff", "no/such.yaml", SEED_NEW)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("no/such.yaml: error: ")
    assert "[input-unreadable]" in result.stderr


def test_invalid_spec_exits_2_with_line_and_column(tmp_path: Path) -> None:
    text = (ROOT / SEED_NEW).read_text("utf-8").replace("    value: 2\n", "    value: two\n")
    bad = write(tmp_path, "bad.yaml", text)
    result = run_cli("diff", SEED_NEW, str(bad))
    assert result.returncode == 2
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t == "    value: two")
    assert f"{bad}:{line}:12: error: " in result.stderr, result.stderr


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    result = run_cli("diff", SEED_OLD, SEED_NEW, "-o", str(out))
    assert result.returncode == 1
    assert result.stdout == ""
    assert out.read_text("utf-8") == (GOLDEN / "seed.txt").read_text("utf-8")


def test_unwritable_output_exits_2(tmp_path: Path) -> None:
    blocker = write(tmp_path, "file", "")
    result = run_cli("diff", SEED_OLD, SEED_NEW, "-o", str(blocker / "report.txt"))
    assert result.returncode == 2
    assert "[write-failed]" in result.stderr


# -- git revisions --------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return seed_repo(tmp_path / "repo")


def _seed_golden_as(old: str, new: str) -> str:
    # Through placeholders: SEED_NEW is a part of some replacements.
    text = (GOLDEN / "seed.txt").read_text("utf-8")
    text = text.replace(SEED_OLD, "\0OLD\0").replace(SEED_NEW, "\0NEW\0")
    return text.replace("\0OLD\0", old).replace("\0NEW\0", new)


@needs_git
def test_git_revisions_of_the_usual_path(repo: Path) -> None:
    result = run_cli("diff", "git:HEAD~1", "git:HEAD", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert result.stdout == _seed_golden_as(
        "HEAD~1:spec/vfio-migration.yaml", "HEAD:spec/vfio-migration.yaml"
    )


@needs_git
def test_git_revision_with_a_path_from_a_subfolder(repo: Path) -> None:
    # REV:PATH is relative to the top of the repository, wherever we are.
    result = run_cli(
        "diff", "git:HEAD~1:spec/vfio-migration.yaml", "git:HEAD:docs/copy.yaml", cwd=repo / "docs"
    )
    assert result.returncode == 1, result.stderr
    assert result.stdout == _seed_golden_as(
        "HEAD~1:spec/vfio-migration.yaml", "HEAD:docs/copy.yaml"
    )
    same = run_cli("diff", "git:HEAD", "git:HEAD:docs/copy.yaml", cwd=repo)
    assert same.returncode == 0, same.stdout + same.stderr


@needs_git
def test_git_revision_against_the_working_tree(repo: Path) -> None:
    result = run_cli("diff", "git:HEAD", "spec/vfio-migration.yaml", cwd=repo)
    assert result.returncode == 2
    assert "spec/vfio-migration.yaml:1:1: error: " in result.stderr


@needs_git
def test_git_failures_exit_2(repo: Path, tmp_path: Path) -> None:
    result = run_cli("diff", "git:no-such-rev", "git:HEAD", cwd=repo)
    assert result.returncode == 2
    assert result.stderr.startswith("git:no-such-rev: error: ")
    assert "[diff-git]" in result.stderr
    missing = run_cli("diff", "git:HEAD:no/such.yaml", "git:HEAD", cwd=repo)
    assert missing.returncode == 2 and "[diff-git]" in missing.stderr
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    result = run_cli("diff", "git:HEAD", "git:HEAD", cwd=outside)
    assert result.returncode == 2 and "[diff-git]" in result.stderr


def test_html_without_graphviz_still_reports(tmp_path: Path) -> None:
    out = tmp_path / "diff.html"
    result = run_cli(
        "diff",
        SEED_OLD,
        SEED_NEW,
        "--format",
        "html",
        "-o",
        str(out),
        env=env_without_dot(tmp_path),
    )
    assert result.returncode == 1
    assert "migspec diff: warning: Graphviz 'dot' was not found on PATH" in result.stderr
    page = out.read_text("utf-8")
    assert "<svg" not in page
    assert page.count('class="md-side md-old"') == 8
    assert "no drawing (Graphviz <code>dot</code> is not available)" in page


def test_html_for_a_flow_only_one_spec_has(tmp_path: Path) -> None:
    renamed = write(
        tmp_path,
        "renamed.yaml",
        (ROOT / SEED_NEW).read_text("utf-8").replace("name: resume", "name: load"),
    )
    out = tmp_path / "diff.html"
    result = run_cli("diff", SEED_NEW, str(renamed), "--format", "html", "-o", str(out))
    assert result.returncode == 1, result.stderr
    page = out.read_text("utf-8")
    # "load" is new (nothing on its old side), "resume" is gone (nothing on its new side).
    assert page.count("no such flow in this spec") == 8
