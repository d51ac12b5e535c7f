"""Spec pairs the review tests compare: the seed example, and edits of our own."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from migspec.model import Spec

from .conftest import ROOT
from .render_support import TOY, spec_from

SEED_OLD = "spec/examples/vfio-migration-3d4d0f0e06.yaml"
SEED_NEW = "spec/examples/vfio-migration-94f775e428.yaml"
GOLDEN = ROOT / "tests" / "golden" / "diff"


def edit(text: str, *replacements: tuple[str, str]) -> str:
    """``text`` with each (old, new) replaced exactly once (a test that edits
    nothing would prove nothing)."""
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def arcs_edited() -> str:
    """The bundled spec with one arc removed, one added and one re-documented."""
    return edit(
        (ROOT / SEED_NEW).read_text("utf-8"),
        (
            "  - {from: RUNNING, to: STOP, without: [P2P],\n"
            "     doc: Stop the device directly (no P2P quiescent state).}\n",
            "",
        ),
        (
            "     doc: Load the streamed-in state and end the session.}\n",
            "     doc: Load the streamed-in state and end the session.}\n"
            "  - {from: RESUMING, to: RUNNING, session: close,\n"
            "     doc: Load the streamed-in state and start at once.}\n",
        ),
        (
            "doc: Start the device directly (no P2P quiescent state).}",
            "doc: Start the device at once.}",
        ),
    )


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


# The toy lamp with a state, its arcs and a device kind more.
TOY_BLINK = edit(
    TOY,
    (
        "  - {name: DIM, macro: LAMP_DIM, bit: 1}\n",
        "  - {name: DIM, macro: LAMP_DIM, bit: 1}\n  - {name: BLINK, macro: LAMP_BLINK, bit: 2}\n",
    ),
    (
        "     stand_in: ON, doc: Half bright.}\n",
        "     stand_in: ON, doc: Half bright.}\n"
        "  - {name: BLINKING, value: 4, features: [BASE, BLINK], stand_in: ON, doc: On and off.}\n",
    ),
    (
        "  - {from: DIMMED, to: ON, features: [DIM]}\n",
        "  - {from: DIMMED, to: ON, features: [DIM]}\n"
        "  - {from: ON, to: BLINKING, features: [BLINK]}\n"
        "  - {from: BLINKING, to: ON, features: [BLINK]}\n",
    ),
)


def toy() -> Spec:
    return spec_from(TOY, "toy.yaml")


def toy_blink() -> Spec:
    return spec_from(TOY_BLINK, "toy-blink.yaml")


def git(repo: Path, *args: str) -> None:
    """Real git, with an identity of its own and no user or system config."""
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.org",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.org",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(repo.parent),
    )
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, env=env)


def seed_repo(repo: Path) -> Path:
    """A repository whose spec was committed twice: before the seed, then after.

    ``docs/copy.yaml`` is a copy of the second; the working tree's spec is
    then made invalid, so that reading it instead of a revision shows.
    """
    (repo / "spec").mkdir(parents=True)
    git(repo, "init", "-q")
    spec = repo / "spec" / "vfio-migration.yaml"
    shutil.copy(ROOT / SEED_OLD, spec)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "before the seed")
    shutil.copy(ROOT / SEED_NEW, spec)
    (repo / "docs").mkdir()
    shutil.copy(ROOT / SEED_NEW, repo / "docs" / "copy.yaml")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "the seed")
    spec.write_text("not: a spec\n", "utf-8")
    return repo
