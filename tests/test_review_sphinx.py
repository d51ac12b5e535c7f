"""``.. migspec:diff:: OLD NEW`` in a real sphinx-build (HTML and text, -W)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .review_support import SEED_NEW, SEED_OLD, seed_repo

HERE = Path(__file__).parent / "sphinx"

pytestmark = pytest.mark.slow


def build(src: Path, out: Path, builder: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-b", builder, str(src), str(out)],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "ext"), "PATH": "/usr/bin:/bin"},
        check=False,
        timeout=300,
    )


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """The test root, with the two seed specs beside conf.py as index.rst names them."""
    root = tmp_path / "diff"
    shutil.copytree(HERE / "diff", root)
    shutil.copy(ROOT / SEED_OLD, root / "before.yaml")
    shutil.copy(ROOT / SEED_NEW, root / "after.yaml")
    return root


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")
def test_html_embeds_the_report(root: Path, tmp_path: Path) -> None:
    result = build(root, tmp_path / "html", "html")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "html" / "index.html").read_text("utf-8")
    # The report's body fragment: its own scoped CSS, no second <html>/<head>.
    assert html.count('<div class="migspec-diff" id="migspec-diff-0">') == 1
    assert html.count("<html") == 1 and "Content-Security-Policy" not in html
    assert "old <code>before.yaml</code> &rarr; new <code>after.yaml</code>" in html
    # Both sides of the changed flows, drawn.
    assert html.count('class="md-side md-old"') == 8
    assert html.count("<svg") >= 1 + 16
    # The text builder's sections are not in HTML.
    assert "Spec changes: before.yaml -&gt; after.yaml" not in html


def test_text_builder_gets_sections_with_unified_diffs(root: Path, tmp_path: Path) -> None:
    result = build(root, tmp_path / "text", "text")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "text" / "index.txt").read_text("utf-8")
    titles = [
        "Spec changes: before.yaml -> after.yaml",
        "States, features, groups and classes",
        "Arcs and refused arcs",
        "Next steps per device kind",
        "Flows",
        "Trace events",
        "C artefacts",
        "Other spec wiring",
    ]
    positions = [text.index(f"\n{t}\n") for t in titles]
    assert positions == sorted(positions)
    assert "   +    case VFIO_DEVICE_STATE_RUNNING_P2P:\n" in text
    assert "   --- before.yaml: save, device with P2P+PRE_COPY\n" in text
    assert "* + trace event vfio_vmstate_change_prepare" in text
    assert "<svg" not in text and "migspec-diff" not in text


def test_unreadable_spec_warns_at_the_directive(root: Path, tmp_path: Path) -> None:
    (root / "before.yaml").unlink()
    result = build(root, tmp_path / "text", "text")
    assert result.returncode != 0
    assert "index.rst:6: WARNING: migspec:diff: cannot read the spec 'before.yaml'" in result.stderr
    # A missing file has no line: placed at the directive that names it, not at line 0.
    assert "index.rst:6: WARNING: before.yaml: no such file [input-unreadable]" in result.stderr
    assert ":0:" not in result.stderr


def test_specs_are_dependencies(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "text"
    assert build(root, out, "text").returncode == 0
    after = root / "after.yaml"
    after.write_text(
        after.read_text("utf-8").replace("connector_column: 38", "connector_column: 36")
    )
    result = build(root, out, "text")
    assert result.returncode == 0, result.stderr
    assert "connector_column: 34 -> 36" in (out / "index.txt").read_text("utf-8")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_revisions_from_the_repository_of_conf_py(tmp_path: Path) -> None:
    repo = seed_repo(tmp_path / "repo")
    docs = repo / "docs"
    shutil.copy(HERE / "diff" / "conf.py", docs / "conf.py")
    (docs / "index.rst").write_text(
        "Review\n======\n\n.. migspec:diff:: git:HEAD~1 git:HEAD:docs/copy.yaml\n", "utf-8"
    )
    result = build(docs, tmp_path / "text", "text")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "text" / "index.txt").read_text("utf-8")
    assert "Spec changes: HEAD~1:spec/vfio-migration.yaml -> HEAD:docs/copy.yaml" in text
    assert "connector_column: 34 -> 38" in text
