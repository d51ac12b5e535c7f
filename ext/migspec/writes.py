"""Safe file writes for ``generate`` and ``update --write``.

Inputs: a root folder, relative paths and new contents.  Outputs: files
replaced atomically, or diagnostics.  The guarantees (tested, and stated in
``docs/robustness.rst``):

- a reader sees the old content or the new content, never a mix: the new
  bytes go to a temporary file in the same folder, are flushed to disk, then
  ``os.replace`` swaps them in (a process killed mid-write leaves at most a
  stray ``.*.migspec-tmp`` file beside the untouched original);
- the file's permission bits are kept;
- unchanged content is not rewritten (mtime stays, build systems stay quiet);
- a file that changed since it was read is not overwritten (``write-conflict``);
- nothing is written outside the root: absolute paths, ``..`` and symlinks
  that lead out of it are refused (``write-outside-root``).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import Diagnostic, Location, Severity, declare

TMP_SUFFIX = ".migspec-tmp"

RULES = (
    declare(
        "write-outside-root",
        Severity.ERROR,
        "A write would land outside the source root (absolute path, '..', or a symlink leading out).",
        scope="write",
        example="trace: [{file: ../../etc/passwd, ...}]",
    ),
    declare(
        "write-conflict",
        Severity.ERROR,
        "A file changed on disk between migspec reading it and writing it; it is left alone.",
        scope="write",
    ),
    declare(
        "write-failed",
        Severity.ERROR,
        "The operating system refused a write (permissions, disk full, read-only file system).",
        scope="write",
    ),
)
_RULE = {r.id: r for r in RULES}


class WriteError(Exception):
    """A refused or failed write; carries the diagnostic to report."""

    def __init__(self, diagnostic: Diagnostic) -> None:
        super().__init__(diagnostic.message)
        self.diagnostic = diagnostic


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a file held when it was read: compared again just before writing."""

    digest: str
    mode: int


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(path: Path) -> Snapshot | None:
    try:
        data = path.read_bytes()
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return None
    return Snapshot(digest(data), mode)


def confine(root: Path, relative: str) -> Path:
    """``root/relative``, refusing anything that would resolve outside ``root``."""
    where = Location(relative)
    rel = Path(relative)
    if rel.is_absolute() or relative.startswith(("/", "\\")):
        raise WriteError(
            _RULE["write-outside-root"].diagnostic(f"absolute path {relative!r} refused", where)
        )
    if any(part == ".." for part in rel.parts):
        raise WriteError(
            _RULE["write-outside-root"].diagnostic(f"path {relative!r} climbs out with '..'", where)
        )
    target = root / rel
    # Resolve what exists (symlinked folders or a symlinked file) and make sure
    # it stays inside; strict=False also resolves links of missing leaves.
    try:
        real_root = root.resolve()
        resolved = target.resolve(strict=False)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python < 3.13)
        raise WriteError(
            _RULE["write-outside-root"].diagnostic(
                f"{relative!r} cannot be resolved (a symlink loop?); not written", where
            )
        ) from None
    if not resolved.is_relative_to(real_root):
        raise WriteError(
            _RULE["write-outside-root"].diagnostic(
                f"{relative!r} resolves to {resolved}, outside {real_root} (symlink?)", where
            )
        )
    return target


def write_atomic(
    path: Path, data: bytes, *, expect: Snapshot | None = None, display: str | None = None
) -> bool:
    """Replace ``path`` with ``data`` atomically; False when it already held ``data``.

    ``expect``: the snapshot taken when the caller read the file; if the file
    changed since, nothing is written and :class:`WriteError` is raised.
    """
    shown = Location(display or str(path))
    try:
        current = path.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise WriteError(
            _RULE["write-failed"].diagnostic(f"cannot read before writing: {exc.strerror}", shown)
        ) from None
    if current == data:
        return False
    if expect is not None and (current is None or digest(current) != expect.digest):
        raise WriteError(
            _RULE["write-conflict"].diagnostic(
                "the file changed on disk since migspec read it; not overwritten (run again)", shown
            )
        )
    if current is not None:
        mode = stat.S_IMODE(path.stat().st_mode)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=folder)
    except OSError as exc:
        raise WriteError(
            _RULE["write-failed"].diagnostic(f"cannot create a file here: {exc.strerror}", shown)
        ) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        tmp.chmod(mode)
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteError(
            _RULE["write-failed"].diagnostic(f"write failed: {exc.strerror}", shown)
        ) from None
    _fsync_dir(folder)
    return True


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
