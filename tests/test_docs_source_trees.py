"""docs/source-trees.rst shows real output: every transcript is rerun and compared.

The worked example runs in a scratch folder holding ``qemu/`` (the base
fixture tree with the seed's C changes reverted, as tests/trees/pre-seed
builds it, plus the drifted drawings and trace-events of
tests/trees/drift-doc-steps and drift-trace-format) and a copy of the
bundled spec, so every path in the output is
relative and the same on every machine.  A transcript that no longer matches
fails here; rerun the command shown in the failure, read the new output, and
update docs/source-trees/<name>.txt by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SEED_SPEC
from .source_trees import TREES, build_tree

TRANSCRIPTS = ROOT / "docs" / "source-trees"
SPEC = "vfio-migration.yaml"

# (transcript name, migspec arguments), run in this order in one folder.
STEPS: list[tuple[str, list[str]]] = [
    ("check-before", ["check", "--source-root", "qemu", "--spec", SPEC]),
    ("update-check", ["update", "--source-root", "qemu", "--spec", SPEC, "--check"]),
    ("update-diff", ["update", "--source-root", "qemu", "--spec", SPEC, "--diff"]),
    ("update-write", ["update", "--source-root", "qemu", "--spec", SPEC, "--write"]),
    ("check-after", ["check", "--source-root", "qemu", "--spec", SPEC]),
    ("import", ["import", "--source-root", "qemu", "-o", "imported.yaml"]),
    ("check-imported", ["check", "--source-root", "qemu", "--spec", "imported.yaml"]),
]


def run_example(work: Path) -> dict[str, str]:
    """Every transcript of the worked example, as the docs show them."""
    build_tree(
        work / "qemu",
        TREES / "pre-seed" / "seed-reverted.patch",
        TREES / "drift-doc-steps" / "drift.patch",
        TREES / "drift-trace-format" / "drift.patch",
    )
    shutil.copyfile(SEED_SPEC, work / SPEC)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"), PYTHONUNBUFFERED="1")
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
    out["imported.yaml"] = (work / "imported.yaml").read_text()
    return out


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return run_example(tmp_path_factory.mktemp("example"))


@pytest.mark.parametrize("name", [*(n for n, _ in STEPS), "imported.yaml"])
def test_transcript_is_current(example: dict[str, str], name: str) -> None:
    path = TRANSCRIPTS / (name if name.endswith(".yaml") else f"{name}.txt")
    assert path.read_text() == example[name], (
        f"{path} is stale; the command now prints:\n" + (example[name])
    )


def test_the_page_includes_every_transcript() -> None:
    page = (ROOT / "docs" / "source-trees.rst").read_text()
    for name, _ in STEPS:
        assert f"source-trees/{name}.txt" in page
    assert "source-trees/imported.yaml" in page
    assert "   source-trees\n" in (ROOT / "docs" / "index.rst").read_text()


def test_the_example_tells_the_story(example: dict[str, str]) -> None:
    assert example["check-before"].endswith("$ echo $?\n1\n")
    assert example["update-check"].endswith("$ echo $?\n1\n")
    assert "--write" in example["update-check"]
    assert example["update-diff"].count("\n--- a/") + example["update-diff"].startswith("--- a/")
    assert example["update-write"].endswith("$ echo $?\n0\n")
    assert example["check-after"].endswith("$ echo $?\n0\n")
    assert example["check-imported"].endswith("$ echo $?\n0\n")
