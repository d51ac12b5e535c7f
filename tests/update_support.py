"""Helpers for the ``migspec update`` tests: specs, trees, and what update owns."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from migspec.artefacts import check_tree, region_rules
from migspec.diagnostics import Severity
from migspec.load.spec import load_spec
from migspec.model import Spec

from .conftest import SEED_SPEC
from .source_trees import TREES

TOY = TREES / "toy"
DRIFTS = sorted(p.name for p in TREES.glob("drift-*"))

# The check rules whose findings live in regions update rewrites (the registry's).
REGION_RULES = region_rules(rewritten=True)


def load(path: Path) -> Spec:
    result = load_spec(path)
    assert result.spec is not None, result.diagnostics
    return result.spec


def bundled() -> Spec:
    return load(SEED_SPEC)


def toy_spec() -> Spec:
    return load(TOY / "spec.yaml")


def toy_tree(dest: Path) -> Path:
    shutil.copytree(TOY / "tree", dest)
    return dest


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text()
    assert old in text, f"{old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1))


def snapshot_tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.parts
    }


def problems(spec: Spec, root: Path) -> set[str]:
    """The rules of every check finding worse than a note."""
    return {d.rule for d in check_tree(spec, root) if d.severity > Severity.NOTE}


def git(root: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", *args], cwd=root, input=stdin, capture_output=True, check=False)
