"""A source tree as the readers see it: a root, and the files inside it only.

Inputs: a root directory and paths relative to it.  Outputs: whether a path
stays inside the root (symlinks resolved), and, through :class:`TreeReader`,
the bytes of its files and listings of them, with one located diagnostic per
file that cannot be read or leads out of the root.  ``check`` (through its
:class:`~migspec.check.context.Context`), ``update`` and ``import`` all read
a tree this way, so a FIFO, ``/dev/zero``, a file over the size limit or a
symlink out of the root is refused the same way by each of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..diagnostics import Diagnostic, Location
from . import FILE_UNREADABLE, OUTSIDE_ROOT, read_bytes


@dataclass(frozen=True, slots=True)
class Tree:
    """A source tree's root, as found on disk and as shown in diagnostics."""

    root: Path
    shown: str

    def path(self, rel: str) -> Path:
        return self.root / rel

    def escapes(self, rel: str) -> str | None:
        """Why ``rel`` leads outside the root (None: it stays inside).

        ``"spec"``: the path as written is absolute or climbs with ``..``;
        ``"link"``: a symlink on the way leads out, or loops.
        """
        if os.path.isabs(rel) or rel.startswith(("/", "\\")) or ".." in Path(rel).parts:
            return "spec"
        try:
            root = self.root.resolve()
            resolved = (self.root / rel).resolve()
        except (OSError, RuntimeError, ValueError):  # a loop (RuntimeError < 3.13), a NUL
            return "link"
        return None if resolved.is_relative_to(root) else "link"

    def display(self, rel: str) -> str:
        return os.path.normpath(os.path.join(self.shown, rel))

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> Tree:
        return cls(Path(root), os.fspath(root))


# Directories no scan of a tree enters: build output, dependencies, caches.
SKIP_DIRS = frozenset({"build", "node_modules", "__pycache__"})


@dataclass
class TreeReader:
    """Reads the files of one tree for one run, each refusal reported once.

    Bytes are not kept (a scan of a whole QEMU tree reads thousands of
    files); what is kept is which files were refused, so a file read by
    several passes is reported once.
    """

    tree: Tree
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _refused: set[str] = field(default_factory=set)

    @classmethod
    def at(cls, root: str | os.PathLike[str]) -> TreeReader:
        return cls(Tree.at(root))

    def _report(self, key: str, diagnostic: Diagnostic) -> None:
        if key not in self._refused:
            self._refused.add(key)
            self.diagnostics.append(diagnostic)

    def inside(self, rel: str) -> bool:
        """True if ``rel`` stays in the root; else it is reported (once) and False."""
        if self.tree.escapes(rel) is None:
            return True
        shown = self.tree.display(rel)
        self._report(
            shown,
            OUTSIDE_ROOT.diagnostic(
                "leads outside the source root (a symlink, '..' or an absolute path), "
                "or loops; not read",
                Location(shown),
            ),
        )
        return False

    def read(self, rel: str) -> bytes | None:
        """The bytes of ``rel`` (confined, regular, bounded), or None and a report."""
        if not self.inside(rel):
            return None
        shown = self.tree.display(rel)
        if shown in self._refused:
            return None
        data, found = read_bytes(self.tree.path(rel), shown)
        for d in found:
            self._report(shown, d)
        return data

    def files(self, suffixes: Iterable[str], *, under: str = "") -> list[str]:
        """Relative paths ('/'-separated) of the files with ``suffixes``, sorted.

        ``under``: only the files below that directory of the tree (one
        leading out of the root is reported and gives nothing).  Hidden directories and :data:`SKIP_DIRS` are not entered; symlinked
        directories are not followed; a directory that cannot be listed is
        reported and the scan goes on; a file symlink leading out of the root
        is reported and left out.
        """
        ends = tuple(suffixes)
        found: list[str] = []

        def unlistable(err: OSError) -> None:
            shown = err.filename if isinstance(err.filename, str) else self.tree.shown
            self._report(
                shown,
                FILE_UNREADABLE.diagnostic(
                    f"cannot list this directory: {err.strerror or err}; skipped",
                    Location(shown),
                ),
            )

        start = self.tree.root
        if under:
            if not self.inside(under):
                return []
            start = self.tree.path(under)
        for here, dirs, names in os.walk(start, onerror=unlistable):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIP_DIRS)
            for name in names:
                if name.endswith(ends):
                    rel = Path(here, name).relative_to(self.tree.root).as_posix()
                    if self.inside(rel):
                        found.append(rel)
        return sorted(found)
