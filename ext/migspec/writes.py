"""Safe file writes for ``generate`` and ``update --write``.

Inputs: a root folder, relative paths and new contents.  Outputs: files
replaced atomically, or diagnostics.  The guarantees (tested, and stated in
``docs/robustness.rst``):

- a reader sees the old content or the new content, never a mix: the new
  bytes go to a temporary file in the same folder, are flushed to disk, then
  ``os.replace`` swaps them in (a process killed mid-write leaves at most a
  stray ``.*.migspec-tmp`` file beside the untouched original);
- the file's permission bits, owner and group are kept (run as root,
  migspec does not give a user's file to root);
- a read-only file is refused (``write-read-only``) unless ``force``;
- a symlink is written through: its target gets the new content, the link
  stays a link;
- temporary files are removed on every way out, Ctrl-C included, and the
  ones an earlier run left when it was killed are named and removed by the
  next run that writes into that folder (``write-stray-temporary``);
- unchanged content is not rewritten (mtime stays, build systems stay quiet);
- a file that changed since it was read is not overwritten
  (``write-conflict``), checked once more right before the rename;
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
        "write-read-only",
        Severity.ERROR,
        "The file to rewrite is read-only; it is left alone (``--force`` writes it anyway).",
        scope="write",
    ),
    declare(
        "write-not-owned",
        Severity.ERROR,
        "The output directory holds files migspec did not write; nothing is written "
        "(choose an empty directory, or pass ``--force``).",
        scope="write",
        doc="""
        ``generate`` writes only into a directory that is empty or that an
        earlier ``generate`` marked as its own (a ``.migspec-generated``
        file), so ``--out .`` in a source tree cannot overwrite its
        ``trace-events`` or ``index.html``.  ``--force`` writes anyway.
        """,
        example="migspec generate --out hw/vfio",
    ),
    declare(
        "write-path-shared",
        Severity.ERROR,
        "Two artefacts would be written to the same path; the second is not written.",
        scope="write",
        example="code: {to_string: {function: predicates, ...}}  # c/predicates.c twice",
    ),
    declare(
        "write-stray-temporary",
        Severity.WARNING,
        "A temporary file left by an earlier, killed run was found and removed.",
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
    path: Path,
    data: bytes,
    *,
    expect: Snapshot | None = None,
    display: str | None = None,
    force: bool = False,
) -> bool:
    """Replace ``path`` with ``data`` atomically; False when it already held ``data``.

    ``expect``: the snapshot taken when the caller read the file; if the file
    changed since (checked on entry and again right before the rename),
    nothing is written and :class:`WriteError` is raised.  A symlink is
    written through to its target (the caller confined it).  ``force``
    writes a read-only file.
    """
    shown = Location(display or str(path))
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    try:
        current = path.read_bytes()
        st: os.stat_result | None = path.stat()
    except FileNotFoundError:
        current, st = None, None
    except OSError as exc:
        raise WriteError(
            _RULE["write-failed"].diagnostic(f"cannot read before writing: {exc.strerror}", shown)
        ) from None
    if current == data:
        return False
    if expect is not None and (current is None or digest(current) != expect.digest):
        raise _conflict(shown)
    if st is not None:
        mode = stat.S_IMODE(st.st_mode)
        if not force and (mode & 0o222 == 0 or not os.access(path, os.W_OK)):
            raise WriteError(
                _RULE["write-read-only"].diagnostic(
                    "the file is read-only; not written (--force writes it)", shown
                )
            )
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
        if st is not None and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
            # Keep the owner: root rewriting a user's file must not take it.
            os.chown(tmp, st.st_uid, st.st_gid)
        # An edit saved while the new content was being written is not lost.
        if _changed_since(path, current):
            raise _conflict(shown)
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise WriteError(
            _RULE["write-failed"].diagnostic(f"write failed: {exc.strerror}", shown)
        ) from None
    except BaseException:  # WriteError, Ctrl-C: no temporary file stays behind
        _remove(tmp)
        raise
    _fsync_dir(folder)
    return True


def _conflict(shown: Location) -> WriteError:
    return WriteError(
        _RULE["write-conflict"].diagnostic(
            "the file changed on disk since migspec read it; not overwritten (run again)", shown
        )
    )


def _changed_since(path: Path, before: bytes | None) -> bool:
    try:
        now: bytes | None = path.read_bytes()
    except FileNotFoundError:
        now = None
    return now != before


def _remove(tmp: Path) -> None:
    with contextlib.suppress(OSError):
        tmp.unlink()


def sweep_temporaries(folder: Path, shown: str) -> list[Diagnostic]:
    """Remove the temporary files an earlier, killed run left in ``folder``; name each."""
    found: list[Diagnostic] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return found
    for name in names:
        if name.startswith(".") and name.endswith(TMP_SUFFIX):
            stray = folder / name
            if stray.is_symlink() or not stray.is_file():
                continue
            _remove(stray)
            found.append(
                _RULE["write-stray-temporary"].diagnostic(
                    "a temporary file left by an interrupted migspec run; removed",
                    Location(os.path.join(shown, name)),
                )
            )
    return found


MARKER = ".migspec-generated"


def claim_directory(out: Path, *, force: bool) -> Diagnostic | None:
    """May ``generate`` write into ``out``?  None: yes (and it is marked as
    migspec's); otherwise the diagnostic that refuses it.

    Yes when ``out`` is missing or empty, holds the marker of an earlier
    ``generate``, or ``force`` is set.
    """
    try:
        entries = set(os.listdir(out))
    except FileNotFoundError:
        entries = set()
    except OSError as exc:
        return _RULE["write-failed"].diagnostic(
            f"cannot list the directory: {exc.strerror}", Location(str(out))
        )
    if entries and MARKER not in entries and not force:
        return _RULE["write-not-owned"].diagnostic(
            "the directory is not empty and was not written by migspec generate; "
            "nothing written (choose an empty directory, or pass --force)",
            Location(str(out)),
        )
    if MARKER in entries:
        return None  # marked by an earlier run: left as it is (its mtime too)
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / MARKER).write_text(
            "This directory is written by migspec generate, which may overwrite it.\n"
        )
    except OSError as exc:
        return _RULE["write-failed"].diagnostic(
            f"cannot write into the directory: {exc.strerror}", Location(str(out))
        )
    return None


def shared_path(path: str, first: str, second: str) -> Diagnostic:
    """Two artefacts (``first``, ``second``) laid out at the same ``path``."""
    return _RULE["write-path-shared"].diagnostic(
        f"{second} would be written to {path}, which already holds {first}; not written",
        Location(path),
    )


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
