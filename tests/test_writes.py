"""Safe writes: atomic replace, mode kept, conflicts and escapes refused."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from migspec.writes import WriteError, confine, snapshot, write_atomic


def test_writes_and_skips_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    assert write_atomic(target, b"one\n") is True
    mtime = target.stat().st_mtime_ns
    time.sleep(0.01)
    assert write_atomic(target, b"one\n") is False
    assert target.stat().st_mtime_ns == mtime
    assert write_atomic(target, b"two\n") is True
    assert target.read_bytes() == b"two\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_mode_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "script.sh"
    target.write_text("old\n")
    target.chmod(0o751)
    write_atomic(target, b"new\n")
    assert target.stat().st_mode & 0o777 == 0o751


def test_conflict_is_not_overwritten(tmp_path: Path) -> None:
    target = tmp_path / "t.rst"
    target.write_text("as read\n")
    seen = snapshot(target)
    target.write_text("edited by someone else\n")
    with pytest.raises(WriteError) as info:
        write_atomic(target, b"ours\n", expect=seen)
    assert info.value.diagnostic.rule == "write-conflict"
    assert target.read_text() == "edited by someone else\n"


@pytest.mark.parametrize("rel", ["/etc/passwd", "../outside.txt", "a/../../outside.txt"])
def test_paths_outside_root_refused(tmp_path: Path, rel: str) -> None:
    with pytest.raises(WriteError) as info:
        confine(tmp_path / "root", rel)
    assert info.value.diagnostic.rule == "write-outside-root"


def test_symlink_escape_refused(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "docs").mkdir(parents=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "docs" / "link").symlink_to(outside)
    (root / "docs" / "file-link.rst").symlink_to(outside / "f.rst")
    for rel in ("docs/link/x.rst", "docs/file-link.rst"):
        with pytest.raises(WriteError):
            confine(root, rel)
    assert confine(root, "docs/ok.rst") == root / "docs" / "ok.rst"


def test_sigkill_during_large_write_leaves_old_or_new(tmp_path: Path) -> None:
    """Kill the writer with SIGKILL mid-write: the file is the old or the new content."""
    target = tmp_path / "big.txt"
    old = b"old content\n" * 1000
    target.write_bytes(old)
    new_size = 300 * 1024 * 1024
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from migspec.writes import write_atomic
        data = b"n" * {new_size}
        sys.stdout.write("go\\n"); sys.stdout.flush()
        write_atomic(Path({str(target)!r}), data)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"go\n"
    # Wait until the temporary file exists and is growing, then kill.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        tmps = [p for p in tmp_path.iterdir() if p.name.endswith(".migspec-tmp")]
        if tmps and tmps[0].stat().st_size > 0:
            break
        time.sleep(0.001)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    content = target.read_bytes()
    assert content == old or (len(content) == new_size and set(content) == {ord("n")})
