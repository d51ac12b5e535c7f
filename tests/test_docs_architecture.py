"""docs/architecture.rst names every stage the import contract places, so the
page a new maintainer reads first cannot fall behind the package."""

from __future__ import annotations

import re
import tomllib

from .conftest import ROOT


def _layer_names() -> set[str]:
    with (ROOT / "pyproject.toml").open("rb") as fh:
        contracts = tomllib.load(fh)["tool"]["importlinter"]["contracts"]
    (stages,) = [c for c in contracts if c["id"] == "stages"]
    names: set[str] = set()
    for layer in stages["layers"]:
        names.update(re.findall(r"[a-z_]+", layer))
    return names - {"__main__"}


def test_architecture_page_names_every_stage() -> None:
    page = (ROOT / "docs" / "architecture.rst").read_text(encoding="utf-8")
    missing = sorted(name for name in _layer_names() if not re.search(rf"\b{name}(/|\.py)", page))
    assert missing == [], f"docs/architecture.rst does not place: {missing}"


def test_the_check_can_fail() -> None:
    # The names come from the contract itself, not from a list kept here.
    assert {"expect", "artefacts", "pipeline", "render", "load"} <= _layer_names()
