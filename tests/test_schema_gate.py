"""The schema gate agrees with jsonschema: never "valid" for an invalid spec.

The gate spares importing jsonschema for valid specs; if it ever said yes to
an invalid one, the loader would build a model from bad data.  Differential
tests against the reference implementation, on real specs and on thousands of
mutations of them.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from migspec.load import schema_gate
from migspec.load.spec import spec_schema
from migspec.load.yamlsrc import parse_yaml, to_plain

from .conftest import ROOT

SPECS = sorted(
    [
        ROOT / "spec" / "vfio-migration.yaml",
        *(ROOT / "spec" / "examples").glob("*.yaml"),
        *(ROOT / "tests" / "specs").glob("*.yaml"),
    ]
)
BROKEN = sorted((ROOT / "tests" / "cases" / "broken").glob("*/spec.yaml"))
VALIDATOR = jsonschema.Draft202012Validator(spec_schema())


def plain(path: Path) -> Any:
    doc = parse_yaml(path.read_text(errors="replace"), path.name)
    return None if doc.root is None else to_plain(doc.root)


def agree(data: Any) -> None:
    reference = VALIDATOR.is_valid(data)
    gate = schema_gate.valid(data, spec_schema())
    # The gate may say no to a valid spec (it only costs time) -- but it
    # must never say yes to an invalid one.  In practice the two agree.
    assert gate == reference, (gate, reference)


@pytest.mark.parametrize("path", SPECS, ids=lambda p: p.name)
def test_real_specs(path: Path) -> None:
    data = plain(path)
    assert schema_gate.valid(data, spec_schema())
    agree(data)


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.parent.name)
def test_broken_cases(path: Path) -> None:
    data = plain(path)
    if data is not None:
        agree(data)


LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(["", "STOP", "stop", "a b", "x\n", "1", "_X", "all", "open", "within-group"]),
    st.lists(st.sampled_from(["P2P", "P2P", "bad name"]), max_size=3),
    st.dictionaries(st.sampled_from(["name", "value", "x"]), st.integers(0, 3), max_size=2),
)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(data, dict):
        for k, v in data.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            out.extend(_paths(v, (*prefix, i)))
    return out


BASE = plain(ROOT / "spec" / "vfio-migration.yaml")
PATHS = [p for p in _paths(BASE) if p]


@settings(
    max_examples=600, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.sampled_from(PATHS), LEAVES, st.sampled_from(["replace", "delete", "add-key"]))
def test_mutations_agree(path: tuple[Any, ...], leaf: Any, how: str) -> None:
    data = copy.deepcopy(BASE)
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    last = path[-1]
    if how == "replace":
        parent[last] = leaf
    elif how == "delete":
        del parent[last]
    else:
        target = parent[last]
        if isinstance(target, dict):
            target["unexpected"] = leaf
        else:
            parent[last] = leaf
    agree(data)
