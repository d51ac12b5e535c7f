"""Hostile source trees: what a file system can hold that a committed file cannot.

Each case is a function that spoils a copy of ``tests/trees/base`` in place
(a FIFO, a symlink to ``/dev/zero`` or out of the root, a directory where a
file should be, a file over the size limit, a directory nobody may list) and
returns what every command must say about it: ``(rule, path relative to the
tree)`` pairs that must be among the diagnostics of the commands that read
that file.  ``tests/test_hostile_trees.py`` runs every case through every
command that reads a tree, under the corpus's CPU and memory bounds.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

MIGRATION_C = "hw/vfio/migration.c"
TRACE = "hw/vfio/trace-events"
DOCS = "docs/devel/vfio-migration.rst"
OVER_LIMIT = 16 * 1024 * 1024 + 1  # one byte over source.MAX_SOURCE_BYTES

# (rule, relative path) pairs the named-file commands (check, update) report.
Expect = tuple[tuple[str, str], ...]
Case = Callable[[Path, Path], Expect]


def _replace(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        path.rmdir()
    elif path.exists() or path.is_symlink():
        path.unlink()


def fifo_scanned_header(tree: Path, outside: Path) -> Expect:
    """``mkfifo T/hw/vfio/pipe.h``: import used to block forever opening it."""
    os.mkfifo(tree / "hw/vfio/pipe.h")
    os.mkfifo(tree / "hw/vfio/pipe.c")
    os.mkfifo(tree / "docs/devel/pipe.rst")
    return ()


def fifo_named_file(tree: Path, outside: Path) -> Expect:
    """A file the spec names is a FIFO: refused by name, never opened."""
    _replace(tree / TRACE)
    os.mkfifo(tree / TRACE)
    return (("check-file-unreadable", TRACE),)


def dev_zero_scanned(tree: Path, outside: Path) -> Expect:
    """``ln -s /dev/zero T/hw/vfio/zero.h``: import used to read until memory ran out."""
    (tree / "hw/vfio/zero.h").symlink_to("/dev/zero")
    (tree / "hw/vfio/zero.c").symlink_to("/dev/zero")
    return ()


def dev_zero_named(tree: Path, outside: Path) -> Expect:
    """The spec's C file is a symlink to ``/dev/zero`` (out of the root: refused)."""
    _replace(tree / MIGRATION_C)
    (tree / MIGRATION_C).symlink_to("/dev/zero")
    return (("check-path-outside-root", MIGRATION_C),)


def device_inside_root(tree: Path, outside: Path) -> Expect:
    """A character device inside the root (a bind of /dev/null's kind): refused by name."""
    devices = tree / "dev"
    devices.mkdir()
    # No mknod without privileges: a FIFO stands for every non-regular file.
    os.mkfifo(devices / "null.h")
    return ()


def link_out_scanned(tree: Path, outside: Path) -> Expect:
    """A header symlinked out of the root: import used to copy its enum into the spec."""
    secret = outside / "secret.h"
    secret.write_text("enum secret_state { SECRET_STATE_A = 1, SECRET_STATE_B = 2 };\n")
    (tree / "hw/vfio/secret.h").symlink_to(secret)
    (tree / "docs/devel/secret.rst").symlink_to(secret)
    return ()


def directory_named(tree: Path, outside: Path) -> Expect:
    """A directory where the spec names a file: "is a directory", not "no such file"."""
    _replace(tree / TRACE)
    (tree / TRACE).mkdir()
    return (("check-file-unreadable", TRACE),)


def unlistable_directory(tree: Path, outside: Path) -> Expect:
    """A directory nobody may list or read: reported, and the run goes on."""
    locked = tree / "hw/locked"
    locked.mkdir()
    (locked / "x.c").write_text("int x;\n")
    locked.chmod(0)
    return ()


def unreadable_named(tree: Path, outside: Path) -> Expect:
    """A file the spec names that nobody may read: reported per file, the run goes on."""
    (tree / TRACE).chmod(0)
    return (("check-file-unreadable", TRACE),)


def over_limit_named(tree: Path, outside: Path) -> Expect:
    """``migration.c`` over the size limit (sparse: no disk used): refused unread."""
    with (tree / MIGRATION_C).open("ab") as fh:
        fh.truncate(OVER_LIMIT)
    return (("check-file-unreadable", MIGRATION_C),)


def over_limit_docs_and_trace(tree: Path, outside: Path) -> Expect:
    """Trace-events and rst over the limit (the pre-commit hook took 40 s and 1.7 GB)."""
    for rel in (TRACE, DOCS):
        with (tree / rel).open("ab") as fh:
            fh.truncate(OVER_LIMIT)
    return (("check-file-unreadable", TRACE), ("check-file-unreadable", DOCS))


def over_limit_scanned(tree: Path, outside: Path) -> Expect:
    """A header over the limit that import's scan meets."""
    with (tree / "hw/vfio/huge.h").open("ab") as fh:
        fh.truncate(OVER_LIMIT)
    return ()


# Needs permissions that root ignores.
NEEDS_NON_ROOT = {"unlistable-directory", "unreadable-named"}

CASES: dict[str, Case] = {
    "fifo-scanned-header": fifo_scanned_header,
    "fifo-named-file": fifo_named_file,
    "dev-zero-scanned": dev_zero_scanned,
    "dev-zero-named": dev_zero_named,
    "device-inside-root": device_inside_root,
    "link-out-scanned": link_out_scanned,
    "directory-named": directory_named,
    "unlistable-directory": unlistable_directory,
    "unreadable-named": unreadable_named,
    "over-limit-named": over_limit_named,
    "over-limit-docs-and-trace": over_limit_docs_and_trace,
    "over-limit-scanned": over_limit_scanned,
}
