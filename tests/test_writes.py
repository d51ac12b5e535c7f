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


def test_conflict_when_the_file_was_removed_since_it_was_read(tmp_path: Path) -> None:
    target = tmp_path / "t.rst"
    target.write_text("as read\n")
    seen = snapshot(target)
    target.unlink()
    with pytest.raises(WriteError) as info:
        write_atomic(target, b"ours\n", expect=seen)
    assert info.value.diagnostic.rule == "write-conflict"
    assert not target.exists()


def test_symlink_loop_is_refused_not_followed(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(WriteError) as info:
        confine(tmp_path, "a")
    assert info.value.diagnostic.rule == "write-outside-root"


# -- generate --out ---------------------------------------------------------------


def _tree_state(root: Path) -> dict[str, tuple[bytes, int, int]]:
    return {
        str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def test_generate_twice_changes_nothing(tmp_path: Path) -> None:
    from migspec.generate import generate

    from .render_support import bundled

    first = generate(bundled(), tmp_path, svg=None)
    assert first.written and not first.refused
    before = _tree_state(tmp_path)
    time.sleep(0.01)
    second = generate(bundled(), tmp_path, svg=None)
    assert second.written == [] and sorted(second.unchanged) == sorted(first.written)
    assert _tree_state(tmp_path) == before


def test_generate_keeps_the_mode_of_a_file_it_repairs(tmp_path: Path) -> None:
    from migspec.generate import generate

    from .render_support import bundled

    generate(bundled(), tmp_path, svg=None)
    target = tmp_path / "trace-events"
    good = target.read_bytes()
    target.write_text("hand edit\n")
    target.chmod(0o640)
    again = generate(bundled(), tmp_path, svg=None)
    assert again.written == ["trace-events"]
    assert target.read_bytes() == good
    assert target.stat().st_mode & 0o777 == 0o640


def test_generate_refuses_to_write_through_symlinks_leading_out(tmp_path: Path) -> None:
    """A symlinked output file or folder in --out must not carry a write outside it."""
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "victim.html"
    victim.write_text("precious\n")
    (out / "index.html").symlink_to(victim)
    (out / "fsm").symlink_to(elsewhere)
    (out / "trace-events").symlink_to("loop")
    (out / "loop").symlink_to("trace-events")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "ext")}
    run = subprocess.run(
        [sys.executable, "-m", "migspec", "generate", "--out", str(out), "--force"],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    # generate's output is the directory: its diagnostics go to stderr.
    assert run.stdout == ""
    refused = [line for line in run.stderr.splitlines() if "[write-outside-root]" in line]
    refused_paths = sorted(line.split(": error: ")[0] for line in refused)
    assert str(out / "index.html") in refused_paths
    assert str(out / "trace-events") in refused_paths
    assert all(p.startswith(str(out / "fsm")) for p in refused_paths if "/fsm/" in p)
    assert len([p for p in refused_paths if "/fsm/" in p]) >= 5
    # Nothing was written outside, the links are still links, the rest was written.
    assert victim.read_text() == "precious\n"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["victim.html"]
    assert (out / "index.html").is_symlink() and (out / "fsm").is_symlink()
    assert (out / "c" / "predicates.c").is_file()
    assert "written" in run.stderr
