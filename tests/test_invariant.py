"""render -> update -> check over every spec and every tree in the repository.

For each spec (the bundled one, ``spec/examples/``, the valid test specs) on
each tree (``tests/trees/base``, every drift, the pre-seed tree, the toy
tree, the kernel fixture, the real QEMU revisions when ``../shared`` is
there, and the real Linux 6.1 and 6.12 trees -- given as the kernel tree too --
when their tarballs are), file by file over the files that hold a region
update rewrites:

* check finds a disagreement in a file exactly when ``update --check`` would
  rewrite it or reports why it cannot (one answer, from the expectations);
* after ``update --write``, check finds no disagreement in any file update
  rewrote or found right;
* a second ``update --write`` changes nothing.

Where update cannot rewrite a file (a region missing, written twice, or in
a form it cannot rewrite, or a file that does not exist), the invariant is
that check reports a disagreement in that file too.  The pairs run through
the library; a representative subset also runs through the real CLI.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from migspec.artefacts import ARTEFACTS, check_tree, plan_update, region_rules
from migspec.diagnostics import Diagnostic, Severity
from migspec.lint.spec import lint_spec
from migspec.load.spec import load_spec
from migspec.model import Spec
from migspec.rules import all_rules
from migspec.update import apply_plan

from .conftest import CORPUS, ROOT
from .linux_trees import copy_tree
from .source_trees import TREES, build_tree, with_corpus
from .test_cli_check import migspec

SPECS = sorted(
    {
        *(ROOT / "spec").glob("*.yaml"),
        *(ROOT / "spec" / "examples").glob("*.yaml"),
        *(ROOT / "tests" / "specs").glob("*.yaml"),
        *TREES.glob("*/spec.yaml"),
    }
)
SPEC_IDS = [p.relative_to(ROOT).as_posix() for p in SPECS]

# Tree name -> how to build it under a temporary directory.
PATCHED = sorted(p.parent.name for p in TREES.glob("*/*.patch"))
TREE_NAMES = ["base", *PATCHED, "toy", "kernel", "kernel-drivers"]
CORPUS_REVS = ("qemu-3d4d0f0e06", "qemu-94f775e428", "qemu-master")
# The real kernel trees (tests/linux_trees.py), by the fixture that extracts them.
LINUX_TREES = {"linux-6.1": "linux_6_1", "linux-6.12": "linux_6_12"}

# The rules of the regions update rewrites: what "check is clean" means here.
REWRITTEN = region_rules(rewritten=True)


def make_tree(name: str, dest: Path) -> Path:
    if name == "base":
        return build_tree(dest)
    if name in PATCHED:
        return build_tree(dest, *sorted((TREES / name).glob("*.patch")))
    if name == "toy":
        return Path(shutil.copytree(TREES / "toy" / "tree", dest))
    if name == "kernel":
        return Path(shutil.copytree(TREES / "kernel", dest))
    if name == "kernel-drivers":
        # The variant drivers live in the kernel tree beside the core.
        shutil.copytree(TREES / "kernel", dest)
        return Path(shutil.copytree(TREES / "kernel-drivers", dest, dirs_exist_ok=True))
    if name == "qemu-master":
        # Contents only: the shared corpus is read-only, and update (rightly)
        # refuses to rewrite a read-only file without --force.
        return Path(shutil.copytree(CORPUS / name, dest, copy_function=shutil.copyfile))
    return with_corpus(build_tree(dest, TREES / "pre-seed" / "seed-reverted.patch"), CORPUS / name)


def load(path: Path) -> Spec:
    result = load_spec(path)
    assert result.spec is not None, result.diagnostics
    return result.spec


def rel_of(diagnostic: Diagnostic, root: Path) -> str:
    return os.path.relpath(diagnostic.location.path, root)


def region_files(spec: Spec) -> set[str]:
    return {
        os.path.normpath(t.file)
        for a in ARTEFACTS
        if a.region is not None and a.region.rewrite is not None
        for t in a.region.rewrite.targets(spec)
    }


def check_dirty(spec: Spec, root: Path, kernel: Path | None = None) -> dict[str, list[str]]:
    """File -> the region rules check reports there (worse than a note)."""
    out: dict[str, list[str]] = {}
    for d in check_tree(spec, root, kernel):
        if d.rule in REWRITTEN and d.severity > Severity.NOTE:
            out.setdefault(rel_of(d, root), []).append(d.rule)
    return out


def update_dirty(spec: Spec, root: Path) -> tuple[set[str], set[str]]:
    """(files update would rewrite, files it reports it cannot rewrite)."""
    plan = plan_update(spec, root)
    refused = {rel_of(d, root) for d in plan.diagnostics if d.severity is Severity.ERROR}
    return {os.path.normpath(f.rel) for f in plan.files}, refused


def assert_invariant(spec: Spec, root: Path, kernel: Path | None = None) -> None:
    files = region_files(spec)
    before = check_dirty(spec, root, kernel)
    rewrite, refused = update_dirty(spec, root)
    for rel in sorted(files):
        update_says = rel in rewrite or rel in refused
        assert (rel in before) == update_says, (
            f"{rel}: check reports {before.get(rel, [])}, update "
            + (
                "would rewrite it"
                if rel in rewrite
                else "refuses it"
                if rel in refused
                else "is clean"
            )
        )
    result = apply_plan(plan_update(spec, root))
    assert result.diagnostics == ()
    after = check_dirty(spec, root, kernel)
    left = {rel: rules for rel, rules in after.items() if rel in files and rel not in refused}
    assert left == {}, "check still disagrees after update --write"
    again, refused_again = update_dirty(spec, root)
    assert again == set(), "a second update --write would change these"
    assert refused_again == refused


def test_every_spec_of_the_matrix_is_valid() -> None:
    assert len(SPECS) >= 6
    for path in SPECS:
        spec = load(path)
        assert [
            d for d in lint_spec(spec, catalogue=all_rules) if d.severity is Severity.ERROR
        ] == [], path


def test_the_matrix_has_every_tree() -> None:
    fixtures = {p.name for p in TREES.iterdir() if p.is_dir()} - {"save-cleanup-drift"}
    assert fixtures == set(TREE_NAMES), "a tree fixture the invariant does not cover"


@pytest.mark.parametrize("tree_name", TREE_NAMES)
@pytest.mark.parametrize("spec_path", SPECS, ids=SPEC_IDS)
def test_render_update_check(spec_path: Path, tree_name: str, tmp_path: Path) -> None:
    spec = load(spec_path)
    assert_invariant(spec, make_tree(tree_name, tmp_path / "tree"))


@pytest.mark.parametrize("rev", CORPUS_REVS)
@pytest.mark.parametrize("spec_path", SPECS, ids=SPEC_IDS)
def test_render_update_check_on_real_qemu(
    spec_path: Path, rev: str, corpus: Path, tmp_path: Path
) -> None:
    spec = load(spec_path)
    assert_invariant(spec, make_tree(rev, tmp_path / "tree"))


@pytest.mark.parametrize("tree_name", sorted(LINUX_TREES))
@pytest.mark.parametrize("spec_path", SPECS, ids=SPEC_IDS)
def test_render_update_check_on_real_linux(
    spec_path: Path, tree_name: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    spec = load(spec_path)
    # A copy: the extracted tree is shared by every test and stays read-only.
    tree = copy_tree(request.getfixturevalue(LINUX_TREES[tree_name]), tmp_path / "tree")
    assert_invariant(spec, tree, tree)


# Through the real CLI: the bundled spec on a drifted tree, the example spec
# on the tree it describes, a non-VFIO spec on its own tree.
CLI_PAIRS = [
    ("spec/vfio-migration.yaml", "drift-doc-steps"),
    ("spec/examples/vfio-migration-3d4d0f0e06.yaml", "pre-seed"),
    ("tests/trees/toy/spec.yaml", "toy"),
    ("tests/specs/disk-mirror.yaml", "base"),
]


@pytest.mark.parametrize(("spec_rel", "tree_name"), CLI_PAIRS)
def test_through_the_cli(spec_rel: str, tree_name: str, tmp_path: Path) -> None:
    spec = str(ROOT / spec_rel)
    root = make_tree(tree_name, tmp_path / "tree")

    def check_clean() -> bool:
        run = migspec("check", "--spec", spec, "--source-root", str(root), "--format", "json")
        assert "Traceback" not in run.stderr
        return not any(f'"rule": "{rule}"' in run.stdout for rule in REWRITTEN)

    def update(mode: str) -> int:
        run = migspec("update", "--spec", spec, "--source-root", str(root), mode)
        assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
        assert run.returncode in (0, 1), run.stderr
        return run.returncode

    assert check_clean() == (update("--check") == 0)
    update("--write")
    assert update("--check") == 0 or not check_clean()
    first = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    update("--write")
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == first
