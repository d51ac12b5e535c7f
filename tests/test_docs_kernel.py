"""docs/kernel.rst shows real output: every transcript is rerun on the real trees.

The walk-through runs in a scratch folder holding ``linux/`` (a copy of
Debian's Linux 6.1 VFIO subset), ``linux-6.12/`` (the same of 6.12), the
specs it names, and ``pre-copy-2022.yaml`` (``pre-copy.yaml`` with the 2022
loop, made as the page's ``sed`` line makes it), so every path in the output
is relative.  Skipped without the tarballs (tests/linux_trees.py).

A transcript that no longer matches fails here (a new Debian kernel package,
or migspec's output changed).  ``python3 -m tests.test_docs_kernel`` rewrites
docs/kernel/*.txt; read ``git diff docs/kernel`` before committing them.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from .conftest import BUNDLED_SPEC, ROOT
from .linux_trees import cache_dir, copy_tree, extract, tarball

TRANSCRIPTS = ROOT / "docs" / "kernel"
PAGE = ROOT / "docs" / "kernel.rst"
LINUX_6_1_SPEC = ROOT / "spec" / "examples" / "vfio-migration-linux-6.1.yaml"

# (transcript name, migspec arguments), run in this order in one folder.
STEPS: list[tuple[str, list[str]]] = [
    ("check-6.1", ["check", "--kernel-root", "linux", "--spec", "linux-6.1.yaml"]),
    ("check-6.12", ["check", "--kernel-root", "linux-6.12", "--spec", "vfio-migration.yaml"]),
    ("diff-pre-copy", ["diff", "linux-6.1.yaml", "pre-copy.yaml"]),
    ("lint-2022", ["lint", "--spec", "pre-copy-2022.yaml"]),
    ("check-pre-copy", ["check", "--kernel-root", "linux", "--spec", "pre-copy.yaml"]),
]


def lay_out(work: Path, linux_6_1: Path, linux_6_12: Path) -> None:
    copy_tree(linux_6_1, work / "linux")
    copy_tree(linux_6_12, work / "linux-6.12")
    shutil.copyfile(LINUX_6_1_SPEC, work / "linux-6.1.yaml")
    shutil.copyfile(BUNDLED_SPEC, work / "vfio-migration.yaml")
    pre_copy = (TRANSCRIPTS / "pre-copy.yaml").read_text()
    (work / "pre-copy.yaml").write_text(pre_copy)
    # sed 's/stop_at_error: true/stop_at_error: false/' pre-copy.yaml > pre-copy-2022.yaml
    (work / "pre-copy-2022.yaml").write_text(
        pre_copy.replace("stop_at_error: true", "stop_at_error: false")
    )


def run_walkthrough(work: Path) -> dict[str, str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"), PYTHONUNBUFFERED="1", MIGSPEC_CACHE_DIR="")
    out: dict[str, str] = {}
    for name, args in STEPS:
        run = subprocess.run(
            [sys.executable, "-m", "migspec", *args],
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        out[name] = f"$ migspec {' '.join(args)}\n{run.stdout}$ echo $?\n{run.returncode}\n"
    return out


@pytest.fixture(scope="module")
def walkthrough(
    tmp_path_factory: pytest.TempPathFactory, linux_6_1: Path, linux_6_12: Path
) -> dict[str, str]:
    work = tmp_path_factory.mktemp("kernel-walkthrough")
    lay_out(work, linux_6_1, linux_6_12)
    return run_walkthrough(work)


@pytest.mark.parametrize("name", [n for n, _ in STEPS])
def test_transcript_is_current(walkthrough: dict[str, str], name: str) -> None:
    path = TRANSCRIPTS / f"{name}.txt"
    assert path.read_text() == walkthrough[name], (
        f"{path} is stale; the command now prints:\n" + walkthrough[name]
    )


def test_the_page_includes_every_transcript() -> None:
    included = set(re.findall(r"literalinclude:: kernel/(\S+)", PAGE.read_text()))
    assert included == {f"{n}.txt" for n, _ in STEPS} | {"pre-copy.yaml"}
    on_disk = {p.name for p in TRANSCRIPTS.iterdir()}
    assert on_disk == included


def test_the_pre_copy_spec_is_the_6_1_spec_plus_pre_copy() -> None:
    """Every line of the 6.1 spec's machine is in pre-copy.yaml but the walk's."""
    old = LINUX_6_1_SPEC.read_text()
    new = (TRANSCRIPTS / "pre-copy.yaml").read_text()
    body = old[old.index("migspec: 1") : old.index("walk:")]
    kept = [line for line in body.splitlines() if line and not line.lstrip().startswith("#")]
    missing = [line for line in kept if line not in new.splitlines()]
    assert missing == []


def main() -> None:
    """Rewrite docs/kernel/*.txt from the real trees (read the diff before committing)."""
    trees = [extract(tarball(v), cache_dir()) for v in ("6.1", "6.12")]
    with tempfile.TemporaryDirectory() as tmp:
        lay_out(Path(tmp), *trees)
        for name, text in run_walkthrough(Path(tmp)).items():
            (TRANSCRIPTS / f"{name}.txt").write_text(text)
            print(f"wrote {TRANSCRIPTS / name}.txt")


if __name__ == "__main__":
    main()
