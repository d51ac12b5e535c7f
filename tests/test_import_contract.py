"""The stage order and the third-party wrappers, as the import contract in
pyproject.toml states them, hold for the package as it is (lint-imports)."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import ROOT


def test_import_contract_is_kept() -> None:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "ext"))
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "0 broken" in proc.stdout
