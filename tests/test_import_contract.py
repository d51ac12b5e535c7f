"""The stage order and the third-party wrappers, as the import contract in
pyproject.toml states them, hold for the package as it is (lint-imports)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

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


def test_every_module_is_under_each_third_party_contract() -> None:
    # A forbidden contract names the modules it constrains: a new module
    # must be added to each, or be one of the few allowed to import the library.
    with (ROOT / "pyproject.toml").open("rb") as fh:
        contracts = tomllib.load(fh)["tool"]["importlinter"]["contracts"]
    package = ROOT / "ext" / "migspec"
    children = {f"migspec.{p.stem}" for p in package.glob("*.py") if p.stem != "__init__"} | {
        f"migspec.{p.parent.name}" for p in package.glob("*/__init__.py")
    }
    forbidden = [c for c in contracts if c["type"] == "forbidden"]
    assert forbidden
    for contract in forbidden:
        listed = set(contract["source_modules"])
        missing = {
            child
            for child in children
            if child not in listed and not any(m.startswith(child + ".") for m in listed)
        }
        # What is left out must be the library's wrapper, named in the contract's name.
        assert all(child.split(".")[1] in contract["name"] for child in missing), (
            contract["id"],
            missing,
        )
