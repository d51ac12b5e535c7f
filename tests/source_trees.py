"""Helpers for tests that check fixture source trees (tests/trees/)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from migspec.diagnostics import Diagnostic

from .conftest import ROOT

TREES = ROOT / "tests" / "trees"
BASE = TREES / "base"


def build_tree(dest: Path, *patches: Path) -> Path:
    """A copy of the base fixture tree at ``dest`` with ``patches`` applied (real git apply)."""
    shutil.copytree(BASE, dest)
    for patch in patches:
        subprocess.run(
            ["git", "apply", "--whitespace=nowarn", str(patch)],
            cwd=dest,
            check=True,
            capture_output=True,
        )
    return dest


def with_corpus(tree: Path, corpus_rev: Path) -> Path:
    """Replace the tree's rst and trace-events with a real QEMU revision's (copied now)."""
    for rel in ("docs/devel/vfio-migration.rst", "hw/vfio/trace-events"):
        shutil.copyfile(corpus_rev / rel, tree / rel)
    return tree


def found(diagnostics: list[Diagnostic], root: Path) -> list[tuple[str, str, int]]:
    """(rule, path relative to root, line) of each diagnostic, sorted."""
    out = []
    for d in diagnostics:
        path = Path(d.location.path)
        rel = path.relative_to(root).as_posix() if path.is_absolute() else path.as_posix()
        out.append((d.rule, rel, d.location.line))
    return sorted(out)


def expected(path: Path) -> list[tuple[str, str, int]]:
    """An expected.txt, sorted: one 'rule path line' per line; '#' starts a comment."""
    out = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            rule, rel, lineno = line.split()
            out.append((rule, rel, int(lineno)))
    return sorted(out)
