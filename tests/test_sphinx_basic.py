"""Real sphinx-build runs on small test roots: tables, state links, role warnings."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent / "sphinx"


def build(
    src: Path, out: Path, builder: str = "html", *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-b", builder, *extra, str(src), str(out)],
        capture_output=True,
        text=True,
    )


@pytest.fixture
def basic(tmp_path: Path) -> Path:
    root = tmp_path / "basic"
    shutil.copytree(HERE / "basic", root)
    return root


def test_states_table_and_links(basic: Path, tmp_path: Path) -> None:
    (basic / "typo.rst").unlink()
    result = build(basic, tmp_path / "html", "html", "-W")
    assert result.returncode == 0, result.stderr
    html = (tmp_path / "html" / "index.html").read_text()
    assert 'id="migspec-state-stop-copy"' in html
    assert 'href="#migspec-state-stop-copy"' in html
    assert "vfio_vmstate_change_prepare" in html


def test_unknown_state_warns_at_rst_line(basic: Path, tmp_path: Path) -> None:
    result = build(basic, tmp_path / "html", "html", "-W")
    assert result.returncode != 0
    assert (
        "typo.rst:6: WARNING: unknown state 'STOPCOPY'; did you mean 'STOP_COPY'?" in result.stderr
    )
    assert "[migspec.state-unknown]" in result.stderr


def test_unknown_state_warning_can_be_suppressed(basic: Path, tmp_path: Path) -> None:
    result = build(
        basic, tmp_path / "html", "html", "-W", "-D", "suppress_warnings=migspec.state-unknown"
    )
    assert result.returncode == 0, result.stderr


def test_text_builder(basic: Path, tmp_path: Path) -> None:
    (basic / "typo.rst").unlink()
    result = build(basic, tmp_path / "text", "text", "-W")
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "text" / "index.txt").read_text()
    assert "PRE_COPY_P2P" in text
