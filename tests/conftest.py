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
