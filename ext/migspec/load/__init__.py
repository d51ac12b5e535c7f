"""Load stage: files in, located model objects and diagnostics out."""

from __future__ import annotations

import os

# Package data sits beside the modules.  Plain os.path: pathlib (and
# importlib.resources) would cost their import on every start-up, and this
# module is light on purpose, so that asking where the bundled spec is (the
# Sphinx extension does, on every build) imports nothing else.
PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.realpath(__file__)))
BUNDLED_SPEC = os.path.join(PACKAGE_DIR, "specs", "vfio-migration.yaml")
# How diagnostics name the bundled spec: where it lives in the repository.
BUNDLED_DISPLAY = "spec/vfio-migration.yaml"
