"""``migspec generate``: every artefact, atomic and idempotent writes, no-dot mode."""

from __future__ import annotations

import html
import re
import shutil
from pathlib import Path

import pytest

from migspec.generate import generate
from migspec.writes import MARKER, write_atomic

from .render_support import bundled, env_without_dot, golden, run_cli

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot not installed")

KINDS = ("none", "P2P", "PRE_COPY", "P2P+PRE_COPY")


def _files(root: Path) -> set[str]:
    """The artefacts under ``root`` (not the marker saying generate owns it)."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() and p.name != MARKER}


def _expected(svg: bool) -> set[str]:
    drawings = ["fsm/machine"] + [f"fsm/{k}" for k in KINDS]
    drawings += [f"flows/{f}/{k}" for f in ("save", "resume") for k in KINDS]
    out = {"index.html", "trace-events", "c/vfio_device_mig_state.h"}
    out |= {"c/mig_state_to_str.c", "c/predicates.c"}
    out |= {f"{d}.dot" for d in drawings}
    if svg:
        out |= {f"{d}.svg" for d in drawings}
    out |= {
        f"flows/{f}/{k}.{s}.rst"
        for f in ("save", "resume")
        for k in KINDS
        for s in ("projected", "bracketed")
    }
    return out


@needs_dot
def test_generate_writes_every_artefact(tmp_path: Path) -> None:
    report = generate(bundled(), tmp_path)
    files = _files(tmp_path)
    expected = _expected(svg=True)
    assert expected <= files
    assert files - expected <= {"c/kernel-table.c", "c/fsm-comment.h"}
    assert sorted(report.written) == sorted(files)
    assert not report.warnings
    assert (tmp_path / "flows/save/P2P+PRE_COPY.projected.rst").read_text() == golden(
        "flow-rst", "save.projected.rst"
    )
    assert (tmp_path / "flows/save/P2P+PRE_COPY.bracketed.rst").read_text() == golden(
        "flow-rst", "save.bracketed.rst"
    )
    assert (tmp_path / "flows/save/none.projected.rst").read_text() == golden(
        "flow-rst", "save.none.projected.rst"
    )
    assert (tmp_path / "c/predicates.c").read_text() == golden("c", "predicates.c")


@needs_dot
def test_second_run_rewrites_nothing_and_a_hand_edit_is_repaired(tmp_path: Path) -> None:
    generate(bundled(), tmp_path)
    stats = {p: (tmp_path / p).stat() for p in _files(tmp_path)}
    again = generate(bundled(), tmp_path)
    assert again.written == []
    assert sorted(again.unchanged) == sorted(stats)
    for p, st in stats.items():
        now = (tmp_path / p).stat()
        assert (now.st_ino, now.st_mtime_ns) == (st.st_ino, st.st_mtime_ns), p
    edited = tmp_path / "c/predicates.c"
    edited.write_text("/* hand edit */\n")
    third = generate(bundled(), tmp_path)
    assert third.written == ["c/predicates.c"]
    assert edited.read_text() == golden("c", "predicates.c")


def test_write_is_atomic_and_leaves_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "file.txt"
    assert write_atomic(target, b"one\n") is True
    inode = target.stat().st_ino
    assert write_atomic(target, b"one\n") is False
    assert write_atomic(target, b"two\n") is True
    # Replaced, not rewritten in place: a reader holding the old file keeps it.
    assert target.stat().st_ino != inode
    assert target.read_text() == "two\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["file.txt"]


@needs_dot
def test_index_is_self_contained_and_escaped(tmp_path: Path) -> None:
    generate(bundled(), tmp_path)
    page = (tmp_path / "index.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in page
    # No fetch of any kind: no scripts, stylesheets, images, fonts, DTDs.
    for pattern in (
        r"<script",
        r"<link",
        r"<img",
        r"<iframe",
        r"@import",
        r"url\(\s*['\"]?http",
        r"<!DOCTYPE svg",
    ):
        assert not re.search(pattern, page, re.I), pattern
    non_namespace = re.sub(r'xmlns(:\w+)?="[^"]*"', "", page)
    assert "http://" not in non_namespace and "https://" not in non_namespace
    # Every SVG inline, ids made unique across drawings.
    assert page.count("<svg ") == 1 + 4 + 2 * 4
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))
    # rst and C shown as escaped text, exactly.
    shown = [html.unescape(c) for c in re.findall(r"<pre><code>(.*?)</code></pre>", page, re.S)]
    assert golden("flow-rst", "save.projected.rst") in shown
    assert golden("flow-rst", "resume.bracketed.rst") in shown
    assert golden("c", "predicates.c") in shown
    assert "device_state == VFIO_DEVICE_STATE_RUNNING ||" in page
    assert "call .save_live_iterate()" in page and "&gt;= threshold_size" in page


def test_cli_generate_without_dot_writes_dot_files_and_warns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    env = env_without_dot(tmp_path)
    result = run_cli("generate", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if "warning" in line] == [
        "migspec generate: warning: Graphviz 'dot' was not found on PATH: wrote .dot files "
        "only, no SVG (install graphviz)"
    ]
    files = _files(out)
    assert _expected(svg=False) <= files
    assert not [f for f in files if f.endswith(".svg")]
    page = (out / "index.html").read_text("utf-8")
    assert "<svg" not in page and "digraph" in page
    strict = run_cli("generate", "--out", str(out), "--strict", env=env)
    assert strict.returncode == 1


def test_cli_generate_refuses_a_file_as_out(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = run_cli("generate", "--out", str(target))
    assert result.returncode == 2
    assert "not a directory" in result.stderr
