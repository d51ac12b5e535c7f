"""Incremental and parallel builds: the spec is a noted dependency of the pages
that use it; a no-op rebuild reads nothing; -j 2 builds the same warnings."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEED_SPEC

CONF = """\
extensions = ["migspec.sphinxext"]
migspec_spec = "machine.yaml"
exclude_patterns = ["_build"]
"""


def make_docs(tmp_path: Path) -> Path:
    src = tmp_path / "docs"
    src.mkdir()
    shutil.copy(SEED_SPEC, src / "machine.yaml")
    (src / "conf.py").write_text(CONF)
    (src / "index.rst").write_text("Index\n=====\n\n.. toctree::\n\n   uses\n   plain\n")
    (src / "uses.rst").write_text(
        "Uses the spec\n=============\n\n.. migspec:states::\n\n.. migspec:flow:: save\n"
    )
    (src / "plain.rst").write_text("Plain\n=====\n\nNo migspec here.\n")
    return src


def build(src: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-b", "html", *extra, str(src), str(src / "_build")],
        capture_output=True,
        text=True,
    )


def read_docs(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The documents Sphinx (re)read, from its progress output."""
    return sorted(set(re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", result.stdout)))


@pytest.mark.slow
def test_editing_the_spec_rebuilds_only_the_page_that_uses_it(tmp_path: Path) -> None:
    src = make_docs(tmp_path)
    first = build(src)
    assert first.returncode == 0, first.stderr
    assert read_docs(first) == ["index", "plain", "uses"]

    noop = build(src)
    assert noop.returncode == 0, noop.stderr
    assert read_docs(noop) == []

    spec = src / "machine.yaml"
    spec.write_text(spec.read_text().replace("doc: Normal operation.", "doc: Business as usual."))
    again = build(src)
    assert again.returncode == 0, again.stderr
    assert read_docs(again) == ["uses"]
    assert "Business as usual." in (src / "_build" / "uses.html").read_text()


@pytest.mark.slow
def test_parallel_build_matches_serial(tmp_path: Path) -> None:
    src = make_docs(tmp_path)
    for i in range(4):
        (src / f"page{i}.rst").write_text(
            f"Page {i}\n=======\n\n.. migspec:flow:: resume\n   :features: none\n\nSee :migspec:state:`STOP`.\n"
        )
    (src / "index.rst").write_text(
        "Index\n=====\n\n.. toctree::\n\n   uses\n   plain\n"
        + "".join(f"   page{i}\n" for i in range(4))
    )
    result = build(src, "-j", "2")
    assert result.returncode == 0, result.stderr
    page = (src / "_build" / "page3.html").read_text()
    assert 'href="uses.html#migspec-state-stop"' in page
