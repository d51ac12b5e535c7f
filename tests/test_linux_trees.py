"""tests/linux_trees.py: the VFIO subset of a kernel tarball, extracted once, safely.

These run on small tarballs made here with the real ``tar`` and ``xz``, laid
out as Debian's are (``linux-source-<v>/...``); the real ones are used by the
tests that check real trees.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .linux_trees import SUBSET, copy_tree, extract

TOP = "linux-source-9.9"


def make_tarball(tmp: Path, *, extra: str = "drivers/gpu/drm/other.c") -> Path:
    src = tmp / "src" / TOP
    for rel in (*SUBSET, extra):
        path = src / rel
        if rel == "drivers/vfio":
            path = path / "vfio_main.c"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"/* {rel} */\n")
    (src / "drivers/vfio/pci/mlx5").mkdir(parents=True)
    (src / "drivers/vfio/pci/mlx5/main.c").write_text("/* mlx5 */\n")
    archive = tmp / f"{TOP}.tar.xz"
    subprocess.run(["tar", "-cJf", str(archive), "-C", str(tmp / "src"), TOP], check=True)
    return archive


def files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_extracts_only_the_subset_read_only(tmp_path: Path) -> None:
    tree = extract(make_tarball(tmp_path), tmp_path / "cache")
    assert files(tree) == [
        "drivers/vfio/pci/mlx5/main.c",
        "drivers/vfio/vfio_main.c",
        "include/linux/vfio.h",
        "include/uapi/linux/vfio.h",
    ]
    main = tree / "drivers/vfio/vfio_main.c"
    assert all(p.stat().st_mode & 0o222 == 0 for p in tree.rglob("*") if p.is_file())
    copy = copy_tree(tree, tmp_path / "copy")
    (copy / "drivers/vfio/vfio_main.c").write_text("changed\n")
    assert main.read_text() == "/* drivers/vfio */\n"


def test_second_extraction_reuses_the_first(tmp_path: Path) -> None:
    archive = make_tarball(tmp_path)
    first = extract(archive, tmp_path / "cache")
    stamp = first.stat().st_mtime_ns
    assert extract(archive, tmp_path / "cache") == first
    assert first.stat().st_mtime_ns == stamp
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.is_dir()] == [first.name]


def test_a_new_tarball_is_extracted_afresh(tmp_path: Path) -> None:
    archive = make_tarball(tmp_path)
    first = extract(archive, tmp_path / "cache")
    archive.write_bytes(archive.read_bytes() + b"\0" * 10240)  # a new package version
    assert extract(archive, tmp_path / "cache") != first


def test_concurrent_workers_extract_once(tmp_path: Path) -> None:
    archive = make_tarball(tmp_path)
    cache = tmp_path / "cache"
    code = (
        "import sys; from pathlib import Path; from tests.linux_trees import extract; "
        "print(extract(Path(sys.argv[1]), Path(sys.argv[2])))"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(archive), str(cache)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    outs = {p.communicate()[0].strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert len(outs) == 1
    # No scratch directory is left behind, only the tree and its lock file.
    tree = Path(outs.pop())
    assert sorted(p.name for p in cache.iterdir()) == sorted([tree.name, f".{tree.name}.lock"])
    assert files(tree) == files(extract(archive, cache))


def test_a_broken_tarball_leaves_nothing_behind(tmp_path: Path) -> None:
    archive = make_tarball(tmp_path)
    archive.write_bytes(archive.read_bytes()[:100])
    with pytest.raises(subprocess.CalledProcessError):
        extract(archive, tmp_path / "cache")
    assert [p for p in (tmp_path / "cache").iterdir() if p.is_dir()] == []


def test_a_missing_tarball_is_an_error_not_a_tree(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        extract(tmp_path / "linux-source-0.0.tar.xz", tmp_path / "cache")


def test_the_real_tree_tests_skip_without_the_tarballs(tmp_path: Path) -> None:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT / "ext"),
        MIGSPEC_TEST_LINUX_SOURCES=str(tmp_path),  # holds no tarball
        MIGSPEC_TEST_CACHE=str(tmp_path / "cache"),
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:xdist",
            "-rs",
            "tests/test_check_linux.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert " skipped" in run.stdout and " passed" not in run.stdout
    assert "linux-source-6.1.tar.xz is not present" in run.stdout
    assert not (tmp_path / "cache").exists()
