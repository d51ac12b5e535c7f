"""Shared fixtures: paths to the bundled spec and to ../shared real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Tests read tools' output as text; Sphinx colours it when CI=true is set.
os.environ["NO_COLOR"] = "1"
# No test reads a lint result another run kept (migspec.cache); the cache's
# own tests give each run a directory of its own.
os.environ["MIGSPEC_CACHE_DIR"] = ""

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
# The bundled spec describes QEMU master; the seed's (the P2P patch, 94f775e428)
# is an example beside it, and the tests of seed-era facts name it.
BUNDLED_SPEC = ROOT / "spec" / "vfio-migration.yaml"
SEED_SPEC = ROOT / "spec" / "examples" / "vfio-migration-94f775e428.yaml"


@pytest.fixture
def corpus() -> Path:
    """The real QEMU data in ../shared/corpus; tests using it skip without it."""
    if not CORPUS.is_dir():
        pytest.skip("../shared/corpus is not present")
    return CORPUS


def _linux_tree(version: str) -> Path:
    from .linux_trees import cache_dir, extract, tarball

    archive = tarball(version)
    if not archive.is_file():
        pytest.skip(f"{archive} is not present (Debian package linux-source-{version})")
    return extract(archive, cache_dir())


@pytest.fixture(scope="session")
def linux_6_1() -> Path:
    """The VFIO subset of Linux 6.1 (before PRE_COPY), read-only: copy it before writing."""
    return _linux_tree("6.1")


@pytest.fixture(scope="session")
def linux_6_12() -> Path:
    """The VFIO subset of Linux 6.12 (mlx5, hisi_acc, pds, qat), read-only: copy it before writing."""
    return _linux_tree("6.12")
