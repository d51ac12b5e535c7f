"""What one run of the checker shares: the spec, the trees, the parse cache.

Inputs: a spec and the roots the user gave.  Outputs: parsed files on demand
(each parsed once) and a diagnostic, reported once, for each file the spec
names that the tree lacks.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import Diagnostic, Location, Note
from ..load.files import check_regular
from ..model import Spec
from ..source import FILE_MISSING, FILE_UNREADABLE, OUTSIDE_ROOT
from ..source.c import CFile, CReader
from ..source.rst import RstFlows, read_flows
from ..source.trace_lines import TraceFile, read_trace_lines
from ..source.tree import Tree

if TYPE_CHECKING:
    from .drivers import DriverReport

__all__ = ["FILE_MISSING", "OUTSIDE_ROOT", "Context", "Tree"]


@dataclass
class Context:
    """One run: the spec, the trees, caches and the diagnostics so far."""

    spec: Spec
    tree: Tree
    kernel: Tree | None = None
    reader: CReader = field(default_factory=CReader)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    _c: dict[str, CFile | None] = field(default_factory=dict)
    _rst: dict[str, RstFlows | None] = field(default_factory=dict)
    _trace: dict[str, TraceFile | None] = field(default_factory=dict)
    _missing: set[str] = field(default_factory=set)
    _outside: set[str] = field(default_factory=set)
    # Every file parsed, for callers that track dependencies (Sphinx); the
    # driver scan adds the directories it listed.
    read: set[Path] = field(default_factory=set)
    # What the driver check found, driver by driver (``check --format json``).
    drivers: list[DriverReport] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        return self.spec.machine.prefix

    def report(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        self.diagnostics.extend(diagnostics)

    def outside(self, tree: Tree, rel: str, why: str, spec_location: Location | None) -> bool:
        """True (and reported, once) if ``rel`` leads outside ``tree``'s root."""
        escape = tree.escapes(rel)
        if escape is None:
            return False
        shown = tree.display(rel)
        # One report per place the spec names the path, or per symlink.
        key = f"{shown}@{spec_location}" if escape == "spec" else shown
        if key not in self._outside:
            self._outside.add(key)
            named = (Note(message="named here", location=spec_location),) if spec_location else ()
            if escape == "spec" and spec_location is not None:
                self.diagnostics.append(
                    OUTSIDE_ROOT.diagnostic(
                        f"'{rel}' is outside the source root (the spec names it for {why}); "
                        "paths are relative to the root, without '..'",
                        spec_location,
                    )
                )
            else:
                self.diagnostics.append(
                    OUTSIDE_ROOT.diagnostic(
                        f"a symlink leads outside the source root (or loops); not read ({why})",
                        Location(shown),
                        notes=named,
                    )
                )
        return True

    def exists(self, tree: Tree, rel: str, why: str, spec_location: Location) -> bool:
        """True if the file is there; otherwise report it (once) and return False.

        A path leading outside the tree's root is reported as such and is
        "not there": no reader ever opens it.
        """
        if self.outside(tree, rel, why, spec_location):
            return False
        refused = check_regular(tree.path(rel))
        if refused is None:
            return True
        shown = tree.display(rel)
        if shown not in self._missing:
            self._missing.add(shown)
            # A FIFO or a directory is there, but is no file to read.
            rule = FILE_UNREADABLE if refused.exists else FILE_MISSING
            self.diagnostics.append(
                rule.diagnostic(
                    f"{refused.reason} (the spec names it for {why})",
                    Location(shown),
                    notes=(Note(message="named here", location=spec_location),),
                )
            )
        return False

    def c_file(self, rel: str, *, tree: Tree | None = None) -> CFile | None:
        """A parsed C file of the tree (the caller checked it exists)."""
        t = tree or self.tree
        shown = t.display(rel)
        if t.escapes(rel) is not None:
            return None  # reported by exists() or c_files_in(); never read
        if shown not in self._c:
            self.read.add(t.path(rel))
            cfile, diagnostics = self.reader.parse(t.path(rel), shown)
            self.diagnostics.extend(diagnostics)
            self._c[shown] = cfile
        return self._c[shown]

    def rst_flows(self, rel: str, sections: list[str]) -> RstFlows | None:
        shown = self.tree.display(rel)
        if self.tree.escapes(rel) is not None:
            return None
        if shown not in self._rst:
            self.read.add(self.tree.path(rel))
            flows, diagnostics = read_flows(
                self.tree.path(rel), shown, sections, self.spec.notation.connector
            )
            self.diagnostics.extend(diagnostics)
            self._rst[shown] = flows
        return self._rst[shown]

    def trace_file(self, rel: str) -> TraceFile | None:
        shown = self.tree.display(rel)
        if self.tree.escapes(rel) is not None:
            return None
        if shown not in self._trace:
            self.read.add(self.tree.path(rel))
            parsed, diagnostics = read_trace_lines(self.tree.path(rel), shown)
            self.diagnostics.extend(diagnostics)
            self._trace[shown] = parsed
        return self._trace[shown]

    def c_files_in(self, rel_dir: str) -> list[str]:
        """The ``.c`` files directly in a directory of the tree, sorted (relative paths).

        A directory outside the root gives nothing (the file the spec names
        there is reported by :meth:`exists`); a ``.c`` symlink leading out of
        the root is reported and skipped.
        """
        if self.tree.escapes(rel_dir or ".") is not None:
            return []
        directory = self.tree.path(rel_dir)
        if not directory.is_dir():
            return []
        out = []
        for p in directory.iterdir():
            rel = os.path.join(rel_dir, p.name) if rel_dir else p.name
            if p.suffix != ".c" or self.outside(self.tree, rel, "scanning for calls", None):
                continue
            if p.is_file():
                out.append(rel)
        return sorted(out)
