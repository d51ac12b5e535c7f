"""The one way migspec opens an input file: regular files only, bounded.

Inputs: a path and a size limit.  Outputs: the file's bytes, or a
:class:`Refused` saying why not, in words fit for a diagnostic.  Every
reader of every command goes through :func:`read_regular` -- the spec
(``--spec``, ``migspec_spec``), trace-events files, the files of a source
tree that ``check``, ``update`` and ``import`` read -- so each gets the same
guarantees (``docs/robustness.rst``):

- the path is ``stat``-ed before it is opened, and only a regular file is
  opened: a FIFO, a directory, a device or a socket is refused by name,
  never read (a FIFO would block, ``/dev/zero`` would never end);
- it is opened non-blocking and checked again once open (a file swapped for
  a FIFO between the two is still refused);
- no more than the limit is read, whatever the file claims;
- a path that cannot name a file (a NUL byte, a name longer than the
  system allows) is refused with a reason, not an exception.

Confinement to a root is the callers' (it needs the root); what a spec's
path field may hold is :func:`path_problem`, shared by the spec loader
(a located spec diagnostic) and the readers.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass

# The limits of Linux (and most systems) on one path component and on a
# whole path, in bytes.  A spec naming a longer one names no file anywhere.
NAME_MAX = 255
PATH_MAX = 4096


@dataclass(frozen=True, slots=True)
class Refused:
    """Why a file was not read, as a diagnostic says it (``is a FIFO ...``)."""

    reason: str
    too_large: bool = False
    # The path exists (a directory, a FIFO, no permission), rather than not at all.
    exists: bool = True


def kind_of(mode: int) -> str:
    """What a non-regular file is, in words: ``a directory``, ``a FIFO (named pipe)``."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _not_regular(mode: int) -> Refused:
    return Refused(f"is {kind_of(mode)}, not a regular file; not read")


def _os_refusal(exc: OSError) -> Refused:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return Refused("no such file", exists=False)
    if exc.errno == errno.ENAMETOOLONG:
        return Refused("a name in the path is too long for the file system", exists=False)
    if exc.errno == errno.ELOOP:
        return Refused("a symlink in the path loops")
    return Refused(f"cannot read: {exc.strerror or exc}")


def too_large(max_bytes: int) -> str:
    if max_bytes % (1024 * 1024) == 0:
        return f"file is larger than the {max_bytes // (1024 * 1024)} MiB limit; not read"
    return f"file is larger than the {max_bytes}-byte limit; not read"


def check_regular(path: str | os.PathLike[str]) -> Refused | None:
    """Why ``path`` cannot be read as a file (None: a regular file), without opening it."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return _os_refusal(exc)
    except ValueError:  # a NUL in the path: no such file can exist
        return Refused("the path contains a NUL character", exists=False)
    return None if stat.S_ISREG(st.st_mode) else _not_regular(st.st_mode)


def read_regular(path: str | os.PathLike[str], max_bytes: int) -> bytes | Refused:
    """The bytes of the regular file at ``path`` (at most ``max_bytes``), or why not."""
    refused = check_regular(path)
    if refused is not None:
        return refused
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return _os_refusal(exc)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped since the stat
            return _not_regular(st.st_mode)
        if st.st_size > max_bytes:
            return Refused(too_large(max_bytes), too_large=True)
        chunks: list[bytes] = []
        left = max_bytes + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as exc:
        return _os_refusal(exc)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:  # it grew, or lied about its size
        return Refused(too_large(max_bytes), too_large=True)
    return data


def path_problem(path: str) -> str | None:
    """Why a path a spec names cannot name any file (None: it can)."""
    if "\0" in path:
        return "the path contains a NUL character"
    encoded = path.encode("utf-8", "surrogateescape")
    if len(encoded) >= PATH_MAX:
        return f"the path is {len(encoded)} bytes long; the system allows {PATH_MAX - 1}"
    for part in encoded.split(b"/"):
        if len(part) > NAME_MAX:
            shown = part[:20].decode("utf-8", "replace")
            return (
                f"the name '{shown}...' is {len(part)} bytes long; "
                f"the system allows {NAME_MAX} per name"
            )
    return None
