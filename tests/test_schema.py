"""The spec JSON Schema is a valid Draft 2020-12 schema, and every good spec passes it."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from migspec.load.spec import spec_schema
from migspec.load.yamlsrc import parse_yaml, to_plain

from .conftest import ROOT

GOOD_SPECS = sorted(
    [
        *(ROOT / "spec").glob("*.yaml"),
        *(ROOT / "spec" / "examples").glob("*.yaml"),
        *(ROOT / "tests" / "specs").glob("*.yaml"),
    ]
)


def plain(path: Path) -> object:
    doc = parse_yaml(path.read_text("utf-8"), str(path))
    assert doc.diagnostics == [] and doc.root is not None
    return to_plain(doc.root)


def test_schema_is_valid_draft_2020_12() -> None:
    schema = spec_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert jsonschema.validators.validator_for(schema) is jsonschema.Draft202012Validator


def test_there_are_good_specs() -> None:
    names = {p.name for p in GOOD_SPECS}
    assert {"vfio-migration.yaml", "disk-mirror.yaml", "mirror-small.yaml"} <= names


@pytest.mark.parametrize("path", GOOD_SPECS, ids=lambda p: str(p.relative_to(ROOT)))
def test_good_spec_validates(path: Path) -> None:
    validator = jsonschema.Draft202012Validator(spec_schema())
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(plain(path))]
    assert errors == []


def test_schema_rejects_what_it_should() -> None:
    validator = jsonschema.Draft202012Validator(spec_schema())
    spec = plain(ROOT / "tests" / "specs" / "mirror-small.yaml")
    assert isinstance(spec, dict)
    assert validator.is_valid(spec)
    assert not validator.is_valid({**spec, "flws": []})
    assert not validator.is_valid({**spec, "migspec": 2})
    assert not validator.is_valid({k: v for k, v in spec.items() if k != "arcs"})
