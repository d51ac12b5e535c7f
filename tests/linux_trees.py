"""Real Linux trees for tests: the VFIO subset of Debian's linux-source tarballs.

Debian's ``linux-source-6.1`` (before PRE_COPY, which came in 6.2) and
``linux-source-6.12`` packages install ``/usr/src/linux-source-<v>.tar.xz``
(``.ci/run`` installs them).  :func:`extract` takes only what the kernel
checks read -- :data:`SUBSET` -- out of one tarball, once: into a cache
directory keyed by the tarball's name, size and mtime, so a run reuses what an
earlier run extracted and a new package version is extracted afresh.

Safe under ``pytest -n``: the first worker to arrive takes a lock file and
extracts into a temporary directory beside the final one, then renames it into
place; the others wait on the lock and find the tree there.  The extracted
files are made read-only, as the shared QEMU corpus is: a test that writes
must copy the tree first (:func:`copy_tree`), and ``update`` refuses a
read-only file without ``--force`` anyway.  Nothing extracted is committed.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

# The versions the tests use, and where Debian puts their tarballs.
VERSIONS = ("6.1", "6.12")
SOURCE_DIR = Path("/usr/src")
# What the kernel checks read, relative to the tree's root.
SUBSET = ("drivers/vfio", "include/uapi/linux/vfio.h", "include/linux/vfio.h")


def tarball(version: str) -> Path:
    """Debian's tarball of ``version``, in ``$MIGSPEC_TEST_LINUX_SOURCES`` or /usr/src."""
    source_dir = Path(os.environ.get("MIGSPEC_TEST_LINUX_SOURCES") or SOURCE_DIR)
    return source_dir / f"linux-source-{version}.tar.xz"


def cache_dir() -> Path:
    """``$MIGSPEC_TEST_CACHE``, else ``$XDG_CACHE_HOME/migspec-tests``, else ``~/.cache/...``."""
    explicit = os.environ.get("MIGSPEC_TEST_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "migspec-tests"


def extract(archive: Path, cache: Path) -> Path:
    """The :data:`SUBSET` of ``archive`` (``<top>/...`` inside), extracted once into ``cache``.

    ``<top>`` is the archive's name without ``.tar.xz``, as Debian lays it
    out.  Returns the tree's root; raises ``FileNotFoundError`` without the
    archive and ``subprocess.CalledProcessError`` if ``tar`` fails (a member
    missing, a truncated archive).
    """
    info = archive.stat()
    top = archive.name.removesuffix(".tar.xz")
    key = f"{top}-{info.st_size}-{info.st_mtime_ns}"
    final = cache / key
    if final.is_dir():
        return final
    cache.mkdir(parents=True, exist_ok=True)
    with open(cache / f".{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if final.is_dir():  # another worker finished while this one waited
            return final
        scratch = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=cache))
        try:
            subprocess.run(
                [
                    "tar",
                    "-xJf",
                    str(archive),
                    "-C",
                    str(scratch),
                    "--strip-components=1",
                    *(f"{top}/{rel}" for rel in SUBSET),
                ],
                check=True,
                capture_output=True,
            )
            _read_only(scratch)
            os.rename(scratch, final)
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
    return final


def copy_tree(tree: Path, dest: Path) -> Path:
    """A writable copy of an extracted tree (contents only, not the read-only modes)."""
    return Path(shutil.copytree(tree, dest, copy_function=shutil.copyfile))


def _read_only(root: Path) -> None:
    for path in root.rglob("*"):
        if path.is_file():
            path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
